"""The content cache: unchanged files come back from it, edited ones are linted again."""

from __future__ import annotations

from pathlib import Path

from briefing_lint.config import ConfigResolver
from briefing_lint.crossfile import cross_file_diagnostics
from briefing_lint.files import discover
from briefing_lint.runner import run_files

ITEM = "# 1. [标题{n}](https://example.org/{n}?utm_source=x)\n\n# 2. [共同](https://example.org/news/shared)\n"


def _run(folder: Path, cache: Path, resolver: ConfigResolver | None = None) -> dict[str, object]:
    resolver = resolver or ConfigResolver()
    files = list(discover([folder], resolver))
    outcomes = run_files(files, resolver, jobs=1, use_cache=True, cache_dir=cache)
    cross_file_diagnostics(outcomes, resolver)
    return {
        o.path.name: (o.cached, [(d.code, d.span, d.message) for d in o.diagnostics])
        for o in outcomes
    }


def test_warm_run_reuses_entries_and_an_edit_relints_only_that_file(tmp_path: Path) -> None:
    folder, cache = tmp_path / "docs", tmp_path / "cache"
    folder.mkdir()
    for n in range(2):
        (folder / f"issue-{n}.md").write_text(ITEM.format(n=n), encoding="utf-8")
    (folder / "issue-2.md").write_text("# 1. [独有](https://example.org/own)\n", encoding="utf-8")
    cold = _run(folder, cache)
    assert all(not cached for cached, _ in cold.values())
    # BL006 across files (from per-file facts, cached too): the shared link in both files.
    for name in ("issue-0.md", "issue-1.md"):
        assert any(code == "BL006" for code, _, _ in cold[name][1])

    warm = _run(folder, cache)
    assert all(cached for cached, _ in warm.values())
    assert {k: v[1] for k, v in warm.items()} == {k: v[1] for k, v in cold.items()}

    (folder / "issue-1.md").write_text(
        ITEM.format(n=1) + "\n[ x ](https://example.org/x)\n", encoding="utf-8"
    )
    edited = _run(folder, cache)
    assert [name for name, (cached, _) in edited.items() if not cached] == ["issue-1.md"]
    assert any(code == "BL010" for code, _, _ in edited["issue-1.md"][1])


def test_config_change_is_a_miss(tmp_path: Path) -> None:
    folder, cache = tmp_path / "docs", tmp_path / "cache"
    folder.mkdir()
    (folder / "a.md").write_text("[ x ](https://example.org/x)\n", encoding="utf-8")
    _run(folder, cache)
    (folder / ".briefing-lint.yaml").write_text("ignore: [BL010]\n", encoding="utf-8")
    again = _run(folder, cache)
    assert again["a.md"][0] is False
    assert not any(code == "BL010" for code, _, _ in again["a.md"][1])


def test_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    folder, cache = tmp_path / "docs", tmp_path / "cache"
    folder.mkdir()
    (folder / "a.md").write_text("[ x ](https://example.org/x)\n", encoding="utf-8")
    first = _run(folder, cache)
    for entry in cache.rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_bytes(b"not a pickle")
    again = _run(folder, cache)
    assert again["a.md"][0] is False and again["a.md"][1] == first["a.md"][1]
    assert (cache / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")


def test_every_kind_of_per_file_fact_comes_back_from_the_cache(tmp_path: Path) -> None:
    # BL001's tag sites (run-wide name detection), BL006's item links, a file's suppressions
    # of cross-file findings (and BL014's held-back finding), BL004's file lookups: a file
    # holding all of them is cached, and comes back equal.
    folder, cache = tmp_path / "docs", tmp_path / "cache"
    (folder / "img").mkdir(parents=True)
    (folder / "img/a.png").write_bytes(b"")
    (folder / "a.md").write_text(
        "<!-- briefing-lint-disable-file BL006 -->\n<!-- briefing-lint-disable BL006 -->\n\n"
        "1、[甲](https://one.example/news/a?utm_source=digest7)\n\n"
        "2、[乙](https://two.example/news/b?utm_source=digest7)\n\n"
        "![图](img/a.png) ![缺](img/gone.png)\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text(
        "1、[甲 again](https://one.example/news/a)\n\n"
        "2、[丙](https://three.example/news/c?utm_source=digest7)\n",
        encoding="utf-8",
    )
    resolver = ConfigResolver()
    files = list(discover([folder], resolver))
    cold = run_files(files, resolver, jobs=1, use_cache=True, cache_dir=cache)
    warm = run_files(files, resolver, jobs=1, use_cache=True, cache_dir=cache)
    assert [o.cached for o in warm] == [True, True]
    a_cold, a_warm = (next(o for o in run if o.path.name == "a.md") for run in (cold, warm))
    assert set(a_cold.facts) == {"BL001", "BL006", "suppressions"}
    assert a_warm.facts == a_cold.facts
    assert a_warm.diagnostics == a_cold.diagnostics
    assert a_warm.file_checks == a_cold.file_checks and a_cold.file_checks
    for run in (cold, warm):
        cross_file_diagnostics(run, resolver)
    found = [[(d.code, d.span, d.message) for d in o.diagnostics] for o in cold]
    assert found == [[(d.code, d.span, d.message) for d in o.diagnostics] for o in warm]
