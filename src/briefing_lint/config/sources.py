"""Reading configuration files: where they are, and their YAML or TOML turned into data.

Files, nearest to each linted file wins (searched upward from the file's folder):
``.briefing-lint.yaml``, ``briefing-lint.yaml``, then ``pyproject.toml`` with a
``[tool.briefing-lint]`` table.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..fileio import InputError, read_bytes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAMES = (".briefing-lint.yaml", "briefing-lint.yaml")


PYPROJECT = "pyproject.toml"

#: Config files are a few kilobytes; anything over this is not one.
MAX_CONFIG_SIZE = 1024 * 1024


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: a few hundred bytes of aliases naming each
    other can stand for gigabytes once the value is built or printed, so they are refused
    before anything is built. No configuration needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name, *name) are not allowed in configuration",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)


def load_yaml(text: str, source: str) -> Any:
    """Parse configuration YAML (safe, no aliases); errors name the line, never quote it.

    The parser's own messages quote the offending source line; for a file reached by
    ``extend`` (perhaps a secret outside the project) that would print it into CI logs.
    """
    loader = _ConfigLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise ConfigError(source, "", _yaml_problem(exc)) from None
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    where = "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}: "
    return f"invalid YAML: {where}{exc.problem or exc.context or 'syntax error'}"


def read_config_file(path: Path) -> tuple[Mapping[str, Any] | None, str]:
    source = str(path)
    try:
        # The guarded read of Markdown files: a FIFO, a device or /dev/zero named as the
        # config is refused, never read without end.
        raw, _snapshot = read_bytes(path, MAX_CONFIG_SIZE)
    except InputError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        raise ConfigError(source, "", reason) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(source, "", "not valid UTF-8") from None
    if path.name == PYPROJECT:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, "", f"invalid TOML: {exc}") from None
        tool = doc.get("tool")
        if tool is None:
            return None, source
        if not isinstance(tool, dict):
            raise ConfigError(source, "tool", "expected a table")
        table = tool.get("briefing-lint")
        if table is not None and not isinstance(table, dict):
            raise ConfigError(source, "tool.briefing-lint", "expected a table")
        return table, source
    data = load_yaml(text, source)
    return ({} if data is None else data), source


def find_config_file(start: Path) -> Path | None:
    """The nearest config file at or above ``start`` (a folder)."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file():
                return path
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and has_tool_table(pyproject):
            return pyproject
    return None


def has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return False
    except UnicodeDecodeError:
        # TOML is UTF-8: whether this file configures the linter cannot be told, and
        # passing over it silently would lint with other settings than the ones meant.
        raise ConfigError(str(path), "", "not valid UTF-8") from None
    return "[tool.briefing-lint" in text
