"""One engine behind ``check`` and ``lint_paths``: the same findings, the same writes."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from briefing_lint import lint_paths
from briefing_lint.cli import main
from briefing_lint.output.render import render

#: Two issues of one newsletter that link the same story (BL006 across files), one with a
#: tracking parameter (BL001, safely fixable).
ISSUE_A = (
    "# 1. [本周要闻](https://news.example.org/a?utm_source=weekly)\n\n"
    "# 2. [共同报道](https://example.org/news/shared)\n"
)
ISSUE_B = "# 1. [另一篇](https://example.org/other)\n\n# 2. [共同报道](https://example.org/news/shared)\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "issues"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text(ISSUE_A, encoding="utf-8")
    (folder / "b.md").write_text(ISSUE_B, encoding="utf-8")
    return folder


def _cli_json(
    capsys: pytest.CaptureFixture[str], path: Path, *flags: str
) -> list[dict[str, object]]:
    main(["check", "--no-cache", "--output-format", "json", *flags, str(path)])
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def _rows(found: list[dict[str, object]]) -> list[tuple[object, ...]]:
    keys = ("path", "code", "line", "column", "end_line", "end_column", "message", "severity")
    return [tuple(item[k] for k in keys) for item in found]


def test_lint_paths_finds_what_the_cli_finds_across_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    cli = _cli_json(capsys, folder)
    result = lint_paths([folder])
    mine = [
        (
            str(f.path),
            d.code,
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            d.message,
            str(d.severity),
        )
        for f in result
        for d in f.diagnostics
    ]
    assert mine == _rows(cli)
    assert {(Path(str(p)).name, c) for p, c, *_ in mine} >= {("a.md", "BL006"), ("b.md", "BL006")}
    out = io.StringIO()
    render("json", result, out)
    assert json.loads(out.getvalue()) == cli


def test_lint_paths_with_fix_writes_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    twin = _folder(tmp_path / "twin")
    result = lint_paths([folder], fix=True)
    by_name = {f.path.name: f for f in result}
    assert by_name["a.md"].written and by_name["a.md"].applied == 1
    assert not by_name["b.md"].written and not by_name["b.md"].changed
    fixed = (folder / "a.md").read_text(encoding="utf-8")
    assert "utm_source" not in fixed and fixed == by_name["a.md"].fixed_text
    assert (folder / "b.md").read_text(encoding="utf-8") == ISSUE_B
    # The CLI's --fix on a copy: same files, same findings left.
    cli = _cli_json(capsys, twin, "--fix")
    assert (twin / "a.md").read_text(encoding="utf-8") == fixed
    mine = [(f.path.name, d.code, d.line, d.column) for f in result for d in f.diagnostics]
    assert mine == [(Path(str(r[0])).name, r[1], r[2], r[3]) for r in _rows(cli)]


def test_a_missing_path_is_an_input_error_not_an_exception(tmp_path: Path) -> None:
    result = lint_paths([tmp_path / "gone.md"])
    assert result.input_errors == (f"{tmp_path / 'gone.md'}: no such file or directory",)
    assert len(result) == 0 and not result.no_files


@pytest.mark.skipif(
    not os.environ.get("BRIEFING_LINT_CORPUS"), reason="BRIEFING_LINT_CORPUS is not set"
)
def test_lint_paths_and_the_cli_agree_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    corpus = Path(os.environ["BRIEFING_LINT_CORPUS"])
    main(["check", "--no-cache", "--output-format", "json", str(corpus)])
    cli = capsys.readouterr().out
    out = io.StringIO()
    render("json", lint_paths([corpus]), out)
    assert out.getvalue() == cli
