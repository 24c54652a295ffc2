"""``briefing-lint rules``, ``rule CODE`` and ``config PATH``: what the linter knows."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..config import ConfigError, ConfigResolver
from ..document import Document
from ..fileio import InputError, read_text
from ..files import discover
from ..provenance import effective_config
from ..registry import UnknownRuleError, current, meta_of, resolve, rules_by_code
from ..ruledoc import rule_markdown, severity_range
from ..rules.tracking_params import detected_names, document_tag_sites
from .common import EXIT_OK, UsageError


def cmd_rules(out: TextIO) -> int:
    rows = []
    for rule in current().entries():
        meta = rule.meta()
        fix = {"none": "-", "safe": "safe", "unsafe": "unsafe"}[meta.fix]
        enabled = "" if meta.default_enabled else " (off by default)"
        rows.append((meta.code, meta.name, severity_range(meta), fix, meta.summary + enabled))
    header = ("code", "name", "severity", "fix", "summary")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(4)]
    for row in (header, *rows):
        out.write("  ".join(c.ljust(widths[i]) if i < 4 else c for i, c in enumerate(row)) + "\n")
    return EXIT_OK


def cmd_rule(code: str, out: TextIO) -> int:
    try:
        resolved = resolve(code)
    except UnknownRuleError as exc:
        raise UsageError(str(exc)) from None
    out.write(rule_markdown(meta_of(resolved)))
    return EXIT_OK


def cmd_config(args: argparse.Namespace, out: TextIO) -> int:
    try:
        resolver = ConfigResolver(args.config)
        path = Path(args.path)
        cfg = resolver.for_path(path if path.is_file() else path / "x.md")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    data = effective_config(cfg)
    if path.exists():
        data["newsletter"]["detected"] = _detected_names(path, resolver)
    out.write(f"# config file: {cfg.source or '(none: defaults)'}\n")
    out.write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return EXIT_OK


def _detected_names(path: Path, resolver: ConfigResolver) -> dict[str, Any]:
    """The campaign tag values BL001 takes for the newsletter's names in the files under
    ``path``, with the sites and files that show it."""
    sites: dict[str, set[str]] = {}
    files: dict[str, set[str]] = {}
    threshold = 3
    for file in discover([path], resolver):
        cfg = resolver.for_path(file)
        if "BL001" not in cfg.selected_codes():
            continue
        threshold = int(cfg.options_for(rules_by_code()["BL001"].meta())["detect_names"])
        try:
            doc = Document(read_text(file), str(file))
        except InputError:
            continue
        for value, found in document_tag_sites(doc).items():
            sites.setdefault(value, set()).update(found)
            files.setdefault(value, set()).add(str(file))
        doc.release()
    return {
        name: {
            "from": f"tags links to {len(sites[name])} sites in {len(files[name])} file(s)",
            "sites": sorted(sites[name])[:10],
        }
        for name in sorted(detected_names(sites, threshold))
    }
