"""Where the URL rules (BL001, BL011-BL013) find URLs, and how they edit them.

A target is the raw text of one URL as written in the source: an inline link or image
destination (without ``<>``), a reference definition's destination (the definition is
edited, not each use), an angle autolink, a GFM bare URL, or an ``href``/``src`` in raw HTML.
Code spans, code blocks, front matter and HTML comments never produce targets.

A bare URL glued to CJK text (``详见https://example.org/a?x=1）。``) runs through that text on
GitHub (BL007 reports it). Only the part before the first CJK or full-width character is the
URL here; when that character is a letter rather than punctuation the boundary is a guess,
and :func:`edit_allowed` refuses edits that depend on it. CJK text right after ``/``, ``=``,
``?``... is taken as part of the URL (``/wiki/数据库``), as BL007 does; when full-width
punctuation follows it too, the end cannot be told and the URL is skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..autolink import (
    URL_SEPARATORS,
    find_bare_urls,
    first_boundary,
    is_fullwidth_punct,
    trim_autolink,
)
from ..diagnostics import Edit, Span
from ..document import Document, Link
from ..errors import ConfigError
from ..rule import OptionError, RuleContext
from ..urls import RuleSet, UrlDataError, ruleset


def validate_url_options(options: Mapping[str, Any]) -> None:
    """Compile the URL rule data with these options; a bad option is an OptionError."""
    try:
        ruleset(options)
    except UrlDataError as exc:
        raise OptionError(exc.key, exc.problem) from None


def compiled_rules(ctx: RuleContext, extra: dict[str, object] | None = None) -> RuleSet:
    """The URL rule data with this rule's options; bad options are a config error."""
    options = {**ctx.options, **(extra or {})}
    try:
        return ruleset(options)
    except UrlDataError as exc:
        option = exc.key.split(".", 1)[0].split("[", 1)[0]
        key = f"rules.{ctx.meta.code}.{option}"
        source = "<config>"
        if ctx.config is not None:
            source = ctx.config.provenance.get(key) or str(ctx.config.source or source)
        raise ConfigError(source, f"rules.{ctx.meta.code}.{exc.key}", exc.problem) from None


@dataclass(frozen=True)
class Target:
    """One URL as written, and what else must change with it."""

    kind: str  # inline | definition | autolink | bare | html
    is_image: bool
    span: Span  # the raw URL (inside <...> when angle-bracketed)
    url: str
    #: Link text that equals the URL byte for byte: edited together with it.
    text_span: Span | None = None
    #: "" (clean end), "punct" (full-width punctuation follows) or "letter" (CJK text
    #: follows: the end of the URL is a guess) -- bare URLs only.
    boundary: str = ""
    #: Source text after the URL on its line (bare URLs: to check the link's extent).
    tail: str = ""

    def edits(self, replacement: str) -> tuple[Edit, ...]:
        """Minimal edits turning the URL (and its equal link text) into ``replacement``."""
        out = [_minimal_edit(self.span, self.url, replacement)]
        if self.text_span is not None:
            out.append(_minimal_edit(self.text_span, self.url, replacement))
        return tuple(sorted(out, key=lambda e: e.span.start))


def _minimal_edit(span: Span, old: str, new: str) -> Edit:
    """Replace only the differing middle of ``old`` (shorter edits collide less)."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return Edit(Span(span.start + prefix, span.end - suffix), new[prefix : len(new) - suffix])


def _strip_angle(doc: Document, span: Span) -> Span:
    raw = doc.source[span.start : span.end]
    if len(raw) >= 2 and raw.startswith("<") and raw.endswith(">"):
        return Span(span.start + 1, span.end - 1)
    return span


def _dest_span(link: Link) -> Span | None:
    try:
        return link.dest_span
    except AssertionError:  # a reference form whose definition was not found
        return None


class Hrefs:
    """A document's URL links, and what the URL rules ask of all of them at once.

    Most links concern no URL rule: these sets let a rule test only its few candidates.
    """

    def __init__(self, doc: Document, links: list[Link]) -> None:
        self.doc = doc
        self.links = links

    @functools.cached_property
    def with_query(self) -> list[Link]:
        return [link for link in self.links if "?" in link.href]

    @functools.cached_property
    def host_text(self) -> str | None:
        """The hrefs' authorities (user info and port included), lower case, one a line.

        An href's host, when it has one, is part of this text. None when an href holds a line
        break, which the scan cannot step over.
        """
        if not self.links:
            return ""
        text = "\n" + "\n".join(link.href for link in self.links)
        if text.count("\n") != len(self.links):
            return None
        found = set(_AUTHORITY.findall(text))
        found.update(_WWW_START.findall(text))
        return "\n".join(found).lower()

    @functools.cached_property
    def definition_lines(self) -> str:
        """The lines reference definitions start on and the three after them: where
        :attr:`DocumentIndex.definitions` finds each destination."""
        doc = self.doc
        pieces = []
        for ref in (doc.env.get("references") or {}).values():
            line = (ref.get("map") or [None])[0]
            if line is None:  # pragma: no cover - markdown-it-py >= 4 records it
                continue
            last = min(line + 3, doc.line_count - 1)
            pieces.append(doc.source[doc.line_start(line) : doc.line_end(last)])
        return "\n".join(pieces)


#: What ``split_url`` takes for the authority: after ``//``, or ``www.`` starting an href.
_AUTHORITY = re.compile(r"//([^/?#\n]*)")
_WWW_START = re.compile(r"\n([wW][wW][wW]\.[^/?#\n]*)")

def hrefs(ctx: RuleContext) -> Hrefs:
    """Shared by the URL rules of one document (dropped with it by ``Document.release``)."""
    return ctx.doc.analysis("urls.hrefs", lambda doc: Hrefs(doc, list(ctx.index.urls)))


def with_query(shared: Hrefs) -> list[Link]:
    """Candidates (for :func:`targets`) of a rule that only looks at URLs with a query."""
    return shared.with_query


def has_query(text: str) -> bool:
    """Screen (for :func:`targets`) of a rule that only looks at URLs with a query."""
    return "?" in text


def targets(
    ctx: RuleContext,
    wanted: Callable[[str], bool],
    candidates: Callable[[Hrefs], Iterable[Link]] | None = None,
    screen: Callable[[str], bool] | None = None,
) -> Iterator[Target]:
    """Every URL target whose (normalised) href passes the cheap ``wanted`` test.

    ``candidates`` narrows the links tested: it must keep (in order) every link whose href
    ``wanted`` accepts. ``screen`` skips the reference definitions when it says no for the
    text of their lines: it must say yes for any text containing a string ``wanted`` accepts.
    """
    doc = ctx.doc
    shared = hrefs(ctx)
    for link in shared.links if candidates is None else candidates(shared):
        if not wanted(link.href):
            continue
        if link.kind == "html":
            dest = link.dest_span
            if doc.is_code(dest.start):
                continue
            url = doc.source[dest.start : dest.end]
            yield Target("html", link.is_image, dest, url)
            continue
        if link.kind == "bare":
            target = _bare(doc, link)
            if target is not None:
                yield target
            continue
        span = _dest_span(link)
        if span is None:
            continue
        if link.kind == "inline":
            span = _strip_angle(doc, span)
        url = doc.source[span.start : span.end]
        if not url:
            continue
        text_span = None
        if link.kind == "autolink":
            yield Target("autolink", False, span, url)
            continue
        ts = link.text_span
        if ts is not None and not link.is_image and doc.source[ts.start : ts.end] == url:
            text_span = ts
        yield Target(link.kind, link.is_image, span, url, text_span)
    if screen is not None and not screen(shared.definition_lines):
        return
    for definition in ctx.index.definitions:
        span = _strip_angle(doc, definition.dest_span)
        url = doc.source[span.start : span.end]
        if url and wanted(url):
            yield Target("definition", False, span, url)


def _bare(doc: Document, link: Link) -> Target | None:
    span = link.dest_span
    raw = doc.source[span.start : span.end]
    cut = first_boundary(raw)
    if cut < 0:
        cut = len(raw)
    boundary = ""
    if cut < len(raw):
        boundary = "punct" if is_fullwidth_punct(raw[cut]) else "letter"
        if boundary == "letter" and cut and raw[cut - 1] in URL_SEPARATORS:
            # CJK right after "/", "=", "?"...: a path segment or a value (``/wiki/数据库``)
            # unless full-width punctuation follows, which makes the end a guess.
            rest = raw[cut:]
            if any(is_fullwidth_punct(c) for c in rest):
                return None
            cut, boundary = len(raw), ""
        if boundary:
            raw = trim_autolink(raw[:cut])
            if not raw:
                return None
            span = Span(span.start, span.start + len(raw))
    line_end = doc.line_end(doc.line_of(span.end))
    tail = doc.source[span.end : line_end]
    return Target("bare", False, span, raw, boundary=boundary, tail=tail)


def edit_allowed(target: Target, new_url: str) -> bool:
    """Whether ``new_url`` may replace the target without changing what the link covers."""
    if target.kind != "bare":
        return True
    if target.boundary == "letter":
        # The URL's last piece may continue into the CJK text: never drop or cut it.
        last = max(target.url.rfind(c) for c in "?&#")
        if last >= 0:
            piece = target.url[last + 1 :]
            if not piece or not new_url.endswith(piece):
                return False
            if target.url[last] == "#" and "#" + piece not in new_url:
                return False
    if target.boundary:
        return True  # the CJK character after it ends the link text for BL007 anyway
    found = find_bare_urls(new_url + target.tail)
    return bool(found) and found[0] == (0, len(new_url))
