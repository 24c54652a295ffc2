"""Item rules beyond the fixture files: BL006 across files, BL003 through the CLI, options."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    a = "1、[甲](https://example.org/n/a)\n\n2、[乙](https://www.example.org/n/b/?utm_source=x)\n"
    b = "引言\n\n1、[丙](https://example.org/n/c)\n\n2、[乙again](http://example.org/n/b)\n"
    c = "1、[丁](https://example.org/n/d)\n"
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
    assert b[diag.span.start : diag.span.end] == "2、[乙again](http://example.org/n/b)"


def test_check_run_counts_further_files_and_facts_pickle() -> None:
    import pickle

    text = "1、[甲](https://example.org/n/a)\n"
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
        "- [甲](https://example.org/n/a)\n- [甲 again](https://example.org/n/a)\n"
    )
    diags = lint_text(text, {"select": ["BL006"]})
    assert [d.message for d in diags] == ["same link as the item on line 3"]


def test_check_run_can_be_switched_off() -> None:
    text = "1、[甲](https://example.org/n/a)\n"
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


def test_one_diagnostic_per_slip() -> None:
    # 1 2 4 4: a mistyped 3 breaks the chain twice (a gap, then a repeat); it is one finding.
    diags = lint_text(GAPPY, {"select": ["BL003"]})
    assert [(d.kind, d.span.start, d.message) for d in diags] == [
        ("gap", GAPPY.index("4、[丙]"), "item number 4 should be 3"),
    ]
    assert diags[0].fix is not None
    # 1 3 4 4: two numbers off their place, two breaks: the breaks are reported, each
    # once; only the first carries the fix.
    twice = GAPPY.replace("2、[乙]", "3、[乙]")
    diags = lint_text(twice, {"select": ["BL003"]})
    assert [(d.kind, twice[d.span.start : d.span.end], d.span.start) for d in diags] == [
        ("gap", "3", twice.index("3、[乙]")),
        ("duplicate", "4", twice.index("4、[丁]")),
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
    new = "## Project Updates\n\n- [Some release](https://example.org/blog/pull/1)\n"
    approved = "## Observations\n\n- [Some release](https://example.org/blog/pull/1)\n"
    again = "## 3. Project Updates\n\n- [Some release, again](https://example.org/blog/pull/1/)\n"
    rule = DuplicateItem()
    defaults = rule.meta().defaults()
    facts = {"a.md": _facts(new, "a.md"), "b.md": _facts(approved, "b.md")}
    assert list(rule.check_run(facts, defaults)) == []
    assert len(list(rule.check_run(facts, {**defaults, "cross_file_sections": "any"}))) == 2
    facts = {"a.md": _facts(new, "a.md"), "c.md": _facts(again, "c.md")}
    assert [p for p, _ in rule.check_run(facts, defaults)] == ["a.md", "c.md"]


@pytest.mark.parametrize(
    "url",
    [
        "https://rust.jobboard.io/jobs/125594-rust-developer",
        "https://careers.example.org/position/gh/503816",
        "https://www.example.com/about/careers/backend-engineer",
    ],
)
def test_job_postings_may_run_for_several_issues(url: str) -> None:
    # Under a heading that names no kind (`# fn work(on: Project) -> Money`), the link
    # itself says it is a job ad.
    text = f"# fn work(on: Project) -> Money\n\n- [Rust developer]({url}) at Acme.\n"
    rule = DuplicateItem()
    facts = {"a.md": _facts(text, "a.md"), "b.md": _facts(text, "b.md")}
    assert list(rule.check_run(facts, rule.meta().defaults())) == []


@pytest.mark.parametrize(
    "heading", ["Call for Participation", "Final Comment Period", "New RFCs", "Upcoming Events"]
)
def test_standing_lists_are_not_repeated_stories(heading: str) -> None:
    # An open call, an RFC in its comment period or an event is listed again until it closes.
    text = f"## {heading}\n\n- [Help wanted: port the parser](https://example.org/issues/123)\n"
    rule = DuplicateItem()
    facts = {"a.md": _facts(text, "a.md"), "b.md": _facts(text, "b.md")}
    assert list(rule.check_run(facts, rule.meta().defaults())) == []
    story = text.replace(heading, "Project Updates")
    facts = {"a.md": _facts(story, "a.md"), "b.md": _facts(story, "b.md")}
    assert len(list(rule.check_run(facts, rule.meta().defaults()))) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A job ad and a sponsor block that recur in two issues.
        (
            "## 新闻\n\n- [甲发布](https://example.org/news/a)\n\n## Rust Jobs\n\n"
            "- [Rust Engineer (Remote)](https://jobs.example.com/acme/rust-engineer-42)\n",
            "## 新闻\n\n- [乙发布](https://example.org/news/b)\n\n## Rust Jobs\n\n"
            "- [Rust Engineer (Remote)](https://jobs.example.com/acme/rust-engineer-42)\n",
        ),
        (
            "## 本期赞助\n\n- [某云春季促销](https://cloud.example.com/promo/spring-2024)\n",
            "## 本期赞助\n\n- [某云春季促销](https://cloud.example.com/promo/spring-2024)\n",
        ),
        # Different events on one landing page.
        (
            "## Events\n\n- [Rust Meetup Berlin](https://example.org/events/)\n",
            "## Events\n\n- [Rust Meetup Paris](https://example.org/events/)\n",
        ),
        # Different stories on one shared page.
        (
            "## 新闻\n\n1、[人工胚胎](https://review.example.com/lists/technologies/2018/)\n",
            "## 新闻\n\n1、[传感器城市](https://review.example.com/lists/technologies/2018/)\n",
        ),
    ],
)
def test_cross_file_not_the_same_story(first: str, second: str) -> None:
    facts = {"a.md": _facts(first, "a.md"), "b.md": _facts(second, "b.md")}
    rule = DuplicateItem()
    assert list(rule.check_run(facts, rule.meta().defaults())) == []


def test_cross_file_same_story_with_a_reworded_title() -> None:
    first = "## 文章\n\n1、[图说如何制造 CPU](https://blog.example.org/how-to-make-a-cpu/)\n"
    second = "## 文章\n\n1、[CPU 制造过程图解](https://blog.example.org/how-to-make-a-cpu)\n"
    facts = {"a.md": _facts(first, "a.md"), "b.md": _facts(second, "b.md")}
    rule = DuplicateItem()
    assert [p for p, _ in rule.check_run(facts, rule.meta().defaults())] == ["a.md", "b.md"]


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("example.org", False),
        ("example.org/events", False),
        ("example.org/careers", False),
        ("example.org/how-to-make-a-cpu", True),
        ("example.org/db_tutorial", True),
        ("example.org/a/b", True),
        ("example.org/item?id=123", True),
        ("example.org/watch?v=AbCd", True),
        ("example.org/?lang=en", False),
        ("example.org/changes#v2", True),
        ("wechat:/s/AbCd", True),
    ],
)
def test_landing_pages(key: str, named: bool) -> None:
    from briefing_lint.rules.duplicate_item import names_one_item

    assert names_one_item(key) is named


def test_title_words_split_cjk_into_bigrams() -> None:
    from briefing_lint.rules.duplicate_item import title_words

    assert title_words("传感器城市") == {"传感", "感器", "器城", "城市"}
    assert title_words("The Rust 1.80 Release") == {"rust", "80", "release"}
    assert title_words("乙again") == {"乙", "again"}


# -- BL003 numbering scope: consistent documents report nothing --------------------------

_LATIN = ["OpenAI", "DeepSeek", "Mistral", "Qwen", "Rust", "Kotlin", "Deno", "Vite"]
_CJK = ["发布新模型", "开源工具", "性能调优", "年度回顾", "数据集"]


def int_to_cn_marker(n: int) -> str:
    from briefing_lint.briefing import int_to_cn

    return f"{int_to_cn(n)}、"


_NUMBERS: dict[str, Callable[[int], str]] = {
    "dot": lambda n: f"{n}. ",
    "dunhao": lambda n: f"{n}、",
    "paren": lambda n: f"（{n}）",
    "glued": lambda n: f"{n}.",
    "cn": int_to_cn_marker,
}


@st.composite
def consistent_briefings(draw: st.DrawFn) -> str:
    """A briefing whose item numbers are right under one scope (section or document)."""
    scope = draw(st.sampled_from(["section", "document"]))
    style = draw(st.sampled_from(sorted(_NUMBERS)))
    shape = draw(st.sampled_from(["paragraph", "heading", "link-text"]))
    emoji = draw(st.sampled_from(["", "🔥 ", "▶ ", "【工具】"])) if shape == "heading" else ""
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    lines = ["# 周刊 第 3 期", "", "本期 3.0 版本发布，5G 与 2024 年回顾。", ""]
    number = 0
    for s, size in enumerate(sizes):
        lines += [f"## {draw(st.sampled_from(_CJK))}{s}", ""]
        if scope == "section":
            number = 0
        for _ in range(size):
            number += 1
            word = draw(st.sampled_from(_LATIN))
            title = f"{word} {draw(st.sampled_from(_CJK))}"
            marker = _NUMBERS[style](number)
            url = f"https://example.org/{s}/{number}/{word.lower()}"
            if shape == "link-text":
                line = f"[{marker}{title}]({url})"
            elif shape == "heading":
                line = f"### {emoji}{marker}[{title}]({url})"
            else:
                line = f"{marker}[{title}]({url})"
            lines += [line, ""]
            if draw(st.booleans()):
                lines += ["一段说明，版本 1.5 提速 10 倍。", ""]
    if draw(st.booleans()):
        # A jobs block numbered its own way: never part of the news numbering.
        lines += ["## 招聘", "", "7、[某公司招聘](https://example.org/jobs)", ""]
    return "\n".join(lines)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_briefings())
def test_bl003_is_silent_on_consistent_numbering_in_either_scope(text: str) -> None:
    config = Config.from_dict({"select": ["BL003"]})
    assert [d.message for d in lint_text(text, config)] == []
    assert fix_text(text, config, unsafe=True).text == text


# -- BL003 on a real corpus: the unsafe fix never makes numbering worse ---------------------

CORPUS = os.environ.get("BRIEFING_LINT_CORPUS", "")
_BREAKS = {"gap", "duplicate", "bad-start"}


@pytest.mark.skipif(not CORPUS, reason="BRIEFING_LINT_CORPUS is not set (no corpus to sweep)")
def test_bl003_unsafe_fix_never_breaks_a_consistent_sequence_in_the_corpus() -> None:
    config = Config.from_dict({"select": ["BL003"]})
    worse: list[str] = []
    for path in sorted(Path(CORPUS).rglob("*")):
        if not path.is_file() or not path.name.lower().endswith((".md", ".mdx", ".markdown")):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        before = [d for d in lint_text(text, config) if d.kind in _BREAKS]
        fixed = fix_text(text, config, unsafe=True).text
        if not before:
            if fixed != text:
                worse.append(f"{path}: changed a file whose numbering was consistent")
            continue
        after = [d for d in lint_text(fixed, config) if d.kind in _BREAKS]
        if len(after) >= len(before) and fixed != text:
            worse.append(f"{path}: {len(before)} breaks before the fix, {len(after)} after")
    assert not worse, "\n".join(worse[:10])


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (["鸣谢"], "items.exclude_sections"),
        ({"sponsor": "鸣谢"}, "items.exclude_sections.sponsor"),
        ({"Sponsor": ["鸣谢"]}, "items.exclude_sections.Sponsor"),
        ({"sponsor": ["(?=a)b"]}, "items.exclude_sections.sponsor"),
        ({"sponsor": ["["]}, "items.exclude_sections.sponsor"),
    ],
)
def test_exclude_sections_bad_input_names_the_key(value: object, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"items": {"exclude_sections": value}}, source="cfg.yaml")
    assert err.value.key == key and "cfg.yaml" in str(err.value)


def test_exclude_sections_reaches_every_item_rule() -> None:
    text = (
        "## 新闻\n\n1、[甲](https://mp.weixin.qq.com/s/AAAAAAAAAAAA) | 甲站\n\n"
        "## 鸣谢\n\n1、[乙](https://mp.weixin.qq.com/s/BBBBBBBBBBBB)\n\n"
        "2、[乙](https://mp.weixin.qq.com/s/BBBBBBBBBBBB)\n"
    )
    plain = lint_text(text, {"select": ["BL002", "BL006"]})
    assert sorted(d.code for d in plain) == ["BL002", "BL002", "BL006"]
    extended = {"select": ["BL002", "BL006"], "items": {"exclude_sections": {"thanks": ["鸣谢"]}}}
    assert lint_text(text, extended) == []
