"""Client-side helpers for the language server tests: positions and edits computed
independently of the server's own conversion (by encoding each line)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")

CODECS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}


def lines(text: str) -> list[str]:
    """Lines with their endings (LF, CRLF or a lone CR, as the protocol counts them)."""
    out = [m.group(0) for m in _LINE.finditer(text)]
    if out and out[-1] == "":
        out.pop()
    return out or [""]


def column(line_text: str, code_points: int, encoding: str = "utf-16") -> int:
    """Units of the first ``code_points`` characters of a line."""
    codec, width = CODECS[encoding]
    return len(line_text[:code_points].encode(codec)) // width


def position(text: str, offset: int, encoding: str = "utf-16") -> types.Position:
    before = text[:offset]
    line = len(lines(before + "x")) - 1
    start = sum(len(s) for s in lines(text)[:line])
    return types.Position(line, column(text[start:offset], offset - start, encoding))


def offset(text: str, pos: types.Position, encoding: str = "utf-16") -> int:
    all_lines = lines(text)
    if pos.line >= len(all_lines):
        return len(text)
    start = sum(len(s) for s in all_lines[: pos.line])
    content = all_lines[pos.line].rstrip("\r\n")
    codec, width = CODECS[encoding]
    raw = content.encode(codec)[: pos.character * width]
    return start + len(raw.decode(codec))


def apply(text: str, edits: Sequence[types.TextEdit], encoding: str = "utf-16") -> str:
    spans = sorted(
        ((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text)
         for e in edits),
        reverse=True,
    )  # fmt: skip
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    """The text edits for ``uri`` in a workspace edit (``changes`` or ``documentChanges``)."""
    assert edit is not None
    if edit.document_changes:
        out: list[Any] = []
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            if change.text_document.uri == uri:
                out.extend(change.edits)
        return out
    assert edit.changes is not None
    return list(edit.changes.get(uri, []))


def make_client() -> Any:
    """A test client that records every publication (uri, version, diagnostics) in order,
    and the capabilities the server registers."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    # pygls hands the client to a handler whose first parameter is called ``ls``
    def publish(ls: Any, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append(params)

    def register(ls: Any, params: types.RegistrationParams) -> None:
        ls.registrations.append(params)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


async def published(
    client: Any, uri: str, after: int, timeout: float = 60.0
) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for ``uri`` after the first ``after`` publications."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for params in client.published[after:]:
            if params.uri == uri:
                return params  # type: ignore[no-any-return]
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostics for {uri}")
        await asyncio.sleep(0.01)
