"""The rule author's kit: per-document analyses, ctx.fix, shared option groups."""

from __future__ import annotations

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
