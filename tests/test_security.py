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
]

ATTACKS = ["a" * 40 + "!", "1" * 40 + "x", "x" * 40, ", a" * 30 + "!", "aab" * 20 + "!"]


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


def test_regex_list_options_are_checked_when_the_config_is_read() -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_dict({"rules": {"BL006": {"ignore": ["(?=a)b"]}}}, source="cfg.yaml")
    assert str(info.value).startswith("cfg.yaml: rules.BL006.ignore: pattern '(?=a)b'")


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
    config.write_text('{"rules": {"BL001": {"remove_params": ["re:(a)\\\\1"]}}}', encoding="utf-8")
    for i in range(12):
        (tmp_path / f"f{i}.md").write_text("[t](https://example.org/?a=1)\n", encoding="utf-8")
    assert main(["--no-cache", "-j", "2", "--config", str(config), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "rules.BL001.remove_params: pattern '(a)\\\\1'" in err and "Traceback" not in err


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


# -- output: nothing a terminal or a CI runner would act on -----------------------------------

_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_WRAPPED_NEWLINE = (
    "[t](https://link.zhihu.com/?target=https%3A//example.org/a%0A::error%20file=x::pwned)\n"
)


def test_redirect_target_message_keeps_control_characters_encoded() -> None:
    from briefing_lint import lint_text

    [diag] = lint_text("# x\n\n" + _WRAPPED_NEWLINE, {"select": ["BL011"]})
    assert "\n" not in diag.message
    assert "`https://example.org/a%0A::error file=x::pwned`" in diag.message, diag.message


@pytest.mark.parametrize("fmt", ["text", "concise", "github"])
def test_no_output_line_is_a_workflow_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "a.md").write_text("# x\n\n" + _WRAPPED_NEWLINE, encoding="utf-8")
    assert main(["--no-cache", "--select", "BL011", "--output-format", fmt, "a.md"]) == 1
    lines = capsys.readouterr().out.splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == (1 if fmt == "github" else 0), lines


@pytest.mark.parametrize(
    "before",
    ["\x1b]0;pwned\x07", "\x1b[2J\x1b[31m", "\u2028x\u2029", "\x9b31m\x7f", "\x0b\x0c\x01"],
)
def test_text_output_escapes_file_names_messages_and_source_lines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    before: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "300")
    name = f"issue{before}\n::error file=x::y.md"
    link = "[ 中文 ](https://example.org/p)"
    (tmp_path / name).write_text(f"# x\n\n{before}{link}{before}\n", encoding="utf-8")
    for fmt in ("concise", "text"):  # the text output, last, is read below
        assert main(["--no-cache", "--select", "BL010", "--output-format", fmt, name]) == 1
        out = capsys.readouterr().out
        assert not _RAW_CONTROL.search(out), repr(out)
        assert not any(ln.startswith("::") for ln in out.splitlines()), out
        assert "issue\\" in out and "\\n::error file=x::y.md:3:" in out, out
    # The carets sit under the link as shown: escapes and wide characters counted.
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if " | " in ln and link in ln)
    shown, carets = lines[i], lines[i + 1]
    assert "\\" in shown.split(" | ", 1)[1], shown
    assert carets.index("^") == shown.index(link), (shown, carets)
    assert carets.split(" | ", 1)[1].strip() == "^" * (len(link) + 2), (shown, carets)


def test_sarif_uris_are_percent_encoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "周报 #1"
    folder.mkdir()
    (folder / "a%20b?.md").write_text("# x\n\n[ t ](https://example.org)\n", encoding="utf-8")
    rel = "周报 #1/a%20b?.md"
    for path, uri in [
        (rel, "%E5%91%A8%E6%8A%A5%20%231/a%2520b%3F.md"),
        (str(tmp_path / rel), (tmp_path / rel).as_uri()),
    ]:
        main(["--no-cache", "--select", "BL010", "--output-format", "sarif", path])
        result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uri"] == uri
        assert result["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"] == uri
    assert uri.startswith("file:///") and "%20%231/a%2520b%3F.md" in uri


# -- suppressions: cross-file findings are suppressed like any other --------------------------

_ISSUE_A = "1、[甲](https://example.org/news/a)\n\n2、[乙](https://example.org/news/b)\n"


@pytest.mark.parametrize(
    "issue_b",
    [
        "<!-- briefing-lint-disable-file BL006 -->\n\n1、[丙](https://example.org/news/c)\n\n"
        "2、[乙again](https://example.org/news/b)\n",
        "1、[丙](https://example.org/news/c)\n\n"
        "<!-- briefing-lint-disable-next-line duplicate-item -->\n2、[乙again](https://example.org/news/b)\n",
        "1、[丙](https://example.org/news/c)\n\n"
        "2、[乙again](https://example.org/news/b) <!-- briefing-lint-disable-line -->\n",
        # `enable BL010` ends BL010 only: BL006 stays disabled to the end of the file.
        "<!-- briefing-lint-disable BL006 BL010 -->\n1、[丙](https://example.org/news/c)\n"
        "<!-- briefing-lint-enable BL010 -->\n\n2、[乙again](https://example.org/news/b)\n",
    ],
)
def test_suppressions_apply_to_cross_file_findings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    issue_b: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(_ISSUE_A, encoding="utf-8")
    (tmp_path / "b.md").write_text(issue_b, encoding="utf-8")
    select = ["--select", "BL006,BL010,BL014", "--output-format", "concise", "--quiet"]
    line = issue_b.splitlines().index(next(ln for ln in issue_b.splitlines() if "乙" in ln)) + 1
    for cache in (["--no-cache"], ["--cache-dir", "cache"], ["--cache-dir", "cache"]):
        assert main([*cache, *select, "a.md", "b.md"]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert lines == [f"a.md:3:1: BL006 warning same link as b.md:{line}"], (cache, lines)
    # The unsafe fixes keep the comments: they are used.
    assert main(["--no-cache", *select, "--fix", "--unsafe-fixes", "a.md", "b.md"]) == 1
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == issue_b
    capsys.readouterr()


def test_unused_suppression_of_a_cross_file_rule_is_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(_ISSUE_A, encoding="utf-8")
    text = "<!-- briefing-lint-disable-next-line BL006 -->\n1、[丙](https://example.org/c)\n"
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    select = ["--select", "BL006,BL014", "--output-format", "concise", "--quiet"]
    assert main(["--no-cache", *select, "a.md", "b.md"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "b.md:1:1: BL014 warning suppression `disable-next-line BL006` suppresses nothing"
    ]
    # Whether it is unused depends on the other files of the run: never removed by --fix.
    main(["--no-cache", *select, "--fix", "--unsafe-fixes", "a.md", "b.md"])
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == text
