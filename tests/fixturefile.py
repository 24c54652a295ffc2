"""Sectioned rule fixture files: ``tests/fixtures/rules/<CODE>.txt``.

A file is a list of cases::

    @@@ case: short title
    @@@ options
    rules: {BL001: {some_option: true}}        (optional; a config mapping in YAML)
    @@@ input
    ...markdown...
    @@@ diagnostics
    1:3-1:9 BL010 [fix] link text has leading whitespace
    @@@ output
    ...text after --fix (safe fixes), or the single line (unchanged)...
    @@@ unsafe-output                            (optional: text after --fix --unsafe-fixes)
    ...

Diagnostic lines are ``L:C-L:C CODE [fix|unsafe-fix|display-fix] message`` (the bracket part
only when the diagnostic has a fix). Input ends at the next ``@@@`` line; the final newline
of a section belongs to the text. ``\\r`` in CRLF fixtures is kept byte for byte, so CRLF cases
can live in their own files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MARK = "@@@ "
_CASE = re.compile(r"^@@@ case: (.*?)\r?$")
_SECTION = re.compile(r"^@@@ (options|input|diagnostics|output|unsafe-output)\r?$")

UNCHANGED = "(unchanged)"


@dataclass
class Case:
    title: str
    sections: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def input(self) -> str:
        return self.sections["input"]


def parse(path: Path) -> list[Case]:
    text = path.read_bytes().decode("utf-8")
    cases: list[Case] = []
    current: Case | None = None
    section: str | None = None
    buf: list[str] = []

    def flush() -> None:
        if current is not None and section is not None:
            current.sections[section] = "".join(buf)

    for number, line in enumerate(text.splitlines(keepends=True), 1):
        m = _CASE.match(line)
        s = _SECTION.match(line)
        if m:
            flush()
            current = Case(m.group(1).strip(), line=number)
            cases.append(current)
            section, buf = None, []
        elif s:
            flush()
            if current is None:
                raise ValueError(f"{path}:{number}: section before any case")
            section, buf = s.group(1), []
        elif section is not None:
            buf.append(line)
        elif line.strip():
            raise ValueError(f"{path}:{number}: text outside a section")
    flush()
    return cases


def render(cases: list[Case]) -> str:
    out: list[str] = []
    for case in cases:
        out.append(f"@@@ case: {case.title}\n")
        for name in ("options", "input", "diagnostics", "output", "unsafe-output"):
            if name in case.sections:
                out.append(f"@@@ {name}\n")
                body = case.sections[name]
                out.append(body)
                if body and not body.endswith("\n"):
                    out.append("\n")
    return "".join(out)
