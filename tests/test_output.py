"""Golden output for every format (run with --update-fixtures to regenerate after review)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing_lint.cli import main
from briefing_lint.output.render import indented_json

HERE = Path(__file__).parent / "fixtures" / "output"
FORMATS = ["text", "concise", "json", "json-lines", "github", "sarif"]
SELECT = "BL010,BL014"


def _run(
    fmt: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    (tmp_path / "briefing.md").write_bytes((HERE / "input.md").read_bytes())
    code = main(
        ["check", "--no-cache", "--select", SELECT, "--output-format", fmt, *extra, "briefing.md"]
    )
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(
    fmt: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_fixtures: bool,
) -> None:
    code, out = _run(fmt, tmp_path, monkeypatch, capsys)
    golden = HERE / f"expected.{fmt}"
    if update_fixtures:
        golden.write_text(out, encoding="utf-8")
    assert code == 1
    assert out == golden.read_text(encoding="utf-8")


def test_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _run("concise", tmp_path, monkeypatch, capsys, "--statistics")
    assert "     2  BL010  [*] link-text-whitespace  (2 fixable)" in out
    assert "     1  BL014      unused-suppression  (0 fixable)" in out


def test_code_point_columns_in_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _run("json", tmp_path, monkeypatch, capsys)
    first = json.loads(out)[0]
    assert (first["code"], first["line"], first["column"]) == ("BL010", 3, 4)


def test_sarif_structure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _run("sarif", tmp_path, monkeypatch, capsys)
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "briefing-lint" and driver["rules"]
    for rule in driver["rules"]:
        assert {"id", "shortDescription", "help"} <= set(rule)
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"]
    for result in run["results"]:
        assert result["message"]["text"]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                assert change["replacements"][0]["deletedRegion"]["startLine"] >= 1


def test_show_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run("text", tmp_path, monkeypatch, capsys, "--fix", "--show-fixes")
    assert "fixed 2 in briefing.md" in out and code == 1  # BL014 remains (unsafe fix)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_indented_json_equals_the_standard_encoder(value: object) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    assert indented_json(value) == expected
    # Only at "\n": U+2028 and friends stay raw inside strings, and must not be indented.
    assert indented_json(value, "  ") == expected.replace("\n", "\n  ")
