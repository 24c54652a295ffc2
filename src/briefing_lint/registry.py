"""Every rule by code: the built-in ones, installed plugins and rules an API caller adds.

Built-in rules are listed as (code, ``module:Class``) and imported only when a run selects
them; their metadata (name, default, options, docs) comes from ``rules/<CODE>.yaml``
without importing any rule code, so loading a config stays cheap.

Plugins register through the entry-point group ``briefing_lint.rules``: the entry point's
name is the rule's code, its value the rule class (``xy_rules.rules:MissingThing``), and the
metadata is ``<CODE>.yaml`` next to that module, in the plugin's own package. Plugin codes
live outside the ``BL`` range (``XY001``); a code or name that clashes with another rule is
a :class:`~briefing_lint.errors.PluginError`.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import PluginError
from .ruledata import RuleDataError, RuleMeta, load_meta, load_yaml, parse_meta, register_meta

if TYPE_CHECKING:  # the rule base class is imported with the first rule, not before
    from .rule import Rule

ENTRY_POINT_GROUP = "briefing_lint.rules"
#: What :class:`~briefing_lint.rule.RuleProtocol` asks of a rule class, checked by name here
#: so the registry needs no rule code (``rule`` imports the whole document model).
_RULE_MEMBERS = ("code", "check", "meta", "validate_options", "after_suppressions", "cross_file")

#: Explicit, ordered (the order rules run in): adding a rule means adding it here, its
#: YAML and its fixture file.
BUILTIN: tuple[tuple[str, str], ...] = (
    ("BL001", "briefing_lint.rules.tracking_params:TrackingParams"),
    ("BL002", "briefing_lint.rules.source_attribution:SourceAttribution"),
    ("BL003", "briefing_lint.rules.item_numbering:ItemNumbering"),
    ("BL004", "briefing_lint.rules.image_hosts:ImageHosts"),
    ("BL005", "briefing_lint.rules.stated_count:StatedCount"),
    ("BL006", "briefing_lint.rules.duplicate_item:DuplicateItem"),
    ("BL007", "briefing_lint.rules.bare_url_boundary:BareUrlBoundary"),
    ("BL008", "briefing_lint.rules.fullwidth_link_syntax:FullwidthLinkSyntax"),
    ("BL009", "briefing_lint.rules.accidental_list:AccidentalList"),
    ("BL010", "briefing_lint.rules.link_text_whitespace:LinkTextWhitespace"),
    ("BL011", "briefing_lint.rules.redirect_wrapper:RedirectWrapper"),
    ("BL012", "briefing_lint.rules.short_link:ShortLink"),
    ("BL013", "briefing_lint.rules.ephemeral_link:EphemeralLink"),
    ("BL016", "briefing_lint.rules.dead_link:DeadLink"),
    ("BL014", "briefing_lint.rules.unused_suppression:UnusedSuppression"),
    ("BL015", "briefing_lint.rules.too_deep:TooDeep"),
    ("BL017", "briefing_lint.rules.cjk_spacing:CjkSpacing"),
    ("BL018", "briefing_lint.rules.cjk_punctuation:CjkPunctuation"),
    ("BL019", "briefing_lint.rules.emphasis_not_rendered:EmphasisNotRendered"),
)

#: A plugin code: one to four capital letters, then three or four digits (``XY001``).
_PLUGIN_CODE = re.compile(r"[A-Z]{1,4}[0-9]{3,4}")
_RESERVED_PREFIX = "BL"


class UnknownRuleError(KeyError):
    """A code or name that no rule has."""

    def __str__(self) -> str:
        return f"unknown rule {self.args[0]!r}"


@dataclass(eq=False)
class RuleEntry:
    """One rule as the registry knows it: its code, where its class lives and where it
    came from; the class is imported on first :meth:`load`."""

    code: str
    target: str
    origin: str = "built-in"
    meta_path: Path | None = None
    _meta: RuleMeta | None = field(default=None, repr=False)
    _cls: type[Rule] | None = field(default=None, repr=False)

    def meta(self) -> RuleMeta:
        """The rule's YAML metadata (never imports the rule's code)."""
        if self._meta is None:
            if self.meta_path is None:
                self._meta = load_meta(self.code)
            else:
                self._meta = _plugin_meta(self.code, self.meta_path, self.origin)
                register_meta(self._meta)
        return self._meta

    def load(self) -> type[Rule]:
        """The rule class (imported now if it was not yet)."""
        if self._cls is None:
            module_name, _, attr = self.target.partition(":")
            try:
                found = getattr(importlib.import_module(module_name), attr)
            except (ImportError, AttributeError) as exc:
                raise PluginError(self.origin, "", f"cannot load {self.target}: {exc}") from None
            self._cls = _checked_class(found, self.code, self.origin)
            self.meta()  # a plugin's Rule.meta() reads what this registers
        return self._cls


def _checked_class(found: object, code: str, origin: str) -> type[Rule]:
    missing = [m for m in _RULE_MEMBERS if not hasattr(found, m)]
    if not isinstance(found, type) or missing:
        problem = f"{found!r} is not a rule class (see briefing_lint.rule.RuleProtocol)"
        if missing:
            problem += f": it has no {', '.join(missing)}"
        raise PluginError(origin, "", problem)
    if getattr(found, "code", None) != code:
        problem = f"the class says code {getattr(found, 'code', None)!r}, the entry point {code!r}"
        raise PluginError(origin, "", problem)
    return cast("type[Rule]", found)


def _plugin_meta(code: str, path: Path, origin: str) -> RuleMeta:
    if not path.is_file():
        raise PluginError(origin, "", f"no metadata file {path.name} next to the rule's module")
    try:
        meta = parse_meta(load_yaml(path), path)
    except (RuleDataError, ValueError, TypeError) as exc:
        raise PluginError(origin, "", f"bad metadata: {exc}") from None
    if meta.code != code:
        raise PluginError(origin, "", f"{path.name} says code {meta.code}, expected {code}")
    return meta


class _LazyClasses(Mapping[str, "type[Rule]"]):
    """Rule classes by code; looking one up imports only that rule's module."""

    def __init__(self, entries: Mapping[str, RuleEntry]) -> None:
        self._entries = entries

    def __getitem__(self, code: str) -> type[Rule]:
        return self._entries[code].load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class Registry:
    """An ordered set of rules. :meth:`default` is the built-in rules plus installed
    plugins; :meth:`with_rules` adds rule classes an API caller passes in directly."""

    def __init__(self, entries: Iterable[RuleEntry]) -> None:
        self._entries: dict[str, RuleEntry] = {}
        for entry in entries:
            self._add(entry)
        self._aliases: dict[str, str] | None = None
        self._defaults: frozenset[str] | None = None

    @classmethod
    def builtin(cls) -> Registry:
        """The built-in rules only (no plugins)."""
        return cls(RuleEntry(code, target) for code, target in BUILTIN)

    @classmethod
    def default(cls) -> Registry:
        """The built-in rules and every installed plugin (entry points read once)."""
        global _DEFAULT
        if _DEFAULT is None:
            _DEFAULT = cls([*cls.builtin().entries(), *_plugin_entries()])
        return _DEFAULT

    @classmethod
    def of(cls, *rules: type[Rule]) -> Registry:
        """Exactly ``rules`` (tests use this for rules made for one test)."""
        return cls(_class_entry(rule) for rule in rules)

    def with_rules(self, *rules: type[Rule]) -> Registry:
        """This registry plus ``rules`` (classes with a ``meta()``), which run after it."""
        return Registry([*self.entries(), *(_class_entry(rule) for rule in rules)])

    def _add(self, entry: RuleEntry) -> None:
        if entry.code in self._entries:
            other = self._entries[entry.code]
            problem = f"rule code {entry.code} is already used by {other.origin} ({other.target})"
            raise PluginError(entry.origin, "", problem)
        self._entries[entry.code] = entry

    # -- queries --------------------------------------------------------------------------

    def entries(self) -> list[RuleEntry]:
        return list(self._entries.values())

    def codes(self) -> list[str]:
        """Every code, in the order the rules run."""
        return list(self._entries)

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def entry(self, code: str) -> RuleEntry:
        return self._entries[code]

    def meta(self, code: str) -> RuleMeta:
        return self._entries[code].meta()

    def rule_class(self, code: str) -> type[Rule]:
        return self._entries[code].load()

    def classes(self) -> Mapping[str, type[Rule]]:
        return _LazyClasses(self._entries)

    def resolve(self, code_or_name: str) -> str:
        """``"BL001"``, ``"bl001"``, ``"tracking-params"`` and ``"tracking_params"`` all give
        ``BL001``. A prefix such as ``"BL"`` is not a rule; use ``ALL`` for every rule."""
        key = code_or_name.strip()
        if key.upper() in self._entries:
            return key.upper()
        try:
            return self._alias_table()[key.lower()]
        except KeyError:
            raise UnknownRuleError(code_or_name) from None

    def _alias_table(self) -> dict[str, str]:
        if self._aliases is None:
            table: dict[str, str] = {}
            for entry in self._entries.values():
                self._check_name(table, entry)
                name = entry.meta().name.lower()
                table[entry.code.lower()] = entry.code
                table[name] = entry.code
                table[name.replace("-", "_")] = entry.code
            self._aliases = table
        return self._aliases

    def _check_name(self, table: Mapping[str, str], entry: RuleEntry) -> None:
        name = entry.meta().name.lower()
        other = table.get(name)
        if other is not None and other != entry.code:
            problem = f"rule name {name!r} of {entry.code} is already the name of {other}"
            raise PluginError(entry.origin, "", problem)

    def default_codes(self) -> frozenset[str]:
        """Codes of the rules on when a config selects nothing."""
        if self._defaults is None:
            self._defaults = frozenset(
                c for c, e in self._entries.items() if e.meta().default_enabled
            )
        return self._defaults

    def fingerprint(self) -> str:
        """A hash of every rule that is not built in (its code, class, package version and
        metadata file), "" when there is none: part of the cache key, so installing,
        upgrading or removing a plugin does not reuse results computed without it."""
        extra = [e for e in self._entries.values() if e.origin != "built-in"]
        if not extra:
            return ""
        digest = hashlib.sha256()
        for entry in extra:
            digest.update(f"{entry.code}\0{entry.target}\0{entry.origin}\0".encode())
            if entry.meta_path is not None and entry.meta_path.is_file():
                digest.update(entry.meta_path.read_bytes())
        return digest.hexdigest()[:12]

    def validate(self) -> None:
        """Read every rule's metadata now, so a broken plugin stops the run up front."""
        self._alias_table()


def _class_entry(rule: type[Rule]) -> RuleEntry:
    """An entry for a class passed in: its metadata is ``<CODE>.yaml`` next to its module
    (as for a plugin), else what its own ``meta()`` returns."""
    origin = f"rule class {rule.__module__}.{rule.__qualname__}"
    cls = _checked_class(rule, rule.code, origin)
    module = sys.modules.get(cls.__module__)
    where = getattr(module, "__file__", None)
    yaml_path = None if where is None else Path(where).parent / f"{cls.code}.yaml"
    entry = RuleEntry(cls.code, f"{cls.__module__}:{cls.__qualname__}", origin)
    entry._cls = cls
    if yaml_path is not None and yaml_path.is_file():
        entry.meta_path = yaml_path
        entry.meta()
    else:
        entry._meta = cls.meta()
        register_meta(entry._meta)
    return entry


def _plugin_entries() -> list[RuleEntry]:
    # importlib.metadata is imported here, on first use, to keep it off the start-up path
    # of runs that never need the rule list (e.g. ``--version``).
    from importlib.metadata import entry_points

    out = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = getattr(ep.dist, "name", None) or "?"
        version = getattr(ep.dist, "version", None) or "?"
        where = f"entry point {ENTRY_POINT_GROUP}: {ep.name} = {ep.value}"
        origin = f"plugin {dist} {version} ({where})"
        out.append(plugin_entry(ep.name, ep.value, origin))
    return out


def plugin_entry(code: str, target: str, origin: str) -> RuleEntry:
    """The entry of plugin rule ``code`` whose class is ``target`` (``module:Class``);
    its metadata is ``<code>.yaml`` next to that module (read when first needed)."""
    if code.upper().startswith(_RESERVED_PREFIX):
        builtin = dict(BUILTIN)
        clash = f" (the built-in rule {code} is {builtin[code]})" if code in builtin else ""
        problem = f"rule code {code} is in the BL range, reserved for built-in rules{clash}"
        raise PluginError(origin, "", problem)
    if not _PLUGIN_CODE.fullmatch(code):
        problem = f"rule code {code!r} is not a code such as XY001 (capitals, then digits)"
        raise PluginError(origin, "", problem)
    module_name, sep, attr = target.partition(":")
    if not sep or not attr:
        raise PluginError(origin, "", f"expected module:Class, got {target!r}")
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise PluginError(origin, "", f"module {module_name} not found")
    return RuleEntry(code, target, origin, Path(spec.origin).parent / f"{code}.yaml")


_DEFAULT: Registry | None = None
_CURRENT: contextvars.ContextVar[Registry | None] = contextvars.ContextVar(
    "briefing_lint_registry", default=None
)


def current() -> Registry:
    """The registry in force: the default one unless :func:`use` says otherwise."""
    return _CURRENT.get() or Registry.default()


@contextlib.contextmanager
def use(registry: Registry) -> Iterator[Registry]:
    """Lint with ``registry`` inside the ``with`` block (in this thread/task)::

    with use(Registry.default().with_rules(MyRule)):
        lint_text(text, {"select": ["XY001"]})
    """
    for entry in registry.entries():
        if entry._meta is not None:
            register_meta(entry._meta)  # the guard reads fix effects by code
    token = _CURRENT.set(registry)
    try:
        yield registry
    finally:
        _CURRENT.reset(token)


# -- the module-level lookups every caller used before there were registry objects ---------


def rules_by_code() -> Mapping[str, type[Rule]]:
    """Rule classes by code (looking one up imports that rule only)."""
    return current().classes()


def resolve(code_or_name: str) -> str:
    return current().resolve(code_or_name)


def all_codes() -> list[str]:
    return current().codes()


def meta_of(code: str) -> RuleMeta:
    """A rule's metadata from its YAML, without importing the rule."""
    return current().meta(code)


def __getattr__(name: str) -> Any:
    # ``RULES`` used to be a tuple of classes; its entries still have ``code`` and
    # ``meta()``, and ``load()`` gives the class.
    if name == "RULES":
        return tuple(current().entries())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
