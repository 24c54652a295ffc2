"""Corpus sweep: every rule over a folder of real newsletters, when one is available.

Set ``BRIEFING_LINT_CORPUS`` to a folder of Markdown files (``.ci/run`` points it at
``../shared/corpus`` when that exists). Every file is linted and fixed with every rule
(``ALL``), unsafe fixes off, and must show: no exception, fixes converge, the structure guard
refuses nothing, and fixing the fixed text changes nothing. Files are spread over a process
pool. Set ``BRIEFING_LINT_SWEEP_REPORT`` to a path to get the figures as JSON.
"""

from __future__ import annotations

import json
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.files import MARKDOWN_SUFFIXES, InputError, read_text

CORPUS = os.environ.get("BRIEFING_LINT_CORPUS", "")
ALL = {"select": ["ALL"]}


@dataclass
class Sweep:
    """What happened to one file."""

    path: str
    diagnostics: int = 0
    fixes: int = 0
    second_pass_changes: int = 0
    refused: list[str] = field(default_factory=list)
    converged: bool = True
    failing_rules: list[str] = field(default_factory=list)
    error: str = ""
    input_error: str = ""


def sweep_file(path: str) -> Sweep:
    """Lint and fix one file twice; never raises (errors are recorded)."""
    out = Sweep(path)
    try:
        text = read_text(Path(path))
    except InputError as exc:
        out.input_error = str(exc)
        return out
    try:
        config = Config.from_dict(ALL)
        out.diagnostics = len(lint_text(text, config, path))
        first = fix_text(text, config, path)
        out.fixes = len(first.applied)
        out.refused = list(first.refused)
        out.converged = first.converged
        out.failing_rules = list(first.failing_rules)
        second = fix_text(first.text, config, path)
        out.second_pass_changes = len(second.applied) + (second.text != first.text)
        out.refused += [r for r in second.refused if r not in out.refused]
    except Exception:
        out.error = traceback.format_exc(limit=8)
    return out


def corpus_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(MARKDOWN_SUFFIXES)
    )


@pytest.mark.skipif(not CORPUS, reason="BRIEFING_LINT_CORPUS is not set (no corpus to sweep)")
def test_corpus_sweep() -> None:
    root = Path(CORPUS)
    assert root.is_dir(), f"BRIEFING_LINT_CORPUS={CORPUS} is not a folder"
    files = corpus_files(root)
    assert files, f"no Markdown files under {root}"
    names = [str(p) for p in files]
    # Largest first, so the pool does not wait on a big file picked last.
    names.sort(key=lambda n: -os.path.getsize(n))
    workers = max(1, min(os.cpu_count() or 1, 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(sweep_file, names, chunksize=4))
    results.sort(key=lambda r: r.path)

    figures = {
        "files": len(results),
        "diagnostics": sum(r.diagnostics for r in results),
        "fixes_applied": sum(r.fixes for r in results),
        "files_fixed": sum(1 for r in results if r.fixes),
        "second_pass_changes": sum(r.second_pass_changes for r in results),
        "guard_refusals": sum(len(r.refused) for r in results),
        "not_converged": sum(1 for r in results if not r.converged),
        "exceptions": sum(1 for r in results if r.error),
        "input_errors": sum(1 for r in results if r.input_error),
    }
    report = os.environ.get("BRIEFING_LINT_SWEEP_REPORT")
    if report:
        bad = [asdict(r) for r in results if r.error or r.refused or not r.converged]
        bad += [asdict(r) for r in results if r.second_pass_changes and asdict(r) not in bad]
        Path(report).write_text(
            json.dumps({"figures": figures, "problems": bad}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    print(f"\ncorpus sweep: {figures}")

    errors = [f"{r.path}:\n{r.error}" for r in results if r.error]
    assert not errors, "exceptions:\n" + "\n".join(errors[:5])
    unsettled = [f"{r.path}: {r.failing_rules}" for r in results if not r.converged]
    assert not unsettled, "fixes did not converge:\n" + "\n".join(unsettled[:10])
    refused = [f"{r.path}: {x}" for r in results for x in r.refused]
    assert not refused, "the guard refused fixes:\n" + "\n".join(refused[:10])
    second = [r.path for r in results if r.second_pass_changes]
    assert not second, "a second fix pass changed:\n" + "\n".join(second[:10])
