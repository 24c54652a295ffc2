"""The language server's pieces that need no client: position conversion, edits, the
suppression comment, and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing_lint.api import lint_text
from briefing_lint.cli import main
from briefing_lint.server.adapter import (
    Linter,
    TextEdit,
    disable_line_edit,
    minimal_edit,
    rule_doc_uri,
    rule_hover,
)
from briefing_lint.server.positions import UTF8, UTF16, UTF32, LineIndex, units

from .lsptools import position

# "周" is one UTF-16 unit and three UTF-8 bytes; "🚀" (U+1F680) is two units and four bytes
LINE = "周报 🚀 [链接](https://example.org/?utm_source=x)"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [(UTF16, (0, 6)), (UTF8, (0, 12)), (UTF32, (0, 5))],
)
def test_position_after_cjk_and_an_astral_emoji(encoding: str, expected: tuple[int, int]) -> None:
    index = LineIndex(LINE, encoding)
    offset = LINE.index("[")  # after 5 code points: 周 报 space 🚀 space
    assert index.position(offset) == expected
    assert index.offset(*expected) == offset


def test_positions_on_later_lines_with_every_line_ending() -> None:
    text = "一\r\n二🚀\r三\n四"
    index = LineIndex(text, UTF16)
    assert index.line_count == 4
    assert index.position(text.index("二")) == (1, 0)
    assert index.position(text.index("\r三")) == (1, 3)  # end of line 1: 二 + 🚀 (2 units)
    assert index.position(text.index("三")) == (2, 0)
    assert index.position(text.index("四")) == (3, 0)
    assert index.position(len(text)) == (3, 1)
    # between \r and \n is not a protocol position: it is the end of the line's content
    assert index.position(1 + text.index("\r\n")) == (0, 1)


def test_offsets_are_clamped_as_the_protocol_asks() -> None:
    text = "a🚀b\nxy"
    index = LineIndex(text, UTF16)
    assert index.offset(0, 99) == text.index("\n")  # past the end of a line: its end
    assert index.offset(9, 0) == len(text)  # past the last line: the end of the text
    assert index.offset(0, 2) == 1  # inside the surrogate pair of 🚀: its start
    assert index.offset(0, 3) == 2
    assert LineIndex(text, UTF8).offset(0, 3) == 1  # inside its four UTF-8 bytes
    assert LineIndex(text, UTF8).offset(0, 5) == 2


def test_units_count_a_lone_surrogate_as_the_editor_does() -> None:
    assert units("a\ud800b", UTF16) == 3
    assert units("a\ud800b", UTF8) == 5
    with pytest.raises(ValueError, match="encoding"):
        units("é", "latin-1")


_TEXT = st.lists(
    st.sampled_from(["a", " ", "周", "。", "🚀", "😀", "é", "\n", "\r\n", "\r", "\t"]), max_size=40
).map("".join)


@given(_TEXT, st.data())
def test_round_trip_and_agreement_with_per_line_encoding(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n":
        offset -= 1  # inside a CRLF: not a position (tested above)
    for encoding in (UTF16, UTF8, UTF32):
        index = LineIndex(text, encoding)
        line, character = index.position(offset)
        expected = position(text, offset, encoding)
        assert (line, character) == (expected.line, expected.character)
        assert index.offset(line, character) == offset


def test_minimal_edit_covers_only_the_change_and_never_splits_crlf() -> None:
    assert minimal_edit("same", "same") is None
    assert minimal_edit("a?x=1 b", "a b") == TextEdit(1, 5, "")
    old, new = "a\r\nb", "a\r\nc"
    edit = minimal_edit(old, new)
    assert edit is not None
    assert old[: edit.start] + edit.text + old[edit.end :] == new
    edit = minimal_edit("x\r\n", "x\r\r\n")  # the common prefix ends between \r and \n
    assert edit is not None and not (edit.start and "x\r\n"[edit.start - 1] == "\r")
    assert "x\r\n"[: edit.start] + edit.text + "x\r\n"[edit.end :] == "x\r\r\n"


def _apply(text: str, edit: TextEdit) -> str:
    return text[: edit.start] + edit.text + text[edit.end :]


def test_disable_comment_suppresses_the_finding_on_its_line() -> None:
    text = "# 1. [🚀 标题](https://github.com/a/b?utm_source=x) | 来源\n\n正文\n"
    (finding,) = [d for d in lint_text(text) if d.code == "BL001"]
    fixed = _apply(text, disable_line_edit(text, finding.span.start, "BL001", mdx=False))
    assert fixed.splitlines()[0].endswith(" | 来源 <!-- briefing-lint-disable-line BL001 -->")
    assert [d.code for d in lint_text(fixed)] == []  # suppressed, and the comment is used


def test_disable_comment_keeps_a_hard_line_break() -> None:
    for ending in ("  ", "\\"):
        text = f"[a](https://github.com/a/b?utm_source=x){ending}\nnext\n"
        edit = disable_line_edit(text, text.index("https"), "BL001", mdx=False)
        fixed = _apply(text, edit)
        assert fixed.splitlines()[0].endswith(ending)
        assert "<br" in _html(fixed) and "<br" in _html(text)
        assert [d.code for d in lint_text(fixed)] == []


def test_disable_comment_in_mdx_uses_the_mdx_syntax() -> None:
    text = "[a](https://github.com/a/b?utm_source=x)\n"
    fixed = _apply(text, disable_line_edit(text, 4, "BL001", mdx=True))
    assert (
        fixed
        == "[a](https://github.com/a/b?utm_source=x) {/* briefing-lint-disable-line BL001 */}\n"
    )
    assert lint_text(fixed, path="a.mdx") == []


def _html(text: str) -> str:
    from markdown_it import MarkdownIt

    return str(MarkdownIt("commonmark").render(text))


def test_linter_offsets_count_a_leading_bom() -> None:
    text = "\ufeff[a](https://github.com/a/b?utm_source=x)\n"
    (finding,) = Linter().lint(text, None)
    assert text[finding.start : finding.end] == "https://github.com/a/b?utm_source=x"
    (edit,) = finding.fix_edits
    assert _apply(text, edit) == "\ufeff[a](https://github.com/a/b)\n"


def test_nearest_config_and_reload(tmp_path: Path) -> None:
    doc = tmp_path / "sub" / "a.md"
    doc.parent.mkdir()
    text = "[a](https://github.com/a/b?utm_source=x)\n"
    linter = Linter()
    assert [f.code for f in linter.lint(text, doc)] == ["BL001"]
    (tmp_path / ".briefing-lint.yaml").write_text("ignore: [BL001]\n", encoding="utf-8")
    assert [f.code for f in linter.lint(text, doc)] == ["BL001"]  # cached until told
    linter.reload_config()
    assert linter.lint(text, doc) == []


def test_rule_docs_for_hover_and_links() -> None:
    assert rule_hover("BL001").startswith("**BL001 tracking-params**: ")
    uri = rule_doc_uri("BL001")
    assert uri is not None and uri.endswith(("/BL001.md", "/BL001.yaml"))
    assert rule_doc_uri("BL999") is None


def test_check_does_not_import_the_server(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 标题\n", encoding="utf-8")
    code = (
        "import sys; from briefing_lint.cli import main; rc = main(['check', sys.argv[1]]); "
        "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.md")], capture_output=True, text=True
    )
    assert out.stdout.split("\n")[-2] == "0 []", out.stdout + out.stderr


def test_server_without_the_extra_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    monkeypatch.delitem(sys.modules, "briefing_lint.server.app", raising=False)
    monkeypatch.delitem(sys.modules, "briefing_lint.server.main", raising=False)
    assert main(["server"]) == 2
    assert "briefing-lint[lsp]" in capsys.readouterr().err


_PIECES = st.lists(st.sampled_from(["a", "b", "周", "🚀", "\r", "\n", "\r\n"]), max_size=12)


@given(_PIECES.map("".join), _PIECES.map("".join))
def test_minimal_edit_property(old: str, new: str) -> None:
    edit = minimal_edit(old, new)
    if old == new:
        assert edit is None
        return
    assert edit is not None
    assert old[: edit.start] + edit.text + old[edit.end :] == new
    for at in (edit.start, edit.end):  # both ends are protocol positions
        assert not (0 < at < len(old) and old[at - 1 : at + 1] == "\r\n")


def test_rule_doc_link_uses_the_repository_the_package_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import email.message

    from briefing_lint.server import adapter

    meta = email.message.Message()
    meta["Project-URL"] = "Documentation, https://docs.example.org/"
    meta["Project-URL"] = "Source, https://github.com/example/briefing-lint/"
    monkeypatch.setattr(adapter.importlib.metadata, "metadata", lambda name: meta)
    adapter.rule_doc_uri.cache_clear()
    try:
        assert adapter.rule_doc_uri("BL001") == (
            "https://github.com/example/briefing-lint/blob/main/docs/rules/BL001.md"
        )
        monkeypatch.undo()
        adapter.rule_doc_uri.cache_clear()
        # none named (this checkout's metadata): the doc file itself
        assert str(adapter.rule_doc_uri("BL001")).startswith("file://")
    finally:
        adapter.rule_doc_uri.cache_clear()
