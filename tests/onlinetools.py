"""Local servers for the ``--online`` tests: nothing here reaches beyond 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from briefing_lint.cli import main

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@contextmanager
def server(ssl_context: Any = None) -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, ssl_context=ssl_context, threaded=True)
    srv.start()
    try:
        yield srv
    finally:
        srv.clear()
        srv.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def redirect(to: str, status: int = 302) -> Response:
    return Response(status=status, headers={"Location": to})


class Concurrency:
    """A handler that counts the requests it serves at once (server side)."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.now = 0
        self.most = 0
        self.served = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.now += 1
            self.served += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.delay)
            return Response("ok")
        finally:
            with self._lock:
                self.now -= 1


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def check_json(
    path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[dict[str, Any]]]:
    cache = path.parent / "cache"
    code, out, err = run(
        ["check", "--online", "--cache-dir", str(cache), "--output-format", "json", *extra,
         str(path)],
        capsys,
    )  # fmt: skip
    assert code in (0, 1), err
    return code, json.loads(out)


def by_line(found: list[dict[str, Any]], code: str) -> dict[int, str]:
    return {d["line"]: d["message"] for d in found if d["code"] == code}


def clear_proxies(setenv: Callable[[str, str], None], delenv: Callable[..., None]) -> None:
    for name in PROXY_VARS:
        for variant in (name, name.lower()):
            if variant in os.environ:
                delenv(variant)


# -- fixtures (imported by the test modules) ------------------------------------------------

SELECT = "--select=BL001,BL004,BL011,BL012,BL016"


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the developer's environment must not carry the local requests."""
    clear_proxies(monkeypatch.setenv, monkeypatch.delenv)


@pytest.fixture
def srv() -> Iterator[HTTPServer]:
    with server() as s:
        yield s


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls(certs: tuple[Path, Path]) -> Iterator[HTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certs))
    with server(context) as s:
        yield s


def write(tmp_path: Path, text: str, config: str = "") -> Path:
    (tmp_path / ".briefing-lint.yaml").write_text(config, encoding="utf-8")
    path = tmp_path / "issue.md"
    path.write_text(text, encoding="utf-8")
    return path
