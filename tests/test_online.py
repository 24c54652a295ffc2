"""``check --online`` against local servers (127.0.0.1 only; nothing reaches the internet)."""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from briefing_lint.online.client import classify, retry_delay

from .onlinetools import (  # the fixtures among them are used by name
    SELECT,
    Concurrency,
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

# -- nothing without --online --------------------------------------------------------------


def test_no_socket_is_opened_without_online(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network use in a test")

    text = (
        "# 本周\n\n"
        "1. [文章](https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp)\n"
        "2. [短链](https://b23.tv/AbCdEfG)\n"
        "3. [跳转](https://link.zhihu.com/?target=https%3A//example.org/a)\n"
        "4. ![图](https://mmbiz.qpic.cn/mmbiz_png/AbCd/640?wx_fmt=png)\n"
        "5. https://example.org/page?utm_source=x\n"
    )
    path = write(tmp_path, text)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for extra in ([], ["--fix", "--unsafe-fixes"], ["--output-format", "json"]):
        code, _, err = run(["check", "--no-cache", "-j", "1", *extra, str(path)], capsys)
        assert code in (0, 1), err
    assert attempts == []
    # The same patch does see --online's requests: the assertion above can fail.
    path.write_text(text, encoding="utf-8")
    run(["check", "--no-cache", "--online", "-j", "1", str(path)], capsys)
    assert attempts


def test_refresh_needs_online(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "- [a](https://example.org/)\n")
    code, _, err = run(["check", "--refresh", str(path)], capsys)
    assert code == 2 and "--refresh: only with --online" in err


# -- statuses --------------------------------------------------------------------------------


def test_statuses_redirect_chains_and_gone_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/ok").respond_with_data("fine")
    srv.expect_request("/moved").respond_with_response(redirect(srv.url_for("/ok"), 301))
    srv.expect_request("/hop1").respond_with_response(redirect("/hop2"))
    srv.expect_request("/hop2").respond_with_response(redirect(srv.url_for("/missing")))
    srv.expect_request("/missing").respond_with_data("no", status=404)
    srv.expect_request("/gone").respond_with_data("no", status=410)
    srv.expect_request("/broken").respond_with_data("no", status=500)
    srv.expect_request("/img.png").respond_with_data(b"\x89PNG", content_type="image/png")
    text = (
        f"- [ok]({srv.url_for('/ok')})\n"
        f"- [moved]({srv.url_for('/moved')})\n"
        f"- [chain]({srv.url_for('/hop1')})\n"
        f"- [gone]({srv.url_for('/gone')})\n"
        f"- [broken]({srv.url_for('/broken')})\n"
        f"- ![img]({srv.url_for('/img.png')}) ![none]({srv.url_for('/missing')})\n"
    )
    code, found = check_json(write(tmp_path, text), capsys, SELECT)
    assert code == 1
    dead = by_line(found, "BL016")
    assert sorted(dead) == [3, 4, 5, 6]
    assert dead[3] == f"dead link: HTTP 404 (redirected to {srv.url_for('/missing')})"
    assert dead[4] == "dead link: HTTP 410"
    assert dead[5] == "link answers HTTP 500 (not in online.accept)"
    assert dead[6] == "dead link: HTTP 404"  # the image, not its neighbour
    kinds = {d["line"]: d["severity"] for d in found if d["code"] == "BL016"}
    assert kinds == {3: "error", 4: "error", 5: "warning", 6: "error"}


def test_head_refused_falls_back_to_get(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/page", method="HEAD").respond_with_data("", status=405)
    srv.expect_request("/page", method="GET").respond_with_data("fine")
    code, found = check_json(write(tmp_path, f"- [a]({srv.url_for('/page')})\n"), capsys, SELECT)
    assert (code, found) == (0, [])
    assert [r.method for r, _ in srv.log] == ["HEAD", "GET"]


def test_429_is_retried_after_retry_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    seen: list[float] = []

    def busy_once(request: Request) -> Response:
        seen.append(time.monotonic())
        if len(seen) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response("no", status=404)

    srv.expect_request("/busy").respond_with_handler(busy_once)
    path = write(tmp_path, f"- [a]({srv.url_for('/busy')})\n")
    _, found = check_json(path, capsys, SELECT)
    # Without the retry the 429 (accepted) would have hidden the 404.
    assert by_line(found, "BL016") == {1: "dead link: HTTP 404"}
    assert len(seen) >= 2


def test_503_retries_stop_at_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/down").respond_with_response(
        Response("down", status=503, headers={"Retry-After": "0"})
    )
    config = "online: {retries: 2}\n"
    _, found = check_json(write(tmp_path, f"- [a]({srv.url_for('/down')})\n", config), capsys)
    assert by_line(found, "BL016") == {1: "link answers HTTP 503 (not in online.accept)"}
    heads = [r for r, _ in srv.log if r.method == "HEAD"]
    assert len(heads) == 3  # the first try and two retries


def test_retry_after_values() -> None:
    assert retry_delay("3", 0) == 3.0
    assert retry_delay(None, 0) == 0.5 and retry_delay(None, 2) == 2.0
    assert retry_delay("Wed, 21 Oct 2015 07:28:30 GMT", 0, now=1445412500.0) == 10.0
    assert retry_delay("garbage", 1) == 1.0


def test_timeout_is_unreachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    release = threading.Event()

    def stuck(request: Request) -> Response:
        release.wait(5)
        return Response("late")

    srv.expect_request("/slow").respond_with_handler(stuck)
    path = write(tmp_path, f"- [a]({srv.url_for('/slow')})\n", "online: {timeout: 0.3}\n")
    try:
        _, found = check_json(path, capsys, SELECT)
    finally:
        release.set()
    assert by_line(found, "BL016") == {1: "dead link: timed out"}


def test_tls_error_is_unreachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tls: HTTPServer
) -> None:
    tls.expect_request("/secure").respond_with_data("fine")
    _, found = check_json(write(tmp_path, f"- [a]({tls.url_for('/secure')})\n"), capsys, SELECT)
    message = by_line(found, "BL016")[1]
    assert message.startswith("dead link: TLS error"), message
    assert tls.log == []  # no request got through the handshake


def test_dns_and_tls_failures_are_told_apart() -> None:
    dns = httpx.ConnectError("failed")
    dns.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert classify(dns)[0] == "dns"
    bad = httpx.ConnectError("failed")
    bad.__cause__ = ssl.SSLCertVerificationError(1, "certificate verify failed")
    assert classify(bad)[0] == "tls"
    assert classify(httpx.ReadTimeout("slow"))[0] == "timeout"
    assert classify(httpx.ConnectError("[Errno 111] Connection refused"))[0] == "connect"


def test_refused_connection_is_unreachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _, found = check_json(write(tmp_path, f"- [a](http://127.0.0.1:{port}/x)\n"), capsys, SELECT)
    assert by_line(found, "BL016")[1].startswith("dead link: connection failed")


# -- soft 404 --------------------------------------------------------------------------------

DELETED = "<html><body><div class='weui-msg'>该内容已被发布者删除</div></body></html>"
BLOCKED = "<html><body><p>此内容因违规无法查看</p></body></html>"


def test_soft_404_by_configured_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/deleted").respond_with_data(DELETED, content_type="text/html")
    srv.expect_request("/live").respond_with_data("<p>an article</p>", content_type="text/html")
    config = "online: {soft_404_markers: [该内容已被发布者删除, Page not found]}\n"
    text = f"- [a]({srv.url_for('/deleted')})\n- [b]({srv.url_for('/live')})\n"
    _, found = check_json(write(tmp_path, text, config), capsys, SELECT)
    assert by_line(found, "BL016") == {1: "dead link: the page says “该内容已被发布者删除”"}


def test_wechat_pages_are_read_for_wechat_markers(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    srv: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The local server stands in for mp.weixin.qq.com as the proxy from the environment.
    srv.expect_request("/s/deleted").respond_with_data(DELETED, content_type="text/html")
    srv.expect_request("/s/blocked").respond_with_data(BLOCKED, content_type="text/html")
    srv.expect_request("/s/live").respond_with_data("<p>正文</p>", content_type="text/html")
    monkeypatch.setenv("HTTP_PROXY", srv.url_for("/"))
    text = (
        "- [a](http://mp.weixin.qq.com/s/deleted)\n"
        "- [b](http://mp.weixin.qq.com/s/blocked)\n"
        "- [c](http://mp.weixin.qq.com/s/live)\n"
    )
    _, found = check_json(write(tmp_path, text), capsys, "--select=BL016")
    assert by_line(found, "BL016") == {
        1: "dead link: the page says “该内容已被发布者删除”",
        2: "dead link: the page says “此内容因违规无法查看”",
    }
    assert {r.method for r, _ in srv.log} == {"GET"}  # read, since a 200 proves nothing here


# -- limits and cache ------------------------------------------------------------------------


def test_per_host_limit_is_respected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    counter = Concurrency()
    srv.expect_request("/many").respond_with_handler(counter)
    links = "".join(f"- [{i}]({srv.url_for('/many')}?n={i})\n" for i in range(24))
    config = "online: {per_host: 3, concurrency: 16}\n"
    code, found = check_json(write(tmp_path, links, config), capsys, "--select=BL016")
    assert (code, found) == (0, [])
    assert counter.served == 24
    assert 1 < counter.most <= 3


def test_second_run_is_served_from_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/ok").respond_with_data("fine")
    srv.expect_request("/gone").respond_with_data("no", status=404)
    path = write(tmp_path, f"- [a]({srv.url_for('/ok')})\n- [b]({srv.url_for('/gone')})\n")
    _, first = check_json(path, capsys, SELECT)
    asked = len(srv.log)
    assert asked >= 2
    _, second = check_json(path, capsys, SELECT)
    assert second == first and by_line(second, "BL016") == {2: "dead link: HTTP 404"}
    assert len(srv.log) == asked  # the server saw nothing new
    _, third = check_json(path, capsys, SELECT, "--refresh")
    assert third == first and len(srv.log) > asked


def test_damaged_cache_is_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/gone").respond_with_data("no", status=404)
    url = srv.url_for("/gone")
    path = write(tmp_path, f"- [b]({url})\n")
    (tmp_path / "cache").mkdir()
    future = {"at": 1e18, "chain": [[url, 200]], "error": "", "detail": "", "soft_404": ""}
    for damaged in (
        "{not json",
        {"schema": 1, "links": {url: {"at": "yesterday"}}, "images": {}},
        {"schema": 1, "links": {url: future}, "images": {}},
        {"schema": 1, "links": {url: {**future, "at": time.time(), "chain": [[url, "200"]]}}},
        {"schema": 1, "links": {url: [1, 2]}, "images": []},
        {"schema": 2, "links": {url: {**future, "at": time.time()}}},
    ):
        raw = damaged if isinstance(damaged, str) else json.dumps(damaged)
        (tmp_path / "cache" / "online-v1.json").write_text(raw, encoding="utf-8")
        before = len(srv.log)
        _, found = check_json(path, capsys, SELECT)
        assert by_line(found, "BL016") == {1: "dead link: HTTP 404"}
        assert len(srv.log) > before


def test_exclude_patterns_are_not_requested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/private/a").respond_with_data("no", status=404)
    srv.expect_request("/public").respond_with_data("fine")
    config = "online: {exclude: ['/private/']}\n"
    text = f"- [a]({srv.url_for('/private/a')})\n- [b]({srv.url_for('/public')})\n"
    code, found = check_json(write(tmp_path, text, config), capsys, SELECT)
    assert (code, found) == (0, [])
    assert {r.path for r, _ in srv.log} == {"/public"}


def test_headers_and_user_agent_are_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/h").respond_with_data("fine")
    config = "online: {user_agent: browser, headers: {Accept-Language: zh-CN}}\n"
    check_json(write(tmp_path, f"- [a]({srv.url_for('/h')})\n", config), capsys, SELECT)
    request = srv.log[0][0]
    assert request.headers["User-Agent"].startswith("Mozilla/5.0")
    assert request.headers["Accept-Language"] == "zh-CN"


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ("online: {per_host: 0}", "online.per_host"),
        ("online: {timeout: soon}", "online.timeout"),
        ("online: {accept: [200, 999]}", "online.accept"),
        ("online: {exclude: ['(?=x)']}", "online.exclude[0]"),
        ("online: {headers: {'bad name': x}}", "online.headers.bad name"),
        ("online: {cache_ttl: -1}", "online.cache_ttl"),
        ("online: {colour: red}", "online.colour"),
        ("online: [1]", "online"),
    ],
)
def test_bad_online_settings_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, key: str
) -> None:
    path = write(tmp_path, "- [a](https://example.org/)\n", config + "\n")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert f".briefing-lint.yaml: {key}: " in err


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing_lint.engine import online as online_run

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with online_run.progress_bar(100, None) as tick:
        assert tick is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with online_run.progress_bar(2, None) as tick:
        assert tick is None  # a few URLs: no bar
    with online_run.progress_bar(100, None) as tick:
        assert tick is not None
        tick()


def test_redirect_loops_and_app_redirects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    srv.expect_request("/loop").respond_with_response(redirect("/loop"))
    srv.expect_request("/app").respond_with_response(redirect("weixin://dl/business/?t=x"))
    text = f"- [a]({srv.url_for('/loop')})\n- [b]({srv.url_for('/app')})\n"
    _, found = check_json(write(tmp_path, text), capsys, SELECT)
    assert by_line(found, "BL016") == {1: "dead link: too many redirects: more than 10"}


def test_time_budget_leaves_the_rest_unchecked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    def slow(request: Request) -> Response:
        if request.args["n"] != "0":
            time.sleep(1.5)  # the budget is spent while this one is asked
        return Response(status=204)

    srv.expect_request("/slow").respond_with_handler(slow)
    links = "".join(f"- [{i}]({srv.url_for('/slow')}?n={i})\n" for i in range(3))
    path = write(tmp_path, links, "online: {budget: 1s, per_host: 1, accept: [200]}\n")
    code, out, err = run(
        ["check", "--online", "--no-cache", "--select=BL016", "--output-format=json", str(path)],
        capsys,
    )
    assert code == 1
    # The two asked within the budget are reported; the third is not called dead.
    assert [d["line"] for d in json.loads(out)] == [1, 2]
    assert "time budget (1 s) spent: 1 URL(s) not checked" in err
    assert len(srv.log) == 2


def test_cache_entries_expire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing_lint.online.cache import ResultCache
    from briefing_lint.online.results import Hop, LinkResult

    cache = ResultCache(tmp_path, ttl=3600)
    cache.put_link(LinkResult("https://a.example/", (Hop("https://a.example/", 404),)))
    cache.put_link(LinkResult("https://b.example/", (Hop("https://b.example/", 503),)))
    cache.put_link(LinkResult("https://c.example/", error="timeout"))
    assert cache.save() is None
    fresh = ResultCache(tmp_path, ttl=3600)
    assert fresh.link("https://a.example/") is not None
    assert fresh.link("https://b.example/") is None  # 5xx and timeouts are not kept
    assert fresh.link("https://c.example/") is None
    assert ResultCache(tmp_path, ttl=3600, read=False).link("https://a.example/") is None
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    assert ResultCache(tmp_path, ttl=3600).link("https://a.example/") is None


def test_a_busy_host_does_not_hold_slots_of_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], srv: HTTPServer
) -> None:
    order: list[str] = []

    def slow(request: Request) -> Response:
        order.append(request.args["n"])
        time.sleep(0.1)
        return Response("ok")

    srv.expect_request("/many").respond_with_handler(slow)
    busy = "".join(f"- [{i}]({srv.url_for('/many')}?n={i})\n" for i in range(6))
    other = f"- [other](http://localhost:{srv.port}/many?n=other)\n"
    config = "online: {per_host: 1, concurrency: 2}\n"
    code, _ = check_json(write(tmp_path, busy + other, config), capsys, "--select=BL016")
    assert code == 0 and len(order) == 7
    # Tasks queued for the busy host hold no global slot: the other host goes at once,
    # not after the six (the URLs are taken in sorted order, 127.0.0.1 before localhost).
    assert order.index("other") <= 2, order


def test_cache_file_that_is_a_link_is_neither_read_nor_replaced(tmp_path: Path) -> None:
    from briefing_lint.online.cache import FILE_NAME, ResultCache
    from briefing_lint.online.results import Hop, LinkResult

    elsewhere = tmp_path / "elsewhere.json"
    good = {"at": time.time(), "chain": [["https://a.example/", 200]], "error": "", "detail": ""}
    entry = {"schema": 1, "links": {"https://a.example/": {**good, "soft_404": ""}}}
    elsewhere.write_text(json.dumps(entry), encoding="utf-8")
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / FILE_NAME).symlink_to(elsewhere)
    cache = ResultCache(folder, ttl=3600)
    assert cache.link("https://a.example/") is None  # not followed
    cache.put_link(LinkResult("https://b.example/", (Hop("https://b.example/", 404),)))
    problem = cache.save()
    assert problem is not None and "not a regular file" in problem
    assert json.loads(elsewhere.read_text(encoding="utf-8")) == entry
    assert (folder / FILE_NAME).is_symlink()
