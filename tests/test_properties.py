"""Property tests over generated briefings: every rule, every fix, never damage.

The generator mixes what real briefings hold: front matter, numbered headings, lists,
blockquotes, code fences, tables, links with WeChat/utm tracking parameters, redirect and
short links, images, bare URLs glued to CJK text, full-width link syntax, suppression
comments, CJK text, emoji, CRLF or mixed line endings and a BOM.

Properties, for every rule selected (``ALL``), with and without unsafe fixes:

* linting never raises;
* every edit of a fix lies inside its diagnostic's span (BL003: on the number markers of
  the items it renumbers; BL014: on the lines of the comment it removes);
* fixing converges, the guard refuses nothing, the result keeps the original's code blocks,
  front matter and (safe fixes) block structure;
* fixing is idempotent: fixing the fixed text changes nothing.

The example count is small in the normal run; ``pytest --long`` loads the "long" profile.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.briefing import ItemSelector, items
from briefing_lint.diagnostics import Diagnostic, Edit, Span
from briefing_lint.document import Document
from briefing_lint.fixer import applicable
from briefing_lint.guard import compare_structure
from briefing_lint.registry import rules_by_code

LONG = settings.get_current_profile_name() == "long"


def _budget(normal: int) -> settings:
    return settings(
        max_examples=settings.default.max_examples if LONG else normal,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


ALL = Config.from_dict({"select": ["ALL"]})

# -- building blocks -----------------------------------------------------------------------

CJK = [
    "机器之心",
    "量子位",
    "每帧只需9ms",
    "手机实时「三维动作识别」",
    "年度回顾",
    "中文",
    "。",
    "，",
]
LATIN = ["AI", "weekly", "GPT-4", "v1.2", "3.0 发布", "10 个技巧", "a & b", "x_y", "*", "_"]
EMOJI = ["😀", "🚀", "👍🏽", "🇨🇳", "❤️"]

URLS = [
    "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=2650809135&idx=3&sn=0e28ab"
    "&chksm=84e5&mpshare=1&scene=1&srcid=0305&sharer_sharetime=1614934599306&key=b5a1"
    "&ascene=1&uin=MTIz&devicetype=Windows+10&version=63000039&lang=zh_CN&pass_ticket=x"
    "&wx_header=0#rd",
    "https://mp.weixin.qq.com/s/JPDcvopsXemjW2uEA9X_XQ",
    "https://mp.weixin.qq.com/s?__biz=MzI1&amp;mid=1&amp;idx=1&amp;sn=ab&amp;chksm=cd#wechat_redirect",
    "https://example.com/post?utm_source=newsletter&utm_medium=email&id=3",
    "https://example.com/a?id=1&fbclid=IwAR0&ref=weekly",
    "https://www.bilibili.com/video/BV1GJ411x7h7/?spm_id_from=333.999&vd_source=abc&t=30",
    "https://link.zhihu.com/?target=https%3A//github.com/x/y%3Futm_source%3Dzhihu",
    "https://b23.tv/abc123",
    "https://t.cn/A6abc",
    "http://example.org/plain",
    "https://example.org/路径/中文?q=搜索",
    "https://example.org/a_(b)",
    "https://weixin.sogou.com/link?url=dn9a_-gY295K0Rci&type=2&query=x",
    "https://www.xiaohongshu.com/explore/64ab?xsec_token=AB12&xsec_source=pc_share&xhsshare=1",
]
IMAGES = [
    "https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&tp=webp&wxfrom=5&wx_lazy=1",
    "https://gitee.com/user/img/raw/master/1.png",
    "http://example.org/i.png",
    "./local.png",
    "data:image/png;base64,iVBORw0KGgo=",
]

words = st.sampled_from(CJK + LATIN + EMOJI)
urls = st.sampled_from(URLS)


def _join(parts: list[str]) -> str:
    return "".join(parts)


@st.composite
def inline(draw: st.DrawFn) -> str:
    """One line of inline content."""
    pieces: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.integers(0, 13))
        word = draw(words)
        url = draw(urls)
        if kind <= 3:
            pieces.append(word)
        elif kind == 4:
            pad = draw(st.sampled_from(["", " ", "　"]))
            pieces.append(f"[{pad}{word}{pad}]({url})")
        elif kind == 5:
            pieces.append(f"![{word}]({draw(st.sampled_from(IMAGES))})")
        elif kind == 6:
            pieces.append(f"{word}{url}{draw(st.sampled_from(['', '。', '，看看', ' ', '）']))}")
        elif kind == 7:
            pieces.append(f"<{url}>")
        elif kind == 8:
            left, right = draw(st.sampled_from([("【", "】"), ("[", "]"), ("［", "］")]))
            pieces.append(f"{left}{word}{right}（{url}）")
        elif kind == 9:
            pieces.append(f"`{word} {url}`")
        elif kind == 10:
            pieces.append(f"**{word}**")
        elif kind == 11:
            pieces.append(f'<a href="{url}">{word}</a>')
        elif kind == 12:
            pieces.append(f"[{word}][ref{draw(st.integers(1, 2))}]")
        else:
            pieces.append(f'[{word}]({url} "{word}")| {draw(st.sampled_from(CJK))}')
    sep = draw(st.sampled_from(["", " "]))
    return sep.join(pieces)


MARKERS = [
    "1、",
    "2、",
    "3、",
    "5、",
    "1. ",
    "2. ",
    "(1) ",
    "（2）",
    "一、",
    "二、",
    "①",
    "01 ",
    "No.3 ",
]


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """One block as a list of lines (without line endings)."""
    kind = draw(st.integers(0, 15 if depth < 2 else 9))
    text = draw(inline())
    if kind <= 1:
        return [text]
    if kind == 2:
        count = draw(st.sampled_from(["3", "9", "十", "两"]))
        return [f"本期将为您带来 {count} 条新闻，{text}"]
    if kind == 3:
        level = draw(st.integers(1, 6))
        marker = draw(st.sampled_from(["", *MARKERS]))
        return ["#" * level + " " + marker + text]
    if kind == 4:
        return [draw(st.sampled_from(["2024. ", "1999. ", "100. ", "3. "])) + text]
    if kind == 5:
        fence = draw(st.sampled_from(["```", "~~~", "````"]))
        body = draw(st.lists(inline(), max_size=3))
        return [fence + draw(st.sampled_from(["", "python", "md"])), *body, fence]
    if kind == 6:
        return ["    " + text]
    if kind == 7:
        cells = draw(st.lists(inline(), min_size=2, max_size=3))
        return ["| " + " | ".join(["h"] * len(cells)) + " |", "|" + "---|" * len(cells),
                "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"]  # fmt: skip
    if kind == 8:
        return [draw(st.sampled_from(["---", "***", "<!-- 注释 -->", "<div>", "</div>"]))]
    if kind == 9:
        directive = draw(
            st.sampled_from(
                [
                    "<!-- briefing-lint-disable-next-line BL001 -- reason -->",
                    "<!-- briefing-lint-disable-next-line BL999 -->",
                    "<!-- briefing-lint-disable BL010 -->",
                    "<!-- briefing-lint-enable BL010 -->",
                ]
            )
        )
        return [directive, text]
    if kind == 10:
        return [f"[ref{draw(st.integers(1, 2))}]: {draw(urls)}"]
    # Containers: lists and blockquotes, possibly nested.
    marker = draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", "> "]))
    lines: list[str] = []
    for n in range(draw(st.integers(1, 3))):
        inner = draw(block(depth + 1))
        if marker[0].isdigit() and marker != "> ":
            m = f"{n + int(marker[0])}{marker[1:]}"
        else:
            m = marker
        indent = " " * len(m) if marker != "> " else "> "
        lines.append(m + inner[0])
        lines.extend(indent + line if line else line for line in inner[1:])
        if draw(st.booleans()):
            lines.append("" if marker != "> " else ">")
    return lines


FRONT_MATTER = ["---", "title: 周刊 第 1 期", "date: 2024-01-01",
                "link: https://example.com/?utm_source=x", "---"]  # fmt: skip


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines: list[str] = [*FRONT_MATTER, ""] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 7))):
        lines.extend(draw(block()))
        if draw(st.integers(0, 3)):
            lines.append("")
    endings = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    out: list[str] = []
    for line in lines:
        out.append(line)
        out.append(draw(st.sampled_from(["\n", "\r\n", "\r"])) if endings == "mixed" else endings)
    if draw(st.booleans()):
        out.pop()  # no final newline
    text = _join(out)
    return ("\ufeff" if draw(st.integers(0, 5)) == 0 else "") + text


# -- properties --------------------------------------------------------------------------


def _owned(doc: Document, diag: Diagnostic) -> list[Span]:
    """Where the fix of ``diag`` may edit."""
    if diag.code == "BL003":
        options: dict[str, Any] = rules_by_code()["BL003"].meta().defaults()
        found = items(doc, ItemSelector.from_options(options))
        return [
            it.marker.digits_span for it in [*found.items, *found.sections] if it.marker is not None
        ]
    if diag.code == "BL009":  # every item marker of the accidental list
        line = doc.line_of(diag.span.start)
        lists = [
            t.map
            for t in doc.tokens
            if t.type == "ordered_list_open" and t.map and t.map[0] <= line < t.map[1]
        ]
        lo, hi = lists[-1] if lists else (line, line + 1)
        return [Span(doc.line_start(lo), doc.line_end(min(hi, doc.line_count) - 1))]
    if diag.code == "BL014":  # the comment's whole lines, with their line breaks
        first, last = doc.line_of(diag.span.start), doc.line_of(diag.span.end)
        start = doc.line_end(first - 1) if first else 0
        end = doc.line_start(last + 1) if last + 1 < doc.line_count else len(doc.source)
        return [Span(start, end)]
    return [diag.span]


def _outside(doc: Document, diag: Diagnostic, edit: Edit) -> bool:
    return not any(region.contains(edit.span) for region in _owned(doc, diag))


@_budget(60)
@given(documents())
def test_lint_never_raises_and_edits_stay_in_their_spans(text: str) -> None:
    diagnostics = lint_text(text, ALL)
    doc = Document(text)
    source = doc.source
    for diag in diagnostics:
        assert 0 <= diag.span.start <= diag.span.end <= len(source), diag
        if diag.fix is None:
            continue
        stray = [e for e in diag.fix.edits if _outside(doc, diag, e)]
        assert not stray, (
            f"{diag.code} edits outside its span {diag.span} "
            f"({source[diag.span.start : diag.span.end]!r}): "
            + ", ".join(f"{source[e.span.start : e.span.end]!r}->{e.replacement!r}" for e in stray)
        )


#: Rules whose fixes the guard still refuses on some inputs: rule bugs, reported to the rule's
#: owner, which the guard keeps away from files meanwhile. Each entry is a minimal
#: reproducer; ``test_known_refusal_is_still_there`` fails once the rule is fixed, so that
#: the entry is removed and the properties hold for that rule again.
KNOWN_REFUSALS: dict[str, str] = {}


@pytest.mark.parametrize("code", sorted(KNOWN_REFUSALS))
def test_known_refusal_is_still_there(code: str) -> None:
    result = fix_text(KNOWN_REFUSALS[code], ALL, unsafe=True)
    assert result.text == KNOWN_REFUSALS[code]
    assert [r.split()[0] for r in result.refused] == [code], (
        f"{code} no longer has its fix refused here: remove it from KNOWN_REFUSALS"
    )


def _check_fix(text: str, unsafe: bool) -> None:
    result = fix_text(text, ALL, unsafe=unsafe)
    assert result.converged, f"fixes did not settle: {result.failing_rules}"
    refused = [r for r in result.refused if r.split()[0] not in KNOWN_REFUSALS]
    assert not refused, refused
    # Code blocks and front matter unchanged; block structure too, unless a rule that
    # declares a structure change (all unsafe) was applied.
    structural = any(
        rules_by_code()[d.code].meta().fix_effect == "structure" for d in result.applied
    )
    assert compare_structure(text, result.text, allow_structure=structural) == []
    assert result.text.startswith("\ufeff") == text.startswith("\ufeff")
    again = fix_text(result.text, ALL, unsafe=unsafe)
    assert again.text == result.text, "fixing the fixed text changed it"
    assert not again.applied, [d.code for d in again.applied]
    refused_codes = {r.split()[0] for r in result.refused}  # known: still offered, still refused
    left = [d for d in again.remaining if applicable(d.fix, unsafe) and d.code not in refused_codes]
    assert not left, f"fixes still offered after fixing: {[d.code for d in left]}"


@_budget(40)
@given(documents())
def test_safe_fix_is_guarded_and_idempotent(text: str) -> None:
    _check_fix(text, unsafe=False)


@_budget(40)
@given(documents())
def test_unsafe_fix_is_guarded_and_idempotent(text: str) -> None:
    _check_fix(text, unsafe=True)
