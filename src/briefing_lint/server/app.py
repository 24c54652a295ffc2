"""``briefing-lint server``: the language server (stdio), document sync and diagnostics.

Markdown and MDX documents are linted when opened, saved, and shortly after the last change
(:data:`DEBOUNCE` seconds), with the config the CLI would use for the file (the nearest
config file). A change to a config file (watched, or saved in the editor) re-reads the
config and re-lints every open document. Nothing about a document is kept after it is
closed. Code actions, formatting and hover are in :mod:`.features`.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from ..__about__ import __version__
from .adapter import ConfigProblem, Finding, Linter
from .convert import SOURCE, diagnostic, document_path, encoding_name
from .positions import LineIndex

#: Seconds after the last change before a document is linted again.
DEBOUNCE = 0.15
LANGUAGES = frozenset({"markdown", "mdx"})
SUFFIXES = (".md", ".markdown", ".mdx")
#: Config files: the names the CLI looks for, and any YAML or TOML an ``extend`` may name.
CONFIG_GLOBS = ("**/*.yaml", "**/*.yml", "**/*.toml")
STATE_REQUEST = "briefingLint/serverState"

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """The findings for one version of an open document (dropped when it closes)."""

    version: int | None
    text: str
    findings: tuple[Finding, ...]
    index: LineIndex


class BriefingServer(LanguageServer):
    """The server and its per-document state (pending lints, last findings)."""

    def __init__(self) -> None:
        super().__init__(
            SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.linter = Linter()
        #: One worker: the library's caches are per process, and lints of one document must
        #: not overtake each other.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-lint")
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.snapshots: dict[str, Snapshot] = {}
        #: The last config problem shown for a document (shown once, not on every keystroke).
        self.problems: dict[str, str] = {}

    # -- documents -------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return encoding_name(self.workspace.position_encoding)

    def document(self, uri: str) -> TextDocument | None:
        """An open Markdown/MDX document, or None (closed, or another language)."""
        documents: dict[str, TextDocument] = self.workspace.text_documents
        doc = documents.get(uri)
        if doc is None:
            # pygls keys documents by their unquoted URI.
            doc = documents.get(unquote(uri))
        if doc is None or not is_briefing(doc):
            return None
        return doc

    async def run(self, func: Any, *args: Any) -> Any:
        """Run a library call on the worker thread (the event loop keeps reading messages)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    async def snapshot(self, uri: str) -> Snapshot | None:
        """Findings for the document as it is now (linted now if the last lint is older)."""
        doc = self.document(uri)
        if doc is None:
            return None
        snap = self.snapshots.get(uri)
        if snap is not None and snap.version == doc.version and snap.text == doc.source:
            return snap
        return await self.lint(uri, doc, publish=False)

    async def lint(self, uri: str, doc: TextDocument, *, publish: bool) -> Snapshot | None:
        version, text = doc.version, doc.source
        path = document_path(uri)
        problem = ""
        try:
            findings = await self.run(self.linter.lint, text, path)
        except ConfigProblem as exc:
            findings, problem = [], str(exc)
        current = self.document(uri)
        if current is None or current.version != version:
            return None  # closed or changed meanwhile: a newer lint is on its way
        if problem:
            self.config_problem(uri, problem)
        else:
            self.problems.pop(uri, None)
        snap = Snapshot(version, text, tuple(findings), LineIndex(text, self.encoding))
        self.snapshots[uri] = snap
        if publish:
            self.publish(uri, snap)
        return snap

    def publish(self, uri: str, snap: Snapshot) -> None:
        diagnostics = [diagnostic(snap.index, f) for f in snap.findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=snap.version)
        )

    def config_problem(self, uri: str, message: str) -> None:
        """Say a config problem once per document (remembered only while it is open)."""
        if self.problems.get(uri) == message:
            return
        if self.document(uri) is not None:
            self.problems[uri] = message
        self.message(types.MessageType.Error, f"config: {message}")

    def message(self, kind: types.MessageType, text: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"{SOURCE}: {text}"))

    def schedule(self, uri: str, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, replacing a lint already waiting."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        task = asyncio.get_running_loop().create_task(self._lint_later(uri, delay))
        self.pending[uri] = task

        def done(finished: asyncio.Task[None]) -> None:
            if self.pending.get(uri) is finished:
                del self.pending[uri]
            if not finished.cancelled() and finished.exception() is not None:
                self.message(types.MessageType.Error, f"internal error: {finished.exception()!r}")

        task.add_done_callback(done)

    async def _lint_later(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        doc = self.document(uri)
        if doc is None:
            return
        snap = self.snapshots.get(uri)
        if snap is not None and snap.version == doc.version and snap.text == doc.source:
            self.publish(uri, snap)  # a code action or hover linted this version already
        else:
            await self.lint(uri, doc, publish=True)

    def forget(self, uri: str) -> None:
        """Drop everything kept about a document (it was closed)."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.snapshots.pop(uri, None)
        self.problems.pop(uri, None)

    def reload_config(self) -> None:
        """A config file changed: read configs afresh and lint every open document."""
        self.linter.reload_config()
        self.problems.clear()
        self.snapshots.clear()
        documents: dict[str, TextDocument] = self.workspace.text_documents
        for doc in list(documents.values()):
            if is_briefing(doc):
                self.schedule(doc.uri, 0)  # the URI as the client wrote it (not unquoted)

    def state(self) -> dict[str, int]:
        """What the server holds (``briefingLint/serverState``): the counts are all zero with
        no document open; ``rss_kib`` is the process's resident memory (0 where unknown),
        ``cpu_ms`` the CPU time it has used (for benchmarks on a busy machine)."""
        return {
            "documents": len(self.workspace.text_documents),
            "snapshots": len(self.snapshots),
            "pending": len(self.pending),
            "problems": len(self.problems),
            "rss_kib": _rss_kib(),
            "cpu_ms": int(time.process_time() * 1000),
        }


def _rss_kib() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def is_briefing(doc: TextDocument) -> bool:
    if doc.language_id in LANGUAGES:
        return True
    return doc.language_id in (None, "") and doc.uri.lower().endswith(SUFFIXES)
