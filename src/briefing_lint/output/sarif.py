"""SARIF 2.1.0: the format code-review tools and GitHub code scanning read.

Columns are code points (``columnKind: unicodeCodePoints``), like every other output.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from ..__about__ import __version__
from . import Located

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rules(codes: set[str]) -> list[dict[str, Any]]:
    """Descriptors of the rules that have results (in registry order)."""
    from ..registry import RULES

    out = []
    for rule in RULES:
        if rule.code not in codes:
            continue
        meta = rule.meta()
        out.append(
            {
                "id": meta.code,
                "name": meta.name,
                "shortDescription": {"text": meta.summary},
                "fullDescription": {"text": meta.docs.get("what", meta.summary).strip()},
                "help": {"text": meta.docs.get("why", meta.summary).strip()},
                "defaultConfiguration": {"level": _LEVEL[meta.severity.value]},
            }
        )
    return out


def artifact_uri(path: str) -> str:
    """A path as a URI reference: relative paths percent-encoded, absolute ones ``file:``."""
    for flavour in (PurePosixPath, PureWindowsPath):
        absolute = flavour(path)
        if absolute.is_absolute():
            return absolute.as_uri()
    return quote(path.replace("\\", "/"), safe="/", errors="surrogateescape")


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def sarif_document(items: Sequence[Located], input_errors: Sequence[str] = ()) -> dict[str, Any]:
    """The run's results; paths that could not be read are ``toolExecutionNotifications``
    of an invocation that did not succeed."""
    rules = _rules({item.diagnostic.code for item in items})
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for item in items:
        d = item.diagnostic
        uri = artifact_uri(item.path)
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index.get(d.code, 0),
            "level": _LEVEL[d.severity.value],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": _region(item.line, item.column, item.end_line, item.end_column),
                    }
                }
            ],
        }
        if d.fix is not None:
            result["fixes"] = [
                {
                    "description": {"text": d.fix.title or d.fix.applicability.value},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": uri},
                            "replacements": [
                                {
                                    "deletedRegion": _region(a, b, c, e),
                                    "insertedContent": {"text": content},
                                }
                                for a, b, c, e, content in item.fix_edits
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "briefing-lint",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/briefing-lint/",
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not input_errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": message}}
                            for message in input_errors
                        ],
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
