"""``check --online`` as the rules see it: short links resolved and fixed, redirect-wrapper
targets verified, hotlinked images confirmed or cleared, suppressions (local servers only)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .onlinetools import (  # the fixtures among them are used by name
    SELECT,
    by_line,
    certs,
    check_json,
    no_proxies,
    redirect,
    run,
    srv,
    tls,
    write,
)

__all__ = ["certs", "no_proxies", "srv", "tls"]  # fixtures


# -- short links, redirect wrappers, images --------------------------------------------------


def test_short_link_resolved_cleaned_and_relinted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    srv: HTTPServer,
    tls: HTTPServer,
    certs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs[0]))  # the local https server is trusted
    final = tls.url_for("/video/BV1?utm_source=share&utm_medium=copy")
    short = f"http://localhost:{srv.port}/s/AbC"
    srv.expect_request("/s/AbC").respond_with_response(redirect(final))
    tls.expect_request("/video/BV1").respond_with_data("a video")
    config = "rules: {BL012: {extra_hosts: [localhost]}}\n"
    path = write(tmp_path, f"# Issue\n\n- [视频]({short}) 推荐\n", config)

    _, found = check_json(path, capsys, SELECT)
    [diag] = [d for d in found if d["code"] == "BL012"]
    clean = tls.url_for("/video/BV1")
    assert diag["message"] == f"short link `localhost` leads to `{clean}`: link that"
    assert diag["fix"]["applicability"] == "safe"

    code, _, err = run(["check", "--online", "--fix", SELECT, str(path)], capsys)
    assert path.read_text(encoding="utf-8") == f"# Issue\n\n- [视频]({clean}) 推荐\n"
    code, _, err = run(["check", "--no-cache", SELECT, str(path)], capsys)
    assert code == 0, err
    code, found = check_json(path, capsys, SELECT)
    assert (code, found) == (0, [])


def test_short_link_through_a_login_page_is_unsafe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    login = srv.url_for("/login?return_to=/post/1")
    srv.expect_request("/s/XyZ").respond_with_response(redirect(login))
    srv.expect_request("/login").respond_with_data("please sign in")
    short = f"http://localhost:{srv.port}/s/XyZ"
    config = "rules: {BL012: {extra_hosts: [localhost]}}\n"
    text = f"- [帖子]({short})\n"
    path = write(tmp_path, text, config)
    _, found = check_json(path, capsys, SELECT)
    [diag] = [d for d in found if d["code"] == "BL012"]
    assert diag["fix"]["applicability"] == "unsafe"
    assert f"{short} -> {login}" in diag["message"]
    assert "login or consent page" in diag["message"]
    run(["check", "--online", "--fix", SELECT, str(path)], capsys)
    assert path.read_text(encoding="utf-8") == text  # unsafe: left alone by --fix
    run(["check", "--online", "--fix", "--unsafe-fixes", SELECT, str(path)], capsys)
    assert path.read_text(encoding="utf-8") == f"- [帖子]({login})\n"


def test_short_link_to_http_is_unsafe_and_dead_short_link_is_not_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/s/1").respond_with_response(redirect(srv.url_for("/post/1")))
    srv.expect_request("/post/1").respond_with_data("post")
    srv.expect_request("/s/2").respond_with_response(redirect(srv.url_for("/post/2")))
    srv.expect_request("/post/2").respond_with_data("no", status=404)
    base = f"http://localhost:{srv.port}"
    config = "rules: {BL012: {extra_hosts: [localhost]}}\n"
    text = f"- [a]({base}/s/1)\n- [b]({base}/s/2)\n"
    _, found = check_json(write(tmp_path, text, config), capsys, SELECT)
    short = {d["line"]: d for d in found if d["code"] == "BL012"}
    assert short[1]["fix"]["applicability"] == "unsafe"
    assert "it ends on http://" in short[1]["message"]
    assert short[2]["fix"] is None
    assert short[2]["message"].startswith("short link `localhost` hides the target")
    assert by_line(found, "BL016")[2].startswith("dead link: HTTP 404")


def test_redirect_wrapper_target_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/fine").respond_with_data("fine")
    srv.expect_request("/walled").respond_with_response(redirect("/signin?next=/walled"))
    srv.expect_request("/signin").respond_with_data("sign in")
    config = (
        "rules: {BL011: {extra_redirects: [{host: localhost, path: '^/out', param: [target]}]}}\n"
    )
    wrap = f"http://localhost:{srv.port}/out?target="
    text = f"- [a]({wrap}{srv.url_for('/fine')})\n- [b]({wrap}{srv.url_for('/walled')})\n"
    _, found = check_json(write(tmp_path, text, config), capsys, "--select=BL011")
    wrapped = {d["line"]: d for d in found if d["code"] == "BL011"}
    assert wrapped[1]["fix"]["applicability"] == "safe"
    assert wrapped[2]["fix"]["applicability"] == "unsafe"
    assert "/signin?next=/walled" in wrapped[2]["message"]
    assert {r.path for r, _ in srv.log} == {"/fine", "/walled", "/signin"}  # not the wrapper


PICTURE = b"\x89PNG\r\n\x1a\n" + b"the real picture" * 20
PLACEHOLDER = b"\x89PNG\r\n\x1a\n" + b"not allowed here" * 5


def test_hotlink_protection_confirmed_or_cleared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    def guarded(request: Request) -> Response:
        if request.headers.get("Referer", "").startswith("https://example.org/"):
            return Response(PLACEHOLDER, content_type="image/png")
        return Response(PICTURE, content_type="image/png")

    def forbidden(request: Request) -> Response:
        if request.headers.get("Referer"):
            return Response("no", status=403)
        return Response(PICTURE, content_type="image/png")

    def to_logo(request: Request) -> Response:
        if request.headers.get("Referer"):
            return redirect("/logo.png")
        return Response(PICTURE, content_type="image/png")

    srv.expect_request("/guarded.png").respond_with_handler(guarded)
    srv.expect_request("/forbidden.png").respond_with_handler(forbidden)
    srv.expect_request("/logo-for-you.png").respond_with_handler(to_logo)
    srv.expect_request("/logo.png").respond_with_data(PLACEHOLDER, content_type="image/png")
    srv.expect_request("/plain.png").respond_with_data(PICTURE, content_type="image/png")
    config = (
        "rules: {BL004: {host_policies: [{match: 127.0.0.1, status: block, "
        "reason: it checks the Referer, referer: true}]}}\n"
    )
    text = "".join(
        f"![图{i}]({srv.url_for(name)})\n\n"
        for i, name in enumerate(
            ["/guarded.png", "/forbidden.png", "/logo-for-you.png", "/plain.png"], 1
        )
    )
    _, found = check_json(write(tmp_path, text, config), capsys, SELECT)
    blocked = {
        d["line"]: d["message"]
        for d in found
        if d["code"] == "BL004" and "blocks hotlinking" in d["message"]
    }
    assert sorted(blocked) == [1, 3, 5]  # the plain image is cleared
    assert blocked[1].endswith(
        "(checked online: a foreign Referer gets other bytes (a placeholder))"
    )
    assert blocked[3].endswith("(checked online: HTTP 403 with a foreign Referer)")
    logo = srv.url_for("/logo.png")
    assert blocked[5].endswith(f"(checked online: a foreign Referer is sent to {logo})")
    # Off-line the host list alone decides: all four are reported.
    _, out, _ = run(["check", "--no-cache", "--select=BL004", "--output-format=concise",
                        str(tmp_path / "issue.md")], capsys)  # fmt: skip
    assert out.count("blocks hotlinking") == 4


def test_stdin_and_diff(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    srv: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv.expect_request("/gone").respond_with_data("no", status=404)
    srv.expect_request("/s/1").respond_with_response(redirect(srv.url_for("/post?from=share")))
    srv.expect_request("/post").respond_with_data("post")
    write(tmp_path, "", "rules: {BL012: {extra_hosts: [localhost]}}\n")
    monkeypatch.chdir(tmp_path)
    text = f"- [a]({srv.url_for('/gone')})\n- [b](http://localhost:{srv.port}/s/1)\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = run(["check", "--online", "--no-cache", SELECT, "--output-format=concise",
                        "-"], capsys)  # fmt: skip
    assert code == 1 and "BL016 error dead link: HTTP 404" in out
    path = tmp_path / "issue.md"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(["check", "--online", "--diff", "--unsafe-fixes", SELECT, str(path)],
                       capsys)  # fmt: skip
    assert code == 1
    assert f"+- [b]({srv.url_for('/post?from=share')})" in out
    assert path.read_text(encoding="utf-8") == text  # --diff writes nothing


def test_suppressed_dead_link_and_bl014(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/gone").respond_with_data("no", status=404)
    srv.expect_request("/ok").respond_with_data("fine")
    text = (
        "<!-- briefing-lint-disable-next-line BL016 -- kept for the record -->\n"
        f"- [a]({srv.url_for('/gone')})\n"
        "<!-- briefing-lint-disable-next-line BL016 -- no longer needed -->\n"
        f"- [b]({srv.url_for('/ok')})\n"
    )
    path = write(tmp_path, text)
    select = "--select=BL014,BL016"
    _, found = check_json(path, capsys, select)
    # Online: the first comment is used, the second is not.
    assert [(d["line"], d["code"]) for d in found] == [(3, "BL014")]
    # Off-line nothing can tell: neither comment is called unused.
    code, out, _ = run(["check", "--no-cache", select, "--output-format=json", str(path)], capsys)
    assert (code, json.loads(out)) == (0, [])
