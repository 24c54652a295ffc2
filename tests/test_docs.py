"""Generated docs (docs/rules/*.md, the README rule table) must match rules/*.yaml."""

from __future__ import annotations

from pathlib import Path

from briefing_lint.registry import RULES
from briefing_lint.ruledata import rules_dir
from briefing_lint.ruledoc import stale

ROOT = Path(__file__).resolve().parents[1]


def test_docs_are_current() -> None:
    outdated = [str(p.relative_to(ROOT)) for p in stale(ROOT)]
    assert not outdated, f"regenerate with `python -m briefing_lint.ruledoc`: {outdated}"


def test_every_rule_has_yaml_code_fixture_and_docs() -> None:
    fixtures = ROOT / "tests" / "fixtures" / "rules"
    yaml_codes = {p.stem for p in rules_dir().glob("BL*.yaml")}
    rule_codes = {r.code for r in RULES}
    assert yaml_codes == rule_codes
    for code in rule_codes:
        assert (fixtures / f"{code}.txt").is_file(), f"missing fixture file for {code}"
        meta = next(r for r in RULES if r.code == code).meta()
        assert meta.docs.get("what") and meta.docs.get("why"), f"{code}: docs incomplete"
