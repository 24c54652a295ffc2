"""The result cache is untrusted input: whoever can write its folder (a shared ``--cache-dir``,
a restored CI cache, a committed ``.briefing-lint-cache``) must not run code, break a run,
make the tool write elsewhere, or change a file's findings."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing_lint.cache import Cache
from briefing_lint.cli import main

FINDING = "[ x ](https://example.org/x)\n"  # BL010: a warning, so `check` exits 1


def _check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--output-format", "json", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(FINDING, encoding="utf-8")
    (docs / "b.md").write_text("# 1. [标题](https://example.org/b)\n", encoding="utf-8")
    return docs


def _entries(cache: Path) -> list[Path]:
    return [
        p for p in cache.rglob("*") if p.is_file() and not p.is_symlink() and p.name != ".gitignore"
    ]


def _plant(cache: Path, payload: bytes) -> None:
    entries = _entries(cache)
    assert entries
    for entry in entries:
        entry.write_bytes(payload)


def _pickle_call(module: str, name: str, *args: str) -> bytes:
    """A protocol-4 pickle calling ``module.name(*args)`` (a dotted ``name`` reaches into
    the module's own imports); written by hand so nothing here imports pickle."""

    def text(s: str) -> bytes:
        raw = s.encode()
        return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE

    tuple_op = {1: b"\x85", 2: b"\x86", 3: b"\x87"}[len(args)]
    return (
        b"\x80\x04"  # PROTO 4
        + text(module)
        + text(name)
        + b"\x93"  # STACK_GLOBAL
        + b"".join(text(a) for a in args)
        + tuple_op
        + b"R."  # REDUCE, STOP
    )


# -- 1. reading the cache runs no code ------------------------------------------------


@pytest.mark.parametrize(
    "planted",
    [
        lambda marker: _pickle_call("briefing_lint.cache", "os.mkdir", str(marker)),
        lambda marker: _pickle_call("briefing_lint.files", "write_atomic", str(marker), "x"),
    ],
    ids=["module-import-dotted", "package-function"],
)
def test_a_planted_entry_runs_no_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], planted: Callable[[Path], bytes]
) -> None:
    docs, cache, marker = _docs(tmp_path), tmp_path / "cache", tmp_path / "pwned"
    cold = _check(capsys, "--no-cache", str(docs))
    _check(capsys, "--cache-dir", str(cache), str(docs))
    _plant(cache, planted(marker))
    warm = _check(capsys, "--cache-dir", str(cache), str(docs))
    assert not marker.exists()
    assert warm[:2] == cold[:2]


# -- 2. a damaged entry or an unusable folder never breaks a run ------------------------


@pytest.mark.parametrize(
    "payload",
    [
        _pickle_call("briefing_lint.no_such_module", "x", "y"),
        b"\x80\x04\x95" + (1 << 62).to_bytes(8, "little") + b".",  # a huge FRAME length
        b"",
        b"{",
        b"\xff\xfe not text",
        b"[1, 2, 3]",
        b'{"schema": 1}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "unknown-module",
        "huge-frame",
        "empty",
        "bad-json",
        "not-utf8",
        "wrong-shape",
        "missing-fields",
        "deep-nesting",
    ],
)
def test_a_damaged_entry_is_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: bytes
) -> None:
    docs, cache = _docs(tmp_path), tmp_path / "cache"
    cold = _check(capsys, "--no-cache", str(docs))
    _check(capsys, "--cache-dir", str(cache), str(docs))
    _plant(cache, payload)
    for _ in range(2):  # the damaged entry is replaced by a good one, then read back
        code, out, err = _check(capsys, "--cache-dir", str(cache), str(docs))
        assert (code, out) == cold[:2]
        assert err == ""


# The entry layout (see cache.py): diagnostics as columns, in this order.
CODE, NAME, START, END, MESSAGE, SEVERITY, KIND, DATA, FIX = range(9)


def _mutations() -> Iterator[tuple[str, Callable[[Any], Any]]]:
    def first(column: int, value: object) -> Callable[[Any], Any]:
        def mutate(entry: Any) -> Any:
            entry["diagnostics"][column][0] = value
            return entry

        return mutate

    def top(key: str, value: object) -> Callable[[Any], Any]:
        def mutate(entry: Any) -> Any:
            entry[key] = value
            return entry

        return mutate

    def reverse(entry: Any) -> Any:
        columns = entry["diagnostics"]
        columns[START][0], columns[END][0] = columns[END][0], columns[START][0]
        return entry

    def extra_row(entry: Any) -> Any:
        entry["diagnostics"][MESSAGE].append("one more")
        return entry

    yield "start-as-string", first(START, "0")
    yield "start-negative", first(START, -5)
    yield "span-reversed", reverse
    yield "end-outside-text", first(END, 10**9)
    yield "end-as-bool", first(END, True)
    yield "unknown-severity", first(SEVERITY, "fatal")
    yield "unhashable-severity", first(SEVERITY, ["error"])
    yield "code-as-number", first(CODE, 10)
    yield "unknown-rule", first(CODE, "BL999")
    yield "message-as-list", first(MESSAGE, ["m"])
    yield "data-not-a-mapping", first(DATA, [1])
    yield "fix-without-edits", first(FIX, ["safe", "t", []])
    yield "fix-outside-text", first(FIX, ["safe", "t", [[0, 10**6, "x"]]])
    yield "fix-unknown-applicability", first(FIX, ["always", "t", [[0, 1, "x"]]])
    yield "columns-of-different-lengths", extra_row
    yield "extra-field", top("__class__", "os.system")
    yield "facts-not-a-mapping", top("facts", [])
    yield "facts-of-another-rule", top("facts", {"BL001": None})
    yield "item-link-line-0", top("facts", {"BL006": [["k"], [0], [0], [1], [0], [""]]})
    yield "item-link-outside-text", top("facts", {"BL006": [["k"], [1], [0], [10**6], [0], [""]]})
    yield "item-link-no-such-rubric", top("facts", {"BL006": [["k"], [1], [0], [1], [1], [""]]})
    yield "foreign-key", top("key", "0" * 64)
    yield "newer-schema", top("schema", 999)

    def truncate(entry: Any) -> Any:
        return json.dumps(entry)[:-7]

    yield "truncated", truncate


@pytest.mark.parametrize("mutate", [m for _, m in _mutations()], ids=[n for n, _ in _mutations()])
def test_an_entry_off_the_schema_is_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: Callable[[Any], Any]
) -> None:
    docs, cache = _docs(tmp_path), tmp_path / "cache"
    (docs / "b.md").unlink()
    cold = _check(capsys, "--no-cache", str(docs))
    _check(capsys, "--cache-dir", str(cache), str(docs))
    (entry,) = _entries(cache)
    changed = mutate(json.loads(entry.read_bytes()))
    entry.write_text(changed if isinstance(changed, str) else json.dumps(changed), "utf-8")
    assert _check(capsys, "--cache-dir", str(cache), str(docs)) == (*cold[:2], "")
    assert json.loads(entry.read_bytes())["diagnostics"]  # a good entry took its place


def test_an_oversized_entry_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs, cache = _docs(tmp_path), tmp_path / "cache"
    cold = _check(capsys, "--no-cache", str(docs))
    _check(capsys, "--cache-dir", str(cache), str(docs))
    for entry in _entries(cache):
        with entry.open("r+b") as fh:  # sparse: large on paper, nothing on disk
            fh.truncate(1 << 40)
    assert _check(capsys, "--cache-dir", str(cache), str(docs)) == (*cold[:2], "")


def test_a_fifo_entry_does_not_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs, cache = _docs(tmp_path), tmp_path / "cache"
    cold = _check(capsys, "--no-cache", str(docs))
    _check(capsys, "--cache-dir", str(cache), str(docs))
    for entry in _entries(cache):
        entry.unlink()
        os.mkfifo(entry)
    assert _check(capsys, "--cache-dir", str(cache), str(docs)) == (*cold[:2], "")


def _one_warning(err: str, about: Path) -> None:
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1, err
    assert lines[0].startswith("briefing-lint: warning: ") and str(about) in lines[0]
    assert "Traceback" not in err


@pytest.fixture
def unwritable(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make ``folder`` read-only. Root ignores permission bits, so there creating anything
    inside it fails the way a read-only folder would: ``EACCES`` from ``mkdir``/``open``."""

    def apply(folder: Path) -> None:
        folder.chmod(0o555)
        if os.geteuid() != 0:
            return
        real_open, real_mkdir = os.open, os.mkdir
        top = os.path.realpath(folder)

        def inside(path: Any, dir_fd: int | None) -> bool:
            where = os.fspath(path)
            if isinstance(where, bytes):
                where = os.fsdecode(where)
            if dir_fd is not None and not os.path.isabs(where):
                where = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), where)
            full = os.path.realpath(os.path.dirname(os.path.abspath(where)))
            return full == top or full.startswith(top + os.sep)

        def fake_open(
            path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
        ) -> int:
            if flags & os.O_CREAT and inside(path, dir_fd):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real_open(path, flags, mode, dir_fd=dir_fd)

        def fake_mkdir(path: Any, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
            if inside(path, dir_fd):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            real_mkdir(path, mode, dir_fd=dir_fd)

        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(os, "mkdir", fake_mkdir)

    return apply


def test_an_unwritable_cache_folder_means_no_cache_and_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], unwritable: Callable[[Path], None]
) -> None:
    docs, cache = _docs(tmp_path), tmp_path / "cache"
    cache.mkdir()
    cold = _check(capsys, "--no-cache", str(docs))
    try:
        unwritable(cache)
        code, out, err = _check(capsys, "--cache-dir", str(cache), str(docs))
    finally:
        cache.chmod(0o755)
    assert (code, out) == cold[:2]
    _one_warning(err, cache)
    assert list(cache.iterdir()) == []


def test_a_cache_dir_naming_a_file_means_no_cache_and_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, cache = _docs(tmp_path), tmp_path / "notes.txt"
    cache.write_text("keep me\n", encoding="utf-8")
    cold = _check(capsys, "--no-cache", str(docs))
    code, out, err = _check(capsys, "--cache-dir", str(cache), str(docs))
    assert (code, out) == cold[:2]
    _one_warning(err, cache)
    assert cache.read_text(encoding="utf-8") == "keep me\n"


def _version_folder(cache: Path) -> Path:
    return Cache.open(cache).folder


@pytest.mark.parametrize("where", ["gitignore", "version-folder", "cache-folder"])
def test_a_symlink_in_the_cache_is_never_followed_for_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    docs, cache, outside = _docs(tmp_path), tmp_path / "cache", tmp_path / "outside"
    outside.mkdir()
    cold = _check(capsys, "--no-cache", str(docs))
    if where == "cache-folder":
        cache.symlink_to(outside, target_is_directory=True)
    else:
        cache.mkdir()
        if where == "gitignore":
            (cache / ".gitignore").symlink_to(outside / "planted")
        else:
            _version_folder(cache).symlink_to(outside, target_is_directory=True)
    for _ in range(2):
        code, out, err = _check(capsys, "--cache-dir", str(cache), str(docs))
        assert (code, out) == cold[:2]
        if where != "gitignore":
            _one_warning(err, cache)
    assert list(outside.iterdir()) == []


def test_a_symlinked_entry_is_neither_read_nor_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, cache, outside = _docs(tmp_path), tmp_path / "cache", tmp_path / "elsewhere.json"
    cold = _check(capsys, "--no-cache", str(docs))
    _check(capsys, "--cache-dir", str(cache), str(docs))
    entries = _entries(cache)
    outside.write_bytes(entries[0].read_bytes())  # a well-formed entry, for another file
    for entry in entries:
        entry.unlink()
        entry.symlink_to(outside)
    before = outside.read_bytes()
    assert _check(capsys, "--cache-dir", str(cache), str(docs)) == (*cold[:2], "")
    assert all(entry.is_symlink() for entry in entries)
    assert outside.read_bytes() == before


# -- 3. the key covers everything that decides a file's findings ----------------------


@pytest.mark.parametrize(
    ("names", "config"),
    [
        (("keep/x.md", "skip/x.md"), "per-file-ignores:\n  'skip/*.md': [BL010]\n"),
        (("x.md", "x.mdx"), ""),
    ],
    ids=["per-file-ignores", "md-vs-mdx"],
)
def test_same_bytes_under_different_paths_keep_their_own_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], names: tuple[str, str], config: str
) -> None:
    docs, cache = tmp_path / "docs", tmp_path / "cache"
    # In .md the comment switches BL010 off; in .mdx it is not a directive.
    text = FINDING if config else "<!-- briefing-lint-disable BL010 -->\n" + FINDING
    for name in names:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    (docs / ".briefing-lint.yaml").write_text(config or "{}\n", encoding="utf-8")
    flagged = names[0] if config else names[1]
    cold = _check(capsys, "--no-cache", str(docs))
    assert [Path(d["path"]).relative_to(docs).as_posix() for d in json.loads(cold[1])] == [flagged]
    # Each file alone, through a cache the other one filled (in both orders).
    for first, second in (names, names[::-1]):
        for folder in cache.glob("*"):
            for entry in folder.glob("*"):
                entry.unlink()
        _check(capsys, "--cache-dir", str(cache), str(docs / first))
        alone = _check(capsys, "--no-cache", str(docs / second))
        assert _check(capsys, "--cache-dir", str(cache), str(docs / second)) == alone
        assert alone[0] == (1 if second == flagged else 0)
    assert _check(capsys, "--cache-dir", str(cache), str(docs)) == cold
