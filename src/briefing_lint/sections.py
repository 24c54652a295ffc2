"""Non-news sections (sponsor, jobs, share, references, promo) recognised from their heading.

Several rules must agree on which part of a briefing is not news: BL002/BL003/BL005/BL006 do
not take items from it, and BL001 treats campaign tags inside a sponsor section differently.
The patterns are data (``rules/sections.yaml``), extended per kind by the user's
``items.exclude_sections`` config key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from .ruledata import load_table
from .safe_regex import compile_user_regex

#: Decoration before a section title: emoji and symbols, bullets, brackets, emphasis, number
#: markers (``1.`` ``1、`` ``一、`` ``(3)`` ``#2``), and white space.
_LEAD = re.compile(
    r"^(?:[\s*_~`#>|\[\]【】〔〕［］()（）<>《》「」『』:：·•▶►▷→»\-–—=+]"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]"
    r"|(?:\d{1,3}|[一二三四五六七八九十]{1,3})[.、)）:：]?(?=\s|[^\d.])"
    r")+"
)
_TAIL = re.compile(r"[\s*_~`:：。.!！\]】)）]+$")


@functools.cache
def _default_patterns() -> dict[str, tuple[str, ...]]:
    table = load_table("sections")
    return {kind: tuple(str(p) for p in spec["patterns"]) for kind, spec in table["kinds"].items()}


def kinds() -> tuple[str, ...]:
    """The section kinds the data file defines, in its order."""
    return tuple(_default_patterns())


@functools.cache
def _compiled(
    extra: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """Per kind, the data file's patterns (one regex) and the user's own (each on RE2, as
    every user pattern is: linear time whatever they write)."""
    merged: dict[str, list[re.Pattern[str]]] = {
        kind: [re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)]
        for kind, patterns in _default_patterns().items()
        if patterns
    }
    for kind, patterns in extra:
        merged.setdefault(kind, []).extend(
            compile_user_regex(p, re.IGNORECASE) for p in patterns
        )
    return tuple((kind, tuple(found)) for kind, found in merged.items() if found)


def normalise_title(text: str) -> str:
    """A heading's text without its decoration, lower-cased: ``## 🎯 【赞助】：`` → ``赞助``."""
    text = _LEAD.sub("", text, count=1)
    return _TAIL.sub("", text).strip().lower()


def section_kind(title: str, extra: Mapping[str, Sequence[str]] | None = None) -> str | None:
    """The non-news kind a heading's text names, or None for an ordinary (news) section.

    ``extra`` adds patterns per kind (the user's ``items.exclude_sections``); a kind not in
    the data file is allowed and simply names a new non-news kind.
    """
    norm = normalise_title(title)
    if not norm:
        return None
    key = tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))
    # A bracketed tag names the section's kind on its own: `## [活动] 开发者大会`.
    tag = _HEADING_TAG.match(title.lstrip("# \t"))
    names = (norm, normalise_title(tag.group(1))) if tag else (norm,)
    for kind, patterns in _compiled(key):
        if any(pattern.match(name) for name in names for pattern in patterns):
            return kind
    return None


_HEADING_TAG = re.compile(r"[\[【〔［]\s*([^\]】〕］]{1,12}?)\s*[\]】〕］]")


#: A tag at the start of an item's title: ``【招聘】`` ``[Sponsor]`` ``（广告）`` or a label
#: before ``:`` ``：`` ``|`` ``｜`` (``招聘｜…``, ``Sponsored: …``).
_TAG = re.compile(
    r"^\s*(?:【(?P<a>[^【】]{1,12})】|\[(?P<b>[^\[\]]{1,12})\]|[(（](?P<c>[^()（）]{1,12})[)）]"
    r"|(?P<d>[^:：|｜\[\]【】()（）]{1,12}?)\s*[:：|｜])"
)


def tag_kind(title: str, extra: Mapping[str, Sequence[str]] | None = None) -> str | None:
    """The non-news kind an *item's* title announces, or None.

    Stricter than :func:`section_kind`, because an item title is news prose: only a tag
    (``【招聘】…``, ``Sponsor: …``, ``内推｜…``) or a title that is nothing but the name of a
    kind (``往期回顾``, ``Sponsors``) counts; ``广告拦截器发布`` and ``Contact tracing`` do not.
    """
    stripped = _LEAD_DECOR.sub("", title)
    m = _TAG.match(stripped)
    if m is not None:
        tag = next(g for g in m.groups() if g is not None)
        kind = section_kind(tag, extra)
        if kind is not None:
            return kind
    norm = normalise_title(title)
    if not norm:
        return None
    key = tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))
    for kind, patterns in _compiled(key):
        for pattern in patterns:
            found = pattern.match(norm)
            if found is not None and len(norm) - found.end() <= 1:
                return kind
    return None


#: Emoji, symbols and white space before a tag (``🔥 【招聘】``).
_LEAD_DECOR = re.compile(r"^[\s\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D·•▶►]+")
