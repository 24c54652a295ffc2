"""BL006 duplicate-item: the same story featured twice, in one file or across a run.

Items and primary links come from :mod:`briefing_lint.briefing`; links are compared by
:func:`~briefing_lint.briefing.canonical_link`. Two items are the same story when they share
that link, the link names one thing (not a landing page such as a site's home or ``/events/``)
and their titles share a word: different titles on one shared page (a yearly list, an event
calendar) are different stories. Items under non-news headings (sponsor, jobs, share, …)
are not items at all: the item model leaves them out. The cross-file half collects
small picklable facts per file (:meth:`DuplicateItem.facts`) and judges them together in
:meth:`DuplicateItem.check_run`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from ..briefing import (
    Item,
    ItemSelector,
    canonical_link,
    first_line_span,
    items,
    plain_text,
)
from ..diagnostics import Diagnostic, Span
from ..document import Document
from ..rule import Rule, RuleContext
from ..safe_regex import RegexError, compile_user_regex

#: A title that starts with a date is a calendar entry: a weekly meeting keeps its link.
_CALENDAR = re.compile(
    r"^(?:\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*[/.月]\s*\d{1,2}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b)",
    re.IGNORECASE,
)


class ItemLink(NamedTuple):
    """One item's primary link, as kept between the per-file and the run-wide passes.

    A tuple, not a frozen dataclass: a file holds one per item and they are cheap to make.
    """

    key: str
    line: int  # 1-based
    start: int
    end: int
    rubric: str = ""  # the item's section, normalised ("工具", "new rfcs")
    #: The linked title ("" when the link is not in it): its words are compared only when
    #: another file shares the link (see :func:`story_words`).
    title: str = ""


#: Title words that say nothing about the story.
_STOP_WORDS = frozenset(
    {
        "the", "a", "an", "and", "or", "of", "in", "on", "at", "to", "for", "from", "by",
        "with", "without", "into", "about", "as", "is", "are", "be", "how", "what", "why",
        "when", "which", "who", "your", "you", "my", "our", "we", "its", "it", "this", "that",
        "these", "those", "vs", "via", "new", "using", "use",
        "一个", "如何", "什么", "为什", "我们", "你的",
        "我的", "自己", "使用", "关于", "以及", "可以",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def title_words(text: str) -> frozenset[str]:
    """Lower-cased words of a title; runs of CJK characters as character bigrams
    (``传感器城市`` -> 传感, 感器, 器城, 城市), a lone CJK character as itself."""
    out: set[str] = set()
    for word in _WORD.findall(text.casefold()):
        pos = 0
        for m in _CJK.finditer(word):
            rest = word[pos : m.start()]
            if len(rest) > 1:
                out.add(rest)
            run = m.group(0)
            if len(run) > 1:
                out.update(run[i : i + 2] for i in range(len(run) - 1))
            else:
                out.add(run)
            pos = m.end()
        rest = word[pos:]
        if len(rest) > 1:
            out.add(rest)
    return frozenset(out - _STOP_WORDS)


#: Query keys that name one item of a page (``?id=397``, ``?v=…``).
_ITEM_KEYS = frozenset({"id", "p", "v", "item", "story", "post", "article", "aid", "pid", "tid"})


def names_one_item(key: str) -> bool:
    """The canonical link names one thing, not a landing page.

    A landing page is a site's home or a section index (``example.org``, ``/events``,
    ``/careers``) that many stories share. A link names an item when its path is deeper
    than one segment, its one segment is a slug (a digit, ``-`` or ``_``: ``/how-to-x``),
    a query parameter names the item (``?id=…`` or a value with a digit) or a fragment
    picks a part of the page; WeChat articles always name one.
    """
    if key.startswith("wechat:"):
        return True
    rest = key.split("/", 1)[1] if "/" in key else ""
    rest, hash_mark, _fragment = rest.partition("#")
    if hash_mark:
        return True
    path, _, query = rest.partition("?")
    segments = [s for s in path.split("/") if s]
    if len(segments) > 1:
        return True
    if segments and re.search(r"[\d_-]", segments[0].rsplit(".", 1)[0]):
        return True
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name in _ITEM_KEYS or re.search(r"\d", value):
            return True
    return False


def _item_links(ctx: RuleContext) -> list[tuple[str, Item]]:
    """(canonical key, item) for every item with a comparable primary link.

    ``check`` and ``facts`` both need the list: it is computed once per document and
    option values (cached on the document, dropped with everything else by ``release``).
    """
    options = ctx.options
    patterns = tuple(str(p) for p in options["ignore"])
    cache_key = (ItemSelector.from_options(options), patterns)
    return ctx.doc.analysis(
        ("BL006.item-links", cache_key), lambda doc: _build_item_links(doc, cache_key)
    )


def _build_item_links(
    doc: Document, cache_key: tuple[ItemSelector, tuple[str, ...]]
) -> list[tuple[str, Item]]:
    patterns = cache_key[1]
    ignore = _ignore_patterns(patterns)
    out: list[tuple[str, Item]] = []
    calendar = _CALENDAR.match
    for item in items(doc, cache_key[0]):
        link = item.link
        if link is None or calendar(item.title):
            continue
        key = canonical_link(link.href)
        if key is None or (ignore and any(p.search(key) for p in ignore)):
            continue
        if not names_one_item(key):
            continue
        out.append((key, item))
    return out


@functools.cache
def _ignore_patterns(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    """The ``ignore`` patterns as one alternation (one search per link instead of one per
    pattern), or one by one when they cannot be joined (a group name used twice)."""
    if len(patterns) > 1:
        try:
            return [compile_user_regex("|".join(f"(?:{p})" for p in patterns))]
        except RegexError:
            pass
    return [compile_user_regex(p) for p in patterns]


def linked_title(item: Item) -> str:
    """The item's title when its link is in it, else "" (the link alone names the story:
    ``项目地址：https://…`` under a heading)."""
    return item.title if item.link_in_title else ""


def story_words(title: str, key: str) -> frozenset[str]:
    """The words of a linked title; empty (compare by link alone) when there is no linked
    title, or the title names the link's own page (``[md](https://github.com/doocs/md)``,
    ``[PageSpyWeb](…/page-spy-web)``), which then is no page shared by several stories.

    Computed only for links that occur twice: most links of a run occur once."""
    if not title:
        return frozenset()
    words = title_words(title)
    if words & _link_words(key):
        return frozenset()
    return words


#: Path words that name no particular page.
_GENERIC_PATH_WORDS = frozenset(
    {"blog", "blogs", "news", "post", "posts", "article", "articles", "html", "htm", "php",
     "index", "issues", "pull", "pulls", "wiki", "docs", "doc", "en", "zh", "cn", "www", "p",
     "lists", "list", "events", "tag", "tags", "category", "page", "s"}
)  # fmt: skip


def _link_words(key: str) -> frozenset[str]:
    """Words of the link's path: each ``-``/``_``-separated part and each segment joined
    (``page-spy-web`` -> page, spy, web, pagespyweb)."""
    if key.startswith("wechat:") or "/" not in key:
        return frozenset()
    path = key.split("/", 1)[1].partition("?")[0].partition("#")[0].casefold()
    out: set[str] = set()
    for segment in path.split("/"):
        parts = [p for p in re.split(r"[\W_]+", segment) if p]
        out.update(parts)
        out.add("".join(parts))
    return frozenset(out) - _GENERIC_PATH_WORDS


_RUBRIC_DROP = re.compile(r"[\W\d_]+", re.UNICODE)


def rubric(item: Item) -> str:
    """The item's section title reduced to its words: ``## 3、工具`` -> ``工具``."""
    if item.section is None:
        return ""
    return _RUBRIC_DROP.sub("", plain_text(item.section.block.children)).casefold()


def _line_span(item: Item) -> Span:
    """The line holding the item's primary link (cheap: no inline re-tokenizing)."""
    link = item.link
    block = link.block if link is not None and link.block is not None else item.block
    if block is None or block is item.block:
        return item.title_span
    return first_line_span(block)


class DuplicateItem(Rule):
    code = "BL006"
    cross_file = True

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        seen: dict[str, list[Item]] = {}
        for key, item in _item_links(ctx):
            earlier_items = seen.setdefault(key, [])
            earlier_items.append(item)
            if len(earlier_items) == 1:
                continue
            words = story_words(linked_title(item), key)
            earlier = next(
                (
                    e
                    for e in earlier_items[:-1]
                    if _same_story(story_words(linked_title(e), key), words)
                ),
                None,
            )
            if earlier is None:
                continue
            assert item.link is not None and earlier.link is not None
            line = ctx.doc.line_of(earlier.link.span.start) + 1
            yield ctx.report(item.link.span, ctx.message("same_file", line=line), kind="same-file")

    def facts(self, ctx: RuleContext) -> Any:
        """The first occurrence of each item link of the file (picklable)."""
        if not ctx.options["across_files"]:
            return None
        seen: dict[str, ItemLink] = {}
        rubrics: dict[int, str] = {}  # by section heading: many items share one
        line_of = ctx.doc.line_of
        for key, item in _item_links(ctx):
            if key in seen:
                continue
            link = item.link
            block = link.block if link is not None and link.block is not None else item.block
            found = block.one_line_range() if block is not None else None
            if found is None:
                span = _line_span(item)
                found = (line_of(span.start), span.start, span.end)
            section = item.section
            name = rubrics.get(id(section))
            if name is None:
                name = rubrics[id(section)] = rubric(item)
            seen[key] = ItemLink(key, found[0] + 1, found[1], found[2], name, linked_title(item))
        return tuple(seen.values())

    def check_run(
        self, facts: Mapping[str, Any], options: Mapping[str, Any]
    ) -> Iterable[tuple[str, Diagnostic]]:
        """A warning in every file whose item link also appears in another file of the run."""
        if not options.get("across_files", True):
            return []
        where: dict[str, list[tuple[str, ItemLink]]] = {}
        for path in sorted(facts):
            for entry in facts[path] or ():
                where.setdefault(entry.key, []).append((path, entry))
        meta = self.meta()
        severity = meta.kinds.get("cross-file", meta.severity)
        out: list[tuple[str, Diagnostic]] = []
        recurring = int(options.get("recurring_files", 3))
        same_rubric = options.get("cross_file_sections", "same") == "same"
        for key, occurrences in where.items():
            if len(occurrences) < 2 or (recurring and len(occurrences) >= recurring):
                continue
            words = {id(e): story_words(e.title, key) for _p, e in occurrences}
            for path, entry in occurrences:
                others = [
                    (p, e)
                    for p, e in occurrences
                    if p != path
                    and (
                        not same_rubric
                        or not e.rubric
                        or not entry.rubric
                        or e.rubric == entry.rubric
                    )
                    and _same_story(words[id(e)], words[id(entry)])
                ]
                if not others:
                    continue
                other_path, other = others[0]
                more = meta.message("others", count=len(others) - 1) if len(others) > 1 else ""
                diagnostic = Diagnostic(
                    code=meta.code,
                    name=meta.name,
                    span=Span(entry.start, entry.end),
                    message=meta.message(
                        "cross_file", path=other_path, line=other.line, others=more
                    ),
                    severity=severity,
                    kind="cross-file",
                    data={"other_path": other_path, "other_line": other.line},
                )
                out.append((path, diagnostic))
        out.sort(key=lambda pd: (pd[0], pd[1].span.start))
        return out


def _same_story(a: frozenset[str], b: frozenset[str]) -> bool:
    """Titles that share a word (or cannot be compared) tell the same story."""
    return not a or not b or bool(a & b)
