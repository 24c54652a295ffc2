"""``briefing-lint format``: safe fixes, then mdformat, then two checks before anything is written.

1. briefing-lint's safe fixes are applied (the config decides which rules run, as for
   ``check --fix``; unsafe fixes never run here).
2. The result is normalised by mdformat with the ``briefing`` extension
   (:mod:`briefing_lint.mdformat_plugin`: GFM tables, strikethrough and bare URLs, front
   matter, and the briefing conventions kept as written). The extension's own fix pass is
   switched off: step 1 already did what the config asks.
3. The formatted text must render to the same HTML as the fixed text (mdformat's own
   check, ``format.validate``) and keep its block structure, code blocks and front matter
   (:func:`briefing_lint.guard.compare_structure`, always). Otherwise the file is refused
   and left as it was.

A BOM is kept, and line endings follow ``format.end_of_line``: ``keep`` (default: the
file's dominant ending), ``lf`` or ``crlf``. Options come from the config file's ``format``
table: ``wrap`` (``keep`` | ``no`` | a width), ``number`` (renumber ordered lists
1, 2, 3...), ``end_of_line`` and ``validate``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .config import Config, ConfigError, ConfigResolver
from .document import BOM, split_bom
from .engine import fix_source, map_files
from .engine.configs import ConfigLike, as_config
from .fileio import InputError, read_source
from .files import Saved, save
from .guard import clear_cache as clear_parses
from .guard import compare_structure

EXTENSIONS = ("briefing",)
#: Fix-then-format rounds before giving up (one or two are the norm).
MAX_ROUNDS = 4

_DEFAULTS: Mapping[str, Any] = {
    "wrap": "keep",
    "number": False,
    "end_of_line": "keep",
    "validate": True,
}


@dataclass(frozen=True)
class FormatResult:
    """The outcome for one text: the new text, or the original and why it was refused."""

    text: str
    original: str
    #: Why the text was not formatted (empty when it was); ``text`` is then the original.
    refused: tuple[str, ...] = ()
    #: Number of briefing-lint fixes applied before formatting.
    fixes: int = 0
    #: Fixes the structure guard refused (the rest of the file was still formatted).
    refused_fixes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.text != self.original


def format_options(config: Config) -> dict[str, Any]:
    """The ``format`` table of ``config``, validated and completed with defaults."""
    values = {**_DEFAULTS, **config.format}
    source = str(config.provenance.get("format") or config.source or "<config>")
    wrap = values["wrap"]
    if not (
        (isinstance(wrap, int) and not isinstance(wrap, bool) and wrap > 1)
        or wrap in ("keep", "no")
    ):
        raise ConfigError(source, "format.wrap", f"expected keep, no or a width > 1, got {wrap!r}")
    for key in ("number", "validate"):
        if not isinstance(values[key], bool):
            raise ConfigError(source, f"format.{key}", "expected true or false")
    if values["end_of_line"] not in ("keep", "lf", "crlf"):
        raise ConfigError(
            source,
            "format.end_of_line",
            f"expected keep, lf or crlf, got {values['end_of_line']!r}",
        )
    return values


def mdformat_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options for ``mdformat.text``: the extension's own fix pass is off (fixes ran already)."""
    return {
        "wrap": options["wrap"],
        "number": options["number"],
        "plugin": {"briefing": {"clean_urls": False, "trim_link_text": False}},
    }


class _Refused(Exception):
    """The text is not formatted; the arguments say why."""


def format_text(text: str, config: ConfigLike = None, path: str | None = None) -> FormatResult:
    """Fix and format ``text`` (BOM and line endings kept); never raises for bad Markdown."""
    cfg = as_config(config)
    options = format_options(cfg)
    body, bom = split_bom(text)
    newline = _newline(body, options["end_of_line"])
    refused_fixes: list[str] = []
    try:
        current, applied = _rounds(
            body, replace(cfg, unsafe_fixes=False), options, path, refused_fixes
        )
    except _Refused as exc:
        return FormatResult(text, text, tuple(str(r) for r in exc.args))
    finally:
        clear_parses()
    out = current.replace("\n", newline) if newline != "\n" else current
    return FormatResult((BOM if bom else "") + out, text, (), applied, tuple(refused_fixes))


def _rounds(
    body: str, safe: Config, options: Mapping[str, Any], path: str | None, refused: list[str]
) -> tuple[str, int]:
    """Fix, format; formatting can expose something a fix handles (an escape that ends what
    looked like emphasis), so repeat until the fixes find nothing: a second run is a no-op.

    Parses are shared along the way (the guard's cache is kept until the text is done): the
    fixed text's parse serves the structure comparison, the formatted text's the next fix.
    """
    md_options = mdformat_options(options)
    current = body
    applied = 0
    for round_no in range(MAX_ROUNDS):
        fixed = fix_source(current, safe, path, keep_parses=True)
        refused.extend(r for r in fixed.refused if r not in refused)
        if not fixed.converged:
            raise _Refused(f"fixes did not settle (rules: {', '.join(fixed.failing_rules)})")
        applied += len(fixed.applied)
        if round_no and not fixed.applied:
            return current, applied
        source = _lf(fixed.text)
        try:
            formatted = _mdformat(source, md_options, path)
        except Exception as exc:  # an mdformat or plugin bug: refuse, never crash the run
            raise _Refused(f"mdformat failed: {type(exc).__name__}: {exc}") from None
        if formatted == source and round_no + 1 < MAX_ROUNDS:
            # Nothing to compare, and the fixes were run to a fixed point on this very
            # text: the next round would find nothing to apply.
            return formatted, applied
        reasons: list[str] = []
        if options["validate"]:
            why = html_difference(source, formatted, md_options)
            if why:
                reasons.append(f"formatting would change the rendered HTML ({why})")
        reasons.extend(f"structure guard: {r}" for r in compare_structure(source, formatted))
        if reasons:
            raise _Refused(*reasons)
        current = formatted
    raise _Refused("fixing and formatting did not settle")


def _mdformat(text: str, options: Mapping[str, Any], path: str | None) -> str:
    import mdformat

    _register()
    return str(mdformat.text(text, options=options, extensions=EXTENSIONS, _filename=path or ""))


def _register() -> None:
    """Make ``briefing`` known to mdformat even when the package's entry point is not."""
    import mdformat.plugins

    from . import mdformat_plugin

    extensions = mdformat.plugins.PARSER_EXTENSIONS
    if "briefing" not in extensions and isinstance(extensions, dict):
        extensions["briefing"] = mdformat_plugin


def html_difference(before: str, after: str, options: Mapping[str, Any]) -> str:
    """Empty when mdformat's equivalence check passes; else where the HTML first differs."""
    from markdown_it.renderer import RendererHTML
    from mdformat._util import build_mdit, is_md_equal

    _register()
    if is_md_equal(before, after, options=options, extensions=EXTENSIONS):
        return ""
    mdit = build_mdit(RendererHTML, mdformat_opts=options, extensions=EXTENSIONS)
    old = re.sub(r"\s+", " ", mdit.render(before))
    new = re.sub(r"\s+", " ", mdit.render(after))
    pairs = enumerate(zip(old, new, strict=False))
    i = next((k for k, (a, b) in pairs if a != b), min(len(old), len(new)))
    return f"{old[max(0, i - 30) : i + 30]!r} became {new[max(0, i - 30) : i + 30]!r}"


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _newline(text: str, setting: str) -> str:
    if setting == "lf":
        return "\n"
    if setting == "crlf":
        return "\r\n"
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    best = max(("\n", lf), ("\r\n", crlf), ("\r", cr), key=lambda item: item[1])
    return best[0] if best[1] else "\n"


# -- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFormat:
    """One file: its text and what formatting made of it, or why it could not be read."""

    path: Path
    text: str = ""
    result: FormatResult | None = None
    error: str = ""
    #: How writing the formatted text went (only when asked to write and it changed).
    saved: Saved | None = None


def format_file(path: Path, config: Config, *, write: bool = False) -> FileFormat:
    """Read and format one file; with ``write``, save a changed file at once (as
    ``check --fix`` does: only if it is still what was read)."""
    try:
        text, snapshot = read_source(path, config.max_file_size)
    except InputError as exc:
        return FileFormat(path, error=str(exc))
    try:
        done = FileFormat(path, text, format_text(text, config, str(path)))
    except ConfigError:
        raise
    except Exception as exc:  # a rule bug: this file is refused, the others still run
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return FileFormat(path, text, FormatResult(text, text, (reason,)))
    result = done.result
    if write and result is not None and result.changed and not result.refused:
        return replace(done, saved=save(path, result.text, text, snapshot))
    return done


def _work(item: tuple[Path, Config, bool]) -> FileFormat:
    path, config, write = item
    return format_file(path, config, write=write)


def format_files(
    files: Sequence[Path], resolver: ConfigResolver, *, jobs: int = 0, write: bool = False
) -> list[FileFormat]:
    """Format ``files`` (in worker processes when there are many), results in order; with
    ``write``, each changed file is saved by the process that formatted it.

    Every file's config is resolved and its ``format`` table validated first, so a config
    error (:class:`ConfigError`) stops the run before anything is formatted.
    """
    items = [(path, resolver.for_path(path), write) for path in files]
    for _, config, _ in items:
        format_options(config)
    return map_files(_work, items, files, jobs=jobs)
