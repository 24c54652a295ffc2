"""Writing fixed files safely: lost updates, permissions, hard links, special files, size.

Each section answers one way a run could damage or hang on what is on disk: an edit saved
while the run was busy, a file the user made read-only or that belongs to someone else, a
FIFO or device where a Markdown file was expected, a file too large to parse.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing_lint import files, formatter
from briefing_lint.cli import main
from briefing_lint.config import Config, ConfigError, parse_size
from briefing_lint.engine import onefile
from briefing_lint.files import (
    FileOutcome,
    InputError,
    WriteConflict,
    read_bytes,
    read_source,
    write_atomic,
    write_if_unchanged,
)

from .ruletools import make_rule, registered

FOO = make_rule("T1", r"foo", "bar")
ROOT = Path(__file__).resolve().parents[1]
#: Fixed by BL001 (tracking parameter) with the real rules, for runs in a subprocess.
TRACKED = "[a](https://example.org/?utm_source=x)\n"
CLEAN = "[a](https://example.org/)\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args: str | Path) -> int:
    with registered(FOO):
        return main(["--fix", "--no-cache", "--jobs", "1", *(str(a) for a in args)])


def cli(
    *args: str | Path, cwd: Path, memory: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: a hang is a timeout, not a stuck test run."""

    def limit() -> None:
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "briefing_lint", *(str(a) for a in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )


def hook_after_fix(monkeypatch: pytest.MonkeyPatch, action: Callable[[Path], None]) -> list[Path]:
    """Run ``action`` on each file once it is read and fixed, before it could be written."""
    real = onefile.process_text
    seen: list[Path] = []

    def spy(path: Path, text: str, config: Config, **kwargs: Any) -> FileOutcome:
        outcome = real(path, text, config, **kwargs)
        seen.append(path)
        action(path)
        return outcome

    monkeypatch.setattr(onefile, "process_text", spy)
    return seen


# -- 4. lost updates ------------------------------------------------------------------------


def test_an_edit_saved_between_fix_and_write_is_kept_and_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    hook_after_fix(monkeypatch, lambda p: p.write_text("foo, edited meanwhile\n", "utf-8"))
    assert run(f) == 1  # the file still needs its fixes
    assert f.read_text(encoding="utf-8") == "foo, edited meanwhile\n"
    err = capsys.readouterr().err
    assert f"warning: {f}: changed since it was read; fixes not written" in err
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_file_deleted_between_fix_and_write_is_not_recreated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    hook_after_fix(monkeypatch, lambda p: p.unlink())
    assert run(f) == 1
    assert not f.exists() and list(tmp_path.iterdir()) == []
    assert f"warning: {f}: deleted since it was read; not recreated" in capsys.readouterr().err


def test_each_file_is_written_right_after_it_is_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    for f in (a, b):
        f.write_text("foo\n", encoding="utf-8")
    on_disk: dict[str, str] = {}
    hook_after_fix(monkeypatch, lambda p: on_disk.update({p.name: a.read_text("utf-8")}))
    assert run(a, b) == 0
    # When b had been fixed, a was already on disk fixed: not held back until the end.
    assert on_disk == {"a.md": "foo\n", "b.md": "bar\n"}
    assert b.read_text(encoding="utf-8") == "bar\n"


def test_same_size_edit_with_the_old_mtime_is_still_seen(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    text, snapshot = read_source(f)
    f.write_text("fox\n", encoding="utf-8")  # same size, and the mtime put back
    os.utime(f, ns=(snapshot.mtime_ns, snapshot.mtime_ns))
    with pytest.raises(WriteConflict, match="changed since it was read"):
        write_if_unchanged(f, "bar\n", text, snapshot)
    assert f.read_text(encoding="utf-8") == "fox\n"


def test_format_keeps_an_edit_saved_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    f.write_text("* a\n", encoding="utf-8")
    real = formatter.format_text

    def edit_then_format(text: str, *args: Any) -> formatter.FormatResult:
        f.write_text("* a, edited\n", encoding="utf-8")
        return real(text, *args)

    monkeypatch.setattr(formatter, "format_text", edit_then_format)
    assert main(["format", "--jobs", "1", str(f)]) == 1
    assert f.read_text(encoding="utf-8") == "* a, edited\n"
    err = capsys.readouterr().err
    assert f"warning: {f}: changed since it was read" in err
    assert "1 changed meanwhile and left alone" in err


# -- 5. permissions, owner, hard links, xattrs -----------------------------------------------


@pytest.mark.parametrize("command", [["check", "--fix"], ["format"]])
def test_read_only_file_is_refused_named_and_untouched(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "a.md"
    raw = b"* foo\n"
    f.write_bytes(raw)
    f.chmod(0o444)
    before = f.stat()
    with registered(FOO):
        assert main([*command, "--no-cache" if command[0] == "check" else "-q", str(f)]) == 2
    assert f"error: {f}: read-only (mode 0444); not rewritten" in capsys.readouterr().err
    after = f.stat()
    assert f.read_bytes() == raw and after.st_ino == before.st_ino
    assert stat.S_IMODE(after.st_mode) == 0o444


@pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")
def test_owner_group_and_mode_are_kept(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    os.chown(f, 4242, 4343)
    f.chmod(0o2640)  # setgid too: chown must come before chmod or it is lost
    assert run(f) == 0
    st = f.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4242, 4343, 0o2640)
    assert f.read_text(encoding="utf-8") == "bar\n"


def test_a_file_whose_owner_cannot_be_given_back_is_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    f.chmod(0o666)
    owner = f.stat().st_uid
    monkeypatch.setattr(files, "_euid", lambda: owner + 1)  # someone else, not root
    inode = f.stat().st_ino
    assert run(f) == 0
    assert f.stat().st_ino == inode and f.stat().st_uid == owner
    assert f.read_text(encoding="utf-8") == "bar\n"


def test_hard_linked_file_stays_linked(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\r\nfoo", encoding="utf-8")
    other = tmp_path / "other-name.txt"
    os.link(f, other)
    inode = f.stat().st_ino
    assert run(f) == 0
    assert f.stat().st_ino == other.stat().st_ino == inode and f.stat().st_nlink == 2
    assert other.read_bytes() == f.read_bytes() == b"bar\r\nbar"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "other-name.txt"]


def test_hard_linked_file_shorter_after_the_fix_is_truncated(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo foo foo\n", encoding="utf-8")
    os.link(f, tmp_path / "b.md")
    write_atomic(f, "x\n")
    assert (tmp_path / "b.md").read_bytes() == b"x\n"


def test_failed_in_place_write_keeps_the_fixed_text_in_a_named_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    os.link(f, tmp_path / "b.md")

    def full(fd: int, length: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "ftruncate", full)
    with pytest.raises(OSError, match="the fixed text is kept in ") as info:
        write_atomic(f, "bar\n")
    kept = Path(str(info.value).rsplit("kept in ", 1)[1])
    assert kept.parent == tmp_path and kept.read_text(encoding="utf-8") == "bar\n"


def test_failed_in_place_write_before_touching_the_file_leaves_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    os.link(f, tmp_path / "b.md")
    real_open = os.open

    def refuse(path: Any, flags: int, *args: Any) -> int:
        if flags & os.O_WRONLY and Path(path) == f:
            raise OSError(13, "Permission denied")
        return int(real_open(path, flags, *args))

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(OSError, match="Permission denied"):
        write_atomic(f, "bar\n")
    assert f.read_text(encoding="utf-8") == "foo\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md"]


def _user_xattrs(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.briefing-lint-probe", b"1")
    except (AttributeError, OSError):
        return False
    finally:
        probe.unlink()
    return True


def test_extended_attributes_are_kept(tmp_path: Path) -> None:
    if not _user_xattrs(tmp_path):
        pytest.skip("this file system (or platform) has no user extended attributes")
    f = tmp_path / "a.md"
    f.write_text("foo\n", encoding="utf-8")
    os.setxattr(f, "user.origin", "周报 #12".encode())
    assert run(f) == 0
    assert f.read_text(encoding="utf-8") == "bar\n"
    assert os.getxattr(f, "user.origin") == "周报 #12".encode()


# -- 7. special files and size -----------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    path = tmp_path / "docs" / "x.md"
    path.parent.mkdir()
    os.mkfifo(path)
    return path


def _cache(command: list[str], tmp_path: Path) -> list[str]:
    """Lint runs use the cache, whose read must not hang either."""
    return ["--cache-dir", str(tmp_path / "cache")] if command[0] == "check" else []


@pytest.mark.parametrize("command", [["check"], ["check", "--fix"], ["format"]])
def test_fifo_given_directly_is_refused_without_hanging(
    fifo: Path, tmp_path: Path, command: list[str]
) -> None:
    done = cli(*command, *_cache(command, tmp_path), fifo, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"{fifo}: not a regular file (a FIFO); skipped, not opened" in done.stderr


@pytest.mark.parametrize("command", [["check"], ["check", "--fix"], ["format"]])
def test_fifo_found_by_the_walk_is_skipped_without_hanging(
    fifo: Path, tmp_path: Path, command: list[str]
) -> None:
    good = fifo.parent / "good.md"
    good.write_text(TRACKED if "check" in command else "* a\n", encoding="utf-8")
    done = cli(*command, *_cache(command, tmp_path), fifo.parent, cwd=tmp_path)
    assert f"warning: {fifo}: not a regular file (a FIFO); skipped" in done.stderr
    if command == ["check"]:
        assert done.returncode == 1 and "BL001" in done.stdout
    else:
        assert done.returncode == 0, done.stderr
        assert good.read_text(encoding="utf-8") in (CLEAN, "- a\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("walk", [False, True])
def test_symlink_to_dev_zero_is_not_read(tmp_path: Path, walk: bool) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    link = docs / "x.md"
    link.symlink_to("/dev/zero")
    # 1 GiB of address space: reading /dev/zero to the end would fail long before.
    done = cli("check", "--fix", docs if walk else link, cwd=tmp_path, memory=1 << 30)
    message = f"{link}: not a regular file (a character device); skipped"
    assert message in done.stderr
    assert done.returncode == (0 if walk else 2), done.stderr


def test_file_over_max_file_size_is_reported_not_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.md"
    big.write_text("foo\n" * 512, encoding="utf-8")  # 2048 bytes
    small = tmp_path / "small.md"
    small.write_text("foo\n", encoding="utf-8")
    assert run("--max-file-size", "1KB", big, small) == 2
    err = capsys.readouterr().err
    assert f"error: {big}: too large (2048 bytes; max-file-size is 1024 bytes); not checked" in err
    assert big.read_text(encoding="utf-8") == "foo\n" * 512
    assert small.read_text(encoding="utf-8") == "bar\n"  # the others are still fixed


def test_max_file_size_from_the_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text("max-file-size: 2KB\n", encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text("foo\n" * 1024, encoding="utf-8")
    assert run(big) == 2
    assert "max-file-size is 2048 bytes" in capsys.readouterr().err
    assert run("--max-file-size", "1MB", big) == 0  # the command line wins
    assert big.read_text(encoding="utf-8") == "bar\n" * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_a_file_whose_size_lies_is_read_no_further_than_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proc = Path("/proc/self/status")  # a regular file of stated size 0 and ~1 KB of text
    assert proc.stat().st_size == 0
    asked: list[int] = []
    real_read = os.read

    def counting(fd: int, n: int) -> bytes:
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", counting)
    with pytest.raises(InputError, match=r"too large \(more than 100 bytes"):
        read_bytes(proc, 100)
    assert sum(asked) <= 101


def test_stdin_is_bounded_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("foo\n" * 100))
    assert main(["check", "--max-file-size", "100", "-"]) == 2
    assert "standard input: too large" in capsys.readouterr().err


def test_folder_symlink_loop_does_not_trap_the_walk(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "sub" / "a.md").write_text(TRACKED, encoding="utf-8")
    (docs / "sub" / "loop").symlink_to(docs, target_is_directory=True)
    done = cli("check", "--fix", "--no-cache", docs, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (docs / "sub" / "a.md").read_text(encoding="utf-8") == CLEAN


# -- the max-file-size setting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (1000, 1000),
        ("1000", 1000),
        ("20MB", 20 * 1024 * 1024),
        ("512 KiB", 512 * 1024),
        ("1.5mb", 3 * 512 * 1024),
        ("1G", 1024**3),
    ],
)
def test_sizes(value: object, size: int) -> None:
    assert parse_size(value) == size
    assert Config.from_dict({"max-file-size": value}).max_file_size == size


@pytest.mark.parametrize("value", ["20XB", "", "MB", 0, -5, True, [20]])
def test_bad_sizes_name_the_key(value: object) -> None:
    with pytest.raises(ConfigError, match=r"cfg\.yaml: max-file-size: (expected|unknown unit)"):
        Config.from_dict({"max-file-size": value}, "cfg.yaml")


def test_default_max_file_size_is_20_mb() -> None:
    assert Config().max_file_size == 20 * 1024 * 1024


def test_bad_command_line_size_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--max-file-size", "lots", "x.md"]) == 2
    assert "--max-file-size: expected a size" in capsys.readouterr().err


def test_a_fifo_or_an_endless_file_named_as_the_config_is_an_error(tmp_path: Path) -> None:
    # Was a hang (FIFO) or unbounded memory (/dev/zero): the config is read as files are.
    fifo = tmp_path / "cfg.yaml"
    os.mkfifo(fifo)
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    for config in (fifo, Path("/dev/zero")):
        run = subprocess.run(
            [sys.executable, "-m", "briefing_lint", "--no-cache", "--config", str(config),
             str(tmp_path / "a.md")],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 2, run.stderr
        assert str(config) in run.stderr and "Traceback" not in run.stderr
