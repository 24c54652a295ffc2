"""The library API: pure functions over text, and a path walker for whole folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .config import Config, ConfigResolver
from .diagnostics import Diagnostic
from .document import BOM, Document, split_bom
from .files import FileOutcome as FileResult
from .fixer import FixResult, fix_loop
from .linter import active_rules, lint_document


def _config(config: Config | dict[str, object] | None) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    return Config.from_dict(config)


def lint_text(
    text: str, config: Config | dict[str, object] | None = None, path: str | None = None
) -> list[Diagnostic]:
    """Diagnostics for ``text``; offsets are into ``text`` without a leading BOM.

    ``path`` only selects per-file settings and names the document; nothing is read.
    """
    cfg = _config(config)
    doc = Document(text, path)
    diagnostics = lint_document(doc, cfg)
    doc.release()
    return diagnostics


def fix_text(
    text: str,
    config: Config | dict[str, object] | None = None,
    path: str | None = None,
    *,
    unsafe: bool = False,
    cross_file: bool = False,
) -> FixResult:
    """Apply fixes to a fixed point. ``.text`` keeps the BOM, line endings and final newline.

    ``cross_file``: the text is one file of a run whose cross-file findings are judged
    afterwards, so a suppression comment they might use is neither reported nor removed here.
    """
    from . import guard

    cfg = _config(config)
    body, bom = split_bom(text)
    rules = active_rules(cfg, path)

    def lint(current: str) -> list[Diagnostic]:
        # Offsets must be into ``current``: Document drops one leading BOM, so a text that
        # still starts with one (a file with two) gets an extra one to drop.
        source = BOM + current if current.startswith(BOM) else current
        # One parse per text: the guard's parse of a fixed text is the next lint's, and the
        # linter's parse is the guard's "before".
        hit = guard.cached(current)
        doc = Document(source, path, parsed=None if hit is None else (hit.tokens, hit.env))
        if hit is None:
            guard.remember(current, doc.tokens, doc.env)
        diagnostics = lint_document(doc, cfg, rules, cross_file=cross_file)
        doc.release()
        return diagnostics

    try:
        result = fix_loop(
            body, lint, unsafe=unsafe or cfg.unsafe_fixes, guard=guard.structure_guard
        )
    finally:
        guard.clear_cache()
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


def lint_paths(
    paths: Sequence[str | Path],
    config: Config | dict[str, object] | None = None,
    *,
    fix: bool = False,
    unsafe: bool = False,
) -> list[FileResult]:
    """Lint (and with ``fix`` rewrite) files and folders, as the CLI does."""
    from .crossfile import cross_file_diagnostics
    from .files import discover, process_file

    resolver = ConfigResolver() if config is None else _FixedResolver(_config(config))
    out: list[FileResult] = []
    for path in discover([Path(p) for p in paths], resolver):
        out.append(process_file(path, resolver.for_path(path), fix=fix, unsafe=unsafe))
    cross_file_diagnostics(out, resolver)
    return out


class _FixedResolver(ConfigResolver):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self._config = config

    def for_path(self, path: Path | None) -> Config:
        return self._config
