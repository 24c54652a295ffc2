"""Findings and edits (code-point offsets) as protocol values (positions in the agreed units)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from lsprotocol import types
from pygls.uris import to_fs_path

from ..diagnostics import Severity
from .adapter import Finding, TextEdit, rule_doc_uri
from .positions import UTF8, UTF16, UTF32, LineIndex

SOURCE = "briefing-lint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

_ENCODINGS = {
    types.PositionEncodingKind.Utf8: UTF8,
    types.PositionEncodingKind.Utf16: UTF16,
    types.PositionEncodingKind.Utf32: UTF32,
}


def encoding_name(kind: types.PositionEncodingKind | str | None) -> str:
    """The position encoding agreed at initialisation (UTF-16 unless the client offered another)."""
    if kind is None:
        return UTF16
    return _ENCODINGS.get(types.PositionEncodingKind(kind), UTF16)


def to_range(index: LineIndex, start: int, end: int) -> types.Range:
    sl, sc = index.position(start)
    el, ec = index.position(end)
    return types.Range(types.Position(sl, sc), types.Position(el, ec))


def to_offsets(index: LineIndex, rng: types.Range) -> tuple[int, int]:
    start = index.offset(rng.start.line, rng.start.character)
    end = index.offset(rng.end.line, rng.end.character)
    return start, max(start, end)


def to_offset(index: LineIndex, pos: types.Position) -> int:
    return index.offset(pos.line, pos.character)


def diagnostic(index: LineIndex, finding: Finding) -> types.Diagnostic:
    href = rule_doc_uri(finding.code)
    return types.Diagnostic(
        range=to_range(index, finding.start, finding.end),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=None if href is None else types.CodeDescription(href=href),
        source=SOURCE,
        data={"name": finding.name, "fix": finding.fix_safety},
    )


def text_edits(index: LineIndex, edits: Iterable[TextEdit]) -> list[types.TextEdit]:
    return [types.TextEdit(to_range(index, e.start, e.end), e.text) for e in edits]


def workspace_edit(
    uri: str, version: int | None, edits: list[types.TextEdit], versioned: bool
) -> types.WorkspaceEdit:
    """Versioned document changes when the client takes them (a stale edit is then
    refused by the editor), else a plain ``changes`` map."""
    if versioned:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=document, edits=list(edits))]
        )
    return types.WorkspaceEdit(changes={uri: list(edits)})


def document_path(uri: str) -> Path | None:
    """The file behind ``uri`` (None for an unsaved buffer: the config is then the one
    for the working folder, as for text piped to the CLI)."""
    if urlsplit(uri).scheme != "file":
        return None
    path = to_fs_path(uri)
    return None if path is None else Path(path)
