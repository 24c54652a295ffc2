"""Online answers kept on disk per URL for ``online.cache_ttl`` (7 days by default).

Like the lint cache, the file is untrusted plain JSON: each entry is decoded through an
explicit schema into :mod:`.results` types, and whatever does not fit (bad JSON, wrong types,
unknown fields, a link or a FIFO in the file's place, too large) is a miss. It is written to
a temporary file and renamed into place. Answers that may change within minutes (timeouts,
refused connections, 429 and 5xx) are not kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any, TypeGuard

from ..fileio import read_small_regular
from .results import Hop, ImageResult, LinkResult

FILE_NAME = "online-v1.json"
MAX_BYTES = 64 << 20
_VERDICTS = ("blocked", "clear", "unknown")
_LINK_FIELDS = frozenset({"at", "chain", "error", "detail", "soft_404"})
_IMAGE_FIELDS = frozenset({"at", "verdict", "evidence"})


def _read(path: Path) -> bytes | None:
    return read_small_regular(path, MAX_BYTES)


def _fresh(entry: Any, fields: frozenset[str], now: float, ttl: float) -> TypeGuard[dict[str, Any]]:
    if not isinstance(entry, dict) or set(entry) != fields:
        return False
    at = entry["at"]
    return isinstance(at, (int, float)) and not isinstance(at, bool) and 0 <= now - at <= ttl


def decode_link(url: str, entry: dict[str, Any]) -> LinkResult | None:
    chain, error, detail, soft = (entry[k] for k in ("chain", "error", "detail", "soft_404"))
    if not all(isinstance(v, str) for v in (error, detail, soft)) or not isinstance(chain, list):
        return None
    hops = []
    for hop in chain:
        if not (
            isinstance(hop, list)
            and len(hop) == 2
            and isinstance(hop[0], str)
            and isinstance(hop[1], int)
            and not isinstance(hop[1], bool)
            and 100 <= hop[1] <= 599
        ):
            return None
        hops.append(Hop(hop[0], hop[1]))
    if not hops and not error:
        return None
    return LinkResult(url, tuple(hops), error, detail, soft)


def keep_link(result: LinkResult) -> bool:
    """Whether the answer is stable enough to reuse for days."""
    if result.error:
        return result.error in ("dns", "tls", "redirects")
    status = result.status
    return status is not None and status != 429 and status < 500


class ResultCache:
    """One JSON file of answers; ``read=False`` (``--refresh``) ignores what it holds."""

    def __init__(self, folder: Path, ttl: float, *, read: bool = True) -> None:
        self.path = folder / FILE_NAME
        self.folder = folder
        self.ttl = ttl
        self._links: dict[str, Any] = {}
        self._images: dict[str, Any] = {}
        self._dirty = False
        if read and ttl > 0:
            self._load()

    def _load(self) -> None:
        raw = _read(self.path)
        if raw is None:
            return
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return
        if not isinstance(data, dict) or data.get("schema") != 1:
            return
        links, images = data.get("links"), data.get("images")
        if isinstance(links, dict):
            self._links = links
        if isinstance(images, dict):
            self._images = images

    def link(self, url: str) -> LinkResult | None:
        entry = self._links.get(url)
        if not _fresh(entry, _LINK_FIELDS, time.time(), self.ttl):
            return None
        return decode_link(url, entry)

    def image(self, url: str) -> ImageResult | None:
        entry = self._images.get(url)
        if not _fresh(entry, _IMAGE_FIELDS, time.time(), self.ttl):
            return None
        verdict, evidence = entry["verdict"], entry["evidence"]
        if verdict not in _VERDICTS or not isinstance(evidence, str):
            return None
        return ImageResult(url, verdict, evidence)

    def put_link(self, result: LinkResult) -> None:
        if not keep_link(result):
            return
        self._dirty = True
        self._links[result.url] = {
            "at": time.time(),
            "chain": [[h.url, h.status] for h in result.chain],
            "error": result.error,
            "detail": result.detail,
            "soft_404": result.soft_404,
        }

    def put_image(self, result: ImageResult) -> None:
        if result.verdict == "unknown":
            return
        self._dirty = True
        self._images[result.url] = {
            "at": time.time(),
            "verdict": result.verdict,
            "evidence": result.evidence,
        }

    def save(self) -> str | None:
        """Write the entries still fresh; a problem is returned (the run goes on)."""
        if not self._dirty:
            return None
        now = time.time()
        data = {
            "schema": 1,
            "links": {
                u: e for u, e in self._links.items() if _fresh(e, _LINK_FIELDS, now, self.ttl)
            },
            "images": {
                u: e for u, e in self._images.items() if _fresh(e, _IMAGE_FIELDS, now, self.ttl)
            },
        }
        tmp = self.folder / f".online-{secrets.token_hex(8)}.tmp"
        try:
            if not self.folder.exists():
                self.folder.mkdir(parents=True)
                (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
            with contextlib.suppress(FileNotFoundError):
                if not stat.S_ISREG(os.lstat(self.path).st_mode):
                    return f"{self.path}: not a regular file; online results not saved"
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return f"{self.path}: {exc.strerror or exc}; online results not saved"
        return None
