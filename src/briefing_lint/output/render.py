"""Write a run's diagnostics in the chosen format."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from ..document import LineIndex, split_bom
from ..engine import RunResult
from . import Display, Located, as_json, finding_line, locate, statistics_lines, summary_lines


def located(result: RunResult) -> list[Located]:
    """Diagnostics of every file with display positions, in file then position order."""
    items: list[Located] = []
    for file in result:
        if file.error or not file.diagnostics:
            continue
        text = file.fixed_text if file.fixed_text is not None else file.text
        lines = LineIndex(split_bom(text)[0])
        path = str(file.path)
        items.extend(locate(path, lines, d) for d in file.diagnostics)
    return items


def render(fmt: str, result: RunResult, out: TextIO, display: Display | None = None) -> None:
    """Write the findings in ``fmt``. Paths that could not be read are in the human
    formats' summary, SARIF's ``toolExecutionNotifications``, and for JSON, JSON lines and
    GitHub on stderr (the caller's): their output stays a plain list of findings."""
    display = display or Display()
    items = located(result)
    if fmt == "json":
        write_json_list(items, out)
    elif fmt == "json-lines":
        for item in items:
            out.write(json.dumps(as_json(item), ensure_ascii=False) + "\n")
    elif fmt == "concise":
        if display.statistics:
            for line in statistics_lines(items):
                out.write(line + "\n")
        else:
            for item in items:
                out.write(finding_line(item) + "\n")
        if display.show_fixes:
            from .text import fixes_lines

            for line in fixes_lines(result):
                out.write(line + "\n")
        if not display.quiet:
            for line in summary_lines(items, result):
                out.write(line + "\n")
    elif fmt == "github":
        for item in items:
            out.write(github_line(item) + "\n")
    elif fmt == "sarif":
        from .sarif import sarif_document

        doc = sarif_document(items, list(result.input_errors))
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        from .text import write_text

        write_text(items, result, out, display)


def write_json_list(items: Sequence[Located], out: TextIO) -> None:
    """The same text as ``json.dumps(list, indent=2)``, written item by item: a large
    archive's findings never sit in memory twice as one huge string."""
    if not items:
        out.write("[]\n")
        return
    out.write("[")
    for i, item in enumerate(items):
        out.write(",\n  " if i else "\n  ")
        out.write(indented_json(as_json(item), "  "))
    out.write("\n]\n")


_encode_string = json.encoder.encode_basestring


def indented_json(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` with every line after the first
    prefixed by ``indent``: the standard library's indenting encoder is pure Python and was
    most of the time spent writing a large archive's findings."""
    kind = type(value)
    if kind is str:
        return str(_encode_string(value))
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        lines = []
        for k, v in value.items():
            # Strings, integers and null inline: most values, and a call each adds up.
            vkind = type(v)
            if vkind is str:
                text = _encode_string(v)
            elif vkind is int:
                text = int.__repr__(v)
            elif v is None:
                text = "null"
            else:
                text = indented_json(v, inner)
            lines.append(f"{inner}{_encode_string(str(k))}: {text}")
        return "{\n" + ",\n".join(lines) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        body = ",\n".join(inner + indented_json(v, inner) for v in value)
        return "[\n" + body + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def _escape_github(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_line(item: Located) -> str:
    d = item.diagnostic
    level = {"error": "error", "warning": "warning", "info": "notice"}[d.severity.value]
    props = (
        f"file={_escape_github(item.path, True)},line={item.line},col={item.column},"
        f"endLine={item.end_line},endColumn={item.end_column},"
        f"title={_escape_github(d.code + ' ' + d.name, True)}"
    )
    return f"::{level} {props}::{_escape_github(d.message)}"
