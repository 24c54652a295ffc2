"""A URL cut into raw parts and a query into segments, byte for byte (nothing re-encoded)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

#: ``&#38;`` / ``&#x26;`` are an ``&`` (Markdown decodes them): their ``#`` starts no fragment.
_AMP_REF = r"&\#0*38;|&\#[xX]0*26;"
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*:)?(?P<auth>//[^/?#]*)?"
    rf"(?P<path>(?:{_AMP_REF}|[^?#])*)"
    rf"(?:\?(?P<query>(?:{_AMP_REF}|[^#])*))?(?:#(?P<fragment>.*))?\Z",
    re.DOTALL,
)
_WWW = re.compile(r"www\.[^/?#]*", re.IGNORECASE)
#: A query separator as written: ``&``, or ``&`` as an HTML character reference (``&amp;``,
#: ``&#38;``, ``&#x26;``), which Markdown decodes to ``&`` in a link destination.
_SEP = re.compile(r"&(?:amp;|AMP;|#0*38;|#[xX]0*26;)?")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class UrlParts:
    """A URL cut into its raw parts; :meth:`join` gives back the exact input."""

    scheme: str  # "https:" (with the colon) or ""
    authority: str  # "//host:port" as written, or "www.host" for a scheme-less bare URL
    path: str
    query: str | None  # without "?"; None when there is no "?"
    fragment: str | None  # without "#"; None when there is no "#"

    def join(self) -> str:
        out = self.scheme + self.authority + self.path
        if self.query is not None:
            out += "?" + self.query
        if self.fragment is not None:
            out += "#" + self.fragment
        return out

    @property
    def host(self) -> str:
        """Lower-cased host without user info, port or trailing dot ("" when none)."""
        return authority_host(self.authority)


@functools.lru_cache(maxsize=4096)
def authority_host(authority: str) -> str:
    """:attr:`UrlParts.host` of an authority (memoised: a run has far fewer hosts than URLs)."""
    auth = authority.lstrip("/")
    auth = auth.rpartition("@")[2]
    host = auth.partition("]")[0] + "]" if auth.startswith("[") else auth.partition(":")[0]
    return host.rstrip(".").lower()


@functools.lru_cache(maxsize=16384)
def split_url(url: str) -> UrlParts:
    """Cut ``url`` into raw parts without decoding anything (memoised: URLs repeat, and
    several rules look at every one)."""
    m = _URL.match(url)
    assert m is not None  # every part is optional
    scheme = m.group("scheme") or ""
    auth = m.group("auth") or ""
    path = m.group("path")
    if not scheme and not auth:
        www = _WWW.match(path)
        if www:
            auth, path = path[: www.end()], path[www.end() :]
    return UrlParts(scheme, auth, path, m.group("query"), m.group("fragment"))


def normalize_key(raw: str) -> str:
    """The key as rules see it: Markdown escapes and percent-escapes decoded, lower case."""
    if "\\" in raw:
        raw = _MD_ESCAPE.sub(r"\1", raw)
    if "%" in raw:
        raw = unquote(raw, errors="replace")
    return raw.lower()


@dataclass(frozen=True)
class Segment:
    """One ``key=value`` piece of a query, as written, with the separator before it."""

    sep: str  # "", "&", or "&" as a character reference ("&amp;", "&#38;", "&#x26;")
    text: str
    key: str  # normalised key (see normalize_key)

    @property
    def raw_key(self) -> str:
        return self.text.partition("=")[0]

    @property
    def has_value(self) -> bool:
        return "=" in self.text

    @property
    def value(self) -> str:
        return self.text.partition("=")[2]


def split_query(query: str) -> list[Segment]:
    """Segments of a raw query (or fragment) string, separators kept."""
    out: list[Segment] = []
    pos = 0
    sep = ""
    for m in _SEP.finditer(query):
        text = query[pos : m.start()]
        out.append(Segment(sep, text, normalize_key(text.partition("=")[0])))
        sep = m.group(0)
        pos = m.end()
    text = query[pos:]
    out.append(Segment(sep, text, normalize_key(text.partition("=")[0])))
    return out


def join_query(segments: Sequence[Segment]) -> str:
    """Join kept segments: the first loses its separator, the others keep their own."""
    parts: list[str] = []
    for i, seg in enumerate(segments):
        parts.append(seg.text if i == 0 else (seg.sep or "&") + seg.text)
    return "".join(parts)


def filter_query(query: str, drop: Callable[[Segment], bool]) -> tuple[str, list[Segment]]:
    """Drop the segments ``drop`` selects; return the new query and what was dropped.

    When nothing is dropped the query is returned as it was (empty segments included);
    otherwise empty segments (``a=1&&b=2``) go too.
    """
    segments = split_query(query)
    dropped = [s for s in segments if s.text and drop(s)]
    if not dropped:
        return query, []
    kept = [s for s in segments if s.text and not drop(s)]
    return join_query(kept), dropped


# -- compiled rule data -------------------------------------------------------------------


def host_in(host: str, domains: Collection[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (``a.example.com`` is
    in ``example.com``, ``badexample.com`` is not): the one host test of every host list.

    Walks the host's parent domains (a few set lookups per link, whatever the list size).
    """
    if host in domains:
        return True
    while "." in host:
        host = host.partition(".")[2]
        if host in domains:
            return True
    return False


def is_cleanable(parts: UrlParts) -> bool:
    """Only web URLs are cleaned: a host, an authority, and http(s) or no scheme."""
    return bool(parts.host and parts.authority) and parts.scheme.lower() in ("http:", "https:", "")
