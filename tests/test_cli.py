"""End-to-end through ``main()`` (the console script calls the same function)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing_lint.cli import main

SPACED = "😀中文[ 链接 ](https://example.org)\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    if args and args[0] == "check":
        args = ["check", "--no-cache", *args[1:]]
    elif args and args[0] not in ("rules", "rule", "config"):
        args = ["--no-cache", *args]
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reports_location_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, out, _ = run(["check", str(f)], capsys)
    assert code == 1
    assert f"{f}:1:4: BL010 warning [*]" in out


def test_fix_is_default_command_and_fixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, _, _ = run(["--fix", str(f)], capsys)
    assert code == 0
    assert f.read_text(encoding="utf-8") == "😀中文 [链接](https://example.org)\n"


def test_fix_keeps_crlf_and_changes_only_the_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = b"# T\r\n\r\n```\r\n[ code ](x)\r\n```\r\n\r\n- [ a ](u) tail  \r\n> [ b ](v)\r\n"
    f = tmp_path / "a.md"
    f.write_bytes(raw)
    run(["--fix", str(f)], capsys)
    assert f.read_bytes() == raw.replace(b"- [ a ]", b"- [a]").replace(b"> [ b ]", b"> [b]")


def test_json_clean_file_prints_empty_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "clean.md"
    f.write_text("[ok](https://example.org)\n", encoding="utf-8")
    code, out, _ = run(["check", "--output-format", "json", str(f)], capsys)
    assert code == 0 and json.loads(out) == []


def test_json_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    _, out, _ = run(["check", "--output-format", "json", str(f)], capsys)
    (item,) = json.loads(out)
    assert list(item) == [
        "path",
        "code",
        "name",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "severity",
        "fix",
    ]
    assert (item["line"], item["column"]) == (1, 4)
    assert item["fix"]["applicability"] == "safe"
    # The leading space moves before the "[" (the link touches 中文), then goes inside.
    assert item["fix"]["edits"][:2] == [
        {"line": 1, "column": 4, "end_line": 1, "end_column": 4, "content": " "},
        {"line": 1, "column": 5, "end_line": 1, "end_column": 6, "content": ""},
    ]


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", str(tmp_path / "nope.md")], capsys)
    assert code == 2 and "nope.md" in err


def test_bad_config_key_exits_2_naming_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text("rules:\n  BL010:\n    no_such_option: 1\n")
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, _, err = run(["check", str(f)], capsys)
    assert code == 2
    assert "rules.BL010.no_such_option" in err and ".briefing-lint.yaml" in err


def test_unknown_rule_on_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--select", "BL999", "."], capsys)
    assert code == 2 and "BL999" in err


def test_stdin_fix_writes_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("[ a ](b)\r\n"))
    code = main(["--fix", "-", "--stdin-filename", "x.md"])  # no cache with stdin
    out, _ = capsys.readouterr()
    assert code == 0 and out == "[a](b)\r\n"


def test_diff_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, out, _ = run(["check", "--diff", str(f)], capsys)
    assert code == 1 and "-😀中文[ 链接 ]" in out and "+😀中文 [链接]" in out
    assert f.read_text(encoding="utf-8") == SPACED


def test_fail_on_and_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    assert run(["check", "--fail-on", "error", str(f)], capsys)[0] == 0
    assert run(["check", "--exit-zero", str(f)], capsys)[0] == 0


def test_non_utf8_file_is_reported_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"[ x ](y) \xff\n")
    good = tmp_path / "good.md"
    good.write_text(SPACED, encoding="utf-8")
    code, _, err = run(["--fix", str(bad), str(good)], capsys)
    assert code == 2 and "bad.md" in err and "UTF-8" in err
    assert bad.read_bytes() == b"[ x ](y) \xff\n"
    assert good.read_text(encoding="utf-8") == "😀中文 [链接](https://example.org)\n"


def test_directory_walk_respects_gitignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".gitignore").write_text("ignored/\n")
    for rel in ("a.md", "b.markdown", "c.mdx", "ignored/x.md", "node_modules/y.md", "d.txt"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(SPACED, encoding="utf-8")
    _, out, _ = run(["check", "--output-format", "json", str(tmp_path)], capsys)
    paths = sorted(Path(d["path"]).name for d in json.loads(out))
    assert paths == ["a.md", "b.markdown", "c.mdx"]


def test_force_exclude(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text("exclude: ['skip.md']\n")
    f = tmp_path / "skip.md"
    f.write_text(SPACED, encoding="utf-8")
    assert run(["check", str(f)], capsys)[0] == 1
    assert run(["check", "--force-exclude", str(f)], capsys)[0] == 0


def test_rules_and_rule_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0 and "BL010" in out and "link-text-whitespace" in out
    code, out, _ = run(["rule", "link-text-whitespace"], capsys)
    assert code == 0 and out.startswith("# BL010 link-text-whitespace")


def test_console_script_runs_outside_checkout(tmp_path: Path) -> None:
    """Rule data is found from the installed package, whatever the working directory."""
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "briefing_lint", "check", "--no-cache", str(f)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "BL010" in proc.stdout
    version = subprocess.run(
        [sys.executable, "-m", "briefing_lint", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.returncode == 0 and version.stdout.startswith("briefing-lint ")


def test_add_suppressions_then_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.md"
    original = "# T [ h ](x)\r\n\r\n[ a ](b)\r\n\r\n- ok\r\n- [ x ](y)\r\n\r\n> [ q ](r)\r\n"
    f.write_bytes(original.encode())
    code, _, err = run(["check", "--add-suppressions", str(f)], capsys)
    assert code == 0 and "added suppressions" in err
    new = f.read_bytes().decode()
    assert new.count("briefing-lint-disable-next-line BL010 -- TODO: reason") == 3
    assert "- [ x ](y) <!-- briefing-lint-disable-line BL010 -- TODO: reason -->\r\n" in new
    assert "\n" not in new.replace("\r\n", "")
    assert run(["check", str(f)], capsys)[0] == 0
    # Fixing the finding later makes the comment itself a finding (BL014, unsafe fix).
    code, out, _ = run(["check", "--select", "BL014", str(f)], capsys)
    assert code == 0 and out.count("BL014") == 0


def test_config_shows_where_values_come_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / ".briefing-lint.yaml"
    cfg.write_text("ignore: [BL012]\nrules:\n  BL004: {severity: {alt-missing: warning}}\n")
    code, out, _ = run(["config", str(tmp_path)], capsys)
    assert code == 0 and out.startswith(f"# config file: {cfg}")
    assert f"from: {cfg}" in out and "alt-missing:" in out and "from: default" in out


# -- summaries that agree with the exit code; usage errors with suggestions -------------------


def test_missing_path_is_counted_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", str(tmp_path / "nope.md")], capsys)
    assert code == 2
    assert "All checks passed" not in out
    assert "Nothing checked; 1 path could not be read" in out
    assert "nope.md: no such file or directory" in err


def test_unreadable_path_next_to_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, out, _ = run(["check", str(f), str(tmp_path / "gone.md"), str(tmp_path / "x.md")], capsys)
    assert code == 2
    assert "Found 1 problem (1 warning) in 1 file; 2 paths could not be read." in out


def test_json_stays_a_list_and_stderr_names_the_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", "--output-format", "json", str(tmp_path / "no.md")], capsys)
    assert code == 2 and json.loads(out) == []
    assert "1 path could not be read; the output covers only the files that were checked" in err


def test_sarif_lists_unread_paths_as_notifications(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "--output-format", "sarif", str(tmp_path / "no.md")], capsys)
    (invocation,) = json.loads(out)["runs"][0]["invocations"]
    assert code == 2 and invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "no.md: no such file" in note["message"]["text"]


def test_folder_without_markdown_warns_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("x\n", encoding="utf-8")
    code, out, err = run(["check", str(tmp_path)], capsys)
    assert code == 0  # ruff's convention: a warning, not an error
    assert "All checks passed" not in out
    assert "warning: no Markdown files found" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["chek", "a.md"], "unknown command 'chek'; did you mean 'check'?"),
        (["confg"], "unknown command 'confg'; did you mean 'config'?"),
        (["check", "--fxi", "a.md"], "unknown option '--fxi'; did you mean '--fix'?"),
        (["--statistcs", "a.md"], "unknown option '--statistcs'; did you mean '--statistics'?"),
        (["config", "--confg=x"], "unknown option '--confg'; did you mean '--config'?"),
    ],
)
def test_unknown_command_or_option_exits_2_with_a_suggestion(
    argv: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(SPACED, encoding="utf-8")
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and message in err
    assert "a.md:1:4" not in out  # nothing was linted


def test_a_word_that_is_a_path_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chek").mkdir()
    (tmp_path / "chek" / "a.md").write_text(SPACED, encoding="utf-8")
    code, out, _ = run(["chek"], capsys)
    assert code == 1 and "BL010" in out


def test_statistics_prints_the_table_not_the_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, out, _ = run(["check", "--statistics", str(f)], capsys)
    assert code == 1
    assert out.splitlines()[0] == "     1  BL010  [*] link-text-whitespace  (1 fixable)"
    assert ":1:4:" not in out


def test_concise_summarises_a_full_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    code, out, _ = run(["check", "--fix", "--output-format", "concise", str(f)], capsys)
    assert code == 0
    assert out.splitlines() == ["Fixed 1 problem.", "All checks passed (1 file)."]


def test_no_color_writes_no_escape_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    f = tmp_path / "a.md"
    f.write_text(SPACED, encoding="utf-8")
    _, out, _ = run(["check", str(f)], capsys)
    assert "\x1b" not in out
    monkeypatch.delenv("NO_COLOR")
    _, out, _ = run(["check", str(f)], capsys)
    assert "\x1b[" in out  # FORCE_COLOR alone: colour in a pipe


def test_rules_table_columns_line_up(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    header, *rows = out.splitlines()
    assert code == 0
    for word in ("severity", "fix", "summary"):
        assert all(row[header.index(word) - 1] == " " for row in rows), word
    assert "BL001  tracking-params        error..info" in out


def test_config_shows_every_kind_severity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".briefing-lint.yaml").write_text(
        "rules:\n  BL001:\n    severity: {sponsor: warning}\n", encoding="utf-8"
    )
    code, out, _ = run(["config"], capsys)
    kinds = yaml.safe_load(out)["rules"]["BL001"]["severity-by-kind"]
    assert code == 0
    assert kinds["credential"] == {"value": "error", "from": "default"}
    assert kinds["sponsor"]["value"] == "warning" and kinds["sponsor"]["from"] != "default"
