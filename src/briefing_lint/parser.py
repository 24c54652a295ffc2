"""The one place that builds markdown-it instances, so every part of the program parses alike."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt, helpers
from markdown_it.common.normalize_url import normalizeLink as _normalize_link_slow
from markdown_it.common.utils import unescapeAll
from mdit_py_plugins.front_matter import front_matter_plugin

from ._mdit_compat import (
    RecordingInline,
    StateInline,
    install_recording_inline,
    set_link_helpers,
    set_normalize_link,
    upstream_parse_link_label,
    wrap_rule,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

#: Nesting limit handed to markdown-it; content deeper than this is reported as not checked.
MAX_NESTING = 100


def _configure(md: MarkdownIt) -> MarkdownIt:
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.options["maxNesting"] = MAX_NESTING
    # Called for every link destination: most are plain ASCII URLs it returns unchanged.
    set_normalize_link(md, normalize_link)
    set_link_helpers(
        md, parse_link_label=parse_link_label, parse_link_destination=parse_link_destination
    )
    wrap_rule(md.block.ruler, "reference", _quick_reference)
    wrap_rule(md.block.ruler, "lheading", _quick_lheading)
    wrap_rule(md.inline.ruler, "link", _mark_references)
    wrap_rule(md.inline.ruler, "image", _mark_references)
    return md


# URL text that markdown-it's normalizeLink (mdurl parse, punycode, format, percent-encode)
# returns unchanged: nothing to percent-encode, and either an http(s) URL whose host is plain
# ASCII, or a hostless reference with no scheme. tests/test_parser.py checks the equivalence.
_URL_CHARS = r"(?:[A-Za-z0-9;/?@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})"
_UNCHANGED_URL = re.compile(
    rf"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#](?:{_URL_CHARS}|:)*)?\Z"
    rf"|(?!//){_URL_CHARS}*\Z"
)


@functools.lru_cache(maxsize=4096)
def _normalize_link_cached(url: str) -> str:
    return _normalize_link_slow(url)


def normalize_link(url: str) -> str:
    """markdown-it's ``normalizeLink``, answered without parsing for URLs it leaves alone."""
    if _UNCHANGED_URL.match(url):
        return url
    return _normalize_link_cached(url)


class _Destination:
    """The result shape markdown-it's link rules read from ``parseLinkDestination``."""

    __slots__ = ("ok", "pos", "str")

    def __init__(self) -> None:
        self.ok = False
        self.pos = 0
        self.str = ""


# Characters a bare link destination may run over without a second look.
_DESTINATION_RUN = re.compile(r"[^\x00-\x20\x7f\\()]+")


def parse_link_destination(string: str, pos: int, maximum: int) -> Any:
    """markdown-it's ``parseLinkDestination`` for the bare form, skipping plain runs by regex.

    The per-character loop upstream is a tenth of a parse on link-heavy briefings; the
    ``<…>`` form is rare and stays upstream.
    """
    if string.startswith("<", pos):
        return helpers.parseLinkDestination(string, pos, maximum)
    result = _Destination()
    start = pos
    level = 0
    while pos < maximum:
        run = _DESTINATION_RUN.match(string, pos, maximum)
        if run is not None:
            pos = run.end()
            if pos >= maximum:
                break
        char = string[pos]
        if char == "\\":
            if pos + 1 < maximum:
                if string[pos + 1] == " ":
                    break
                pos += 2
            else:
                pos += 1
        elif char == "(":
            level += 1
            if level > 32:
                return result
            pos += 1
        elif char == ")":
            if level == 0:
                break
            level -= 1
            pos += 1
        else:  # space or a control character
            break
    if start == pos or level != 0:
        return result
    result.str = unescapeAll(string[start:pos])
    result.pos = pos
    result.ok = True
    return result


# What ends a reference label's first line: another "[" (not a definition), "]" (then ":"
# must follow), or what the full rule handles itself (escapes, a label going on).
_LABEL_STOP = re.compile(r"[\[\]\\\n]")


def _quick_reference(rule: Any) -> Any:
    """Wrap markdown-it's reference-definition rule with a test of the first line.

    Markdown-it tries the rule on every block; in briefings most paragraphs start with a
    link (``[title](url)``), whose label it scans character by character before finding
    no ``:`` after it. A plain first line says the same at once.
    """

    def reference(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        src: str = state.src
        pos = state.bMarks[start_line] + state.tShift[start_line]
        if not src.startswith("[", pos):
            return False
        stop = _LABEL_STOP.search(src, pos + 1, state.eMarks[start_line] + 1)
        if stop is None:
            return False
        char = stop.group()
        if char == "[" or (char == "]" and not src.startswith(":", stop.end())):
            return False
        ok: bool = rule(state, start_line, end_line, silent)
        return ok

    return reference


# First characters of a line that may end a paragraph: fence, blockquote, hr, list, HTML
# block, ATX heading. (A table ends it at its header line, whatever that starts with; the
# delimiter row after it is caught by ``_MAYBE_UNDERLINE``.)
_MAY_END_PARAGRAPH = frozenset("`~>*-_+#<0123456789")
# A setext underline, or a line that may be a table's delimiter row: hand over to the rule.
_MAYBE_UNDERLINE = re.compile(r"=+[ \t]*|[-|:][-|: \t]*")


def _quick_lheading(rule: Any) -> Any:
    """Wrap markdown-it's setext-heading rule with a look for a possible underline.

    Markdown-it tries it on every paragraph and, line by line, asks every rule that can
    end a paragraph; without a line of ``=`` or ``-`` it cannot succeed. The look asks
    those rules only on lines starting with a character one of them needs, and stops
    where one of them ends the paragraph, as the full rule does: scanning on to the next
    blank line would read a whole tight list once per item.
    """

    def lheading(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        if state.is_code_block(start_line):
            return False
        src: str = state.src
        limit = state.blkIndent + 3
        parent = state.parentType
        terminators = None
        line = start_line + 1
        while line < end_line and not state.isEmpty(line):
            # Deeper lines are lazy continuations, negative ones a blockquote's: the full
            # rule skips both without asking the rules that end a paragraph.
            if 0 <= state.sCount[line] <= limit:
                pos = state.bMarks[line] + state.tShift[line]
                if _MAYBE_UNDERLINE.fullmatch(src, pos, state.eMarks[line]):
                    state.parentType = parent
                    ok: bool = rule(state, start_line, end_line, silent)
                    return ok
                if src[pos] in _MAY_END_PARAGRAPH:
                    if terminators is None:
                        terminators = state.md.block.ruler.getRules("paragraph")
                        # As the full rule: the terminators read it, and it stays set.
                        state.parentType = "paragraph"
                    if any(t(state, line, end_line, True) for t in terminators):
                        return False
            line += 1
        # The full rule leaves the parent type set when it finds no underline.
        state.parentType = "paragraph"
        return False

    return lheading


#: The last ``src`` searched for a closing bracket, and where its last one is.
_last_close: tuple[str, int] = ("", -1)


def parse_link_label(state: Any, start: int, disable_nested: bool = False) -> int:
    """markdown-it's ``parseLinkLabel``, answered at once when no ``]`` follows ``start``.

    Upstream scans to the end of the block for every ``[`` (through the nesting limit,
    whose depth sets the cost), so a run of ``[`` or ``![`` costs a hundred skips each.
    Without a ``]`` after it no label can end; the positions the scan would have cached
    are only read by later scans, which find no ``]`` past them either.
    """
    global _last_close
    src: str = state.src
    cached = _last_close
    if cached[0] is src:
        last = cached[1]
    else:
        last = src.rfind("]")
        _last_close = (src, last)
    if last <= start:
        return -1
    return upstream_parse_link_label(state, start, disable_nested)


def _mark_references(rule: Any) -> Any:
    """Wrap markdown-it's link/image rule to record where each link or image is.

    The token gets ``meta["pos"]``, its range in the inline content, and ``meta["ref"]``
    when it is reference-style (``[t][label]``: it ends in ``]`` rather than ``)``). Both
    come free from the ordinary parse and spare a positional re-parse of the block.
    """

    def marked(state: StateInline, silent: bool) -> bool:
        start = state.pos
        before = len(state.tokens)
        ok: bool = rule(state, silent)
        if ok and not silent:
            # The rule pushed the pending text (if any), then the link_open or image.
            tokens = state.tokens
            token = tokens[before]
            if token.type not in ("link_open", "image"):
                token = tokens[before + 1]
            token.meta["pos"] = (start, state.pos)
            if state.src[state.pos - 1] == "]":
                token.meta["ref"] = True
        return ok

    return marked


@functools.cache
def markdown() -> MarkdownIt:
    """CommonMark + GFM tables + strikethrough + front matter: what rules see."""
    return _configure(MarkdownIt("commonmark"))


@functools.cache
def span_markdown() -> MarkdownIt:
    """The same grammar, with an inline tokenizer that records where each token came from.

    Used lazily, one inline block at a time, only when a rule needs exact positions; the
    ordinary parse stays as fast as markdown-it itself.
    """
    md = _configure(MarkdownIt("commonmark"))
    install_recording_inline(md)
    return md


def parse(text: str, env: dict[str, Any] | None = None) -> tuple[list[Token], dict[str, Any]]:
    """Parse ``text`` (already newline-normalised) into block tokens; return them and the env."""
    env = {} if env is None else env
    return markdown().parse(text, env), env


def tokenize_inline_recording(content: str, env: dict[str, Any]) -> tuple[list[Token], StateInline]:
    """Tokenize one inline block with positions recorded (see :mod:`briefing_lint.spans`)."""
    md = span_markdown()
    tokens: list[Token] = []
    inline = md.inline
    assert isinstance(inline, RecordingInline)
    state = inline.parse_state(content, md, env, tokens)
    return state.tokens, state
