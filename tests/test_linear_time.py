"""Pathological inputs take time linear in their size, close to markdown-it's own parse.

Each shape once cost quadratic time somewhere (a setext look-ahead per list item, an overlap
check per fix against every fix taken, a hundred-deep bracket scan per ``[``) or is a known
trap for Markdown parsers (emphasis runs, backticks, unclosed comments, deep nesting).

Two checks per shape, both ratios of measurements taken in the same test (CPU time of this
process, best of three, so a busy machine does not decide the outcome):

* doubling the input at most 2.5x the time (quadratic would be 4x);
* ``lint_text`` within 2x of ``MarkdownIt("commonmark").enable("table").parse`` on the same
  text (3x for the shapes where the rules themselves do proportionally more, see ``SLACK``;
  at the project's nesting limit where that sets the cost, see ``SAME_NESTING``).

bench/pathological.py prints the same comparison as a table.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt

from briefing_lint import fix_text, lint_text, parser


def _quotes(n: int) -> str:
    # Depth up to 15: within markdown-it's default nesting limit (20), so both parse it all.
    return "".join(">" * (1 + i % 15) + " x\n" for i in range(n))


def _lists(n: int) -> str:
    return "".join("  " * (i % 8) + "- x\n" for i in range(n))


def _ordered_lists(n: int) -> str:
    return "".join("   " * (i % 6) + f"{i % 9 + 1}. x\n" for i in range(n))


def _table(n: int) -> str:
    rows = "".join(f"| x{i} | [y](https://example.org/{i}) |\n" for i in range(n))
    return "| a | b |\n| --- | --- |\n" + rows


def _tight_list(n: int) -> str:
    return "".join(f"- item {i}\n" for i in range(n))


def _fixes(n: int) -> str:
    # One BL010 finding with a safe fix (spaces inside the link text) per line.
    return "".join(f"- [ title {i} ](https://example.org/{i})\n" for i in range(n))


def _backticks(n: int) -> str:
    return "".join("`" * (1 + i % 7) + "a" for i in range(n))


#: name -> (make text of size n, n): n chosen so that lint_text takes roughly 0.05-0.2 s.
CASES: dict[str, tuple[Callable[[int], str], int]] = {
    "brackets": (lambda n: "[" * n, 40_000),
    "brackets-closed": (lambda n: "[" * n + "]", 4_000),
    "images": (lambda n: "![" * n, 20_000),
    "emphasis": (lambda n: "*_" * n, 12_000),
    "backticks": (_backticks, 60_000),
    "comments": (lambda n: "a <!--" * n, 15_000),
    "quotes": (_quotes, 2_500),
    "lists": (_lists, 2_500),
    "ordered-lists": (_ordered_lists, 2_500),
    "table": (_table, 2_000),
    "tight-list": (_tight_list, 5_000),
    "many-fixes": (_fixes, 1_500),
}

#: Shapes allowed 3x markdown-it rather than 2x, and why.
SLACK = {
    # Every line has a finding, and a finding's exact position re-tokenizes its inline
    # block with positions recorded: a second inline parse of the whole text.
    "many-fixes",
}

#: Shapes compared with markdown-it at the project's own nesting limit. Each ``[`` of an
#: unclosed run is scanned as deep as the limit goes; ``parser.MAX_NESTING`` (100) is five
#: times markdown-it's default (20), and so is the cost of that scan, in markdown-it itself.
SAME_NESTING = {"brackets-closed"}


def _best(fn: Callable[[], object], runs: int = 3) -> float:
    """Best CPU time of ``runs`` calls, with the cyclic garbage collector paused.

    Its passes cost more as live objects pile up (markdown-it's own parse of a long table
    takes 2.2x per doubling with it, 2x without): that is CPython, not an algorithm here.
    """
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
        finally:
            gc.enable()
    return min(times)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    lint_text("# warm\n\n- [ a ](https://example.org) `b` <!-- c -->\n\n| x |\n| - |\n| y |\n")


@pytest.mark.parametrize("name", CASES)
def test_doubling_the_input_at_most_doubles_the_time(name: str) -> None:
    make, n = CASES[name]
    small, large = make(n), make(2 * n)
    t_small = _best(lambda: lint_text(small))
    t_large = _best(lambda: lint_text(large))
    assert t_large <= 2.5 * t_small, f"{name}: {t_small:.3f}s -> {t_large:.3f}s"


@pytest.mark.parametrize("name", CASES)
def test_lint_text_close_to_markdown_it_parse(name: str) -> None:
    make, n = CASES[name]
    text = make(n)
    md = MarkdownIt("commonmark").enable("table")
    if name in SAME_NESTING:
        md.options["maxNesting"] = parser.MAX_NESTING
    t_parse = _best(lambda: md.parse(text))
    t_lint = _best(lambda: lint_text(text))
    bound = 3.0 if name in SLACK else 2.0
    assert t_lint <= bound * t_parse, f"{name}: parse {t_parse:.3f}s, lint {t_lint:.3f}s"


def test_fixing_thousands_of_findings_scales_linearly() -> None:
    small, large = _fixes(1_000), _fixes(2_000)
    t_small = _best(lambda: fix_text(small), runs=2)
    t_large = _best(lambda: fix_text(large), runs=2)
    assert fix_text(small).text == small.replace("[ title", "[title").replace(" ](", "](")
    assert t_large <= 2.5 * t_small, f"{t_small:.3f}s -> {t_large:.3f}s"
