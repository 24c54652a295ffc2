"""The online stage of a run (``--online``): after linting, before the cross-file rules.

1. Each linted text is linted again under an empty :class:`~..online.results.Lookup`: the rules
   record which URLs they want answered (BL016 every link and image, BL012 short links,
   BL011 wrapped targets, BL004 images on hosts that check the Referer).
2. Answers come from the on-disk cache, else from the network, all URLs of the run at once.
3. Each text that asked for something is linted (and with ``--fix`` fixed and saved) again,
   now with the answers: the rules report and fix as usual, so suppressions, severities,
   ``--select`` and the fix loop apply to online findings as to the others.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from ..cache import CACHE_DIR_NAME, project_root
from ..config import Config
from ..document import Document
from ..files import FileOutcome, save
from ..linter import lint_document
from ..localfiles import checking
from ..online.cache import ResultCache
from ..online.client import Checker
from ..online.results import ImageResult, LinkResult, Lookup, answering
from ..online.settings import Settings, settings
from .onefile import process_text

#: Fewer URLs than this are checked without a progress bar.
PROGRESS_FROM = 5


@dataclass
class Options:
    """How the stage runs (from the command line)."""

    refresh: bool = False
    use_cache: bool = True
    cache_dir: Path | None = None
    fix: bool = False
    unsafe: bool = False
    write: bool = False
    #: The text came from standard input (no file: no local lookups, nothing written).
    stdin: bool = False
    #: None: a progress bar when stderr is a terminal.
    progress: bool | None = None


def _warn(message: str) -> None:
    print(f"briefing-lint: warning: {message}", file=sys.stderr)


def _lookup(s: Settings, links: dict[str, LinkResult], images: dict[str, ImageResult]) -> Lookup:
    return Lookup(links, images, s.accept, s.excluded)


def _current_text(outcome: FileOutcome) -> str:
    return outcome.fixed_text if outcome.fixed_text is not None else outcome.text


def _wanted(outcome: FileOutcome, config: Config, options: Options) -> Lookup:
    lookup = _lookup(settings(config.online), {}, {})
    doc = Document(_current_text(outcome), str(outcome.path))
    with answering(lookup), nullcontext() if options.stdin else checking():
        lint_document(doc, config)
    doc.release()
    return lookup


@contextmanager
def progress_bar(total: int, shown: bool | None) -> Iterator[Callable[[], None] | None]:
    if shown is None:
        shown = sys.stderr.isatty() and total >= PROGRESS_FROM
    if not shown:
        yield None
        return
    # Imported here: rich's progress bar is only needed on a terminal (start-up speed).
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("checking URLs", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("online", total=total)
        yield lambda: bar.advance(task)


def fetch(
    links: set[str], images: set[str], s: Settings, options: Options
) -> tuple[dict[str, LinkResult], dict[str, ImageResult]]:
    """Answers for every URL: cached ones, then the network for the rest."""
    cache = None
    if options.use_cache:
        folder = options.cache_dir or project_root(Path.cwd()) / CACHE_DIR_NAME
        cache = ResultCache(folder, s.cache_ttl, read=not options.refresh)
    found_links: dict[str, LinkResult] = {}
    found_images: dict[str, ImageResult] = {}
    if cache is not None:
        found_links = {u: hit for u in links if (hit := cache.link(u)) is not None}
        found_images = {u: img for u in images if (img := cache.image(u)) is not None}
    todo_links = links - found_links.keys()
    todo_images = images - found_images.keys()
    with progress_bar(len(todo_links) + len(todo_images), options.progress) as tick:
        checker = Checker(s, tick)
        new_links, new_images = checker.run(todo_links, todo_images)
    if checker.out_of_time:
        _warn(
            f"online: time budget ({s.budget:g} s) spent: {checker.out_of_time} URL(s) "
            "not checked (raise online.budget)"
        )
    if cache is not None:
        for link in new_links.values():
            cache.put_link(link)
        for image in new_images.values():
            cache.put_image(image)
        problem = cache.save()
        if problem:
            _warn(problem)
    return {**found_links, **new_links}, {**found_images, **new_images}


def _relint(outcome: FileOutcome, config: Config, lookup: Lookup, options: Options) -> FileOutcome:
    text = _current_text(outcome)
    with ExitStack() as stack:
        stack.enter_context(answering(lookup))
        if not options.stdin:
            stack.enter_context(checking())
        new = process_text(outcome.path, text, config, fix=options.fix, unsafe=options.unsafe)
    merged = replace(outcome, diagnostics=new.diagnostics, facts=new.facts, cached=False)
    if not options.fix or not new.changed or new.fixed_text is None:
        return merged
    merged.fixed_text = new.fixed_text
    merged.applied += new.applied
    merged.fixed_codes = dict(Counter(outcome.fixed_codes) + Counter(new.fixed_codes))
    merged.failing_rules = outcome.failing_rules + new.failing_rules
    merged.refused = outcome.refused + new.refused
    merged.converged = outcome.converged and new.converged
    first_saved = outcome.saved is None or outcome.saved.written
    snapshot = outcome.snapshot
    if options.write and not options.stdin and new.converged and first_saved and snapshot:
        merged.saved = save(outcome.path, new.fixed_text, text, snapshot)
        if merged.saved.written:
            merged.snapshot = merged.saved.snapshot
    return merged


def check_run(
    outcomes: list[FileOutcome],
    config_for: Callable[[FileOutcome], Config],
    options: Options,
) -> list[FileOutcome]:
    """The outcomes again, with online findings (and fixes) of every file that has any."""
    live = [(i, o, config_for(o)) for i, o in enumerate(outcomes) if not o.error]
    if not live:
        return outcomes
    run_settings = settings(live[0][2].online)
    asked = [(i, o, cfg, _wanted(o, cfg, options)) for i, o, cfg in live]
    links = {u for *_, lk in asked for u in lk.wanted_links}
    images = {u for *_, lk in asked for u in lk.wanted_images}
    if not links and not images:
        return outcomes
    found_links, found_images = fetch(links, images, run_settings, options)
    out = list(outcomes)
    for i, outcome, cfg, lookup in asked:
        if lookup.wanted_links or lookup.wanted_images:
            answers = _lookup(settings(cfg.online), found_links, found_images)
            out[i] = _relint(outcome, cfg, answers, options)
    return out
