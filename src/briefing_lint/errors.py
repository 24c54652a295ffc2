"""Errors a user can cause through configuration, kept in a leaf module so that rules,
the registry and the config loader can all raise and catch them without importing each
other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ConfigError(Exception):
    """A configuration problem: exit 2, message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a worker process, it must survive the trip back (pickling).
        return (type(self), (self.source, self.key, self.problem))


class ConfigErrors(ConfigError):
    """Every problem of one config file, reported together (one line each), so a user fixes
    them in one go instead of one run per mistake."""

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        first = errors[0]
        super().__init__(first.source, first.key, first.problem)
        self.errors = tuple(errors)
        self.args = ("\n".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ConfigErrors, (list(self.errors),))


class PluginError(ConfigError):
    """A rule plugin that cannot be used (a code that clashes with another rule, missing
    metadata): the run stops with exit 2, naming the plugin's entry point."""


class OptionError(ValueError):
    """A rule option value that its rule cannot use; ``key`` is relative to the option."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem
