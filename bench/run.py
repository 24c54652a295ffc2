#!/usr/bin/env python3
"""Benchmark briefing-lint against two parse-only floors and peer tools, side by side.

    python bench/run.py [FOLDER] [--runs 5] [--no-peers] [--no-dense] [--no-scaling]

FOLDER defaults to $BRIEFING_LINT_CORPUS. Every measurement is a whole process (start-up
included). Each row is measured in turn with its floor, A/B/A/B, ``--runs`` times each, so a
drift in the machine's speed moves both alike; the ratio is the median of the pair-by-pair
ratios. Two floors: the stock parse (``MarkdownIt("commonmark").enable("table")``) and
briefing-lint's own tuned parse, so the rules' own cost is the distance between them. Peak
memory is the largest SUM of the resident sets of the whole process tree (workers
included), sampled from /proc (Linux; "n/a" elsewhere). Peers run only when installed, over
the files they read. Nothing here asserts: this measures, tests test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUFFIXES = (".md", ".markdown", ".mdx")

STOCK_PARSE = r"""
import pathlib, sys
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable("table")
root = pathlib.Path(sys.argv[1])
for p in sorted(root.rglob("*")) if root.is_dir() else [root]:
    if p.suffix in (".md", ".markdown", ".mdx") and p.is_file():
        md.parse(p.read_bytes().decode("utf-8", "replace"))
"""

TUNED_PARSE = STOCK_PARSE.replace(
    'from markdown_it import MarkdownIt\nmd = MarkdownIt("commonmark").enable("table")',
    "from briefing_lint.parser import markdown\nmd = markdown()",
)


# -- measuring -------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident set (KiB) of ``root`` and all its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_once(cmd: list[str]) -> tuple[float, int | None]:
    """Wall seconds and the peak summed RSS (KiB, None without /proc) of one run."""
    has_proc = os.path.isdir("/proc/self")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True) if has_proc else None
    if sampler is not None:
        sampler.start()
    proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    if sampler is not None:
        sampler.join()
    return elapsed, (peak if has_proc else None)


@dataclass
class Pair:
    a: float  # median seconds of the measured command
    b: float  # median seconds of its floor
    ratio: float  # median of the pair-by-pair ratios a/b
    rss: int | None  # peak summed RSS of the measured command, KiB


def paired(
    cmd: list[str], floor: list[str], runs: int, before: Callable[[], None] | None = None
) -> Pair:
    """``cmd`` and ``floor`` in turn, A/B/A/B, ``runs`` times each."""
    run_once(cmd)  # warm-up: file cache, bytecode
    times_a: list[float] = []
    times_b: list[float] = []
    ratios: list[float] = []
    peak: int | None = None
    for _ in range(runs):
        if before is not None:
            before()
        a, rss = run_once(cmd)
        b, _ = run_once(floor)
        times_a.append(a)
        times_b.append(b)
        ratios.append(a / b)
        if rss is not None:
            peak = max(peak or 0, rss)
    return Pair(
        statistics.median(times_a), statistics.median(times_b), statistics.median(ratios), peak
    )


# -- commands --------------------------------------------------------------------------------


def parse_cmd(target: Path, tuned: bool = False) -> list[str]:
    return [sys.executable, "-c", TUNED_PARSE if tuned else STOCK_PARSE, str(target)]


def lint_cmd(target: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "briefing_lint", "check", "--exit-zero",
        "--output-format", "json", *extra, str(target),
    ]  # fmt: skip


@dataclass
class Peer:
    name: str
    cmd: list[str]
    suffixes: tuple[str, ...]  # the files it reads


def peers(folder: Path) -> tuple[list[Peer], list[str]]:
    """Installed peers, and a note for each one that is not."""
    found: list[Peer] = []
    missing: list[str] = []
    wanted = [
        ("mdformat --check", "mdformat", ["--check", str(folder)], (".md",)),
        ("pymarkdown scan", "pymarkdown", ["scan", "-r", str(folder)], (".md",)),
        ("markdownlint-cli2", "markdownlint-cli2", [f"{folder}/**/*.{{md,markdown}}"],
         (".md", ".markdown")),
        ("rumdl check (no cache)", "rumdl", ["check", "--no-cache", str(folder)], SUFFIXES),
    ]  # fmt: skip
    for name, exe, args, suffixes in wanted:
        path = shutil.which(exe) or _beside_python(exe)
        if path:
            found.append(Peer(name, [path, *args], suffixes))
        else:
            missing.append(f"{name}: not installed, skipped")
    return found, missing


def _beside_python(exe: str) -> str | None:
    candidate = Path(sys.executable).parent / exe
    return str(candidate) if candidate.exists() else None


def _files(folder: Path, suffixes: tuple[str, ...] = SUFFIXES) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file()]


def _coverage(folder: Path, peer: Peer) -> str:
    every = _files(folder)
    seen = [p for p in every if p.suffix in peer.suffixes]
    if len(seen) == len(every):
        return "all files"
    skipped = sorted({p.suffix for p in every} - set(peer.suffixes))
    return f"{len(seen)} of {len(every)} files (skips {', '.join(skipped)})"


# -- report ----------------------------------------------------------------------------------


def _mb(rss: int | None) -> str:
    return "n/a" if rss is None else f"{rss / 1024:.1f} MB"


def row(name: str, pair: Pair, note: str = "") -> None:
    print(
        f"{name:<40} {pair.a:8.2f} s  {pair.ratio:6.2f}x  (floor {pair.b:6.2f} s)"
        f"  {_mb(pair.rss):>10}  {note}".rstrip()
    )


def concatenated(folder: Path, copies: int, into: Path) -> Path:
    """The folder's files joined into one file, ``copies`` times over."""
    target = into / f"corpus-x{copies}.md"
    parts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(_files(folder))]
    text = "\n\n".join(parts)
    target.write_text("\n\n".join([text] * copies), encoding="utf-8")
    return target


def bench_folder(folder: Path, args: argparse.Namespace, tmp: Path) -> None:
    stock = parse_cmd(folder)
    row(
        "tuned parse (briefing_lint.parser)",
        paired(parse_cmd(folder, tuned=True), stock, args.runs),
    )
    for name, extra in (
        ("briefing-lint -j1 (no cache)", ["--no-cache", "--jobs", "1"]),
        (f"briefing-lint -j{args.jobs} (no cache)", ["--no-cache", "--jobs", str(args.jobs)]),
    ):
        row(name, paired(lint_cmd(folder, *extra), stock, args.runs))
    cache = tmp / "cache"
    warm = lint_cmd(folder, "--cache-dir", str(cache), "--jobs", "1")
    subprocess.run(warm, capture_output=True, check=False)  # fill the cache
    row("briefing-lint warm cache", paired(warm, stock, args.runs))
    if args.no_peers:
        return
    found, missing = peers(folder)
    for peer in found:
        row(peer.name, paired(peer.cmd, stock, args.runs), _coverage(folder, peer))
    for note in missing:
        print(f"  {note}")


def bench_dense(args: argparse.Namespace, tmp: Path) -> None:
    dense = tmp / "dense"
    subprocess.run(
        [sys.executable, str(HERE / "dense.py"), str(dense), "--files", str(args.dense_files)],
        check=True,
    )
    size = sum(p.stat().st_size for p in _files(dense)) / 1e6
    print(f"\nfinding-dense archive (bench/dense.py, {args.dense_files} files, {size:.1f} MB):")
    stock = parse_cmd(dense)
    row("tuned parse", paired(parse_cmd(dense, tuned=True), stock, args.runs))
    row(
        "briefing-lint -j1 (no cache)",
        paired(lint_cmd(dense, "--no-cache", "-j1"), stock, args.runs),
    )


def bench_scaling(folder: Path, args: argparse.Namespace, tmp: Path) -> None:
    print("\nscaling: the folder concatenated into one file (briefing-lint -j1, no cache):")
    base: float | None = None
    for copies in (1, 2, 4):
        target = concatenated(folder, copies, tmp)
        size = target.stat().st_size / 1e6
        cmd = lint_cmd(target, "--no-cache", "-j1", "--max-file-size", "1GB")
        pair = paired(cmd, parse_cmd(target), args.scaling_runs)
        base = base or pair.a
        row(f"  {copies}x ({size:.1f} MB)", pair, f"{pair.a / base:4.2f}x the 1x time")
        target.unlink()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", nargs="?", default=os.environ.get("BRIEFING_LINT_CORPUS"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scaling-runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--dense-files", type=int, default=30)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-dense", action="store_true")
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args()
    if not args.folder:
        ap.error("give a folder or set BRIEFING_LINT_CORPUS")
    folder = Path(args.folder).resolve()
    files = _files(folder)
    size = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB; each row paired A/B with the stock parse,")
    print(
        f"{args.runs} runs each; medians; ratio = median of paired ratios; peak = summed tree RSS"
    )
    # An installed package runs from bytecode; a checkout under PYTHONDONTWRITEBYTECODE would
    # compile every module on every run. Compile once so both sides start alike.
    import importlib.util

    spec = importlib.util.find_spec("briefing_lint")
    package = Path(spec.origin).parent if spec and spec.origin else Path("src/briefing_lint")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], capture_output=True, check=False
    )
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        bench_folder(folder, args, tmp)
        if not args.no_dense:
            bench_dense(args, tmp)
        if not args.no_scaling:
            bench_scaling(folder, args, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
