"""Work done per file: --fix on a clean file parses it once; format stops as soon as
mdformat changes nothing; cross-file facts come from the final text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from briefing_lint import formatter
from briefing_lint.config import Config
from briefing_lint.document import Document
from briefing_lint.engine import onefile

#: Clean for every rule, with an item a cross-file rule (BL006) keeps facts about.
CLEAN = "# 1. [共同报道](https://example.org/news/shared)\n"
#: The same after a BL001 fix (a tracking parameter).
DIRTY = "# 1. [共同报道](https://example.org/news/shared?utm_source=weekly)\n"


def _count_documents(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    built: list[str] = []

    class Counting(Document):
        def __init__(self, text: str, *args: Any, **kwargs: Any) -> None:
            built.append(text)
            super().__init__(text, *args, **kwargs)

    monkeypatch.setattr(onefile, "Document", Counting)
    return built


def test_fix_of_a_clean_file_builds_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    built = _count_documents(monkeypatch)
    outcome = onefile.process_text(Path("a.md"), CLEAN, Config(), fix=True)
    assert built == [CLEAN]
    assert not outcome.changed and "BL006" in outcome.facts


def test_facts_of_a_fixed_file_come_from_its_final_text(monkeypatch: pytest.MonkeyPatch) -> None:
    built = _count_documents(monkeypatch)
    outcome = onefile.process_text(Path("a.md"), DIRTY, Config(), fix=True)
    assert outcome.fixed_text == CLEAN
    assert built == [DIRTY, CLEAN]  # the fix loop's two lints, nothing more
    assert outcome.facts == onefile.process_text(Path("a.md"), CLEAN, Config()).facts


def test_format_of_a_formatted_text_fixes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = formatter.fix_source

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(formatter, "fix_source", counting)
    result = formatter.format_text(CLEAN)
    assert not result.changed and calls == [CLEAN]
    calls.clear()
    result = formatter.format_text(DIRTY)
    assert result.text == CLEAN and result.fixes == 1
    assert calls == [DIRTY]  # mdformat changed nothing after the fix: no second round
