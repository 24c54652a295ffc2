"""BL005 stated-count is linear in the size of a file: the headings it matches claims
against are computed once per document (``doc.analysis``), not once per count claim.

A file made of corpus issues concatenated 1x, 2x and 4x (every claim judged, not only the
intro's): each doubling may cost at most 2.2x (the old per-claim rebuild cost ~3.3x). The
item model, shared by every item rule, is built before the clock starts. CPU time, best of
three, so a busy machine does not decide the outcome. Needs BRIEFING_LINT_CORPUS.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from briefing_lint.briefing import items_for
from briefing_lint.document import Document
from briefing_lint.registry import Registry
from briefing_lint.rule import RuleContext

CORPUS = os.environ.get("BRIEFING_LINT_CORPUS")


def _bl005_seconds(text: str) -> tuple[float, int]:
    rules = Registry.builtin()
    meta = rules.meta("BL005")
    rule = rules.rule_class("BL005")()
    options = {**meta.defaults(), "intro_only": False}
    best, found = float("inf"), 0
    for _ in range(3):
        doc = Document(text)
        items_for(doc, options)
        gc.collect()
        start = time.process_time()
        found = len(list(rule.check(RuleContext(doc, meta, options))))
        best = min(best, time.process_time() - start)
    return best, found


@pytest.mark.skipif(not CORPUS, reason="set BRIEFING_LINT_CORPUS to the corpus folder")
def test_bl005_time_per_doubling() -> None:
    assert CORPUS is not None
    files = sorted(Path(CORPUS).rglob("*.md"))[:60]
    base = "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    runs = [_bl005_seconds("\n\n".join([base] * n)) for n in (1, 2, 4)]
    (t1, n1), (t2, n2), (t4, n4) = runs
    assert n1 > 0 and n2 == 2 * n1 and n4 == 4 * n1  # the same claims, judged again
    assert t2 <= 2.2 * t1 and t4 <= 2.2 * t2, f"1x {t1:.3f}s, 2x {t2:.3f}s, 4x {t4:.3f}s"
