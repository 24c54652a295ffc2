"""The renderer side of the ``briefing`` mdformat extension: syntax written back as read.

The parser side (:mod:`briefing_lint.mdformat_plugin`) notes in ``Token.meta``, under the
keys below, what mdformat would otherwise rewrite; the renderers here write it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from markdown_it.common.utils import normalizeReference
from mdformat.renderer import DEFAULT_RENDERERS, WRAP_POINT, RenderContext, RenderTreeNode

from .autolink import find_bare_urls

if TYPE_CHECKING:
    from mdformat.renderer.typing import Postprocess, Render

# Keys the parser side adds to ``Token.meta``.
DEST = "briefing_dest"  # destination as written (with its <> if any)
TITLE = "briefing_title"  # title as written, with its quotes
LABEL = "briefing_label"  # reference label as written
FORM = "briefing_form"  # full | collapsed | shortcut
RAW = "briefing_raw"  # front matter lines as written

_TOC = re.compile(r"\[toc\]|\[\[_?toc_?\]\]|@\[toc\]|\$\{toc\}", re.IGNORECASE)


def _link(node: RenderTreeNode, context: RenderContext) -> str:
    if node.info == "auto":
        raw = node.meta.get(DEST)
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
        form = node.meta.get(FORM)
        if form in ("shortcut", "collapsed") and normalizeReference(text) == label:
            return "" if form == "shortcut" else "[]"
        written = str(node.meta.get(LABEL) or "").replace("\n", " ")
        if not written or normalizeReference(written) != label:
            written = label.lower()
        return f"[{written}]"
    dest = node.meta.get(DEST)
    if dest is None:
        dest = _bracketed(str(node.attrs.get(attr, "")))
    title = node.attrs.get("title")
    if title is None:
        return f"({dest})"
    written_title = node.meta.get(TITLE)
    if written_title is None:
        written_title = '"' + str(title).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"({dest} {written_title})"


def _bracketed(url: str) -> str:
    if not url or any(c in url for c in " ()") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return f"<{url}>"
    return url


def _definition(node: RenderTreeNode, context: RenderContext) -> str:
    meta = node.meta
    dest = meta.get(DEST)
    if dest is None:
        dest = _bracketed(str(meta.get("url", "")))
    out = f"[{meta['label']}]: {dest}"
    title = meta.get(TITLE)
    if title is None and meta.get("title"):
        title = '"' + str(meta["title"]).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{out} {title}" if title else out


def _front_matter(node: RenderTreeNode, context: RenderContext) -> str:
    raw = node.meta.get(RAW)
    if raw is not None:
        return str(raw)
    return f"{node.markup}\n{node.content}\n{node.markup}"


def _keep_front_matter(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    """Also when another extension (mdformat-frontmatter) rendered it: keep it as written."""
    raw = node.meta.get(RAW)
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
