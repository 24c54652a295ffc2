"""Suppression comments.

``<!-- briefing-lint-disable [RULES] [-- reason] -->`` … ``<!-- briefing-lint-enable [RULES] -->``,
``-disable-next-line`` (the next block, even after one blank line), ``-disable-line`` (the
comment's own line), ``-disable-file`` and ``-configure-file {yaml}`` (settings for this file
only, merged over the config file). RULES are codes or kebab names separated by spaces or
commas; none means every rule. In ``.mdx`` files the same directives are written
``{/* briefing-lint-... */}``. Comments inside code are not directives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .config import Config, ConfigError, load_yaml
from .diagnostics import Diagnostic, Span
from .document import Document
from .registry import UnknownRuleError, resolve
from .rule import Directive as Directive

PREFIX = "briefing-lint-"
_ACTIONS = r"(disable-next-line|disable-line|disable-file|disable|enable|configure-file)"
_HTML_DIRECTIVE = re.compile(r"<!--\s*briefing-lint-" + _ACTIONS + r"(?![\w-])(.*?)-->", re.DOTALL)
_MDX_DIRECTIVE = re.compile(
    r"\{/\*\s*briefing-lint-" + _ACTIONS + r"(?![\w-])(.*?)\*/\}", re.DOTALL
)


def _parse_codes(args: str) -> tuple[frozenset[str] | None, tuple[str, ...], str]:
    reason = ""
    if "--" in args:
        args, reason = args.split("--", 1)
    names = [n for n in re.split(r"[\s,]+", args.strip()) if n]
    if not names:
        return None, (), reason.strip()
    codes: set[str] = set()
    bad: list[str] = []
    for name in names:
        try:
            codes.add(resolve(name))
        except UnknownRuleError:
            bad.append(name)
    return frozenset(codes), tuple(bad), reason.strip()


def _is_mdx(doc: Document) -> bool:
    return bool(doc.path) and str(doc.path).lower().endswith(".mdx")


def find_directives(doc: Document) -> list[Directive]:
    """Every directive comment outside code, in source order."""
    source = doc.source
    if PREFIX not in source:
        return []
    pattern = _MDX_DIRECTIVE if _is_mdx(doc) else _HTML_DIRECTIVE
    verbatim = doc.verbatim_lines
    out: list[Directive] = []
    for m in pattern.finditer(source):
        line = doc.line_of(m.start())
        if line in verbatim or _in_code_span(doc, m.start()):
            continue
        span = Span(m.start(), m.end())
        if m.group(1) == "configure-file":
            out.append(Directive("configure-file", None, span, line, "", m.group(2)))
            continue
        codes, bad, reason = _parse_codes(m.group(2))
        out.append(Directive(m.group(1), codes, span, line, reason, m.group(2), bad))
    return out


def _in_code_span(doc: Document, offset: int) -> bool:
    """Inside a code span (not an HTML comment: directives are comments themselves)."""
    block = doc.block_at(offset)
    if block is None or not any(t.type == "code_inline" for t in block.children):
        return False
    source = doc.source
    return any(
        s.start <= offset < s.end
        for s in doc.code_spans(block)
        if not source.startswith("<!--", s.start)
    )


#: Largest ``configure-file`` comment, in UTF-8 bytes: a few settings take a few hundred;
#: more belongs in a config file, and a bound keeps a small file from standing for a large load.
MAX_CONFIGURE_BYTES = 4096


def configure(config: Config, directives: list[Directive], doc: Document) -> Config:
    """Apply ``configure-file`` comments over ``config`` (errors name the file and line)."""
    for d in directives:
        if d.action != "configure-file":
            continue
        source = f"{doc.path or '<text>'}:{d.line + 1}: briefing-lint-configure-file"
        size = len(d.raw_args.encode("utf-8", "surrogatepass"))
        if size > MAX_CONFIGURE_BYTES:
            raise ConfigError(
                source,
                "",
                f"{size} bytes, more than the {MAX_CONFIGURE_BYTES} allowed in a comment "
                "(put larger settings in a config file)",
            )
        data = load_yaml(d.raw_args, source) or {}
        config = config.merged(data, source)
        d.used = True
    return config


def next_block_lines(doc: Document, line: int) -> range:
    """Lines of the block after ``line`` (one blank line may sit between)."""
    nxt = line + 1
    blank = 0
    while nxt < doc.line_count and not doc.line_text(nxt).strip(" \t>"):
        blank += 1
        nxt += 1
        if blank > 1:
            return range(0)
    if nxt >= doc.line_count:
        return range(0)
    end = nxt + 1
    for lo, hi in doc.block_ranges:
        if lo <= nxt < hi:
            end = max(end, hi)
            break
    return range(nxt, end)


def _matches(directive: Directive, code: str) -> bool:
    return directive.codes is None or code in directive.codes


@dataclass(frozen=True)
class Region:
    """Lines ``[start, end)`` where ``directive`` suppresses ``codes`` (None: every rule)
    except ``excluded`` (codes an ``enable`` switched back on inside a ``disable`` all)."""

    start: int
    end: int
    directive: Directive
    codes: frozenset[str] | None
    excluded: frozenset[str] = frozenset()

    def covers(self, line: int, code: str) -> bool:
        return (
            self.start <= line < self.end
            and (self.codes is None or code in self.codes)
            and code not in self.excluded
        )


def regions(doc: Document, directives: list[Directive]) -> list[Region]:
    """The ``disable`` … ``enable`` regions; ``enable X`` ends X only, the region's other
    codes stay disabled until their own ``enable`` (or the end of the file)."""
    closed: list[Region] = []
    open_regions: list[Region] = []
    for d in directives:
        if d.action == "disable":
            open_regions.append(Region(d.line, doc.line_count, d, d.codes))
        elif d.action == "enable":
            still_open: list[Region] = []
            for region in open_regions:
                if d.codes is None:
                    closed.append(replace(region, end=d.line))
                    d.used = True
                    continue
                ending = d.codes if region.codes is None else region.codes & d.codes
                ending -= region.excluded
                if not ending:
                    still_open.append(region)
                    continue
                closed.append(replace(region, end=d.line, codes=ending))
                d.used = True
                if region.codes is None:
                    still_open.append(replace(region, excluded=region.excluded | ending))
                elif region.codes - d.codes:
                    still_open.append(replace(region, codes=region.codes - d.codes))
            open_regions = still_open
    return closed + open_regions


#: Actions that suppress findings (``enable`` only ends a region).
SUPPRESSING = frozenset({"disable", "disable-file", "disable-line", "disable-next-line"})
#: Where a file's :class:`CrossFileSuppressions` sits among its cross-file facts (no rule
#: has this code).
FACTS_KEY = "suppressions"


@dataclass(frozen=True)
class CrossFileSuppressions:
    """A file's suppressions as they apply to findings only the whole run makes (BL006
    across files), which arrive after the file was linted, perhaps in another process.

    ``covers``: (directive number, start offset, end offset, codes or None, codes excluded);
    ``pending``: the BL014 finding of each directive that suppressed nothing in the file
    itself, to be reported only if no cross-file finding uses it either.
    """

    covers: tuple[tuple[int, int, int, frozenset[str] | None, frozenset[str]], ...]
    pending: tuple[tuple[int, Diagnostic], ...]

    def suppressing(self, diagnostic: Diagnostic) -> set[int]:
        """Numbers of the directives that suppress ``diagnostic`` (empty: it stands)."""
        at, code = diagnostic.span.start, diagnostic.code
        return {
            n
            for n, start, end, codes, excluded in self.covers
            if start <= at < end and (codes is None or code in codes) and code not in excluded
        }


def deferred_directives(directives: list[Directive], run_wide: set[str]) -> list[Directive]:
    """Directives not used in their file that could still suppress a cross-file finding of
    one of the ``run_wide`` codes: BL014 judges them only once the run is complete."""
    return [
        d
        for d in directives
        if d.action in SUPPRESSING
        and not d.used
        and not d.bad
        and (d.codes is None or bool(d.codes & run_wide))
    ]


def cross_file_suppressions(
    doc: Document,
    directives: list[Directive],
    run_wide: set[str],
    pending: list[tuple[Directive, Diagnostic]],
) -> CrossFileSuppressions | None:
    """What ``directives`` say about findings of the ``run_wide`` codes, as offsets."""
    number = {id(d): n for n, d in enumerate(directives)}
    end_of_file = len(doc.source) + 1

    def offset(line: int) -> int:
        return doc.line_start(line) if line < doc.line_count else end_of_file

    def relevant(codes: frozenset[str] | None) -> bool:
        return codes is None or bool(codes & run_wide)

    covers: list[tuple[int, int, int, frozenset[str] | None, frozenset[str]]] = []
    for d in directives:
        if d.action not in SUPPRESSING or d.action == "disable" or not relevant(d.codes):
            continue
        if d.action == "disable-file":
            lines = range(0, doc.line_count)
        elif d.action == "disable-line":
            lines = range(d.line, d.line + 1)
        else:
            lines = next_block_lines(doc, d.line)
        if lines:
            covers.append(
                (number[id(d)], offset(lines.start), offset(lines.stop), d.codes, frozenset())
            )
    for r in regions(doc, directives):
        if relevant(r.codes) and r.start < r.end:
            covers.append(
                (number[id(r.directive)], offset(r.start), offset(r.end), r.codes, r.excluded)
            )
    if not covers:
        return None
    return CrossFileSuppressions(tuple(covers), tuple((number[id(d)], diag) for d, diag in pending))


def apply_suppressions(
    doc: Document, diagnostics: list[Diagnostic], directives: list[Directive]
) -> list[Diagnostic]:
    """Drop suppressed diagnostics; mark the directives that did the suppressing."""
    if not directives:
        return diagnostics
    file_wide = [d for d in directives if d.action == "disable-file"]
    by_line: dict[int, list[Directive]] = {}
    for d in directives:
        if d.action == "disable-line":
            by_line.setdefault(d.line, []).append(d)
        elif d.action == "disable-next-line":
            for ln in next_block_lines(doc, d.line):
                by_line.setdefault(ln, []).append(d)
    spans = regions(doc, directives)
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        line = doc.line_of(diag.span.start)
        candidates = [
            *(d for d in file_wide if _matches(d, diag.code)),
            *(d for d in by_line.get(line, ()) if _matches(d, diag.code)),
            *(r.directive for r in spans if r.covers(line, diag.code)),
        ]
        if candidates:
            for directive in candidates:
                directive.used = True
        else:
            kept.append(diag)
    return kept
