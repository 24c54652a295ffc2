"""``briefing-lint format`` and the ``briefing`` mdformat extension."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import mdformat
import pytest

from briefing_lint import formatter
from briefing_lint.api import fix_text
from briefing_lint.cli import main
from briefing_lint.config import Config, ConfigError
from briefing_lint.document import Document, index
from briefing_lint.formatter import format_text

SEED = (Path(__file__).parent / "fixtures" / "format" / "seed-briefing.md").read_text(
    encoding="utf-8"
)


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no config file is found (the repository's own config must not leak in)."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def seed_formatted() -> str:
    result = format_text(SEED)
    assert result.refused == ()
    return result.text


def _destinations(text: str) -> list[str]:
    """Every destination as written: links, images, autolinks, bare URLs, definitions."""
    doc = Document(text, None)
    idx = index(doc)
    spans = [link.dest_span for link in idx.urls] + [d.dest_span for d in idx.definitions]
    return sorted(doc.source[s.start : s.end] for s in spans if s is not None)


def _line(text: str, prefix: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(prefix))


# -- the seed briefing ------------------------------------------------------------------------


def test_seed_formatted_once_equals_formatted_twice(seed_formatted: str) -> None:
    assert seed_formatted != SEED
    again = format_text(seed_formatted)
    assert again.refused == ()
    assert again.text == seed_formatted
    assert again.fixes == 0


def test_seed_links_cleaned_and_trimmed(seed_formatted: str) -> None:
    assert "utm_" not in seed_formatted
    assert "chksm=" not in seed_formatted and "sharer_shareid" not in seed_formatted
    heading = _line(seed_formatted, "# 1. ")
    assert heading.startswith(
        "# 1. [小型语言模型在手机上离线运行](https://mp.weixin.qq.com/s?__biz=MzI0NTEwMDAwMA=="
        "&mid=2247480001&idx=1&sn=fedcba9876543210fedcba9876543210)"
    )


def test_seed_destinations_byte_identical_to_the_fixed_text(seed_formatted: str) -> None:
    fixed = fix_text(SEED).text
    assert _destinations(seed_formatted) == _destinations(fixed)
    # no re-encoding, angle brackets kept, entities kept
    assert "(<https://example.org/path with space/(v2)>)" in seed_formatted
    assert "[ds]: https://example.org/数据集/发布?v=2" in seed_formatted
    assert "(https://example.org/测评?id=7&amp;page=2)" in seed_formatted
    assert '(https://example.org/img/arch%20v2.png "架构")' in seed_formatted
    assert "<https://example.org/深度/解读?p=1>" in seed_formatted
    assert "https://arxiv.org/abs/2612.00001" in seed_formatted


def test_seed_toc_marker_kept(seed_formatted: str) -> None:
    assert "\n\n[TOC]\n\n" in seed_formatted


def test_seed_chinese_numbered_paragraphs_kept(seed_formatted: str) -> None:
    for start in ("1、数据规模", "2、新增", "一、背景", "二、方法"):
        assert re.search(rf"^{start}", seed_formatted, re.MULTILINE), start


def test_seed_source_attribution_suffixes_kept(seed_formatted: str) -> None:
    assert _line(seed_formatted, "# 1. ").endswith(") | 示例实验室")
    assert _line(seed_formatted, "# 2. ") == "# 2. [开源中文数据集发布][ds] | 某某社区"
    assert _line(seed_formatted, "# 3. ").endswith(">) | 项目主页")


def test_seed_more_and_truncate_markers_kept_together(seed_formatted: str) -> None:
    assert "\n<!-- more -->\n<!-- truncate -->\n" in seed_formatted


def test_seed_reference_links_stay_reference_style(seed_formatted: str) -> None:
    assert "[另一篇][Other]" in seed_formatted
    # definitions stay where they were, labels as written, unused ones kept
    assert seed_formatted.index("[ds]: ") < seed_formatted.index("# 3. ")
    assert "[Other]: <https://example.org/another post>" in seed_formatted
    assert "[unused]: https://example.org/unused" in seed_formatted


def test_seed_ordered_list_numbers_not_rewritten(seed_formatted: str) -> None:
    assert "\n3. 第三项\n5. 第五项\n8. 第八项\n" in seed_formatted


def test_seed_html_block_code_and_table(seed_formatted: str) -> None:
    html = '<div align="center">\n  <img src="https://example.org/banner.png" width="600">\n</div>'
    assert html in seed_formatted
    assert '```python  \nprint("无需改动")\n```' in seed_formatted
    assert "| A    | ~~7B~~ 8B |" in seed_formatted
    assert "\n- [一篇关于量化的文章]" in seed_formatted  # bullets normalised to "-"
    assert "> 论文地址：https://arxiv.org/abs/2612.00001\n>\n> 代码仓库：" in seed_formatted
    assert "![模型结构图](" in seed_formatted


# -- single conventions -------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["[TOC]", "[toc]", "[[TOC]]", "[[_TOC_]]", "${toc}"])
def test_toc_markers_not_escaped(marker: str) -> None:
    text = f"# 标题\n\n{marker}\n\n正文\n"
    assert format_text(text).text == text


def test_comments_stay_on_their_lines() -> None:
    text = (
        "摘要\n<!-- more -->\n正文\n\n"
        "<!-- briefing-lint-disable-next-line BL001 -- 保留来源参数 -->\n"
        "[链接](https://example.org/a?utm_source=wechat)\n"
    )
    assert format_text(text).text == text


def test_front_matter_kept_verbatim() -> None:
    text = "---\ntitle:   简报\ntags:\n- AI\n- 嵌入式\n---\n\n# 标题\n"
    assert format_text(text).text == text


def test_number_option_renumbers() -> None:
    text = "3. a\n5. b\n8. c\n"
    assert format_text(text).text == text
    assert format_text(text, {"format": {"number": True}}).text == "3. a\n4. b\n5. c\n"


def test_wrap_option() -> None:
    text = "word " * 30 + "\n"
    out = format_text(text, {"format": {"wrap": 40}}).text
    assert max(len(line) for line in out.splitlines()) <= 40


def test_line_endings_crlf_and_bom_kept() -> None:
    text = "\ufeff# 标题\r\n\r\n* [ 链接 ](https://example.org/a?utm_source=x)\r\n"
    out = format_text(text).text
    assert out == "\ufeff# 标题\r\n\r\n- [链接](https://example.org/a)\r\n"


def test_end_of_line_option() -> None:
    assert format_text("a\r\nb\r\n", {"format": {"end_of_line": "lf"}}).text == "a\nb\n"
    assert format_text("a\n", {"format": {"end_of_line": "crlf"}}).text == "a\r\n"


def test_indented_code_block_stays_indented() -> None:
    text = "段落\n\n    code\n      more\n\n后文\n"
    assert format_text(text).text == text


@pytest.mark.parametrize(
    ("key", "value"),
    [("wrap", "wide"), ("wrap", 1), ("number", "yes"), ("end_of_line", "cr"), ("validate", 0)],
)
def test_bad_format_values_are_config_errors(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"format.{key}"):
        format_text("a\n", Config.from_dict({"format": {key: value}}))


def test_refused_when_html_would_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatter, "_mdformat", lambda text, options, path: "changed\n")
    result = format_text("original\n")
    assert result.text == "original\n"
    assert "rendered HTML" in result.refused[0]


def test_refused_by_the_structure_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    # a change mdformat's HTML check cannot see: whitespace inside a code block
    monkeypatch.setattr(formatter, "_mdformat", lambda text, options, path: "```\na  b\n```\n")
    result = format_text("```\na b\n```\n", {"format": {"validate": False}})
    assert result.refused and result.refused[0].startswith("structure guard: ")
    assert result.text == "```\na b\n```\n"


# -- the command --------------------------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_format_check_diff_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "issue-1.md"
    f.write_text(SEED, encoding="utf-8")
    code, out, _ = run(["format", "--check", str(f)], capsys)
    assert (code, out) == (1, f"Would reformat: {f}\n")
    code, out, _ = run(["format", "--diff", str(f)], capsys)
    assert code == 1 and out.startswith(f"--- a/{f}\n+++ b/{f}\n") and "-* [" in out
    assert f.read_text(encoding="utf-8") == SEED
    code, _, err = run(["format", str(f)], capsys)
    assert code == 0 and "1 file(s) reformatted" in err
    assert f.read_text(encoding="utf-8") == format_text(SEED).text
    assert run(["format", "--check", str(f)], capsys)[0] == 0
    assert run(["format", "--diff", str(f)], capsys)[:2] == (0, "")


def test_format_keeps_crlf_and_bom_on_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_bytes("\ufeff# 标题\r\n\r\n* 一\r\n* 二\r\n\r\n[TOC]\r\n".encode())
    assert run(["format", str(f)], capsys)[0] == 0
    assert f.read_bytes() == "\ufeff# 标题\r\n\r\n- 一\r\n- 二\r\n\r\n[TOC]\r\n".encode()


def test_format_refusal_exits_3_and_leaves_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.md"
    f.write_text("* a\n", encoding="utf-8")
    monkeypatch.setattr(formatter, "_mdformat", lambda text, options, path: "- b\n")
    code, _, err = run(["format", str(f)], capsys)
    assert code == 3
    assert f"{f}: not formatted, left unchanged: formatting would change the rendered HTML" in err
    assert f.read_text(encoding="utf-8") == "* a\n"


def test_format_config_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text("format: {wrap: wide}\n", encoding="utf-8")
    f = tmp_path / "a.md"
    f.write_text("* a\n", encoding="utf-8")
    code, _, err = run(["format", str(f)], capsys)
    assert code == 2 and "format.wrap" in err
    assert run(["format", str(tmp_path / "missing.md")], capsys)[0] == 2


def test_format_walks_folders_and_skips_mdx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_text("* a\n", encoding="utf-8")
    (tmp_path / "b.mdx").write_text("* b\n", encoding="utf-8")
    code, _, err = run(["format", str(tmp_path)], capsys)
    assert code == 0 and "1 file(s) reformatted" in err
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "- a\n"
    assert (tmp_path / "b.mdx").read_text(encoding="utf-8") == "* b\n"


def test_format_stdin_to_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("* [ a ](https://example.org/?utm_source=x)\n"))
    code, out, _ = run(["format", "-", "--quiet"], capsys)
    assert (code, out) == (0, "- [a](https://example.org/)\n")


def test_format_force_exclude(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text("exclude: [draft.md]\n", encoding="utf-8")
    f = tmp_path / "draft.md"
    f.write_text("* a\n", encoding="utf-8")
    assert run(["format", "--force-exclude", str(f)], capsys)[0] == 0
    assert f.read_text(encoding="utf-8") == "* a\n"
    assert run(["format", str(f)], capsys)[0] == 0
    assert f.read_text(encoding="utf-8") == "- a\n"


def test_pre_commit_hook_declared() -> None:
    import yaml

    manifest = Path(__file__).parent.parent / ".pre-commit-hooks.yaml"
    hooks = {h["id"]: h for h in yaml.safe_load(manifest.read_text(encoding="utf-8"))}
    hook = hooks["briefing-lint-format"]
    assert hook["entry"] == "briefing-lint format --force-exclude"
    assert (hook["language"], hook["types"]) == ("python", ["markdown"])


# -- the mdformat extension ----------------------------------------------------------------------


#: What the extension's own fix pass runs: tracking parameters and link-text whitespace.
PLUGIN_RULES = {"select": ["BL001", "BL010"]}


def test_mdformat_api_with_the_extension() -> None:
    out = mdformat.text(SEED, extensions=["briefing"])
    assert out == format_text(SEED, PLUGIN_RULES).text
    assert ")| 示例实验室" in out  # BL002's separator fix is not part of the extension


def test_mdformat_cli_with_the_extension(tmp_path: Path) -> None:
    f = tmp_path / "issue.md"
    f.write_text(SEED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    cmd = [sys.executable, "-m", "mdformat", "--extensions", "briefing"]
    done = subprocess.run([*cmd, str(f)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    formatted = f.read_text(encoding="utf-8")
    assert formatted == format_text(SEED, PLUGIN_RULES).text
    check = subprocess.run(
        [*cmd, "--check", str(f)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    g = tmp_path / "keep.md"
    g.write_text("[ a ](https://example.org/?utm_source=x)\n", encoding="utf-8")
    subprocess.run([*cmd, "--briefing-no-clean-urls", str(g)], cwd=tmp_path, env=env, check=True)
    assert g.read_text(encoding="utf-8") == "[a](https://example.org/?utm_source=x)\n"


def _mdformat_cli(tmp_path: Path, *args: str) -> bytes:
    f = tmp_path / "issue.md"
    f.write_text(SEED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    cmd = [sys.executable, "-m", "mdformat", *args, str(f)]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return f.read_bytes()


def test_plain_mdformat_is_not_changed_by_installing_briefing_lint(tmp_path: Path) -> None:
    import mdformat.plugins

    installed = mdformat.plugins.PARSER_EXTENSIONS
    assert "briefing" in installed  # the entry point is there: plain mdformat loads it
    without = [name for name in installed if name != "briefing"]
    expected = mdformat.text(SEED, extensions=without).encode("utf-8")
    assert _mdformat_cli(tmp_path) == expected
    # ... while the extension, once named, would have changed the text.
    assert expected != mdformat.text(SEED, extensions=["briefing"]).encode("utf-8")


@pytest.mark.parametrize(
    "toml", ['extensions = ["briefing"]\n', "[plugin.briefing]\nenable = true\n"]
)
def test_mdformat_toml_opts_in(tmp_path: Path, toml: str) -> None:
    (tmp_path / ".mdformat.toml").write_text(toml, encoding="utf-8")
    assert _mdformat_cli(tmp_path).decode("utf-8") == format_text(SEED, PLUGIN_RULES).text


# -- corpus sweep -------------------------------------------------------------------------------

CORPUS = os.environ.get("BRIEFING_LINT_CORPUS", "")


def sweep_one(path: str) -> dict[str, object]:
    """Format one file twice; never raises (an exception is recorded)."""
    import traceback

    from briefing_lint.files import InputError, read_text

    out: dict[str, object] = {"path": path}
    try:
        text = read_text(Path(path))
    except InputError as exc:
        out["input_error"] = str(exc)
        return out
    try:
        first = format_text(text, None, path)
        out["refused"] = list(first.refused)
        out["changed"] = first.changed
        if not first.refused:
            second = format_text(first.text, None, path)
            out["second_changed"] = second.text != first.text or bool(second.refused)
            fixed = fix_text(text, None, path)
            if first.fixes == len(fixed.applied):  # no later round fixed anything else
                out["dests_kept"] = _destinations(fixed.text) == _destinations(first.text)
    except Exception:
        out["error"] = traceback.format_exc(limit=8)
    return out


@pytest.mark.skipif(not CORPUS, reason="BRIEFING_LINT_CORPUS is not set (no corpus to sweep)")
def test_format_corpus_sweep() -> None:
    """Every file: no exception, idempotent, destinations kept; refusals are rare and named."""
    import json
    from concurrent.futures import ProcessPoolExecutor

    root = Path(CORPUS)
    names = sorted(
        str(p) for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".md", ".markdown")
    )
    assert names, f"no Markdown files under {root}"
    names.sort(key=lambda n: -os.path.getsize(n))
    with ProcessPoolExecutor(max_workers=max(1, min(os.cpu_count() or 1, 8))) as pool:
        results = sorted(pool.map(sweep_one, names, chunksize=4), key=lambda r: str(r["path"]))
    refused = [f"{r['path']}: {why}" for r in results for why in list(r.get("refused") or [])]
    figures = {
        "files": len(results),
        "formatted": sum(1 for r in results if r.get("changed") and not r.get("refused")),
        "unchanged": sum(1 for r in results if r.get("changed") is False and not r.get("refused")),
        "refused": sum(1 for r in results if r.get("refused")),
        "second_run_changed": sum(1 for r in results if r.get("second_changed")),
        "destinations_changed": sum(1 for r in results if r.get("dests_kept") is False),
        "exceptions": sum(1 for r in results if r.get("error")),
        "input_errors": sum(1 for r in results if r.get("input_error")),
    }
    report = os.environ.get("BRIEFING_LINT_FORMAT_SWEEP_REPORT")
    if report:
        Path(report).write_text(
            json.dumps({"figures": figures, "refused": refused}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    print(f"\nformat sweep: {figures}\n" + "\n".join(refused[:20]))
    errors = [f"{r['path']}:\n{r['error']}" for r in results if r.get("error")]
    assert not errors, "exceptions:\n" + "\n".join(errors[:5])
    assert not [r["path"] for r in results if r.get("second_changed")]
    assert not [r["path"] for r in results if r.get("dests_kept") is False]
    assert len(refused) <= max(2, len(results) // 100), "\n".join(refused[:20])
