"""The one place that builds markdown-it instances, so every part of the program parses alike."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.front_matter import front_matter_plugin

if TYPE_CHECKING:
    from markdown_it.token import Token

#: Nesting limit handed to markdown-it; content deeper than this is reported as not checked.
MAX_NESTING = 100


def _configure(md: MarkdownIt) -> MarkdownIt:
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.options["maxNesting"] = MAX_NESTING
    # A pure function called for every link destination; briefings repeat URLs a lot.
    md.normalizeLink = functools.lru_cache(maxsize=4096)(md.normalizeLink)  # type: ignore[method-assign]
    originals = {r.name: r.fn for r in md.inline.ruler.__rules__ if r.name in ("link", "image")}
    for name, fn in originals.items():
        md.inline.ruler.at(name, _mark_references(fn))
    return md


def _mark_references(rule: Any) -> Any:
    """Wrap markdown-it's link/image rule to flag reference-style uses (``[t][label]``).

    A link that ends in ``]`` rather than ``)`` was resolved through a definition; knowing
    that from the ordinary parse spares a positional re-parse of every block with links.
    """

    def marked(state: StateInline, silent: bool) -> bool:
        before = len(state.tokens)
        ok: bool = rule(state, silent)
        if ok and not silent and state.src[state.pos - 1] == "]":
            for token in state.tokens[before:]:
                if token.type in ("link_open", "image"):
                    token.meta = {**token.meta, "ref": True}
                    break
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
    from markdown_it.parser_inline import ParserInline

    from .spans import RecordingInline, record_fragments_join

    md = _configure(MarkdownIt("commonmark"))
    recording = RecordingInline()
    # Same rules, same order, as the ordinary inline parser.
    original: ParserInline = md.inline
    recording.ruler = original.ruler
    recording.ruler2 = original.ruler2
    recording.terminator_re = original.terminator_re
    recording.ruler2.at("fragments_join", record_fragments_join)
    md.inline = recording
    return md


def parse(text: str, env: dict[str, Any] | None = None) -> tuple[list[Token], dict[str, Any]]:
    """Parse ``text`` (already newline-normalised) into block tokens; return them and the env."""
    env = {} if env is None else env
    return markdown().parse(text, env), env


def tokenize_inline_recording(content: str, env: dict[str, Any]) -> tuple[list[Token], StateInline]:
    """Tokenize one inline block with positions recorded (see :mod:`briefing_lint.spans`)."""
    from .spans import RecordingInline

    md = span_markdown()
    tokens: list[Token] = []
    inline = md.inline
    assert isinstance(inline, RecordingInline)
    state = inline.parse_state(content, md, env, tokens)
    return state.tokens, state
