"""Offsets into a ``str`` (code points, as every span in the project) to LSP positions and back.

The protocol counts a line's characters in UTF-16 code units unless the client and server
agreed on ``utf-8`` (bytes) or ``utf-32`` (code points) at initialisation. An astral
character (most emoji) is one code point, two UTF-16 units and four UTF-8 bytes; a CJK
character is one code point, one UTF-16 unit and three UTF-8 bytes. Lines end at ``\\n``,
``\\r\\n`` or a lone ``\\r``, as the protocol says. This module is the one place that converts.
"""

from __future__ import annotations

import bisect
import re

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)

_LINE_END = re.compile(r"\r\n|\r|\n")


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding``."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        # Astral characters take two units; a lone surrogate (from a badly decoded file)
        # is one unit, as it would be in the editor's own UTF-16 string.
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    raise ValueError(f"unknown position encoding {encoding!r}")


def _width(ch: str, encoding: str) -> int:
    if encoding == UTF32:
        return 1
    code = ord(ch)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


class LineIndex:
    """Line starts of one text: offset <-> (line, character) in any position encoding."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown position encoding {encoding!r}")
        self.text = text
        self.encoding = encoding
        self._starts = [0]
        #: Offset where each line's content ends (before its line ending).
        self._ends: list[int] = []
        for m in _LINE_END.finditer(text):
            self._ends.append(m.start())
            self._starts.append(m.end())
        self._ends.append(len(text))

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        """``(line, character)`` of a code-point offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        # An offset between the \r and \n of a CRLF is not a place in the protocol: it is
        # the end of the line's content.
        return line, units(self.text[start : min(offset, self._ends[line])], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """Code-point offset of a position; past the end of a line means its end (as the
        protocol asks), inside an astral character or a UTF-8 sequence means its start."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.text)
        start, end = self._starts[line], self._ends[line]
        if character <= 0:
            return start
        segment = self.text[start:end]
        if segment.isascii() or self.encoding == UTF32:
            return start + min(character, len(segment))
        count = 0
        for i, ch in enumerate(segment):
            count += _width(ch, self.encoding)
            if count > character:
                return start + i
        return end
