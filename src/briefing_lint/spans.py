"""Where inline tokens come from: positions recorded while markdown-it tokenizes.

markdown-it gives inline tokens no positions. :class:`RecordingInline` runs the same inline
rules, in the same order, and notes for every token the range of ``inline.content`` it was
made from: a rule's tokens get ``[pos before, pos after)``; plain text, which markdown-it
collects in ``state.pending`` and flushes only when the next token is pushed, gets the range
from where the pending run started to where the flushing rule started.

Each recorded token carries ``meta["pos"] = (start, end)`` (content offsets) and text tokens
``meta["pieces"]``: ``[(content_index, content_offset), ...]``, so that a character of the
token's ``content`` can be traced back even after escapes (``\\]`` is two source characters and
one content character) and merges of adjacent text tokens.
"""

from __future__ import annotations

from typing import Any

from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

Pieces = list[tuple[int, int]]


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
                for token in tokens[before:]:
                    if "pos" not in token.meta:
                        token.meta = {"pos": (pos, state.pos)}
                        if token.type in ("text", "text_special"):
                            token.meta["pieces"] = [(0, _content_start(token, pos))]
                if state.pos >= end:
                    break
                continue
            state.append_pending(state.src[state.pos])
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


def _content_start(token: Token, pos: int) -> int:
    """Where a text token's content starts: after the backslash of an escape."""
    if token.type == "text_special" and token.info == "escape":
        return pos + 1
    return pos


def _merge(tokens: list[Token]) -> Token:
    first = tokens[0]
    pieces: Pieces = []
    content_parts: list[str] = []
    length = 0
    for token in tokens:
        for index, offset in token.meta.get("pieces", [(0, token.meta["pos"][0])]):
            pieces.append((length + index, offset))
        content_parts.append(token.content)
        length += len(token.content)
    first.content = "".join(content_parts)
    first.type = "text"
    first.meta = {"pos": (first.meta["pos"][0], tokens[-1].meta["pos"][1]), "pieces": pieces}
    return first


def join_text(tokens: list[Token]) -> list[Token]:
    """markdown-it's ``text_join``, keeping positions: text_special becomes text, runs merge."""
    for token in tokens:
        if token.type == "text_special":
            token.type = "text"
    return _merge_runs(tokens)


def _merge_runs(tokens: list[Token]) -> list[Token]:
    """Adjacent text tokens merged into one (positions and pieces kept)."""
    out: list[Token] = []
    run: list[Token] = []
    for token in tokens:
        if token.type == "text":
            run.append(token)
            continue
        if run:
            out.append(_merge(run) if len(run) > 1 else run[0])
            run = []
        out.append(token)
    if run:
        out.append(_merge(run) if len(run) > 1 else run[0])
    return out


def record_fragments_join(state: StateInline) -> None:
    """markdown-it's ``fragments_join`` (after emphasis), keeping positions of merged text."""
    level = 0
    for token in state.tokens:
        if token.nesting < 0:
            level -= 1
        token.level = level
        if token.nesting > 0:
            level += 1
    state.tokens[:] = _merge_runs(state.tokens)


def content_offset(token: Token, index: int) -> int:
    """Content offset (into ``inline.content``) of character ``index`` of a text token."""
    pieces: Pieces = token.meta.get("pieces") or [(0, token.meta["pos"][0])]
    chosen = pieces[0]
    for piece in pieces:
        if piece[0] > index:
            break
        chosen = piece
    return chosen[1] + (index - chosen[0])
