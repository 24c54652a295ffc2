"""A rule's documentation as Markdown, built from its YAML (``briefing-lint rule``, docs/)."""

from __future__ import annotations

import json

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
                line += " one of " + ", ".join(f"`{c}`" for c in spec.choices)
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
