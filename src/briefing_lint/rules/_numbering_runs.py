"""BL003's numbering runs: how a sequence of item numbers splits into runs, and where
each run breaks (numbers only; the rule module turns them into findings and fixes)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

#: A break in a sequence: (position in the run, kind). Kinds: bad-start, duplicate, gap.
_Break = tuple[int, str]
#: A number to report: (position in the run, kind, the number its position calls for, or
#: None when it is reported against the number before it).
_Finding = tuple[int, str, int | None]


class RunPlan(NamedTuple):
    """How one family of markers splits into runs (each numbered from ``start``)."""

    scope: str  # the scope that explains the numbering: "section" or "document"
    runs: list[list[int]]  # indexes into the family, in order
    breaks: int  # breaks left after every explanation


def run_breaks(values: Sequence[int], start: int) -> list[_Break]:
    """Breaks of one run: a first number other than ``start``, repeats and gaps (a run of
    repeats or a jump is one break, at its first number)."""
    out: list[_Break] = []
    for pos, value in enumerate(values):
        if pos == 0:
            if value != start:
                out.append((0, "bad-start"))
        elif value == values[pos - 1]:
            out.append((pos, "duplicate"))
        elif value != values[pos - 1] + 1:
            out.append((pos, "gap"))
    return out


def run_findings(values: Sequence[int], start: int) -> list[_Finding]:
    """What to report in one run: its breaks, or the numbers that differ from their
    position (``start`` + index) when those are fewer.

    One slip breaks the chain twice: ``1 3 3`` (a 2 mistyped) is a gap and a repeat, ``4 5
    7 6 8`` (two swapped) three gaps; by position each is the one or two wrong numbers.
    A dropped item (``1 2 4 5 6``) is one break but three numbers off: one finding, at
    the 4. On a tie the breaks are kept, unless one of them asks for a number taken from a
    wrong neighbour: ``5 7 6`` at the end of a run would say "6 should be 8 (follows 7)".
    """
    chain = run_breaks(values, start)
    off = [pos for pos, value in enumerate(values) if value != start + pos]
    misled = any(kind == "gap" and values[pos - 1] + 1 != start + pos for pos, kind in chain)
    if len(off) > len(chain) or (len(off) == len(chain) and not misled):
        return [(pos, kind, None) for pos, kind in chain]
    out: list[_Finding] = []
    for pos in off:
        kind = "bad-start" if pos == 0 else "duplicate" if values[pos] == values[pos - 1] else "gap"
        out.append((pos, kind, start + pos))
    return out


def _split(
    values: Sequence[int],
    keys: Sequence[Hashable],
    scope: str,
    start: int,
    explain: bool,
    bases: Mapping[int, int],
) -> list[list[int]]:
    """Runs under ``scope``; with ``explain``, a section boundary also follows the other
    scope where that fits the numbers: a section that continues the previous section's
    numbering stays in its run, one that starts again at ``start`` opens a new run."""
    runs: list[list[int]] = []
    for k, value in enumerate(values):
        if k == 0:
            runs.append([k])
            continue
        new_section = keys[k] != keys[k - 1]
        if not new_section:
            runs[-1].append(k)
            continue
        continues = value == values[k - 1] + 1
        restarts = (value == start or k in bases) and not continues
        # Under section scope every section restarts unless it continues (explained);
        # under document scope none does unless it starts again at ``start`` (explained).
        split = not (explain and continues) if scope == "section" else explain and restarts
        if split:
            runs.append([k])
        else:
            runs[-1].append(k)
    return runs


def _count(
    values: Sequence[int], runs: Sequence[Sequence[int]], start: int, bases: Mapping[int, int]
) -> int:
    return sum(len(run_breaks([values[k] for k in run], bases.get(run[0], start))) for run in runs)


def plan_runs(
    values: Sequence[int],
    keys: Sequence[Hashable],
    scope: str,
    start: int,
    bases: Mapping[int, int] | None = None,
) -> RunPlan:
    """Split a family's numbers into runs under ``scope`` (``auto``: the scope with the
    fewest breaks, and a section boundary the other scope explains is no break).

    ``bases``: family indexes whose number continues another numbering of their section
    (see :func:`_continued`); a run that starts there starts at that number."""
    bases = bases or {}
    if scope in ("section", "document"):
        runs = _split(values, keys, scope, start, False, bases)
        return RunPlan(scope, runs, _count(values, runs, start, bases))
    by_section = _count(values, _split(values, keys, "section", start, False, bases), start, bases)
    by_document = _count(
        values, _split(values, keys, "document", start, False, bases), start, bases
    )
    if by_document != by_section:
        chosen = "document" if by_document < by_section else "section"
    else:
        # A tie: sections that run on from the previous one (``1 2 3 | 4 5 | 7``) say
        # document; sections that start again, or no evidence (``1 2 3 | 5 6``), say
        # section, the reading that reports where the odd section starts.
        boundaries = [k for k in range(1, len(values)) if keys[k] != keys[k - 1]]
        runs_on = sum(1 for k in boundaries if values[k] == values[k - 1] + 1)
        starts_again = sum(1 for k in boundaries if values[k] == start or k in bases)
        restarts = runs_on <= starts_again
        chosen = "section" if restarts else "document"
    runs = _split(values, keys, chosen, start, True, bases)
    return RunPlan(chosen, runs, _count(values, runs, start, bases))
