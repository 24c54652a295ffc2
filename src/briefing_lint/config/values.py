"""Checking configuration values: each check turns one key's raw value into what the
settings hold, or raises a :class:`ConfigError` naming the file and the key."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import registry
from ..diagnostics import Severity
from ..errors import ConfigError
from ..registry import UnknownRuleError
from ..ruledata import OptionSpec
from ..safe_regex import RegexError, compile_user_regex

TOP_KEYS = {
    "select", "ignore", "extend_select", "exclude", "extend_exclude", "per_file_ignores",
    "rules", "extend", "fail_on", "unsafe_fixes", "format", "respect_gitignore", "items",
    "images",
    "max_file_size",
    "newsletter",
    "online",
}  # fmt: skip


RULE_KEYS = {"enabled", "severity"}


#: Top-level ``items`` keys and the rule option each one sets (rules may still override).
ITEM_OPTIONS = {
    "shapes": "items",
    "heading_level": "item_heading_level",
    "exclude_sections": "exclude_sections",
}


_SECTION_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


#: Top-level ``images`` keys and the BL004 option each one sets (the rule may still override).
IMAGE_OPTIONS = {"site_root": "site_root"}


FORMAT_KEYS = {"wrap", "number", "end_of_line", "validate"}


#: Top-level ``newsletter`` keys and the rule option each one sets (rules may still override).
NEWSLETTER_OPTIONS = {"names": "newsletter_names"}




_SIZE_UNITS = {
    "": 1, "b": 1,
    "k": 1024, "kb": 1024, "kib": 1024,
    "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
    "g": 1024**3, "gb": 1024**3, "gib": 1024**3,
}  # fmt: skip


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)


def parse_size(value: object) -> int:
    """Bytes from an int or a string such as ``"20MB"`` or ``"512 KiB"`` (units of 1024).

    Raises ``ValueError`` with a message fit for the user."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 20MB or a number of bytes, got {value!r}")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str) and (m := _SIZE.fullmatch(value)):
        unit = _SIZE_UNITS.get(m.group(2).lower())
        if unit is None:
            raise ValueError(f"unknown unit {m.group(2)!r} (use B, KB, MB or GB)")
        size = int(float(m.group(1)) * unit)
    else:
        raise ValueError(f"expected a size such as 20MB or a number of bytes, got {value!r}")
    if size < 1:
        raise ValueError(f"expected a size of at least 1 byte, got {value!r}")
    return size


def unknown_hint(what: str, given: str, known: Iterable[str]) -> str:
    """``unknown key`` with the closest known spelling, if one is close."""
    spelled = {k.replace("_", "-"): k for k in known}
    close = difflib.get_close_matches(given.replace("_", "-").lower(), list(spelled), n=1)
    return f"{what}; did you mean {close[0]!r}?" if close else what


def norm_key(key: object) -> str:
    return str(key).strip().replace("-", "_")


def shown(value: object, limit: int = 60) -> str:
    """A value quoted in a message, cut short: a message never carries a file's bulk."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def str_list(value: Any, source: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(source, key, "expected a list of strings")
    return tuple(v.strip() for v in value)


def rule_codes(value: Any, source: str, key: str) -> tuple[str, ...]:
    items = str_list(value, source, key)
    for item in items:
        if item.upper() == "ALL":
            continue
        try:
            registry.resolve(item)
        except UnknownRuleError:
            raise ConfigError(source, key, f"unknown rule {shown(item)}") from None
    return items


def severity_value(value: Any, source: str, key: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(source, key, "expected error, warning or info") from None


def check_option(spec: OptionSpec, value: Any, source: str, key: str) -> Any:
    kind = spec.type
    ok: bool
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "str":
        ok = isinstance(value, str)
    elif kind in ("list", "regex-list"):
        ok = isinstance(value, list)
    elif kind == "dict":
        ok = isinstance(value, dict)
    elif kind == "severity":
        return severity_value(value, source, key).value
    else:  # enum
        ok = value in spec.choices
        if not ok:
            choices = ", ".join(str(c) for c in spec.choices)
            raise ConfigError(source, key, f"expected one of {choices}, got {shown(value)}")
    if not ok:
        raise ConfigError(source, key, f"expected {kind}, got {type(value).__name__}")
    if kind == "list":
        _check_items(spec, value, source, key)
    if kind == "regex-list":
        for item in value:
            try:
                compile_user_regex(str(item))
            except RegexError as exc:
                raise ConfigError(source, key, str(exc)) from None
    return value


def _check_items(spec: OptionSpec, value: list[Any], source: str, key: str) -> None:
    """The items of a list option against what its YAML allows (``choices``, ``item``)."""
    for i, item in enumerate(value):
        if spec.choices and item not in spec.choices:
            allowed = " ".join(str(c) for c in spec.choices)
            raise ConfigError(source, f"{key}[{i}]", f"expected one of {allowed}, got {item!r}")
        if spec.item == "text" and (not isinstance(item, str) or not item.strip()):
            raise ConfigError(source, f"{key}[{i}]", f"expected a non-empty string, got {item!r}")


def _section_keys(
    value: Any, source: str, section: str, known: Mapping[str, str], shape: str = "a mapping"
) -> Iterator[tuple[str, str, Any]]:
    """(normalised key, dotted key, value) of a section such as ``items:`` or ``images:``,
    after checking it is a mapping of known keys."""
    if not isinstance(value, dict):
        raise ConfigError(source, section, f"expected {shape}")
    for raw_key, item in value.items():
        key = norm_key(raw_key)
        dotted = f"{section}.{raw_key}"
        if key not in known:
            raise ConfigError(source, dotted, unknown_hint("unknown key", str(raw_key), known))
        yield key, dotted, item


def items_section(value: Any, source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    specs = registry.meta_of("BL003").options
    for key, dotted, item in _section_keys(value, source, "items", ITEM_OPTIONS):
        if key == "exclude_sections":
            out[key] = _exclude_sections(item, source, dotted)
            continue
        out[key] = check_option(specs[ITEM_OPTIONS[key]], item, source, dotted)
    return out


def site_root(value: Any, source: str, key: str) -> str:
    """A folder relative to the folder of the config file that sets it, made absolute there
    (a file that ``extend``s this one may live elsewhere); it must exist."""
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ConfigError(source, key, "expected a folder path relative to the config file")
    if not Path(source).is_file():  # a mapping, not a file: relative to the working folder
        return value
    folder = Path(source).parent
    found = (folder / value).resolve()
    if not found.is_dir():
        raise ConfigError(source, key, f"no such folder {value!r} (relative to {folder})")
    return str(found)


def images_section(value: Any, source: str) -> dict[str, Any]:
    return {
        key: site_root(item, source, dotted)
        for key, dotted, item in _section_keys(value, source, "images", IMAGE_OPTIONS)
    }


def _exclude_sections(value: Any, source: str, key: str) -> dict[str, list[str]]:
    """``{kind: [pattern, …]}``: extra non-news heading patterns (regular expressions)."""
    if not isinstance(value, dict):
        raise ConfigError(
            source,
            key,
            "expected a mapping of section kind to a list of patterns, "
            f"e.g. {{sponsor: [鸣谢]}}, got {type(value).__name__}",
        )
    out: dict[str, list[str]] = {}
    for kind, patterns in value.items():
        where = f"{key}.{kind}"
        if not isinstance(kind, str) or not _SECTION_KIND.match(kind):
            raise ConfigError(
                source, where, "a section kind is a lower-case name (sponsor, jobs, …)"
            )
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(source, where, "expected a list of patterns (strings)")
        for pattern in patterns:
            if not pattern.strip():
                raise ConfigError(source, where, "empty pattern")
            try:
                compile_user_regex(pattern)
            except RegexError as exc:
                raise ConfigError(source, where, str(exc)) from None
        out[kind] = list(patterns)
    return out


def newsletter_section(value: Any, source: str) -> dict[str, Any]:
    # Lazy for start-up speed: the URL tables are needed only when a config names its
    # newsletter.
    from ..urls import name_key

    out: dict[str, Any] = {}
    shape = "a mapping (names: [...])"
    for key, dotted, item in _section_keys(value, source, "newsletter", NEWSLETTER_OPTIONS, shape):
        if isinstance(item, str):
            item = [item]
        if not isinstance(item, list) or not all(isinstance(v, str) for v in item):
            raise ConfigError(source, dotted, "expected a list of names")
        for name in item:
            if not name_key(name):
                raise ConfigError(source, dotted, f"{name!r} is not a name")
        out[key] = tuple(item)
    return out
