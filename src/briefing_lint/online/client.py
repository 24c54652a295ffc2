"""The HTTP side of ``--online``: every URL of a run checked concurrently with httpx.

Limits: ``concurrency`` requests at once over the whole run and ``per_host`` per host (a
site is never hammered); 429 and 503 are retried with backoff, honouring ``Retry-After``;
a per-run time budget after which no request starts (what is left is reported as not
checked, never as dead). Proxies come from the environment (``trust_env``). Redirects are
followed by hand so the whole chain is known (a short link's login wall shows in it).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .results import Hop, ImageResult, LinkResult
from .settings import Settings

try:  # HTTP/2 needs the optional ``h2`` package (the ``online`` extra installs it)
    import h2  # noqa: F401

    HTTP2 = True
except ImportError:  # pragma: no cover - depends on the installation
    HTTP2 = False

MAX_HOPS = 10
#: Enough of a page to find a soft-404 marker; pages are not read further.
PAGE_LIMIT = 512 << 10
IMAGE_LIMIT = 8 << 20
#: A body not needed (a redirect's, an error page's) is read this far to keep the
#: connection for the next request; past it the connection is closed instead.
DRAIN_LIMIT = 64 << 10
#: The page an image is embedded in, as a hotlinking site's reader would send it.
FOREIGN_REFERER = "https://example.org/briefing.html"
#: WeChat answers a deleted or blocked article with a 200 page saying so.
WECHAT_HOSTS = frozenset({"mp.weixin.qq.com", "weixin.qq.com"})
WECHAT_MARKERS = (
    "该内容已被发布者删除",
    "此内容因违规无法查看",
    "此内容被投诉且经审核涉嫌侵权，无法查看",
    "此内容发送失败无法查看",
    "该公众号已迁移",
    "此帐号已被屏蔽, 内容无法查看",
    "此帐号已自主注销，内容无法查看",
)
#: Longest wait for ``Retry-After``; a longer one is not waited for (the 429 stands).
MAX_RETRY_WAIT = 30.0


class _Failed(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class OutOfTime(Exception):
    """The run's time budget is spent: the URL was not checked."""


@dataclass
class _Response:
    status: int
    location: str | None
    content_type: str
    body: bytes
    retry_after: str | None


def classify(exc: BaseException) -> tuple[str, str]:
    """The error kind (dns, tls, timeout, connect, protocol) of a failed request."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", ""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "dns", str(seen)
        if isinstance(seen, ssl.SSLError):
            return "tls", getattr(seen, "reason", None) or str(seen)
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "dns", text
    if "ssl" in lowered or "certificate" in lowered:
        return "tls", text
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return "protocol", text
    return "connect", text


def retry_delay(value: str | None, attempt: int, now: float | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): ``Retry-After`` (seconds or an
    HTTP date) when given, else exponential backoff."""
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            when = float(email.utils.mktime_tz(parsed))
            return max(0.0, when - (time.time() if now is None else now))
    return 0.5 * 2.0**attempt


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Checker:
    """Checks links and images; one instance per run (one connection pool)."""

    def __init__(
        self,
        settings: Settings,
        progress: Callable[[], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._progress = progress
        self._transport = transport
        self._deadline = 0.0
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.out_of_time = 0

    def run(
        self, links: Iterable[str], images: Iterable[str]
    ) -> tuple[dict[str, LinkResult], dict[str, ImageResult]]:
        """Every URL checked (those left when the budget ran out are missing)."""
        return asyncio.run(self._main(sorted(set(links)), sorted(set(images))))

    async def _main(
        self, links: list[str], images: list[str]
    ) -> tuple[dict[str, LinkResult], dict[str, ImageResult]]:
        s = self.settings
        self._all = asyncio.Semaphore(s.concurrency)
        headers = {"User-Agent": s.user_agent, "Accept": "*/*", **dict(s.headers)}
        limits = httpx.Limits(max_connections=s.concurrency, max_keepalive_connections=64)
        async with httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(s.timeout),
            limits=limits,
            http2=HTTP2 and self._transport is None,
            trust_env=True,
            follow_redirects=False,
            transport=self._transport,
        ) as client:
            self._client = client
            self._deadline = time.monotonic() + s.budget
            found_links = await asyncio.gather(*(self._guard(self.link(u)) for u in links))
            found_images = await asyncio.gather(*(self._guard(self.image(u)) for u in images))
        return (
            {r.url: r for r in found_links if isinstance(r, LinkResult)},
            {r.url: r for r in found_images if isinstance(r, ImageResult)},
        )

    async def _guard(
        self, job: Awaitable[LinkResult | ImageResult]
    ) -> LinkResult | ImageResult | None:
        try:
            return await job
        except OutOfTime:
            self.out_of_time += 1
            return None
        finally:
            if self._progress is not None:
                self._progress()

    # -- one request ----------------------------------------------------------------------

    async def _request(
        self, method: str, url: str, headers: dict[str, str], limit: int
    ) -> _Response:
        host = _host(url)
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        # The host first: waiting for a busy host must not hold a slot other hosts could use.
        async with gate, self._all:
            if time.monotonic() > self._deadline:
                raise OutOfTime
            try:
                async with self._client.stream(method, url, headers=headers) as resp:
                    keep = limit and resp.status_code < 300
                    body = await _read(resp, limit if keep else DRAIN_LIMIT)
                    return _Response(
                        resp.status_code,
                        resp.headers.get("location"),
                        resp.headers.get("content-type", "").split(";")[0].strip().lower(),
                        body if keep else b"",
                        resp.headers.get("retry-after"),
                    )
            except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
                raise _Failed(*classify(exc)) from None

    async def _retrying(
        self, method: str, url: str, headers: dict[str, str], limit: int
    ) -> _Response:
        attempt = 0
        while True:
            resp = await self._request(method, url, headers, limit)
            if resp.status not in (429, 503) or attempt >= self.settings.retries:
                return resp
            delay = retry_delay(resp.retry_after, attempt)
            if delay > MAX_RETRY_WAIT or time.monotonic() + delay > self._deadline:
                return resp
            await asyncio.sleep(delay)
            attempt += 1

    async def _follow(
        self, url: str, method: str, headers: dict[str, str], limit: int
    ) -> tuple[LinkResult, _Response | None]:
        chain: list[Hop] = []
        current = url
        for _ in range(MAX_HOPS + 1):
            try:
                resp = await self._retrying(method, current, headers, limit)
            except _Failed as failed:
                return LinkResult(url, tuple(chain), failed.kind, failed.detail), None
            chain.append(Hop(current, resp.status))
            if 300 <= resp.status < 400 and resp.location:
                current = urljoin(current, resp.location)
                if not current.lower().startswith(("http://", "https://")):
                    break  # to an app (``weixin://``, ``snssdk1128://``): the end of the web
                continue
            return LinkResult(url, tuple(chain)), resp
        else:
            return LinkResult(url, tuple(chain), "redirects", f"more than {MAX_HOPS}"), None
        return LinkResult(url, tuple(chain)), None

    # -- links ----------------------------------------------------------------------------

    def _markers(self, url: str) -> tuple[str, ...]:
        own = WECHAT_MARKERS if _host(url) in WECHAT_HOSTS else ()
        return own + self.settings.soft_404_markers

    async def link(self, url: str) -> LinkResult:
        """HEAD first (cheap); GET when HEAD is refused or the page must be read."""
        if not self._markers(url):
            result, _ = await self._follow(url, "HEAD", {}, 0)
            status = result.status
            if result.error in ("dns", "tls", "timeout", "redirects") or (
                status is not None and status < 400 and not self._markers(result.final_url)
            ):
                return result
        result, resp = await self._follow(url, "GET", {}, PAGE_LIMIT)
        if resp is not None and resp.status == 200:
            text = resp.body.decode("utf-8", "replace")
            marker = next((m for m in self._markers(result.final_url) if m in text), "")
            if marker:
                return LinkResult(url, result.chain, soft_404=marker)
        return result

    # -- images ---------------------------------------------------------------------------

    async def image(self, url: str) -> ImageResult:
        """The image as its own site gets it, then as a page on another site gets it."""
        own, own_resp = await self._follow(url, "GET", {}, IMAGE_LIMIT)
        if own_resp is None or own.status is None or own.status >= 400:
            why = own.error or f"HTTP {own.status}"
            return ImageResult(url, "unknown", f"the image itself failed ({why})")
        foreign, resp = await self._follow(url, "GET", {"Referer": FOREIGN_REFERER}, IMAGE_LIMIT)
        if resp is None or foreign.status is None:
            return ImageResult(url, "unknown", foreign.error)
        if foreign.status >= 400:
            return ImageResult(url, "blocked", f"HTTP {foreign.status} with a foreign Referer")
        if foreign.final_url != own.final_url:
            return ImageResult(url, "blocked", f"a foreign Referer is sent to {foreign.final_url}")
        if resp.content_type != own_resp.content_type or _digest(resp.body) != _digest(
            own_resp.body
        ):
            return ImageResult(url, "blocked", "a foreign Referer gets other bytes (a placeholder)")
        return ImageResult(url, "clear", "the same image with a foreign Referer")


async def _read(resp: httpx.Response, limit: int) -> bytes:
    """Up to ``limit`` bytes of the body. A body read to its end (a HEAD's empty one
    included) lets the connection serve the next request; a longer one closes it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)[:limit]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
