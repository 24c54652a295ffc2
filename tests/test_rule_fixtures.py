"""Runs every case of every ``tests/fixtures/rules/<CODE>.txt`` (see ``fixturefile.py``).

Each case also checks, without saying so: fixing twice changes nothing more, and no
applicable fix is left after fixing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.diagnostics import Applicability, Diagnostic
from briefing_lint.document import LineIndex, split_bom
from briefing_lint.fixer import applicable

from . import fixturefile

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
FILES = sorted(FIXTURES.glob("*.txt"))


def describe(text: str, diagnostics: list[Diagnostic]) -> str:
    lines = LineIndex(split_bom(text)[0])
    out = []
    for d in diagnostics:
        l1, c1 = lines.position(d.span.start)
        l2, c2 = lines.position(d.span.end)
        tag = ""
        if d.fix is not None:
            tag = {
                Applicability.SAFE: " [fix]",
                Applicability.UNSAFE: " [unsafe-fix]",
                Applicability.DISPLAY: " [display-fix]",
            }[d.fix.applicability]
        out.append(f"{l1}:{c1}-{l2}:{c2} {d.code}{tag} {d.message}\n")
    return "".join(out)


def config_for(code: str, case: fixturefile.Case) -> Config:
    data: dict[str, Any] = {"select": [code]}
    if "options" in case.sections:
        data.update(yaml.safe_load(case.sections["options"]) or {})
    return Config.from_dict(data, source=f"fixture {code}: {case.title}")


def _cases() -> list[Any]:
    params = []
    for path in FILES:
        for case in fixturefile.parse(path):
            params.append(pytest.param(path, case, id=f"{path.stem}:{case.title}"))
    return params


@pytest.mark.parametrize(("path", "case"), _cases())
def test_fixture(path: Path, case: fixturefile.Case, update_fixtures: bool) -> None:
    code = path.stem.split("-")[0]
    config = config_for(code, case)
    text = case.input
    diagnostics = lint_text(text, config)
    got_diags = describe(text, diagnostics)
    fixed = fix_text(text, config)
    assert fixed.converged, f"fix did not settle: {fixed.failing_rules}"
    got_output = fixturefile.UNCHANGED + "\n" if fixed.text == text else fixed.text
    unsafe = fix_text(text, config, unsafe=True)
    got_unsafe = fixturefile.UNCHANGED + "\n" if unsafe.text == text else unsafe.text

    if update_fixtures:
        case.sections["diagnostics"] = got_diags
        case.sections["output"] = got_output
        if "unsafe-output" in case.sections or unsafe.text != fixed.text:
            case.sections["unsafe-output"] = got_unsafe
        cases = fixturefile.parse(path)
        for i, c in enumerate(cases):
            if c.title == case.title:
                cases[i] = case
        path.write_text(fixturefile.render(cases), encoding="utf-8", newline="")
        return

    assert got_diags == case.sections.get("diagnostics", ""), "diagnostics differ"
    assert got_output == case.sections.get("output", fixturefile.UNCHANGED + "\n"), "fix differs"
    if "unsafe-output" in case.sections:
        assert got_unsafe == case.sections["unsafe-output"], "unsafe fix differs"
    else:
        assert unsafe.text == fixed.text, "unsafe fixes change the text: add @@@ unsafe-output"

    # Implied by every case: idempotent, and nothing applicable left behind.
    for result, allow_unsafe in ((fixed, False), (unsafe, True)):
        again = fix_text(result.text, config, unsafe=allow_unsafe)
        assert again.text == result.text, "fixing twice changes the text"
        left = [d for d in lint_text(result.text, config) if applicable(d.fix, allow_unsafe)]
        assert not left, f"fixable diagnostics remain after fixing: {left}"
