"""The structure guard: deliberately broken rules must never reach the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing_lint import fix_text
from briefing_lint.cli import main
from briefing_lint.diagnostics import Applicability, Diagnostic, Fix, Severity, Span
from briefing_lint.guard import (
    check_outside_edits,
    compare_structure,
    structure_guard,
    unique_edits,
)
from briefing_lint.registry import RULES

from .ruletools import make_rule, registered

TWO_LISTS = "# Title\n\n- a\n- b\n\n* c\n* d\n"
HEADINGS = "# Weekly\n\n## 1、News\n\ntext\n\n## 2、Tools\n"


def _fix(text: str, *rules: type, unsafe: bool = False):  # type: ignore[no-untyped-def]
    with registered(*rules):
        return fix_text(text, unsafe=unsafe)


# -- deliberately broken rules ------------------------------------------------------------


def test_rule_that_merges_two_lists_is_refused() -> None:
    # markdownlint's MD004 fix: unify bullet markers, which joins two separate lists.
    merge = make_rule("T1", r"^\* ", "- ")
    result = _fix(TWO_LISTS, merge)
    assert result.text == TWO_LISTS
    assert result.failing_rules == ("T1",)
    # Each fix alone is refused too: the first merges the lists, the second splits one.
    assert result.refused == (
        # Its item joins the first list (which turns loose: a blank line is now inside it).
        "T1 (test-t1) at line 6: the list at line 3 changed between tight and loose",
        "T1 (test-t1) at line 7: lists merged or split near line 7 (2 lists became 3)",
    )
    assert result.converged and not result.applied


def test_rule_that_changes_a_heading_level_is_refused() -> None:
    demote = make_rule("T2", r"^## ", "### ")
    result = _fix(HEADINGS, demote)
    assert result.text == HEADINGS
    assert result.failing_rules == ("T2",)
    # Both headings are refused, each named with its line.
    assert [r.split(":")[0] for r in result.refused] == [
        "T2 (test-t2) at line 3",
        "T2 (test-t2) at line 7",
    ]
    assert "heading at line 3 changed level (h2 became h3)" in result.refused[0]


@pytest.mark.parametrize(
    ("text", "pattern", "reason"),
    [
        # Deleting a heading's line break glues the next paragraph into the heading.
        ("# 标题。\n正文在这里\n", r"。\n", "block structure changed"),
        # Deleting the blank line between two paragraphs merges them.
        ("第一段\n\n第二段\n", r"\n\n", "block structure changed"),
        # Deleting a list item's line.
        ("- 一\n- 二\n- 三\n", r"^- 二\n", "list items gained or lost"),
        # Deleting text inside a fenced code block.
        ("```\nkeep me\n```\n", r"keep ", "code block at line"),
        # Deleting the closing fence: the rest of the file becomes code.
        ("```\nx\n```\n\nmore\n", r"^```\n\nmore", "code block"),
        # Deleting front matter's closing line.
        ("---\ntitle: t\n---\n\n# h\n", r"^---\n\n", "front matter"),
    ],
)
def test_rule_that_deletes_text_is_refused(text: str, pattern: str, reason: str) -> None:
    delete = make_rule("T3", pattern, "")
    result = _fix(text, delete)
    assert result.text == text
    assert result.failing_rules == ("T3",)
    assert reason in result.refused[0]


def test_deleting_the_full_stop_of_a_heading_fails_the_rendering_check() -> None:
    # The structure stays, but a rule that promises an invisible fix may not change the page.
    strip = make_rule("T4", r"。$", "", preserves_rendering=True)
    text = "## 1、发布了新版本。\n"
    result = _fix(text, strip)
    assert result.text == text
    assert result.refused == ("T4 (test-t4) at line 1: the rendered HTML changed",)


def test_invisible_fix_passes_the_rendering_check() -> None:
    # Trailing spaces before a line end (not two: that would be a hard break) do not render.
    trim = make_rule("T4", r"(?<=\S) $", "", preserves_rendering=True)
    result = _fix("para \nnext\n", trim)
    assert result.text == "para\nnext\n"
    assert not result.refused


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_broken_rule_via_cli_leaves_file_untouched_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ending: str
) -> None:
    f = tmp_path / "a.md"
    raw = TWO_LISTS.replace("\n", ending).encode()
    f.write_bytes(raw)
    with registered(make_rule("T1", r"^\* ", "- ")):
        code = main(["--fix", "--no-cache", str(f)])
    assert code == 3
    assert f.read_bytes() == raw
    err = capsys.readouterr().err
    assert "fix refused by the structure guard: T1 (test-t1) at line 6: the list at" in err
    assert "fix refused by the structure guard: T1 (test-t1) at line 7: lists merged" in err


def test_good_fixes_land_next_to_a_refused_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo bar\n\n## h\n\nfoo\n", encoding="utf-8")
    good = make_rule("T1", r"foo", "qux")
    bad = make_rule("T2", r"^## ", "# ")
    with registered(good, bad):
        code = main(["--fix", "--no-cache", str(f)])
    assert code == 3
    assert f.read_text(encoding="utf-8") == "qux bar\n\n## h\n\nqux\n"
    err = capsys.readouterr().err
    assert err.count("T2 (test-t2)") == 1 and "T1" not in err


def test_refused_fix_is_reported_once_while_other_fixes_shift_it() -> None:
    # T1 needs several passes (its fixes overlap); every pass moves T2's refused span.
    grow = make_rule("T1", r"aa+", "a")
    bad = make_rule("T2", r"^## ", "### ")
    result = _fix("aaaa aaa\n\n## h\n", grow, bad)
    assert result.text == "a a\n\n## h\n"
    assert len(result.refused) == 1 and result.refused[0].startswith("T2")


def test_one_bad_fix_among_many_of_the_same_rule() -> None:
    # Only the fix that would join the blocks is refused; the others of the same rule apply.
    rule = make_rule("T1", r"x+", lambda m: "y\n\ny" if m.group() == "xxx" else "z")
    result = _fix("x\n\nxx\n\nxxx\nthen\n", rule)
    assert result.refused == (
        "T1 (test-t1) at line 5: block structure changed after line 5: 6 block tokens became 8",
    )
    assert result.text == "z\n\nz\n\nxxx\nthen\n"


# -- rules that declare a structural fix --------------------------------------------------


def test_declared_structure_change_is_allowed_inside_its_region() -> None:
    escape = make_rule(
        "T5", r"^(\d{4})\. ", r"\1\\. ", applicability=Applicability.UNSAFE, fix_effect="structure"
    )
    text = "# h\n\n- a\n- b\n\n2024. 年度回顾\n\n```\ncode\n```\n"
    result = _fix(text, escape, unsafe=True)
    assert result.text == text.replace("2024. ", "2024\\. ")
    assert not result.refused


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        # Removing a comment line that separates two paragraphs merges them.
        ("para one\n<!-- x -->\npara two\n", r"^<!-- x -->\n"),
        # Unwrapping the first item leaves the rest of the list as a list of its own.
        ("- a\n- b\n", r"^- (?=a)"),
    ],
)
def test_declared_structure_change_may_not_spill_into_other_blocks(text: str, pattern: str) -> None:
    spill = make_rule("T5", pattern, "", applicability=Applicability.UNSAFE, fix_effect="structure")
    result = _fix(text, spill, unsafe=True)
    assert result.text == text
    assert "outside the fixed region" in result.refused[0]


def test_removing_a_comment_block_between_separated_blocks_is_allowed() -> None:
    remove = make_rule(
        "T5", r"^<!-- x -->\n\n", "", applicability=Applicability.UNSAFE, fix_effect="structure"
    )
    result = _fix("para one\n\n<!-- x -->\n\npara two\n", remove, unsafe=True)
    assert result.text == "para one\n\npara two\n"
    assert not result.refused


def test_declared_structure_change_still_protects_code() -> None:
    rule = make_rule(
        "T5", r"^```\n", "", applicability=Applicability.UNSAFE, fix_effect="structure"
    )
    text = "intro\n\n```\ncode\n```\n"
    result = _fix(text, rule, unsafe=True)
    assert result.text == text
    assert "code block" in result.refused[0]


def test_structure_rules_are_unsafe_and_declare_known_effects() -> None:
    for rule in RULES:
        meta = rule.meta()
        assert meta.fix_effect in ("none", "structure"), meta.code
        if meta.fix_effect == "structure":
            assert meta.fix == "unsafe", f"{meta.code} changes structure, its fix must be unsafe"
            assert all(f != "safe" for f in meta.kind_fixes.values()), meta.code


# -- the checks on their own ------------------------------------------------------------


def _diag(start: int, end: int, new: str, code: str = "T1") -> Diagnostic:
    span = Span(start, end)
    return Diagnostic(code, "t", span, "m", Severity.WARNING, Fix.replace(span, new, "t"))


def test_text_outside_the_edits_must_be_identical() -> None:
    before = "alpha beta gamma\n"
    fixes = [_diag(6, 10, "BETA")]
    assert check_outside_edits(before, "alpha BETA gamma\n", unique_edits(fixes)) == []
    # What a buggy apply (or a stale offset) would produce: text lost elsewhere.
    assert check_outside_edits(before, "alpha BETA gam\n", unique_edits(fixes))
    assert check_outside_edits(before, "alphaBETA gamma\n", unique_edits(fixes))
    assert structure_guard(before, "alpha BETA gamm\n", fixes) == [
        "text outside the edited spans changed (after line 1)"
    ]


def test_identical_edits_from_two_rules_count_once() -> None:
    fixes = [_diag(0, 1, "A"), _diag(0, 1, "A", "T2")]
    assert structure_guard("abc\n", "Abc\n", fixes) == []


def test_tight_list_turning_loose_is_a_structure_change() -> None:
    assert compare_structure("- a\n- b\n", "- a\n\n- b\n")
    assert compare_structure("- a\n- b\n", "- a\n- c\n") == []


def test_list_kind_and_item_count_are_compared() -> None:
    assert compare_structure("- a\n- b\n", "1. a\n2. b\n") == [
        "the list at line 1 changed kind (bullet_list became ordered_list)"
    ]
    assert compare_structure("- a\n- b\n", "- a - b\n")
    assert compare_structure("1. a\n2. b\n", "1. a\n3. b\n") == []  # numbers are text


def test_unwrapping_a_list_item_into_code_is_refused_even_when_declared() -> None:
    unwrap = make_rule("T5", r"^- ", "", applicability=Applicability.UNSAFE, fix_effect="structure")
    text = "- item\n\n    continued\n"
    result = _fix(text, unwrap, unsafe=True)
    assert result.text == text
    assert "code blocks changed from 0 to 1" in result.refused[0]


def test_crlf_and_lf_parse_alike() -> None:
    assert compare_structure("# h\r\n\r\n- a\r\n", "# h\n\n- a\n") == []
