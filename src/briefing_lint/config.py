"""Configuration: discovery, validation and rule selection.

Files, nearest to each linted file wins (searched upward from the file's folder):
``.briefing-lint.yaml``, ``briefing-lint.yaml``, then ``pyproject.toml`` with a
``[tool.briefing-lint]`` table. The nearest file is used whole; it may name a base file
with ``extend: path``, whose values it overrides key by key (``rules`` merge per rule and
per option). Command-line options override the file. ``--config FILE`` uses one file for
every path. Keys are accepted in kebab-case and snake_case alike.

Any unknown key or bad value is a :class:`ConfigError` that names the file and the key.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pathspec
import yaml

from .diagnostics import Severity
from .online import settings as online_settings
from .ruledata import OptionSpec, RuleMeta

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Rules that run whatever ``select`` says (only ``ignore`` or ``enabled: false`` stop them):
#: BL015 reports content nested too deep to be checked, which must never pass silently.
ALWAYS_REPORTED = frozenset({"BL015"})

CONFIG_NAMES = (".briefing-lint.yaml", "briefing-lint.yaml")
PYPROJECT = "pyproject.toml"

_TOP_KEYS = {
    "select", "ignore", "extend_select", "exclude", "extend_exclude", "per_file_ignores",
    "rules", "extend", "fail_on", "unsafe_fixes", "format", "respect_gitignore", "items",
    "images",
    "max_file_size",
    "newsletter",
    "online",
}  # fmt: skip
_RULE_KEYS = {"enabled", "severity"}
#: Top-level ``items`` keys and the rule option each one sets (rules may still override).
_ITEM_OPTIONS = {
    "shapes": "items",
    "heading_level": "item_heading_level",
    "exclude_sections": "exclude_sections",
}
_SECTION_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
#: Top-level ``images`` keys and the BL004 option each one sets (the rule may still override).
_IMAGE_OPTIONS = {"site_root": "site_root"}
_FORMAT_KEYS = {"wrap", "number", "end_of_line", "validate"}
#: ``extend`` chains longer than this are refused: real ones are two or three files deep.
MAX_EXTEND_DEPTH = 32
#: Config files are a few kilobytes; anything over this is not one.
MAX_CONFIG_SIZE = 1024 * 1024
#: Files larger than this are reported, never parsed: a stray dump or a link to a huge
#: file must not take the run's memory. 20 MB (binary units, like every size here).
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
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
#: Top-level ``newsletter`` keys and the rule option each one sets (rules may still override).
_NEWSLETTER_OPTIONS = {"names": "newsletter_names"}


class ConfigError(Exception):
    """A configuration problem: exit 2, message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, str, str]]:
        # Raised in a worker process, it must survive the trip back (pickling).
        return (ConfigError, (self.source, self.key, self.problem))


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


def _unknown(what: str, given: str, known: Iterable[str]) -> str:
    """``unknown key`` with the closest known spelling, if one is close."""
    spelled = {k.replace("_", "-"): k for k in known}
    close = difflib.get_close_matches(given.replace("_", "-").lower(), list(spelled), n=1)
    return f"{what}; did you mean {close[0]!r}?" if close else what


def _norm_key(key: object) -> str:
    return str(key).strip().replace("-", "_")


def _show(value: object, limit: int = 60) -> str:
    """A value quoted in a message, cut short: a message never carries a file's bulk."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool | None = None
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    #: ``severity: {kind: level}``: per kind of finding (e.g. BL004 ``alt-missing``).
    kind_severity: Mapping[str, Severity] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """Effective settings for the files that share one config file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rules: Mapping[str, RuleSettings] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    unsafe_fixes: bool = False
    respect_gitignore: bool = True
    format: Mapping[str, Any] = field(default_factory=dict)
    #: What counts as a news item, for every rule that reads items (BL002/3/5/6):
    #: ``{shapes: auto|headings|paragraphs|list-items, heading_level: N}``.
    items: Mapping[str, Any] = field(default_factory=dict)
    #: Local images (BL004): ``{site_root: static/}``, relative to the config file's folder.
    images: Mapping[str, Any] = field(default_factory=dict)
    #: Larger files are reported as an input problem and not parsed (bytes).
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: The briefing itself: ``{names: [...]}``, the values its own campaign tags carry
    #: (``utm_source=weekly-digest``), which BL001 keeps.
    newsletter: Mapping[str, Any] = field(default_factory=dict)
    #: ``--online`` settings (validated by :mod:`briefing_lint.online.settings`).
    online: Mapping[str, Any] = field(default_factory=dict)
    #: The file this came from (None for defaults / dicts).
    source: Path | None = None
    #: Dotted key -> where its value was set ("default", a file path, "command line").
    provenance: Mapping[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path | None:
        """Folder the config file is in: ``exclude`` and per-file globs are relative to it."""
        return None if self.source is None else self.source.parent

    # -- construction -----------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, source: str = "<config>") -> Config:
        """Validate a mapping (e.g. parsed YAML) into a Config."""
        return _build(data or {}, source, None)

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        """Load one config file (YAML or ``pyproject.toml``), following ``extend``."""
        return _load_file(Path(path), seen=())

    # -- queries ------------------------------------------------------------------------

    def selected_codes(self) -> list[str]:
        """Codes of the rules that run, in registry order."""
        from .registry import RULES, resolve

        chosen: set[str]
        if self.select is None:
            chosen = {r.code for r in RULES if r.meta().default_enabled}
        else:
            chosen = _expand(self.select, resolve)
        chosen |= _expand(self.extend_select, resolve)
        # Content that could not be checked is always said, whatever else is selected.
        chosen |= ALWAYS_REPORTED
        chosen -= _expand(self.ignore, resolve)
        for code, settings in self.rules.items():
            if settings.enabled is True:
                chosen.add(code)
            elif settings.enabled is False:
                chosen.discard(code)
        return [r.code for r in RULES if r.code in chosen]

    def ignored_for(self, path: str | Path | None) -> set[str]:
        """Codes switched off for ``path`` by ``per-file-ignores``."""
        if path is None or not self.per_file_ignores:
            return set()
        from .registry import resolve

        rel = self.relative(path)
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if _glob_match(rel, pattern):
                out |= _expand(codes, resolve)
        return out

    def options_for(self, meta: RuleMeta) -> dict[str, Any]:
        options = meta.defaults()
        for key, option in _ITEM_OPTIONS.items():
            # ``exclude_sections`` is no rule option: every rule that reads items gets it.
            if key in self.items and (option in options or "items" in options):
                options[option] = self.items[key]
        if meta.code == "BL004":
            for key, option in _IMAGE_OPTIONS.items():
                if key in self.images:
                    options[option] = self.images[key]
        for key, option in _NEWSLETTER_OPTIONS.items():
            if key in self.newsletter and option in options:
                options[option] = list(self.newsletter[key])
        settings = self.rules.get(meta.code)
        if settings is not None:
            options.update(settings.options)
        return options

    def kind_severities_for(self, code: str) -> Mapping[str, Severity]:
        settings = self.rules.get(code)
        return {} if settings is None else settings.kind_severity

    def severity_for(self, code: str) -> Severity | None:
        settings = self.rules.get(code)
        return None if settings is None else settings.severity

    def relative(self, path: str | Path) -> str:
        p = Path(path)
        root = self.root
        if root is not None:
            try:
                return p.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                pass
        return p.as_posix()

    def is_excluded(self, path: str | Path) -> bool:
        return bool(self.exclude) and _spec(self.exclude).match_file(self.relative(path))

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with command-line values applied (recorded as such in provenance)."""
        provenance = dict(self.provenance)
        clean = {k: v for k, v in overrides.items() if v is not None}
        for key in clean:
            provenance[key] = "command line"
        return replace(self, provenance=provenance, **clean)


def _expand(items: Iterable[str], resolve: Any) -> set[str]:
    from .registry import all_codes

    out: set[str] = set()
    for item in items:
        if item.strip().upper() == "ALL":
            out.update(all_codes())
        else:
            out.add(resolve(item))
    return out


def _glob_match(rel: str, pattern: str) -> bool:
    """gitignore-style matching (via pathspec), relative to the config file's folder."""
    return _spec((pattern,)).match_file(rel)


@functools.cache
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec[Any]:
    return pathspec.PathSpec.from_lines("gitignore", patterns)


# -- validation ---------------------------------------------------------------------------


def _str_list(value: Any, source: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(source, key, "expected a list of strings")
    return tuple(v.strip() for v in value)


def _codes(value: Any, source: str, key: str) -> tuple[str, ...]:
    from .registry import UnknownRuleError, resolve

    items = _str_list(value, source, key)
    for item in items:
        if item.upper() == "ALL":
            continue
        try:
            resolve(item)
        except UnknownRuleError:
            raise ConfigError(source, key, f"unknown rule {_show(item)}") from None
    return items


def _severity(value: Any, source: str, key: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(source, key, "expected error, warning or info") from None


def _check_option(spec: OptionSpec, value: Any, source: str, key: str) -> Any:
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
        return _severity(value, source, key).value
    else:  # enum
        ok = value in spec.choices
        if not ok:
            choices = ", ".join(str(c) for c in spec.choices)
            raise ConfigError(source, key, f"expected one of {choices}, got {_show(value)}")
    if not ok:
        raise ConfigError(source, key, f"expected {kind}, got {type(value).__name__}")
    if kind == "regex-list":
        from .safe_regex import RegexError, compile_user_regex

        for item in value:
            try:
                compile_user_regex(str(item))
            except RegexError as exc:
                raise ConfigError(source, key, str(exc)) from None
    return value


def _rule_settings(code: str, data: Any, source: str, meta: RuleMeta) -> RuleSettings:
    prefix = f"rules.{code}"
    if data is None:
        return RuleSettings()
    if isinstance(data, bool):
        return RuleSettings(enabled=data)
    if isinstance(data, str):
        return RuleSettings(severity=_severity(data, source, prefix))
    if not isinstance(data, dict):
        raise ConfigError(source, prefix, "expected a mapping")
    enabled: bool | None = None
    severity: Severity | None = None
    kinds: dict[str, Severity] = {}
    options: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = _norm_key(raw_key)
        dotted = f"{prefix}.{raw_key}"
        if key == "enabled":
            if not isinstance(value, bool):
                raise ConfigError(source, dotted, "expected true or false")
            enabled = value
        elif key == "severity" and isinstance(value, dict):
            for kind, level in value.items():
                if str(kind) not in meta.kinds:
                    known = ", ".join(meta.kinds) or "none"
                    raise ConfigError(
                        source, f"{dotted}.{kind}", f"unknown kind of finding (kinds: {known})"
                    )
                kinds[str(kind)] = _severity(level, source, f"{dotted}.{kind}")
        elif key == "severity":
            severity = _severity(value, source, dotted)
        elif key in meta.options:
            options[key] = _check_option(meta.options[key], value, source, dotted)
        else:
            names = [*meta.options, *_RULE_KEYS]
            raise ConfigError(source, dotted, _unknown("unknown option", str(raw_key), names))
    return RuleSettings(enabled, severity, options, kinds)


def _validate(rule_cls: Any, options: dict[str, Any], source: str, prefix: str) -> None:
    from .rule import OptionError

    try:
        rule_cls.validate_options(options)
    except OptionError as exc:
        raise ConfigError(source, f"{prefix}.{exc.key}", exc.problem) from None


def _section_keys(
    value: Any, source: str, section: str, known: Mapping[str, str], shape: str = "a mapping"
) -> Iterator[tuple[str, str, Any]]:
    """(normalised key, dotted key, value) of a section such as ``items:`` or ``images:``,
    after checking it is a mapping of known keys."""
    if not isinstance(value, dict):
        raise ConfigError(source, section, f"expected {shape}")
    for raw_key, item in value.items():
        key = _norm_key(raw_key)
        dotted = f"{section}.{raw_key}"
        if key not in known:
            raise ConfigError(source, dotted, _unknown("unknown key", str(raw_key), known))
        yield key, dotted, item


def _items(value: Any, source: str) -> dict[str, Any]:
    from .registry import rules_by_code

    out: dict[str, Any] = {}
    specs = rules_by_code()["BL003"].meta().options
    for key, dotted, item in _section_keys(value, source, "items", _ITEM_OPTIONS):
        if key == "exclude_sections":
            out[key] = _exclude_sections(item, source, dotted)
            continue
        out[key] = _check_option(specs[_ITEM_OPTIONS[key]], item, source, dotted)
    return out


def _site_root(value: Any, source: str, key: str) -> str:
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


def _images(value: Any, source: str) -> dict[str, Any]:
    return {
        key: _site_root(item, source, dotted)
        for key, dotted, item in _section_keys(value, source, "images", _IMAGE_OPTIONS)
    }


def _exclude_sections(value: Any, source: str, key: str) -> dict[str, list[str]]:
    """``{kind: [pattern, …]}``: extra non-news heading patterns (regular expressions)."""
    from .safe_regex import RegexError, compile_user_regex

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


def _newsletter(value: Any, source: str) -> dict[str, Any]:
    from .urls import name_key

    out: dict[str, Any] = {}
    shape = "a mapping (names: [...])"
    for key, dotted, item in _section_keys(value, source, "newsletter", _NEWSLETTER_OPTIONS, shape):
        if isinstance(item, str):
            item = [item]
        if not isinstance(item, list) or not all(isinstance(v, str) for v in item):
            raise ConfigError(source, dotted, "expected a list of names")
        for name in item:
            if not name_key(name):
                raise ConfigError(source, dotted, f"{name!r} is not a name")
        out[key] = tuple(item)
    return out


def _each(pairs: Iterable[tuple[Any, Any]], build: Callable[[Any, Any], None]) -> None:
    """``build`` every (key, value) pair, then raise every config error they raised at once."""
    errors: list[ConfigError] = []
    for key, value in pairs:
        try:
            build(key, value)
        except ConfigErrors as exc:
            errors.extend(exc.errors)
        except ConfigError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)


def _build(data: Mapping[str, Any], source: str, base: Config | None) -> Config:
    if not isinstance(data, Mapping):
        raise ConfigError(source, "", "expected a mapping at the top level")
    cfg = base or Config()
    provenance = dict(cfg.provenance)
    values: dict[str, Any] = {}
    rules = dict(cfg.rules)
    _each(
        data.items(),
        lambda key, value: _build_key(key, value, source, cfg, values, rules, provenance),
    )
    return replace(cfg, rules=rules, provenance=provenance, **values)


def _build_key(
    raw_key: object,
    value: Any,
    source: str,
    cfg: Config,
    values: dict[str, Any],
    rules: dict[str, RuleSettings],
    provenance: dict[str, str],
) -> None:
    """One top-level key of a config file into ``values``, ``rules`` and ``provenance``."""
    key = _norm_key(raw_key)
    if key not in _TOP_KEYS:
        problem = _unknown("unknown key", str(raw_key), _TOP_KEYS)
        raise ConfigError(source, str(raw_key), problem)
    if key == "extend":
        return
    provenance[key] = source
    if key in ("select", "ignore", "extend_select"):
        values[key] = _codes(value, source, str(raw_key))
    elif key in ("exclude", "extend_exclude"):
        patterns = _str_list(value, source, str(raw_key))
        values["exclude"] = (
            patterns if key == "exclude" else values.get("exclude", cfg.exclude) + patterns
        )
    elif key == "per_file_ignores":
        if not isinstance(value, dict):
            raise ConfigError(source, str(raw_key), "expected a mapping of glob: [codes]")
        values[key] = tuple(
            (str(glob), _codes(codes, source, f"{raw_key}.{glob}"))
            for glob, codes in value.items()
        )
    elif key == "fail_on":
        values[key] = _severity(value, source, str(raw_key))
    elif key in ("unsafe_fixes", "respect_gitignore"):
        if not isinstance(value, bool):
            raise ConfigError(source, str(raw_key), "expected true or false")
        values[key] = value
    elif key == "items":
        values[key] = _items(value, source)
    elif key == "images":
        values[key] = {**cfg.images, **_images(value, source)}
    elif key == "max_file_size":
        try:
            values[key] = parse_size(value)
        except ValueError as exc:
            raise ConfigError(source, str(raw_key), str(exc)) from None
    elif key == "newsletter":
        values[key] = {**cfg.newsletter, **_newsletter(value, source)}
        for sub in values[key]:
            provenance[f"newsletter.{sub}"] = source
    elif key == "online":
        try:
            values[key] = {**cfg.online, **online_settings.validate(value)}
        except online_settings.SettingError as exc:
            raise ConfigError(source, f"online.{exc.key}".rstrip("."), exc.problem) from None
    elif key == "format":
        if not isinstance(value, dict):
            raise ConfigError(source, str(raw_key), "expected a mapping")
        for fkey in value:
            if _norm_key(fkey) not in _FORMAT_KEYS:
                raise ConfigError(source, f"format.{fkey}", "unknown key")
        values[key] = {**cfg.format, **{_norm_key(k): v for k, v in value.items()}}
    elif key == "rules":
        if not isinstance(value, dict):
            raise ConfigError(source, "rules", "expected a mapping of rule: settings")
        _each(
            value.items(),
            lambda rule_key, settings: _build_rule(
                str(rule_key), settings, source, rules, provenance
            ),
        )


def _build_rule(
    rule_key: str,
    settings: Any,
    source: str,
    rules: dict[str, RuleSettings],
    provenance: dict[str, str],
) -> None:
    """One rule's settings (``rules: {BL001: {...}}``) merged over what it had."""
    from .registry import UnknownRuleError, all_codes, resolve, rules_by_code

    try:
        code = resolve(rule_key)
    except UnknownRuleError:
        names = [*all_codes(), *(r.meta().name for r in rules_by_code().values())]
        problem = _unknown("unknown rule", rule_key, names)
        raise ConfigError(source, f"rules.{rule_key}", problem) from None
    rule_cls = rules_by_code()[code]
    meta = rule_cls.meta()
    new = _rule_settings(rule_key, settings, source, meta)
    if code == "BL004" and new.options.get("site_root"):
        key = f"rules.{rule_key}.site_root"
        root = _site_root(new.options["site_root"], source, key)
        new = replace(new, options={**new.options, "site_root": root})
    old = rules.get(code, RuleSettings())
    if new.options:
        _validate(
            rule_cls,
            {**meta.defaults(), **old.options, **new.options},
            source,
            f"rules.{rule_key}",
        )
    rules[code] = RuleSettings(
        new.enabled if new.enabled is not None else old.enabled,
        new.severity if new.severity is not None else old.severity,
        {**old.options, **new.options},
        {**old.kind_severity, **new.kind_severity},
    )
    for opt in new.options:
        provenance[f"rules.{code}.{opt}"] = source
    if new.enabled is not None:
        provenance[f"rules.{code}.enabled"] = source
    if new.severity is not None:
        provenance[f"rules.{code}.severity"] = source
    for kind in new.kind_severity:
        provenance[f"rules.{code}.severity.{kind}"] = source




def _read_file(path: Path) -> tuple[Mapping[str, Any] | None, str]:
    from .files import InputError, read_bytes  # files imports this module

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


def _load_file(path: Path, seen: tuple[Path, ...]) -> Config:
    path = path.resolve()
    if path in seen:
        raise ConfigError(str(path), "extend", "circular extend")
    if len(seen) >= MAX_EXTEND_DEPTH:
        raise ConfigError(
            str(seen[-1]), "extend", f"extend chain deeper than {MAX_EXTEND_DEPTH} files"
        )
    data, source = _read_file(path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(source, "", "expected a mapping at the top level")
    base: Config | None = None
    extend = data.get("extend")
    if extend is not None:
        if not isinstance(extend, str):
            raise ConfigError(source, "extend", "expected a path")
        base_path = (path.parent / extend).resolve()
        if not base_path.is_file():
            raise ConfigError(source, "extend", f"no such file {_show(extend)}")
        base = _load_file(base_path, (*seen, path))
    cfg = _build(data, source, base)
    return replace(cfg, source=path)


def find_config_file(start: Path) -> Path | None:
    """The nearest config file at or above ``start`` (a folder)."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file():
                return path
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return False
    except UnicodeDecodeError:
        # TOML is UTF-8: whether this file configures the linter cannot be told, and
        # passing over it silently would lint with other settings than the ones meant.
        raise ConfigError(str(path), "", "not valid UTF-8") from None
    return "[tool.briefing-lint" in text


class ConfigResolver:
    """Finds (and caches) the config for each path; ``explicit`` forces one file."""

    def __init__(self, explicit: Path | None = None, overrides: Mapping[str, Any] | None = None):
        self.overrides = dict(overrides or {})
        self._explicit = (
            None
            if explicit is None
            else Config.from_file(explicit).with_overrides(**self.overrides)
        )
        self._by_file: dict[Path | None, Config] = {}
        #: Folder (as given) -> its config file: one upward search per folder, not per call.
        self._by_folder: dict[Path, Path | None] = {}

    def for_path(self, path: Path | None) -> Config:
        if self._explicit is not None:
            return self._explicit
        folder = Path.cwd() if path is None else path.parent
        if folder not in self._by_folder:
            self._by_folder[folder] = find_config_file(folder)
        config_file = self._by_folder[folder]
        if config_file not in self._by_file:
            base = Config() if config_file is None else Config.from_file(config_file)
            self._by_file[config_file] = base.with_overrides(**self.overrides)
        return self._by_file[config_file]
