"""``briefing-lint config``: the effective settings and which file (or default) set each."""

from __future__ import annotations

from typing import Any

from .config import Config


def effective_config(cfg: Config) -> dict[str, Any]:
    from .registry import RULES

    prov = cfg.provenance

    def src(key: str) -> str:
        return prov.get(key, "default")

    selected = set(cfg.selected_codes())
    data: dict[str, Any] = {
        "select": {
            "value": list(cfg.select) if cfg.select is not None else "defaults",
            "from": src("select"),
        },
        "ignore": {"value": list(cfg.ignore), "from": src("ignore")},
        "extend-select": {"value": list(cfg.extend_select), "from": src("extend_select")},
        "exclude": {"value": list(cfg.exclude), "from": src("exclude")},
        "fail-on": {"value": cfg.fail_on.value, "from": src("fail_on")},
        "max-file-size": {"value": cfg.max_file_size, "from": src("max_file_size")},
        "newsletter": {
            "names": {
                "value": list(cfg.newsletter.get("names", ())),
                "from": src("newsletter.names"),
            }
        },
        "online": {"value": dict(cfg.online), "from": src("online")},
        "rules": {},
    }
    for rule in RULES:
        meta = rule.meta()
        settings = cfg.rules.get(meta.code)
        severity = (
            settings.severity.value if settings and settings.severity else meta.severity.value
        )
        entry: dict[str, Any] = {
            "name": meta.name,
            "enabled": {
                "value": meta.code in selected,
                "from": _enabled_source(
                    cfg, meta.code, meta.default_enabled, meta.code in selected
                ),
            },
            "severity": {"value": severity, "from": src(f"rules.{meta.code}.severity")},
        }
        # Every kind of finding with the severity it gets: most BL001/BL004 findings are
        # errors though the rule's default is warning.
        kinds = cfg.kind_severities_for(meta.code)
        by_kind: dict[str, Any] = {}
        for kind, default_level in meta.kinds.items():
            if kind in kinds:
                value = kinds[kind].value
                origin = src(f"rules.{meta.code}.severity.{kind}")
            elif settings and settings.severity:
                value = settings.severity.value
                origin = src(f"rules.{meta.code}.severity")
            else:
                value, origin = default_level.value, "default"
            by_kind[kind] = {"value": value, "from": origin}
        for kind, level in kinds.items():
            if kind not in by_kind:
                by_kind[kind] = {
                    "value": level.value,
                    "from": src(f"rules.{meta.code}.severity.{kind}"),
                }
        if by_kind:
            entry["severity-by-kind"] = by_kind
        options = cfg.options_for(meta)
        if options:
            entry["options"] = {
                k: {"value": v, "from": src(f"rules.{meta.code}.{k}")} for k, v in options.items()
            }
        data["rules"][meta.code] = entry
    return data


def _enabled_source(cfg: Config, code: str, default: bool, selected: bool) -> str:
    key = f"rules.{code}.enabled"
    if key in cfg.provenance:
        return cfg.provenance[key]
    if selected == default and cfg.select is None:
        return "default"
    for name in ("select", "extend_select", "ignore"):
        if name in cfg.provenance:
            return f"{name.replace('_', '-')} ({cfg.provenance[name]})"
    return "default"
