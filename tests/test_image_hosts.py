"""BL004 severities and helpers, and the severities of BL007-BL009 (fixtures show no severity)."""

from __future__ import annotations

import pytest

from briefing_lint import lint_text
from briefing_lint.config import ConfigError
from briefing_lint.diagnostics import Applicability, Severity
from briefing_lint.rules.image_hosts import drop_query_params, image_data

SEED = (
    "![](https://gitee.com/lebhoryi/PicGoPictureBed/raw/master/img/20210305165758.png)\n"
    "![图片](https://mmbiz.qpic.cn/mmbiz_gif/KmXPAbCd/640?wx_fmt=gif&tp=webp&wxfrom=5&wx_lazy=1)\n"
)


def kinds(text: str, code: str = "BL004", **options: object) -> list[tuple[str, Severity, bool]]:
    config = {"select": [code], "rules": {code: options}}
    return [(d.kind, d.severity, d.fix is not None) for d in lint_text(text, config)]


def test_seed_images_are_errors() -> None:
    found = kinds(SEED)
    assert ("block", Severity.ERROR, False) in found
    assert found.count(("block", Severity.ERROR, False)) == 2
    assert ("alt-missing", Severity.INFO, False) in found
    assert ("alt-default", Severity.INFO, False) in found
    params = [d for d in lint_text(SEED, {"select": ["BL004"]}) if d.kind == "wechat-params"]
    assert len(params) == 1 and params[0].fix is not None
    assert params[0].fix.applicability is Applicability.UNSAFE


def test_ordinary_cdn_is_silent() -> None:
    assert kinds("![模型结构图](https://img.example.com/a.png)\n") == []


def test_no_referrer_lowers_one_step() -> None:
    html = '<img src="https://cdn.nlark.com/y/a.png" referrerpolicy="no-referrer" alt="流程">\n'
    assert kinds(html) == [("block", Severity.WARNING, False)]
    downgrade = html.replace("no-referrer", "no-referrer-when-downgrade")
    assert kinds(downgrade) == [("block", Severity.ERROR, False)]
    csdn = html.replace("cdn.nlark.com", "img-blog.csdnimg.cn")
    assert kinds(csdn) == [("unreliable", Severity.INFO, False)]


def test_user_severity_override_wins() -> None:
    config = {"select": ["BL004"], "rules": {"BL004": {"severity": "info"}}}
    assert {d.severity for d in lint_text(SEED, config)} == {Severity.INFO}


def test_http_fix_only_for_known_hosts() -> None:
    assert kinds("![图](http://cdn.beekka.com/a.png)\n") == [("http", Severity.WARNING, True)]
    assert kinds("![图](http://henjay.example.com/a.png)\n") == [("http", Severity.WARNING, False)]


def test_generic_severities_and_targets() -> None:
    assert kinds("![图](C:\\Users\\me\\a.png)\n") == [("local-path", Severity.ERROR, False)]
    data = "![图](data:image/png;base64,iVBORw0KGgo=)\n"
    assert kinds(data) == [("data-uri", Severity.WARNING, False)]
    assert kinds(data, publish_target="github") == [("data-uri", Severity.ERROR, False)]
    relative = "![图](images/a.png)\n"
    assert kinds(relative) == [("relative", Severity.INFO, False)]
    assert kinds(relative, publish_target="wechat") == [("relative", Severity.ERROR, False)]
    assert kinds(relative, publish_target="github") == []
    page = "![文](https://mp.weixin.qq.com/s/AbCd)\n"
    assert kinds(page) == [("is-page", Severity.ERROR, False)]


def test_alt_severity_options() -> None:
    text = "![](https://img.example.com/a.png)\n![image](https://img.example.com/b.png)\n"
    assert kinds(text, alt_missing="warning", alt_default=False) == [
        ("alt-missing", Severity.WARNING, False)
    ]


def test_bad_user_policy_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"host_policies\[0\]"):
        kinds(SEED, host_policies=[{"match": "x.example", "status": "maybe"}])


def test_builtin_table_parses() -> None:
    data = image_data()
    assert any(p.status == "block" for p in data.hosts)
    assert all(p.reason for p in data.hosts)


@pytest.mark.parametrize(
    ("raw", "expected", "removed"),
    [
        (
            "https://mmbiz.qpic.cn/a/640?wx_fmt=gif&tp=webp&wxfrom=5&wx_lazy=1",
            "https://mmbiz.qpic.cn/a/640?wx_fmt=gif",
            ["tp=webp", "wxfrom=5", "wx_lazy=1"],
        ),
        (
            "https://mmbiz.qpic.cn/a/640?tp=webp&amp;wx_fmt=png&amp;wx_co=1#imgIndex=0",
            "https://mmbiz.qpic.cn/a/640?wx_fmt=png#imgIndex=0",
            ["tp=webp", "wx_co=1"],
        ),
        ("https://mmbiz.qpic.cn/a/0?tp=webp", "https://mmbiz.qpic.cn/a/0", ["tp=webp"]),
        (
            "https://mmbiz.qpic.cn/a/0?wx_fmt=png&from=appmsg&x=%3D%3D",
            "https://mmbiz.qpic.cn/a/0?wx_fmt=png&x=%3D%3D",
            ["from=appmsg"],
        ),
        ("https://mmbiz.qpic.cn/a/0?wx_fmt=png&from=other", None, []),
    ],
)
def test_drop_query_params(raw: str, expected: str | None, removed: list[str]) -> None:
    noise = image_data().wechat_noise
    new, dropped = drop_query_params(raw, noise)
    assert new == (raw if expected is None else expected)
    assert dropped == removed


@pytest.mark.parametrize(
    ("code", "text", "severity"),
    [
        ("BL007", "详见https://mp.weixin.qq.com/s/AbCd）。\n", Severity.ERROR),
        ("BL008", "[“标题”]（https://example.org/a）\n", Severity.ERROR),
        ("BL009", "2024. 年度回顾\n", Severity.WARNING),
    ],
)
def test_link_hygiene_severities(code: str, text: str, severity: Severity) -> None:
    assert [d.severity for d in lint_text(text, {"select": [code]})] == [severity]
