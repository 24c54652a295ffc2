"""BL004 image-hosts: images that readers will not see, and image hygiene.

Host policies and the generic tables live in ``rules/image-hosts.yaml`` so they can be
reviewed and extended without touching code. Every image source is checked: Markdown and
reference images, images inside links, ``<img src>`` in inline and block HTML, plus
``![](file:…)`` / ``![](data:image/svg+xml…)`` that markdown-it refuses to turn into images.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from .. import localfiles
from ..config import ConfigError
from ..diagnostics import Diagnostic, Edit, Fix, Severity, Span
from ..document import Document, InlineBlock, Link, TextNode
from ..online import results as online_results
from ..rule import Rule, RuleContext
from ..ruledata import RuleDataError, load_table
from ..safe_regex import RegexError, compile_user_regex
from ..urls import Segment, filter_query, split_query, split_url

_STATUSES = ("block", "unreliable", "ok")
_LOWER = {Severity.ERROR: Severity.WARNING, Severity.WARNING: Severity.INFO}
_NO_REFERRER_ATTR = re.compile(
    r"""\breferrerpolicy\s*=\s*(["']?)no-referrer\1(?=[\s/>]|$)""", re.IGNORECASE
)
_NO_REFERRER_META = re.compile(
    r"""<meta\b(?=[^>]*\bname\s*=\s*["']?referrer\b)[^>]*\bcontent\s*=\s*(["']?)no-referrer\1""",
    re.IGNORECASE,
)
_ALT_ATTR = re.compile(r"""(?<![\w-])alt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_HTTP_SCHEME = re.compile(r"\s*<?\s*(http)(?=://)", re.IGNORECASE)
#: ``width="1"`` / ``height=1`` (or 0) in an ``<img>`` tag: a pixel, not a picture.
_PIXEL_ATTR = re.compile(
    r"""(?<![\w-])(width|height)\s*=\s*(["']?)\s*[01]\s*(?:px)?\s*\2(?=[\s/>]|$)""", re.I
)
#: Local paths that are not file names yet: template syntax (Jekyll, Hugo, MDX expressions)
#: and bundler aliases (``@site/static/…``, ``@/assets/…``).
_NOT_A_FILE = re.compile(r"[{}]|<%|%>|^@")
# ``![alt](dest`` left as text because markdown-it refused the destination.
_TEXT_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*(<[^>\n]*>|[^)\n]*)")


# -- rule data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostPattern:
    """``host``, ``*.host`` (it and its subdomains), ``re:<regex>``, optionally ``host/path``."""

    text: str
    exact: str = ""
    suffix: str = ""
    regex: re.Pattern[str] | None = None
    path_prefix: str = ""

    @classmethod
    def parse(cls, text: str) -> HostPattern:
        text = str(text).strip()
        if text.startswith("re:"):
            return cls(text, regex=compile_user_regex(text[3:], re.IGNORECASE))
        host, slash, path = text.partition("/")
        host = host.lower()
        prefix = "/" + path if slash else ""
        if host.startswith("*."):
            return cls(text, suffix=host[2:], path_prefix=prefix)
        if host.startswith("."):
            return cls(text, suffix=host[1:], path_prefix=prefix)
        return cls(text, exact=host, path_prefix=prefix)

    def matches_host(self, host: str) -> bool:
        if self.regex is not None:
            return self.regex.search(host) is not None
        if self.suffix:
            return host == self.suffix or host.endswith("." + self.suffix)
        return host == self.exact

    def matches(self, host: str, path: str = "") -> bool:
        if not self.matches_host(host):
            return False
        return not self.path_prefix or path.startswith(self.path_prefix)


@dataclass(frozen=True)
class HostPolicy:
    """One entry of ``hosts`` (or of the ``host_policies`` option)."""

    pattern: HostPattern
    status: str
    reason: str = ""
    since: str = ""
    audience: frozenset[str] = frozenset()
    alternative: str = ""
    referer: bool = False
    https: bool = False
    ok_on: frozenset[str] = frozenset()
    path: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None

    def matches(self, url: _Url) -> bool:
        if not self.pattern.matches(url.host, url.path):
            return False
        if self.path is not None and self.path.search(url.path) is None:
            return False
        return self.unless is None or self.unless.search(url.text) is None

    def applies_to(self, audience: frozenset[str]) -> bool:
        return not self.audience or bool(self.audience & audience)


def _str_set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value.lower()})
    return frozenset(str(v).lower() for v in value)


def _regex(value: Any) -> re.Pattern[str] | None:
    if value is None or value == "":
        return None
    text = str(value)
    if text.startswith("re:"):
        text = text[3:]
    return compile_user_regex(text, re.IGNORECASE)


def parse_policy(entry: Any, status_required: bool = True) -> HostPolicy:
    """Validate one host entry; raises ValueError naming the problem."""
    if not isinstance(entry, Mapping) or "match" not in entry:
        raise ValueError("expected a mapping with a 'match' key")
    status = str(entry.get("status", "" if status_required else "block"))
    if status not in _STATUSES:
        raise ValueError(f"status must be one of {', '.join(_STATUSES)}, got {status!r}")
    since = entry.get("since")
    try:
        return HostPolicy(
            pattern=HostPattern.parse(str(entry["match"])),
            status=status,
            reason=str(entry.get("reason") or "").strip(),
            since="" if since is None else str(since),
            audience=_str_set(entry.get("audience")),
            alternative=str(entry.get("alternative") or "").strip(),
            referer=bool(entry.get("referer", False)),
            https=bool(entry.get("https", False)),
            ok_on=_str_set(entry.get("ok_on")),
            path=_regex(entry.get("path")),
            unless=_regex(entry.get("unless")),
        )
    except RegexError as exc:
        raise ValueError(str(exc)) from None


@dataclass(frozen=True)
class ImageData:
    """The parsed ``rules/image-hosts.yaml``."""

    hosts: tuple[HostPolicy, ...]
    https_known: tuple[HostPattern, ...]
    pages: tuple[HostPolicy, ...]
    signed_params: frozenset[str]
    signed_sets: tuple[frozenset[str], ...]
    local_paths: tuple[re.Pattern[str], ...]
    default_alts: tuple[re.Pattern[str], ...]
    wechat_images: re.Pattern[str]
    wechat_noise: tuple[str, ...]
    tracking_paths: tuple[re.Pattern[str], ...] = ()
    tracking_hosts: tuple[HostPolicy, ...] = ()
    #: ``default_alts`` as one pattern (one call per alt text), when they combine.
    default_alt: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        if not any(_UNCOMBINABLE.search(p.pattern) for p in self.default_alts):
            object.__setattr__(self, "default_alt", _either(self.default_alts))

    def is_default_alt(self, alt: str) -> bool:
        if self.default_alt is not None:
            return self.default_alt.fullmatch(alt) is not None
        return any(p.fullmatch(alt) for p in self.default_alts)

    def local_path(self, text: str) -> bool:
        return any(p.search(text) for p in self.local_paths)

    def tracking_pixel(self, url: _Url) -> bool:
        """The URL is a known email open-tracking pixel."""
        if not url.host:
            return False
        if any(p.search(url.path) for p in self.tracking_paths):
            return True
        return any(p.matches(url) for p in self.tracking_hosts)


#: Group references, named groups and global flags: a pattern using them cannot be one
#: branch of a bigger pattern.
_UNCOMBINABLE = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?\(|\(\?[aiLmsux]+\)")


def _either(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` (all case-insensitive) matches."""
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


@functools.cache
def image_data() -> ImageData:
    """Built-in rule data, validated once."""
    table = load_table("image-hosts")
    try:
        return ImageData(
            hosts=tuple(parse_policy(e) for e in table["hosts"]),
            https_known=tuple(HostPattern.parse(h) for h in table.get("https_known") or ()),
            pages=tuple(parse_policy(e, False) for e in table.get("pages") or ()),
            signed_params=frozenset(str(p).lower() for p in table.get("signed_params") or ()),
            signed_sets=tuple(_str_set(s) for s in table.get("signed_sets") or ()),
            local_paths=tuple(re.compile(p, re.I) for p in table.get("local_paths") or ()),
            default_alts=tuple(re.compile(p, re.I) for p in table.get("default_alts") or ()),
            wechat_images=re.compile(str(table["wechat_images"]), re.I),
            wechat_noise=tuple(str(p).lower() for p in table.get("wechat_noise_params") or ()),
            tracking_paths=tuple(
                re.compile(p, re.I) for p in table.get("tracking_pixel_paths") or ()
            ),
            tracking_hosts=tuple(
                parse_policy(e, False) for e in table.get("tracking_pixel_hosts") or ()
            ),
        )
    except (KeyError, ValueError, TypeError, re.error) as exc:
        raise RuleDataError(f"rules/image-hosts.yaml: {exc}") from None


@functools.lru_cache(maxsize=4096)
def _pages_on(host: str) -> tuple[HostPolicy, ...]:
    """The ``pages`` entries whose host pattern matches ``host`` (hosts recur across files)."""
    return tuple(p for p in image_data().pages if p.pattern.matches_host(host))


@functools.lru_cache(maxsize=4096)
def _wechat_host(host: str) -> bool:
    return image_data().wechat_images.search(host) is not None


def _user_policies(entries: Sequence[Any], source: str) -> tuple[HostPolicy, ...]:
    out = []
    for i, entry in enumerate(entries):
        try:
            out.append(parse_policy(entry))
        except ValueError as exc:
            raise ConfigError(source, f"rules.BL004.host_policies[{i}]", str(exc)) from None
    return tuple(out)


@functools.cache
def _patterns(entries: tuple[str, ...], source: str, key: str) -> tuple[HostPattern, ...]:
    out = []
    for entry in entries:
        try:
            out.append(HostPattern.parse(entry))
        except RegexError as exc:
            raise ConfigError(source, f"rules.BL004.{key}", str(exc)) from None
    return tuple(out)


# -- URL helpers ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Url:
    text: str
    scheme: str  # lower case, without the colon
    host: str
    path: str
    query: str

    @classmethod
    def parse(cls, text: str) -> _Url:
        text = text.strip()
        parts = split_url(text)
        scheme = parts.scheme[:-1].lower()
        return cls(text, scheme, parts.host, parts.path, parts.query or "")

    def query_keys(self) -> set[str]:
        return {s.key for s in split_query(self.query) if s.text}


def drop_query_params(raw: str, drop: Sequence[str]) -> tuple[str, list[str]]:
    """Remove query segments of ``raw`` whose key (or ``key=value``) is in ``drop``.

    Edits the text as written (see :mod:`briefing_lint.urls`): kept segments, separators,
    the fragment and any percent-encoding stay byte for byte.
    """
    parts = split_url(raw)
    if parts.query is None:
        return raw, []

    def unwanted(segment: Segment) -> bool:
        return segment.key in drop or f"{segment.key}={segment.value.lower()}" in drop

    query, removed = filter_query(parts.query, unwanted)
    if not removed:
        return raw, []
    return replace(parts, query=query or None).join(), [s.text for s in removed]


# -- the rule -----------------------------------------------------------------------------------


@dataclass
class _Settings:
    data: ImageData
    policies: tuple[HostPolicy, ...]
    audience: frozenset[str]
    target: str
    allow: tuple[HostPattern, ...]
    https_known: tuple[HostPattern, ...]
    alt_missing: Severity | None
    alt_default: Severity | None
    no_referrer_doc: bool
    alt_missing_message: str
    site_root: str = ""
    #: host -> the policies (audience applied) whose host pattern matches it
    by_host: dict[str, tuple[HostPolicy, ...]] = field(default_factory=dict)

    def candidates(self, host: str) -> tuple[HostPolicy, ...]:
        found = self.by_host.get(host)
        if found is None:
            found = tuple(
                p
                for p in self.policies
                if p.applies_to(self.audience) and p.pattern.matches_host(host)
            )
            self.by_host[host] = found
        return found


def _alt_severity(value: Any) -> Severity | None:
    if value in (False, None, "off"):
        return None
    return Severity(str(value))


class ImageHosts(Rule):
    code = "BL004"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        settings = self._settings(ctx)
        out: list[Diagnostic] = []
        image_blocks: list[InlineBlock] = []
        for link in ctx.index.links:
            if link.is_image:
                self._check_image(ctx, settings, link, out)
                if link.kind != "html":
                    assert link.block is not None
                    image_blocks.append(link.block)
        yield from out
        for block in _blocks_with_image_text(ctx.doc, image_blocks):
            content = block.token.content
            if "![" not in content or "](" not in content:
                continue
            for i, child in enumerate(block.children):
                if child.type == "text" and "![" in child.content:
                    node = TextNode(block, i, child.content, False)
                    yield from self._check_text_images(ctx, settings, node)

    # -- settings -------------------------------------------------------------------

    def _settings(self, ctx: RuleContext) -> _Settings:
        data = image_data()
        options = ctx.options
        source = str(ctx.config.source) if ctx.config and ctx.config.source else "<config>"
        user = _user_policies(options["host_policies"], source)
        allow = _patterns(tuple(str(h) for h in options["allow_hosts"]), source, "allow_hosts")
        https = _patterns(tuple(str(h) for h in options["https_known"]), source, "https_known")
        return _Settings(
            data=data,
            policies=user + data.hosts,
            audience=_str_set(options["audience"]),
            target=str(options["publish_target"]),
            allow=allow,
            https_known=https + data.https_known,
            alt_missing=_alt_severity(options["alt_missing"]),
            alt_default=_alt_severity(options["alt_default"]),
            no_referrer_doc=_document_no_referrer(ctx),
            alt_missing_message=ctx.message("alt_missing"),
            site_root=str(options.get("site_root") or ""),
        )

    # -- one image ------------------------------------------------------------------

    def _check_image(
        self, ctx: RuleContext, settings: _Settings, link: Link, out: list[Diagnostic]
    ) -> None:
        doc = ctx.doc
        source = doc.source
        href = html.unescape(link.href) if link.kind == "html" else link.href
        url = _Url.parse(href)
        host = url.host

        def where() -> Span:
            return link.span if link.kind == "reference" else link.dest_span

        no_referrer = settings.no_referrer_doc
        if link.kind == "html" and _NO_REFERRER_ATTR.search(
            source[link.span.start : link.span.end]
        ):
            no_referrer = True

        allowed = (
            bool(host)
            and bool(settings.allow)
            and any(p.matches(host, url.path) for p in settings.allow)
        )
        policy = None if allowed or not host else self._policy(settings, url)
        verified = _verified(href, policy)
        if verified == "clear":  # --online: a page on another site gets the image
            policy = None
        if policy is not None:
            kind = policy.status
            severity: Severity | None = None
            suffix = ""
            if no_referrer and policy.referer:
                severity = _LOWER.get(ctx.severity_for(kind), Severity.INFO)
                suffix = ctx.message("no_referrer")
            message = ctx.message(
                kind,
                host=host,
                reason=policy.reason,
                since=f" (since {policy.since})" if policy.since else "",
                alternative=policy.alternative or "re-host the image",
                audience=(
                    f" for {'/'.join(sorted(policy.audience & settings.audience))} readers"
                    if policy.audience
                    else ""
                ),
            )
            if verified:
                suffix += ctx.message("verified", evidence=verified)
            out.append(
                ctx.report(
                    where(),
                    message + suffix,
                    kind=kind,
                    severity=severity,
                    data={"host": host, "status": policy.status, "since": policy.since},
                )
            )
        elif host and not allowed:
            page = next((p for p in _pages_on(host) if p.matches(url)), None)
            if page is not None:
                out.append(ctx.report(where(), ctx.message("is_page", host=host), kind="is-page"))
            else:
                param = self._signed(settings.data, url)
                if param:
                    out.append(
                        ctx.report(where(), ctx.message("signed", param=param), kind="signed")
                    )

        self._check_scheme(ctx, settings, link, url, href, where, out)

        if url.query and host and _wechat_host(host):
            out.extend(self._wechat_params(ctx, settings, link, url, where))

        pixel = self._tracking_pixel(ctx, settings, link, url)
        if pixel is not None:
            out.append(pixel)  # no alt-text findings for it: it should go, not be described
        elif settings.alt_missing is not None or settings.alt_default is not None:
            self._check_alt(ctx, settings, link, out)

    def _check_scheme(
        self,
        ctx: RuleContext,
        settings: _Settings,
        link: Link,
        url: _Url,
        href: str,
        where: Callable[[], Span],
        out: list[Diagnostic],
    ) -> None:
        """What the scheme alone decides: http, data: URIs, and paths readers cannot load."""
        host = url.host
        scheme = url.scheme
        if scheme == "http":
            out.append(self._http(ctx, settings, link, url, where()))
        elif scheme == "data":
            kind_severity = Severity.ERROR if settings.target == "github" else None
            out.append(
                ctx.report(
                    where(),
                    ctx.message("data_uri", unrendered=""),
                    kind="data-uri",
                    severity=kind_severity,
                )
            )
        else:
            plain = unquote(href).strip()
            if settings.data.local_path(plain):
                out.append(
                    ctx.report(
                        where(), ctx.message("local_path", path=_short(plain)), kind="local-path"
                    )
                )
            elif not scheme and not host and plain and not plain.startswith("#"):
                if settings.target == "wechat":
                    out.append(
                        ctx.report(
                            where(), ctx.message("relative", path=_short(plain)), kind="relative"
                        )
                    )
                else:
                    missing = _missing_local(ctx, settings, href)
                    if missing is not None:
                        message = ctx.message(
                            "missing_local", path=_short(plain), looked=_short(missing, 80)
                        )
                        out.append(ctx.report(where(), message, kind="missing-local-image"))

    def _tracking_pixel(
        self, ctx: RuleContext, settings: _Settings, link: Link, url: _Url
    ) -> Diagnostic | None:
        """A 1×1 ``<img>`` or an image from a known open-tracking URL."""
        why = ""
        if link.kind == "html":
            tag = ctx.doc.source[link.span.start : link.span.end]
            sized = {m.group(1).lower() for m in _PIXEL_ATTR.finditer(tag)}
            if sized == {"width", "height"}:
                why = ctx.message("tracking_pixel_size")
        if not why and settings.data.tracking_pixel(url):
            why = ctx.message("tracking_pixel_url")
        if not why:
            return None
        span = link.span if link.kind in ("reference", "html") else link.dest_span
        host = url.host or "its sender"
        message = ctx.message("tracking_pixel", why=why, host=host)
        return ctx.report(span, message, kind="tracking-pixel")

    def _policy(self, settings: _Settings, url: _Url) -> HostPolicy | None:
        for policy in settings.candidates(url.host):
            if not policy.matches(url):
                continue
            if policy.status == "ok" or settings.target in policy.ok_on:
                return None
            return policy
        return None

    @staticmethod
    def _signed(data: ImageData, url: _Url) -> str:
        if not url.query:
            return ""
        keys = url.query_keys()
        hit = sorted(keys & data.signed_params)
        if hit:
            return hit[0]
        for group in data.signed_sets:
            if group <= keys:
                return "+".join(sorted(group))
        return ""

    def _http(
        self, ctx: RuleContext, settings: _Settings, link: Link, url: _Url, span: Span
    ) -> Diagnostic:
        known = any(p.matches(url.host, url.path) for p in settings.https_known) or any(
            p.https and p.pattern.matches(url.host, url.path) for p in settings.policies
        )
        if not known:
            return ctx.report(span, ctx.message("http_unknown", host=url.host), kind="http")
        dest = link.dest_span
        m = _HTTP_SCHEME.match(ctx.doc.source, dest.start, dest.end)
        fix = None
        applicability = ctx.fix_applicability("http")
        if m is not None and applicability is not None:
            edit = Edit(Span(m.start(1), m.end(1)), "https")
            fix = Fix((edit,), applicability, ctx.message("http_fix_title"))
        return ctx.report(span, ctx.message("http_fix"), kind="http", fix=fix)

    def _wechat_params(
        self,
        ctx: RuleContext,
        settings: _Settings,
        link: Link,
        url: _Url,
        where: Callable[[], Span],
    ) -> Iterator[Diagnostic]:
        noise = settings.data.wechat_noise
        keys = url.query_keys()
        if not any(n.split("=", 1)[0] in keys for n in noise):
            return
        dest = link.dest_span
        raw = ctx.doc.source[dest.start : dest.end]
        new, removed = drop_query_params(raw, noise)
        if not removed:
            return
        applicability = ctx.fix_applicability("wechat-params")
        fix = None
        if applicability is not None:
            fix = Fix((Edit(dest, new),), applicability, ctx.message("wechat_params_title"))
        yield ctx.report(
            where(),
            ctx.message("wechat_params", params=", ".join(removed)),
            kind="wechat-params",
            fix=fix,
        )

    def _check_alt(
        self, ctx: RuleContext, settings: _Settings, link: Link, out: list[Diagnostic]
    ) -> None:
        if link.kind == "html":
            tag = ctx.doc.source[link.span.start : link.span.end]
            m = _ALT_ATTR.search(tag)
            alt = "" if m is None else html.unescape(next(g for g in m.groups() if g is not None))
        else:
            assert link.block is not None
            alt = str(link.block.children[link.child].content)
        alt = alt.strip()
        if not alt:
            if settings.alt_missing is not None:
                out.append(
                    ctx.report(
                        _image_span(link),
                        settings.alt_missing_message,
                        kind="alt-missing",
                        severity=settings.alt_missing,
                    )
                )
        elif settings.alt_default is not None and settings.data.is_default_alt(alt):
            out.append(
                ctx.report(
                    _image_span(link),
                    ctx.message("alt_default", alt=alt),
                    kind="alt-default",
                    severity=settings.alt_default,
                )
            )

    # -- images markdown-it did not accept ---------------------------------------------

    def _check_text_images(
        self, ctx: RuleContext, settings: _Settings, node: TextNode
    ) -> Iterator[Diagnostic]:
        for m in _TEXT_IMAGE.finditer(node.content):
            dest = m.group(1).strip()
            if dest.startswith("<"):
                dest = dest[1:-1].strip()
            if not dest:
                continue
            start = node.content.index(dest, m.start(1))
            if dest.lower().startswith("data:"):
                severity = Severity.ERROR if settings.target == "github" else None
                yield ctx.report(
                    node.substring_span(start, start + len(dest)),
                    ctx.message("data_uri", unrendered=ctx.message("data_uri_unrendered")),
                    kind="data-uri",
                    severity=severity,
                )
            elif settings.data.local_path(dest):
                yield ctx.report(
                    node.substring_span(start, start + len(dest)),
                    ctx.message("local_path", path=_short(dest)),
                    kind="local-path",
                )


def _verified(href: str, policy: HostPolicy | None) -> str:
    """``--online``: "clear" when the image loads for a page on another site, the evidence
    when it does not, "" when unknown (off-line, or not a host that checks the Referer)."""
    lookup = online_results.current()
    if lookup is None or policy is None or policy.status != "block" or not policy.referer:
        return ""
    found = lookup.image(href)
    if found is None or found.verdict == "unknown":
        return ""
    return "clear" if found.verdict == "clear" else found.evidence


def _missing_local(ctx: RuleContext, settings: _Settings, href: str) -> str | None:
    """Where a relative image was looked for, when no candidate exists (None: found, not
    checkable, or not looked up: the text has no file on disk).

    Only existence is asked (no file is opened). Candidates: next to the document, in a
    folder named after it (Hexo's post asset folder) and under the site root; a
    root-relative path only under the site root.
    """
    probe = localfiles.current()
    doc_path = ctx.doc.path
    if probe is None or not doc_path or doc_path == "-":
        return None
    target = _local_target(href)
    if target is None:
        return None
    folder = os.path.dirname(os.path.abspath(doc_path))
    root = os.path.abspath(settings.site_root) if settings.site_root else ""
    if target.startswith("/"):
        if not root:
            return None
        candidates = [os.path.join(root, target.lstrip("/"))]
    else:
        stem = os.path.splitext(os.path.basename(doc_path))[0]
        candidates = [os.path.join(folder, target), os.path.join(folder, stem, target)]
        if root:
            candidates.append(os.path.join(root, target))
    candidates = [os.path.normpath(c) for c in candidates]
    if any(probe.exists(c) is not False for c in candidates):
        return None  # found, or unknown (unreadable folder, a name the system refuses)
    # A missing file in a folder that exists is a typo or a forgotten file; a missing
    # folder says the tree is partial (one issue copied out of its site, assets kept
    # elsewhere), and nothing can be told about the image.
    if not any(probe.exists(os.path.dirname(c)) for c in candidates):
        return None
    return _display_path(candidates[0])


def _local_target(href: str) -> str | None:
    """The file path a relative image source names: query and fragment dropped,
    percent-decoded; None for template syntax and aliases, which name no file yet."""
    text = href.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    for mark in ("#", "?"):
        cut = text.find(mark)
        if cut >= 0:
            text = text[:cut]
    if not text or _NOT_A_FILE.search(text):
        return None
    text = unquote(text)
    if not text or "\0" in text or _NOT_A_FILE.search(text):
        return None
    return text


def _display_path(path: str) -> str:
    """``path`` relative to the working folder when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel


def _blocks_with_image_text(doc: Document, image_blocks: list[InlineBlock]) -> list[InlineBlock]:
    """The inline blocks whose content may hold ``![``, in order.

    Block content is source text, line by line, so each ``![`` in it is one in the source.
    When the source has no more of them than there are Markdown images, each starts an
    image, and only the blocks holding images can have one (scanning all blocks' content
    costs more than counting in the source).
    """
    if doc.source.count("![") != len(image_blocks):
        return doc.inline_blocks
    unique = {id(block): block for block in image_blocks}
    return sorted(unique.values(), key=lambda block: block.index)  # the order of inline_blocks


def _document_no_referrer(ctx: RuleContext) -> bool:
    """``<meta name="referrer" content="no-referrer">`` anywhere in the document's HTML."""
    if "no-referrer" not in ctx.doc.source:
        return False
    for token in ctx.doc.tokens:
        if token.type == "html_block" and _NO_REFERRER_META.search(token.content):
            return True
    return any(
        child.type == "html_inline" and _NO_REFERRER_META.search(child.content)
        for block in ctx.doc.inline_blocks
        for child in block.children
    )


def _image_span(link: Link) -> Span:
    """The image's span; an image alone in its paragraph is the paragraph's content, which
    is known without re-tokenizing the block (most briefing images stand alone)."""
    block = link.block
    if link.kind != "html" and block is not None and len(block.children) == 1:
        first, end = block.map
        if end - first == 1:  # one line: find it there without mapping the block
            doc = block.doc
            content = block.content
            start = doc.source.find(content, doc.line_start(first), doc.line_end(first))
            if start >= 0:
                return Span(start, start + len(content))
        return block.span
    return link.span


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
