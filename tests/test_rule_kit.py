"""The rule author's kit: per-document analyses, ctx.fix, shared option groups."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefing_lint.diagnostics import Applicability, Edit, Span
from briefing_lint.document import Document
from briefing_lint.registry import Registry
from briefing_lint.rule import RuleContext
from briefing_lint.ruledata import RuleDataError, parse_meta


def test_an_analysis_is_built_once_per_document_and_dropped_by_release() -> None:
    doc = Document("# a\n\ntext\n")
    calls: list[int] = []

    def build(d: Document) -> int:
        calls.append(1)
        return d.line_count

    assert doc.analysis("lines", build) == doc.analysis("lines", build) == 4
    assert len(calls) == 1
    doc.release()
    assert doc.analysis("lines", build) == 4
    assert len(calls) == 2


def _ctx(code: str) -> RuleContext:
    meta = Registry.builtin().meta(code)
    return RuleContext(Document("text\n"), meta, meta.defaults())


def test_ctx_fix_takes_the_applicability_from_the_yaml() -> None:
    edits = [Edit(Span(0, 1), "T")]
    unsafe = _ctx("BL005").fix(edits, title="t", kind="mismatch")
    assert unsafe is not None and unsafe.applicability is Applicability.UNSAFE
    safe = _ctx("BL002").fix(edits, title="t", kind="separator")
    assert safe is not None and safe.applicability is Applicability.SAFE
    assert _ctx("BL002").fix(edits, title="t", kind="missing") is None  # fix: none


def test_ctx_fix_of_an_undeclared_kind_raises() -> None:
    with pytest.raises(RuleDataError, match="BL005: fix of undeclared kind 'mismatched'"):
        _ctx("BL005").fix([Edit(Span(0, 1), "T")], title="t", kind="mismatched")


def test_the_items_options_come_from_one_shared_group() -> None:
    rules = Registry.builtin()
    specs = [rules.meta(code).options for code in ("BL002", "BL003", "BL005", "BL006")]
    for options in specs:
        assert options["items"] == specs[0]["items"]
        assert options["item_heading_level"] == specs[0]["item_heading_level"]
    assert specs[0]["items"].choices == ("auto", "headings", "paragraphs", "list-items")


def test_an_unknown_option_group_is_a_data_error() -> None:
    data = {"code": "XY001", "name": "x", "summary": "x", "severity": "info"}
    with pytest.raises(RuleDataError, match="unknown option group 'nope'"):
        parse_meta({**data, "option_groups": ["nope"]}, Path("XY001.yaml"))


def test_list_items_are_checked_against_the_yaml_without_the_rule() -> None:
    code = (
        "import sys\n"
        "from briefing_lint.config import Config, ConfigError\n"
        "Config.from_dict({'rules': {'BL018': {'to_halfwidth': ['，', '（）']},"
        " 'BL017': {'keep': ['B站']}}})\n"
        "for bad in ({'BL018': {'to-fullwidth': [',', 'x']}}, {'BL017': {'keep': ['A股', ' ']}}):\n"
        "    try:\n"
        "        Config.from_dict({'rules': bad}, 'c.yaml')\n"
        "    except ConfigError as exc:\n"
        "        print(exc)\n"
        "print(sorted(m for m in sys.modules if m.startswith('briefing_lint.rules.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "c.yaml: rules.BL018.to-fullwidth[1]: expected one of , . ; : ! ? (), got 'x'",
        "c.yaml: rules.BL017.keep[1]: expected a non-empty string, got ' '",
        "[]",
    ]


def test_checks_options_says_which_rules_have_their_own_option_checks() -> None:
    rules = Registry.builtin()
    for code in rules.codes():
        own = "validate_options" in vars(rules.rule_class(code))
        assert rules.meta(code).checks_options == own, code
