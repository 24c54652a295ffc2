"""The library API: pure functions over text, and the CLI's own run over files and folders.

Everything named in ``briefing_lint.__all__`` is public (docs/api.md); the modules behind it
are internal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import Config, ConfigResolver
from .diagnostics import Diagnostic, Severity
from .document import Document
from .engine import FileResult, RunOptions, RunResult, fix_source, locate, run
from .engine.configs import ConfigLike, as_config, resolver_for
from .fixer import FixResult
from .formatter import FormatResult, format_text
from .linter import lint_document
from .registry import current as current_registry

__all__ = [
    "FileResult",
    "FixResult",
    "FormatResult",
    "RuleInfo",
    "RunResult",
    "fix_text",
    "format_text",
    "lint_paths",
    "lint_text",
    "list_rules",
    "load_config",
]


def lint_text(text: str, config: ConfigLike = None, path: str | None = None) -> list[Diagnostic]:
    """Diagnostics for ``text``; offsets are into ``text`` without a leading BOM.

    ``path`` only selects per-file settings and names the document; nothing is read.
    """
    doc = Document(text, path)
    diagnostics = lint_document(doc, as_config(config))
    doc.release()
    return list(locate(text, diagnostics))


def fix_text(
    text: str,
    config: ConfigLike = None,
    path: str | None = None,
    *,
    unsafe: bool = False,
    cross_file: bool = False,
) -> FixResult:
    """Apply fixes to a fixed point. ``.text`` keeps the BOM, line endings and final newline;
    ``.remaining`` carries positions into it.

    ``cross_file``: the text is one file of a run whose cross-file findings are judged
    afterwards, so a suppression comment they might use is neither reported nor removed here.
    """
    facts: dict[str, object] | None = {} if cross_file else None
    result = fix_source(text, as_config(config), path, unsafe=unsafe, facts=facts)
    return FixResult(
        result.text,
        result.applied,
        locate(result.text, result.remaining),
        result.converged,
        result.failing_rules,
        result.refused,
    )


def lint_paths(
    paths: Sequence[str | Path],
    config: ConfigLike = None,
    *,
    fix: bool = False,
    unsafe: bool = False,
) -> RunResult:
    """Lint files and folders exactly as ``briefing-lint check`` does (cross-file rules
    included); with ``fix``, write the fixed files as ``check --fix`` does
    (:attr:`FileResult.written` says which were).

    ``config=None`` finds each file's config file as the CLI does; a ``Config`` or a mapping
    applies to every file. A missing or unreadable path is reported in the result
    (``input_errors`` and a :class:`FileResult` with ``error``), not raised.
    """
    options = RunOptions(fix=fix, unsafe=unsafe, write=fix)
    return run([Path(p) for p in paths], resolver_for(config), options)


def load_config(path: str | Path | None = None) -> Config:
    """The config that applies to ``path`` (a Markdown file or a folder; default: the
    current folder), found as the CLI finds it. Raises ``ConfigError`` for a bad one."""
    target = Path.cwd() if path is None else Path(path)
    return ConfigResolver().for_path(target if target.is_file() else target / "x.md")


@dataclass(frozen=True)
class RuleInfo:
    """What a rule is, from its metadata: ``fix`` is ``none``, ``safe`` or ``unsafe``."""

    code: str
    name: str
    summary: str
    severity: Severity
    fix: str
    default_enabled: bool

    @property
    def fixable(self) -> bool:
        return self.fix != "none"


def list_rules() -> list[RuleInfo]:
    """Every known rule, in code order. (Not ``rules()``: ``briefing_lint.rules`` is the
    package of rule modules, and importing it would shadow a function of that name.)"""
    out = []
    for entry in current_registry().entries():
        meta = entry.meta()
        out.append(
            RuleInfo(
                meta.code, meta.name, meta.summary, meta.severity, meta.fix, meta.default_enabled
            )
        )
    return out
