"""Throughput of ``check --online``: 2,000 distinct URLs against a local server.

    python bench/online.py [--urls 2000] [--per-host 4] [--concurrency 32]

The server runs in its own process (a minimal asyncio HTTP/1.1 server with keep-alive, so
the client is what is measured) and counts the requests it serves at once: the report
shows that the per-host limit held. Three timings: the checker alone, the whole command
(lint, check, lint again) with an empty cache, and the command again from the cache.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import multiprocessing
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from briefing_lint.cli import main
from briefing_lint.online.client import Checker
from briefing_lint.online.settings import Settings

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\n"


def _serve(pipe: Connection) -> None:
    state = {"now": 0, "most": 0, "served": 0, "connections": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state["connections"] += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                state["now"] += 1
                state["most"] = max(state["most"], state["now"])
                state["served"] += 1
                await asyncio.sleep(0.001)  # a little latency, so requests overlap
                writer.write(HEADERS if head.startswith(b"HEAD ") else HEADERS + b"ok")
                await writer.drain()
                state["now"] -= 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def run() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        pipe.send(server.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        while True:
            if await loop.run_in_executor(None, pipe.poll, 0.2):
                pipe.recv()
                pipe.send(dict(state))
                state.update(most=0, served=0, connections=0)

    asyncio.run(run())


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    proc = multiprocessing.Process(target=_serve, args=(theirs,), daemon=True)
    proc.start()
    port = ours.recv()

    def stats() -> dict[str, int]:
        ours.send("stats")
        result: dict[str, int] = ours.recv()
        return result

    urls = [f"http://127.0.0.1:{port}/page/{i}" for i in range(args.urls)]
    settings = Settings(per_host=args.per_host, concurrency=args.concurrency)
    start = time.perf_counter()
    links, _ = Checker(settings).run(urls, [])
    took = time.perf_counter() - start
    ok = sum(1 for r in links.values() if r.status == 200)
    served = stats()
    print(f"checker: {len(urls)} URLs, {ok} answered 200, in {took:.2f} s")
    print(f"  server: {served['served']} requests on {served['connections']} connections, "
          f"at most {served['most']} at once (per_host {args.per_host})")  # fmt: skip

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".briefing-lint.yaml").write_text(
            f"online: {{per_host: {args.per_host}, concurrency: {args.concurrency}}}\n",
            encoding="utf-8",
        )
        doc = root / "issue.md"
        doc.write_text("".join(f"- [page {i}]({u})\n" for i, u in enumerate(urls)), "utf-8")
        command = ["check", "--online", "--select=BL016", "--cache-dir", str(root / "cache")]
        for label in ("command, empty cache", "command, from the cache"):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = main([*command, str(doc)])
            took = time.perf_counter() - start
            served = stats()
            print(f"{label}: exit {code} in {took:.2f} s; server saw {served['served']} requests")
    proc.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main_bench())
