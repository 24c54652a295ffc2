"""Whether a relative image of BL004 exists on disk (existence only: no file is opened)."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

from .. import localfiles
from ..rule import RuleContext
from ._image_data import Settings

#: Local paths that are not file names yet: template syntax (Jekyll, Hugo, MDX expressions)
#: and bundler aliases (``@site/static/…``, ``@/assets/…``).
_NOT_A_FILE = re.compile(r"[{}]|<%|%>|^@")


def missing_local(ctx: RuleContext, settings: Settings, href: str) -> str | None:
    """Where a relative image was looked for, when no candidate exists (None: found, not
    checkable, or not looked up: the text has no file on disk).

    Only existence is asked (no file is opened). Candidates: next to the document, in a
    folder named after it (Hexo's post asset folder) and under the site root; a
    root-relative path only under the site root.
    """
    probe = localfiles.current()
    doc_path = ctx.doc.path
    if probe is None or not doc_path or doc_path == "-":
        return None
    target = _local_target(href)
    if target is None:
        return None
    folder = os.path.dirname(os.path.abspath(doc_path))
    root = os.path.abspath(settings.site_root) if settings.site_root else ""
    if target.startswith("/"):
        if not root:
            return None
        candidates = [os.path.join(root, target.lstrip("/"))]
    else:
        stem = os.path.splitext(os.path.basename(doc_path))[0]
        candidates = [os.path.join(folder, target), os.path.join(folder, stem, target)]
        if root:
            candidates.append(os.path.join(root, target))
    candidates = [os.path.normpath(c) for c in candidates]
    if any(probe.exists(c) is not False for c in candidates):
        return None  # found, or unknown (unreadable folder, a name the system refuses)
    # A missing file in a folder that exists is a typo or a forgotten file; a missing
    # folder says the tree is partial (one issue copied out of its site, assets kept
    # elsewhere), and nothing can be told about the image.
    if not any(probe.exists(os.path.dirname(c)) for c in candidates):
        return None
    return _display_path(candidates[0])


def _local_target(href: str) -> str | None:
    """The file path a relative image source names: query and fragment dropped,
    percent-decoded; None for template syntax and aliases, which name no file yet."""
    text = href.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    for mark in ("#", "?"):
        cut = text.find(mark)
        if cut >= 0:
            text = text[:cut]
    if not text or _NOT_A_FILE.search(text):
        return None
    text = unquote(text)
    if not text or "\0" in text or _NOT_A_FILE.search(text):
        return None
    return text


def _display_path(path: str) -> str:
    """``path`` relative to the working folder when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel
