"""briefing-lint: lint and fix curated Markdown newsletters.

>>> from briefing_lint import lint_text, fix_text
>>> [d.code for d in lint_text("[ 标题 ](https://example.org)\\n")]
['BL010']
>>> fix_text("[ 标题 ](https://example.org)\\n").text
'[标题](https://example.org)\\n'

``__all__`` below is the whole public API (docs/api.md); every module of the package is
internal and may change without notice. Names are imported on first use so that
``briefing-lint --version`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .__about__ import __version__

if TYPE_CHECKING:
    from .api import RuleInfo, fix_text, lint_paths, lint_text, list_rules, load_config
    from .config import Config, ConfigError
    from .diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span
    from .engine import FileResult, RunResult
    from .fixer import FixResult
    from .formatter import FormatResult, format_text

_EXPORTS = {
    "RuleInfo": "api",
    "fix_text": "api",
    "lint_paths": "api",
    "lint_text": "api",
    "list_rules": "api",
    "load_config": "api",
    "Config": "config",
    "ConfigError": "config",
    "Applicability": "diagnostics",
    "Diagnostic": "diagnostics",
    "Edit": "diagnostics",
    "Fix": "diagnostics",
    "Severity": "diagnostics",
    "Span": "diagnostics",
    "FileResult": "engine",
    "RunResult": "engine",
    "FixResult": "fixer",
    "FormatResult": "formatter",
    "format_text": "formatter",
}

__all__ = [
    "Applicability",
    "Config",
    "ConfigError",
    "Diagnostic",
    "Edit",
    "FileResult",
    "Fix",
    "FixResult",
    "FormatResult",
    "RuleInfo",
    "RunResult",
    "Severity",
    "Span",
    "__version__",
    "fix_text",
    "format_text",
    "lint_paths",
    "lint_text",
    "list_rules",
    "load_config",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'briefing_lint' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
