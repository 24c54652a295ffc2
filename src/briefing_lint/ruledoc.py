"""A rule's documentation as Markdown, built from its YAML (``briefing-lint rule``, docs/)."""

from __future__ import annotations

import json
from pathlib import Path

from .registry import Registry
from .ruledata import RuleMeta

_FIX_WORDS = {
    "none": "No automatic fix.",
    "safe": "Safe fix: applied by `--fix`.",
    "unsafe": "Unsafe fix: applied only with `--fix --unsafe-fixes`.",
}


def rule_markdown(meta: RuleMeta) -> str:
    docs = meta.docs
    out = [f"# {meta.code} {meta.name}", "", meta.summary, ""]
    out.append(f"- Default severity: {meta.severity.value}")
    if meta.kinds:
        kinds = ", ".join(f"`{k}` {v.value}" for k, v in meta.kinds.items())
        out.append(f"- Findings: {kinds}")
    out.append(f"- Fix: {_FIX_WORDS[meta.fix]}")
    if not meta.default_enabled:
        out.append(
            "- Off by default: enable with `extend-select` or `rules: {CODE: {enabled: true}}`."
        )
    out.append("")
    for key, title in (("what", "What it does"), ("why", "Why")):
        if docs.get(key):
            out += [f"## {title}", "", docs[key].strip(), ""]
    if docs.get("bad"):
        out += ["## Example", "", "```markdown", docs["bad"].rstrip("\n"), "```", ""]
    if docs.get("good"):
        out += ["Use instead:", "", "```markdown", docs["good"].rstrip("\n"), "```", ""]
    if docs.get("fix"):
        out += ["## Fix safety", "", docs["fix"].strip(), ""]
    if meta.options:
        out += ["## Options", ""]
        for spec in meta.options.values():
            default = json.dumps(spec.default, ensure_ascii=False)
            line = f"- `{spec.name}` ({spec.type}, default `{default}`)"
            if spec.choices:
                words = " items from " if spec.type == "list" else " one of "
                line += words + ", ".join(f"`{c}`" for c in spec.choices)
            if spec.doc:
                line += f": {spec.doc}"
            out.append(line)
        out.append("")
        out += [
            "Set options in `.briefing-lint.yaml`:",
            "",
            "```yaml",
            "rules:",
            f"  {meta.code}:",
            f"    {next(iter(meta.options))}: ...",
            "```",
            "",
        ]
    return "\n".join(out)


def severity_words(meta: RuleMeta) -> str:
    """The default severity, and the kinds of finding that get another one
    (``warning; error: credential, identifying; info: sponsor``)."""
    other: dict[str, list[str]] = {}
    for kind, kind_level in meta.kinds.items():
        if kind_level != meta.severity:
            other.setdefault(kind_level.value, []).append(kind)
    parts = [meta.severity.value]
    for level in ("error", "warning", "info"):
        if level in other:
            parts.append(f"{level}: {', '.join(other[level])}")
    return "; ".join(parts)


def severity_range(meta: RuleMeta) -> str:
    """The severities a rule's findings can have, worst first (``error..info``)."""
    levels = {meta.severity, *meta.kinds.values()} if meta.kinds else {meta.severity}
    ordered = sorted(levels, key=lambda s: -s.rank)
    return ordered[0].value if len(ordered) == 1 else f"{ordered[0].value}..{ordered[-1].value}"


TABLE_START = (
    "<!-- rules-table:start (generated from rules/*.yaml: python -m briefing_lint.ruledoc) -->"
)
TABLE_END = "<!-- rules-table:end -->"


def rules_table() -> str:
    """The README's rule table (built-in rules: plugins document themselves)."""
    rows = [
        "| code | name | severity (by kind of finding) | fix | what |",
        "|---|---|---|---|---|",
    ]
    for rule in Registry.builtin().entries():
        meta = rule.meta()
        fix = {"none": "—", "safe": "safe", "unsafe": "unsafe"}[meta.fix]
        name = f"[{meta.name}](docs/rules/{meta.code}.md)"
        off = " (off by default)" if not meta.default_enabled else ""
        rows.append(
            f"| {meta.code} | {name} | {severity_words(meta)} | {fix} | {meta.summary}{off} |"
        )
    return "\n".join(rows) + "\n"


def expected_docs(root: Path) -> dict[Path, str]:
    """Every generated file under ``root`` (the repository) and its expected content."""
    out = {
        root / "docs" / "rules" / f"{r.code}.md": rule_markdown(r.meta())
        for r in Registry.builtin().entries()
    }
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        _, tail = rest.split(TABLE_END, 1)
        out[readme] = f"{head}{TABLE_START}\n{rules_table()}{TABLE_END}{tail}"
    return out


def stale(root: Path) -> list[Path]:
    return [
        path
        for path, content in expected_docs(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != content
    ]


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    for path, content in expected_docs(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
