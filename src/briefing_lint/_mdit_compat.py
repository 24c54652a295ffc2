"""Every markdown-it-py internal the program patches or subclasses, in one place.

markdown-it-py has no public way to replace one rule's function in place, to swap the link
helpers its rules call, or to subclass the inline parser; :mod:`briefing_lint.parser` and
:mod:`briefing_lint.spans` need all three. Whatever they touch beyond the documented API
(``Ruler.__rules__``, ``MarkdownIt.helpers``, ``ParserInline.terminator_re``,
``StateInline.pushPending``/``append_pending``) is reached through this module, so a new
markdown-it-py release is checked here and nowhere else (the lowest supported version is
tested in CI).

:class:`RecordingInline` runs the same inline rules, in the same order, and notes for every
token the range of ``inline.content`` it was made from: a rule's tokens get
``[pos before, pos after)``; plain text, which markdown-it collects in ``state.pending`` and
flushes only when the next token is pushed, gets the range from where the pending run started
to where the flushing rule started (see :mod:`briefing_lint.spans` for the recorded shape).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt, helpers
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .spans import join_text, record_fragments_join

Rule = Callable[..., bool]

__all__ = [
    "RecordingInline",
    "StateInline",
    "install_recording_inline",
    "set_link_helpers",
    "set_normalize_link",
    "upstream_parse_link_label",
    "wrap_rule",
]


def wrap_rule(ruler: Any, name: str, wrapper: Callable[[Rule], Rule]) -> None:
    """Replace rule ``name`` of ``ruler`` (block or inline) with ``wrapper(original)``.

    The one way the program changes a markdown-it rule: the wrapper receives the rule as
    markdown-it defines it and returns a function of the same signature.
    """
    original = next(rule.fn for rule in ruler.__rules__ if rule.name == name)
    ruler.at(name, wrapper(original))


def set_link_helpers(md: MarkdownIt, *, parse_link_label: Any, parse_link_destination: Any) -> None:
    """Have ``md``'s link and image rules call these helpers (title parsing stays upstream)."""
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=parse_link_label,
        parseLinkDestination=parse_link_destination,
        parseLinkTitle=helpers.parseLinkTitle,
    )


def set_normalize_link(md: MarkdownIt, normalize: Callable[[str], str]) -> None:
    md.normalizeLink = normalize  # type: ignore[method-assign, assignment]


#: markdown-it's own ``parseLinkLabel`` (the program's faster one falls back to it).
upstream_parse_link_label: Callable[..., int] = helpers.parseLinkLabel


def install_recording_inline(md: MarkdownIt) -> None:
    """Give ``md`` a :class:`RecordingInline` running its inline rules, same order."""
    recording = RecordingInline()
    original: ParserInline = md.inline
    recording.ruler = original.ruler
    recording.ruler2 = original.ruler2
    if hasattr(original, "terminator_re"):  # the text rule's stop characters, when cached
        recording.terminator_re = original.terminator_re
    recording.ruler2.at("fragments_join", record_fragments_join)
    md.inline = recording


class RecordingState(StateInline):
    """Inline state that remembers where pending text started and where a rule started."""

    def __init__(self, src: str, md: Any, env: Any, out_tokens: list[Token]) -> None:
        super().__init__(src, md, env, out_tokens)
        self.rule_start = 0
        self.pending_start = 0

    def pushPending(self) -> Token:
        token = super().pushPending()
        start, end = self.pending_start, self.rule_start
        token.meta = {"pos": (start, end), "pieces": [(0, start)]}
        return token

    def add_pending(self, char: str) -> None:
        """One character to the pending text (markdown-it's ``append_pending`` where it has it)."""
        append = getattr(self, "append_pending", None)
        if append is not None:
            append(char)
        else:
            self.pending += char


class RecordingInline(ParserInline):
    """Inline parser that records token positions (see module docstring)."""

    def tokenize(self, state: StateInline) -> None:
        if not isinstance(state, RecordingState):  # pragma: no cover - defensive
            super().tokenize(state)
            return
        saved = (state.rule_start, state.pending_start)
        rules = self.ruler.getRules("")
        end = state.posMax
        max_nesting = state.md.options["maxNesting"]
        tokens = state.tokens
        state.pending_start = state.pos
        while state.pos < end:
            pos = state.pos
            if not state.pending:
                state.pending_start = pos
            state.rule_start = pos
            before = len(tokens)
            ok = False
            if state.level < max_nesting:
                for rule in rules:
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
            if ok:
                _record(tokens, before, pos, state.pos)
                if state.pos >= end:
                    break
                continue
            state.add_pending(state.src[state.pos])
            state.pos += 1
        if state.pending:
            state.rule_start = state.pos
            state.pushPending()
        state.rule_start, state.pending_start = saved

    def parse_state(self, src: str, md: Any, env: Any, tokens: list[Token]) -> StateInline:
        state = RecordingState(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        state.tokens[:] = join_text(state.tokens)
        return state

    def parse(self, src: str, md: Any, env: Any, tokens: list[Token]) -> list[Token]:
        return self.parse_state(src, md, env, tokens).tokens


def _record(tokens: list[Token], before: int, pos: int, after: int) -> None:
    """Positions of the tokens one rule pushed (those not placed already)."""
    for token in tokens[before:]:
        if "pos" not in token.meta:
            token.meta = {"pos": (pos, after)}
            if token.type in ("text", "text_special"):
                # An escape's content starts after its backslash.
                escape = token.type == "text_special" and token.info == "escape"
                token.meta["pieces"] = [(0, pos + 1 if escape else pos)]
