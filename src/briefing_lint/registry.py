"""The built-in rules, in the order they run, and lookup by code or kebab name."""

from __future__ import annotations

import functools

from .rule import Rule
from .rules.accidental_list import AccidentalList
from .rules.bare_url_boundary import BareUrlBoundary
from .rules.cjk_punctuation import CjkPunctuation
from .rules.cjk_spacing import CjkSpacing
from .rules.dead_link import DeadLink
from .rules.duplicate_item import DuplicateItem
from .rules.emphasis_not_rendered import EmphasisNotRendered
from .rules.ephemeral_link import EphemeralLink
from .rules.fullwidth_link_syntax import FullwidthLinkSyntax
from .rules.image_hosts import ImageHosts
from .rules.item_numbering import ItemNumbering
from .rules.link_text_whitespace import LinkTextWhitespace
from .rules.redirect_wrapper import RedirectWrapper
from .rules.short_link import ShortLink
from .rules.source_attribution import SourceAttribution
from .rules.stated_count import StatedCount
from .rules.too_deep import TooDeep
from .rules.tracking_params import TrackingParams
from .rules.unused_suppression import UnusedSuppression

#: Explicit, ordered: adding a rule means adding it here, its YAML and its fixture file.
RULES: tuple[type[Rule], ...] = (
    TrackingParams,
    SourceAttribution,
    ItemNumbering,
    ImageHosts,
    StatedCount,
    DuplicateItem,
    BareUrlBoundary,
    FullwidthLinkSyntax,
    AccidentalList,
    LinkTextWhitespace,
    RedirectWrapper,
    ShortLink,
    EphemeralLink,
    DeadLink,
    UnusedSuppression,
    TooDeep,
    CjkSpacing,
    CjkPunctuation,
    EmphasisNotRendered,
)


class UnknownRuleError(KeyError):
    """A code or name that no rule has."""

    def __str__(self) -> str:
        return f"unknown rule {self.args[0]!r}"


@functools.cache
def rules_by_code() -> dict[str, type[Rule]]:
    return {rule.code: rule for rule in RULES}


@functools.cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for rule in RULES:
        meta = rule.meta()
        table[meta.code.lower()] = meta.code
        table[meta.name.lower()] = meta.code
        table[meta.name.replace("-", "_").lower()] = meta.code
    return table


def resolve(code_or_name: str) -> str:
    """``"BL001"``, ``"bl001"``, ``"tracking-params"`` and ``"tracking_params"`` all give ``BL001``.

    A prefix such as ``"BL"`` or ``"BL00"`` is not a rule; use ``ALL`` for every rule.
    """
    key = code_or_name.strip().lower()
    try:
        return _aliases()[key]
    except KeyError:
        raise UnknownRuleError(code_or_name) from None


def all_codes() -> list[str]:
    return [rule.code for rule in RULES]
