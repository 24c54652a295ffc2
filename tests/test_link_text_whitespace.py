"""BL010 over generated lines: padding around a link's text, whatever stands next to it.

The fix must converge and settle in one run (fixing again changes nothing), leave no BL010
finding, keep every link and its destination, and keep the visible text: the padding may
move outside the link but only disappears where it was no gap (next to whitespace, a line
edge or punctuation).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from briefing_lint import Config, fix_text, lint_text
from briefing_lint.parser import markdown

CONFIG = Config.from_dict({"select": ["BL010"], "rules": {"BL010": {"images": True}}})
WORDS = ["发布在", "传送", "FlowUs", "v2", "😀", "上面", "x_y"]
#: What may stand just outside the link: words, markup, punctuation, spacing, nothing.
NEIGHBOURS = [*WORDS, "**", "*", "_", "~~", "(", ")", "|", "\\", "!", "，", "「", "」", " ", ""]
PADS = ["", " ", "  ", "\u3000", "\t"]


@st.composite
def padded_lines(draw: st.DrawFn) -> tuple[str, bool]:
    """A padded link between two neighbours, and whether both neighbours are words."""
    left = draw(st.sampled_from(NEIGHBOURS))
    right = draw(st.sampled_from(NEIGHBOURS))
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
    lead, trail = draw(st.sampled_from(PADS)), draw(st.sampled_from(PADS))
    if draw(st.booleans()):
        text += "\\"  # a trailing backslash: the fix must not let it escape the "]"
    inner = f"{lead}{text}{trail}"
    shape = draw(st.sampled_from(["inline", "image", "full", "collapsed", "shortcut"]))
    link = {
        "inline": f"[{inner}](https://example.org/a)",
        "image": f"![{inner}](https://example.org/i.png)",
        "full": f"[{inner}][ref]",
        "collapsed": f"[{inner}][]",
        "shortcut": f"[{inner}]",
    }[shape]
    defs = f"\n\n[ref]: https://example.org/r\n[{text}]: https://example.org/s\n"
    return f"{left}{link}{right}{defs}", left in WORDS and right in WORDS


_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r'(?:href|src|alt)="([^"]*)"')
_SPACES = re.compile(r"[\s\u3000]+")


@settings(max_examples=300, deadline=None)
@given(padded_lines())
def test_padding_fix_keeps_links_and_visible_text(case: tuple[str, bool]) -> None:
    text, between_words = case
    fixed = fix_text(text, CONFIG)
    assert fixed.converged
    assert fix_text(fixed.text, CONFIG).text == fixed.text  # a second run changes nothing
    assert not [d for d in lint_text(fixed.text, CONFIG) if d.fix is not None]
    md = markdown()
    before, after = md.render(text), md.render(fixed.text)
    assert [_SPACES.sub("", h) for h in _HREF.findall(before)] == [
        _SPACES.sub("", h) for h in _HREF.findall(after)
    ]
    seen_before, seen_after = _TAG.sub("", before), _TAG.sub("", after)
    assert _SPACES.sub("", seen_before) == _SPACES.sub("", seen_after)  # no markup appears
    if between_words:
        assert seen_after == seen_before  # the gap moved outside the link, it did not go
