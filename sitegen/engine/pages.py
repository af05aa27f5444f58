"""Rendering the changed pages of a plan: bodies from the caches or rendered, pages spread over
the executor, feeds gathered here.

Pages showing one article's body go to the worker pool (or the Dask cluster), which renders
the Markdown too and stores new bodies in the body cache. Pages gathering many bodies (feeds,
listings with full bodies) are rendered in this process as soon as the bodies they show have
come back from the workers, while the workers go on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

import jinja2

from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.engine.cache import BodyCache, body_key, body_settings
from sitegen.engine.executor import Parallelism
from sitegen.engine.parallel import ChunkResult, RenderWork, order_tasks, render_chunk, render_pages
from sitegen.engine.remote import RenderedChunk, render_kit, render_remote
from sitegen.errors import Diagnostics, SiteError
from sitegen.output.writer import OutputWriter, entry_sha
from sitegen.render.localize import LinkTargets, localize_html
from sitegen.render.markdown import RenderedBody, body_warnings, render_markdown
from sitegen.render.templates import render_job
from sitegen.site.plan import PageJob

ALONGSIDE_SLICE = 0.05  # seconds of the parent's other work between two results of the workers
CHUNK = 48  # pages per task: small enough to balance two workers, large enough to amortise


class BodyMemory:
    """Rendered bodies kept in memory between builds of one process (the preview), by body
    key; bounded, and never kept in a worker."""

    MAX_BODIES = 4000

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.bodies: dict[str, RenderedBody] = {}  # body_key -> body

    def get_many(self, keys: dict[str, str]) -> dict[str, RenderedBody]:
        """rel -> body, for each (rel -> key) remembered."""
        return {rel: self.bodies[key] for rel, key in keys.items() if key in self.bodies}

    def remember(self, items: dict[str, RenderedBody]) -> None:
        if not self.keep or os.environ.get("SITEGEN_WORKER"):
            return
        if len(self.bodies) + len(items) > self.MAX_BODIES:
            self.bodies.clear()
        self.bodies.update(items)


def render_body(article: Article, config: SiteConfig) -> RenderedBody:
    return render_markdown(article.body, config.raw_html, config.heading_ids)


def gathers_bodies(job: PageJob) -> bool:
    """A page rendered in this process, once the bodies it shows are back from the workers."""
    return len(job.bodies) > 1 or job.kind == "feed"


class BodyWaits:
    """Which of the parent's pages have every body they show back from the workers. Each page's
    count of bodies still to come, and the pages waiting for each body: a body that comes back
    touches only the pages waiting for it. Looking at every waiting page after each chunk cost
    the number of feeds times the number of chunks (a site of 6,000 tags has 12,000 feeds)."""

    def __init__(self, missing: Iterable[Iterable[str]]) -> None:
        """`missing`: for each page, in order, the bodies it waits for."""
        self._short: dict[int, int] = {}  # place -> bodies still to come
        self._waits: dict[str, list[int]] = {}  # body -> places of the pages waiting for it
        self._ready: list[int] = []
        for place, rels in enumerate(missing):
            rels = set(rels)
            if not rels:
                self._ready.append(place)
                continue
            self._short[place] = len(rels)
            for rel in rels:
                self._waits.setdefault(rel, []).append(place)

    def arrived(self, rels: Iterable[str]) -> None:
        """These bodies are here (again, or not awaited: no change)."""
        short, waits = self._short, self._waits
        for rel in rels:
            for place in waits.pop(rel, ()):
                short[place] -= 1
                if not short[place]:
                    del short[place]
                    self._ready.append(place)

    def ready(self) -> list[int]:
        """The places of the pages whose bodies have all come since the last call, in order."""
        ready, self._ready = sorted(self._ready), []
        return ready


class PageRenderer:
    """Renders and writes one build's changed pages (`run`); what each worker needs is an
    attribute, so the fork hands it over and `RenderWork` calls the bound methods."""

    def __init__(
        self,
        pages: list[Article],
        config: SiteConfig,
        env: jinja2.Environment,
        targets: LinkTargets,
        writer: OutputWriter,
        asset_names: dict[str, str],
        memory: BodyMemory,
        diag: Diagnostics,
        progress: Callable[[int, int], None] = lambda done, total: None,
    ) -> None:
        self.by_rel = {a.rel: a for a in pages}
        self.config = config
        self.env = env
        # its own copy: broken links found while rendering are collected here, the plan's
        # targets stay as planned
        self.targets = dataclasses.replace(targets, missing=[])
        self.writer = writer
        self.asset_names = asset_names
        self.memory = memory
        self.diag = diag
        self.progress = progress
        self.settings = body_settings(config)
        self.keys: dict[str, str] = {}  # rel -> body key, of every body a changed page shows
        self.bodies: dict[str, RenderedBody] = {}  # rel -> body, known in this process
        self.fresh: dict[str, RenderedBody] = {}  # rendered here since the last flush
        self.wanted: set[str] = set()  # bodies the parent's own pages need back
        # rel -> how many pages still to render show a body the parent's pages need, and the
        # bodies of the other pages showing those (path -> rels): the parent lets a body go
        # when no page still to render shows it (a feed for each of thousands of tags shows
        # most articles of a site: their bodies were all held to the end of the build)
        self._needed: Counter[str] = Counter()
        self._shows: dict[str, tuple[str, ...]] = {}
        self.in_worker = False
        self._held: BodyCache | None = None  # a worker's connection to the body cache
        self.skipped: list[str] = []  # pages not written (their errors are in diag)
        self._missing: list[SiteError] = []  # broken links the workers found
        self._pending: dict[int, tuple[PageJob, str]] = {}  # the parent's pages, by place
        self._waits = BodyWaits(())  # which of them wait for which bodies
        # keys of the body cache's entries found unreadable (rendered again): a body read by
        # several pages, or in several processes, is one damaged entry
        self._damaged: set[str] = set()
        self._done = 0
        self._total = 0
        self._workers_done = False
        self._alongside: Iterator[object] = iter(())  # the parent's other work (`run`)

    # --- in this process and in each worker ----------------------------------------------------

    def body(self, rel: str) -> RenderedBody:
        got = self.bodies.get(rel)
        if got is None:
            got = self.bodies[rel] = self.fresh[rel] = render_body(self.by_rel[rel], self.config)
        return got

    def body_html(self, rel: str, page_url: str) -> tuple[str, tuple]:
        article = self.by_rel[rel]
        rendered = self.body(rel)
        self._tell_problems(article, rendered)
        html = localize_html(rendered.html, article, page_url, self.targets, article.source)
        return html, rendered.toc

    def _tell_problems(self, article: Article, body: RenderedBody) -> None:
        """What was made right in the body's raw HTML, as warnings at their lines (with the
        broken links: sent back from a worker with its chunk)."""
        self.targets.missing.extend(body_warnings(body, article.source, article.body_line))

    def render(self, job: PageJob) -> bytes:
        return render_job(self.env, job, self.body_html)

    def flush(self) -> dict[str, RenderedBody]:
        """Store new bodies in the cache; send back those the parent's pages need."""
        if self.fresh:
            new = {
                body_key(self.by_rel[rel].content_hash, self.settings): b
                for rel, b in self.fresh.items()
            }
            with self._body_cache() as cache:
                cache.put_many(new)
            self.memory.remember(new)
        back = {rel: b for rel, b in self.fresh.items() if rel in self.wanted}
        self.fresh.clear()
        return back

    def before_chunk(self, task: list[tuple[PageJob, str]]) -> None:
        """The cached bodies of the chunk's pages, read where the chunk is rendered."""
        self._fetch(
            {rel: self.keys[rel] for job, _ in task for rel in job.bodies if rel in self.keys}
        )

    def after_chunk(self) -> tuple[dict[str, RenderedBody], list[SiteError], int]:
        # no bodies kept between chunks but those the parent's own pages still need: a
        # worker's memory, and the parent's when it renders every chunk itself, stay flat
        for rel in list(self.bodies):
            if rel not in self.fresh and (self.in_worker or rel not in self._needed):
                del self.bodies[rel]
        sent = self.flush()
        errors = list(self.targets.missing)
        self.targets.missing.clear()
        damaged: set[str] = set()
        if self.in_worker:  # gathered in the parent, which tells of them once
            damaged, self._damaged = self._damaged, set()
        return sent, errors, damaged

    def _fetch(self, keys: dict[str, str]) -> None:
        """Bodies of `keys` (rel -> body key) not known here yet, from the body cache."""
        missing = {rel: key for rel, key in keys.items() if rel not in self.bodies}
        if not missing:
            return
        with self._body_cache() as cache:
            found = cache.get_many(sorted(set(missing.values())))
            self._damaged |= cache.damaged
            cache.damaged = set()
        self.bodies.update({rel: found[key] for rel, key in missing.items() if key in found})

    @contextlib.contextmanager
    def _body_cache(self) -> Iterator[BodyCache]:
        """The body cache: a worker keeps one connection for all its chunks (opening the
        database for each chunk, two or three times, was about 3 % of a worker's time in a
        build of a restored cache); this process opens it for each use and closes it, as it
        lives on between the preview's builds."""
        if self.in_worker:
            if self._held is None:
                self._held = BodyCache(self.config.cache_path / "cache.sqlite")
            yield self._held
            return
        cache = BodyCache(self.config.cache_path / "cache.sqlite")
        try:
            yield cache
        finally:
            cache.close()

    def _forked(self) -> None:
        self.in_worker = True
        self._held = None  # the parent's is never set, but a connection is not to be shared

    # --- in this process -------------------------------------------------------------------

    def run(
        self,
        to_render: list[tuple[PageJob, str]],
        parallel: Parallelism,
        alongside: Iterator[object] | None = None,
    ) -> None:
        """Render and write every page of `to_render` (page, fingerprint). Page errors go to
        `diag` (and the page to `skipped`); broken links to `broken_links`. `alongside` is
        this process's other work, a step per `next()`: taken a few steps at a time while the
        workers render (the parent would wait for them otherwise), the rest at the end."""
        self._total = len(to_render)
        self._alongside = alongside if alongside is not None else iter(())
        self.keys = {
            rel: body_key(self.by_rel[rel].content_hash, self.settings)
            for job, _ in to_render
            for rel in job.bodies
        }
        pending = [(job, fp) for job, fp in to_render if gathers_bodies(job)]
        self._pending = dict(enumerate(pending))
        local = [(job, fp) for job, fp in to_render if not gathers_bodies(job)]
        self._needed = Counter(rel for job, _ in pending for rel in job.bodies)
        self.wanted = set(self._needed)
        self._shows = {
            job.path: job.bodies for job, _ in local if not self.wanted.isdisjoint(job.bodies)
        }
        self._needed.update(rel for rels in self._shows.values() for rel in rels)
        remote = parallel.remote(len(local), parallel.min_pages)
        self._load_cached_bodies(every=remote)
        keys, bodies = self.keys, self.bodies
        self._waits = BodyWaits(
            [tuple(r for r in job.bodies if r in keys and r not in bodies) for job, _ in pending]
        )
        tasks = order_tasks(local, self.wanted, CHUNK)
        if remote:
            kit = render_kit(
                self.config,
                self.asset_names,
                self.targets,
                {a.lang for a in self.by_rel.values()},
            )
            render_remote(
                kit, tasks, self.by_rel, self.bodies, parallel, self._on_remote, self._between
            )
        else:
            work = RenderWork(
                self.render, self.writer, self.after_chunk, self._forked, self.before_chunk
            )
            render_pages(work, tasks, parallel, self._on_result, self._between)
        self._workers_done = True
        self._between()
        for _ in self._alongside:
            pass
        self.flush()
        if self._damaged:
            self.diag.warn(
                f"the body cache had {len(self._damaged)} damaged entr"
                f"{'y' if len(self._damaged) == 1 else 'ies'}; rendered again",
                self.config.cache_path / "cache.sqlite",
            )
        self.targets.missing[:0] = self._missing
        if to_render:
            self._prune()

    @property
    def broken_links(self) -> list[SiteError]:
        """Links to pages that do not exist, found while rendering (file and line each)."""
        return self.targets.missing

    def _load_cached_bodies(self, every: bool) -> None:
        """The bodies this process's own pages show (`every`: all the changed pages show, for
        workers on other machines, which have no cache), from memory or the body cache; the
        pages rendered here or in a forked worker read theirs a chunk at a time
        (`before_chunk`). Every body held here at once, for a build whose output folder is
        empty but whose caches are full (a CI runner with a restored cache), was 1.3 GB at
        100,000 articles, in this process and in each worker forked from it."""
        self.bodies = self.memory.get_many(self.keys)
        cache = BodyCache(self.config.cache_path / "cache.sqlite", self.diag.warn)
        cache.close()  # opened to report a damaged cache file here, where warnings are told
        wanted = self.keys if every else {r: k for r, k in self.keys.items() if r in self.wanted}
        self._fetch(wanted)

    def _prune(self) -> None:
        """Let the body cache drop what no page shows any more (see `BodyCache.prune`)."""

        def in_use() -> set[str]:
            return {body_key(a.content_hash, self.settings) for a in self.by_rel.values()}

        cache = BodyCache(self.config.cache_path / "cache.sqlite")
        try:
            cache.prune(in_use, len(self.by_rel))
        finally:
            cache.close()

    def _on_result(self, res: ChunkResult) -> None:
        self._done += len(res.records) + len(res.errors)
        self.progress(self._done, self._total)
        if not res.local:
            for rec in res.records:
                self.writer.record(*rec)
        for path, error in res.errors:
            self.diag.error(error)
            self.skipped.append(path)
        if res.extra:
            sent, errors, damaged = res.extra
            self.bodies.update(sent)
            self._waits.arrived(sent)
            self._missing.extend(errors)
            self._damaged |= damaged
        if self._shows:
            for path in chain((rec[0] for rec in res.records), (path for path, _ in res.errors)):
                rels = self._shows.pop(path, None)
                if rels:
                    self._shown(rels)

    def _on_remote(self, done: RenderedChunk) -> None:
        """A chunk back from the Dask cluster: its pages as bytes (written here), its new
        bodies (for the cache, and for the pages `_between` renders)."""
        records = []
        for path, fp, data in done.pages:
            self.writer.write(path, data, fp)
            records.append((path, entry_sha(self.writer.new.files[path]), fp, True))
        self.fresh.update(done.bodies)
        self.targets.missing.extend(done.warnings)
        self._on_result(ChunkResult(records, done.errors, (self.flush(), [], set()), local=True))

    def _between(self) -> None:
        """Render the parent's pages whose bodies have all arrived, while the workers go on,
        then take some steps of the other work (about a twentieth of a second's)."""
        self._render_ready()
        until = time.perf_counter() + ALONGSIDE_SLICE
        for _ in self._alongside:
            if time.perf_counter() >= until:
                break

    def _render_ready(self) -> None:
        """The parent's pages (feeds, pages of many bodies) whose bodies are all here; every
        one left once the workers are done (a body a worker could not render is made here)."""
        if self._workers_done:
            ready = list(self._pending.values())
            self._pending = {}
        else:
            ready = [self._pending.pop(place) for place in self._waits.ready()]
        if not ready:
            return
        work = RenderWork(
            self.render, self.writer, self.after_chunk, self._forked, self.before_chunk
        )
        self._on_result(render_chunk(work, ready))
        for job, _ in ready:
            self._shown(job.bodies)

    def _shown(self, rels: Iterable[str]) -> None:
        """A page showing `rels` is done: let go of the bodies no page still to render shows."""
        needed = self._needed
        for rel in rels:
            if rel in needed:
                needed[rel] -= 1
                if not needed[rel]:
                    del needed[rel]
                    self.bodies.pop(rel, None)
