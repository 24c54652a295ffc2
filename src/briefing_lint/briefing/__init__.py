"""The news-item model: what the items of a briefing are, their numbers, links and sections.

BL002 (source attribution), BL003 (item numbering), BL005 (stated count) and BL006
(duplicate item) all judge *items*. They must agree on what an item is, so the detection
lives here, is computed once per document (cached on the :class:`~.document.Document`,
keyed by the selector) and is shared by every rule of a run.

Item shapes
-----------
Before a block's number marker or link, *decoration* is skipped: emoji and pictographs
(``🐕`` ``🔥``), bullet symbols (``·`` ``•`` ``▶`` ``→``), short bracketed tags (``【工具】``
``[新闻]`` ``〔观点〕``), leading inline HTML (``<font>``) and emphasis. Decoration followed by
words (``🔥 本周要闻 [链接](url)``) is a label, not an item.

``heading``
    A heading that carries a number marker (``### <font color="red">1、标题</font>``,
    ``# 1. [标题](url)``, ``## [1. 标题](url)``, ``### 🔥 1、[标题](url)``) or whose first
    meaningful inline, after decoration, is a link (``## [标题](url)``, ``### 🐕 [标题](url)``,
    ``### 【工具】[标题](url)``). Only one heading level holds items: the most frequent level
    among such headings (or ``item_heading_level``). A numbered heading whose section holds
    other items (numbered paragraphs or deeper item headings), such as ``## 一、行业动态``
    above ``1、[标题](url)`` paragraphs, is a *section*, not an item. The primary link is the
    heading's first link, or else the first link of its body (``项目地址：https://…``).
``paragraph``
    A paragraph that starts with a number marker followed (after decoration) by a link:
    ``1、[标题](url)（英文）``, ``1\\. [标题](url)``, ``（1）[标题](url)``, ``[1. 标题](url)``,
    ``1、【AI】[标题](url)``. Without a number a paragraph is never an item.
``list-item``
    A top-level list item whose first meaningful inline, after decoration, is a link:
    ``- [标题](url) - 说明``, ``1. [标题](url)``, ``- ▶ [标题](url)``, ``- 【工具】[标题](url)``.
    Nested list items belong to the body of the item they are in.

Precedence, when several shapes appear in one file (``items: auto``, the default):

1. numbered shapes win over plain lists. If the file has heading items or numbered-paragraph
   items, the more numerous of the two is the file's item shape (headings on a tie) and
   list items are *not* items: a trailing ``# 其他`` list of links under numbered headings
   is boilerplate, not news, and BL005 does not count it;
2. heading items without a number come next: they are the items when at least as many as
   the list items;
3. list items are items only in a file with neither (awesome-list style).

Tables, code, HTML blocks and front matter never hold items. ``items: headings | paragraphs
| list-items`` forces one shape.

Non-news blocks
---------------
Sponsor, jobs, share/subscribe, references and promo blocks (the newsletter's own back
issues and posts) hold no items, whatever their shape. A block is opened by a heading whose
text names the kind (``## 本期赞助``, ``## Jobs``, ``### 往期回顾``; patterns in
``rules/sections.yaml``, extended by the config key ``items.exclude_sections``) and runs to
the next heading of the same or a higher level; by an item heading whose title starts with
a tag (``### [招聘｜某公司](url)``, ``### Sponsor: …``); or by a lone label paragraph
(``参考链接：``, ``**References:**``) followed by a list (the list) or by link paragraphs (up
to the first other block or a number that does not continue them). A heading that would
take in most of the file's items is its title, not a block. The blocks are
:attr:`Briefing.non_news_ranges` (:meth:`Briefing.section_kind_at`); the blocks of the item
shape inside them are :attr:`Briefing.non_news`, which BL003 sees only where they take the
next number of the news sequence (a sponsor slot numbered 9 between 8 and 10).

Number markers (the plain text after decoration and one optional link bracket): ``dot``
``1.`` ``1\\.``; ``dunhao`` ``1、``; ``paren_r`` ``1)`` ``1）``; ``paren_both`` ``(1)`` ``（1）``;
``cn_dunhao`` ``一、`` ``十二、``; ``circled`` ``①``; ``no`` ``No.1`` ``#1``; ``bare_padded`` ``01
标题`` (only when some number of the file is zero-padded); ``list`` for CommonMark
ordered-list markers. A marker glued to a Latin word (``[4.DeepSeek …](url)``,
``4.DeepSeek``) is a marker only when the previous or next number of the file continues it
(``3.NET`` alone is a name). Guards: decimals and versions (``3.0 发布``, ``1.1 小节``,
``1.x``), numbers with more than three digits (``2024 年``), numbers glued to a word (``5G``,
``3D``) and counts (``10 个技巧``) are not markers.

Sections: an item's section is the nearest heading above it of a higher level (for
paragraphs and list items: the nearest heading above it). An item's body runs to the next
item or the next heading of the same or a higher level, whichever comes first.
"

The model is cut at its seams: :mod:`.numbers` (numerals and markers), :mod:`.model` (items
and the result), :mod:`.lead` (how a block starts), :mod:`.candidates`, :mod:`.ranges`
(non-news blocks) and :mod:`.detector` (choosing the items). Link identity (``host_of``,
``canonical_link``) lives with the URLs, in :mod:`briefing_lint.urls`; it is re-exported here.
"""

from __future__ import annotations

from ..urls import canonical_link, host_in, host_of, host_set
from .detector import items, items_for
from .lead import analyse_lead, link_close_index, plain_text
from .model import (
    SELECTOR_CHOICES,
    Briefing,
    Item,
    ItemSelector,
    NonNewsRange,
    Shape,
    first_line_span,
)
from .numbers import (
    CN_DIGITS,
    CN_NUMERAL,
    CN_UNITS,
    NUMBER,
    STYLE_FAMILY,
    MarkerMatch,
    NumberMarker,
    cn_to_int,
    format_number,
    int_to_cn,
    match_marker,
    parse_count,
)

__all__ = [
    "CN_DIGITS",
    "CN_NUMERAL",
    "CN_UNITS",
    "NUMBER",
    "SELECTOR_CHOICES",
    "STYLE_FAMILY",
    "Briefing",
    "Item",
    "ItemSelector",
    "MarkerMatch",
    "NonNewsRange",
    "NumberMarker",
    "Shape",
    "analyse_lead",
    "canonical_link",
    "cn_to_int",
    "first_line_span",
    "format_number",
    "host_in",
    "host_of",
    "host_set",
    "int_to_cn",
    "items",
    "items_for",
    "link_close_index",
    "match_marker",
    "parse_count",
    "plain_text",
]
