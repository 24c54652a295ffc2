"""The cache entry's schema: plain JSON in columns, decoded only into the package's own
value types (the cache folder is untrusted input: see :mod:`briefing_lint.cache`).

Whatever does not fit the schema exactly raises ValueError, TypeError or KeyError, which
the store treats as a miss.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from itertools import repeat
from typing import Any

from .diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span
from .registry import rules_by_code
from .rules.duplicate_item import ItemLink
from .suppressions import FACTS_KEY, CrossFileSuppressions

#: Version of the entry layout below; part of every key, so a new layout never reads an old one.
SCHEMA = 2

_TOP_FIELDS = frozenset({"schema", "key", "diagnostics", "facts", "checks"})


# -- the entry schema ---------------------------------------------------------------------
#
# {"schema": 1, "key": "<the entry's file name>",
#  "diagnostics": [codes, names, starts, ends, messages, severities, kinds, datas, fixes],
#  "facts": {"BL006": [keys, lines, starts, ends, rubric numbers, rubric names] | null}}
#
# Columns, one list per field, rather than an object per diagnostic: a warm run is mostly
# reading entries, and a whole column is checked at C speed (``set(map(type, column))``).
# A fix is null or [applicability, title, [[start, end, replacement], ...]].

_DIAGNOSTIC_COLUMNS = 9


def encode(
    key: str,
    diagnostics: list[Diagnostic],
    facts: dict[str, object],
    checks: tuple[tuple[str, bool], ...] = (),
) -> bytes:
    encoded_facts: dict[str, object] = {}
    for code, value in facts.items():
        codec = _FACT_CODECS.get(code)
        if codec is None:
            raise ValueError(f"no cache schema for the facts of {code}")
        encoded_facts[code] = codec[0](value)
    entry = {
        "schema": SCHEMA,
        "key": key,
        "diagnostics": _columns([_encode_diagnostic(d) for d in diagnostics], _DIAGNOSTIC_COLUMNS),
        "facts": encoded_facts,
        "checks": [[path, existed] for path, existed in checks],
    }
    text = json.dumps(entry, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def _columns(rows: list[tuple[object, ...]], width: int) -> list[list[object]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _encode_diagnostic(d: Diagnostic) -> tuple[object, ...]:
    fix = d.fix
    return (
        d.code,
        d.name,
        d.span.start,
        d.span.end,
        d.message,
        d.severity.value,
        d.kind,
        d.data,
        None
        if fix is None
        else [
            fix.applicability.value,
            fix.title,
            [[e.span.start, e.span.end, e.replacement] for e in fix.edits],
        ],
    )


def decode(
    data: bytes, key: str, size: int
) -> tuple[list[Diagnostic], dict[str, object], tuple[tuple[str, bool], ...]]:
    """The entry's diagnostics, facts and file lookups; ValueError/TypeError/KeyError when
    it is not one of ours, for this key, in this exact layout."""
    entry = json.loads(data)
    if type(entry) is not dict or entry.keys() != _TOP_FIELDS:
        raise ValueError("not a cache entry")
    if entry["schema"] != SCHEMA or entry["key"] != key:
        raise ValueError("another entry")
    raw_facts = entry["facts"]
    if type(raw_facts) is not dict:
        raise ValueError("not a cache entry")
    diagnostics = _decode_diagnostics(entry["diagnostics"], size)
    facts: dict[str, object] = {}
    for code, value in raw_facts.items():
        facts[code] = _FACT_CODECS[code][1](value, size)  # KeyError: not a cross-file rule
    return diagnostics, facts, _decode_checks(entry["checks"])


def _decode_checks(value: Any) -> tuple[tuple[str, bool], ...]:
    """BL004's file lookups: ``[[path, existed], ...]``."""
    if type(value) is not list:
        raise ValueError("not file lookups")
    out = []
    for pair in value:
        if type(pair) is not list or len(pair) != 2:
            raise ValueError("not a file lookup")
        path, existed = pair
        if type(path) is not str or type(existed) is not bool or "\0" in path:
            raise ValueError("not a file lookup")
        out.append((path, existed))
    return tuple(out)


_SEVERITIES = {s.value: s for s in Severity}
_APPLICABILITIES = {a.value: a for a in Applicability}


def _decode_diagnostics(columns: Any, size: int) -> list[Diagnostic]:
    codes, names, starts, ends, messages, severities, kinds, datas, fixes = _checked_columns(
        columns, _DIAGNOSTIC_COLUMNS
    )
    if not codes:
        return []
    if not (
        _only(codes, str)
        and set(codes) <= rules_by_code().keys()
        and _only(names, str)
        and _only(messages, str)
        and _only(kinds, str)
        and _only(datas, dict)
        and _within(starts, ends, size)
    ):
        raise ValueError("not diagnostics of known rules inside the text")
    return list(
        map(
            Diagnostic,
            codes,
            names,
            map(Span, starts, ends),
            messages,
            map(_SEVERITIES.__getitem__, severities),
            [None if fix is None else _decode_fix(fix, size) for fix in fixes],
            kinds,
            datas,
        )
    )


def _checked_columns(value: Any, width: int) -> list[list[Any]]:
    if type(value) is not list or len(value) != width or not _only(value, list):
        raise ValueError("not a table")
    if len(set(map(len, value))) != 1:
        raise ValueError("columns of different lengths")
    return value


def _only(values: list[Any], kind: type) -> bool:
    return set(map(type, values)) <= {kind}  # bool is not int here


def _within(starts: list[Any], ends: list[Any], size: int) -> bool:
    """Every ``[start, end)`` is an ordered pair of offsets into a text of ``size``."""
    return (
        _only(starts, int)
        and _only(ends, int)
        and min(starts, default=0) >= 0
        and max(ends, default=0) <= size
        and all(map(operator.le, starts, ends))
    )


def _decode_fix(fix: Any, size: int) -> Fix:
    if type(fix) is not list or len(fix) != 3:
        raise ValueError("not a fix")
    applicability, title, edits = fix
    if type(title) is not str or type(edits) is not list or not edits:
        raise ValueError("not a fix")
    out: list[Edit] = []
    for edit in edits:
        if type(edit) is not list or len(edit) != 3:
            raise ValueError("not an edit")
        start, end, replacement = edit
        if not (_within([start], [end], size) and type(replacement) is str):
            raise ValueError("not an edit inside the text")
        out.append(Edit(Span(start, end), replacement))
    return Fix(tuple(out), _APPLICABILITIES[applicability], title)


# BL006 keeps the first occurrence of each item link (None when ``across_files`` is off), as
# five columns plus the section names the last one indexes: a file holds dozens of links
# and only a few sections, and whole columns are checked at C speed.


def _encode_item_links(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, tuple) or not all(type(v) is ItemLink for v in value):
        raise TypeError("BL006 facts are a tuple of ItemLink")
    names: dict[str, int] = {}
    rows = [(*v[:4], names.setdefault(v.rubric, len(names)), v.title) for v in value]
    return [*_columns(rows, 6), list(names)]


def _decode_item_links(value: Any, size: int) -> object:
    if value is None:
        return None
    if type(value) is not list or len(value) != 7:
        raise ValueError("not item links")
    *columns, names = value
    keys, lines, starts, ends, rubrics, titles = _checked_columns(columns, 6)
    if not keys:
        return ()
    if not (
        type(names) is list
        and _only(names, str)
        and _only(keys, str)
        and _only(lines, int)
        and min(lines) >= 1
        and _only(rubrics, int)
        and min(rubrics) >= 0
        and max(rubrics) < len(names)
        and _within(starts, ends, size)
        and _only(titles, str)
    ):
        raise ValueError("not item links inside the text")
    rows = zip(
        keys, lines, starts, ends, map(names.__getitem__, rubrics), titles, strict=True,
    )  # fmt: skip
    return tuple(map(tuple.__new__, repeat(ItemLink), rows))  # ItemLink._make, minus a call


def _encode_tag_sites(value: object) -> object:
    if value is None:
        return None
    assert isinstance(value, dict)
    return {str(tag): [str(site) for site in sites] for tag, sites in value.items()}


def _decode_tag_sites(value: Any, size: int) -> object:
    """BL001's campaign tag values and the sites they tag: ``{value: [site, ...]}``."""
    if value is None:
        return None
    if type(value) is not dict or not all(
        type(sites) is list and _only(sites, str) for sites in value.values()
    ):
        raise ValueError("not tag sites")
    return {tag: tuple(sites) for tag, sites in value.items()}


def _encode_suppressions(value: object) -> object:
    if value is None:
        return None
    assert isinstance(value, CrossFileSuppressions)
    covers = [
        [n, start, end, None if codes is None else sorted(codes), sorted(excluded)]
        for n, start, end, codes, excluded in value.covers
    ]
    pending = [[n, list(_encode_diagnostic(d))] for n, d in value.pending]
    return [covers, pending]


def _decode_suppressions(value: Any, size: int) -> object:
    """A file's suppressions for cross-file findings: what they cover, and the BL014
    findings held back until the run is complete."""
    if value is None:
        return None
    if type(value) is not list or len(value) != 2 or not _only(value, list):
        raise ValueError("not suppressions")
    raw_covers, raw_pending = value
    covers = tuple(_decode_cover(cover, size) for cover in raw_covers)
    pending = tuple(_decode_pending(item, size) for item in raw_pending)
    return CrossFileSuppressions(covers, pending)


def _decode_cover(
    cover: Any, size: int
) -> tuple[int, int, int, frozenset[str] | None, frozenset[str]]:
    """``[n, start, end, codes or null, excluded codes]``: one comment's region."""
    if type(cover) is not list or len(cover) != 5:
        raise ValueError("not a suppression")
    n, start, end, codes, excluded = cover
    if not (
        type(n) is int
        and _within([start], [end], size + 1)  # a region may run to just past the end
        and (codes is None or (type(codes) is list and _only(codes, str)))
        and type(excluded) is list
        and _only(excluded, str)
    ):
        raise ValueError("not a suppression")
    return n, start, end, None if codes is None else frozenset(codes), frozenset(excluded)


def _decode_pending(item: Any, size: int) -> tuple[int, Diagnostic]:
    """``[n, diagnostic]``: a BL014 finding held back for comment ``n``."""
    if type(item) is not list or len(item) != 2 or type(item[0]) is not int:
        raise ValueError("not a held-back finding")
    columns = [[cell] for cell in item[1]] if type(item[1]) is list else None
    found = _decode_diagnostics(columns, size)
    if len(found) != 1:
        raise ValueError("not a held-back finding")
    return item[0], found[0]


_FACT_CODECS: dict[str, tuple[Callable[[object], object], Callable[[Any, int], object]]] = {
    "BL001": (_encode_tag_sites, _decode_tag_sites),
    "BL006": (_encode_item_links, _decode_item_links),
    FACTS_KEY: (_encode_suppressions, _decode_suppressions),
}
