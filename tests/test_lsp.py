"""The language server end to end: a real ``briefing-lint server`` subprocess driven by
pytest-lsp (the editor's side of the protocol)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from briefing_lint.api import fix_text
from briefing_lint.formatter import format_text

from .lsptools import apply, column, edits_of, make_client, position, published

SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "briefing_lint", "server"], client_factory=make_client
)
# the flag editors' stdio transports add
SERVER_STDIO = ClientServerConfig(
    server_command=[sys.executable, "-m", "briefing_lint", "server", "--stdio"],
    client_factory=make_client,
)

# A briefing with a finding after CJK and an astral emoji on line 5 (0-based 4), an unsafe
# renumbering on line 7, and fixable whitespace there too.
DOC = (
    "# 🤖 AI 周报 第 3 期\n"
    "\n"
    "本期将为您带来 2 条相关新闻。\n"
    "\n"
    "# 1. [🚀 开源推理框架发布 2.0 版本]"
    "(https://github.com/example/infer?utm_source=newsletter)| 机器之心\n"
    "\n"
    "# 3. [ 边缘设备上的小模型😀 ](https://example.org/edge) | 量子位\n"
)
URL = "https://github.com/example/infer?utm_source=newsletter"
SAFE_FIXED = (
    "# 🤖 AI 周报 第 3 期\n"
    "\n"
    "本期将为您带来 2 条相关新闻。\n"
    "\n"
    "# 1. [🚀 开源推理框架发布 2.0 版本](https://github.com/example/infer) | 机器之心\n"
    "\n"
    "# 3. [边缘设备上的小模型😀](https://example.org/edge) | 量子位\n"
)


def _capabilities(encodings: list[str] | None = None) -> types.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
        )
    return caps


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=_capabilities(), root_uri=tmp_path.as_uri())
    )
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER_STDIO)
async def utf8_client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=_capabilities(["utf-8", "utf-16"]), root_uri=tmp_path.as_uri()
        )
    )
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield
    await lsp_client.shutdown_session()


async def _open(
    client: Any, path: Path, text: str, language: str = "markdown"
) -> types.PublishDiagnosticsParams:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    mark = len(client.published)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text))
    )
    return await published(client, uri, mark)


async def _replace(
    client: Any, uri: str, version: int, text: str
) -> types.PublishDiagnosticsParams:
    mark = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await published(client, uri, mark)


def _by_code(params: types.PublishDiagnosticsParams) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in params.diagnostics}


def _rng(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(types.Position(*start), types.Position(*end))


@pytest.mark.asyncio
async def test_diagnostics_exact_utf16_ranges(client: LanguageClient, tmp_path: Path) -> None:
    params = await _open(client, tmp_path / "issue.md", DOC)
    found = _by_code(params)
    assert sorted(found) == ["BL001", "BL002", "BL003", "BL010"]
    # "# 1. [🚀 开源推理框架发布 2.0 版本](": 25 code points, 26 UTF-16 units (🚀 is two)
    assert found["BL001"].range == _rng((4, 26), (4, 80))
    assert found["BL001"].severity == types.DiagnosticSeverity.Warning
    assert found["BL002"].range == _rng((4, 81), (4, 83))  # after the ")"
    assert found["BL002"].severity == types.DiagnosticSeverity.Information
    assert found["BL003"].range == _rng((6, 2), (6, 3))
    line = DOC.splitlines()[6]
    link = line[line.index("[") : line.index(")") + 1]
    start = line.index("[")
    assert found["BL010"].range == _rng((6, start), (6, start + column(link, len(link))))
    assert found["BL001"].source == "briefing-lint"
    href = found["BL001"].code_description.href  # type: ignore[union-attr]
    assert href.endswith("/BL001.md") or href.endswith("/BL001.yaml")
    assert params.version == 1


@pytest.mark.asyncio
async def test_utf8_client_gets_byte_columns(utf8_client: LanguageClient, tmp_path: Path) -> None:
    found = _by_code(await _open(utf8_client, tmp_path / "issue.md", DOC))
    # 6 ASCII + 🚀 (4 bytes) + space + 8 CJK (24) + " 2.0 " + 2 CJK (6) + "](" = 48 bytes
    assert found["BL001"].range == _rng((4, 48), (4, 48 + len(URL)))
    start = DOC.index(URL)
    assert found["BL001"].range.start == position(DOC, start, "utf-8")
    # edits come in bytes too: the quick fix and fix-all land where they should
    uri = (tmp_path / "issue.md").as_uri()
    actions = await utf8_client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            found["BL001"].range,
            types.CodeActionContext(diagnostics=[found["BL001"]]),
        )
    )
    assert actions is not None
    titles = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    quick = apply(DOC, edits_of(titles["BL001: Clean the URL"].edit, uri), "utf-8")
    assert quick == DOC.replace(URL, "https://github.com/example/infer")
    fix_all = titles["briefing-lint: fix all safe findings"]
    if fix_all.edit is None:
        fix_all = await utf8_client.code_action_resolve_async(fix_all)
    assert apply(DOC, edits_of(fix_all.edit, uri), "utf-8") == SAFE_FIXED


@pytest.mark.asyncio
async def test_quick_fixes_unsafe_marked_and_fix_all(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "issue.md").as_uri()
    found = _by_code(await _open(client, tmp_path / "issue.md", DOC))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            found["BL001"].range,
            types.CodeActionContext(diagnostics=[found["BL001"]]),
        )
    )
    assert actions is not None
    fixes = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    quick = fixes["BL001: Clean the URL"]
    assert quick.kind == types.CodeActionKind.QuickFix and quick.is_preferred
    fixed_once = apply(DOC, edits_of(quick.edit, uri))
    assert fixed_once == DOC.replace(URL, "https://github.com/example/infer")

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            found["BL003"].range,
            types.CodeActionContext(diagnostics=[found["BL003"]]),
        )
    )
    assert actions is not None
    unsafe = [a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("BL003")]
    assert len(unsafe) == 1 and "unsafe" in unsafe[0].title and not unsafe[0].is_preferred
    assert "# 2. [" in apply(DOC, edits_of(unsafe[0].edit, uri))

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            _rng((0, 0), (0, 0)),
            types.CodeActionContext(diagnostics=[], only=["source.fixAll.briefing-lint"]),
        )
    )
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.kind == "source.fixAll.briefing-lint"
    if action.edit is None:  # the client resolves edits lazily
        action = await client.code_action_resolve_async(action)
    fixed_all = apply(DOC, edits_of(action.edit, uri))
    assert fixed_all == SAFE_FIXED == fix_text(DOC).text

    after = _by_code(await _replace(client, uri, 2, fixed_all))
    assert sorted(after) == ["BL003"]


@pytest.mark.asyncio
async def test_disable_for_this_line(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "issue.md").as_uri()
    found = _by_code(await _open(client, tmp_path / "issue.md", DOC))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            found["BL003"].range,
            types.CodeActionContext(diagnostics=[found["BL003"]], only=["quickfix"]),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions]
    assert "Disable BL003 for this line" in titles and not any("fix all" in t for t in titles)
    disable = next(a for a in actions if a.title == "Disable BL003 for this line")
    assert isinstance(disable, types.CodeAction)
    text = apply(DOC, edits_of(disable.edit, uri))
    assert text.splitlines()[6].endswith(" 量子位 <!-- briefing-lint-disable-line BL003 -->")
    after = _by_code(await _replace(client, uri, 2, text))
    assert sorted(after) == ["BL001", "BL002", "BL010"]  # and no BL014: the comment is used


@pytest.mark.asyncio
async def test_hover_shows_the_rule_doc(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "issue.md").as_uri()
    found = _by_code(await _open(client, tmp_path / "issue.md", DOC))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), found["BL001"].range.start)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "BL001 tracking-params" in hover.contents.value
    assert "utm_source" in hover.contents.value  # the finding's own message
    assert hover.range == found["BL001"].range
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(2, 1))
    )
    assert nothing is None


@pytest.mark.asyncio
async def test_formatting_and_refusal(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "issue.md").as_uri()
    await _open(client, tmp_path / "issue.md", DOC)
    options = types.FormattingOptions(tab_size=4, insert_spaces=True)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(types.TextDocumentIdentifier(uri), options)
    )
    assert edits
    formatted = apply(DOC, edits)
    assert formatted == format_text(DOC).text != DOC

    # mdformat would drop the link (its HTML changes): refused, nothing edited, and said
    bad = "# 周报\n\n[x](<https://example.org/a b>)\n"
    assert format_text(bad).refused
    bad_uri = (tmp_path / "bad.md").as_uri()
    await _open(client, tmp_path / "bad.md", bad)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(types.TextDocumentIdentifier(bad_uri), options)
    )
    assert edits is not None and list(edits) == []
    assert any("not formatted" in m.message for m in client.messages)


@pytest.mark.asyncio
async def test_config_change_is_picked_up(client: LanguageClient, tmp_path: Path) -> None:
    # a CJK name with a space: its URI is percent-encoded, and must come back as sent
    uri = (tmp_path / "第 3 期.md").as_uri()
    assert "%20" in uri
    assert "BL001" in _by_code(await _open(client, tmp_path / "第 3 期.md", DOC))
    # asked for on `initialized`, before the diagnostics above
    registered = [r.method for p in client.registrations for r in p.registrations]  # type: ignore[attr-defined]
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in registered

    config = tmp_path / ".briefing-lint.yaml"
    config.write_text("ignore: [tracking-params]\n", encoding="utf-8")
    mark = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(config.as_uri(), types.FileChangeType.Created)]
        )
    )
    assert sorted(_by_code(await published(client, uri, mark))) == ["BL002", "BL003", "BL010"]

    # saved in the editor: the didSave of the config file is enough
    config.write_text("ignore: [tracking-params, BL010]\n", encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config.as_uri()))
    )
    assert sorted(_by_code(await published(client, uri, mark))) == ["BL002", "BL003"]

    # a broken config: said once, and no stale findings
    config.write_text("ignore: 3\n", encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config.as_uri()))
    )
    assert list((await published(client, uri, mark)).diagnostics) == []
    assert any(".briefing-lint.yaml" in m.message for m in client.messages)


@pytest.mark.asyncio
async def test_large_document_diagnostics_after_a_change(
    client: LanguageClient, tmp_path: Path
) -> None:
    item = (
        "- [🚀 项目 {n} 发布新版本](https://example.org/p{n}) | 机器之心\n\n"
        "  简介：第 {n} 条新闻的简短描述，包含中文与 English words，以及更多的文字。\n\n"
    )
    parts = ["# 周报\n\n"]
    n = 0
    while sum(len(p.encode()) for p in parts) < 1_000_000:
        n += 1
        parts.append(item.format(n=n))
    text = "".join(parts)
    uri = (tmp_path / "big.md").as_uri()
    first = await _open(client, tmp_path / "big.md", text)
    assert "BL001" not in _by_code(first)
    # type a tracking parameter into the last link (an incremental change)
    last = text.rindex(f"/p{n})") + len(f"/p{n}")
    at = position(text, last)
    mark = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(at, at), text="?utm_source=x"
                )
            ],
        )
    )
    params = await published(client, uri, mark)
    assert params.version == 2
    assert [d.range.start.line for d in params.diagnostics if d.code == "BL001"] == [at.line]


@pytest.mark.asyncio
async def test_closed_documents_are_not_kept(client: LanguageClient, tmp_path: Path) -> None:
    for i in range(500):
        uri = (tmp_path / f"d{i}.md").as_uri()
        text = DOC.replace("第 3 期", f"第 {i} 期")
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
        )
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )
    state = await client.protocol.send_request_async("briefingLint/serverState", None)
    counts = {k: getattr(state, k) for k in ("documents", "snapshots", "pending", "problems")}
    assert counts == {"documents": 0, "snapshots": 0, "pending": 0, "problems": 0}
    # and one left open is counted (the check can fail)
    await _open(client, tmp_path / "open.md", DOC)
    state = await client.protocol.send_request_async("briefingLint/serverState", None)
    assert (state.documents, state.snapshots) == (1, 1)


@pytest.mark.asyncio
async def test_mdx_documents(client: LanguageClient, tmp_path: Path) -> None:
    text = "import X from './x'\n\n[链接 🚀](https://github.com/a/b?utm_source=x)\n"
    uri = (tmp_path / "post.mdx").as_uri()
    found = _by_code(await _open(client, tmp_path / "post.mdx", text, language="mdx"))
    assert sorted(found) == ["BL001"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            found["BL001"].range,
            types.CodeActionContext(diagnostics=[found["BL001"]], only=["quickfix"]),
        )
    )
    assert actions is not None
    disable = next(a for a in actions if a.title == "Disable BL001 for this line")
    assert isinstance(disable, types.CodeAction)
    disabled = apply(text, edits_of(disable.edit, uri))
    assert disabled.endswith(" {/* briefing-lint-disable-line BL001 */}\n")
    assert list((await _replace(client, uri, 2, disabled)).diagnostics) == []
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            types.TextDocumentIdentifier(uri),
            types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert edits is not None and list(edits) == []
    assert any("MDX files are not formatted" in m.message for m in client.messages)


@pytest.mark.asyncio
async def test_fix_all_offered_before_a_change_gives_no_stale_edit(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "issue.md").as_uri()
    await _open(client, tmp_path / "issue.md", DOC)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            _rng((0, 0), (0, 0)),
            types.CodeActionContext(diagnostics=[], only=["source"]),
        )
    )
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.edit is None  # resolved on demand
    await _replace(client, uri, 2, DOC + "\n更多内容。\n")
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is None
