"""The package stays in rooms one can hold in one's head.

Every module under ``src/briefing_lint`` is at most 500 lines, every function (methods and
nested functions included) at most 80 lines, and no function's cyclomatic complexity, as
radon counts it, is over 20.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

from radon.visitors import Class, ComplexityVisitor, Function

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "briefing_lint"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
MAX_COMPLEXITY = 20

#: Known excesses accepted for a while, as ``"module.py"`` (too many lines) or
#: ``"module.py::Qualified.name"`` (a function too long or too complex). Empty: every module
#: is within the limits. An entry that no longer exceeds anything fails the test, so the
#: list cannot go stale.
PENDING: set[str] = set()


def _functions(blocks: list[Function | Class], prefix: str = "") -> Iterator[tuple[str, int]]:
    """``(qualified name, complexity)`` of every function radon found: module functions,
    methods and nested functions (radon counts each of them on its own)."""
    for block in blocks:
        name = prefix + block.name
        if isinstance(block, Class):
            yield from _functions([*block.methods, *block.inner_classes], name + ".")
        else:
            yield name, block.complexity
            yield from _functions(list(block.closures), name + ".")


def _lengths(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """``(qualified name, lines)`` of every function, decorators left out."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                assert child.end_lineno is not None
                yield name, child.end_lineno - child.lineno + 1
                yield from walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, prefix + child.name + ".")
            else:
                yield from walk(child, prefix)

    return walk(tree, "")


def shape_problems(root: Path) -> dict[str, str]:
    """Every excess under ``root``, keyed as :data:`PENDING` keys them."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        code = path.read_text(encoding="utf-8")
        lines = len(code.splitlines())
        if lines > MAX_MODULE_LINES:
            found[rel] = f"{lines} lines (at most {MAX_MODULE_LINES})"
        for name, length in _lengths(ast.parse(code)):
            if length > MAX_FUNCTION_LINES:
                found[f"{rel}::{name}"] = f"{length} lines (at most {MAX_FUNCTION_LINES})"
        visitor = ComplexityVisitor.from_code(code)
        for name, complexity in _functions([*visitor.functions, *visitor.classes]):
            if complexity > MAX_COMPLEXITY:
                key = f"{rel}::{name}"
                size = found.get(key, "")
                found[key] = f"complexity {complexity} (at most {MAX_COMPLEXITY})" + (
                    f", {size}" if size else ""
                )
    return found


def test_no_module_function_or_complexity_over_the_limits() -> None:
    problems = {k: v for k, v in shape_problems(PACKAGE).items() if k not in PENDING}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))


def test_pending_entries_still_exceed_something() -> None:
    stale = PENDING - set(shape_problems(PACKAGE))
    assert not stale, f"remove from PENDING (now within the limits): {sorted(stale)}"


def _write(root: Path, name: str, code: str) -> None:
    (root / name).write_text(textwrap.dedent(code), encoding="utf-8")


def test_the_check_sees_each_kind_of_excess(tmp_path: Path) -> None:
    long_body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    _write(tmp_path, "long_function.py", f"def long():\n{long_body}")
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(MAX_COMPLEXITY))
    method = "class C:\n    def pick(self, x):\n" + textwrap.indent(branches, "    ")
    _write(tmp_path, "complex.py", method)
    nested = "def outer():\n    def inner():\n" + textwrap.indent(long_body, "    ")
    _write(tmp_path, "nested.py", nested)
    _write(tmp_path, "big.py", "x = 1\n" * (MAX_MODULE_LINES + 1))
    below = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 1))
    _write(tmp_path, "fine.py", f"def short():\n{below}" + "y = 1\n" * 10)
    found = shape_problems(tmp_path)
    assert set(found) == {
        "long_function.py::long",
        "complex.py::C.pick",
        "nested.py::outer",
        "nested.py::outer.inner",
        "big.py",
    }
    assert found["long_function.py::long"] == f"{MAX_FUNCTION_LINES + 1} lines (at most 80)"
    assert found["complex.py::C.pick"].startswith(f"complexity {MAX_COMPLEXITY + 1} ")
