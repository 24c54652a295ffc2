"""Rule plugins and rules passed in by API callers (tests/plugin_example holds XY001)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing_lint import registry
from briefing_lint.api import fix_text, lint_text
from briefing_lint.cache import Cache
from briefing_lint.config import Config, ConfigError
from briefing_lint.errors import PluginError
from briefing_lint.registry import Registry, plugin_entry
from briefing_lint.rule import Rule

from .ruletools import make_rule

EXAMPLE = Path(__file__).parent / "plugin_example"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def xy001() -> Iterator[type[Rule]]:
    """The example plugin's rule class, imported from the source tree."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        from xy_rules.exclaim import RepeatedExclamation

        yield RepeatedExclamation
    finally:
        sys.path.remove(str(EXAMPLE))


def test_rules_passed_in_run_with_the_built_in_ones(xy001: type[Rule]) -> None:
    with registry.use(Registry.default().with_rules(xy001)):
        found = lint_text("# Weekly\n\nBig news!!\n\n`code!!`\n", {"select": ["XY001", "BL010"]})
        assert [(d.code, d.span.start) for d in found] == [("XY001", 18)]
        assert fix_text("Wow!!!\n", {"select": ["repeated-exclamation"]}).text == "Wow!\n"
    # Outside the block the rule is unknown again.
    with pytest.raises(ConfigError, match="unknown rule 'XY001'"):
        lint_text("Wow!!\n", {"select": ["XY001"]})


def test_plugin_options_are_checked_against_its_yaml(xy001: type[Rule]) -> None:
    with registry.use(Registry.default().with_rules(xy001)):
        with pytest.raises(ConfigError, match=r"rules\.XY001\.max_marks: expected int"):
            Config.from_dict({"rules": {"XY001": {"max_marks": "two"}}})
        quiet = {"select": ["XY001"], "rules": {"XY001": {"max_marks": 2}}}
        assert [d.code for d in lint_text("Wow!! Wow!!!\n", quiet)] == ["XY001"]


def test_plugin_fix_runs_under_the_structure_guard(xy001: type[Rule]) -> None:
    # ``<!!DOCTYPE`` is a paragraph; one mark less makes it an HTML block: refused.
    text = "Wow!!\n\n<!!DOCTYPE html>\n"
    with registry.use(Registry.default().with_rules(xy001)):
        result = fix_text(text, {"select": ["XY001"]})
    assert result.text == "Wow!\n\n<!!DOCTYPE html>\n"
    assert result.refused and "paragraph_open became html_block" in result.refused[0]


def test_plugin_codes_in_the_bl_range_are_refused() -> None:
    with pytest.raises(PluginError, match="BL001 is in the BL range, reserved for built-in"):
        plugin_entry("BL001", "xy_rules.exclaim:RepeatedExclamation", "plugin xy")
    with pytest.raises(PluginError, match="not a code such as XY001"):
        plugin_entry("xy-1", "xy_rules.exclaim:RepeatedExclamation", "plugin xy")


def test_a_code_used_twice_is_refused() -> None:
    with pytest.raises(PluginError, match="rule code T1 is already used"):
        Registry.of(make_rule("T1", "a", "b"), make_rule("T1", "c", "d"))


def test_a_plugin_name_that_clashes_with_a_built_in_is_refused(xy001: type[Rule]) -> None:
    meta = xy001.meta()
    clash = make_rule("XY002", "a", "b")
    named = type(meta)(**{**meta.__dict__, "code": "XY002", "name": "tracking-params"})
    clash.meta = classmethod(lambda cls: named)  # type: ignore[method-assign,assignment]
    rules = Registry.builtin().with_rules(clash)
    with pytest.raises(PluginError, match="'tracking-params' of XY002 is already the name of"):
        rules.validate()


def test_a_plugin_class_with_another_code_is_refused(tmp_path: Path) -> None:
    package = tmp_path / "mismatch_rules"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from briefing_lint.rule import Rule\n\nclass Other(Rule):\n    code = 'XY009'\n"
    )
    (package / "XY008.yaml").write_text((EXAMPLE / "xy_rules" / "XY001.yaml").read_text())
    sys.path.insert(0, str(tmp_path))
    try:
        entry = plugin_entry("XY008", "mismatch_rules:Other", "plugin mismatch")
        with pytest.raises(PluginError, match="code XY001 does not match the file name"):
            entry.meta()
        with pytest.raises(PluginError, match="class says code 'XY009'"):
            entry.load()
    finally:
        sys.path.remove(str(tmp_path))


def test_config_loading_imports_no_rule_module() -> None:
    code = (
        "import sys\n"
        "from briefing_lint.config import Config\n"
        "c = Config.from_dict({'select': ['BL001', 'tracking-params'], 'ignore': ['BL003'],"
        " 'items': {'heading_level': 3}})\n"
        "assert c.selected_codes()\n"
        "print(sorted(m for m in sys.modules if m.startswith('briefing_lint.rules.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_check_imports_only_the_selected_rules(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Weekly\n\n[a](https://example.com/?utm_source=x)\n")
    code = (
        "import sys\n"
        "from briefing_lint.cli import main\n"
        "rc = main(['check', '--no-cache', '--select', 'BL001,BL010', 'a.md'])\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith('briefing_lint.rules.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    imported = {m for m in out.stdout.splitlines() if m.startswith("briefing_lint.rules.")}
    selected = {"briefing_lint.rules.tracking_params", "briefing_lint.rules.link_text_whitespace"}
    # BL015 runs whatever is selected; _url_targets and _campaign serve BL001; the cache imports one
    # item type from BL006's module.
    also = {"too_deep", "_url_targets", "_campaign", "duplicate_item"}
    assert selected <= imported <= selected | {f"briefing_lint.rules.{m}" for m in also}


# -- the example plugin installed for real (needs pip and a few seconds) ----------------------


@pytest.mark.skipif(
    os.environ.get("BRIEFING_LINT_PLUGIN_TEST") != "1",
    reason="set BRIEFING_LINT_PLUGIN_TEST=1 to install the example plugin into a fresh venv",
)
def test_example_plugin_installed_in_a_fresh_venv(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    pip = [str(bindir / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(ROOT), str(EXAMPLE)], check=True)
    tool = str(bindir / "briefing-lint")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool, *args], capture_output=True, text=True, cwd=tmp_path)

    page = tmp_path / "a.md"
    page.write_text("# Weekly\n\nWow!!\n\n<!!DOCTYPE html>\n\n`code!!`\n")
    listed = run("rules")
    assert any(
        line.startswith("XY001  repeated-exclamation") for line in listed.stdout.splitlines()
    )
    assert run("rule", "XY001").stdout.startswith("# XY001 repeated-exclamation")
    checked = run("check", "--no-cache", "--output-format", "concise", "a.md")
    assert checked.stdout.count(": XY001 ") == 2, checked.stdout + checked.stderr
    selected = run("check", "--no-cache", "--select", "XY001", "--output-format", "concise", "a.md")
    codes = {
        line.split(": ")[1].split()[0] for line in selected.stdout.splitlines() if ": " in line
    }
    assert codes == {"XY001"}, selected.stdout
    fixed = run("check", "--select", "XY001", "--fix", "a.md")
    # The first fix applies; the second would turn a paragraph into an HTML block: the
    # structure guard refuses it (exit 3) and the file keeps it.
    assert page.read_text() == "# Weekly\n\nWow!\n\n<!!DOCTYPE html>\n\n`code!!`\n"
    assert fixed.returncode == 3
    assert "refused by the structure guard" in fixed.stderr


def test_plugins_are_part_of_the_cache_key(xy001: type[Rule], tmp_path: Path) -> None:
    plain = Cache(tmp_path).folder
    assert Registry.builtin().fingerprint() == ""
    with registry.use(Registry.builtin().with_rules(xy001)):
        with_plugin = Cache(tmp_path).folder
    assert with_plugin != plain and with_plugin.name.startswith(plain.name)


def test_one_config_under_two_registries(xy001: type[Rule]) -> None:
    config = Config()
    assert "XY001" not in {d.code for d in lint_text("Wow!!\n", config)}
    with registry.use(Registry.default().with_rules(xy001)):
        assert "XY001" in {d.code for d in lint_text("Wow!!\n", config)}
    assert "XY001" not in {d.code for d in lint_text("Wow!!\n", config)}
