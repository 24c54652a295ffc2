"""The parser's shortcuts (link normalisation, link destinations) change nothing.

``parser.markdown()`` answers ``normalizeLink`` without parsing URLs it would leave alone and
scans bare link destinations by regex. Both must give markdown-it's own answer for every
input: checked here on hand-picked cases, on generated text, on every fixture, and on the
corpus when ``BRIEFING_LINT_CORPUS`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.helpers import parseLinkDestination
from mdit_py_plugins.front_matter import front_matter_plugin

from briefing_lint import parser

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = os.environ.get("BRIEFING_LINT_CORPUS", "")

URLS = [
    "https://example.org/a?b=1&c=2#frag",
    "http://EXAMPLE.org:8080/path;x=1",
    "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=1&idx=3&sn=ab#rd",
    "https://例子.测试/路径",
    "https://example.org/中文?q=空格",
    "https://xn--fsq.com/",
    "https://[::1]:80/x",
    "//example.org/x",
    "//@example.org",
    "mailto:someone@example.org",
    "mailto:@",
    "javascript:alert(1)",
    "data:image/png;base64,AAAA",
    "HTTP:~:80",
    "a:b@c",
    "./img.png",
    "../a b.png",
    "#anchor",
    "?q=1",
    "/abs/path",
    "%zz",
    "%2F%2f",
    "100%",
    "https://example.org/%E4%B8%AD",
    "https://example.org/a|b{c}^d`e",
    "https://user:pass@example.org/",
    "https://example.org/a\\b",
    "https://example.org/[x]",
    "",
]


@pytest.mark.parametrize("url", URLS)
def test_normalize_link_matches_markdown_it(url: str) -> None:
    assert parser.normalize_link(url) == normalizeLink(url)


_URLISH = st.lists(
    st.sampled_from([*"aZ09;/?:@&=+$,-_.!~*'()#%[] \\|中", "://", "http", "www.", "%2F"]),
    max_size=20,
).map("".join)


@given(st.sampled_from(["", "http://", "https://", "//", "mailto:", "HTTPS://"]), _URLISH)
def test_normalize_link_matches_markdown_it_generated(prefix: str, rest: str) -> None:
    url = prefix + rest
    assert parser.normalize_link(url) == normalizeLink(url)


DESTINATIONS = [
    "https://example.org/a(b)c) tail",
    "a(b(c)d)e",
    "a(b",
    "a)b",
    "a\\)b)",
    "a\\ b",
    "a\\",
    "<a b>",
    "<a\nb>",
    "<a<b>",
    "<a\\>b>",
    "a\tb",
    "a\x7fb",
    "a\x01b",
    "(" * 33 + ")" * 33,
    "(" * 32 + ")" * 32,
    "&amp;x\\*y",
    "",
    " ",
    ")",
]


def _same_result(string: str, pos: int, maximum: int) -> None:
    ours = parser.parse_link_destination(string, pos, maximum)
    theirs = parseLinkDestination(string, pos, maximum)
    assert (ours.ok, ours.pos, ours.str) == (theirs.ok, theirs.pos, theirs.str)


@pytest.mark.parametrize("string", DESTINATIONS)
def test_link_destination_matches_markdown_it(string: str) -> None:
    for maximum in range(len(string) + 1):
        _same_result(string, 0, maximum)
    _same_result("x" + string, 1, len(string) + 1)


@given(st.text(alphabet=st.sampled_from(list("ab()\\ <>\n\t\x00\x7f&;#中")), max_size=40))
def test_link_destination_matches_markdown_it_generated(string: str) -> None:
    _same_result(string, 0, len(string))
    if string:
        _same_result(string, 0, len(string) - 1)


def _stock() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    md.options["maxNesting"] = parser.MAX_NESTING
    return md


def _shape(tokens: list[Any]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for t in tokens:
        out.append(
            (t.type, t.tag, sorted(t.attrs.items()), t.map, t.content, t.markup, t.info, t.nesting)
        )
        if t.children:
            out.extend(_shape(t.children))
    return out


def _assert_same_parse(texts: list[str]) -> None:
    stock = _stock()
    ours = parser.markdown()
    for text in texts:
        assert _shape(ours.parse(text)) == _shape(stock.parse(text))


REFERENCE_DOCS = [
    "[a]: https://example.org\n\n[a]",
    "[a]:https://example.org 'title'\n[a]",
    "[a\nb]: /url\n\n[a b]",
    "[a\\]b]: /url\n\n[a\\]b]",
    "[a\\\nb]: /url\n",
    "[title](https://example.org) and [b]: /x",
    "[x] [y]: /url",
    "[[x]]: /url",
    "[x]:\n/url\n'title'\n[x]",
    "[x]",
    '[x]: <a b> "t" junk\n[x]',
    "  [x]: /url\n\n> [y]: /url\n\n- [z]: /url\n\n[x][] [y] [z]",
    "    [code]: /url",
    "[",
    "[]: /url",
    "[x]:",
]


SETEXT_DOCS = [
    "Title\n=====\n\nbody",
    "Title\nmore\n---\n",
    "Title\n    ---\n",
    "Title\n   ---\n",
    "- item\n  ===\n- next\n  text\n  ---",
    "> quote\n> ---\n> lazy\n---",
    "> quote\nlazy\n===",
    "para\n- list\n---",
    "para\n1. list\n===",
    "para\n- - -\n",
    "para\n= = =\n",
    "para\n```\n---\n```",
    "para\n<div>\n---",
    "  - a\n\n    b\n    ---\n\n  c\n  ===",
    "| a | b |\n|---|---|\n| c | d |\n---",
    # Tight lists and other lines that end a paragraph before any underline.
    "- a\n- b\n- c\n---",
    "- a\n- b\n  ---\n- c",
    "* a\n* b\n  ===\n* c\n---",
    "1. a\n2. b\n   ===\n3. c",
    "+ a\n+ b\nlazy\n===",
    "- a\n  - b\n    - c\n    ---\n  ===",
    "para\n-foo\n---",
    "para\n*foo\n===",
    "para\n12 apples\n---",
    "para\n:colon\n===",
    "para\n#tag\n---",
    "para\n<span>\n---",
    "para\n~~~\n---",
    "para\n        deep\n---",
    "a | b\n--|--\nx",
    "a\nb | c\n:-|-:\n---",
    "para\n> quote\n---",
]


_BLOCK_LINES = st.sampled_from(
    ["para", "- a", "-b", "* c", "1. d", "2) e", "12 f", "---", "===", "- - -", "a | b", "|-|-|",
     ":-|-:", "| x |", "> q", ">", "```", "~~~", "# h", "<div>", "<!-- c", "+ g", "  - h",
     "    code", "  ===", "   ---", "\t---", "", "  ", "[x]: /u", "_ _ _", "para | x"]
)  # fmt: skip


@given(st.lists(_BLOCK_LINES, max_size=12))
def test_setext_headings_parse_as_markdown_it_does_generated(lines: list[str]) -> None:
    text = "\n".join(lines)
    _assert_same_parse([text, "> " + text.replace("\n", "\n> "), "- " + text.replace("\n", "\n  ")])


@pytest.mark.parametrize("text", SETEXT_DOCS)
def test_setext_headings_parse_as_markdown_it_does(text: str) -> None:
    _assert_same_parse([text, text + "\n", "# h\n" + text, "> " + text.replace("\n", "\n> ")])


BRACKET_DOCS = [
    "[" * 300,
    "![" * 300,
    "[" * 300 + "]",
    "![" * 150 + "](x)",
    "[" * 120 + "a" + "]" * 120 + "(x)",
    "[a] [b [c](d) [e",
    "[`]` [x](y)",
    "[<a]>] [b](c) [",
    "[x]: /u\n\n" + "[x][" * 50,
    "*[a*](b) [c] ![d [e](f)",
]


@pytest.mark.parametrize("text", BRACKET_DOCS)
def test_brackets_parse_as_markdown_it_does(text: str) -> None:
    _assert_same_parse([text, text + "\n", "- " + text, "> " + text, text + "\n\n]"])


@given(st.lists(st.sampled_from([*"[]!()`<>*_ a\\", "\n", "](x)", "[x]", "<a>"]), max_size=40))
def test_brackets_parse_as_markdown_it_does_generated(parts: list[str]) -> None:
    _assert_same_parse(["".join(parts), "[x]: /u\n" + "".join(parts)])


@pytest.mark.parametrize("text", REFERENCE_DOCS)
def test_reference_definitions_parse_as_markdown_it_does(text: str) -> None:
    _assert_same_parse([text, text + "\n", "para\n" + text])
    stock_env: dict[str, Any] = {}
    ours_env: dict[str, Any] = {}
    _stock().parse(text, stock_env)
    parser.markdown().parse(text, ours_env)
    assert ours_env == stock_env


def test_fixtures_parse_as_markdown_it_does() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*")) if p.is_file()]
    links = (f"[{u}]({u}) ![i]({u}) <{u}>\n\n[r{i}]: {u}" for i, u in enumerate(URLS))
    texts.append("\n".join(links))
    assert len(texts) > 10
    _assert_same_parse(texts)


@pytest.mark.skipif(not CORPUS, reason="set BRIEFING_LINT_CORPUS to a folder of Markdown")
def test_corpus_parses_as_markdown_it_does() -> None:
    files = sorted(Path(CORPUS).rglob("*.md"))
    assert files
    _assert_same_parse([p.read_bytes().decode("utf-8", "replace") for p in files])
