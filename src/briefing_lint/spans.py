"""Where inline tokens come from: their ranges in the inline content.

markdown-it gives inline tokens no positions. :func:`align` places a block's children by
walking them along its content; the blocks it cannot place are re-tokenized by
:class:`briefing_lint._mdit_compat.RecordingInline`, which notes for every token the range
of ``inline.content`` it was made from. Both give the same shape: each token carries
``meta["pos"] = (start, end)`` (content offsets) and text tokens ``meta["pieces"]``:
``[(content_index, content_offset), ...]``, so that a character of the token's ``content``
can be traced back even after escapes (``\\]`` is two source characters and one content
character) and merges of adjacent text tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it.rules_inline import StateInline

Pieces = list[tuple[int, int]]


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


# -- positions without re-tokenizing --------------------------------------------------------

Pos = tuple[int, int]
Placed = list[tuple[Pos, Pieces | None]]

#: Text that the recording tokenizer places differently from a verbatim copy: an escape's
#: backslash, and the characters of a delimiter run left as text (each recorded at the run).
_UNEVEN_TEXT = ("\\", "**", "__", "~~")
_EMPHASIS = frozenset({"em_open", "em_close", "strong_open", "strong_close"})


class _Misplaced(Exception):
    """A child this walk does not place exactly: the block is re-tokenized instead."""


def align(content: str, children: list[Token]) -> Placed | None:
    """Positions of ``children`` in ``content`` as the recording tokenizer records them
    (``(pos, pieces)`` per child), found by walking the children along the content; None
    when a child is of a kind or shape the walk does not place exactly.

    Link and image tokens carry their range from the ordinary parse (``meta["pos"]``, see
    :mod:`briefing_lint.parser`); text is placed where it is found verbatim, and every
    token must start where the one before it ended, so a misplaced token is caught.
    """
    walk = _Walk(content, children)
    try:
        for i, token in enumerate(children):
            walk.place(i, token)
        walk.finish()
    except _Misplaced:
        return None
    return walk.out


class _Walk:
    """The state of :func:`align`: a cursor in the content and the open links."""

    def __init__(self, content: str, children: list[Token]) -> None:
        self.content = content
        self.children = children
        self.out: Placed = []
        self.links: list[Pos] = []  # ranges of the open links (and autolinks)
        self.cursor = 0
        #: Start of the ``""`` text a ``**`` closer leaves, merged into the next text child.
        self.carry: int | None = None

    def place(self, i: int, token: Token) -> None:
        ttype = token.type
        if self.carry is not None and ttype != "text":
            raise _Misplaced
        if ttype == "text":
            self.text(i, token)
        elif ttype in ("softbreak", "hardbreak"):
            self.leaf(_break(self.content, self.cursor, ttype == "hardbreak"))
        elif ttype == "link_open":
            pos = _link_range(self.content, self.cursor, token)
            if pos is None:
                raise _Misplaced
            self.links.append(pos)
            self.out.append((pos, None))
            self.cursor = pos[0] + 1
        elif ttype == "link_close":
            self.link_close(token)
        elif ttype in _EMPHASIS:
            self.emphasis(token)
        elif ttype in ("image", "code_inline", "html_inline"):
            self.leaf(_leaf(self.content, self.cursor, token))
        else:  # strikethrough (which reorders its tokens) and plugin tokens
            raise _Misplaced

    def leaf(self, pos: Pos | None) -> None:
        if pos is None:
            raise _Misplaced
        self.out.append((pos, None))
        self.cursor = pos[1]

    def text(self, i: int, token: Token) -> None:
        content, cursor, text = self.content, self.cursor, token.content
        previous = self.children[i - 1] if i else None
        if previous is not None and previous.type == "link_open" and previous.markup == "autolink":
            # An autolink's text is recorded over the whole ``<…>``.
            whole = self.links[-1]
            self.out.append((whole, [(0, whole[0])]))
            self.cursor = whole[1] - 1
            return
        if any(mark in text for mark in _UNEVEN_TEXT) or not content.startswith(text, cursor):
            raise _Misplaced
        following = self.children[i + 1] if i + 1 < len(self.children) else None
        # Empty text is a ``**`` pair's leftover, never pending text ended by a line break.
        end = _text_end(content, cursor + len(text), following) if text else cursor
        start = cursor if self.carry is None else self.carry
        self.carry = None
        # Text left empty by a ``**`` closer is recorded where that closer starts.
        self.out.append(((start, end), [(0, cursor if text else start)]))
        self.cursor = end

    def link_close(self, token: Token) -> None:
        if not self.links:
            raise _Misplaced
        pos = self.links.pop()
        closer = ">" if token.markup == "autolink" else "]"
        if not self.content.startswith(closer, self.cursor):
            raise _Misplaced
        self.out.append((pos, None))
        self.cursor = pos[1]

    def emphasis(self, token: Token) -> None:
        """``*`` / ``_`` emphasis and ``**`` / ``__`` strong whose delimiter run is exactly
        the markup: each delimiter character was a text token recorded over the whole run;
        of a ``**`` pair, one is left as ``""`` text, merged into the text beside it."""
        content, start, marker = self.content, self.cursor, token.markup
        end = start + len(marker)
        if (
            marker not in ("*", "_", "**", "__")
            or not content.startswith(marker, start)
            or content[end : end + 1] == marker[0]
        ):
            raise _Misplaced
        if token.type == "strong_open":
            # The run's first character is the ``""`` text child just before.
            if not self.out or self.children[len(self.out) - 1].type != "text":
                raise _Misplaced
            (first, last), pieces = self.out[-1]
            if last != start or (start and content[start - 1] == marker[0]):
                raise _Misplaced
            self.out[-1] = ((first, end), pieces)
        elif start and content[start - 1] == marker[0]:
            raise _Misplaced
        if token.type == "strong_close":
            self.carry = start
        self.out.append(((start, end), [(0, start)]))
        self.cursor = end

    def finish(self) -> None:
        if self.links or self.carry is not None or self.cursor != len(self.content):
            raise _Misplaced


def _text_end(content: str, after: int, following: Token | None) -> int:
    """Where a text token's recorded range ends: where the next rule started (a line break's
    ``\\n`` or ``\\``, past spaces the break trimmed), else right after the text."""
    if following is None or following.type not in ("softbreak", "hardbreak"):
        return after
    end = after
    while content.startswith(" ", end):
        end += 1
    if content.startswith("\n", end):
        return end
    if end == after and following.type == "hardbreak" and content.startswith("\\\n", end):
        return end
    raise _Misplaced


def _break(content: str, cursor: int, hard: bool) -> Pos | None:
    start = cursor
    while content.startswith(" ", start):
        start += 1
    if content.startswith("\n", start):
        end = start + 1
    elif hard and start == cursor and content.startswith("\\\n", start):
        end = start + 2
    else:
        return None
    while end < len(content) and content[end] in " \t":
        end += 1
    return start, end


def _link_range(content: str, cursor: int, token: Token) -> Pos | None:
    if token.markup == "autolink":
        if not content.startswith("<", cursor):
            return None
        close = content.find(">", cursor)
        return None if close < 0 else (cursor, close + 1)
    pos: Pos | None = token.meta.get("pos")
    return pos if pos is not None and pos[0] == cursor else None


def _leaf(content: str, cursor: int, token: Token) -> Pos | None:
    """Range of an image, inline code or inline HTML token starting at ``cursor``."""
    if token.type == "image":
        found: Pos | None = token.meta.get("pos")
        return found if found is not None and found[0] == cursor else None
    if token.type == "html_inline":
        raw = token.content
        return (cursor, cursor + len(raw)) if raw and content.startswith(raw, cursor) else None
    marker = token.markup  # code_inline: the first run of as many backticks closes it
    if not marker or not content.startswith(marker, cursor):
        return None
    pos = cursor + len(marker)
    if content.startswith("`", pos):
        return None
    while (start := content.find(marker, pos)) >= 0:
        end = start + len(marker)
        while content.startswith("`", end):
            end += 1
        if end - start == len(marker):
            return cursor, end
        pos = end
    return None
