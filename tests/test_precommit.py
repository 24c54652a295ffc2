"""The real pre-commit hooks, through ``pre-commit try-repo`` on a copy of this repository.

The working tree (tracked files plus untracked, not ignored ones) is copied into a
temporary git repository and committed there, so the test runs the same from a clean clone
in CI as from a checkout with work in progress. pre-commit builds its own virtualenv and
pip-installs the package from that copy (this needs the package index for the build backend
and the dependencies). Each ``try-repo`` run builds that environment again, so the test
makes two runs only:

1. on a defective file, a clean file and a file the config excludes: ``briefing-lint``
   fails and prints the defective file's diagnostics, ``briefing-lint-fix`` rewrites it and
   fails; the clean and the excluded file are untouched and never mentioned;
2. on the same files again: both hooks pass and nothing changes (the fixed file is clean
   now, the clean file passes both hooks, the excluded file stays excluded).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ("briefing-lint", "briefing-lint-fix")

_HAVE_GIT = shutil.which("git") is not None
_PRE_COMMIT: list[str] | None = (
    [sys.executable, "-m", "pre_commit"]
    if importlib.util.find_spec("pre_commit") is not None
    else (["pre-commit"] if shutil.which("pre-commit") else None)
)

pytestmark = [
    pytest.mark.skipif(not _HAVE_GIT, reason="git is not installed"),
    pytest.mark.skipif(_PRE_COMMIT is None, reason="pre-commit is not installed"),
]

DEFECTIVE = "# 周刊\n\n[ 标题 ](https://example.com/a?utm_source=newsletter&id=1)\n"
FIXED = "# 周刊\n\n[标题](https://example.com/a?id=1)\n"
CLEAN = "# 周刊\n\n[标题](https://example.com/b)\n"


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="briefing-lint tests",
        GIT_AUTHOR_EMAIL="tests@example.org",
        GIT_COMMITTER_NAME="briefing-lint tests",
        GIT_COMMITTER_EMAIL="tests@example.org",
        GIT_AUTHOR_DATE="2024-01-01T00:00:00Z",
        GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
    )
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _working_tree(env: dict[str, str]) -> list[str]:
    """Tracked and untracked (not ignored) files of the checkout that still exist."""
    try:
        out = _git(ROOT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except subprocess.CalledProcessError:
        out = ""
    names = [n for n in out.split("\0") if n and (ROOT / n).is_file()]
    if names:
        return names
    # Not a git checkout (an unpacked sdist): what the build needs.
    keep = ("src", "rules", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE")
    return [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*")
        if p.is_file() and p.relative_to(ROOT).parts[0] in keep and "__pycache__" not in p.parts
    ]


def _hook_repo(dest: Path, env: dict[str, str]) -> Path:
    for name in _working_tree(env):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    # Only the hooks under test (others, added later, have their own tests).
    manifest = yaml.safe_load((dest / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ours = [hook for hook in manifest if hook["id"] in HOOKS]
    assert [h["id"] for h in ours] == list(HOOKS), "hooks missing from .pre-commit-hooks.yaml"
    for hook in ours:
        assert "--force-exclude" in hook["entry"], f"{hook['id']} must pass --force-exclude"
    (dest / ".pre-commit-hooks.yaml").write_text(yaml.safe_dump(ours), encoding="utf-8")
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "-m", "briefing-lint under test")
    return dest


def _project(dest: Path, env: dict[str, str]) -> Path:
    dest.mkdir()
    (dest / ".briefing-lint.yaml").write_text("exclude: [vendor/]\n", encoding="utf-8")
    (dest / "bad.md").write_text(DEFECTIVE, encoding="utf-8")
    (dest / "good.md").write_text(CLEAN, encoding="utf-8")
    (dest / "vendor").mkdir()
    (dest / "vendor" / "third.md").write_text(DEFECTIVE, encoding="utf-8")
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")  # pre-commit sees a hook's changes as a diff to the index
    return dest


def _try_repo(repo: Path, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert _PRE_COMMIT is not None
    files = ["bad.md", "good.md", "vendor/third.md"]
    return subprocess.run(
        [*_PRE_COMMIT, "try-repo", str(repo), "--verbose", "--files", *files],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _status(output: str, name: str) -> str:
    m = re.search(rf"^{re.escape(name)}\.+(Passed|Failed)$", output, re.MULTILINE)
    assert m, f"no result line for {name!r} in:\n{output}"
    return m.group(1)


def test_pre_commit_hooks(tmp_path: Path) -> None:
    env = _env(tmp_path / "pre-commit-home")
    repo = _hook_repo(tmp_path / "briefing-lint", env)
    project = _project(tmp_path / "project", env)

    first = _try_repo(repo, project, env)
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert _status(out, "briefing-lint") == "Failed"
    lint_part = out.split("briefing-lint (fix)")[0]
    assert re.search(r"^bad\.md:3:1: BL010 ", lint_part, re.MULTILINE), out
    assert re.search(r"^bad\.md:3:\d+: BL001 ", lint_part, re.MULTILINE), out
    assert _status(out, "briefing-lint (fix)") == "Failed"
    assert "files were modified by this hook" in out
    assert "third.md" not in out and "good.md:" not in out
    assert (project / "bad.md").read_text(encoding="utf-8") == FIXED
    assert (project / "good.md").read_text(encoding="utf-8") == CLEAN
    assert (project / "vendor" / "third.md").read_text(encoding="utf-8") == DEFECTIVE

    second = _try_repo(repo, project, env)
    out = second.stdout + second.stderr
    assert second.returncode == 0, out
    assert _status(out, "briefing-lint") == "Passed"
    assert _status(out, "briefing-lint (fix)") == "Passed"
    assert "files were modified" not in out
    assert (project / "bad.md").read_text(encoding="utf-8") == FIXED
    assert (project / "vendor" / "third.md").read_text(encoding="utf-8") == DEFECTIVE
