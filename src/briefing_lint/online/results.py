"""What the network said about URLs, for the rules that read it (BL004, BL011, BL012, BL016).

Linting stays a pure function of the text and the config: the rules never open a socket.
``--online`` runs them twice under a :class:`Lookup` (as :mod:`briefing_lint.localfiles`
does for file lookups): the first pass records which URLs each rule wants checked, the
network answers them all at once, and the second pass reads the answers. With no lookup
(every ordinary run) :func:`current` is None and the online parts of the rules say nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

#: Rules that report only with ``--online``: off-line, a suppression naming them is not
#: unused (BL014), it waits for the next online run.
ONLINE_ONLY = frozenset({"BL016"})

#: Errors that mean the page cannot be reached at all.
UNREACHABLE = {
    "dns": "DNS lookup failed",
    "tls": "TLS error",
    "timeout": "timed out",
    "connect": "connection failed",
    "redirects": "too many redirects",
    "protocol": "broken HTTP response",
}

#: A hop on one of these is a login wall or a consent page: the final URL is not the content.
_GATE = re.compile(
    r"(?:^|[./])(?:login|signin|sign-in|passport|accounts|consent|sso|auth)(?:[./?#-]|$)"
    r"|/(?:log-?in|sign-?in|signup|register|oauth2?|authorize|consent|cas/login)(?:[/?#.]|$)"
    r"|[?&](?:redirect_uri|return_to|returnUrl|service)=",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Hop:
    """One response on the way: the URL asked and the status it answered."""

    url: str
    status: int


@dataclass(frozen=True)
class LinkResult:
    """A link followed to its end (``chain`` holds every response, the last one final)."""

    url: str
    chain: tuple[Hop, ...] = ()
    #: One of :data:`UNREACHABLE` (no final response), else "".
    error: str = ""
    detail: str = ""
    #: The soft-404 marker found in a 200 page ("该内容已被发布者删除"), else "".
    soft_404: str = ""

    @property
    def status(self) -> int | None:
        return self.chain[-1].status if self.chain and not self.error else None

    @property
    def final_url(self) -> str:
        return self.chain[-1].url if self.chain else self.url

    def problem(self, accept: frozenset[int]) -> str | None:
        """The BL016 kind when the link is dead: gone, soft-404, unreachable or status."""
        if self.error:
            return "unreachable"
        if self.soft_404:
            return "soft-404"
        status = self.status
        if status is None or status in accept or 300 <= status < 400:
            return None  # a 3xx last: a redirect to an app, which browsers hand over
        return "gone" if status in (404, 410) else "status"

    def gate(self) -> str | None:
        """The first URL after the start that looks like a login or consent page."""
        return next((h.url for h in self.chain[1:] if _GATE.search(h.url)), None)

    def shown_chain(self) -> str:
        return " -> ".join(f"{h.url} ({h.status})" for h in self.chain)


@dataclass(frozen=True)
class ImageResult:
    """An image fetched with a foreign ``Referer`` and without one, compared."""

    url: str
    #: "blocked" (a placeholder, 403 or a redirect elsewhere for a foreign page), "clear"
    #: (the same image either way) or "unknown" (the image itself could not be fetched).
    verdict: str
    evidence: str = ""


@dataclass
class Lookup:
    """One file's view of the answers; records what its rules asked for."""

    links: Mapping[str, LinkResult] = field(default_factory=dict)
    images: Mapping[str, ImageResult] = field(default_factory=dict)
    accept: frozenset[int] = frozenset({200, 206, 429})
    #: URLs not to check (the user's ``online.exclude``).
    excluded: Callable[[str], bool] = lambda url: False
    wanted_links: set[str] = field(default_factory=set)
    wanted_images: set[str] = field(default_factory=set)

    def link(self, url: str) -> LinkResult | None:
        """The answer for ``url`` followed as a link (None: unknown yet, or not checked)."""
        if not url.startswith(("http://", "https://")) or self.excluded(url):
            return None
        self.wanted_links.add(url)
        return self.links.get(url)

    def image(self, url: str) -> ImageResult | None:
        """The hotlink verdict for the image at ``url``."""
        if not url.startswith(("http://", "https://")) or self.excluded(url):
            return None
        self.wanted_images.add(url)
        return self.images.get(url)


_CURRENT: ContextVar[Lookup | None] = ContextVar("briefing_lint_online", default=None)


def current() -> Lookup | None:
    """The lookup of the document being linted, or None off-line."""
    return _CURRENT.get()


@contextmanager
def answering(lookup: Lookup) -> Iterator[Lookup]:
    """Let the rules linted inside the block ask ``lookup``."""
    token = _CURRENT.set(lookup)
    try:
        yield lookup
    finally:
        _CURRENT.reset(token)
