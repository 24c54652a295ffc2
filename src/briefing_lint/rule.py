"""The rule base class and the context a rule sees.

Rules are stateless: ``check(ctx)`` yields diagnostics, each carrying its fix. They never
mutate tokens and never ask whether ``--fix`` is on, so ``--diff``, JSON and editors all see
the same fixes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from .diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span
from .document import Document, DocumentIndex, index
from .edits import apply_edits
from .errors import OptionError as OptionError
from .ruledata import RuleDataError, RuleMeta, meta_for


class ConfigView(Protocol):
    """What a rule may read of the config it runs under (the config module sits above the
    rules: they see it through this)."""

    @property
    def source(self) -> Path | None: ...

    @property
    def provenance(self) -> Mapping[str, str]: ...

    @property
    def items(self) -> Mapping[str, Any]: ...


@dataclass
class Directive:
    """One suppression comment (found by :mod:`briefing_lint.suppressions`, judged by BL014)."""

    action: str
    codes: frozenset[str] | None  # None: every rule
    span: Span
    line: int  # 0-based line of the comment
    reason: str
    raw_args: str
    bad: tuple[str, ...] = ()
    used: bool = False


@dataclass
class RuleContext:
    """What one rule gets for one document."""

    doc: Document
    meta: RuleMeta
    options: Mapping[str, Any]
    severity_override: Severity | None = None
    config: ConfigView | None = None
    #: The user's per-kind severities (``severity: {kind: level}``), above everything else.
    kind_severity: Mapping[str, Severity] = field(default_factory=dict)
    #: Codes of the rules on by default (BL014 judges a bare ``disable`` only when all run).
    default_codes: frozenset[str] = frozenset()
    #: The structure guard (source, fixed, diagnostics) -> refused ones, handed in by the
    #: linter so that rules stay below the guard; None: every fix is taken as changing the
    #: structure (no fix is offered where it matters).
    structure_guard: Callable[[str, str, list[Diagnostic]], Any] | None = None

    @cached_property
    def index(self) -> DocumentIndex:
        """Links, images, definitions and text nodes (shared by every rule of this run)."""
        return index(self.doc)

    def severity_for(self, kind: str = "", severity: Severity | None = None) -> Severity:
        """User override (per kind, then whole rule) > what the rule asked for > the kind's
        default > the rule's default."""
        if kind and kind in self.kind_severity:
            return self.kind_severity[kind]
        if self.severity_override is not None:
            return self.severity_override
        if severity is not None:
            return severity
        if kind and kind in self.meta.kinds:
            return self.meta.kinds[kind]
        return self.meta.severity

    def report(
        self,
        span: Span,
        message: str,
        *,
        kind: str = "",
        severity: Severity | None = None,
        fix: Fix | None = None,
        data: dict[str, object] | None = None,
    ) -> Diagnostic:
        """Build a diagnostic of this rule (does not record it: ``yield`` it)."""
        return Diagnostic(
            code=self.meta.code,
            name=self.meta.name,
            span=span,
            message=message,
            severity=self.severity_for(kind, severity),
            fix=fix,
            kind=kind,
            data=data or {},
        )

    def message(self, key: str, **values: Any) -> str:
        """A message template from the rule's YAML, filled in."""
        return self.meta.message(key, **values)

    def fix_applicability(self, kind: str = "") -> Applicability | None:
        """The applicability the YAML declares for this rule (or this kind of finding)."""
        declared = self.meta.kind_fixes.get(kind, self.meta.fix) if kind else self.meta.fix
        return None if declared == "none" else Applicability(declared)

    def fix(self, edits: Iterable[Edit], *, title: str, kind: str = "") -> Fix | None:
        """A fix with the applicability the YAML declares for this rule (or ``kind``), or
        None where the YAML declares no fix. A ``kind`` the YAML does not declare is a bug
        in the rule, not in the document: it raises :class:`RuleDataError`."""
        if kind and kind not in self.meta.kind_fixes:
            raise RuleDataError(f"{self.meta.code}: fix of undeclared kind {kind!r}")
        applicability = self.fix_applicability(kind)
        return None if applicability is None else Fix(tuple(edits), applicability, title)

    def keeps_structure(self, fix: Fix, at: Span) -> bool:
        """Whether the structure guard would let ``fix`` (reported at ``at``) through."""
        if self.structure_guard is None:
            return False
        source = self.doc.source
        probe = self.report(at, fix.title, fix=fix)
        return not self.structure_guard(source, apply_edits(source, fix.edits), [probe])


@runtime_checkable
class RuleProtocol(Protocol):
    """What the linter needs of a rule class, built-in or plugin. Subclassing :class:`Rule`
    gives every member but ``code`` and ``check``."""

    code: ClassVar[str]
    after_suppressions: ClassVar[bool]
    cross_file: ClassVar[bool]

    @classmethod
    def validate_options(cls, options: Mapping[str, Any]) -> None: ...

    @classmethod
    def meta(cls) -> RuleMeta: ...

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]: ...


class Rule:
    """Base class: set ``code`` and implement :meth:`check`. Metadata comes from YAML."""

    code: ClassVar[str] = ""

    @classmethod
    def validate_options(cls, options: Mapping[str, Any]) -> None:
        """Check option values beyond their YAML type (raise :class:`OptionError`).

        Called while the config is loaded, so a bad value stops the run with the file and
        the key named before any file is linted.
        """

    @classmethod
    def meta(cls) -> RuleMeta:
        found = meta_for(cls.code)
        if found is None:
            raise RuleDataError(f"no metadata for rule {cls.code}")
        return found

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:  # pragma: no cover - abstract
        raise NotImplementedError

    #: Judged after every other rule ran and suppressions were applied (BL014), through
    #: :meth:`judge` instead of :meth:`check`.
    after_suppressions: ClassVar[bool] = False

    def judge(
        self, ctx: RuleContext, directives: Iterable[Any], selected: set[str]
    ) -> Iterable[Diagnostic]:
        """Diagnostics about the suppression ``directives`` (``after_suppressions`` rules)."""
        return ()

    # Cross-file rules (e.g. BL006) collect per-file facts, then judge the whole run.
    cross_file: ClassVar[bool] = False

    def facts(self, ctx: RuleContext) -> Any:
        """Picklable per-file facts for :meth:`check_run` (only for cross-file rules)."""
        return None

    def check_run(
        self, facts: Mapping[str, Any], options: Mapping[str, Any]
    ) -> Iterable[tuple[str, Diagnostic]]:
        """Diagnostics that need every file of the run: ``(path, diagnostic)`` pairs."""
        return ()

    def drop_run(
        self, facts: Mapping[str, Any], options: Mapping[str, Any]
    ) -> Callable[[Diagnostic], bool] | None:
        """A test for this rule's per-file diagnostics that the whole run shows wrong (BL001:
        a tag value that turns out to be the newsletter's own name); None drops nothing."""
        return None
