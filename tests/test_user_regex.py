"""User regexes run on RE2: linear time for every pattern, ``re``'s meaning kept.

The patterns below once passed the shape checker that guarded Python's backtracking ``re``
and then ran for seconds on a line of a few dozen characters. With RE2 no pattern can; what
RE2 cannot run at all (lookaround, backreferences) is a config error naming the key.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from briefing_lint import Config, lint_text
from briefing_lint.cli import main
from briefing_lint.config import ConfigError
from briefing_lint.safe_regex import RegexError, compile_user_regex

# (pattern, adversarial text of 10,000 characters, a text it matches)
ADVERSARIAL = [
    (r"^(ж\w*)+$", "ж" * 9_999 + "!", "жжж"),  # non-ASCII
    (r"(?i)^(K[a-z]*)+$", "k" * 9_999 + "!", "Kkk"),  # inline flag
    (r"^(?:a+){2,60}$", "a" * 9_999 + "!", "aaaa"),  # bounded repeat
    (r"(.*)(.*)(.*)(.*)(.*)x", "y" * 10_000, "yyx"),  # groups
    (r"(a+)+$", "a" * 9_999 + "!", "aaa"),
    (r"(a|ab)*c", "ab" * 5_000, "abac"),
    (r".*.*.*.*x", "y" * 10_000, "yx"),
]


@pytest.mark.parametrize(("pattern", "attack", "example"), ADVERSARIAL)
def test_adversarial_patterns_run_in_linear_time(pattern: str, attack: str, example: str) -> None:
    regex = compile_user_regex(pattern)
    assert len(attack) == 10_000
    started = time.process_time()
    assert regex.search(attack) is None
    assert regex.fullmatch(attack) is None
    assert list(regex.finditer(attack)) == []
    assert time.process_time() - started < 0.5
    assert regex.search(example) is not None


BLOCKED = [
    (r"a(?=b)", "(?="),
    (r"(?<!x)y", "(?<"),
    (r"(a)\1", r"\1"),
    (r"(?P<n>a)(?P=n)", "(?P"),
    (r"a++", "++"),
    (r"(?>a+)b", "(?>"),
]


@pytest.mark.parametrize(("pattern", "why"), BLOCKED)
def test_what_re2_cannot_run_is_refused_with_its_reason(pattern: str, why: str) -> None:
    with pytest.raises(RegexError, match="RE2") as info:
        compile_user_regex(pattern)
    assert why in str(info.value)


def test_invalid_and_overlong_patterns_are_refused() -> None:
    with pytest.raises(RegexError, match="invalid pattern"):
        compile_user_regex("(unclosed")
    with pytest.raises(RegexError, match="longer than 500"):
        compile_user_regex("a" * 501)


@pytest.mark.parametrize(
    ("rules", "key"),
    [
        ({"BL002": {"patterns": ["(?<=来源)x"]}}, "rules.BL002.patterns"),
        ({"BL005": {"patterns": [r"(\d+)\1条"]}}, "rules.BL005.patterns"),
        ({"BL006": {"ignore": ["^example(?!\\.org)"]}}, "rules.BL006.ignore"),
        ({"BL001": {"remove_params": ["re:utm(?=_)"]}}, "rules.BL001.remove_params"),
        ({"BL001": {"allow_params": {"a.example": ["re:(x)\\1"]}}}, "rules.BL001.allow_params"),
        ({"BL004": {"allow_hosts": ["re:(?<!cdn\\.)example\\.org"]}}, "rules.BL004.allow_hosts"),
    ],
)
def test_unsupported_pattern_in_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: dict[str, object], key: str
) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text(json.dumps({"rules": rules}), encoding="utf-8")  # JSON is YAML
    page = tmp_path / "a.md"
    page.write_text("# x\n\n[t](https://a.example/?utm_source=1)\n", encoding="utf-8")
    assert main(["--no-cache", "--config", str(config), str(page)]) == 2
    err = capsys.readouterr().err
    assert f"{config}: {key}" in err and "RE2" in err, err
    assert "Traceback" not in err


def test_regex_list_options_are_checked_when_the_config_is_read() -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_dict({"rules": {"BL006": {"ignore": ["a(?=b)"]}}}, source="cfg.yaml")
    assert str(info.value).startswith("cfg.yaml: rules.BL006.ignore: pattern 'a(?=b)'")


# Every BMP character: RE2's Unicode tables are newer than some Pythons', so characters
# added lately (outside the BMP) may be classed differently; the rest must agree.
_BMP = "".join(chr(i) for i in range(0x10000) if not 0xD800 <= i <= 0xDFFF)


SHORTHANDS = [
    r"\d+",
    r"\D+",
    r"\s+",
    r"\S+",
    r"\w+",
    r"\W+",
    r"[\s\d]+",
    r"[^\w-]+",
    r"[^\S\n]+",
    r"[\W\d]+",
    r"(?i)[^\Sa]+",
]


@pytest.mark.parametrize("pattern", SHORTHANDS)
def test_shorthand_classes_mean_what_they_mean_in_re(pattern: str) -> None:
    expected = [m.span() for m in re.finditer(pattern, _BMP)]
    assert [m.span() for m in compile_user_regex(pattern).finditer(_BMP)] == expected


@pytest.mark.parametrize(
    ("pattern", "flags", "text", "found"),
    [
        (r"\s*[|｜]\s*(?P<name>\w+)", 0, "标题\u3000｜\u3000机器之心", "\u3000｜\u3000机器之心"),
        (r"[\u4e00-\u9fff]+", 0, "ab中文cd", "中文"),
        (r"\N{FULLWIDTH COLON}\s*x", 0, "a： x", "： x"),
        (r"ab\Z", 0, "ab\n", None),
        (r"ab\Z", 0, "xab", "ab"),
        (r"a{,2}b", 0, "aaab", "aab"),
        (r"UTM_\w+", re.IGNORECASE, "?utm_source=x", "utm_source"),
        (r"^b", re.MULTILINE, "a\nb", "b"),
        (r"a.b", re.DOTALL, "a\nb", "a\nb"),
        (r"\：", 0, "a：", "："),
        (r"[]a]+", 0, "x]a]", "]a]"),
    ],
)
def test_python_syntax_keeps_its_meaning(
    pattern: str, flags: int, text: str, found: str | None
) -> None:
    match = compile_user_regex(pattern, flags).search(text)
    assert (None if match is None else match.group()) == found
    python = re.search(pattern, text, flags)
    assert (None if python is None else python.group()) == found


def test_matches_answer_like_re_matches() -> None:
    regex = compile_user_regex(r"(?P<count>\d+)\s*(?P<unit>条)(?P<kind>x)?")
    match = regex.search("共 12 条")
    assert match is not None
    assert match.span("count") == (2, 4) and match.start("unit") == 5 and match.end() == 6
    assert match.group("count", "unit") == ("12", "条")
    assert match.groupdict() == {"count": "12", "unit": "条", "kind": None}
    assert "kind" in match.re.groupindex and regex.groups == 3
    assert [m.group() for m in regex.finditer("1条 2条")] == ["1条", "2条"]
    assert compile_user_regex(r"\d") is compile_user_regex(r"\d")


def test_user_patterns_drive_the_rules() -> None:
    text = (
        "# 1. [甲](https://example.org/news/sponsor)\n\n"
        "# 2. [甲 again](https://example.org/news/sponsor)\n"
    )
    assert any(d.code == "BL006" for d in lint_text(text, {"select": ["BL006"]}))
    ignored = {
        "select": ["BL006"],
        "rules": {"BL006": {"ignore": [r"^example\.org/news/spon\w+$"]}},
    }
    assert not lint_text(text, ignored)
