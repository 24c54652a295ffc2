"""Golden output for every format (run with --update-fixtures to regenerate after review)."""

from __future__ import annotations

import itertools
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
    assert "Fixed 2 in briefing.md: 2 × BL010 link-text-whitespace" in out
    assert code == 1  # BL014 remains (unsafe fix)


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


# -- the text format on a newsletter: long WeChat lines, CJK, emoji, controls ----------------


def _newsletter(
    width: int,
    fmt: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", str(width))
    (tmp_path / "briefing.md").write_bytes((HERE / "newsletter.md").read_bytes())
    code = main(["check", "--no-cache", "--output-format", fmt, "briefing.md"])
    return code, capsys.readouterr().out


def _pieces(line: str) -> list[str]:
    """How the frame shows each character of a source line (tabs as a space, escapes)."""
    from briefing_lint.output import visible

    return [" " if ch == "\t" else visible(ch) for ch in line]


@pytest.mark.parametrize("width", [80, 120])
def test_newsletter_frames_fit_and_mark_the_spans(
    width: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_fixtures: bool,
) -> None:
    from rich.cells import cell_len

    code, out = _newsletter(width, "text", tmp_path, monkeypatch, capsys)
    golden = HERE / f"expected.newsletter-{width}.text"
    if update_fixtures:
        golden.write_text(out, encoding="utf-8")
    assert code == 1
    assert out == golden.read_text(encoding="utf-8")
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert "\x1b" not in out  # NO_COLOR: no escape code at all

    _, js = _newsletter(width, "json", tmp_path, monkeypatch, capsys)
    findings = json.loads(js)
    source = (HERE / "newsletter.md").read_text(encoding="utf-8").split("\n")
    frames = 0
    for row, below in itertools.pairwise(lines):
        head, sep, body = row.partition(" | ")
        if not (sep and head.strip().isdigit() and below.startswith(" " * 6 + "| ")):
            continue
        frames += 1
        number = int(head)
        pieces = _pieces(source[number - 1])
        spans = [
            (f["column"] - 1, f["end_column"] - 1 if f["end_line"] == number else len(pieces))
            for f in findings
            if f["line"] == number
        ]
        assert spans, row
        # Where the shown text starts in the source: the body is a run of whole pieces.
        cut_left = body.startswith("…")
        shown = body[1:] if cut_left else body
        if shown.endswith("…"):
            shown = shown[:-1]
        starts = [i for i in range(len(pieces)) if "".join(pieces[i:]).startswith(shown.rstrip())]
        assert starts, row
        first = starts[0]
        assert (first > 0) == cut_left
        marker = below[len(" " * 6 + "| ") :]
        end_cells = cell_len(body) - (1 if body.endswith("…") else 0)
        cell, i = (1 if cut_left else 0), first
        while i < len(pieces) and cell + cell_len(pieces[i]) <= end_cells:
            w = cell_len(pieces[i])
            inside = any(s <= i < max(e, s + 1) for s, e in spans)
            assert marker[cell : cell + w].ljust(w) == ("^" * w if inside else " " * w), (row, i)
            cell, i = cell + w, i + 1
        assert "^" in marker
    assert frames == 7  # lines 7, 8, 9, 13, 17, 21, 23: one frame each


def test_newsletter_long_line_is_cut_around_a_late_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _newsletter(80, "text", tmp_path, monkeypatch, capsys)
    (frame,) = [line for line in out.splitlines() if line.startswith("   21 | ")]
    assert frame.startswith("   21 | …") and "[ 延伸阅读 ]" in frame
    assert out.count("   7 | ") == 1  # one frame for the line's two findings


def test_severity_is_written_on_every_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _newsletter(100, "concise", tmp_path, monkeypatch, capsys)
    assert "briefing.md:13:1: BL004 info image has no alt text" in out
    assert "briefing.md:7:24: BL001 error [*] WeChat article link" in out
    assert out.splitlines()[-2].startswith("Found 11 problems (2 errors, 8 warnings, 1 info)")
