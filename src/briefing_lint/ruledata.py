"""Rule data: ``rules/<CODE>.yaml`` (metadata, options, messages, docs) and shared tables.

The YAML files are the single source of a rule's name, default severity, options, fix
safety and documentation; code only implements the check. They live in the top-level
``rules/`` folder of the repository and are shipped inside the wheel as
``briefing_lint/_rules``; both locations are looked up so an editable install works too.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Applicability, Severity


class RuleDataError(Exception):
    """A rule data file is missing or malformed (a packaging bug, not a user error)."""


@functools.cache
def rules_dir() -> Path:
    """The folder holding the rule YAML files (installed wheel first, then the checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent.parent / "rules"):
        if (candidate / "BL010.yaml").is_file():
            return candidate
    raise RuleDataError(f"rule data folder not found next to {here}")


#: libyaml's safe loader when PyYAML was built with it: same safety, ~10x faster.
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Safe-load one YAML file (never executes anything)."""
    with path.open("r", encoding="utf-8") as fh:
        loader = SafeLoader(fh)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()


@functools.cache
def load_table(name: str) -> Any:
    """A shared data table: ``load_table("url-providers")`` reads ``rules/url-providers.yaml``."""
    path = rules_dir() / f"{name}.yaml"
    if not path.is_file():
        raise RuleDataError(f"missing rule data table {path}")
    return load_yaml(path)


@functools.cache
def data_fingerprint() -> str:
    """Hash of every rule data file, part of the cache key."""
    digest = hashlib.sha256()
    for path in sorted(rules_dir().glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_OPTION_TYPES = {"bool", "int", "str", "list", "dict", "enum", "regex-list", "severity"}


@dataclass(frozen=True)
class OptionSpec:
    """One rule option: its default, type and documentation."""

    name: str
    default: Any
    type: str
    doc: str
    #: ``enum``: the values allowed; ``list``: the values its items may take.
    choices: tuple[Any, ...] = ()
    #: ``list``: what each item must be (``text``: a string that is not blank).
    item: str = ""


@dataclass(frozen=True)
class RuleMeta:
    """Everything ``rules/<CODE>.yaml`` says about a rule."""

    code: str
    name: str
    summary: str
    severity: Severity
    fix: str  # none | safe | unsafe: the best fix the rule offers
    default_enabled: bool
    kinds: dict[str, Severity] = field(default_factory=dict)
    kind_fixes: dict[str, str] = field(default_factory=dict)
    options: dict[str, OptionSpec] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    docs: dict[str, str] = field(default_factory=dict)
    #: What a fix of this rule may change in block structure (checked by the guard).
    fix_effect: str = "none"
    #: Whether fixes leave the rendered HTML unchanged (the guard then compares renders).
    preserves_rendering: bool = False
    #: The rule's class checks option values beyond their types here (``validate_options``):
    #: only then does loading a config that sets its options import the rule.
    checks_options: bool = False
    path: str = ""

    @property
    def fix_applicability(self) -> Applicability | None:
        return None if self.fix == "none" else Applicability(self.fix)

    def message(self, key: str, **values: Any) -> str:
        template = self.messages.get(key)
        if template is None:
            raise RuleDataError(f"{self.code}: no message {key!r} in {self.path}")
        return template.format(**values)

    def defaults(self) -> dict[str, Any]:
        return {name: spec.default for name, spec in self.options.items()}


def _require(data: dict[str, Any], key: str, path: Path) -> Any:
    if key not in data:
        raise RuleDataError(f"{path}: missing key {key!r}")
    return data[key]


def parse_meta(data: dict[str, Any], path: Path) -> RuleMeta:
    """Validate one rule YAML document."""
    if not isinstance(data, dict):
        raise RuleDataError(f"{path}: expected a mapping")
    allowed = {
        "code", "name", "summary", "severity", "fix", "default_enabled", "kinds", "options",
        "messages", "docs", "fix_effect", "preserves_rendering", "option_groups",
        "checks_options",
    }  # fmt: skip
    unknown = set(data) - allowed
    if unknown:
        raise RuleDataError(f"{path}: unknown keys {sorted(unknown)}")
    code = str(_require(data, "code", path))
    if path.stem != code:
        raise RuleDataError(f"{path}: code {code} does not match the file name")
    fix = str(data.get("fix", "none"))
    if fix not in ("none", "safe", "unsafe"):
        raise RuleDataError(f"{path}: fix must be none, safe or unsafe")
    kinds: dict[str, Severity] = {}
    kind_fixes: dict[str, str] = {}
    for kind, spec in (data.get("kinds") or {}).items():
        kinds[str(kind)] = Severity(spec.get("severity", data["severity"]))
        kind_fixes[str(kind)] = str(spec.get("fix", fix))
    options = _options(data.get("options") or {}, path)
    for group in data.get("option_groups") or ():
        shared = load_table("option-groups").get(group)
        if not isinstance(shared, dict):
            raise RuleDataError(f"{path}: unknown option group {group!r}")
        for name, spec in _options(shared, path).items():
            options.setdefault(name, spec)
    return RuleMeta(
        code=code,
        name=str(_require(data, "name", path)),
        summary=str(_require(data, "summary", path)).strip(),
        severity=Severity(_require(data, "severity", path)),
        fix=fix,
        default_enabled=bool(data.get("default_enabled", True)),
        kinds=kinds,
        kind_fixes=kind_fixes,
        options=options,
        messages={str(k): str(v) for k, v in (data.get("messages") or {}).items()},
        docs={str(k): str(v) for k, v in (data.get("docs") or {}).items()},
        fix_effect=str(data.get("fix_effect", "none")),
        preserves_rendering=bool(data.get("preserves_rendering", False)),
        checks_options=bool(data.get("checks_options", False)),
        path=str(path),
    )


def _options(data: dict[str, Any], path: Path) -> dict[str, OptionSpec]:
    options: dict[str, OptionSpec] = {}
    for name, spec in data.items():
        if not isinstance(spec, dict) or "default" not in spec:
            raise RuleDataError(f"{path}: option {name!r} needs a default")
        otype = str(spec.get("type", "str"))
        if otype not in _OPTION_TYPES:
            raise RuleDataError(f"{path}: option {name!r} has unknown type {otype!r}")
        options[str(name)] = OptionSpec(
            str(name),
            spec["default"],
            otype,
            str(spec.get("doc", "")).strip(),
            tuple(spec.get("choices") or ()),
            _item_kind(spec.get("item", ""), name, path),
        )
    return options


_ITEM_KINDS = {"", "text"}


def _item_kind(value: object, name: object, path: Path) -> str:
    if value not in _ITEM_KINDS:
        raise RuleDataError(f"{path}: option {name!r} has unknown item kind {value!r}")
    return str(value)


@functools.cache
def load_meta(code: str) -> RuleMeta:
    path = rules_dir() / f"{code}.yaml"
    if not path.is_file():
        raise RuleDataError(f"no rule data file for {code} (looked for {path})")
    return parse_meta(load_yaml(path), path)


#: Metadata of rules that are not built in (plugins, rules passed in by an API caller),
#: registered by the registry as it reads them, so code below the registry (the structure
#: guard) can read a fix's declared effect by code.
_REGISTERED: dict[str, RuleMeta] = {}


def register_meta(meta: RuleMeta) -> None:
    _REGISTERED[meta.code] = meta


def meta_for(code: str) -> RuleMeta | None:
    """The metadata of rule ``code``: registered, else its built-in YAML, else None."""
    found = _REGISTERED.get(code)
    if found is not None:
        return found
    try:
        return load_meta(code)
    except RuleDataError:
        return None
