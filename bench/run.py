#!/usr/bin/env python3
"""Benchmark briefing-lint against the parse-only floor and peer tools, side by side.

    python bench/run.py [FOLDER] [--runs 5] [--no-peers] [--no-scaling]

FOLDER defaults to $BRIEFING_LINT_CORPUS. Every measurement is a whole process (start-up
included), repeated ``--runs`` times; the median wall time is reported with the ratio to
the parse-only floor (a Python process running ``MarkdownIt("commonmark").enable("table")``
over the same files) and the peak RSS of that process tree. Peers are run only when
installed (see bench/README.md). Nothing here asserts: this measures, tests test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARSE_ONLY = r"""
import pathlib, sys
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable("table")
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*")):
    if p.suffix in (".md", ".markdown", ".mdx") and p.is_file():
        md.parse(p.read_bytes().decode("utf-8", "replace"))
"""

# Runs a command and prints the peak RSS (KiB) of its process tree.
RSS_WRAPPER = r"""
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(cmd: list[str], runs: int, cwd: Path | None = None, before=None) -> tuple[float, int]:
    times: list[float] = []
    rss = 0
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", RSS_WRAPPER, *cmd],
            capture_output=True,
            text=True,
            cwd=cwd,
            check=False,
        )
        times.append(time.perf_counter() - start)
        try:
            rss = max(rss, int(proc.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            pass
    return statistics.median(times), rss


def briefing_lint(folder: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "briefing_lint", "check", "--exit-zero",
        "--output-format", "json", *extra, str(folder),
    ]  # fmt: skip


def peers(folder: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if shutil.which("mdformat"):
        found["mdformat --check"] = ["mdformat", "--check", str(folder)]
    if shutil.which("pymarkdown"):
        found["pymarkdown scan"] = ["pymarkdown", "scan", "-r", str(folder)]
    if shutil.which("markdownlint-cli2"):
        found["markdownlint-cli2"] = ["markdownlint-cli2", f"{folder}/**/*.md"]
    if shutil.which("rumdl"):
        found["rumdl check (no cache)"] = ["rumdl", "check", "--no-cache", str(folder)]
    return found


def copies(folder: Path, n: int, into: Path) -> Path:
    target = into / f"x{n}"
    for i in range(n):
        shutil.copytree(folder, target / f"copy{i}")
    return target


def row(name: str, seconds: float, floor: float, rss: int) -> str:
    return f"{name:<42} {seconds:8.2f} s  {seconds / floor:6.2f}x  {rss / 1024:7.1f} MB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", default=os.environ.get("BRIEFING_LINT_CORPUS"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args()
    if not args.folder:
        ap.error("give a folder or set BRIEFING_LINT_CORPUS")
    folder = Path(args.folder).resolve()
    files = [p for p in folder.rglob("*") if p.suffix in (".md", ".markdown", ".mdx")]
    size = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB, {args.runs} runs each, median wall time")
    print(f"{'':<42} {'time':>10}  {'ratio':>7}  {'peak RSS':>10}")

    # An installed package runs from bytecode; a checkout under PYTHONDONTWRITEBYTECODE would
    # compile every module on every run. Compile once so both sides start alike.
    import importlib.util

    spec = importlib.util.find_spec("briefing_lint")
    package = Path(spec.origin).parent if spec and spec.origin else Path("src/briefing_lint")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        capture_output=True,
        check=False,
    )
    floor, rss = measure([sys.executable, "-c", PARSE_ONLY, str(folder)], args.runs)
    print(row("markdown-it-py parse only (floor)", floor, floor, rss))
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        for name, extra in (
            ("briefing-lint -j1 (no cache)", ["--no-cache", "--jobs", "1"]),
            (f"briefing-lint -j{args.jobs} (no cache)", ["--no-cache", "--jobs", str(args.jobs)]),
        ):
            t, r = measure(briefing_lint(folder, *extra), args.runs)
            print(row(name, t, floor, r))
        warm_cmd = briefing_lint(folder, "--cache-dir", str(cache), "--jobs", "1")
        subprocess.run(warm_cmd, capture_output=True, check=False)  # fill the cache
        t, r = measure(warm_cmd, args.runs)
        print(row("briefing-lint warm cache", t, floor, r))
        if not args.no_peers:
            for name, cmd in peers(folder).items():
                t, r = measure(cmd, max(1, args.runs // 2))
                print(row(name, t, floor, r))
        if not args.no_scaling:
            print("\nscaling (briefing-lint -j1, no cache):")
            base = None
            for n in (1, 2, 4):
                target = copies(folder, n, Path(tmp))
                t, r = measure(briefing_lint(target, "--no-cache", "--jobs", "1"), max(1, args.runs // 2))
                base = base or t
                print(f"  {n}x copies: {t:8.2f} s  ({t / base:4.2f}x of 1x)  {r / 1024:7.1f} MB")
                shutil.rmtree(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
