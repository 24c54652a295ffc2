"""Value types shared by rules, the fixer and the outputs.

Offsets are ``str`` indices into the document's source text (BOM removed, original line
endings kept); line and column are derived only for display.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    """How bad a finding is; ``--fail-on`` compares against this order."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        """``str(Severity.ERROR) == "error"`` (and in f-strings): a plain string to callers."""
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Applicability(str, enum.Enum):
    """When a fix may be applied: ``safe`` by ``--fix``, ``unsafe`` also needs
    ``--unsafe-fixes``, ``display`` is shown only."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True, order=True)
class Span:
    """Half-open ``[start, end)`` range of source offsets."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}..{self.end}")

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        """True when the two ranges share a character, or both insert at one point."""
        if self.start == self.end or other.start == other.end:
            return self.start <= other.end and other.start <= self.end
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Edit:
    """Replace the text of ``span`` with ``replacement``."""

    span: Span
    replacement: str


@dataclass(frozen=True)
class Fix:
    """A set of edits that must be applied together, or not at all."""

    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    title: str = ""

    @property
    def span(self) -> Span:
        """The smallest span covering every edit (used to detect overlaps)."""
        return Span(min(e.span.start for e in self.edits), max(e.span.end for e in self.edits))

    @staticmethod
    def replace(
        span: Span,
        replacement: str,
        title: str,
        applicability: Applicability = Applicability.SAFE,
    ) -> Fix:
        return Fix((Edit(span, replacement),), applicability, title)


@dataclass(frozen=True)
class Diagnostic:
    """One finding of one rule at one place.

    ``span`` holds offsets into the text; ``line``, ``column``, ``end_line`` and
    ``end_column`` (1-based, columns in code points, the end exclusive) are derived from it
    by the engine and the library functions before a diagnostic is handed out (0 before
    that, as inside rules). They take no part in equality, hashing or the cache, which
    keep to the span.
    """

    code: str
    name: str
    span: Span
    message: str
    severity: Severity
    fix: Fix | None = None
    #: Finer identifier inside a rule (e.g. ``gap`` for BL003), used for per-kind severities.
    kind: str = ""
    #: Extra machine-readable facts a rule wants to expose (JSON output ``data``).
    data: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    line: int = field(default=0, compare=False, repr=False)
    column: int = field(default=0, compare=False, repr=False)
    end_line: int = field(default=0, compare=False, repr=False)
    end_column: int = field(default=0, compare=False, repr=False)

    @property
    def located(self) -> bool:
        """Positions are filled in (see the class docstring)."""
        return self.line > 0

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.span.start, self.span.end, self.code, self.message)
