"""The pipeline of a build that cannot be replayed: load -> model -> plan -> render -> write.
No logic of its own beyond deciding what must be redone: a page whose inputs hash the same as
last time is not rendered, a body whose source is unchanged comes from the cache, and an
unchanged build writes nothing.

The steps: `build_changed` (load, model), `_plan` (the engine reads what the
pure `plan.plan_build` needs, then makes the resized images it asks for; after an edit of
bodies alone, `plan.plan_edited`'s part of it: engine/record.py), `_changes` (the plan's
fingerprints against the last manifest), `_carry_out` (engine/pages.py renders the changed
pages, then copies, then the writer swaps the output in)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.content.article import Article, discover, same_listing
from sitegen.engine.cache import PageFingerprints, output_fingerprint
from sitegen.engine.executor import Parallelism, beside, inherit, inherited
from sitegen.engine.keys import cache_key
from sitegen.engine.pages import PageRenderer
from sitegen.engine.patch import (
    ModelBasis,
    PlanBasis,
    edits,
    patched_plan,
    patched_site,
    plan_index,
)
from sitegen.engine.record import (
    BuildRecord,
    FilesSince,
    KeptPages,
    added_since,
    changes_since,
    come_due,
    files_since,
    link_names,
    load_record,
    pages_to_redo,
    published_as_recorded,
    reusable,
    save_record,
    shared_digest,
)
from sitegen.engine.related_cache import related_lists
from sitegen.engine.search_cache import INDEX_FILE as SEARCH_INDEX_FILE
from sitegen.engine.search_cache import search_outputs
from sitegen.engine.sourcecache import ArticleLoader, ReplacedRows, StatKey, keep_replaced
from sitegen.engine.stamp import presence_beside
from sitegen.engine.state import BuildState, LastRun
from sitegen.errors import BuildFailed, Diagnostics, SiteError
from sitegen.fsutil import files_present, from_site
from sitegen.heap import give_back, pauses_collector
from sitegen.output.writer import (
    OutputWriter,
    entry_fp,
    manifest_build,
)
from sitegen.pipeline.request import BuildRequest, BuildResult, tell
from sitegen.plan import (
    BuildPlan,
    PlanInputs,
    SourceFile,
    copy_sources,
    plan_build,
    plan_edited,
)
from sitegen.render.assets import Asset, collect_static, static_fingerprint
from sitegen.render.images import ImageSet
from sitegen.render.templates import templates_fingerprint
from sitegen.site.model import BuildOptions, Site, build_site
from sitegen.site.plan import LazyViews, PageJob, plan_listings, site_message_problems
from sitegen.site.search import MANIFEST_FILE as SEARCH_MANIFEST
from sitegen.site.search import Files, Untouched


@pauses_collector  # the walk makes a path and a record per file: see heap.py
def load_articles(
    config: SiteConfig,
    diag: Diagnostics,
    parallel: Parallelism | None = None,
    loader: ArticleLoader | None = None,
    stats: Mapping[str, StatKey] | None = None,
    state: BuildState | None = None,
    changed: frozenset[Path] | None = None,
) -> tuple[list[Article], list[str]]:
    """Every article (parsed once, then from the article cache) and the static content files;
    `stats`: the content files' stat keys by rel, when the build has them already. With the
    preview's `state` and its watcher's batch (`changed`), the content files its last build
    found, when the batch only edited some of them (`same_listing`): no walk, and no stat but
    of those."""
    found = state.listing if state is not None and changed else None
    unchanged = same_listing(changed, found[0]) if found is not None else None
    if found is not None and unchanged is not None:
        sources, statics = found
    else:
        sources, statics = discover(config, diag)
        unchanged = frozenset()
    loader = loader or ArticleLoader()
    articles = loader.load(
        sources, config, diag, parallel or Parallelism(), config.cache_path, stats, unchanged
    )
    if state is not None and state.keep:  # what the next build may take instead of a walk
        state.listing = None if diag.errors else (sources, statics)
    return articles, statics


def build_changed(
    request: BuildRequest,
    state: BuildState | None,
    result: BuildResult,
    since: tuple[float, float],
    now: dt.datetime,
    stats: dict[str, StatKey],
    presence: tuple[Future | None, list[Callable[[], None]]] = (None, []),
) -> dt.datetime | None:
    """Load, model, plan, render and write the site into `result` (build.py has checked the
    output folder, imported the seeds and found that the last build cannot be replayed);
    `since`: when the build started and when its last phase ended; `stats`: the content files'
    stat keys, taken while checking (emptied here); `presence`: `missing_outputs` of the output
    as build.py set it going (or None) and the waits for the process finding it. Returns when
    an article next appears or expires by itself, for the stamp."""
    assert result.output is not None
    run = _Run(request, state or BuildState(), since[0], result.output, result, since[1])
    parallel = request.parallelism()
    run.presence, waits = presence
    for wait in waits:
        run.later(wait)
    if not request.preview and run.presence is None:
        # which of the last build's files are still in the output (the writer's question): a
        # stat of each, found by a process of its own while this one loads, the longest phase
        # that uses one core; forked now, it carries only what the imports made
        run.presence = presence_beside(
            parallel, run.output, len(stats), parallel.min_loads, run.later
        )
    try:
        site, articles, statics = _load(run, stats, now)
        planned = _plan(run, site, articles, statics)
        try:
            _carry_out(run, site, planned)
        except _Replan:  # nothing is written yet
            run.whole = True
            planned = _plan(run, site, articles, statics)
            _carry_out(run, site, planned)
    finally:
        run.finish()
    if request.hold is not None:
        request.hold.append((articles, site, planned, run.state))
    return next_visibility_change(articles, now, request.future)


def _load(
    run: _Run, stats: dict[str, StatKey], now: dt.datetime
) -> tuple[Site, list[Article], list[str]]:
    """The articles, the static content files and the site model made of them."""
    request, result = run.request, run.result
    tell(request, "load")
    articles, statics = load_articles(
        request.config,
        run.diag,
        request.parallelism(),
        run.state.loader,
        stats,
        run.state,
        request.changed,
    )
    stats.clear()
    if not run.state.keep:  # what the loader holds for a next build (stat keys, sources): none
        loader = run.state.loader
        run.files = _Files(
            {rel: entry[0] for rel, entry in loader.memory.items()},
            loader.previous,
            loader.parsed,
            loader.replaced,
        )
        run.state.loader = ArticleLoader()
    give_back()  # what parsing a new site's files left free
    run.phase("load")
    site = _site(run, articles, now)
    result.left_out = site.left_out
    result.articles = len(site.pages)
    tell(request, "plan")
    return site, articles, statics


@dataclass
class _Run:
    """One build under way: the request, what carries over between builds, the result so far."""

    request: BuildRequest
    state: BuildState
    started: float
    output: Path
    result: BuildResult
    _mark: float  # when the last phase ended
    # waits left for once the output is written (the related lists' cache files being written)
    _finishing: list[Callable[[], None]] = dataclasses.field(default_factory=list)
    files: _Files | None = None  # a command-line build's content files, for its record
    presence: Future | None = None  # `missing_outputs` of the output folder, found apart
    whole: bool = False  # plan every page (a partial plan met another manifest: `_Replan`)

    @property
    def recording(self) -> bool:
        """A command-line build, which keeps a record for the next (engine/record.py)."""
        return self.files is not None and not self.request.preview

    def later(self, wait: Callable[[], None]) -> None:
        """Wait for this (work nothing in the build waits for) once the output is written."""
        self._finishing.append(wait)

    def finish(self) -> None:
        """The waits left for the end: now, or in the preview once the pages were told."""
        waits, self._finishing = self._finishing, []
        if self.request.preview and self.state.keep:
            self.state.unsaved.extend(waits)
            return
        failed: BaseException | None = None
        for wait in waits:  # every one, though one failed: each ends work of its own
            try:
                wait()
            except BaseException as exc:  # noqa: BLE001 - raised once all are done
                failed = failed or exc
        if failed is not None:
            raise failed

    @property
    def diag(self) -> Diagnostics:
        return self.result.diagnostics

    def phase(self, name: str) -> None:
        """The phase `name` ends now (for --verbose and the benchmark)."""
        self._mark = self.result.mark(name, self._mark)

    def stop_on_errors(self) -> None:
        if self.diag.errors and not self.request.keep_going:
            raise BuildFailed(self.diag.errors, self.diag.warnings)

    def report(self, errors: list[SiteError] | tuple[SiteError, ...]) -> None:
        """Errors that `keep_going` turns into warnings (missing images, broken links)."""
        for error in errors:
            if self.request.keep_going or error.warning:
                self.diag.warn(error.message, error.path, error.line, error.hint)
            else:
                self.diag.error(error)

    def done(self) -> BuildResult:
        self.result.seconds = time.perf_counter() - self.started
        return self.result


@dataclass
class _Files:
    """What a command-line build's loader found of the content files (engine/record.py)."""

    keys: dict[str, StatKey]  # rel -> stat key of the file read
    previous: dict[str, tuple[StatKey, bytes, str]]  # cache rows not taken, by rel
    parsed: frozenset[str]  # rels read from their files
    replaced: ReplacedRows | None  # rows replaced since the last record (None: none)


@dataclass
class _Recording:
    """The record a command-line build keeps once its output is in place, and what its plan
    took from the last one."""

    shared: str  # `record.shared_digest`
    last: BuildRecord | None
    since: FilesSince | None  # the content files changed, added and gone since `last`
    versus: str  # the digest `last` is compared with (the site's without the `added`)
    added: frozenset[str]  # the content files `last` did not have (`record.added_since`)
    names: set[str]  # `record.link_names` of the site
    kept: KeptPages | None = None
    related: str = ""  # the inputs digest of the related lists this build used
    reusable: bool = False  # `record.reusable` of this build's plan


def _site(run: _Run, articles: list[Article], now: dt.datetime) -> Site:
    """The site model; in the preview, the last one with the edited articles swapped in when
    only what they say changed (engine/patch.py)."""
    request, state = run.request, run.state
    options = (request.drafts, request.future)
    last = state.model
    site = patched_site(last, articles, request.config, options, now) if last else None
    if site is None:
        site = build_site(articles, request.config, BuildOptions(*options, now), run.diag)
        until = next_visibility_change(articles, now, request.future) if state.keep else None
    else:
        until = last.until
    if state.keep:
        state.model = ModelBasis(request.config, options, articles, site, until)
    return site


@dataclass
class _Planned:
    """The plan of one build, with what rendering it needs beside."""

    plan: BuildPlan
    asset_names: dict[str, str]  # theme files by name -> their fingerprinted URL
    fingerprints: PageFingerprints  # of the plan's pages, some of them worked out already
    basis: PlanBasis  # what it was made from besides the site (for the preview's next plan)
    presence: Future | None = None  # `missing_outputs` of the output folder, found apart
    recording: _Recording | None = None  # a command-line build's (engine/record.py)


@pauses_collector
def _plan(run: _Run, site: Site, articles: list[Article], statics: list[str]) -> _Planned:
    """Read what the plan needs (related lists, the search files, stamps and sizes of the files
    to copy: all through the engine's caches), make the plan, and make the resized images it
    asks for. Stops on errors unless `keep_going`. The preview patches its last plan instead
    when only what articles say changed (engine/patch.py)."""
    config, diag = run.request.config, run.diag
    parallel = run.request.parallelism()
    # related lists in a forked process while this one does the rest of the reading (the
    # search files among it) and the pages that need no related lists, fingerprinted: the
    # longest single-process steps of a build, side by side
    # the last lists (the preview's) are in the forked process too: it sends back what changed
    last_lists = run.state.last.basis.related if run.state.last and run.state.last.basis else None
    with (
        beside(parallel, len(site.pages), parallel.min_loads, run.later) as apart,
        inherit((site, last_lists)) as token,
    ):
        related_future = apart.submit(
            _related_apart, token, config.cache_path, not run.state.keep, not diag.errors
        )
        # while this process plans, renders and writes: waited for once the output is in place
        apart.submit(_write_related)
        run.phase("model")
        assets, asset_names = collect_static(config, diag)
        for problem in site_message_problems(config):
            diag.warn(problem.message, problem.path, problem.line, problem.hint)
        files = copy_sources(site, assets, statics, config)
        unpublished = _left_out(articles, site)
        last_record = load_record(config.cache_path, _record_key(config)) if run.recording else None
        since = files_since(last_record, run.files.keys) if run.files is not None else None
        search = _recorded_search(run, last_record, since, unpublished) if config.search else {}
        if search is None:
            search = search_outputs(
                site,
                config.cache_path,
                diag,
                run.state.search,
                run.later,
                run.output,
                _untouched(run, last_record, since),
            )
        give_back()
        basis = PlanBasis(
            output_fingerprint(config, templates_fingerprint(config), static_fingerprint(assets)),
            tuple(files),
            _stamps(files, diag),
            unpublished,
            {path: fp for path, (_, fp) in search.items()},
        )

        recording = (
            _recording(run, basis, site, search, last_record, since) if run.recording else None
        )

        def with_related() -> PlanBasis:
            lists, gone, warnings, versus = related_future.result()
            for warning in warnings:
                diag.warn(warning.message, warning.path, warning.line, warning.hint)
            if recording is not None and versus is not None:
                was, recording.related, relisted = versus
                kept, last_record = recording.kept, recording.last
                if kept is not None and last_record is not None and was == last_record.related:
                    kept.redo = pages_to_redo(site, kept.changes, lists, relisted)
            if last_lists is None:
                return dataclasses.replace(basis, related=lists)
            relisted = frozenset(lists) | frozenset(gone)
            lists = {**last_lists, **lists}
            for rel in gone:
                del lists[rel]
            return dataclasses.replace(basis, related=lists, relisted=relisted)

        images = ImageSet(
            config.cache_path,
            config.image_widths,
            parallel.workers(),
            key=cache_key("image variant", config.image_widths),
        )
        last, plan = run.state.last, None
        found = (
            edits(last.site, site)
            if last is not None and last.basis is not None and last.basis.same_inputs(basis)
            else None
        )
        if found is not None:
            basis = dataclasses.replace(with_related(), index=last.basis.index)
            plan = patched_plan(last.site, last.plan, last.basis, site, basis, search, found)
            run.result.patched = plan is not None
            if plan is not None:  # its views shared as a full plan's are (engine/cache.py)
                fingerprints = PageFingerprints(
                    basis.output_fp, plan.views.values(), run.state.fingerprints
                )
        if plan is None:
            plan, fingerprints, basis = _plan_in_full(
                run, site, articles, files, assets, search, images, basis, with_related, recording
            )
    run.report(plan.problems)
    run.stop_on_errors()
    undecodable = images.make(list(plan.variants))
    if undecodable:  # even with keep_going: the pages show copies that could not be made
        for error in _site_relative(undecodable, config.root):
            run.diag.error(error)
        raise BuildFailed(run.diag.errors, run.diag.warnings)
    return _Planned(plan, asset_names, fingerprints, basis, run.presence, recording)


def _recorded_search(
    run: _Run, last: BuildRecord | None, since: FilesSince | None, unpublished: frozenset[str]
) -> Files | None:
    """The search files of the recorded build, when a command-line build publishes the same
    articles from the same files (`record.published_as_recorded`: a scheduled article added,
    a draft edited) into the output that build left, which still holds them: each is taken
    as it is there, and the search index is neither read nor written (half a minute of such a
    build at 500,000 articles). None: the search index makes them."""
    if (
        last is None
        or not last.search
        or run.files is None
        or run.whole
        or manifest_build(run.output) != last.manifest
        or not (run.request.config.cache_path / SEARCH_INDEX_FILE).is_file()
        or not published_as_recorded(last, since, unpublished)
    ):
        return None  # (an index file its build failed to write is made again)
    paths = [path for path, _ in last.search]
    if len(files_present(run.output, paths)) != len(paths):
        return None  # one deleted by hand: made again from the index
    output = os.fspath(run.output)  # joined when read: a Path each cost 1.6 s at 500,000
    return {path: (functools.partial(_output_bytes, output, path), fp) for path, fp in last.search}


def _untouched(run: _Run, last: BuildRecord | None, since: FilesSince | None) -> Untouched | None:
    """For the search index's update, the articles whose files changed since a build read
    them, when the index is the one that build left (`search.Untouched`): every other
    document is as that build made it (half the update's time, 3 s of an edit at 500,000
    articles, was working out each document's key to find it unchanged). A command-line
    build names the recorded build (and the articles it left unpublished, which its index
    lacks); the preview names its last build, and the articles its watcher saw no change to
    since (when it saw nothing but content files edited: `load_articles`)."""
    kept = run.state.search
    if kept is not None:
        loader = run.state.loader
        if not kept.manifest or not loader.unchanged:
            return None
        return Untouched(kept.manifest, frozenset(loader.memory) - loader.unchanged)
    if last is None or since is None:
        return None
    manifest = next((fp for path, fp in reversed(last.search) if path == SEARCH_MANIFEST), "")
    return Untouched(manifest, since.touched | last.unpublished)


def _output_bytes(output: str, path: str) -> bytes:
    with open(os.path.join(output, path), "rb") as fh:
        return fh.read()


def _recording(
    run: _Run,
    basis: PlanBasis,
    site: Site,
    search: Files,
    last: BuildRecord | None,
    since: FilesSince | None,
) -> _Recording:
    """A command-line build's `_Recording`, with the last record and the digest to compare
    with it: with articles added since (`record.added_since`), the site's without them."""
    options = (run.request.drafts, run.request.future)
    names = link_names(site)  # for both digests and `changes_since`: a pass over every link
    shared = shared_digest(basis, options, site, search.keys(), names=names)
    added = added_since(last, since)
    # those with pages: the others are in no part of the digest (a scheduled one, a draft)
    new = frozenset(rel for rel in added | come_due(last, basis.unpublished) if rel in site.urls)
    versus = shared_digest(basis, options, site, search.keys(), new, names) if new else shared
    return _Recording(shared, last, since, versus, added, names)


def _left_out(articles: list[Article], site: Site) -> frozenset[str]:
    """The rels of the articles that are not pages of the site (drafts, future, expired)."""
    if len(site.pages) == len(articles):  # each page is one of the articles: all are pages
        return frozenset()
    pages = {a.rel for a in site.pages}
    return frozenset(a.rel for a in articles if a.rel not in pages)


def _site_relative(errors: list[SiteError], root: Path) -> list[SiteError]:
    """`errors` naming their files from the site's folder (`static/a.png`), as the others do."""
    return [
        dataclasses.replace(e, path=from_site(e.path, root)) if e.path is not None else e
        for e in errors
    ]


def _plan_in_full(
    run: _Run,
    site: Site,
    articles: list[Article],
    files: list[SourceFile],
    assets: list[Asset],
    search: Files,
    images: ImageSet,
    basis: PlanBasis,
    with_related: Callable[[], PlanBasis],
    recording: _Recording | None = None,
) -> tuple[BuildPlan, PageFingerprints, PlanBasis]:
    """`_plan`'s plan when the last cannot be patched: the pages that need no related lists
    first (while they are worked out), fingerprinted, then the rest. A command-line build
    whose last left a record leaves the pages none of whose inputs changed to keep their
    fingerprints from the manifest (engine/record.py)."""
    config, diag = run.request.config, run.diag
    if recording is not None and run.files is not None:
        f = run.files
        found = changes_since(
            recording.last,
            recording.versus,
            site,
            articles,
            LazyViews(site),
            recording.since,
            f.previous,
            f.parsed,
            f.replaced,
            recording.added,
            basis.unpublished,
            recording.names,
        )
        recording.kept = KeptPages(site, found) if found is not None else None
        # an article published reaches whole listings: every page but the articles' is planned
        if found is not None and not found.added and _partial_plan_fits(run, recording):
            basis = with_related()  # what `pages_to_redo` needs
            if recording.kept is not None and recording.kept.redo is not None:
                return _plan_edited(run, site, files, assets, search, images, basis, recording)
    # the preview hands the last plan's parts made from the same inputs back
    memo = run.state.memo
    recall = memo.recall(config.output_fingerprint()) if memo is not None else None
    lazy = not run.state.keep  # contexts made where pages render: the preview patches them
    listings = plan_listings(site, recall=recall, lazy=lazy)
    fingerprints = PageFingerprints(
        basis.output_fp,
        listings.views.values(),
        run.state.fingerprints,
        recording.kept if recording is not None else None,
    )
    # final already: a page showing no body gets nothing more from `plan_build`
    fingerprints.early(job for job in listings.pages if not job.bodies)
    if basis.related is None:  # not yet waited for
        basis = with_related()
    reported = (len(diag.errors), len(diag.warnings))
    inputs = _plan_inputs(run, files, assets, search, images, basis)
    kept = recording.kept if recording is not None else None
    settled = kept.settled() if kept is not None else ()
    plan = plan_build(site, config, inputs, diag, listings, recall, lazy=lazy, settled=settled)
    # a plan that reported nothing may be patched by the preview's next build (it would not
    # report again what this one did), or planned in part by the next command-line build
    quiet = reported == (len(diag.errors), len(diag.warnings)) and not plan.problems
    if quiet and run.state.keep:
        basis = dataclasses.replace(basis, index=plan_index(site, plan, basis.search))
    if recording is not None:
        recording.reusable = reusable(plan.pages, quiet)
    return plan, fingerprints, basis


def _plan_inputs(
    run: _Run,
    files: list[SourceFile],
    assets: list[Asset],
    search: Files,
    images: ImageSet,
    basis: PlanBasis,
) -> PlanInputs:
    """What the plan reads besides the site (the images measured, their warnings reported)."""
    config = run.request.config
    assert basis.related is not None
    inputs = PlanInputs(
        related=basis.related,
        assets=assets,
        files=files,
        stamps=basis.stamps,
        search=search,
        measured=images.measure({f.out_path: f.path for f in files}),
        image_key=images.key,
        unpublished=basis.unpublished,
    )
    for warning in images.warnings:
        run.diag.warn(warning, config.cache_path / "images")
    run.report(_site_relative(images.problems, config.root))
    return inputs


def _partial_plan_fits(run: _Run, recording: _Recording) -> bool:
    """Whether the last build's plan may stand for every page an edit of bodies leaves alone:
    its record says so (`record.reusable`) and the output still holds its manifest (the
    writer checks the whole manifest again: `_changes`)."""
    last = recording.last
    return (
        last is not None
        and bool(last.pages)
        and not run.whole
        and not run.request.preview
        and manifest_build(run.output) == last.manifest
    )


def _plan_edited(
    run: _Run,
    site: Site,
    files: list[SourceFile],
    assets: list[Asset],
    search: Files,
    images: ImageSet,
    basis: PlanBasis,
    recording: _Recording,
) -> tuple[BuildPlan, PageFingerprints, PlanBasis]:
    """`_plan_in_full`'s plan when only what articles say changed since the recorded build: the pages
    they reach (`plan.plan_edited`); every other page keeps its place and fingerprint from
    the last build's manifest (`_changes`)."""
    diag = run.diag
    kept = recording.kept
    assert kept is not None and kept.redo is not None
    reported = (len(diag.errors), len(diag.warnings))
    inputs = _plan_inputs(run, files, assets, search, images, basis)
    config, viewed = run.request.config, kept.changes.viewed
    plan = plan_edited(site, config, inputs, diag, kept.redo, kept.edited, viewed.keys())
    quiet = reported == (len(diag.errors), len(diag.warnings)) and not plan.problems
    recording.reusable = reusable(plan.pages, quiet)
    assert isinstance(plan.views, LazyViews)  # the views these pages hold, shared as a whole plan's
    fingerprints = PageFingerprints(
        basis.output_fp, plan.views.made.values(), run.state.fingerprints, kept
    )
    return plan, fingerprints, basis


# the files of the related lists `_related_apart` worked out, written by `_write_related`
_RELATED_WRITES: list[Callable[[], None]] = []


def _related_apart(
    token: int, cache_dir: Path, keep_lists: bool = True, keep_index: bool = True
) -> tuple[dict[str, list[str]], list[str], list[SiteError], tuple[str, str, list[str]] | None]:
    """`related_lists` for the site registered under `token`, and its warnings (run in a forked
    process by `_plan`, or inline). With the last build's lists registered beside it, only the
    lists that differ from those and the articles that have none now: a 100,000-article site's
    lists take half a second to send whole. Without: every list, and against the lists the
    cache kept (a command-line build's last), (their inputs digest, these lists' inputs
    digest, the articles whose lists differ). `keep_lists` False (the preview): the lists'
    file is left as the last command-line build wrote it, for the next to compare with;
    `keep_index` False (a build that has failed already): no file is written."""
    site, last = inherited(token)
    diag = Diagnostics()
    before: list[tuple[str, dict[str, list[str]]]] = []
    lists = related_lists(
        site, cache_dir, diag, _RELATED_WRITES.append, before, keep_lists, keep_index
    )
    if last is None:
        (was, old), (now, _) = before[0], before[-1]
        relisted = [rel for rel in lists.keys() | old.keys() if old.get(rel) != lists.get(rel)]
        return lists, [], diag.warnings, (was, now, relisted)
    changed = {rel: rels for rel, rels in lists.items() if last.get(rel) != rels}
    return changed, [rel for rel in last if rel not in lists], diag.warnings, None


def _write_related() -> None:
    """Write the related lists' cache files once the lists are sent: the next task in the one
    process that ran `_related_apart` (a pool of one worker, or inline)."""
    while _RELATED_WRITES:
        _RELATED_WRITES.pop()()


def _stamps(files: list[SourceFile], diag: Diagnostics) -> dict[Path, str]:
    """Each file's size and modification time (its fingerprint as a copy); a file that has
    gone since it was listed is left out, with a warning."""
    out: dict[Path, str] = {}
    for f in files:
        try:
            st = f.path.stat()
        except OSError as exc:
            diag.warn(f"could not read {f.label}: {exc.strerror}; not copied", f.path)
            continue
        out[f.path] = f"{f.path}:{st.st_size}:{st.st_mtime_ns}"
    return out


class _Replan(Exception):
    """A partial plan met an output whose manifest is not the recorded build's any more
    (changed while this build planned): the build plans every page instead."""


@dataclass
class _Changes:
    """What the last build's manifest says must be redone."""

    render: list[tuple[PageJob, str]]  # pages and their new fingerprints
    # every page's path -> its fingerprint; "" for a page a partial plan carries over (the
    # writer keeps its manifest entry as it is)
    planned: dict[str, str]
    copy: int  # copies whose fingerprint changed
    stale: int  # files of the last build no output has now
    kept: set[str]  # the copies unchanged since the last build and still there

    def none(self) -> bool:
        return not self.render and not self.copy and not self.stale


@pauses_collector
def _changes(
    plan: BuildPlan,
    writer: OutputWriter,
    fingerprints: PageFingerprints,
    keep: bool,
    last: BuildRecord | None = None,
) -> _Changes:
    """What the last manifest says must be redone; `last`: the record of the build that
    wrote it, when its fingerprints may stand for the pages the plan left alone. A partial
    plan's other pages are the recorded build's, with their fingerprints in its manifest."""
    same = last is not None and writer.old.owned and writer.old.build == last.manifest
    old = writer.old.files
    if same:
        fingerprints.keep_from(lambda path: entry_fp(entry) if (entry := old.get(path)) else None)
    render: list[tuple[PageJob, str]] = []
    planned: dict[str, str] = {}
    if plan.partial:
        if not same or last is None:
            raise _Replan()
        if not all(path in old for path in last.pages):  # a recorded page gone from the manifest
            raise _Replan()
        planned = dict.fromkeys(last.pages, "")  # their fingerprints stay in the manifest
        replanned = {job.path for job in plan.pages}
        if writer.lacks_any(path for path in planned if path not in replanned):
            raise _Replan()  # a page it would carry over is gone from the output folder
    for job in plan.pages:
        fp = planned[job.path] = fingerprints.of(job)
        if not writer.unchanged(job.path, fp):
            render.append((job, fp))
    fingerprints.settle(keep)  # the fingerprints are in `planned` now
    kept = writer.unchanged_paths(plan.copies)
    copy = len(plan.copies) - len(kept)
    stale = len(writer.old.files.keys() - planned.keys() - plan.copies.keys())
    return _Changes(render, planned, copy, stale, kept)


def _carry_out(run: _Run, site: Site, planned: _Planned) -> BuildResult:
    """Render and write what changed since the last build, then swap the output in."""
    request, config, result = run.request, run.request.config, run.result
    plan, asset_names = planned.plan, planned.asset_names
    # the preview's folder: its last manifest from memory, this one's written once pages are told
    kept, run.state.manifest = run.state.manifest, None
    last = kept[1] if request.preview and kept is not None and kept[0] == run.output else None
    later = run.state.unsaved.append if request.preview and run.state.keep else None
    if request.output_ready is not None:
        request.output_ready()
    writer = OutputWriter(
        run.output, request.force, request.preview, last, later, config.cache_path / "spare"
    )
    if planned.presence is not None:
        with contextlib.suppress(Exception):  # not found there: the writer looks itself
            writer.expect_missing(planned.presence.result())
    recording = planned.recording
    last = recording.last if recording is not None and recording.kept is not None else None
    changes = _changes(plan, writer, planned.fingerprints, run.state.keep, last)
    result.fingerprinted = planned.fingerprints.worked_out
    result.pages = len(changes.planned)
    result.planned = len(plan.pages) if plan.partial else result.pages
    env = run.state.environment(config, asset_names)
    if run.state.keep:
        run.state.fingerprints = planned.fingerprints
        # the last plan is not freed here (a tenth of a second at 10,000 articles, which
        # the preview's reader would wait for) but by `Builder.let_go`, once the page reloaded
        run.state.retired.append(run.state.last)
        run.state.last = LastRun(
            config,
            request.drafts,
            run.output,
            site,
            plan,
            env,
            dict(run.state.loader.sources),
            planned.basis,
        )
    run.phase("plan")
    if changes.none() and writer.old.owned:
        result.kept = len(changes.planned) + len(plan.copies)
        run.state.manifest = (run.output, writer.old)
        _keep_record(run, recording, planned.basis, writer.old.build, changes.planned)
        return run.done()
    writer.start(len(changes.render) + changes.copy + changes.stale)
    # the site and plan live until the build ends: out of the collector's sight (it would walk
    # them again and again), and not touched by it in forked workers (copy-on-write stays shared)
    gc.freeze()
    try:
        # in the plan's order, which the manifest is sorted from when it is written (a million
        # paths in a set's order took half a second more to sort at 500,000 articles)
        rendered = {job.path for job, _ in changes.render}
        writer.keep_all([path for path in changes.planned if path not in rendered])
        # the copies (the search files' among them, read back from their spool) are written
        # by this process while the workers render: it would wait for them otherwise
        give_back()  # before the render workers are forked: they start from this size
        tell(request, "render", 0, len(changes.render))
        renderer = PageRenderer(
            site.pages,
            config,
            env,
            plan.targets,
            writer,
            asset_names,
            run.state.memory,
            run.diag,
            lambda done, total: tell(request, "render", done, total),
        )
        renderer.run(changes.render, request.parallelism(), _copies(writer, plan, changes.kept))
        result.skipped_pages = renderer.skipped
        run.report(renderer.broken_links)
        run.stop_on_errors()
        result.removed = len(writer.removed())
        run.phase("render")
        writer.commit()
        run.phase("commit")
        if writer.replaced:
            run.diag.warn(
                f"--force: replaced {len(writer.replaced)} file(s) sitegen did not write: "
                + ", ".join(writer.replaced[:5]),
                run.output,
            )
    except BaseException:
        writer.abort()
        raise
    finally:
        gc.unfreeze()
    result.written = writer.written
    result.kept = writer.kept
    result.files = writer.new.files
    run.state.manifest = (run.output, writer.new)
    _keep_record(run, recording, planned.basis, writer.new.build, changes.planned)
    return run.done()


def _record_key(config: SiteConfig) -> str:
    """The record's key: sitegen's code and the settings. The search files taken from a
    record, and the documents of the search index it vouches for, show the articles'
    addresses and days as those settings made them."""
    return cache_key("build record", config.output_fingerprint())


def _keep_record(
    run: _Run,
    recording: _Recording | None,
    basis: PlanBasis,
    manifest: str,
    pages: Mapping[str, str],
) -> None:
    """Keep the record of a good command-line build for the next (engine/record.py);
    `basis`: what its plan was made from (the articles left unpublished, the search files);
    `pages`: every page's path (kept when a partial plan may stand on this build's)."""
    if recording is None or run.files is None or run.diag.errors or not manifest:
        return
    paths = tuple(pages) if recording.reusable else ()
    record = BuildRecord(
        manifest,
        recording.shared,
        recording.related,
        run.files.keys,
        paths,
        basis.unpublished,
        tuple(basis.search.items()),
    )
    config = run.request.config
    save_record(config.cache_path, _record_key(config), record)
    if run.files.replaced is not None or run.files.parsed:  # this build's or an earlier one's
        keep_replaced(config.cache_path, run.files.keys)


def _copies(writer: OutputWriter, plan: BuildPlan, kept: set[str]) -> Iterator[None]:
    """Write the plan's copies, a step per file (PageRenderer.run takes them between pages);
    the generated ones in `kept` (unchanged and still there) are kept at once."""
    copies = plan.copies
    writer.keep_all(
        [p for p, (src, _) in copies.items() if p in kept and not isinstance(src, Path)]
    )
    for path, (src, fp) in copies.items():
        if isinstance(src, Path):
            writer.copy(path, src, fp)
        elif path in kept:
            continue
        else:  # generated bytes, or a function making them (search files kept as they were)
            writer.write(path, src if isinstance(src, bytes) else src(), fp)
        yield


def next_visibility_change(
    articles: list[Article], now: dt.datetime, future: bool
) -> dt.datetime | None:
    """When an article next appears (its date or publish date comes) or expires by itself."""
    times = []
    for a in articles:
        if not future:
            times += [t for t in (a.date if a.has_date else None, a.publish_date) if t and t > now]
        if a.expiry_date and a.expiry_date > now:
            times.append(a.expiry_date)
    return min(times, default=None)
