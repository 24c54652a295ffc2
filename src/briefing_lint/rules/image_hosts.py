"""BL004 image-hosts: images that readers will not see, and image hygiene.

Host policies and the generic tables live in ``rules/image-hosts.yaml`` so they can be
reviewed and extended without touching code. Every image source is checked: Markdown and
reference images, images inside links, ``<img src>`` in inline and block HTML, plus
``![](file:…)`` / ``![](data:image/svg+xml…)`` that markdown-it refuses to turn into images.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import unquote

from ..diagnostics import Diagnostic, Edit, Fix, Severity, Span
from ..document import Document, InlineBlock, Link, TextNode
from ..errors import ConfigError
from ..online import results as online_results
from ..rule import Rule, RuleContext
from ..safe_regex import RegexError

# The data, settings and local-file lookups live in sibling modules; the rule keeps its
# own short names for them.
from ._image_data import (
    HostPattern,
    HostPolicy,
    ImageData,
    drop_query_params,
    image_data,
    parse_policy,
)
from ._image_data import ImageUrl as _Url
from ._image_data import Settings as _Settings
from ._image_data import alt_severity as _alt_severity
from ._image_data import pages_on as _pages_on
from ._image_data import str_set as _str_set
from ._image_data import wechat_host as _wechat_host
from ._image_local import missing_local as _missing_local

__all__ = ["ImageHosts", "drop_query_params", "image_data", "parse_policy"]

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
# ``![alt](dest`` left as text because markdown-it refused the destination.
_TEXT_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*(<[^>\n]*>|[^)\n]*)")


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

        self._check_host(ctx, settings, url, href, where, no_referrer, out)

        self._check_scheme(ctx, settings, link, url, href, where, out)

        if url.query and host and _wechat_host(host):
            out.extend(self._wechat_params(ctx, settings, link, url, where))

        pixel = self._tracking_pixel(ctx, settings, link, url)
        if pixel is not None:
            out.append(pixel)  # no alt-text findings for it: it should go, not be described
        elif settings.alt_missing is not None or settings.alt_default is not None:
            self._check_alt(ctx, settings, link, out)

    def _check_host(
        self,
        ctx: RuleContext,
        settings: _Settings,
        url: _Url,
        href: str,
        where: Callable[[], Span],
        no_referrer: bool,
        out: list[Diagnostic],
    ) -> None:
        """What the host decides: its policy, or a page rather than an image, or a signed URL."""
        host = url.host
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
            out.append(
                self._policy_finding(ctx, settings, policy, host, where(), no_referrer, verified)
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

    def _policy_finding(
        self,
        ctx: RuleContext,
        settings: _Settings,
        policy: HostPolicy,
        host: str,
        span: Span,
        no_referrer: bool,
        verified: str = "",
    ) -> Diagnostic:
        """The host policy's finding (one level milder when the page sends no referrer;
        with ``--online``, what fetching the image showed)."""
        kind = policy.status
        severity: Severity | None = None
        suffix = ""
        if no_referrer and policy.referer:
            severity = _LOWER.get(ctx.severity_for(kind), Severity.INFO)
            suffix = ctx.message("no_referrer")
        if verified:
            suffix += ctx.message("verified", evidence=verified)
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
        return ctx.report(
            span,
            message + suffix,
            kind=kind,
            severity=severity,
            data={"host": host, "status": policy.status, "since": policy.since},
        )

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
