"""``--add-suppressions``: after the run, a disable comment for every remaining finding."""

from __future__ import annotations

from collections.abc import Sequence

from ..adopt import add_suppressions as insert_comments
from ..document import BOM, split_bom
from ..files import FileOutcome, save
from .result import Notice


def add_suppressions(
    outcomes: Sequence[FileOutcome], notices: list[Notice]
) -> tuple[list[str], bool]:
    """Insert the comments and save each file (as ``--fix`` does). Returns the write errors
    and whether a file changed meanwhile and was left alone; a suppressed file's
    diagnostics are cleared."""
    errors: list[str] = []
    skipped = False
    for outcome in outcomes:
        if outcome.error or not outcome.diagnostics or outcome.snapshot is None:
            continue
        if outcome.saved is not None and not outcome.saved.written:
            continue  # the fixes were not written: neither are the suppressions
        current = outcome.fixed_text if outcome.fixed_text is not None else outcome.text
        body, bom = split_bom(current)
        new = insert_comments(body, outcome.diagnostics, str(outcome.path))
        if new == body:
            notices.append(
                Notice(
                    "warning",
                    f"{outcome.path}: suppressions not added "
                    "(they would change the block structure)",
                )
            )
            continue
        saved = save(outcome.path, (BOM if bom else "") + new, current, outcome.snapshot)
        if not saved.written:
            notices.append(Notice("error", saved.error or saved.warning))
            if saved.error:
                errors.append(saved.error)
            else:
                skipped = True
            continue
        notices.append(
            Notice(
                "", f"{outcome.path}: added suppressions for {len(outcome.diagnostics)} diagnostics"
            )
        )
        outcome.diagnostics = []
    return errors, skipped
