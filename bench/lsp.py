#!/usr/bin/env python3
"""Benchmark the language server: diagnostics latency on a 1 MB document, and memory
across many opened and closed documents.

    python bench/lsp.py [--rounds 5] [--documents 500]

A real ``briefing-lint server`` process is driven over stdio (needs the ``[lsp]`` extra).

- latency: a ~1 MB briefing is opened, then a character is typed into it ``--rounds``
  times (an incremental change, as an editor sends it); each round's latency runs from
  sending the change to receiving the diagnostics for that version, so it includes the
  server's debounce (``DEBOUNCE``), the lint, the conversion to positions and the JSON.
  Two documents: a realistic one (a finding every 50 items) and a worst case (a
  fixable finding on every link).
  The server's CPU time per change is printed too: on a busy machine the wall time is
  mostly waiting for a core.
- memory: ``--documents`` documents (each ~20 KB, all different) are opened and closed,
  three times over; after each batch the server's resident memory and what it holds are
  read with the ``briefingLint/serverState`` request. Flat means the second and third
  batches end where the first did.

Nothing here asserts: this measures, tests test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ITEM = (
    "- [🚀 项目 {n} 发布新版本](https://example.org/p{n}{query}) | 机器之心\n\n"
    "  简介：第 {n} 条新闻的简短描述，包含中文与 English words，以及更多的文字来填充。\n\n"
)


def briefing(size: int, every: int, salt: str = "") -> str:
    """A briefing of about ``size`` UTF-8 bytes; every ``every``-th link has a tracking tag."""
    parts = [f"# 周报 {salt}\n\n"]
    total = len(parts[0].encode())
    n = 0
    while total < size:
        n += 1
        if n % 20 == 1:
            parts.append(f"## 第 {n // 20 + 1} 部分\n\n")
            total += len(parts[-1].encode())
        query = "?utm_source=newsletter" if every and n % every == 0 else ""
        parts.append(ITEM.format(n=n, query=query))
        total += len(parts[-1].encode())
    return "".join(parts)


class Client:
    """A minimal editor: records the diagnostics of every version it is sent."""

    def __init__(self) -> None:
        self.lsp = LanguageClient("briefing-lint-bench", "1")
        self.arrived: dict[tuple[str, int | None], float] = {}
        self.event = asyncio.Event()

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.arrived[(params.uri, params.version)] = time.perf_counter()
            self.counts[params.uri] = len(params.diagnostics)
            self.event.set()

        @self.lsp.feature(types.WINDOW_SHOW_MESSAGE)
        def message(params: types.ShowMessageParams) -> None:
            print("server says:", params.message, file=sys.stderr)

        self.counts: dict[str, int] = {}

    async def start(self, root: Path) -> None:
        await self.lsp.start_io(sys.executable, "-m", "briefing_lint", "server")
        await self.lsp.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=root.as_uri(), process_id=None
            )
        )
        self.lsp.initialized(types.InitializedParams())

    async def stop(self) -> None:
        await self.lsp.shutdown_async(None)
        self.lsp.exit(None)
        await self.lsp.stop()

    async def diagnostics(self, uri: str, version: int, timeout: float = 120) -> float:
        """When the diagnostics for ``version`` of ``uri`` arrived."""
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.arrived:
            self.event.clear()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            await asyncio.wait_for(self.event.wait(), timeout)
        return self.arrived[(uri, version)]

    def open(self, uri: str, text: str) -> None:
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
        )

    def close(self, uri: str) -> None:
        self.lsp.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )

    async def state(self) -> dict[str, Any]:
        result = await self.lsp.protocol.send_request_async("briefingLint/serverState", None)
        keys = ("documents", "snapshots", "pending", "rss_kib", "cpu_ms")
        return {k: getattr(result, k) for k in keys}


async def latency(client: Client, root: Path, name: str, text: str, rounds: int) -> None:
    uri = (root / f"{name}.md").as_uri()
    started = time.perf_counter()
    client.open(uri, text)
    first = await client.diagnostics(uri, 1) - started
    lines = text.count("\n")
    times = []
    cpu = (await client.state())["cpu_ms"]
    for version in range(2, rounds + 2):
        # type one character at the end of a line in the middle of the document
        line = lines // 2 + version
        at = types.Position(line, 0)
        change = types.TextDocumentContentChangePartial(range=types.Range(at, at), text="x")
        sent = time.perf_counter()
        client.lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
            )
        )
        times.append(await client.diagnostics(uri, version) - sent)
    cpu = ((await client.state())["cpu_ms"] - cpu) / rounds / 1000
    client.close(uri)
    library = _library_cpu(text)
    size = len(text.encode()) / 1e6
    print(
        f"{name:<10} {size:.2f} MB, {client.counts[uri]:>5} findings: open {first:.2f} s; "
        f"after a change: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
        f"({rounds} changes); server CPU per change {cpu:.2f} s "
        f"(lint_text alone, in this process: {library:.2f} s)"
    )


def _library_cpu(text: str) -> float:
    """CPU time of one ``lint_text`` of ``text`` here: the floor under the server's figure."""
    from briefing_lint.api import lint_text

    lint_text(text)  # warm: rule data, compiled patterns
    started = time.process_time()
    lint_text(text)
    return time.process_time() - started


async def memory(client: Client, root: Path, documents: int) -> None:
    texts = [briefing(20_000, 10, salt=str(i)) for i in range(documents)]
    state = await client.state()
    print(f"before: {state}")
    for batch in range(1, 4):
        for i, text in enumerate(texts):
            uri = (root / f"b{batch}-{i}.md").as_uri()
            client.open(uri, text)
            if i % 10 == 0:  # let some be linted before they are closed
                await client.diagnostics(uri, 1)
            client.close(uri)
        print(f"after opening and closing {documents * batch:>5} documents: {await client.state()}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--documents", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        client = Client()
        await client.start(root)
        try:
            warm = briefing(5_000, 5)
            client.open((root / "warm.md").as_uri(), warm)
            await client.diagnostics((root / "warm.md").as_uri(), 1)
            client.close((root / "warm.md").as_uri())
            await latency(client, root, "realistic", briefing(1_000_000, 50), args.rounds)
            await latency(client, root, "dense", briefing(1_000_000, 1), args.rounds)
            await memory(client, root, args.documents)
        finally:
            await client.stop()


if __name__ == "__main__":
    asyncio.run(main())
