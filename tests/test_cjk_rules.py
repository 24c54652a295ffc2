"""The CJK typography rules (BL017-BL019) over their fixtures and, when
``BRIEFING_LINT_CORPUS`` is set, over a corpus:

* BL019's fix makes the emphasis render: before the fix the markers are literal text, after
  it markdown-it puts ``<strong>``/``<em>``/``<del>``/``<s>`` around the same text;
* fixing changes no URL, no code and no HTML byte (the tags BL019 adds aside), and a second
  fix changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.document import Document, index
from briefing_lint.fixer import apply_edits
from briefing_lint.parser import markdown
from briefing_lint.registry import rules_by_code

from . import fixturefile

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
CORPUS = os.environ.get("BRIEFING_LINT_CORPUS", "")
CODES = [c for c in ("BL017", "BL018", "BL019") if c in rules_by_code()]
#: The tags BL019's fixes write; everything else in HTML must stay byte for byte.
_FIX_TAGS = frozenset(["<strong>", "</strong>", "<em>", "</em>", "<del>", "</del>"])
_EMPHASIS = re.compile(r"<(strong|em|del|s)>([^<]*)</\1>")


def _fixture_texts(code: str) -> list[tuple[str, str, str]]:
    """(case title, options yaml, input) of every case of ``code``'s fixture file."""
    path = FIXTURES / f"{code}.txt"
    if not path.is_file():
        return []
    return [(c.title, c.sections.get("options", ""), c.input) for c in fixturefile.parse(path)]


def _corpus_texts() -> list[tuple[str, str]]:
    if not CORPUS:
        return []
    root = Path(CORPUS)
    return [
        (str(p), p.read_text(encoding="utf-8", errors="replace"))
        for p in sorted(root.rglob("*.md"))
    ]


def protected(text: str) -> dict[str, list[str]]:
    """URLs (as written), inline code, code blocks, front matter and HTML of ``text``."""
    doc = Document(text)
    out: dict[str, list[str]] = {"url": [], "code": [], "verbatim": [], "html": []}
    for link in index(doc).links:
        if link.kind != "reference":
            out["url"].append(doc.source[link.dest_span.start : link.dest_span.end])
    for block in doc.inline_blocks:
        for token in block.children:
            if token.type == "code_inline":
                out["code"].append(token.markup + token.content)
            elif token.type == "html_inline" and token.content not in _FIX_TAGS:
                out["html"].append(token.content)
    for token in doc.tokens:
        if token.type in ("fence", "code_block", "front_matter"):
            out["verbatim"].append(token.info + token.content)
        elif token.type == "html_block":
            out["html"].append(token.content)
    return out


def _config(code: str, options: str = "") -> Config:
    import yaml

    data: dict[str, object] = {"select": [code]}
    data.update(yaml.safe_load(options) or {})
    return Config.from_dict(data)


def _check_protected(code: str, text: str, config: Config, where: str) -> None:
    for unsafe in (False, True):
        first = fix_text(text, config, unsafe=unsafe)
        assert not first.refused, f"{where}: {first.refused}"
        if first.text == text:
            continue
        assert protected(first.text) == protected(text), f"{where}: {code} changed a URL/code/HTML"
        second = fix_text(first.text, config, unsafe=unsafe)
        assert second.text == first.text, f"{where}: a second {code} fix changed the text"


@pytest.mark.parametrize("code", CODES)
def test_fixes_keep_urls_code_and_html_on_fixtures(code: str) -> None:
    cases = _fixture_texts(code)
    assert cases
    changed = 0
    for title, options, text in cases:
        config = _config(code, options)
        _check_protected(code, text, config, f"{code}: {title}")
        changed += fix_text(text, config, unsafe=True).text != text
    assert changed, "no fixture case is fixed: the test would prove nothing"


@pytest.mark.skipif(not CORPUS, reason="BRIEFING_LINT_CORPUS is not set")
@pytest.mark.parametrize("code", CODES)
def test_fixes_keep_urls_code_and_html_on_corpus(code: str) -> None:
    config = _config(code)
    for path, text in _corpus_texts():
        _check_protected(code, text, config, path)


def _emphasised(html: str) -> list[str]:
    return [m.group(2) for m in _EMPHASIS.finditer(html)]


def _check_renders(text: str, options: str, where: str) -> int:
    """Each BL019 fix, applied alone, turns its literal markers into rendered emphasis
    around the same text. Returns how many findings were checked."""
    md = markdown()
    config = _config("BL019", options)
    checked = 0
    for diagnostic in lint_text(text, config):
        assert diagnostic.fix is not None, f"{where}: finding without a fix"
        span = diagnostic.span
        snippet = text[span.start : span.end]
        marker = str(diagnostic.data["marker"])
        inner = snippet[len(marker) : -len(marker)]
        fixed = apply_edits(text, list(diagnostic.fix.edits))
        before, after = md.render(text), md.render(fixed)
        rendered_inner = md.renderInline(inner)
        assert rendered_inner not in _emphasised(before), f"{where}: rendered already"
        new = _emphasised(after)
        # The fix may move punctuation out of the markers (fix_style: markdown): the
        # emphasised text is then the inner text less that punctuation.
        assert any(e and e in rendered_inner for e in new), f"{where}: {snippet!r} not rendered"
        if diagnostic.fix.applicability.value == "safe":
            assert rendered_inner in new, f"{where}: {snippet!r} renders other text"
        checked += 1
    return checked


def test_bl019_fix_renders_the_emphasis_on_fixtures() -> None:
    checked = sum(
        _check_renders(text, options, f"BL019: {title}")
        for title, options, text in _fixture_texts("BL019")
    )
    assert checked >= 10


@pytest.mark.skipif(not CORPUS, reason="BRIEFING_LINT_CORPUS is not set")
def test_bl019_fix_renders_the_emphasis_on_corpus() -> None:
    checked = 0
    for path, text in _corpus_texts():
        checked += _check_renders(text, "", path)
        checked += _check_renders(text, "rules: {BL019: {fix_style: markdown}}", path)
    assert checked


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"keep": [""]}, "rules.BL017.keep[0]"),
        ({"exceptions": ["km", 5]}, "rules.BL017.exceptions[1]"),
        ({"style": "spaces"}, "rules.BL017.style"),
    ],
)
def test_bl017_bad_options_name_the_key(options: dict[str, object], key: str) -> None:
    from briefing_lint.config import ConfigError

    with pytest.raises(ConfigError, match=re.escape(key)):
        Config.from_dict({"rules": {"BL017": options}})


@pytest.mark.parametrize(
    ("style", "text", "fixed"),
    [
        ("space", "新出iPhone15和Go 1.22版", "新出 iPhone15 和 Go 1.22 版"),
        ("no-space", "新出 iPhone15 和 Go 1.22 版", "新出iPhone15和Go 1.22版"),
    ],
)
def test_bl017_styles_are_inverse(style: str, text: str, fixed: str) -> None:
    config = _config("BL017", f"rules: {{BL017: {{style: {style}}}}}")
    assert fix_text(text, config).text == fixed
    other = "no-space" if style == "space" else "space"
    back = _config("BL017", f"rules: {{BL017: {{style: {other}}}}}")
    assert fix_text(fixed, back).text == text
