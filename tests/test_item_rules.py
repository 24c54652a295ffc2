"""Item rules beyond the fixture files: BL006 across files, BL003 through the CLI, options."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.config import ConfigError
from briefing_lint.diagnostics import Severity
from briefing_lint.document import Document
from briefing_lint.rule import RuleContext
from briefing_lint.rules.duplicate_item import DuplicateItem

GAPPY = """# 周刊

说明：版本 3.0 发布，1.5 倍速。

## 工具

1、[甲](https://example.org/a)

2、[乙](https://example.org/b)

4、[丙](https://example.org/c)

4、[丁](https://example.org/d)
"""


def _facts(text: str, path: str, options: dict[str, object] | None = None) -> object:
    rule = DuplicateItem()
    meta = rule.meta()
    opts = {**meta.defaults(), **(options or {})}
    return rule.facts(RuleContext(Document(text, path), meta, opts))


def test_check_run_names_the_other_file_and_line() -> None:
    a = "1、[甲](https://example.org/a)\n\n2、[乙](https://www.example.org/b/?utm_source=x)\n"
    b = "引言\n\n1、[丙](https://example.org/c)\n\n2、[乙again](http://example.org/b)\n"
    c = "1、[丁](https://example.org/d)\n"
    facts = {"issue-2.md": _facts(b, "issue-2.md"), "issue-1.md": _facts(a, "issue-1.md"),
             "issue-3.md": _facts(c, "issue-3.md")}  # fmt: skip
    rule = DuplicateItem()
    out = list(rule.check_run(facts, rule.meta().defaults()))
    assert [(p, d.message) for p, d in out] == [
        ("issue-1.md", "same link as issue-2.md:5"),
        ("issue-2.md", "same link as issue-1.md:3"),
    ]
    _, diag = out[1]
    assert diag.severity is Severity.WARNING and diag.kind == "cross-file"
    # Cross-file findings point at the item's line (facts stay cheap: no inline spans).
    assert b[diag.span.start : diag.span.end] == "2、[乙again](http://example.org/b)"


def test_check_run_counts_further_files_and_facts_pickle() -> None:
    import pickle

    text = "1、[甲](https://example.org/a)\n"
    facts = {f"f{i}.md": pickle.loads(pickle.dumps(_facts(text, f"f{i}.md"))) for i in range(3)}
    options = {**DuplicateItem.meta().defaults(), "recurring_files": 0}
    out = list(DuplicateItem().check_run(facts, options))
    assert len(out) == 3
    assert out[0][1].message == "same link as f1.md:1 (and 1 more files)"
    # In three files or more a link is a recurring one (sponsor, column): not reported.
    assert list(DuplicateItem().check_run(facts, DuplicateItem.meta().defaults())) == []


def test_calendar_entries_may_share_a_link() -> None:
    text = (
        "- [Sep 13. Team meeting](https://example.org/channel)\n"
        "- [Sep 20. Team meeting](https://example.org/channel)\n"
        "- [甲](https://example.org/a)\n- [甲 again](https://example.org/a)\n"
    )
    diags = lint_text(text, {"select": ["BL006"]})
    assert [d.message for d in diags] == ["same link as the item on line 3"]


def test_check_run_can_be_switched_off() -> None:
    text = "1、[甲](https://example.org/a)\n"
    off = {"across_files": False}
    assert _facts(text, "a.md", off) is None
    facts = {"a.md": _facts(text, "a.md"), "b.md": _facts(text, "b.md")}
    options = {**DuplicateItem.meta().defaults(), **off}
    assert list(DuplicateItem().check_run(facts, options)) == []


def test_renumbering_only_with_unsafe_fixes_and_only_the_numbers() -> None:
    cfg = {"select": ["BL003"]}
    assert fix_text(GAPPY, cfg).text == GAPPY
    fixed = fix_text(GAPPY, cfg, unsafe=True).text
    assert fixed == GAPPY.replace("4、[丙]", "3、[丙]")
    assert lint_text(fixed, cfg) == []


def test_cli_fix_unsafe_select_bl003(tmp_path: Path) -> None:
    from briefing_lint.cli import main

    f = tmp_path / "issue.md"
    f.write_bytes(GAPPY.replace("\n", "\r\n").encode("utf-8"))
    main(["check", "--no-cache", "--fix", "--select", "BL003", str(f)])
    assert f.read_bytes().decode("utf-8") == GAPPY.replace("\n", "\r\n")
    main(["check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "BL003", str(f)])
    want = GAPPY.replace("4、[丙]", "3、[丙]").replace("\n", "\r\n")
    assert f.read_bytes().decode("utf-8") == want


def test_one_diagnostic_per_break() -> None:
    diags = lint_text(GAPPY, {"select": ["BL003"]})
    assert [(d.kind, GAPPY[d.span.start : d.span.end]) for d in diags] == [
        ("gap", "4"),
        ("duplicate", "4"),
    ]
    assert diags[0].fix is not None and diags[1].fix is None


@pytest.mark.parametrize(
    ("code", "options"),
    [
        ("BL002", {"patterns": ["(?<=a)b"]}),  # lookbehind: RE2 has none
        ("BL005", {"patterns": ["(unclosed"]}),
        ("BL006", {"ignore": [r"(x)\1"]}),  # backreference
        ("BL003", {"scope": "page"}),
        ("BL002", {"items": "tables"}),
    ],
)
def test_bad_options_are_config_errors(code: str, options: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        Config.from_dict({"rules": {code: options}})


def test_all_item_rules_agree_on_the_items() -> None:
    text = (
        "本期共收录 2 条新闻。\n\n# 1. [甲](https://mp.weixin.qq.com/s/AAAAAAAAAAAA)\n\n"
        "# 其他\n\n- [乙](https://mp.weixin.qq.com/s/AAAAAAAAAAAA)\n"
    )
    diags = lint_text(text, {"select": ["BL002", "BL003", "BL005", "BL006"]})
    assert sorted(d.code for d in diags) == ["BL002", "BL005"]


def test_cross_file_repeats_count_under_the_same_section_title_only() -> None:
    new = "## New RFCs\n\n- [Some RFC](https://example.org/rfcs/pull/1)\n"
    approved = "## Approved RFCs\n\n- [Some RFC](https://example.org/rfcs/pull/1)\n"
    again = "## 3. New RFCs\n\n- [Some RFC, again](https://example.org/rfcs/pull/1/)\n"
    rule = DuplicateItem()
    defaults = rule.meta().defaults()
    facts = {"a.md": _facts(new, "a.md"), "b.md": _facts(approved, "b.md")}
    assert list(rule.check_run(facts, defaults)) == []
    assert len(list(rule.check_run(facts, {**defaults, "cross_file_sections": "any"}))) == 2
    facts = {"a.md": _facts(new, "a.md"), "c.md": _facts(again, "c.md")}
    assert [p for p, _ in rule.check_run(facts, defaults)] == ["a.md", "c.md"]
