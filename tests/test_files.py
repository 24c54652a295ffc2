"""Reading and rewriting files: never damage what is on disk."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from briefing_lint import fix_text, lint_text
from briefing_lint.cli import main
from briefing_lint.files import InputError, read_text, write_atomic

from .ruletools import make_rule, registered

FOO = make_rule("T1", r"foo", "bar")


def run(*args: str | Path) -> int:
    with registered(FOO):
        return main(["--fix", "--no-cache", *(str(a) for a in args)])


# -- atomic writes ----------------------------------------------------------------------


def test_rewrite_goes_through_a_temp_file_in_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    moves: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        moves.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    assert run(f) == 0
    assert f.read_text(encoding="utf-8") == "bar\n"
    [(src, dst)] = moves
    assert src.parent == dst.parent == tmp_path and src.name.startswith(".a.md.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]  # no temp file left


def test_permissions_are_kept(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    for mode in (0o640, 0o604, 0o755):
        f.chmod(mode)
        f.write_text("foo\n", encoding="utf-8")
        assert run(f) == 0
        assert stat.S_IMODE(f.stat().st_mode) == mode
        assert f.read_text(encoding="utf-8") == "bar\n"


def test_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.md"
    f.write_text("old\n", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(f, "new\n")
    assert f.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    f = tmp_path / "new.md"
    write_atomic(f, "x\n")
    mode = stat.S_IMODE(f.stat().st_mode)
    assert mode & 0o600 == 0o600 and not mode & 0o111


def test_symlink_is_fixed_through_and_stays_a_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "target.md"
    target.write_text("foo\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert run(link) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") == "bar\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in real_dir.iterdir()) == ["target.md"]


def test_symlink_found_in_a_folder_walk_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "outside.txt"  # not a Markdown name: only reached through the link
    target.write_text("foo\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "link.md").symlink_to(target)
    assert run(docs) == 0
    assert (docs / "link.md").is_symlink()
    assert target.read_text(encoding="utf-8") == "bar\n"


# -- encodings and line endings ------------------------------------------------------------


def test_non_utf8_file_is_reported_never_rewritten_and_others_still_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "gbk.md"
    raw = "foo 中文\n".encode("gbk")
    bad.write_bytes(raw)
    good = tmp_path / "good.md"
    good.write_text("foo\n", encoding="utf-8")
    assert run(bad, good) == 2
    assert bad.read_bytes() == raw
    assert good.read_text(encoding="utf-8") == "bar\n"
    err = capsys.readouterr().err
    assert f"{bad}: not valid UTF-8 (byte 0x{raw[4]:02x} at offset 4); file left unchanged" in err


def test_non_utf8_file_in_lint_mode_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.md"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    with registered(FOO):
        assert main(["--no-cache", str(bad)]) == 2
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_text(bad)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbffoo\r\nfoo\r\n",  # BOM + CRLF
        b"\xef\xbb\xbf# foo\n",  # BOM + LF
        b"\xef\xbb\xbf\xef\xbb\xbffoo x foo\n",  # two BOMs: the second is text, offsets stay right
        b"foo\r\nx\nfoo\rfoo\n",  # mixed CRLF, LF and lone CR
        b"a\r\n\r\n- foo\r\n- b\r\n\r\n> foo\r\n",  # CRLF with a list and a quote
        b"foo",  # no final newline
        b"",  # empty
        b"\xef\xbb\xbf",  # only a BOM
        b"\n\n\n",  # only blank lines
    ],
)
def test_bom_and_line_endings_survive_a_fix(tmp_path: Path, raw: bytes) -> None:
    f = tmp_path / "a.md"
    f.write_bytes(raw)
    assert run(f) == 0
    assert f.read_bytes() == raw.replace(b"foo", b"bar")


def test_code_block_edit_in_crlf_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    raw = b"- foo\r\n\r\n```\r\nfoo\r\n```\r\n"
    f.write_bytes(raw)
    assert run(f) == 3
    assert "T1 (test-t1) at line 4: an edit at line 4 changes the code block at lines 3-5" in (
        capsys.readouterr().err
    )
    # The list item was fixed; the code block was not.
    assert f.read_bytes() == b"- bar\r\n\r\n```\r\nfoo\r\n```\r\n"


def test_empty_and_blank_files_lint_clean() -> None:
    for text in ("", "\ufeff", "\n", "\r\n", "   \n\t\n"):
        assert lint_text(text, {"select": ["ALL"]}) == []
        assert fix_text(text, {"select": ["ALL"]}, unsafe=True).text == text


# -- size and depth ------------------------------------------------------------------------


def test_20_mb_file(tmp_path: Path) -> None:
    paragraph = ("这是一段用来测试大文件的中文文本，包含 emoji 😀 和 English words。" * 8) + "\n\n"
    body = paragraph * (20_000_000 // len(paragraph.encode("utf-8")) + 1)
    raw = ("foo\n\n" + body + "```\ncode\n```\n\nfoo\n").encode("utf-8")
    assert len(raw) >= 20_000_000
    f = tmp_path / "big.md"
    f.write_bytes(raw)
    started = time.perf_counter()
    assert run(f) == 0
    elapsed = time.perf_counter() - started
    out = f.read_bytes()
    assert out[:5] == b"bar\n\n" and out.endswith(b"\n\nbar\n")
    assert len(out) == len(raw)
    assert elapsed < 60, f"fixing a 20 MB file took {elapsed:.1f}s"


def _deep_quote(depth: int) -> str:
    return "> " * depth + "foo [深处](https://example.org/?utm_source=x)\n\nfoo after\n"


def _deep_list(depth: int) -> str:
    return "".join("  " * i + f"- item {i}\n" for i in range(depth)) + "\nfoo after\n"


def _deep_mixed(depth: int) -> str:
    return "".join("  " * i + ("> " if i % 2 else "- ") + f"x{i}\n" for i in range(depth))


@pytest.mark.parametrize("make", [_deep_quote, _deep_list, _deep_mixed])
def test_1000_levels_of_nesting_are_reported_not_skipped(make) -> None:  # type: ignore[no-untyped-def]
    text = make(1000)
    diagnostics = lint_text(text, {"select": ["ALL"]})
    deep = [d for d in diagnostics if d.code == "BL015"]
    assert len(deep) == 1 and "not checked" in deep[0].message
    for unsafe in (False, True):
        result = fix_text(text, {"select": ["ALL"]}, unsafe=unsafe)
        assert result.converged and not result.refused


def test_1000_levels_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "deep.md"
    f.write_text(_deep_quote(1000), encoding="utf-8")
    assert run(f) == 0  # BL015 is not selected here; the test rule still fixes both lines
    assert f.read_text(encoding="utf-8") == _deep_quote(1000).replace("foo", "bar")
    assert main(["--no-cache", "--select", "BL015", str(f)]) == 1
    assert "BL015" in capsys.readouterr().out


def test_nesting_just_under_the_limit_is_checked() -> None:
    text = "> " * 99 + "[x](https://example.org/?utm_source=a)\n"
    codes = {d.code for d in lint_text(text, {"select": ["ALL"]})}
    assert "BL015" not in codes
