"""One file: lint it, or fix it to a fixed point, keeping the cross-file facts of the final
text; optionally save the fixed text at once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..config import Config
from ..diagnostics import Diagnostic
from ..document import BOM, Document, split_bom
from ..fileio import InputError, read_source
from ..files import FileOutcome, save
from ..fixer import FixResult, fix_loop
from ..linter import active_rules, lint_document
from ..localfiles import checking


def fix_source(
    text: str,
    config: Config,
    path: str | None = None,
    *,
    unsafe: bool = False,
    facts: dict[str, object] | None = None,
    keep_parses: bool = False,
) -> FixResult:
    """Apply fixes to a fixed point. ``.text`` keeps the BOM, line endings and final newline.

    With ``facts``, the file is one of a run whose cross-file findings are judged afterwards:
    a suppression comment they might use is neither reported nor removed here, and ``facts``
    receives the cross-file facts of the final text (from the last lint, which is always of
    the text returned: no extra parse for them).

    ``keep_parses``: leave the parses in the guard's cache for the caller (who clears it),
    e.g. ``format``, whose structure comparison and next fix pass reuse them.
    """
    from .. import guard  # lazy: a run without --fix never needs it (start-up time)

    body, bom = split_bom(text)
    rules = active_rules(config, path)
    last: dict[str, object] = {}

    def lint(current: str) -> list[Diagnostic]:
        nonlocal last
        # Offsets must be into ``current``: Document drops one leading BOM, so a text that
        # still starts with one (a file with two) gets an extra one to drop.
        source = BOM + current if current.startswith(BOM) else current
        # One parse per text: the guard's parse of a fixed text is the next lint's, and the
        # linter's parse is the guard's "before".
        hit = guard.cached(current)
        doc = Document(source, path, parsed=None if hit is None else (hit.tokens, hit.env))
        if hit is None:
            guard.remember(current, doc.tokens, doc.env)
        if facts is None:
            found = lint_document(doc, config, rules)
        else:
            last = {}
            found = lint_document(doc, config, rules, facts=last)
        doc.release()
        return found

    try:
        result = fix_loop(
            body, lint, unsafe=unsafe or config.unsafe_fixes, guard=guard.structure_guard
        )
    finally:
        if not keep_parses:
            guard.clear_cache()
    if facts is not None:
        facts.update(last)
    if bom:
        result = FixResult(
            BOM + result.text,
            result.applied,
            result.remaining,
            result.converged,
            result.failing_rules,
            result.refused,
        )
    return result


def process_text(
    path: Path, text: str, config: Config, *, fix: bool = False, unsafe: bool = False
) -> FileOutcome:
    """Lint (and optionally fix) ``text`` known as ``path`` (a file's or stdin's)."""
    name = str(path)
    facts: dict[str, object] = {}
    if not fix:
        doc = Document(text, name)
        diagnostics = lint_document(doc, config, facts=facts)
        doc.release()
        return FileOutcome(path, text=text, diagnostics=diagnostics, facts=facts)
    result = fix_source(text, config, name, unsafe=unsafe, facts=facts)
    return FileOutcome(
        path,
        text=text,
        fixed_text=result.text,
        diagnostics=list(result.remaining),
        applied=len(result.applied),
        fixed_codes=dict(Counter(d.code for d in result.applied)),
        failing_rules=list(result.failing_rules),
        refused=list(result.refused),
        converged=result.converged,
        facts=facts,
    )


def process_file(
    path: Path, config: Config, *, fix: bool = False, unsafe: bool = False, write: bool = False
) -> FileOutcome:
    """Lint (and optionally fix) one file; with ``write``, save the fixed text at once: the
    time in which an edit made meanwhile could be lost is one file's, not the whole run's
    (and :func:`~briefing_lint.files.save` still refuses to overwrite one)."""
    try:
        text, snapshot = read_source(path, config.max_file_size)
    except InputError as exc:
        return FileOutcome(path, error=str(exc))
    with checking() as probe:  # a file on disk: its local images can be looked up
        outcome = process_text(path, text, config, fix=fix, unsafe=unsafe)
    outcome.file_checks = probe.checks
    outcome.snapshot = snapshot
    if write and outcome.changed and outcome.converged and outcome.fixed_text is not None:
        outcome.saved = save(path, outcome.fixed_text, text, snapshot)
        if outcome.saved.written:
            outcome.snapshot = outcome.saved.snapshot
        else:
            outcome.applied = 0  # nothing of it reached the file
            outcome.fixed_codes = {}
    return outcome
