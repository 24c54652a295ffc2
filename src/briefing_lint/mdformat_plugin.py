"""The ``briefing`` mdformat parser extension.

``mdformat --extensions briefing FILE`` formats a briefing without breaking its conventions,
and cleans it while it formats:

* before parsing, briefing-lint's own safe fixes for tracking parameters (BL001) and padded
  link text (BL010) are applied, exactly as ``briefing-lint check --fix`` would apply them
  (config file, per-file ignores and suppression comments included). The fix runs inside the
  parser, so mdformat's HTML-equivalence check compares the fixed input with the output and
  stays meaningful;
* link, image and autolink destinations and reference definitions are written back byte for
  byte as they were read (mdformat would percent-encode them and drop ``<...>``);
* reference definitions stay where they are, keep their label as written and are kept even
  when unused; reference links keep their form (``[t][label]``, ``[t][]``, ``[t]``);
* ordered lists keep their numbers (mdformat's ``--number`` still renumbers them);
* ``[TOC]`` markers, front matter, fences (marker and info string) and indented code blocks
  are kept verbatim; a block right under an HTML block (``<!-- more -->``, a suppression
  comment) and definitions on consecutive lines stay on consecutive lines.

GitHub tables, strikethrough and bare URLs come from mdformat-gfm, which this extension
switches on. Front matter is parsed here and kept verbatim (mdformat-frontmatter would
re-dump the YAML; with both enabled mdformat warns of the conflict and the text stays
verbatim). Options (``[plugin.briefing]`` in ``.mdformat.toml``, or the
``--briefing-no-*`` flags): ``clean_urls`` and ``trim_link_text`` (default true) switch the
fix pass off per rule; the rules also follow the briefing-lint config nearest to the file.

Opt-in: plain ``mdformat FILE`` (which enables every installed extension) formats exactly
as it would without briefing-lint installed. The extension acts with ``--extensions
briefing``, ``extensions = ["briefing"]`` or ``[plugin.briefing] enable = true`` in
``.mdformat.toml``, or ``mdformat.text(..., extensions=["briefing"])``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it.helpers import parseLinkDestination, parseLinkLabel, parseLinkTitle
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from .mdformat_render import DEST, FORM, LABEL, POSTPROCESSORS, RAW, RENDERERS, TITLE

if TYPE_CHECKING:
    import argparse

    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from .config import Config

LOGGER = logging.getLogger(__name__)

#: Entry-point name of this extension (``mdformat --extensions briefing``).
NAME = "briefing"

_FIX_CODES = {"clean_urls": "BL001", "trim_link_text": "BL010"}
_SPACES = " \t\n"


# -- parser side -----------------------------------------------------------------------------


def opted_in(options: Mapping[str, Any]) -> bool:
    """Whether this run asked for the extension (``options`` as mdformat passes them).

    Plain ``mdformat`` enables every installed extension; installing briefing-lint must
    not change what it does to anyone's files. The extension acts only when named: with
    ``--extensions briefing``, ``extensions = ["briefing"]`` or ``[plugin.briefing]
    enable = true`` in ``.mdformat.toml``, or through the Python API (``mdformat.text(...,
    extensions=["briefing"])``, whose options have no ``extensions`` key)."""
    if options.get("plugin", {}).get(NAME, {}).get("enable") is True:
        return True
    if "extensions" not in options:
        return True
    named = options["extensions"]
    return named is not None and NAME in named


def update_mdit(mdit: MarkdownIt) -> None:
    """Switch on GFM and front matter, record raw syntax, and run the fix pass first.

    Unless the run opted in: then the extension takes itself out of the run, so that
    neither its parser rules nor its renderers apply."""
    if mdit.options.get("briefing_ready"):
        return
    if not opted_in(mdit.options.get("mdformat", {})):
        enabled = mdit.options.get("parser_extension", [])
        me = sys.modules[__name__]
        while me in enabled:
            enabled.remove(me)
        return
    mdit.options["briefing_ready"] = True
    _enable_gfm(mdit)
    if "front_matter" not in mdit.block.ruler.get_all_rules():
        # Imported here, not at the top: plain ``mdformat`` loads this module for every run,
        # and only runs that opted in need the plugin.
        from mdit_py_plugins.front_matter import front_matter_plugin

        mdit.use(front_matter_plugin)
    # Definitions become tokens, so they can be written back where they stand.
    mdit.options["inline_definitions"] = True
    mdit.add_render_rule("definition", _render_nothing)  # HTML renderer (validation) only
    _wrap_inline(mdit, "link", _record_link)
    _wrap_inline(mdit, "image", _record_image)
    _wrap_inline(mdit, "autolink", _record_autolink)
    _wrap_reference(mdit)
    mdit.core.ruler.after("block", "briefing_front_matter", _record_front_matter)
    fix = _fix_pass(mdit)
    if fix is not None:
        mdit.core.ruler.before("normalize", "briefing_fix", fix)


def add_cli_argument_group(group: argparse._ArgumentGroup) -> None:
    """``--briefing-no-clean-urls`` and ``--briefing-no-trim-link-text``."""
    group.add_argument(
        "--briefing-no-clean-urls",
        dest="clean_urls",
        action="store_const",
        const=False,
        help="do not strip tracking parameters (BL001) while formatting",
    )
    group.add_argument(
        "--briefing-no-trim-link-text",
        dest="trim_link_text",
        action="store_const",
        const=False,
        help="do not trim whitespace inside link text (BL010) while formatting",
    )


def _enable_gfm(mdit: MarkdownIt) -> None:
    # Imported when called: mdformat.plugins loads this module through its entry points.
    import mdformat.plugins

    gfm = mdformat.plugins.PARSER_EXTENSIONS.get("gfm")
    if gfm is None:  # pragma: no cover - mdformat-gfm is a dependency
        LOGGER.warning("mdformat-gfm is not installed: tables and strikethrough are not parsed")
        return
    enabled = mdit.options["parser_extension"]
    if gfm not in enabled:
        # Before this extension, so that our postprocessors run after mdformat-gfm's.
        me = sys.modules[__name__]
        enabled.insert(enabled.index(me) if me in enabled else len(enabled), gfm)
        gfm.update_mdit(mdit)


def _render_nothing(*_args: Any) -> str:
    return ""


def _fix_pass(mdit: MarkdownIt) -> Any | None:
    """A core rule that replaces the source by briefing-lint's fixed text (BL001/BL010 only).

    Only the rules the file's briefing-lint config selects run, with its options; None when
    there is nothing to run.
    """
    options = mdit.options.get("mdformat", {})
    plugin = options.get("plugin", {}).get(NAME, {})
    wanted = [code for key, code in _FIX_CODES.items() if plugin.get(key, True) is not False]
    if not wanted:
        return None
    filename = options.get("filename") or None
    path = None if filename in (None, "-") else str(filename)
    base = _config_for(path)
    if base is None:
        return None
    selected = set(base.selected_codes())
    codes = tuple(code for code in wanted if code in selected)
    if not codes:
        return None
    config = replace(
        base,
        select=codes,
        extend_select=(),
        ignore=(),
        rules={code: replace(s, enabled=None) for code, s in base.rules.items()},
        unsafe_fixes=False,
    )

    def briefing_fix(state: StateCore) -> None:
        # Imported when called (start-up): plain ``mdformat`` loads this module for every run,
        # and the whole linter is only needed by runs that opted in and have a file to fix.
        from .engine import fix_source

        try:
            result = fix_source(state.src, config, path)
        except Exception as exc:  # a rule bug must not stop the formatter
            LOGGER.warning("briefing-lint fixes skipped: %s", exc)
            return
        if result.converged:
            state.src = result.text

    return briefing_fix


def _config_for(path: str | None) -> Config | None:
    # Imported when called (start-up), as ``fix_source`` is: see :func:`_fix_pass`.
    from .config import ConfigError, ConfigResolver

    try:
        return ConfigResolver().for_path(None if path is None else Path(path))
    except ConfigError as exc:
        LOGGER.warning("briefing-lint config not used, links left as they are: %s", exc)
        return None


def _wrap_inline(mdit: MarkdownIt, name: str, record: Any) -> None:
    rule = next(r for r in mdit.inline.ruler.__rules__ if r.name == name)
    original = rule.fn

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        before = len(state.tokens)
        ok: bool = original(state, silent)
        if ok and not silent:
            token = next(
                (t for t in state.tokens[before:] if t.type in ("link_open", "image")), None
            )
            if token is not None:
                record(state, start, state.pos, token)
        return ok

    mdit.inline.ruler.at(name, wrapped, {"alt": list(rule.alt)})


def _skip_space(src: str, pos: int, end: int) -> int:
    while pos < end and src[pos] in _SPACES:
        pos += 1
    return pos


def _record_link(state: StateInline, start: int, end: int, token: Token) -> None:
    _record_target(state, start, end, token, parseLinkLabel(state, start, True))


def _record_image(state: StateInline, start: int, end: int, token: Token) -> None:
    _record_target(state, start + 1, end, token, parseLinkLabel(state, start + 1, False))


def _record_target(
    state: StateInline, label_open: int, end: int, token: Token, label_end: int
) -> None:
    """Note the destination and title as written (inline form) or the label and form."""
    src = state.src
    if label_end < 0:
        return
    meta = token.meta
    if src[label_end + 1 : label_end + 2] == "(" and src[end - 1] == ")":
        pos = _skip_space(src, label_end + 2, end)
        dest = parseLinkDestination(src, pos, end)
        if not dest.ok:  # "[text]()": an empty destination
            if pos == end - 1:
                meta[DEST] = ""
            return
        meta[DEST] = src[pos : dest.pos]
        pos = _skip_space(src, dest.pos, end)
        if pos < end - 1:
            title = parseLinkTitle(src, pos, end)
            if title.ok:
                meta[TITLE] = src[pos : title.pos]
        return
    meta[LABEL] = src[label_open + 1 : label_end]
    meta[FORM] = "shortcut"
    if end > label_end + 1:
        second = src[label_end + 2 : end - 1]
        meta[FORM] = "full" if second else "collapsed"
        if second:
            meta[LABEL] = second


def _record_autolink(state: StateInline, start: int, end: int, token: Token) -> None:
    token.meta[DEST] = state.src[start + 1 : end - 1]


def _wrap_reference(mdit: MarkdownIt) -> None:
    rule = next(r for r in mdit.block.ruler.__rules__ if r.name == "reference")
    original = rule.fn

    def reference(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        before = len(state.tokens)
        ok: bool = original(state, start, end, silent)
        if ok and not silent and len(state.tokens) > before:
            token = state.tokens[-1]
            if token.type == "definition" and token.map is not None:
                _record_definition(state, token)
        return ok

    mdit.block.ruler.at("reference", reference, {"alt": list(rule.alt)})


def _record_definition(state: StateBlock, token: Token) -> None:
    assert token.map is not None
    first, last = token.map
    text = "".join(
        state.src[state.bMarks[i] + state.tShift[i] : state.eMarks[i] + 1]
        for i in range(first, last)
    )
    label = token.meta["label"]
    pos = len(label) + 3  # past "[label]:"
    if text[pos - 2 : pos] != "]:":
        return
    pos = _skip_space(text, pos, len(text))
    dest = parseLinkDestination(text, pos, len(text))
    if not dest.ok:
        return
    token.meta[DEST] = text[pos : dest.pos]
    if token.meta.get("title"):
        pos = _skip_space(text, dest.pos, len(text))
        title = parseLinkTitle(text, pos, len(text))
        if title.ok:
            token.meta[TITLE] = text[pos : title.pos]


def _record_front_matter(state: StateCore) -> None:
    for token in state.tokens[:1]:
        if token.type == "front_matter" and token.map is not None:
            lines = state.src.split("\n", token.map[1])
            token.meta[RAW] = "\n".join(lines[token.map[0] : token.map[1]])


#: What mdformat reads from a parser extension (defined in :mod:`.mdformat_render`).
__all__ = ["NAME", "POSTPROCESSORS", "RENDERERS", "add_cli_argument_group", "update_mdit"]
