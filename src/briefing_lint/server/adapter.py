"""The language server's one window onto the library: lint, fix, format, rule metadata.

Everything the server needs from the engine goes through here, in plain offset-based
values (:class:`Finding`), so a change in the engine's API touches this module only. All
offsets are code points into the text exactly as the editor holds it (a leading BOM
included); the server converts them to protocol positions.
"""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass, replace
from pathlib import Path

from ..api import fix_text, lint_text
from ..config import CONFIG_NAMES, PYPROJECT, Config, ConfigError, ConfigResolver
from ..diagnostics import Applicability, Diagnostic, Severity
from ..formatter import format_text
from ..ruledata import RuleDataError, RuleMeta, load_meta
from .positions import UTF32, LineIndex

BOM = "\ufeff"
#: Names whose change (saved, created, deleted) can change the config of an open document.
CONFIG_FILE_NAMES = (*CONFIG_NAMES, PYPROJECT)


@dataclass(frozen=True)
class TextEdit:
    """Replace ``[start, end)`` of the editor's text with ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """One diagnostic, in the editor's text coordinates."""

    code: str
    name: str
    start: int
    end: int
    message: str
    severity: Severity
    fix_title: str = ""
    #: ``safe`` / ``unsafe``; empty when there is no fix to apply (none, or display only).
    fix_safety: str = ""
    fix_edits: tuple[TextEdit, ...] = ()


class ConfigProblem(Exception):
    """The config for a document (file or ``configure-file`` comment) is invalid."""


def _finding(diag: Diagnostic, shift: int) -> Finding:
    fix = diag.fix
    safety = ""
    edits: tuple[TextEdit, ...] = ()
    if fix is not None and fix.edits and fix.applicability is not Applicability.DISPLAY:
        safety = fix.applicability.value
        edits = tuple(
            TextEdit(e.span.start + shift, e.span.end + shift, e.replacement) for e in fix.edits
        )
    return Finding(
        diag.code,
        diag.name,
        diag.span.start + shift,
        diag.span.end + shift,
        diag.message,
        diag.severity,
        fix.title if fix is not None else "",
        safety,
        edits,
    )


class Linter:
    """Config resolution (nearest config file, as the CLI) and the library calls."""

    def __init__(self) -> None:
        self._resolver = ConfigResolver()

    def reload_config(self) -> None:
        """Forget every config read so far: the next lint reads the files again."""
        self._resolver = ConfigResolver()

    def config(self, path: Path | None) -> Config:
        try:
            return self._resolver.for_path(path)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from exc

    def lint(self, text: str, path: Path | None) -> list[Finding]:
        """Findings in source order; the library drops a leading BOM, the editor keeps it."""
        config = self.config(path)
        shift = 1 if text.startswith(BOM) else 0
        try:
            diagnostics = lint_text(text, config, None if path is None else str(path))
        except ConfigError as exc:  # a bad configure-file comment
            raise ConfigProblem(str(exc)) from exc
        return [_finding(d, shift) for d in sorted(diagnostics, key=Diagnostic.sort_key)]

    def fix_all(self, text: str, path: Path | None) -> str:
        """The text with every safe fix applied (unsafe ones never, whatever the config)."""
        config = replace(self.config(path), unsafe_fixes=False)
        try:
            result = fix_text(text, config, None if path is None else str(path))
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from exc
        return result.text if result.converged else text

    def format(self, text: str, path: Path | None, mdx: bool) -> tuple[str, tuple[str, ...]]:
        """``briefing-lint format`` on the text: the new text, or the original and why not
        (MDX is refused, as by the CLI: JSX and expressions are not CommonMark)."""
        if mdx:
            return text, ("MDX files are not formatted",)
        config = self.config(path)
        try:
            result = format_text(text, config, None if path is None else str(path))
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from exc
        return result.text, result.refused


def _common(a: str, b: str, limit: int, *, suffix: bool) -> int:
    """Length of the common prefix (or suffix) of ``a`` and ``b``, at most ``limit``: a
    bisection over slice comparisons, which run in C (a 1 MB text takes milliseconds)."""
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        same = a[len(a) - mid :] == b[len(b) - mid :] if suffix else a[:mid] == b[:mid]
        lo, hi = (mid, hi) if same else (lo, mid - 1)
    return lo


def minimal_edit(old: str, new: str) -> TextEdit | None:
    """One edit turning ``old`` into ``new``: the span between their common prefix and
    suffix (editors keep the cursor and folds outside it). None when they are equal."""
    if old == new:
        return None
    prefix = _common(old, new, min(len(old), len(new)), suffix=False)
    suffix = _common(old, new, min(len(old), len(new)) - prefix, suffix=True)
    # Never start or end between the \r and \n of a CRLF: the protocol has no such place.
    if 0 < prefix < len(old) and old[prefix - 1 : prefix + 1] == "\r\n":
        prefix -= 1
    end = len(old) - suffix
    if 0 < end < len(old) and old[end - 1 : end + 1] == "\r\n":
        end += 1
        suffix -= 1
    return TextEdit(prefix, end, new[prefix : len(new) - suffix])


def disable_line_edit(text: str, offset: int, code: str, mdx: bool) -> TextEdit:
    """Insert ``briefing-lint-disable-line CODE`` at the end of the line holding ``offset``
    (the line a finding belongs to), before trailing spaces or a backslash that make a hard
    line break, so the line renders as before."""
    index = LineIndex(text, UTF32)
    line, _ = index.position(offset)
    start = index.offset(line, 0)
    end = index.offset(line, len(text))
    content = text[start:end]
    stripped = content.rstrip(" \t")
    if stripped.endswith("\\"):
        stripped = stripped[:-1]
    at = start + len(stripped)
    comment = (
        f"{{/* briefing-lint-disable-line {code} */}}"
        if mdx
        else f"<!-- briefing-lint-disable-line {code} -->"
    )
    return TextEdit(at, at, (" " if stripped and not stripped.endswith(" ") else "") + comment)


def is_config_file(path: Path) -> bool:
    return path.name in CONFIG_FILE_NAMES


@functools.cache
def rule_meta(code: str) -> RuleMeta | None:
    try:
        return load_meta(code)
    except RuleDataError:
        return None


def rule_hover(code: str) -> str:
    """The rule's short documentation (summary, what it does, fix safety) as Markdown."""
    meta = rule_meta(code)
    if meta is None:
        return f"**{code}**"
    parts = [f"**{meta.code} {meta.name}**: {meta.summary}"]
    if meta.docs.get("what"):
        parts.append(meta.docs["what"].strip())
    if meta.docs.get("fix"):
        parts.append("Fix: " + meta.docs["fix"].strip())
    link = rule_doc_uri(code)
    if link:
        parts.append(f"[Documentation]({link})")
    return "\n\n".join(parts)


def _repository_url() -> str | None:
    """The ``Source`` / ``Repository`` / ``Homepage`` URL of the installed distribution."""
    try:
        urls = importlib.metadata.metadata("briefing-lint").get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    found: dict[str, str] = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        found[label.strip().lower()] = url.strip()
    for label in ("source", "repository", "homepage"):
        if found.get(label, "").startswith("https://"):
            return found[label].rstrip("/")
    return None


@functools.cache
def rule_doc_uri(code: str) -> str | None:
    """Where a rule's documentation is: ``docs/rules/CODE.md`` in the project's repository
    when the package names one, else that file in a checkout, else the rule's YAML."""
    meta = rule_meta(code)
    if meta is None:
        return None
    repo = _repository_url()
    if repo and "github.com/" in repo:
        return f"{repo}/blob/main/docs/rules/{code}.md"
    checkout_doc = Path(__file__).resolve().parents[3] / "docs" / "rules" / f"{code}.md"
    if checkout_doc.is_file():
        return checkout_doc.as_uri()
    return Path(meta.path).resolve().as_uri() if meta.path else None
