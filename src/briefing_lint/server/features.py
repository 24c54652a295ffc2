"""Code actions (quick fix, fix all safe, disable for this line), formatting and hover."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from .adapter import ConfigProblem, Finding, disable_line_edit, minimal_edit, rule_hover
from .convert import (
    diagnostic,
    document_path,
    text_edits,
    to_offset,
    to_offsets,
    to_range,
    workspace_edit,
)
from .positions import LineIndex

if TYPE_CHECKING:
    from .app import BriefingServer, Snapshot

FIX_ALL_KIND = "source.fixAll.briefing-lint"
FIX_ALL_TITLE = "briefing-lint: fix all safe findings"


def _wanted(only: list[str] | None, kind: str) -> bool:
    """Whether a request limited to ``only`` kinds takes actions of ``kind`` (a kind
    includes its sub-kinds: ``source`` takes ``source.fixAll.briefing-lint``)."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _versioned(ls: BriefingServer) -> bool:
    workspace = ls.client_capabilities.workspace
    edit = None if workspace is None else workspace.workspace_edit
    return bool(edit is not None and edit.document_changes)


def _resolves_edits(ls: BriefingServer) -> bool:
    document = ls.client_capabilities.text_document
    action = None if document is None else document.code_action
    support = None if action is None else action.resolve_support
    return support is not None and "edit" in support.properties


def finding_actions(
    uri: str, snap: Snapshot, finding: Finding, *, versioned: bool, mdx: bool, disable: bool
) -> list[types.CodeAction]:
    """The fix of one finding (unsafe ones say so and are never preferred), and the
    comment that disables its rule on its line."""
    diag = diagnostic(snap.index, finding)
    out: list[types.CodeAction] = []
    if finding.fix_edits:
        unsafe = finding.fix_safety != "safe"
        title = f"{finding.code}: {finding.fix_title or 'apply the fix'}"
        out.append(
            types.CodeAction(
                title=title + (" (unsafe fix: check the result)" if unsafe else ""),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=not unsafe,
                edit=workspace_edit(
                    uri, snap.version, text_edits(snap.index, finding.fix_edits), versioned
                ),
            )
        )
    if disable:
        edit = disable_line_edit(snap.text, finding.start, finding.code, mdx)
        out.append(
            types.CodeAction(
                title=f"Disable {finding.code} for this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=workspace_edit(uri, snap.version, text_edits(snap.index, [edit]), versioned),
            )
        )
    return out


async def _fix_all_edit(
    ls: BriefingServer, uri: str, version: int | None, text: str
) -> types.WorkspaceEdit | None:
    try:
        fixed = await ls.run(ls.linter.fix_all, text, document_path(uri))
    except ConfigProblem as exc:
        ls.config_problem(uri, str(exc))
        return None
    edit = minimal_edit(text, fixed)
    if edit is None:
        return None
    index = LineIndex(text, ls.encoding)
    return workspace_edit(uri, version, text_edits(index, [edit]), _versioned(ls))


async def code_action(
    ls: BriefingServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    snap = await ls.snapshot(uri)
    if snap is None:
        return None
    only = None if params.context.only is None else [str(k) for k in params.context.only]
    actions: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix):
        path = document_path(uri)
        mdx = path is not None and path.suffix.lower() == ".mdx"
        start, end = to_offsets(snap.index, params.range)
        disabled: set[tuple[str, int]] = set()
        for finding in snap.findings:
            if finding.start <= end and start <= finding.end:
                key = (finding.code, snap.index.position(finding.start)[0])
                actions += finding_actions(
                    uri,
                    snap,
                    finding,
                    versioned=_versioned(ls),
                    mdx=mdx,
                    disable=key not in disabled,
                )
                disabled.add(key)
    if _wanted(only, FIX_ALL_KIND) and any(f.fix_safety == "safe" for f in snap.findings):
        action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND)
        if _resolves_edits(ls):
            action.data = {"uri": uri, "version": snap.version}
        else:
            action.edit = await _fix_all_edit(ls, uri, snap.version, snap.text)
        if action.edit is not None or action.data is not None:
            actions.append(action)
    return actions


async def resolve_code_action(ls: BriefingServer, action: types.CodeAction) -> types.CodeAction:
    """The edit of "fix all safe", computed only when the user picks it."""
    data: Any = action.data
    if action.kind != FIX_ALL_KIND or not isinstance(data, dict):
        return action
    uri = str(data.get("uri", ""))
    doc = ls.document(uri)
    if doc is None or doc.version != data.get("version"):
        return action  # the document changed since the action was offered: no stale edit
    action.edit = await _fix_all_edit(ls, uri, doc.version, doc.source)
    return action


async def formatting(
    ls: BriefingServer, params: types.DocumentFormattingParams
) -> list[types.TextEdit] | None:
    """``briefing-lint format`` on the document; a refused format changes nothing and says why."""
    uri = params.text_document.uri
    doc = ls.document(uri)
    if doc is None:
        return None
    text = doc.source
    path = document_path(uri)
    mdx = doc.language_id == "mdx" or (path is not None and path.suffix.lower() == ".mdx")
    try:
        formatted, refused = await ls.run(ls.linter.format, text, path, mdx)
    except ConfigProblem as exc:
        ls.config_problem(uri, str(exc))
        return []
    if refused:
        ls.message(types.MessageType.Warning, "not formatted: " + "; ".join(refused))
        return []
    edit = minimal_edit(text, formatted)
    if edit is None:
        return []
    return text_edits(LineIndex(text, ls.encoding), [edit])


async def hover(ls: BriefingServer, params: types.HoverParams) -> types.Hover | None:
    """On a finding: its message and its rule's short documentation."""
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    at = to_offset(snap.index, params.position)
    hits = [f for f in snap.findings if f.start <= at <= f.end]
    if not hits:
        return None
    parts: list[str] = []
    seen: set[str] = set()
    for finding in hits:
        parts.append(f"{finding.code}: {finding.message}")
        if finding.code not in seen:
            seen.add(finding.code)
            parts.append(rule_hover(finding.code))
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)),
        range=to_range(snap.index, hits[0].start, hits[0].end),
    )


def register(server: BriefingServer) -> None:
    options = types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
        resolve_provider=True,
    )
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(resolve_code_action)
    server.feature(types.TEXT_DOCUMENT_FORMATTING)(formatting)
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
