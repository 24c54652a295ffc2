"""The public surface: ``briefing_lint.__all__``, positions on diagnostics, plain severities."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import briefing_lint
from briefing_lint import Applicability, Severity, lint_text, list_rules
from briefing_lint.cli import main


def test_every_public_name_imports() -> None:
    for name in briefing_lint.__all__:
        assert getattr(briefing_lint, name) is not None
    assert sorted(dir(briefing_lint)) == sorted(briefing_lint.__all__)


def test_severity_and_applicability_are_plain_strings() -> None:
    assert [str(s) for s in Severity] == ["error", "warning", "info"]
    assert f"{Severity.WARNING}" == "warning" and f"{Severity.INFO:>6}" == "  info"
    assert str(Applicability.UNSAFE) == "unsafe"
    assert Severity("error") is Severity.ERROR


def test_positions_agree_with_the_json_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A BOM, CRLF endings and CJK text: columns count code points after the BOM.
    text = "\ufeff前言\r\n\r\n# 1. [ 标题 ](https://example.org/a?utm_source=x)\r\n"
    f = tmp_path / "a.md"
    f.write_bytes(text.encode("utf-8"))
    main(["check", "--no-cache", "--output-format", "json", str(f)])
    cli = [
        (d["code"], d["line"], d["column"], d["end_line"], d["end_column"])
        for d in json.loads(capsys.readouterr().out)
    ]
    mine = [(d.code, d.line, d.column, d.end_line, d.end_column) for d in lint_text(text)]
    assert mine == cli and len(mine) >= 2 and all(line == 3 for _, line, *_ in mine)


def test_positions_take_no_part_in_equality() -> None:
    (found,) = lint_text("[ 标题 ](https://example.org)\n")
    moved = dataclasses.replace(found, line=9, column=9)
    assert moved == found and hash(moved) == hash(found)


def test_list_rules_is_the_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rules"])
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    infos = list_rules()
    assert [r.code for r in infos] == listed
    bl001 = next(r for r in infos if r.code == "BL001")
    assert (bl001.name, bl001.fixable, bl001.severity) == (
        "tracking-params",
        True,
        Severity.WARNING,
    )
