"""Fixes of BL001 and BL010 never move a link elsewhere nor turn it into text.

Before and after a fix the Markdown is parsed with markdown-it: the links must be the same
in number, their text the same less the padding, and each destination the old one without
the parameters BL001 reported (as markdown-it decodes it, character references included).
"""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.diagnostics import Applicability

BUDGET = settings(max_examples=max(300, settings.default.max_examples), deadline=None)
CONFIG = Config.from_dict({"select": ["BL001", "BL010"]})
MD = MarkdownIt("commonmark")

SEPARATORS = ["&", "&amp;", "&#38;", "&#x26;", "&#X26;"]
KEYS = ["id", "page", "utm_source", "utm_medium", "fbclid", "from", "ref", "q", "b", "A"]
VALUES = ["", "1", "x", "timeline", "2020", "a%20b", "Q", "weekly-digest", "=="]


def _segment(kv: tuple[str, str | None]) -> str:
    key, value = kv
    return key if value is None else f"{key}={value}"


segments = st.tuples(st.sampled_from(KEYS), st.one_of(st.none(), st.sampled_from(VALUES))).map(
    _segment
)
queries = st.tuples(
    st.lists(segments, min_size=1, max_size=6),
    st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6),
).map(lambda t: "".join((t[1][i] if i else "") + s for i, s in enumerate(t[0])))
urls = st.tuples(
    st.sampled_from(["https://example.org/p", "https://a.example/x/y", "http://b.example"]),
    queries,
    st.sampled_from(["", "#top", "#a&#38;b"]),
).map(lambda t: f"{t[0]}?{t[1]}{t[2]}")
TEXT_CHARS = st.sampled_from([*"ab \\*_`C:", "\\ ", "\u3000"])
texts = st.tuples(
    st.sampled_from(["", " ", "  ", "　"]),
    st.lists(TEXT_CHARS, min_size=1, max_size=8).map("".join),
    st.sampled_from(["", " ", "  ", "\\ ", "\\\\ "]),
).map("".join)


def _links(text: str) -> list[tuple[str, str]]:
    """(href, text) of every link markdown-it finds; code spans as ``<code>...</code>``."""
    out = []
    for token in MD.parse(text):
        children = token.children or []
        i = 0
        while i < len(children):
            child = children[i]
            if child.type == "link_open":
                depth, j, words = 1, i + 1, []
                while j < len(children) and depth:
                    if children[j].type == "link_open":
                        depth += 1
                    elif children[j].type == "link_close":
                        depth -= 1
                    elif children[j].type in ("text", "text_special"):
                        words.append(children[j].content)
                    elif children[j].type == "code_inline":
                        words.append(f"<code>{children[j].content}</code>")
                    else:
                        words.append(f"<{children[j].type}>")
                    j += 1
                out.append((str(child.attrs.get("href", "")), "".join(words)))
                i = j
            else:
                i += 1
    return out


#: Keys removed only with these values (WeChat's share markers).
BY_VALUE = {"from": {"timeline", "singlemessage", "groupmessage"}}


def _reported(piece: str, removed: set[str]) -> bool:
    key, _eq, value = piece.partition("=")
    key = unquote(key).lower()
    return key in removed and (key not in BY_VALUE or value.lower() in BY_VALUE[key])


def _without(href: str, removed: set[str]) -> str:
    """``href`` less the query parameters named in ``removed`` (the reference cleaner)."""
    if not removed:
        return href
    base, hash_, fragment = href.partition("#")
    path, _q, query = base.partition("?")
    kept = [p for p in query.split("&") if p and not _reported(p, removed)]
    return path + ("?" + "&".join(kept) if kept else "") + hash_ + fragment


@BUDGET
@given(texts, urls)
def test_fixes_keep_links_and_only_drop_reported_parameters(text: str, url: str) -> None:
    source = f"- [{text}]({url}) end\n"
    before = _links(source)
    removed: set[str] = set()
    for d in lint_text(source, CONFIG):
        if d.code == "BL001" and d.fix is not None and d.fix.applicability is Applicability.SAFE:
            for names in d.data["removed"].values():  # type: ignore[union-attr]
                removed.update(n.lower() for n in names)
    after_text = fix_text(source, CONFIG).text
    after = _links(after_text)
    assert len(after) == len(before), after_text
    for (href0, words0), (href1, words1) in zip(before, after, strict=True):
        # Padding dropped, or the text left alone (all padding, or no safe fix).
        assert words1 in (words0, words0.strip(" \t\u3000")), after_text
        assert href1 == _without(href0, removed), after_text


def test_character_reference_separator_stays_a_separator() -> None:
    # Was ``?id=1#38;b=2``: ``b=2`` had become a fragment.
    fixed = fix_text("[a](https://e.org/p?id=1&utm_source=a&#38;b=2)\n", CONFIG).text
    assert fixed == "[a](https://e.org/p?id=1&#38;b=2)\n"
    fixed = fix_text("[a](https://e.org/p?id=1&#x26;utm_source=a&#x26;b=2)\n", CONFIG).text
    assert fixed == "[a](https://e.org/p?id=1&#x26;b=2)\n"


def test_removed_value_with_an_unencoded_ampersand_is_not_cut_in_half() -> None:
    # Was ``?A&id=5``: the rest of the campaign value became a parameter of its own.
    source = "[a](https://e.org/p?utm_campaign=Q&A&id=5)\n"
    (diagnostic,) = lint_text(source, CONFIG)
    assert diagnostic.fix is None and "fix by hand" in diagnostic.message
    assert fix_text(source, CONFIG).text == source


def test_backslash_before_trailing_padding_keeps_the_link() -> None:
    # Was ``[C:\Users\](u)``: the backslash escaped the bracket and the link was gone.
    source = "[C:\\Users\\ ](https://e.org/u)\n"
    fixed = fix_text(source, CONFIG).text
    assert _links(fixed) == [("https://e.org/u", "C:\\Users\\")]


def test_padding_is_kept_when_dropping_it_would_change_the_emphasis() -> None:
    # `[ **_*](u)` renders `*<em>_</em>`; `[**_*](u)` renders the asterisks as text.
    source = "- [ **_*](https://e.org/p) end\n"
    assert fix_text(source, CONFIG).text == source
