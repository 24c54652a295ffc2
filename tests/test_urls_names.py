"""The newsletter's own campaign tags: names from the config, detected per file and per run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing_lint import Config, lint_text
from briefing_lint.cli import main
from briefing_lint.config import ConfigError
from briefing_lint.urls import name_key, plausible_name, site_of

ROOT = Path(__file__).resolve().parents[1]


def _issue(site: str, tag: str = "weekly-digest") -> str:
    return f"# Issue\n\n- [Story](https://{site}/post?utm_source={tag}&utm_medium=email)\n"


def _check_json(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    main(["check", "--no-cache", "--exit-zero", "--output-format", "json", *map(str, paths)])
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("This Week in Rust", "thisweekinrust"),
        ("this-week-in-rust", "thisweekinrust"),
        ("www.ThisWeekInRust.com", "thisweekinrust"),
        ("rust_weekly", "rustweekly"),
        ("Rust%20Weekly", "rustweekly"),
        ("ruanyifeng.com", "ruanyifeng"),
    ],
)
def test_names_compare_without_case_separators_and_domain_affixes(written: str, key: str) -> None:
    assert name_key(written) == key


def test_channel_words_and_numbers_are_not_names() -> None:
    assert not plausible_name(name_key("email"))
    assert not plausible_name(name_key("press_release"))
    assert not plausible_name(name_key("20191111"))
    assert plausible_name(name_key("weekly-digest"))


def test_sites_count_subdomains_once() -> None:
    assert site_of("docs.example.org") == site_of("www.example.org") == "example.org"
    assert site_of("news.example.co.uk") == "example.co.uk"


def test_the_same_tag_over_three_files_is_dropped_run_wide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One site per file: no file alone shows the name; the run does.
    files = []
    for i, site in enumerate(["alpha.example", "beta.example", "gamma.example"]):
        f = tmp_path / f"issue-{i}.md"
        f.write_text(_issue(site), encoding="utf-8")
        files.append(f)
    alone = _check_json(files[:1], capsys)
    assert [d["code"] for d in alone] == ["BL001"]
    together = _check_json(files, capsys)
    assert [d for d in together if d["code"] == "BL001"] == []


def test_run_wide_detection_leaves_other_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    for i, site in enumerate(["alpha.example", "beta.example", "gamma.example"]):
        f = tmp_path / f"issue-{i}.md"
        f.write_text(_issue(site), encoding="utf-8")
        files.append(f)
    other = tmp_path / "other.md"
    other.write_text(
        "- [a](https://delta.example/?utm_source=weekly-digest&fbclid=IwAR0)\n"
        "- [b](https://epsilon.example/?utm_source=someone-else)\n",
        encoding="utf-8",
    )
    found = _check_json([*files, other], capsys)
    messages = sorted(str(d["message"]) for d in found if d["code"] == "BL001")
    # The mixed finding (an identifying key too) is kept, as is the unrelated tag.
    assert messages == [
        "`delta.example` link: remove identifying `fbclid`; tracking `utm_source`",
        "`epsilon.example` link: remove tracking `utm_source`",
    ]


def test_newsletter_names_config_key(tmp_path: Path) -> None:
    config = Config.from_dict({"newsletter": {"names": ["weekly-digest"]}})
    assert lint_text(_issue("alpha.example"), config) == []
    assert config.provenance["newsletter.names"] == "<config>"
    plain = lint_text(_issue("alpha.example"), Config.from_dict({}))
    assert [d.code for d in plain] == ["BL001"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"newsletter": {"names": 3}}, "newsletter.names"),
        ({"newsletter": {"names": ["--"]}}, "newsletter.names"),
        ({"newsletter": {"nmes": ["a"]}}, "newsletter.nmes"),
        ({"newsletter": ["a"]}, "newsletter"),
        ({"rules": {"BL001": {"newsletter_names": [".."]}}}, "rules.BL001.newsletter_names[0]"),
        ({"rules": {"BL001": {"detect_names": -1}}}, "rules.BL001.detect_names"),
    ],
)
def test_bad_names_are_config_errors_naming_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data)
    assert info.value.key == key


def test_bad_names_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".briefing-lint.yaml").write_text("newsletter:\n  names: 3\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(_issue("alpha.example"), encoding="utf-8")
    assert main(["check", "--no-cache", str(tmp_path)]) == 2
    assert "newsletter.names" in capsys.readouterr().err


def test_config_command_shows_configured_and_detected_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / ".briefing-lint.yaml"
    cfg.write_text("newsletter:\n  names: [Rust Weekly]\n", encoding="utf-8")
    for i, site in enumerate(["alpha.example", "beta.example", "gamma.example"]):
        (tmp_path / f"issue-{i}.md").write_text(_issue(site, "digest-x"), encoding="utf-8")
    assert main(["config", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"- Rust Weekly\n    from: {cfg}" in out
    assert "detected:\n    digestx:\n      from: tags links to 3 sites in 3 file(s)" in out


def test_sample_briefing_keeps_its_bl001_findings() -> None:
    text = (ROOT / "examples" / "sample-briefing.md").read_text(encoding="utf-8")
    found = [d for d in lint_text(text) if d.code == "BL001"]
    assert len(found) == 3
    assert all(d.fix is not None for d in found)
