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
        r"\b(eval|exec|compile)\s*\(|__import__\s*\(|(import|from)\s+pickle\b|\bpickle\.|marshal\."
    )
    found = []
    for path in (ROOT / "src" / "briefing_lint").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.split("#", 1)[0]
            if calls.search(code) and "re.compile" not in code and ".compile(" not in code:
                found.append(f"{path.name}: {line.strip()}")
    assert found == []


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
