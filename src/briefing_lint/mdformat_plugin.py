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
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from markdown_it.common.utils import normalizeReference
from markdown_it.helpers import parseLinkDestination, parseLinkLabel, parseLinkTitle
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdformat.renderer import DEFAULT_RENDERERS, WRAP_POINT, RenderContext, RenderTreeNode

if TYPE_CHECKING:
    import argparse

    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from mdformat.renderer.typing import Postprocess, Render

    from .config import Config

LOGGER = logging.getLogger(__name__)

#: Entry-point name of this extension (``mdformat --extensions briefing``).
NAME = "briefing"

# Keys this plugin adds to ``Token.meta``.
_DEST = "briefing_dest"  # destination as written (with its <> if any)
_TITLE = "briefing_title"  # title as written, with its quotes
_LABEL = "briefing_label"  # reference label as written
_FORM = "briefing_form"  # full | collapsed | shortcut
_RAW = "briefing_raw"  # front matter lines as written

_FIX_CODES = {"clean_urls": "BL001", "trim_link_text": "BL010"}
_TOC = re.compile(r"\[toc\]|\[\[_?toc_?\]\]|@\[toc\]|\$\{toc\}", re.IGNORECASE)
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
    from dataclasses import replace

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
        from .api import fix_text

        try:
            result = fix_text(state.src, config, path)
        except Exception as exc:  # a rule bug must not stop the formatter
            LOGGER.warning("briefing-lint fixes skipped: %s", exc)
            return
        if result.converged:
            state.src = result.text

    return briefing_fix


def _config_for(path: str | None) -> Config | None:
    from pathlib import Path

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
                meta[_DEST] = ""
            return
        meta[_DEST] = src[pos : dest.pos]
        pos = _skip_space(src, dest.pos, end)
        if pos < end - 1:
            title = parseLinkTitle(src, pos, end)
            if title.ok:
                meta[_TITLE] = src[pos : title.pos]
        return
    meta[_LABEL] = src[label_open + 1 : label_end]
    meta[_FORM] = "shortcut"
    if end > label_end + 1:
        second = src[label_end + 2 : end - 1]
        meta[_FORM] = "full" if second else "collapsed"
        if second:
            meta[_LABEL] = second


def _record_autolink(state: StateInline, start: int, end: int, token: Token) -> None:
    token.meta[_DEST] = state.src[start + 1 : end - 1]


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
    token.meta[_DEST] = text[pos : dest.pos]
    if token.meta.get("title"):
        pos = _skip_space(text, dest.pos, len(text))
        title = parseLinkTitle(text, pos, len(text))
        if title.ok:
            token.meta[_TITLE] = text[pos : title.pos]


def _record_front_matter(state: StateCore) -> None:
    for token in state.tokens[:1]:
        if token.type == "front_matter" and token.map is not None:
            lines = state.src.split("\n", token.map[1])
            token.meta[_RAW] = "\n".join(lines[token.map[0] : token.map[1]])


# -- renderer side ---------------------------------------------------------------------------


def _link(node: RenderTreeNode, context: RenderContext) -> str:
    if node.info == "auto":
        raw = node.meta.get(_DEST)
        return f"<{raw}>" if raw is not None else DEFAULT_RENDERERS["link"](node, context)
    text = "".join(child.render(context) for child in node.children)
    if context.do_wrap:
        text = text.replace(WRAP_POINT, " ")
    return f"[{text}]" + _target(node, context, text, "href")


def _image(node: RenderTreeNode, context: RenderContext) -> str:
    alt = "".join(child.render(context) for child in node.children)
    if context.do_wrap:
        alt = alt.replace(WRAP_POINT, " ")
    return f"![{alt}]" + _target(node, context, alt, "src")


def _target(node: RenderTreeNode, context: RenderContext, text: str, attr: str) -> str:
    """What follows ``[text]``: ``(dest "title")`` as written, or the reference label."""
    label = node.meta.get("label")
    if label:
        context.env["used_refs"].add(label)
        form = node.meta.get(_FORM)
        if form in ("shortcut", "collapsed") and normalizeReference(text) == label:
            return "" if form == "shortcut" else "[]"
        written = str(node.meta.get(_LABEL) or "").replace("\n", " ")
        if not written or normalizeReference(written) != label:
            written = label.lower()
        return f"[{written}]"
    dest = node.meta.get(_DEST)
    if dest is None:
        dest = _bracketed(str(node.attrs.get(attr, "")))
    title = node.attrs.get("title")
    if title is None:
        return f"({dest})"
    written_title = node.meta.get(_TITLE)
    if written_title is None:
        written_title = '"' + str(title).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"({dest} {written_title})"


def _bracketed(url: str) -> str:
    if not url or any(c in url for c in " ()") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return f"<{url}>"
    return url


def _definition(node: RenderTreeNode, context: RenderContext) -> str:
    meta = node.meta
    dest = meta.get(_DEST)
    if dest is None:
        dest = _bracketed(str(meta.get("url", "")))
    out = f"[{meta['label']}]: {dest}"
    title = meta.get(_TITLE)
    if title is None and meta.get("title"):
        title = '"' + str(meta["title"]).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{out} {title}" if title else out


def _front_matter(node: RenderTreeNode, context: RenderContext) -> str:
    raw = node.meta.get(_RAW)
    if raw is not None:
        return str(raw)
    return f"{node.markup}\n{node.content}\n{node.markup}"


def _keep_front_matter(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    """Also when another extension (mdformat-frontmatter) rendered it: keep it as written."""
    raw = node.meta.get(_RAW)
    return str(raw) if raw is not None else text


def _fence(node: RenderTreeNode, context: RenderContext) -> str:
    """A fence keeps its marker and info string as written (the guard compares both).

    Blocks that an enabled mdformat code formatter handles are left to mdformat.
    """
    info = node.info
    words = info.split(maxsplit=1)
    if words and words[0] in context.options.get("codeformatters", {}):
        return DEFAULT_RENDERERS["fence"](node, context)
    return f"{node.markup}{info}\n{node.content}{node.markup}"


def _code_block(node: RenderTreeNode, context: RenderContext) -> str:
    """Indented code stays indented (a fence would be a different block to the guard)."""
    lines = node.content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "\n".join(f"    {line}" if line else "" for line in lines)


def _ordered_list(node: RenderTreeNode, context: RenderContext) -> str:
    """Keep each item's number as written unless mdformat's ``number`` option is on."""
    if context.options.get("mdformat", {}).get("number"):
        return DEFAULT_RENDERERS["ordered_list"](node, context)
    marker = _ordered_marker(node)
    separator = "\n" if _is_tight(node) else "\n\n"
    start = node.attrs.get("start")
    first = start if isinstance(start, int) else 1
    items = []
    for index, item in enumerate(node.children):
        prefix = f"{item.info or first + index}{marker}"
        width = len(prefix) + 1
        with context.indented(width):
            body = item.render(context)
        head, *rest = body.split("\n")
        lines = [f"{prefix} {head}" if head else prefix]
        lines.extend(" " * width + line if line else "" for line in rest)
        items.append("\n".join(lines))
    return separator.join(items)


def _ordered_marker(node: RenderTreeNode) -> str:
    """``.`` or ``)``, alternating between adjacent lists so they stay apart (as mdformat)."""
    count = 1
    current = node
    while current.previous_sibling is not None and current.previous_sibling.type == node.type:
        count += 1
        current = current.previous_sibling
    return "." if count % 2 else ")"


def _is_tight(node: RenderTreeNode) -> bool:
    return all(
        grandchild.hidden
        for child in node.children
        for grandchild in child.children
        if grandchild.type == "paragraph"
    )


_STACKABLE = ("html_block", "definition")


def _root(node: RenderTreeNode, context: RenderContext) -> str:
    """Blocks apart by a blank line, except after an HTML block, or between definitions,
    when they were on consecutive lines."""
    parts: list[str] = []
    previous: RenderTreeNode | None = None
    for child in node.children:
        out = child.render(context)
        if not out:
            continue
        if previous is not None:
            parts.append("\n" if _adjacent(previous, child) else "\n\n")
        parts.append(out)
        previous = child
    # Definitions were written in place: mdformat must not append them again.
    context.env["used_refs"].clear()
    return "".join(parts)


def _adjacent(a: RenderTreeNode, b: RenderTreeNode) -> bool:
    """Blocks that were on consecutive lines and can stay so.

    An HTML block directly followed by another block ended on its own end condition (a
    comment's ``-->``, a ``</pre>``...), so whatever follows starts afresh with or without a
    blank line: a ``<!-- briefing-lint-disable-next-line -->`` stays on the line above its
    target. ``<!-- more -->`` right under a summary paragraph stays there too.
    """
    if a.map is None or b.map is None or a.map[1] != b.map[0]:
        return False
    if a.type == "html_block" or (a.type in _STACKABLE and b.type in _STACKABLE):
        return True
    # An HTML block right under a paragraph interrupted it (only kinds that can do so).
    return b.type == "html_block" and a.type in ("paragraph", "heading")


def _keep_toc(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    """A paragraph that is only a ``[TOC]`` marker is written as it was read.

    Its source is the paragraph's own content, so it parses back to the same thing whatever
    mdformat would have escaped (``[[_TOC_]]`` is emphasis to CommonMark, a marker to its host).
    """
    inline = node.children[0] if node.children else None
    if inline is None:
        return text
    raw = inline.content.strip()
    return raw if _TOC.fullmatch(raw) else text


def _keep_bare_urls(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    """Bare URLs in plain text are written as they were read, without added escapes.

    GitHub links ``详见https://example.org/a*b`` (cmark-gfm needs no space before a scheme
    URL); mdformat-gfm does not, so it would escape the ``*`` and GitHub would link a URL
    with a backslash in it. Each URL's characters are matched in mdformat's output (where
    only backslashes were added) and replaced by the source text of that URL.
    """
    content = node.content
    if "://" not in content and "www." not in content.lower():
        return text
    from .autolink import find_bare_urls

    spans = find_bare_urls(content)
    if not spans or _ancestor(node, ("link", "image")) is not None:
        return text
    inline = _ancestor(node, ("inline",))
    source = inline.content if inline is not None else ""
    parts: list[str] = []
    pos = src_pos = 0
    for start, end in spans:
        pattern = _escaped(content[start:end])
        found = pattern.search(text, pos)
        if found is None:
            return text
        written = content[start:end]
        in_source = pattern.search(source, src_pos)
        if in_source is not None:
            written, src_pos = in_source.group(0), in_source.end()
        parts += [text[pos : found.start()], written]
        pos = found.end()
    parts.append(text[pos:])
    return "".join(parts)


def _escaped(url: str) -> re.Pattern[str]:
    """``url`` as Markdown may write it: any ASCII punctuation backslash-escaped."""
    out = []
    for ch in url:
        if ch == "&":
            out.append(r"(?:&amp;|\\?&)")
        elif ch.isascii() and not ch.isalnum():
            out.append(r"\\?" + re.escape(ch))
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out))


def _ancestor(node: RenderTreeNode, types: tuple[str, ...]) -> RenderTreeNode | None:
    current = node.parent
    while current is not None:
        if current.type in types:
            return current
        current = current.parent
    return None


RENDERERS: Mapping[str, Render] = {
    "root": _root,
    "link": _link,
    "image": _image,
    "definition": _definition,
    "front_matter": _front_matter,
    "fence": _fence,
    "code_block": _code_block,
    "ordered_list": _ordered_list,
}
POSTPROCESSORS: Mapping[str, Postprocess] = {
    "text": _keep_bare_urls,
    "paragraph": _keep_toc,
    "front_matter": _keep_front_matter,
}
