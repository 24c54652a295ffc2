"""The CLI's subcommands, one module each: :mod:`briefing_lint.cli` imports only the one it
runs (start-up time of a pre-commit hook). This module itself stays import-light."""

from __future__ import annotations

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad command line: exit 2."""
