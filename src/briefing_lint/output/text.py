"""Human output: one header per finding, one code frame per source line, a summary.

``path:line:col: CODE severity [*] message`` says everything without colour (pre-commit
logs, CI, pipes). The frame under it shows at most the output width, measured in terminal
cells (CJK and most emoji take two): a briefing line holding a 700-character WeChat link is
cut around the findings, with ``…`` where it was cut, and every finding on the line is
marked under the part that is shown. Width: ``COLUMNS`` when set, else the terminal's,
else 100. Colour only on a terminal (rich decides, ``FORCE_COLOR`` forces it); with
``NO_COLOR`` set no escape code at all is written, not even bold or dim.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from ..engine import RunResult
from . import Display, Located, finding_line, statistics_lines, summary_lines, visible

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_RANK = {"info": 0, "warning": 1, "error": 2}
#: The width of a pipe or a log, where no terminal says how wide it is.
DEFAULT_WIDTH = 100
#: Below this the frame would show too little to be useful; lines are then allowed wider.
MIN_WIDTH = 40
_GUTTER = 5  # digits of the line number column
ELLIPSIS = "…"


Styles = Sequence[tuple[int, int, str]]


def output_width(terminal_width: int | None) -> int:
    """``COLUMNS`` if set, the terminal's width on a terminal, else :data:`DEFAULT_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    elif terminal_width is not None:
        width = terminal_width
    else:
        width = DEFAULT_WIDTH
    return max(width, MIN_WIDTH)


def is_terminal(out: TextIO) -> bool:
    """What rich would decide (``TTY_COMPATIBLE``, ``FORCE_COLOR``, then ``isatty``): only a
    terminal needs rich, for colour and width; elsewhere lines are written as they are."""
    tty = os.environ.get("TTY_COMPATIBLE", "")
    if tty in ("0", "1"):
        return tty == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


class _Plain:
    """Lines as they are: a pipe, a file or a CI log (no colour, no terminal width)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.width = output_width(None)

    def line(self, text: str, styles: Styles = ()) -> None:
        self.out.write(text + "\n")


class _Rich:
    """A terminal: styled lines through rich (imported only here: start-up time)."""

    def __init__(self, out: TextIO) -> None:
        self.console = make_console(out)
        self.width = output_width(self.console.width if self.console.is_terminal else None)

    def line(self, text: str, styles: Styles = ()) -> None:
        from rich.text import Text

        row = Text(text)
        for start, end, style in styles:
            row.stylize(style, start, end)
        self.console.print(row)


def make_console(out: TextIO) -> Console:
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=out,
        soft_wrap=True,
        highlight=False,
        emoji=False,
        markup=False,
        color_system=None if no_color else "auto",
    )


def write_text(
    items: Sequence[Located],
    result: RunResult,
    out: TextIO,
    display: Display,
    *,
    frames: bool = True,
) -> None:
    """The full format (``frames``) or the concise one (headers only), then the summary."""
    writer: _Plain | _Rich = _Rich(out) if is_terminal(out) else _Plain(out)
    width = writer.width
    if not display.statistics:
        group: list[Located] = []
        for item in items:
            if group and (item.path, item.line) != (group[0].path, group[0].line):
                _write_group(writer, group, width, frames)
                group = []
            group.append(item)
        if group:
            _write_group(writer, group, width, frames)
    else:
        for line in statistics_lines(items):
            writer.line(line)
    if display.show_fixes:
        for line in fixes_lines(result):
            for part in wrap(line, width, indent=4):
                writer.line(part)
    if display.quiet:
        return
    for line in summary_lines(items, result):
        for part in wrap(line, width):
            writer.line(part)


def fixes_lines(result: RunResult) -> list[str]:
    """``Fixed 3 in x.md: 2 × BL001 tracking-params, 1 × BL010 link-text-whitespace``."""
    from ..registry import rules_by_code

    by_code = rules_by_code()
    lines = []
    for outcome in result:
        if not outcome.applied:
            continue
        parts = []
        for code, n in sorted(outcome.fixed_codes.items()):
            rule = by_code.get(code)
            name = f" {rule.meta().name}" if rule is not None else ""
            parts.append(f"{n} × {code}{name}")
        detail = f": {', '.join(parts)}" if parts else ""
        lines.append(f"Fixed {outcome.applied} in {visible(str(outcome.path))}{detail}")
    return lines


def help_line(item: Located) -> str:
    """What to do and where the rule is explained (``briefing-lint rule CODE``)."""
    d = item.diagnostic
    see = f"see `briefing-lint rule {d.code}`"
    if d.fix is None or not d.fix.title:
        return f"help: {see}"
    title = visible(d.fix.title)
    if d.fix.applicability.value == "unsafe":
        title += " (unsafe: `--fix --unsafe-fixes`)"
    elif d.fix.applicability.value == "display":
        title += " (by hand)"
    return f"help: {title}; {see}"


def _write_group(
    writer: _Plain | _Rich, group: Sequence[Located], width: int, frames: bool
) -> None:
    for item in group:
        sev = item.diagnostic.severity.value
        lines = wrap(finding_line(item), width, indent=4)
        code = item.diagnostic.code
        at = lines[0].find(f": {code} {sev}")
        # colour the code and severity where they stand
        styles = [(at + 2, at + 3 + len(code) + len(sev), _STYLE[sev])] if at >= 0 else []
        writer.line(lines[0], styles)
        for rest in lines[1:]:
            writer.line(rest)
    if not frames:
        return
    for (gutter, body), marks in code_frame(group, width):
        writer.line(
            gutter + body, [(0, len(gutter), "dim")] + [(a, b, _STYLE[s]) for a, b, s in marks]
        )
    seen: set[str] = set()
    for item in group:
        line = help_line(item)
        if line in seen:
            continue
        seen.add(line)
        parts = wrap(line, width, indent=8, first_indent=6)
        if len(parts) > 1 and "; see `" in line:  # the pointer on a line of its own
            head, see = line.rsplit("; ", 1)
            parts = wrap(head, width, indent=8, first_indent=6)
            parts += wrap(see, width, indent=8, first_indent=8)
        for part in parts:
            writer.line(part)


@dataclass(frozen=True)
class _Mark:
    start: int  # piece index
    end: int
    severity: str


def code_frame(
    group: Sequence[Located], width: int
) -> list[tuple[tuple[str, str], list[tuple[int, int, str]]]]:
    """The source line of ``group`` (findings on one line) and a marker line under it.

    Each row is ``((gutter, body), [(start, end, severity)...])`` with the styled ranges as
    character offsets into ``gutter + body``. Empty when the line is blank.
    """
    first = group[0]
    source = first.source_line
    if not source.strip():
        return []
    pieces = [_piece(ch) for ch in source]
    marks = _marks(group, len(pieces))
    if any(m.end > len(pieces) for m in marks):
        pieces.append(" ")  # an insertion point at the end of the line
    widths = [_cells(p) for p in pieces]
    gutter = f"{first.line:>{_GUTTER}} | "
    blank = " " * _GUTTER + " | "
    avail = max(width - len(gutter), 10)
    a, b = _window(widths, min(m.start for m in marks), max(m.end for m in marks), avail)
    left = ELLIPSIS if a > 0 else ""
    right = ELLIPSIS if b < len(pieces) else ""
    body = left + "".join(pieces[a:b]) + right
    body = body.rstrip() if not right else body
    marker, styles = _marker(_severity_at(marks, len(pieces)), widths, a, b, len(blank) + len(left))
    rows: list[tuple[tuple[str, str], list[tuple[int, int, str]]]] = [((gutter, body), [])]
    if marker.strip():
        rows.append(((blank, " " * len(left) + marker.rstrip()), styles))
    return rows


def _marks(group: Sequence[Located], n: int) -> list[_Mark]:
    """Each finding's range of pieces on its first line (to the end when it goes on)."""
    marks = []
    for item in group:
        start = item.column - 1
        end = item.end_column - 1 if item.end_line == item.line else n
        end = min(max(end, start + 1), n + 1)
        marks.append(_Mark(start, end, item.diagnostic.severity.value))
    return marks


def _severity_at(marks: Sequence[_Mark], n: int) -> list[str | None]:
    """The worst severity marking each piece."""
    out: list[str | None] = [None] * n
    for m in marks:
        for i in range(m.start, min(m.end, n)):
            held = out[i]
            if held is None or _RANK[m.severity] > _RANK[held]:
                out[i] = m.severity
    return out


def _marker(
    severity_at: Sequence[str | None], widths: Sequence[int], a: int, b: int, offset: int
) -> tuple[str, list[tuple[int, int, str]]]:
    """The ``^^^`` line under pieces ``[a, b)`` and its styled ranges (from ``offset``)."""
    marker = ""
    styles: list[tuple[int, int, str]] = []
    for i in range(a, b):
        sev = severity_at[i]
        if sev is None:
            marker += " " * widths[i]
            continue
        pos = offset + len(marker)
        marker += "^" * widths[i]
        if styles and styles[-1][1] == pos and styles[-1][2] == sev:
            styles[-1] = (styles[-1][0], pos + widths[i], sev)
        else:
            styles.append((pos, pos + widths[i], sev))
    return marker, styles


def _piece(ch: str) -> str:
    """How one source character is shown: tabs as a space, controls as escapes."""
    return " " if ch == "\t" else visible(ch)


def _window(widths: Sequence[int], focus_start: int, focus_end: int, avail: int) -> tuple[int, int]:
    """Pieces ``[a, b)`` to show in ``avail`` cells, ``…`` included where cut.

    The findings' range is centred when it fits; when it does not, it is shown from its
    start with a little context before it.
    """
    n = len(widths)
    if sum(widths) <= avail:
        return 0, n
    focus = sum(widths[focus_start:focus_end])
    lead = (avail - 2 - focus) // 2 if focus + 2 <= avail else min(8, avail // 4)
    a, used = focus_start, 0
    while a > 0 and used + widths[a - 1] <= lead:
        a -= 1
        used += widths[a]
    b, cells = a, 0
    while b < n and cells + widths[b] + (a > 0) + (b + 1 < n) <= avail:
        cells += widths[b]
        b += 1
    while a > 0 and cells + widths[a - 1] + (a - 1 > 0) + (b < n) <= avail:
        a -= 1
        cells += widths[a]
    return a, max(b, min(a + 1, n))


def wrap(text: str, width: int, *, indent: int = 2, first_indent: int = 0) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at spaces where it can be
    (a word wider than a line is cut), continuation lines indented by ``indent``."""
    if first_indent + _cells(text) <= width:
        return [" " * first_indent + text]
    lines: list[str] = []
    line = " " * first_indent
    room = width
    start_len = len(line)
    for word in text.split(" "):
        sep = "" if len(line) == start_len else " "
        if _cells(line) + len(sep) + _cells(word) <= room:
            line += sep + word
            continue
        if len(line) > start_len:
            lines.append(line)
            line = " " * indent
            start_len = len(line)
        while _cells(line) + _cells(word) > room:
            cut = _fit(word, room - _cells(line))
            if cut == 0:
                break
            lines.append(line + word[:cut])
            word = word[cut:]
            line = " " * indent
        line += word
    if line.strip():
        lines.append(line)
    return lines


def _cells(text: str) -> int:
    """Terminal cells of ``text``; printable ASCII without rich (start-up time)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len

    return int(cell_len(text))


def _fit(word: str, cells: int) -> int:
    """How many leading characters of ``word`` fit in ``cells``."""
    used = 0
    for i, ch in enumerate(word):
        used += _cells(ch)
        if used > cells:
            return i
    return len(word)
