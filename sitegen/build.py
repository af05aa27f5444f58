"""The front door of a build: `build` checks the output folder, imports new seeds, and when
nothing it reads has changed since the last good build (engine/stamp.py) reports that build
again and is done; otherwise it runs the pipeline (sitegen/pipeline/steps.py: load -> model ->
plan -> render -> write). The pipeline, and jinja2, markdown-it-py and the engine with it, is
imported only then: importing them was more than half of an unchanged build's time.
`Builder` builds the same site again and again for the preview."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sitegen.engine.stamp import (
    input_digest,
    load_stamp,
    presence_beside,
    replay,
    save_stamp,
    stamp_path,
    still_valid,
)
from sitegen.heap import out_of_sight, pauses_collector
from sitegen.ingest.importer import import_seeds
from sitegen.output.writer import check_output_folder, place_ahead
from sitegen.pipeline.request import BuildRequest, BuildResult, build_now, tell

if TYPE_CHECKING:
    from pathlib import Path

    from sitegen.engine.sourcecache import StatKey
    from sitegen.engine.state import BuildState

__all__ = ["BuildRequest", "BuildResult", "Builder", "build", "build_now"]

# output files from which their check runs in a process of its own, beside the walk over the
# inputs (below, forking costs more than the check saves)
PRESENCE_APART_FROM = 20_000


@pauses_collector  # one pause for the whole build: see heap.py
def build(request: BuildRequest, state: BuildState | None = None) -> BuildResult:
    """Build the site; raises BuildFailed with every error unless `keep_going`."""
    started = time.perf_counter()
    config = request.config
    output = (request.output or config.output_path).resolve()
    result = BuildResult(output=output)
    diag = result.diagnostics
    check_output_folder(
        output,
        config.root,
        [
            config.content_path,
            config.seeds_path,
            config.theme_path(),
            config.root / "themes",
            config.path(config.static_dir),
            config.path(config.templates_dir),
            *([] if request.preview else [config.cache_path]),
        ],
        request.force or request.preview,
    )  # the preview folder is sitegen's own, manifest or not
    if request.run_import:
        tell(request, "import")
        diag.extend(import_seeds(config).diagnostics)
    mark = result.mark("import", started)
    now = build_now()
    # nothing read has changed since the last good build: done (the preview always builds, so
    # that it holds the plan its fast path renders from)
    stamp_file = stamp_path(config, output)
    flags = (str(output), request.drafts, request.future, request.keep_going, config.max_file_size)
    stamp = None if request.preview or diag.errors else load_stamp(stamp_file)
    stats: dict[str, StatKey] = {}
    # which of the last build's files are still in the output: the check of an unchanged
    # build and the writer's question after an edit, a stat of each file (as long as the walk
    # over the inputs at 100,000 articles), found beside that walk
    waits: list[Callable[[], None]] = []
    presence = (
        presence_beside(
            request.parallelism(), output, stamp.files, PRESENCE_APART_FROM, waits.append
        )
        if stamp is not None
        else None
    )
    digest, newest = ("", 0) if request.preview else input_digest(config, flags, stats)
    if stamp is not None and still_valid(stamp, digest, output, now, presence):
        for wait in waits:
            wait()
        replay(stamp, diag)
        result.articles, result.pages, result.kept = stamp.articles, stamp.pages, stamp.files
        result.seconds = time.perf_counter() - started
        return result
    mark = result.mark("stamp", mark)  # the walk over every input, and the check
    from sitegen.pipeline.steps import build_changed

    mark = result.mark("modules", mark)  # the pipeline's own import, apart from loading
    until = build_changed(request, state, result, (started, mark), now, stats, (presence, waits))
    if not request.preview and not diag.errors:
        save_stamp(
            stamp_file,
            digest,
            newest,
            output,
            until,
            (result.articles, result.pages, result.written + result.kept),
            diag.warnings,
        )
    return result


class Builder:
    """Builds the same site again and again (the preview server), keeping in memory what it
    can between runs. Each `run()` gives the same output as a fresh `build()`."""

    def __init__(self, request: BuildRequest) -> None:
        from sitegen.engine.state import BuildState

        self.request = request
        self.state = BuildState(keep=True)

    def run(self, changed: Iterable[Path] | None = None) -> BuildResult:
        """Build again; `changed`: the files the preview's watcher saw change since the last
        run (None: not known, so every file is looked at)."""
        self.let_go()  # a caller that did not: at most one old plan is held
        request = self.request
        if changed is not None:
            request = dataclasses.replace(request, changed=frozenset(changed))
        try:
            return build(request, self.state)
        finally:
            out_of_sight()  # what it keeps, and holds until the next build, is never walked

    def release(self) -> None:
        """Free what the last build replaced (the plan before it); the preview calls this once
        the browser was told to reload, and `let_go` when no save follows at once."""
        self.state.retired.clear()

    def let_go(self) -> None:
        """`release`, and write the output's manifest and the search index kept in memory to
        their files (and wait for the related lists' files being written)."""
        self.release()
        while self.state.unsaved:
            self.state.unsaved.pop(0)()
        if self.state.search is not None:
            self.state.search.save()

    def render_first(self, changed: set[Path]) -> dict[str, str]:
        """The pages of edited articles, rendered at once from the last plan and placed in the
        output (`engine/state.py::render_first`); never raises, since the full build that
        follows reports."""
        from sitegen.engine.executor import FORK_LOCK
        from sitegen.engine.state import render_first

        try:
            # never while a pool forks: the preview calls this beside a build that may
            with FORK_LOCK:
                pages = render_first(self.request.config, self.request.drafts, self.state, changed)
            return place_ahead(self.state.last.output, pages) if pages else {}
        except Exception:  # noqa: BLE001 - the full build will say what is wrong
            return {}
