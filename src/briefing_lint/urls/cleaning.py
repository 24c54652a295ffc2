"""Cleaning one URL: which query (and fragment) keys go, and what the URL becomes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .data import ruleset
from .model import (
    MEMO_LIMIT,
    Cleaning,
    KeyMatcher,
    Provider,
    Removal,
    RuleSet,
    first_class,
    remember,
)
from .parts import Segment, UrlParts, is_cleanable, join_query, split_query, split_url


def _decide(
    seg: Segment, rules: RuleSet, provider: Provider | None, mode: str, allowed: KeyMatcher
) -> Removal | None:
    """Whether one key goes, and as what; ``mode`` is keep, fallback, remove or global."""
    key = seg.key
    if not seg.text or not key or allowed(key):
        return None
    if provider is not None and provider.never(key):
        return None
    if rules.user_remove(key):
        return Removal(seg.raw_key, "tracking")
    global_cls = rules.global_class(key) or rules.value_class(key, seg.value)
    if provider is not None and mode == "keep":
        return _by_keep_list(seg, provider, global_cls)
    if provider is not None:
        listed = (_by_fallback if mode == "fallback" else _by_remove_list)(
            seg, provider, global_cls
        )
        if listed is not None:
            return listed
    if global_cls is not None:
        return Removal(seg.raw_key, global_cls)
    return None


def _by_keep_list(seg: Segment, provider: Provider, global_cls: str | None) -> Removal | None:
    """Keep-list mode: every key the provider does not keep goes."""
    assert provider.keep is not None
    if provider.keep(seg.key):
        return None
    cls = provider.classify(seg.key) or global_cls or provider.default_class
    return Removal(seg.raw_key, cls, provider.verified or global_cls is not None)


def _by_fallback(seg: Segment, provider: Provider, global_cls: str | None) -> Removal | None:
    """An incomplete keep-list link: only credential and identifying keys go."""
    found = provider.classify(seg.key) or global_cls
    if found in ("credential", "identifying"):
        return Removal(seg.raw_key, found, provider.verified or global_cls is not None)
    return None


def _by_remove_list(seg: Segment, provider: Provider, global_cls: str | None) -> Removal | None:
    """Remove-list mode (also fragment parameters): the keys the provider lists go."""
    key = seg.key
    listed = first_class(provider.remove, key)
    if listed is not None:
        listed = provider.classify(key) or listed
        return Removal(seg.raw_key, listed, provider.verified or global_cls is not None)
    doubtful = first_class(provider.remove_unverified, key)
    if doubtful is not None and global_cls is None:
        return Removal(seg.raw_key, provider.classify(key) or doubtful, False)
    return None


def _fragment_params(fragment: str) -> bool:
    """A fragment that is a ``k=v&...`` list (not a route or an anchor)."""
    return "=" in fragment and not any(c in fragment for c in "/?#")


def needs_cleaning(url: str, rules: RuleSet | None = None) -> bool:
    """Whether :func:`clean_url` changes ``url``, or finds it incomplete or its token bad.

    Most URLs are decided without cleaning them: with no provider for their host, only a
    global or user-listed key, or an http->https upgrade, can change them.
    """
    rules = rules or ruleset()
    answer = rules.needs_memo.get(url)
    if answer is None:
        found = rules.memo.get(url)
        if found is None and not _may_change(url, rules):
            answer = False
        else:
            found = found or clean_url(url, rules)
            answer = found.changed or bool(found.incomplete) or found.bad_token is not None
        remember(rules.needs_memo, url, answer)
    return answer


def _may_change(url: str, rules: RuleSet) -> bool:
    """False only where :func:`_clean` surely finds nothing (it follows its steps)."""
    parts = split_url(url)
    if not is_cleanable(parts):
        return False
    host = parts.host
    if rules.providers_for(host):
        return True
    if parts.scheme.lower() == "http:" and host in rules.upgrade_hosts:
        return True
    segments = split_query(parts.query) if parts.query else []
    fragment = parts.fragment
    if fragment is not None and _fragment_params(fragment):
        segments += split_query(fragment)
    return any(
        seg.text
        and seg.key
        and (
            rules.user_remove(seg.key)
            or rules.global_class(seg.key)
            or rules.value_class(seg.key, seg.value)
        )
        for seg in segments
    )


def clean_url(
    url: str, rules: RuleSet | None = None, spare: frozenset[str] = frozenset()
) -> Cleaning:
    """Classify and strip what ``url`` should not carry; the input is never re-encoded.

    ``spare``: normalised keys whose *tracking* removals are left out (the newsletter's own
    campaign tags, a sponsor's tags); identifying and credential keys are never spared.
    """
    rules = rules or ruleset()
    if spare:
        spared = rules.spared_memo
        key = (url, spare)
        hit = spared.get(key)
        if hit is None:
            if len(spared) >= MEMO_LIMIT:
                spared.clear()
            hit = spared[key] = _clean(url, rules, spare)
        return hit
    memo = rules.memo
    found = memo.get(url)
    if found is None:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        found = memo[url] = _clean(url, rules)
    return found


def _continued(segments: Sequence[Segment], dropped: set[int]) -> bool:
    """Whether a dropped ``key=value`` is followed by a kept piece without ``=``: an
    unencoded ``&`` inside the value (``utm_source=Q&A&id=1``) or a flag; dropping the
    segment alone would leave half a value behind, so no fix can be offered."""
    for i in dropped:
        if i + 1 < len(segments) and i + 1 not in dropped:
            nxt = segments[i + 1]
            if nxt.text and "=" not in nxt.text and segments[i].has_value:
                return True
    return False


@dataclass(frozen=True)
class _Scope:
    """What every key of one URL is decided against."""

    rules: RuleSet
    provider: Provider | None
    allowed: KeyMatcher
    spare: frozenset[str]

    def collect(
        self, segments: list[Segment], mode: str, place: str, removed: list[Removal]
    ) -> _Drops:
        """Decide each segment; append the removals to ``removed``."""
        drops = _Drops(segments)
        for i, seg in enumerate(segments):
            r = _decide(seg, self.rules, self.provider, mode, self.allowed)
            if r is not None and self.spare and r.cls == "tracking" and seg.key in self.spare:
                r = None
            if r is not None:
                removed.append(r if place == "query" else replace(r, place=place))
                (drops.safe if r.safe else drops.unsafe).add(i)
        return drops


@dataclass
class _Drops:
    """The segments of a query (or fragment) and which of them go."""

    segments: list[Segment]
    safe: set[int] = field(default_factory=set)
    unsafe: set[int] = field(default_factory=set)

    def kept(self, drop: set[int]) -> str | None:
        kept = [s for i, s in enumerate(self.segments) if i not in drop and s.text]
        return join_query(kept) if kept else None


def _clean(url: str, rules: RuleSet, spare: frozenset[str] = frozenset()) -> Cleaning:
    """The steps: leave alone, check a keep-list link, decide the query keys, then the
    fragment, then the scheme; build the safe, unsafe and full variants."""
    parts = split_url(url)
    segments = split_query(parts.query) if parts.query else []
    left_alone = _left_alone(url, parts, segments, rules)
    if left_alone is not None:
        return left_alone
    host = parts.host
    provider, match = rules.provider_for(host, parts.path, url)
    label = provider.label if provider is not None else f"`{host}` link"
    name = provider.name if provider else ""
    base = Cleaning(url, url, url, url, provider=name, label=label, host=host)
    scope = _Scope(rules, provider, rules.allowed(host), spare)
    mode = "global"
    if provider is not None:
        mode = "remove" if provider.keep is None else "keep"
    if provider is not None and mode == "keep":
        checked = _check_keep_link(base, provider, match, parts, segments, scope)
        if isinstance(checked, Cleaning):
            return checked
        mode = checked
    removed: list[Removal] = []
    query = scope.collect(segments, mode, "query", removed)
    dropped = _dropped_fragment(parts.fragment, provider, mode, rules)
    frag = _fragment_drops(parts.fragment, dropped, scope, mode, removed)
    upgraded = parts.scheme.lower() == "http:" and host in rules.upgrade_hosts
    if not removed and dropped is None and not upgraded:
        return base  # nothing to drop: every variant is the URL itself
    drop_fragment = dropped is not None
    return replace(
        base,
        safe_url=_rebuild(url, parts, query.safe, frag.safe, drop_fragment, upgraded, query, frag),
        unsafe_url=_rebuild(url, parts, query.unsafe, frag.unsafe, False, False, query, frag),
        full_url=_rebuild(
            url,
            parts,
            query.safe | query.unsafe,
            frag.safe | frag.unsafe,
            drop_fragment,
            upgraded,
            query,
            frag,
        ),
        removed=tuple(removed),
        dropped_fragment=dropped,
        upgraded=upgraded,
        ambiguous=_continued(query.segments, query.safe | query.unsafe)
        or _continued(frag.segments, frag.safe | frag.unsafe),
    )


def _left_alone(
    url: str, parts: UrlParts, segments: Sequence[Segment], rules: RuleSet
) -> Cleaning | None:
    """Not a web URL, a global exception, or a protecting expiry marker: nothing is looked at."""
    host = parts.host
    if not is_cleanable(parts):
        return Cleaning(url, url, url, url, host=host)
    if any(p.search(url) for p in rules.exceptions):
        return Cleaning(url, url, url, url, host=host, protected="exception")
    present = [s.key for s in segments if s.key]
    protect = next((m for m in rules.markers_for(host, parts.path, present) if m.protect), None)
    if protect is not None:
        return Cleaning(url, url, url, url, host=host, protected=protect.name)
    return None


def _check_keep_link(
    base: Cleaning,
    provider: Provider,
    match: Any,
    parts: UrlParts,
    segments: Sequence[Segment],
    scope: _Scope,
) -> Cleaning | str:
    """A keep-list link with a bad token, or missing a required key, is reported as it is
    (or, missing a key, cleaned in fallback mode); otherwise it is cleaned in keep mode."""
    bad = _bad_token(base, provider, match, parts)
    if bad is not None:
        return bad
    have = {s.key for s in segments if s.value}
    missing = tuple(k for k in provider.require_all if k not in have)
    if missing and provider.on_incomplete == "report":
        return replace(base, incomplete=missing, present=_sensitive(segments, scope))
    return "fallback" if missing else "keep"


def _bad_token(base: Cleaning, provider: Provider, match: Any, parts: UrlParts) -> Cleaning | None:
    """A keep-list link whose path token is malformed: report it (with a repair if one fits)."""
    if (
        provider.token is None
        or not isinstance(match, re.Match)
        or "token" not in match.re.groupindex
    ):
        return None
    token = match.group("token")
    if provider.token.fullmatch(token):
        return None
    fixed = token
    for old, new in provider.token_repair:
        fixed = fixed.replace(old, new)
    repaired = None
    if fixed != token and provider.token.fullmatch(fixed):
        start, end = match.span("token")
        path = parts.path[:start] + fixed + parts.path[end:]
        repaired = replace(parts, path=path).join()
    return replace(base, bad_token=token, repaired_url=repaired)


def _sensitive(segments: Sequence[Segment], scope: _Scope) -> tuple[Removal, ...]:
    """The credential and identifying keys of an incomplete link that is left alone."""
    sensitive = []
    for seg in segments:
        r = _decide(seg, scope.rules, scope.provider, "fallback", scope.allowed)
        if r is not None and r.cls in ("credential", "identifying"):
            sensitive.append(r)
    return tuple(sensitive)


def _dropped_fragment(
    fragment: str | None, provider: Provider | None, mode: str, rules: RuleSet
) -> str | None:
    """The fragment a keep-list provider drops whole, or None."""
    if fragment is None or provider is None or mode != "keep":
        return None
    policy = provider.fragment
    if policy == "all" or (
        isinstance(policy, tuple)
        and rules.strip_fragments
        and any(p.fullmatch(fragment) for p in policy)
    ):
        return fragment
    return None


def _fragment_drops(
    fragment: str | None, dropped: str | None, scope: _Scope, mode: str, removed: list[Removal]
) -> _Drops:
    """The ``k=v`` parameters of a fragment kept whole, decided like query keys."""
    if fragment is None or dropped is not None or not _fragment_params(fragment):
        return _Drops([])
    frag_mode = "remove" if scope.provider is not None and mode != "global" else "global"
    return scope.collect(split_query(fragment), frag_mode, "fragment", removed)


def _rebuild(
    url: str,
    parts: UrlParts,
    q_drop: set[int],
    f_drop: set[int],
    drop_fragment: bool,
    upgrade: bool,
    query: _Drops,
    frag: _Drops,
) -> str:
    """``url`` without the ``q_drop`` and ``f_drop`` segments (and fragment, and with https)."""
    if not q_drop and not f_drop and not drop_fragment and not upgrade:
        return url  # what join() would give back
    new_query = query.kept(q_drop) if q_drop else parts.query
    new_frag = None if drop_fragment else parts.fragment
    if f_drop:
        new_frag = frag.kept(f_drop)
    new_scheme = "https:" if upgrade else parts.scheme
    return UrlParts(new_scheme, parts.authority, parts.path, new_query, new_frag).join()
