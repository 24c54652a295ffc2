"""The settings of one config file (:class:`Config`), built from validated data, and the
questions the linter asks of them (which rules run, with which options).

A config file may name a base file with ``extend: path``, whose values it overrides key by
key (``rules`` merge per rule and per option). Command-line options override the file.
Keys are accepted in kebab-case and snake_case alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pathspec

from .. import registry
from ..diagnostics import Severity
from ..errors import ConfigError, ConfigErrors, OptionError
from ..fileio import DEFAULT_MAX_FILE_SIZE
from ..online import settings as online_settings
from ..registry import UnknownRuleError
from ..ruledata import RuleMeta
from .sources import read_config_file
from .values import (
    FORMAT_KEYS,
    IMAGE_OPTIONS,
    ITEM_OPTIONS,
    NEWSLETTER_OPTIONS,
    RULE_KEYS,
    TOP_KEYS,
    check_option,
    images_section,
    items_section,
    newsletter_section,
    norm_key,
    parse_size,
    rule_codes,
    severity_value,
    shown,
    site_root,
    str_list,
    unknown_hint,
)

#: Rules that run whatever ``select`` says (only ``ignore`` or ``enabled: false`` stop them):
#: BL015 reports content nested too deep to be checked, which must never pass silently.
ALWAYS_REPORTED = frozenset({"BL015"})

#: ``extend`` chains longer than this are refused: real ones are two or three files deep.
MAX_EXTEND_DEPTH = 32


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

    def merged(self, data: Mapping[str, Any], source: str) -> Config:
        """These settings with ``data`` (validated, as in a config file) applied over them:
        ``configure-file`` comments use this."""
        return _build(data, source, self)

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        """Load one config file (YAML or ``pyproject.toml``), following ``extend``."""
        return _load_file(Path(path), seen=())

    # -- queries ------------------------------------------------------------------------

    def selected_codes(self) -> list[str]:
        """Codes of the rules that run, in registry order."""
        rules = registry.current()
        resolve = rules.resolve
        chosen: set[str]
        if self.select is None:
            chosen = set(rules.default_codes())
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
        return [c for c in rules.codes() if c in chosen]

    def ignored_for(self, path: str | Path | None) -> set[str]:
        """Codes switched off for ``path`` by ``per-file-ignores``."""
        if path is None or not self.per_file_ignores:
            return set()
        resolve = registry.resolve
        rel = self.relative(path)
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if _glob_match(rel, pattern):
                out |= _expand(codes, resolve)
        return out

    def options_for(self, meta: RuleMeta) -> dict[str, Any]:
        options = meta.defaults()
        for key, option in ITEM_OPTIONS.items():
            # ``exclude_sections`` is no rule option: every rule that reads items gets it.
            if key in self.items and (option in options or "items" in options):
                options[option] = self.items[key]
        if meta.code == "BL004":
            for key, option in IMAGE_OPTIONS.items():
                if key in self.images:
                    options[option] = self.images[key]
        for key, option in NEWSLETTER_OPTIONS.items():
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


def _expand(items: Iterable[str], resolve: Callable[[str], str]) -> set[str]:
    out: set[str] = set()
    for item in items:
        if item.strip().upper() == "ALL":
            out.update(registry.all_codes())
        else:
            out.add(resolve(item))
    return out


def _glob_match(rel: str, pattern: str) -> bool:
    """gitignore-style matching (via pathspec), relative to the config file's folder."""
    return _spec((pattern,)).match_file(rel)


@functools.cache
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec[Any]:
    return pathspec.PathSpec.from_lines("gitignore", patterns)


def _rule_settings(code: str, data: Any, source: str, meta: RuleMeta) -> RuleSettings:
    prefix = f"rules.{code}"
    if data is None:
        return RuleSettings()
    if isinstance(data, bool):
        return RuleSettings(enabled=data)
    if isinstance(data, str):
        return RuleSettings(severity=severity_value(data, source, prefix))
    if not isinstance(data, dict):
        raise ConfigError(source, prefix, "expected a mapping")
    enabled: bool | None = None
    severity: Severity | None = None
    kinds: dict[str, Severity] = {}
    options: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = norm_key(raw_key)
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
                kinds[str(kind)] = severity_value(level, source, f"{dotted}.{kind}")
        elif key == "severity":
            severity = severity_value(value, source, dotted)
        elif key in meta.options:
            options[key] = check_option(meta.options[key], value, source, dotted)
        else:
            names = [*meta.options, *RULE_KEYS]
            raise ConfigError(source, dotted, unknown_hint("unknown option", str(raw_key), names))
    return RuleSettings(enabled, severity, options, kinds)


def _validate(code: str, options: dict[str, Any], source: str, prefix: str) -> None:
    """A rule's own checks beyond what its YAML declares (BL001 and BL011 compile URL data
    from their options). Only rules whose YAML says ``checks_options`` are imported for
    this, and only when a config sets their options."""
    try:
        registry.current().rule_class(code).validate_options(options)
    except OptionError as exc:
        raise ConfigError(source, f"{prefix}.{exc.key}", exc.problem) from None


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
    key = norm_key(raw_key)
    if key not in TOP_KEYS:
        problem = unknown_hint("unknown key", str(raw_key), TOP_KEYS)
        raise ConfigError(source, str(raw_key), problem)
    if key == "extend":
        return
    provenance[key] = source
    if key == "rules":
        if not isinstance(value, dict):
            raise ConfigError(source, "rules", "expected a mapping of rule: settings")
        _each(
            value.items(),
            lambda rule_key, settings: _build_rule(
                str(rule_key), settings, source, rules, provenance
            ),
        )
        return
    if key == "extend_exclude":
        patterns = str_list(value, source, str(raw_key))
        values["exclude"] = values.get("exclude", cfg.exclude) + patterns
        return
    values[key] = _key_value(key, str(raw_key), value, source, cfg)
    if key == "newsletter":
        for sub in values[key]:
            provenance[f"newsletter.{sub}"] = source


def _key_value(key: str, raw_key: str, value: Any, source: str, cfg: Config) -> Any:
    """The checked value of top-level ``key`` (merged over ``cfg``'s where keys merge)."""
    if key in ("select", "ignore", "extend_select"):
        return rule_codes(value, source, raw_key)
    if key == "exclude":
        return str_list(value, source, raw_key)
    if key == "per_file_ignores":
        if not isinstance(value, dict):
            raise ConfigError(source, raw_key, "expected a mapping of glob: [codes]")
        return tuple(
            (str(glob), rule_codes(codes, source, f"{raw_key}.{glob}"))
            for glob, codes in value.items()
        )
    if key == "fail_on":
        return severity_value(value, source, raw_key)
    if key in ("unsafe_fixes", "respect_gitignore"):
        if not isinstance(value, bool):
            raise ConfigError(source, raw_key, "expected true or false")
        return value
    if key == "items":
        return items_section(value, source)
    if key == "images":
        return {**cfg.images, **images_section(value, source)}
    if key == "max_file_size":
        try:
            return parse_size(value)
        except ValueError as exc:
            raise ConfigError(source, raw_key, str(exc)) from None
    if key == "newsletter":
        return {**cfg.newsletter, **newsletter_section(value, source)}
    if key == "online":
        try:
            return {**cfg.online, **online_settings.validate(value)}
        except online_settings.SettingError as exc:
            raise ConfigError(source, f"online.{exc.key}".rstrip("."), exc.problem) from None
    return _format_section(value, source, raw_key, cfg)


def _format_section(value: Any, source: str, raw_key: str, cfg: Config) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(source, raw_key, "expected a mapping")
    for fkey in value:
        if norm_key(fkey) not in FORMAT_KEYS:
            raise ConfigError(source, f"format.{fkey}", "unknown key")
    return {**cfg.format, **{norm_key(k): v for k, v in value.items()}}


def _build_rule(
    rule_key: str,
    settings: Any,
    source: str,
    rules: dict[str, RuleSettings],
    provenance: dict[str, str],
) -> None:
    """One rule's settings (``rules: {BL001: {...}}``) merged over what it had."""
    known = registry.current()
    try:
        code = known.resolve(rule_key)
    except UnknownRuleError:
        names = [*known.codes(), *(known.meta(c).name for c in known.codes())]
        problem = unknown_hint("unknown rule", rule_key, names)
        raise ConfigError(source, f"rules.{rule_key}", problem) from None
    meta = known.meta(code)
    new = _rule_settings(rule_key, settings, source, meta)
    if code == "BL004" and new.options.get("site_root"):
        key = f"rules.{rule_key}.site_root"
        root = site_root(new.options["site_root"], source, key)
        new = replace(new, options={**new.options, "site_root": root})
    old = rules.get(code, RuleSettings())
    if new.options and meta.checks_options:
        _validate(
            code,
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


def _load_file(path: Path, seen: tuple[Path, ...]) -> Config:
    path = path.resolve()
    if path in seen:
        raise ConfigError(str(path), "extend", "circular extend")
    if len(seen) >= MAX_EXTEND_DEPTH:
        raise ConfigError(
            str(seen[-1]), "extend", f"extend chain deeper than {MAX_EXTEND_DEPTH} files"
        )
    data, source = read_config_file(path)
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
            raise ConfigError(source, "extend", f"no such file {shown(extend)}")
        base = _load_file(base_path, (*seen, path))
    cfg = _build(data, source, base)
    return replace(cfg, source=path)
