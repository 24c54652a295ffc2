"""The server as a process: every feature registered on one :class:`BriefingServer`, run
over stdin/stdout. (Apart from :mod:`.app` so the features can name the server's type
without the server importing them back.)"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from . import features
from .adapter import is_config_file
from .app import CONFIG_GLOBS, DEBOUNCE, STATE_REQUEST, BriefingServer
from .convert import document_path


def build_server() -> BriefingServer:
    """A server with every feature registered (one per process; tests build their own)."""
    server = BriefingServer()
    _register_sync(server)
    features.register(server)
    return server


def _register_sync(server: BriefingServer) -> None:
    @server.feature(types.INITIALIZED)
    def initialized(ls: BriefingServer, params: types.InitializedParams) -> None:
        watch = ls.client_capabilities.workspace
        dynamic = (
            watch is not None
            and watch.did_change_watched_files is not None
            and bool(watch.did_change_watched_files.dynamic_registration)
        )
        if not dynamic:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=g) for g in CONFIG_GLOBS]
        )
        registration = types.Registration(
            id="briefing-lint-config",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        ls.client_register_capability(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: BriefingServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: BriefingServer, params: types.DidChangeTextDocumentParams) -> None:
        if ls.document(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: BriefingServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = document_path(uri)
        if path is not None and _may_configure(path):
            ls.reload_config()
        elif ls.document(uri) is not None:
            ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: BriefingServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forget(uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: BriefingServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = document_path(change.uri)
            if path is not None and _may_configure(path):
                ls.reload_config()
                return

    @server.feature(STATE_REQUEST)
    def state(ls: BriefingServer, params: object) -> dict[str, int]:
        return ls.state()


def _may_configure(path: Path) -> bool:
    """A config file, or a YAML/TOML file a config may ``extend``."""
    return is_config_file(path) or path.suffix in (".yaml", ".yml", ".toml")


def serve() -> int:
    """Run the server on stdin/stdout until the client says exit."""
    build_server().start_io()
    return 0
