"""Link identity: the host of a link, and what makes two links the same story (BL006)."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

from .cleaning import clean_url
from .parts import split_url

_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")
_HOST_END = re.compile(r"[/?#]")
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_QUERY_SEP = re.compile(r"&amp;|&")


@functools.lru_cache(maxsize=4096)
def host_of(url: str) -> str:
    """Lowercased host of an absolute URL, without ``www.`` and port ('' if none).

    Memoised: BL002 and BL006 both ask for the host of every item link.
    """
    m = _SCHEME_HOST.match(url.strip())
    if m is None:
        if url.startswith("www."):
            return _authority_host(_HOST_END.split(url, maxsplit=1)[0])
        return ""
    return _authority_host(m.group(1))


def _authority_host(authority: str) -> str:
    host = authority.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


@functools.lru_cache(maxsize=64)
def host_set(patterns: tuple[str, ...]) -> frozenset[str]:
    """Host patterns normalised for :func:`~.parts.host_in` (lower case, no ``www.``)."""
    out = set()
    for p in patterns:
        p = p.lower().strip()
        out.add(p[4:] if p.startswith("www.") else p)
    return frozenset(out)


# -- link identity ---------------------------------------------------------------------------

#: Fragments that do not pick a different part of the page (WeChat's ``#rd``, text
#: fragments, ``k=v`` tracking); any other fragment (``/jobs/#berlin-security``,
#: ``CHANGELOG.md#v056``) is part of the link's identity.
_NOISE_FRAGMENT = re.compile(r"^(?:|rd|wechat_redirect|top|:~:.*|[^/]*=.*)$", re.DOTALL)
_WECHAT_TOKEN = re.compile(r"^/s/(?P<token>[A-Za-z0-9_-]{8,})/?$")
_TRACKING_KEY = re.compile(
    r"^(?:utm_\w*|spm|spm_id_from|scene|subscene|ascene|chksm|share_\w+|sharer_\w+|"
    r"mpshare|srcid|ref_src|fbclid|gclid|igshid|mc_cid|mc_eid|xtrack|isappinstalled)$"
)


@functools.lru_cache(maxsize=8192)
def canonical_link(url: str) -> str | None:
    """The identity of a link for duplicate detection (None for non-web links).

    ``https://www.Example.org/a/?utm_source=x#top`` and ``http://example.org/a`` are the
    same (scheme, ``www.``, trailing ``/``, tracking parameters, parameter order and
    fragments that do not select a part of the page do not count); a WeChat article is
    ``wechat:<__biz>:<mid>:<idx>`` (or ``wechat:/s/<token>``) whatever it carries.
    """
    url = url.strip()
    if url[:4].lower() == "www.":
        url = "http://" + url
    if not _HTTP.match(url):
        return None
    if "?" not in url and "#" not in url:
        return _plain_identity(url)
    return _full_identity(url)


def _plain_identity(url: str) -> str | None:
    """No query, no fragment: what :func:`_full_identity` reduces to, without splitting."""
    rest = url[url.index("://") + 3 :]
    slash = rest.find("/")
    host = _authority_host(rest if slash < 0 else rest[:slash])
    if not host:
        return None
    if slash < 0:
        return host
    path = rest[slash:]
    if "%" in path:
        path = unquote(path)
    if host == "mp.weixin.qq.com":
        token = _WECHAT_TOKEN.match(path)
        if token is not None:
            return "wechat:/s/" + token.group("token")
    return host + path.rstrip("/")


def _full_identity(url: str) -> str | None:
    if "?" in url:
        url = clean_url(url).full_url  # BL001's removals, so both rules agree
    parts = split_url(url)
    host = host_of(url)
    if not host:
        return None
    path = unquote(parts.path)
    pairs = _identifying_pairs(parts.query or "")
    if host == "mp.weixin.qq.com":
        wechat = _wechat_identity(path, pairs)
        if wechat is not None:
            return wechat
    path = path.rstrip("/")
    key = host + path
    if pairs:
        key += "?" + "&".join(f"{k}={v}" for k, v in sorted(pairs))
    fragment = parts.fragment
    if fragment is not None and not _NOISE_FRAGMENT.match(fragment):
        key += "#" + fragment
    return key


def _identifying_pairs(query: str) -> list[tuple[str, str]]:
    """The decoded ``(key, value)`` pairs of a query, without the tracking keys."""
    pairs: list[tuple[str, str]] = []
    for seg in _QUERY_SEP.split(query):
        if not seg:
            continue
        key, _, value = seg.partition("=")
        key = unquote(key).lower()
        if _TRACKING_KEY.match(key):
            continue
        pairs.append((key, unquote(value)))
    return pairs


def _wechat_identity(path: str, pairs: list[tuple[str, str]]) -> str | None:
    """A WeChat article: ``wechat:/s/<token>`` or ``wechat:<__biz>:<mid>:<idx>``."""
    token = _WECHAT_TOKEN.match(path)
    if token is not None:
        return "wechat:/s/" + token.group("token")
    fields = dict(pairs)
    if fields.get("__biz") and fields.get("mid"):
        return "wechat:{}:{}:{}".format(fields["__biz"], fields["mid"], fields.get("idx") or "1")
    return None
