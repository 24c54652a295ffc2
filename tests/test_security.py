"""Config is data: YAML through safe loaders only, no code, user regexes bounded."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from briefing_lint import Config
from briefing_lint.cli import main
from briefing_lint.config import ConfigError
from briefing_lint.safe_regex import RegexError, compile_user_regex

ROOT = Path(__file__).resolve().parents[1]

CATASTROPHIC = [
    r"(a+)+",
    r"((a+))+",
    r"(?:x*)*",
    r"(\w+\s?)+$",
    r"([(]+)+",
    r"(a{1,3})+b",
    r"(a+a)+",
    r"^(\d+)*$",
    r"(.*?,)+x",
    r"(a|ab)*c",
    r"(x|xy)+$",
    r"(a|)*b",
    r".*.*.*.*x",
    r"\d*\d*\d*\d*$",
]

FINE = [
    r"\w+",
    r"utm_.*",
    r"(\d+)\.\d",
    r"(https?|ftp)://",
    r"(a|b)+",  # re turns this into the class [ab]
    r"(\w|\d)+",
    r"[a-z]+(-[a-z]+)*",  # the '-' pins every round
    r"(\d+\.)+\d+",
    r"(\s*,\s*\w+)*$",
    r"(?i)utm_(source|medium|campaign)",
    r"foo.*bar.*baz",
    r"第\s*(\d+)\s*条",
    r"将为您带来\s*(\d+|[一二三四五六七八九十]+)\s*条",
    r"^(?:[A-Za-z0-9-]+\.)+[a-z]{2,}$",
    r"(?>a+)+b",  # atomic: no backtracking
    r"a++b",
]

ATTACKS = ["a" * 40 + "!", "1" * 40 + "x", "x" * 40, ", a" * 30 + "!", "aab" * 20 + "!"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_rejected(pattern: str) -> None:
    with pytest.raises(RegexError, match="catastrophic backtracking"):
        compile_user_regex(pattern)


@pytest.mark.parametrize("pattern", FINE)
def test_ordinary_patterns_are_accepted_and_fast(pattern: str) -> None:
    regex = compile_user_regex(pattern)
    started = time.perf_counter()
    for text in ATTACKS:
        regex.search(text * 20)
    assert time.perf_counter() - started < 1.0


def test_patterns_are_compiled_once() -> None:
    assert compile_user_regex(r"utm_\w+") is compile_user_regex(r"utm_\w+")


def test_invalid_and_overlong_patterns() -> None:
    with pytest.raises(RegexError, match="invalid pattern"):
        compile_user_regex("(unclosed")
    with pytest.raises(RegexError, match="longer than 500"):
        compile_user_regex("a" * 501)


@pytest.mark.parametrize(
    ("rules", "key"),
    [
        ({"BL002": {"patterns": ["(a+)+"]}}, "rules.BL002.patterns"),
        ({"BL005": {"patterns": [r"(\d+)*条"]}}, "rules.BL005.patterns"),
        ({"BL006": {"ignore": ["((x+))+"]}}, "rules.BL006.ignore"),
        ({"BL001": {"remove_params": ["re:(a|ab)*c"]}}, "rules.BL001.remove_params"),
        ({"BL004": {"allow_hosts": ["re:(x+)*"]}}, "rules.BL004.allow_hosts"),
    ],
)
def test_bad_pattern_in_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: dict[str, object], key: str
) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text(json.dumps({"rules": rules}), encoding="utf-8")  # JSON is YAML
    (tmp_path / "a.md").write_text("# x\n\n[t](https://example.org/?a=1)\n", encoding="utf-8")
    assert main(["--no-cache", "--config", str(config), str(tmp_path / "a.md")]) == 2
    err = capsys.readouterr().err
    assert f"{config}: {key}" in err and "catastrophic backtracking" in err, err
    assert "Traceback" not in err


def test_regex_list_options_are_checked_when_the_config_is_read() -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_dict({"rules": {"BL006": {"ignore": ["(a+)+"]}}}, source="cfg.yaml")
    assert str(info.value).startswith("cfg.yaml: rules.BL006.ignore: pattern '(a+)+'")


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "select: !!python/name:os.system",
    ],
)
def test_config_yaml_cannot_run_code(
    tmp_path: Path, payload: str, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    config = tmp_path / ".briefing-lint.yaml"
    config.write_text(payload.format(marker=marker) + "\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        Config.from_file(config)
    assert main(["--no-cache", "--config", str(config), str(tmp_path / "a.md")]) == 2
    assert not marker.exists()
    assert "invalid YAML" in capsys.readouterr().err


_UNSAFE_YAML = re.compile(
    r"yaml\.(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)\s*\("
    r"|Loader\s*=\s*yaml\.(Loader|UnsafeLoader|FullLoader)|yaml\.(Unsafe|Full)?Loader\b"
)


def test_only_safe_yaml_loaders_in_the_tree() -> None:
    offenders = []
    for folder in ("src", "tests", "bench", "scripts", ".ci"):
        for path in (ROOT / folder).rglob("*.py") if (ROOT / folder).is_dir() else ():
            text = path.read_text(encoding="utf-8")
            if path.name == Path(__file__).name:
                continue
            for m in _UNSAFE_YAML.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not offenders, offenders


def test_no_eval_or_exec_in_the_package() -> None:
    calls = re.compile(
        r"\b(eval|exec|compile)\s*\(|__import__\s*\(|pickle\.(loads?|Unpickler)\b|marshal\."
    )
    found = []
    for path in (ROOT / "src" / "briefing_lint").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.split("#", 1)[0]
            if calls.search(code) and "re.compile" not in code and ".compile(" not in code:
                found.append(f"{path.name}: {line.strip()}")
    # The result cache is the one place that unpickles, through an unpickler that accepts only
    # the package's own value types.
    assert [f for f in found if not f.startswith("cache.py:")] == []


def test_bad_pattern_found_in_a_worker_process_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # BL001 reads its `re:` entries when it runs, here in the process pool.
    config = tmp_path / "cfg.yaml"
    config.write_text('{"rules": {"BL001": {"remove_params": ["re:(a+)+"]}}}', encoding="utf-8")
    for i in range(12):
        (tmp_path / f"f{i}.md").write_text("[t](https://example.org/?a=1)\n", encoding="utf-8")
    assert main(["--no-cache", "-j", "2", "--config", str(config), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "rules.BL001.remove_params: pattern '(a+)+'" in err and "Traceback" not in err


def test_cache_entries_cannot_name_foreign_callables() -> None:
    import io
    import os
    import pickle

    from briefing_lint.cache import _Restricted
    from briefing_lint.diagnostics import Diagnostic, Severity, Span

    planted = pickle.dumps((os.system, ("echo pwned",)))
    with pytest.raises(pickle.UnpicklingError):
        _Restricted(io.BytesIO(planted)).load()
    own = ([Diagnostic("BL010", "n", Span(0, 1), "m", Severity.WARNING)], {"BL006": ()})
    assert _Restricted(io.BytesIO(pickle.dumps(own))).load() == own


# -- configuration: aliases, size, other files' content, every fault exit 2 ------------------


def test_yaml_aliases_are_refused_in_config_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / ".briefing-lint.yaml"
    config.write_text("select: &codes [BL001]\nignore: *codes\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", str(tmp_path / "a.md")]) == 2
    err = capsys.readouterr().err
    assert f"{config}: invalid YAML: line 1, column 9: anchors and aliases" in err, err


def _laughs(levels: int, fan: int = 9) -> str:
    """Each level an anchor naming the one before ``fan`` times: ``fan ** levels`` strings."""
    lines = ["a0: &a0 lol"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]")
    return "{" + ", ".join(lines) + f", rules: {{BL003: {{items: *a{levels}}}}}}}"


def test_alias_bomb_in_a_configure_comment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real attack nests nine levels (9**9 strings, gigabytes once printed); four show it.
    doc = tmp_path / "a.md"
    doc.write_text(f"# x\n\n<!-- briefing-lint-configure-file {_laughs(4)} -->\n", "utf-8")
    assert main(["--no-cache", str(doc)]) == 2
    err = capsys.readouterr().err
    assert f"{doc}:3: briefing-lint-configure-file: invalid YAML: line 1" in err, err
    assert "anchors and aliases" in err and len(err) < 400, err[:400]


def test_configure_comments_are_capped_at_4_kb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = "select: [" + ", ".join(["BL001"] * 700) + "]"  # 4,900 bytes
    doc = tmp_path / "a.md"
    doc.write_text(f"# x\n\n<!-- briefing-lint-configure-file {settings} -->\n", "utf-8")
    assert main(["--no-cache", str(doc)]) == 2
    err = capsys.readouterr().err
    assert f"{doc}:3: briefing-lint-configure-file:" in err and "4096 allowed" in err, err
    small = "select: [" + ", ".join(["BL001"] * 500) + "]"  # 3,500 bytes: fine
    doc.write_text(f"# x\n\n<!-- briefing-lint-configure-file {small} -->\n", "utf-8")
    assert main(["--no-cache", str(doc)]) == 0


def test_config_errors_do_not_quote_an_extended_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere" / "secrets.yaml"
    outside.parent.mkdir()
    outside.write_text("token: [unclosed\npassword: hunter2-s3cret\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / ".briefing-lint.yaml").write_text(f"extend: {outside}\n", encoding="utf-8")
    (project / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", str(project / "a.md")]) == 2
    err = capsys.readouterr().err
    assert f"{outside}: invalid YAML: line 2" in err, err
    assert "hunter2" not in err and "unclosed" not in err, err


def test_deep_extend_chain_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(2000):
        (tmp_path / f"c{i}.yaml").write_text(f"extend: c{i + 1}.yaml\n", encoding="utf-8")
    (tmp_path / "c2000.yaml").write_text("select: [BL001]\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", "--config", str(tmp_path / "c0.yaml"), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'c31.yaml'}: extend: extend chain deeper than 32 files" in err, err
    # 32 files deep is still fine.
    (tmp_path / "c31.yaml").write_text("select: [BL001]\n", encoding="utf-8")
    assert main(["--no-cache", "--config", str(tmp_path / "c0.yaml"), str(tmp_path)]) == 0


def test_circular_extend_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("extend: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extend: a.yaml\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", "--config", str(tmp_path / "a.yaml"), str(tmp_path)]) == 2
    assert "extend: circular extend" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("tool = 1\n", "tool"),
        ('tool = "briefing-lint"\n', "tool"),
        ("[tool]\nbriefing-lint = 1\n", "tool.briefing-lint"),
        ('[tool]\nbriefing-lint = ["select"]\n', "tool.briefing-lint"),
    ],
)
def test_non_table_tool_in_pyproject_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, key: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(toml, encoding="utf-8")
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", "--config", str(pyproject), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{pyproject}: {key}: expected a table" in err and "Traceback" not in err, err


def test_undecodable_pyproject_is_named_not_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    text = "[tool.briefing-lint]\n# caf\u00e9\nselect = ['BL001']\n"
    pyproject.write_bytes(text.encode("latin-1"))
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", str(tmp_path / "a.md")]) == 2
    assert f"{pyproject}: not valid UTF-8" in capsys.readouterr().err
