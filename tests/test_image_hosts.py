"""BL004 severities and helpers, and the severities of BL007-BL009 (fixtures show no severity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing_lint import lint_text
from briefing_lint.api import lint_paths
from briefing_lint.cli import main
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
    assert kinds(relative) == []  # the author's own file: only a missing one is reported
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


# -- local images ---------------------------------------------------------------------------

ISSUE = """# 第 3 期

## 1、[某框架发布](https://example.org/news/framework)

![架构图](assets/arch.png)
![流程图](./assets/flow%20chart.png?v=2#dark)
![截图](../shared/shot.png)
![缺失](assets/missing.png)
![站点图](/img/logo.png)
![站点缺图](/img/gone.png)
![资源目录](cover.png)
![模板]({{ site.baseurl }}/img/x.png)
![别名](@site/static/img/x.png)
<img src="assets/gone.png" alt="缺">
"""


def _tree(tmp_path: Path) -> Path:
    for name in (
        "site/docs/assets/arch.png",
        "site/docs/assets/flow chart.png",
        "site/shared/shot.png",
        "site/static/img/logo.png",
        "site/docs/issue-3/cover.png",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    doc = tmp_path / "site/docs/issue-3.md"
    doc.write_text(ISSUE, encoding="utf-8")
    return doc


def _missing(results: list, text: str) -> list[str]:  # type: ignore[type-arg]
    out = []
    for result in results:
        for d in result.diagnostics:
            if d.kind == "missing-local-image":
                out.append(text[d.span.start : d.span.end])
    return out


def test_local_images_are_looked_up_next_to_the_file(tmp_path: Path) -> None:
    doc = _tree(tmp_path)
    results = lint_paths([doc], {"select": ["BL004"]})
    # Root-relative paths are not checked without a site root; the asset folder counts.
    assert _missing(results, ISSUE) == ["assets/missing.png", "assets/gone.png"]
    found = [d for d in results[0].diagnostics if d.kind == "missing-local-image"]
    assert {d.severity for d in found} == {Severity.WARNING}
    assert all(d.fix is None for d in found)


def test_site_root_resolves_root_relative_images(tmp_path: Path) -> None:
    doc = _tree(tmp_path)
    config = tmp_path / "site/.briefing-lint.yaml"
    config.write_text("select: [BL004]\nimages:\n  site_root: static/\n", encoding="utf-8")
    from briefing_lint.config import Config

    results = lint_paths([doc], Config.from_file(config))
    assert _missing(results, ISSUE) == ["assets/missing.png", "/img/gone.png", "assets/gone.png"]
    message = next(d.message for d in results[0].diagnostics if "/img/gone.png" in d.message)
    assert "static" in message and "gone.png" in message


def test_site_root_as_rule_option(tmp_path: Path) -> None:
    doc = _tree(tmp_path)
    config = tmp_path / "site/.briefing-lint.yaml"
    config.write_text("rules:\n  BL004: {site_root: static}\n", encoding="utf-8")
    from briefing_lint.config import Config

    results = lint_paths([doc], Config.from_file(config))
    assert "/img/gone.png" in _missing(results, ISSUE)


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("images:\n  site_root: nowhere/\n", "images.site_root"),
        ("images:\n  site_root: 3\n", "images.site_root"),
        ("images:\n  root: static/\n", "images.root"),
        ("images: static/\n", "images"),
        ("rules:\n  BL004: {site_root: nowhere}\n", "rules.BL004.site_root"),
    ],
)
def test_bad_site_root_exits_2_naming_the_key(
    tmp_path: Path, yaml_text: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _tree(tmp_path)
    (tmp_path / "site/.briefing-lint.yaml").write_text(yaml_text, encoding="utf-8")
    assert main(["check", "--no-cache", str(doc)]) == 2
    err = capsys.readouterr().err
    assert f"{key}:" in err and ".briefing-lint.yaml" in err


def test_stdin_local_images_are_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _tree(tmp_path)
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(ISSUE))
    main(["check", "--select", "BL004", "--output-format", "json", "-"])
    assert "does not exist" not in capsys.readouterr().out
    assert "does not exist" not in str(lint_text(ISSUE, {"select": ["BL004"]}, path=str(doc)))


def test_cache_entry_follows_the_referenced_files(tmp_path: Path) -> None:
    doc = _tree(tmp_path)
    cache = tmp_path / "cache"
    args = ["check", "--select", "BL004", "--cache-dir", str(cache), "--exit-zero", str(doc)]

    def missing(capsys_out: str) -> int:
        return capsys_out.count("does not exist")

    import contextlib
    import io

    def run() -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(args)
        return out.getvalue()

    assert missing(run()) == 2
    assert missing(run()) == 2  # warm: read from the cache
    (tmp_path / "site/docs/assets/missing.png").write_bytes(b"")
    assert missing(run()) == 1  # the file appeared: the entry is not reused
    (tmp_path / "site/docs/assets/arch.png").unlink()
    assert missing(run()) == 2


def test_images_in_a_missing_folder_are_not_reported(tmp_path: Path) -> None:
    # One issue copied out of its site: its image folders are not there, so nothing can
    # be said of the images; a missing file in a folder that exists is still reported.
    doc = tmp_path / "issue-7.md"
    doc.write_text(
        "# 第 7 期\n\n![封面](imgs/issue007/cover.png)\n\n![图](../assets/weekly.png)\n\n"
        "![本地](pics/typo.png)\n",
        encoding="utf-8",
    )
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics/photo.png").write_bytes(b"")
    results = lint_paths([doc], {"select": ["BL004"]})
    assert _missing(results, doc.read_text(encoding="utf-8")) == ["pics/typo.png"]
