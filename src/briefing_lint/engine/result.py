"""What a run returns: the only thing the CLI renders and the library hands back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from ..diagnostics import Applicability, Diagnostic, Severity


@dataclass(frozen=True)
class Notice:
    """A message for the user beside the findings (stderr in the CLI), in run order.

    ``level`` is ``error``, ``warning`` or ``""`` (a plain progress line).
    """

    level: str
    message: str


@dataclass(frozen=True)
class FileResult:
    """One file of a run: its findings and, with ``fix``, its new text and how writing went.

    Diagnostics carry their 1-based ``line``/``column`` positions, into ``fixed_text`` when
    fixing (that is where they remain), else into ``text``.
    """

    path: Path
    diagnostics: tuple[Diagnostic, ...] = ()
    #: Why the file could not be read or checked (input error); its other fields are empty.
    error: str | None = None
    #: The text as read.
    text: str = ""
    #: The fixed text (``fix`` only; the same as ``text`` when nothing applied).
    fixed_text: str | None = None
    #: Number of fixes applied, and by rule code.
    applied: int = 0
    fixed_codes: Mapping[str, int] = field(default_factory=dict)
    #: Fixes did not settle: nothing of them is kept (``failing_rules`` names the rules).
    converged: bool = True
    failing_rules: tuple[str, ...] = ()
    #: Fixes the structure guard refused, with the reason.
    refused: tuple[str, ...] = ()
    #: The fixed text was written to the file.
    written: bool = False
    #: Writing was refused or failed (the file is as it was).
    write_error: str = ""
    #: The file changed or went away after it was read: nothing was written.
    write_warning: str = ""
    #: A remaining diagnostic is at or above the file's ``fail-on`` severity.
    failing: bool = False

    @property
    def changed(self) -> bool:
        """Fixing changed the text (whether or not it was written)."""
        return self.fixed_text is not None and self.fixed_text != self.text


@dataclass(frozen=True)
class RunResult(Sequence[FileResult]):
    """A whole run; iterating it gives its files, in the order they were found."""

    files: tuple[FileResult, ...] = ()
    #: Errors and warnings for the user, in the order they happened.
    notices: tuple[Notice, ...] = ()
    #: One message per path that could not be read (missing, unreadable, too large ...).
    input_errors: tuple[str, ...] = ()
    #: No Markdown file was found under the paths given (and none was missing).
    no_files: bool = False
    #: Writes that failed or were refused (fixes or added suppressions): exit 2.
    write_errors: tuple[str, ...] = ()
    #: Some fixes or suppressions were not written because the file changed meanwhile.
    not_written: bool = False

    @overload
    def __getitem__(self, index: int) -> FileResult: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[FileResult]: ...

    def __getitem__(self, index: int | slice) -> FileResult | Sequence[FileResult]:
        return self.files[index]

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[FileResult]:
        return iter(self.files)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding of the run, file by file."""
        return [d for f in self.files for d in f.diagnostics]

    @property
    def changed_files(self) -> int:
        """Files whose fixed text was written."""
        return sum(1 for f in self.files if f.written)

    @property
    def failing(self) -> bool:
        """Some file has a finding at or above its ``fail-on`` severity."""
        return any(f.failing for f in self.files)

    def counts(self) -> dict[str, int]:
        """Findings by severity (every severity present, zero or not)."""
        out = {s.value: 0 for s in Severity}
        for d in self.diagnostics:
            out[d.severity.value] += 1
        return out

    def fixable(self, applicability: Applicability = Applicability.SAFE) -> int:
        """Findings whose fix has this applicability."""
        return sum(
            1
            for d in self.diagnostics
            if d.fix is not None and d.fix.applicability is applicability
        )
