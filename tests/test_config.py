from __future__ import annotations

from pathlib import Path

import pytest

from briefing_lint.cli import main
from briefing_lint.config import Config, ConfigError, ConfigResolver, find_config_file


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_select_default_enabled_rules() -> None:
    assert "BL010" in Config().selected_codes()


def test_codes_and_names_in_either_case() -> None:
    cfg = Config.from_dict({"select": ["link-text-whitespace"]})
    assert cfg.selected_codes() == ["BL010", "BL015"]
    cfg = Config.from_dict({"select": ["ALL"], "ignore": ["link_text_whitespace"]})
    assert "BL010" not in cfg.selected_codes()


def test_kebab_and_snake_keys() -> None:
    a = Config.from_dict({"extend-select": ["BL010"], "rules": {"BL010": {"images": True}}})
    b = Config.from_dict({"extend_select": ["BL010"], "rules": {"bl010": {"images": True}}})
    assert a.extend_select == b.extend_select
    assert a.rules["BL010"].options == b.rules["BL010"].options == {"images": True}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"no_such_key": 1}, "no_such_key"),
        ({"rules": {"BL010": {"no_such_option": 1}}}, "rules.BL010.no_such_option"),
        ({"rules": {"BL010": {"images": "yes"}}}, "rules.BL010.images"),
        ({"rules": {"BL999": {}}}, "rules.BL999"),
        ({"select": ["nope"]}, "select"),
        ({"fail-on": "fatal"}, "fail-on"),
        ({"rules": {"BL010": {"severity": "loud"}}}, "rules.BL010.severity"),
        ({"per-file-ignores": {"a/*": ["BL998"]}}, "per-file-ignores.a/*"),
    ],
)
def test_bad_values_name_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict(data, source="cfg.yaml")
    assert err.value.key == key
    assert str(err.value).startswith(f"cfg.yaml: {key}:")


def test_nearest_file_wins_and_pyproject_needs_table(tmp_path: Path) -> None:
    write(tmp_path / ".briefing-lint.yaml", "ignore: [BL010]\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname='x'\n")
    write(
        tmp_path / "sub" / "deeper" / "pyproject.toml", "[tool.briefing-lint]\nfail-on = 'error'\n"
    )
    assert find_config_file(tmp_path / "sub") == tmp_path / ".briefing-lint.yaml"
    assert (
        find_config_file(tmp_path / "sub" / "deeper")
        == tmp_path / "sub" / "deeper" / "pyproject.toml"
    )
    resolver = ConfigResolver()
    near = resolver.for_path(tmp_path / "sub" / "deeper" / "a.md")
    assert near.fail_on.value == "error" and near.ignore == ()
    assert resolver.for_path(tmp_path / "sub" / "a.md").ignore == ("BL010",)


def test_extend_merges_rules_per_option(tmp_path: Path) -> None:
    write(
        tmp_path / "base.yaml", "rules:\n  BL010: {images: true, severity: info}\nignore: [BL010]\n"
    )
    child = write(
        tmp_path / "d" / ".briefing-lint.yaml",
        "extend: ../base.yaml\nrules:\n  BL010: {severity: error}\n",
    )
    cfg = Config.from_file(child)
    assert cfg.rules["BL010"].options == {"images": True}
    assert cfg.rules["BL010"].severity is not None and cfg.rules["BL010"].severity.value == "error"
    assert cfg.ignore == ("BL010",)
    assert cfg.provenance["rules.BL010.severity"] == str(child)
    assert cfg.provenance["rules.BL010.images"] == str((tmp_path / "base.yaml").resolve())


def test_exclude_and_per_file_ignores_relative_to_config(tmp_path: Path) -> None:
    cfg_file = write(
        tmp_path / ".briefing-lint.yaml",
        "exclude: ['drafts/']\nper-file-ignores: {'archive/**': [link-text-whitespace]}\n",
    )
    cfg = Config.from_file(cfg_file)
    assert cfg.is_excluded(tmp_path / "drafts" / "a.md")
    assert not cfg.is_excluded(tmp_path / "a.md")
    assert cfg.ignored_for(tmp_path / "archive" / "2024" / "a.md") == {"BL010"}
    assert cfg.ignored_for(tmp_path / "a.md") == set()


def test_invalid_yaml_and_non_utf8(tmp_path: Path) -> None:
    bad = write(tmp_path / "a.yaml", "rules: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        Config.from_file(bad)
    raw = tmp_path / "b.yaml"
    raw.write_bytes(b"select: [\xff]\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        Config.from_file(raw)


def test_yaml_is_safe_loaded(tmp_path: Path) -> None:
    evil = write(tmp_path / "e.yaml", "select: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        Config.from_file(evil)


def test_circular_extend(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extend: b.yaml\n")
    write(tmp_path / "b.yaml", "extend: a.yaml\n")
    with pytest.raises(ConfigError, match="circular"):
        Config.from_file(tmp_path / "a.yaml")


def test_items_setting_reaches_every_item_rule() -> None:
    from briefing_lint.registry import rules_by_code

    cfg = Config.from_dict(
        {
            "items": {"shapes": "headings", "heading-level": 2},
            "rules": {"BL005": {"items": "paragraphs"}},
        }
    )
    for code in ("BL002", "BL003", "BL006"):
        options = cfg.options_for(rules_by_code()[code].meta())
        assert (options["items"], options["item_heading_level"]) == ("headings", 2)
    assert cfg.options_for(rules_by_code()["BL005"].meta())["items"] == "paragraphs"
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"items": {"shapes": "tables"}}, source="c.yaml")
    assert err.value.key == "items.shapes"


def test_too_deep_is_reported_whatever_is_selected() -> None:
    assert Config.from_dict({"select": ["BL001"]}).selected_codes() == ["BL001", "BL015"]
    assert (
        "BL015"
        not in Config.from_dict({"select": ["BL001"], "ignore": ["too-deep"]}).selected_codes()
    )
    assert (
        "BL015" not in Config.from_dict({"rules": {"BL015": {"enabled": False}}}).selected_codes()
    )


def test_severity_per_kind_of_finding() -> None:
    from briefing_lint import lint_text

    text = "![](https://example.org/a.png)\n![](http://mmbiz.qpic.cn/x/640?wx_fmt=png)\n"
    base = {d.kind: d.severity.value for d in lint_text(text, {"select": ["BL004"]})}
    assert base["alt-missing"] == "info"
    cfg = {"select": ["BL004"], "rules": {"BL004": {"severity": {"alt-missing": "error"}}}}
    got = {d.kind: d.severity.value for d in lint_text(text, cfg)}
    assert got["alt-missing"] == "error"
    assert {k: v for k, v in got.items() if k != "alt-missing"} == {
        k: v for k, v in base.items() if k != "alt-missing"
    }
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"rules": {"BL004": {"severity": {"nope": "error"}}}}, source="c.yaml")
    assert err.value.key == "rules.BL004.severity.nope"


def test_every_config_error_is_reported_at_once_with_suggestions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text(
        "fail-onn: error\nslect: [BL001]\nrules:\n  tracking-param: {severity: info}\n"
        "  BL010: {imagez: true}\n  BL003: {scope: everywhere}\n",
        encoding="utf-8",
    )
    (tmp_path / "a.md").write_text("# x\n", encoding="utf-8")
    assert main(["--no-cache", str(tmp_path / "a.md")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 4)[4] for line in lines] == [
        "unknown key; did you mean 'fail-on'?",
        "unknown key; did you mean 'select'?",
        "unknown rule; did you mean 'tracking-params'?",
        "unknown option; did you mean 'images'?",
        "expected one of auto, section, document, got 'everywhere'",
    ]
    assert all(line.startswith(f"briefing-lint: error: {tmp_path}") for line in lines)
