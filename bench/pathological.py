#!/usr/bin/env python3
"""Time briefing-lint on pathological inputs against markdown-it-py's own parse.

    python bench/pathological.py [--scale 1.0] [--runs 3] [--only CASE ...] [--no-fix]

Each case is a generated text (brackets, emphasis runs, deep nesting, long tables, tight
lists, thousands of fixes...). For each it prints the size, the best-of-``--runs`` CPU time
(of this process: steadier than wall time on a shared machine) of
``MarkdownIt("commonmark").enable("table").parse``, of ``lint_text`` and, where the case
has fixes, of ``fix_text`` (what ``--fix`` does), and the ratios to the parse. A linter that
is linear where markdown-it is shows a ratio that stays put as ``--scale`` grows.
tests/test_linear_time.py asserts the same shapes; this only measures.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from markdown_it import MarkdownIt


def _quotes(n: int) -> str:
    # Depth up to 15: within markdown-it's default nesting limit (20), so both parse it all.
    return "".join(">" * (1 + i % 15) + " x\n" for i in range(n))


def _lists(n: int) -> str:
    return "".join("  " * (i % 8) + "- x\n" for i in range(n))


def _table(n: int) -> str:
    rows = "".join(f"| x{i} | [y](https://example.org/{i}) |\n" for i in range(n))
    return "| a | b |\n| --- | --- |\n" + rows


def _tight_list(n: int) -> str:
    return "".join(f"- item {i}\n" for i in range(n))


def _fixes(n: int) -> str:
    # BL010 (spaces inside link text) on every line: one safe fix each.
    return "".join(f"- [ title {i} ](https://example.org/{i})\n" for i in range(n))


#: name -> (generator, base size, has fixes); the shapes of tests/test_linear_time.py.
CASES: dict[str, tuple[Callable[[int], str], int, bool]] = {
    "brackets [": (lambda n: "[" * n, 100_000, False),
    "brackets [..]": (lambda n: "[" * n + "]", 20_000, False),
    "images ![": (lambda n: "![" * n, 50_000, False),
    "emphasis *_": (lambda n: "*_" * n, 50_000, False),
    "backticks": (lambda n: "".join("`" * (1 + i % 7) + "a" for i in range(n)), 200_000, False),
    "comments <!--": (lambda n: "a <!--" * n, 50_000, False),
    "nested >": (_quotes, 10_000, False),
    "nested lists": (_lists, 10_000, False),
    "long table": (_table, 10_000, False),
    "tight list": (_tight_list, 20_000, False),
    "many fixes": (_fixes, 8_000, True),
}


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every case's size")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None, help="case names (substrings)")
    ap.add_argument("--no-fix", action="store_true", help="skip the fix_text timings")
    args = ap.parse_args()

    from briefing_lint import fix_text, lint_text

    md = MarkdownIt("commonmark").enable("table")
    lint_text("warm up [x](https://example.org)\n")
    print(
        f"{'case':<16} {'size':>9} {'markdown-it':>12} {'lint_text':>10} {'ratio':>6}"
        f" {'--fix':>9} {'ratio':>6}"
    )
    for name, (make, size, fixes) in CASES.items():
        if args.only and not any(o in name for o in args.only):
            continue
        text = make(max(1, int(size * args.scale)))
        parse = best(lambda text=text: md.parse(text), args.runs)
        lint = best(lambda text=text: lint_text(text), args.runs)
        size_kb = len(text.encode()) / 1000
        line = f"{name:<16} {size_kb:>7.0f}kB {parse:>11.3f}s {lint:>9.3f}s {lint / parse:>5.1f}x"
        if fixes and not args.no_fix:
            fix = best(lambda text=text: fix_text(text), 1)
            line += f" {fix:>8.3f}s {fix / parse:>5.1f}x"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
