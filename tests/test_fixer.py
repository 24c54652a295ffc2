from __future__ import annotations

from pathlib import Path

import pytest

from briefing_lint import fix_text
from briefing_lint.cli import main
from briefing_lint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span
from briefing_lint.fixer import apply_edits, fix_loop, select_fixes

from .ruletools import make_rule, registered


def diag(start: int, end: int, new: str, code: str = "T1", unsafe: bool = False) -> Diagnostic:
    app = Applicability.UNSAFE if unsafe else Applicability.SAFE
    span = Span(start, end)
    return Diagnostic(code, "t", span, "m", Severity.WARNING, Fix.replace(span, new, "t", app))


def test_apply_edits_in_one_pass() -> None:
    text = "abcdef"
    assert apply_edits(text, [Edit(Span(4, 5), "E"), Edit(Span(0, 1), "A")]) == "AbcdEf"
    with pytest.raises(ValueError):
        apply_edits(text, [Edit(Span(0, 3), ""), Edit(Span(2, 4), "")])


def test_overlapping_fix_waits_for_next_pass() -> None:
    chosen, edits = select_fixes([diag(0, 4, "X"), diag(2, 6, "Y", "T2")], unsafe=False)
    assert [d.code for d in chosen] == ["T1"]
    assert edits == [Edit(Span(0, 4), "X")]


def test_adjacent_fixes_both_apply() -> None:
    chosen, edits = select_fixes([diag(0, 2, "X"), diag(2, 4, "Y", "T2")], unsafe=False)
    assert len(chosen) == 2
    assert apply_edits("abcd", edits) == "XY"


def test_identical_edits_from_two_diagnostics_apply_once() -> None:
    chosen, edits = select_fixes([diag(1, 2, "Z"), diag(1, 2, "Z", "T2")], unsafe=False)
    assert len(chosen) == 2 and len(edits) == 1
    assert apply_edits("abc", edits) == "aZc"


def test_unsafe_fixes_need_opt_in() -> None:
    d = diag(0, 1, "X", unsafe=True)
    assert select_fixes([d], unsafe=False) == ([], [])
    assert select_fixes([d], unsafe=True)[1] == [Edit(Span(0, 1), "X")]


def test_overlapping_rules_converge_over_passes() -> None:
    wide = make_rule("T1", r"aa+", "a")
    narrow = make_rule("T2", r"ab", "b")
    with registered(wide, narrow):
        result = fix_text("aaab aab\n")
    assert result.converged
    assert result.text == "b b\n"
    assert len(result.applied) >= 3


def test_oscillating_rules_are_reported_and_text_untouched() -> None:
    there = make_rule("T1", r"x", "y")
    back = make_rule("T2", r"y", "x")
    with registered(there, back):
        result = fix_text("x\n")
    assert not result.converged
    assert result.text == "x\n"
    assert set(result.failing_rules) == {"T1", "T2"}


def test_oscillation_via_cli_exits_3_and_keeps_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_bytes(b"x\r\n")
    with registered(make_rule("T1", r"x", "y"), make_rule("T2", r"y", "x")):
        code = main(["--fix", "--no-cache", str(f)])
    assert code == 3
    assert f.read_bytes() == b"x\r\n"
    assert "T1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "raw",
    [
        "\ufeffa foo b\r\nfoo\r\n",
        "a foo b\nfoo",  # no final newline
        "a foo\r\nb\nfoo\r\n",  # mixed endings
        "foo",
        "",
    ],
)
def test_bom_line_endings_and_final_newline_kept(raw: str) -> None:
    with registered(make_rule("T1", r"foo", "bar")):
        result = fix_text(raw)
    assert result.text == raw.replace("foo", "bar")


def test_fix_loop_on_text_without_fixes_is_identity() -> None:
    result = fix_loop("abc", lambda text: [])
    assert result.text == "abc" and result.converged and not result.applied


def test_fix_that_changes_nothing_does_not_loop() -> None:
    with registered(make_rule("T1", r"a", "a")):
        result = fix_text("a\n")
    assert result.converged and result.text == "a\n"
