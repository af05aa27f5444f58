"""Orchestration: import -> load -> model -> plan -> render -> write. No logic of its own beyond
deciding what must be redone: a page whose inputs hash the same as last time is not rendered,
a body whose source is unchanged comes from the cache, and an unchanged build writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import __version__
from sitegen.config import SiteConfig
from sitegen.content.article import Article, discover, load_article
from sitegen.engine.cache import BodyCache, body_key, body_settings, cache_key, code_fingerprint
from sitegen.engine.cluster import scheduler_address
from sitegen.engine.executor import Parallelism
from sitegen.engine.parallel import (
    ChunkResult,
    RenderWork,
    order_tasks,
    render_chunk,
    render_pages,
)
from sitegen.engine.related_cache import related_lists
from sitegen.engine.remote import RenderedChunk, render_kit, render_remote
from sitegen.engine.search_cache import search_outputs
from sitegen.engine.sourcecache import ArticleLoader
from sitegen.engine.stamp import (
    input_digest,
    load_stamp,
    replay,
    save_stamp,
    stamp_path,
    still_valid,
)
from sitegen.errors import BuildFailed, Diagnostics, SiteError
from sitegen.fsutil import is_inside, sha1_bytes
from sitegen.ingest.importer import import_seeds
from sitegen.output.writer import OutputWriter, check_output_folder, place_ahead
from sitegen.render.assets import collect_static, static_fingerprint
from sitegen.render.images import ImageSet
from sitegen.render.localize import (
    LinkTargets,
    add_reference_fingerprints,
    check_references,
    localize_html,
)
from sitegen.render.markdown import RenderedBody, render_markdown
from sitegen.render.templates import make_environment, render_job, templates_fingerprint
from sitegen.site.model import BuildOptions, Site, build_site
from sitegen.site.outputs import (
    BUNDLE,
    CONTENT,
    GENERATED,
    STATIC,
    THEME,
    Copy,
    as_sources,
    check_pages_against_copies,
    merge_copies,
    pages_without,
)
from sitegen.site.plan import PageJob, article_context, listing_view, plan_pages


@dataclass
class BuildResult:
    articles: int = 0
    pages: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    seconds: float = 0.0
    left_out: dict[str, int] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    output: Path | None = None
    skipped_pages: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds (bench, --verbose)

    def mark(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now


@dataclass
class BuildRequest:
    """What to build: the settings and the flags of one `sitegen build` (or preview rebuild)."""

    config: SiteConfig
    output: Path | None = None
    drafts: bool = False
    future: bool = False
    keep_going: bool = False
    force: bool = False
    run_import: bool = True
    jobs: int = 0  # worker processes; 0: one per core, 1: everything in this process
    preview: bool = False  # `sitegen serve`: the output folder is sitegen's own, updated in place
    parallel: Parallelism | None = None  # pool thresholds (tests set them low); None: defaults
    # "local" (this machine's process pool) or a Dask scheduler, dask://HOST:PORT (cluster.py);
    # the preview always builds locally
    executor: str = "local"
    # told (phase, done, total) at each phase's start (0, 0) and as pages render; for the CLI
    progress: Callable[[str, int, int], None] | None = None

    def parallelism(self) -> Parallelism:
        jobs = self.jobs or self.config.jobs
        cluster = "" if self.preview else scheduler_address(self.executor)
        if self.parallel is None:
            return Parallelism(jobs=jobs, cluster=cluster)
        return dataclasses.replace(self.parallel, jobs=self.parallel.jobs or jobs, cluster=cluster)


def _tell(request: BuildRequest, phase: str, done: int = 0, total: int = 0) -> None:
    if request.progress is not None:
        request.progress(phase, done, total)


def build_now() -> dt.datetime:
    """The build's idea of now: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def load_articles(
    config: SiteConfig,
    diag: Diagnostics,
    parallel: Parallelism | None = None,
    loader: ArticleLoader | None = None,
) -> tuple[list[Article], list[str]]:
    """Every article (parsed once, then from the article cache) and the static content files."""
    sources, statics = discover(config, diag)
    loader = loader or ArticleLoader()
    articles = loader.load(
        sources, config, diag, parallel or Parallelism(), config.cache_path / "cache.sqlite"
    )
    return articles, statics


def render_body(article: Article, config: SiteConfig) -> RenderedBody:
    return render_markdown(article.body, config.raw_html)


def link_targets(
    site: Site,
    statics: list[str],
    static_urls: set[str],
    config: SiteConfig,
    images: ImageSet | None = None,
) -> LinkTargets:
    files = set(static_urls)
    files.update("/" + s for s in statics)
    bundle_urls: dict[str, str] = {}
    for article in site.pages:
        if article.bundle is not None and article.bundle not in bundle_urls:
            bundle_urls[article.bundle] = site.url(bundle_home(site, article))
    for article in site.pages:
        if article.bundle is not None:
            base = bundle_urls[article.bundle]
            files.update(base + r for r in article.resources)
    articles = {a.rel: site.url(a) for a in site.pages}
    return LinkTargets(
        files=files,
        articles=articles,
        bundle_urls=bundle_urls,
        file_urls=config.file_urls,
        base_url=config.base_url,
        images=images,
        figures=config.figures,
        broken_links=config.broken_links,
    )


def bundle_home(site: Site, article: Article) -> Article:
    """The version of an article whose page a bundle's files are copied beside: the first (in
    the default language) of the versions sharing its folder. Translations in language folders
    (content/ja/post/) have bundles of their own."""
    versions = site.translations.get(article.translation_key, [article])
    return next((v for v in versions if v.bundle == article.bundle), article)


def fingerprint(global_fp: str, job: PageJob) -> str:
    # marshal version 2: versions 3+ encode shared/interned objects as back-references, so
    # equal contexts built differently (parsed vs. unpickled articles) would hash differently
    return hashlib.sha1(global_fp.encode() + marshal.dumps(job.context, 2)).hexdigest()


def build(request: BuildRequest, state: BuildState | None = None) -> BuildResult:
    """Build the site; raises BuildFailed with every error unless `keep_going`."""
    state = state or BuildState()
    started = time.perf_counter()
    config = request.config
    output = (request.output or config.output_path).resolve()
    result = BuildResult(output=output)
    diag = result.diagnostics
    preview = request.preview
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
            *([] if preview else [config.cache_path]),
        ],
        request.force or preview,
    )  # the preview folder is sitegen's own, manifest or not

    if request.run_import:
        _tell(request, "import")
        report = import_seeds(config)
        diag.extend(report.diagnostics)
    mark = result.mark("import", started)
    now = build_now()
    # nothing read has changed since the last good build: done (the preview always builds, so
    # that it holds the plan its fast path renders from)
    stamp_file = stamp_path(config, output)
    flags = (str(output), request.drafts, request.future, request.keep_going, config.max_file_size)
    digest, newest = input_digest(config, flags)
    stamp = None if preview or diag.errors else load_stamp(stamp_file)
    if stamp is not None and still_valid(stamp, digest, output, now):
        replay(stamp, diag)
        result.articles, result.pages, result.kept = stamp.articles, stamp.pages, stamp.files
        result.seconds = time.perf_counter() - started
        return result
    _tell(request, "load")
    articles, statics = load_articles(config, diag, request.parallelism(), state.loader)
    mark = result.mark("load", mark)
    site = build_site(articles, config, BuildOptions(request.drafts, request.future, now), diag)
    result.left_out = site.left_out
    result.articles = len(site.pages)
    result = _build_with(
        request, state, started, mark, config, output, preview, result, site, articles, statics
    )
    if not preview and not diag.errors:
        save_stamp(
            stamp_file,
            digest,
            newest,
            output,
            next_visibility_change(articles, now, request.future),
            (result.articles, result.pages, result.written + result.kept),
            diag.warnings,
        )
    return result


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


def _build_with(
    request: BuildRequest,
    state: BuildState,
    started: float,
    mark: float,
    config: SiteConfig,
    output: Path,
    preview: bool,
    result: BuildResult,
    site: Site,
    articles: list[Article],
    statics: list[str],
) -> BuildResult:
    """The rest of `build`, once the site model exists."""
    diag = result.diagnostics
    _tell(request, "plan")
    related = related_lists(site, config.cache_path, diag)
    jobs = plan_pages(site, diag, related=related)
    mark = result.mark("model", mark)
    if diag.errors and not request.keep_going:
        raise BuildFailed(diag.errors, diag.warnings)

    assets, asset_names = collect_static(config, diag)
    static_fp = static_fingerprint(assets)
    global_fp = hashlib.sha1(
        "|".join(
            (  # sitegen's own code too: an edited sitegen re-renders
                __version__,
                config.output_fingerprint(),
                templates_fingerprint(config),
                static_fp,
                code_fingerprint(),
            )
        ).encode()
    ).hexdigest()
    writer = OutputWriter(output, force=request.force, in_place=preview)
    candidates = _copy_candidates(site, assets, statics, config)
    if config.search:  # the search index, as generated files (only changed ones differ)
        for path, (data, fp) in search_outputs(site, config.cache_path, diag).items():
            candidates.append((path, Copy(data, fp, GENERATED, "the search index")))
    images = ImageSet(
        config.cache_path,
        config.image_widths,
        request.parallelism().workers(),
        key=cache_key("image variant", config.image_widths),
    )
    for path, (src, fp) in images.prepare({path: c.source for path, c in candidates}).items():
        candidates.append((path, Copy(src, fp, GENERATED, "an image variant")))
    for warning in images.warnings:
        diag.warn(warning, config.cache_path / "images")
    chosen = check_pages_against_copies(jobs, merge_copies(candidates, diag), diag)
    jobs = pages_without(jobs, chosen)
    copies = as_sources(chosen)
    targets = link_targets(site, statics, {a.url for a in assets}, config, images)
    targets.unpublished = {a.rel for a in articles} - {a.rel for a in site.pages}
    for error in add_reference_fingerprints(jobs, site.pages, targets):  # missing images
        if request.keep_going or error.warning:
            diag.warn(error.message, error.path, error.line, error.hint)
        else:
            diag.error(error)
    if diag.errors and not request.keep_going:
        raise BuildFailed(diag.errors, diag.warnings)
    to_render: list[tuple[PageJob, str]] = []
    planned: dict[str, str] = {}
    for job in jobs:
        fp = fingerprint(global_fp, job)
        planned[job.path] = fp
        if not writer.unchanged(job.path, fp):
            to_render.append((job, fp))
    to_copy = [
        (path, src, fp) for path, (src, fp) in copies.items() if not writer.unchanged(path, fp)
    ]
    stale = set(writer.old.files) - set(planned) - set(copies)
    result.pages = len(jobs)
    mark = result.mark("plan", mark)
    if state.keep:
        state.last = LastRun(
            config,
            request.drafts,
            output,
            site,
            jobs,
            targets,
            state.environment(config, asset_names),
            dict(state.loader.sources),
        )
    if not to_render and not to_copy and not stale and writer.old.owned:
        result.kept = len(planned) + len(copies)
        result.seconds = time.perf_counter() - started
        return result

    env = state.environment(config, asset_names)

    writer.start()
    try:
        rendered_paths = {job.path for job, _ in to_render}
        for path in planned:
            if path not in rendered_paths:
                writer.keep(path)
        _tell(request, "render", 0, len(to_render))
        _render_changed(
            to_render, site, config, env, targets, writer, state, request, result, asset_names
        )
        mark = result.mark("render", mark)
        _tell(request, "copy")
        for error in targets.missing:
            if request.keep_going:
                diag.warn(error.message, error.path, error.line, error.hint)
            else:
                diag.error(error)
        for path, (src, fp) in copies.items():
            if isinstance(src, Path):
                writer.copy(path, src, fp)
            elif writer.unchanged(path, fp):
                writer.keep(path)
            else:  # generated bytes, or a function making them (search files kept as they were)
                writer.write(path, src if isinstance(src, bytes) else src(), fp)
        if diag.errors and not request.keep_going:
            raise BuildFailed(diag.errors, diag.warnings)
        result.removed = len(writer.removed())
        mark = result.mark("copy", mark)
        writer.commit()
        mark = result.mark("commit", mark)
        if writer.replaced:
            diag.warn(
                f"--force: replaced {len(writer.replaced)} file(s) sitegen did not write: "
                + ", ".join(writer.replaced[:5]),
                output,
            )
    except BaseException:
        writer.abort()
        raise
    result.written = writer.written
    result.kept = writer.kept
    result.seconds = time.perf_counter() - started
    return result


def _render_changed(
    to_render: list[tuple[PageJob, str]],
    site: Site,
    config: SiteConfig,
    env,
    targets: LinkTargets,
    writer: OutputWriter,
    state: BuildState,
    request: BuildRequest,
    result: BuildResult,
    asset_names: dict[str, str],
) -> None:
    """Render and write the pages whose fingerprint changed. Pages showing one article's body
    go to the worker pool, which renders the Markdown too; pages gathering many bodies (feeds)
    are rendered here as soon as the bodies they show have come back."""
    diag = result.diagnostics
    by_rel = {a.rel: a for a in site.pages}
    settings = body_settings(config)
    keys = {
        rel: body_key(by_rel[rel].content_hash, settings)
        for job, _ in to_render
        for rel in job.bodies
    }
    gather = [(job, fp) for job, fp in to_render if len(job.bodies) > 1 or job.kind == "feed"]
    local = [(job, fp) for job, fp in to_render if not (len(job.bodies) > 1 or job.kind == "feed")]
    wanted = {rel for job, _ in gather for rel in job.bodies}  # bodies the parent needs back
    bodies: dict[str, RenderedBody] = state.cached_bodies(keys)
    missing = {key for key in set(keys.values()) if key not in state.bodies}
    if missing:
        cache = BodyCache(config.cache_path / "cache.sqlite", diag.warn)
        try:
            found = cache.get_many(sorted(missing))
        finally:
            cache.close()
        if cache.damaged:
            diag.warn(
                f"the body cache had {cache.damaged} damaged entr"
                f"{'y' if cache.damaged == 1 else 'ies'}; rendered again",
                cache.path,
            )
        bodies.update({rel: found[key] for rel, key in keys.items() if key in found})
    fresh: dict[str, RenderedBody] = {}  # rendered in this process since the last flush

    def body(rel: str) -> RenderedBody:
        got = bodies.get(rel)
        if got is None:
            got = bodies[rel] = fresh[rel] = render_body(by_rel[rel], config)
        return got

    def body_html(rel: str, page_url: str) -> tuple[str, tuple]:
        article = by_rel[rel]
        rendered = body(rel)
        return localize_html(
            rendered.html, article, page_url, targets, article.source
        ), rendered.toc

    def render(job: PageJob) -> bytes:
        return render_job(env, job, body_html)

    def flush_fresh() -> dict[str, RenderedBody]:
        """Store new bodies in the cache; send back those the parent's pages need."""
        if fresh:
            cache = BodyCache(config.cache_path / "cache.sqlite")
            try:
                cache.put_many(
                    {body_key(by_rel[rel].content_hash, settings): b for rel, b in fresh.items()}
                )
            finally:
                cache.close()
            state.remember(
                {body_key(by_rel[rel].content_hash, settings): b for rel, b in fresh.items()}
            )
        back = {rel: b for rel, b in fresh.items() if rel in wanted}
        fresh.clear()
        return back

    def after_chunk() -> tuple[dict[str, RenderedBody], list[SiteError]]:
        if in_worker[0]:
            for rel in list(bodies):  # a worker keeps no bodies between chunks: memory stays flat
                if rel not in fresh:
                    bodies.pop(rel, None)
        sent = flush_fresh()
        errors = list(targets.missing)
        targets.missing.clear()
        return sent, errors

    in_worker = [False]
    missing_errors: list[SiteError] = []
    work = RenderWork(render, writer, after_chunk, lambda: in_worker.__setitem__(0, True))

    rendered = [0]

    def on_result(res: ChunkResult) -> None:
        rendered[0] += len(res.records) + len(res.errors)
        _tell(request, "render", rendered[0], len(to_render))
        if not res.local:
            for rec in res.records:
                writer.record(*rec)
        for path, error in res.errors:
            diag.error(error)
            result.skipped_pages.append(path)
        if res.extra:
            sent, errors = res.extra
            bodies.update(sent)
            missing_errors.extend(errors)

    pending = list(gather)

    def between() -> None:
        """Render the feed pages whose bodies have all arrived, while the workers go on."""
        if not pending:
            return
        ready = [
            (job, fp)
            for job, fp in pending
            if all(rel in bodies or rel not in keys for rel in job.bodies)
        ]
        if not ready and not parallel_done[0]:
            return
        if parallel_done[0]:
            ready = list(pending)
        for item in ready:
            pending.remove(item)
        on_result(render_chunk(work, ready))

    parallel_done = [False]
    tasks = order_tasks(local, wanted, 48)
    parallel = request.parallelism()
    if parallel.remote(len(local), parallel.min_pages):
        # on the Dask cluster: pages come back as bytes and are written here; new bodies come
        # back too, for the cache and for the feed pages `between` renders here
        def on_rendered(done: RenderedChunk) -> None:
            records = []
            for path, fp, data in done.pages:
                writer.write(path, data, fp)
                records.append((path, writer.new.files[path]["sha"], fp, True))
            fresh.update(done.bodies)
            on_result(ChunkResult(records, done.errors, (flush_fresh(), []), local=True))

        kit = render_kit(config, asset_names, targets, {a.lang for a in site.pages})
        render_remote(kit, tasks, by_rel, bodies, parallel, on_rendered, between)
    else:
        render_pages(work, tasks, parallel, on_result, between)
    parallel_done[0] = True
    between()
    flush_fresh()
    targets.missing[:0] = missing_errors


@dataclass
class LastRun:
    """The plan of the last build in this process, for `render_first`."""

    config: SiteConfig
    drafts: bool
    output: Path
    site: Site
    jobs: list[PageJob]
    targets: LinkTargets
    env: object
    sources: dict[str, object]  # content rel -> SourceFile

    def article_jobs(self) -> dict[str, PageJob]:
        return {job.bodies[0]: job for job in self.jobs if job.kind == "article"}


def render_first(request: BuildRequest, state: BuildState, changed: set[Path]) -> dict[str, bytes]:
    """The preview's fast path: render the pages of edited articles at once from the last
    build's plan, before the full build that follows and fixes all the rest (listings,
    neighbours, related lists, search). Returns {output path: bytes} for the writer to place;
    {} when it cannot (new, renamed or broken files, another config): the full build covers
    those."""
    last = state.last
    config = request.config
    if last is None or last.config != config or last.drafts != request.drafts:
        return {}
    content = config.content_path.resolve()
    article_jobs = None
    pages: dict[str, bytes] = {}
    for path in sorted(changed):
        try:
            rel = path.resolve().relative_to(content).as_posix()
        except (ValueError, OSError):
            continue
        source = last.sources.get(rel)
        if source is None:
            continue
        article_jobs = article_jobs if article_jobs is not None else last.article_jobs()
        job = article_jobs.get(rel)
        diag = Diagnostics()
        article = load_article(source, config, diag) if job is not None else None
        if article is None or diag.errors or (article.draft and not request.drafts):
            continue
        listing = listing_view(article, last.site)
        if listing["url"] != job.url:
            continue
        old = job.context
        context = article_context(
            article, last.site, listing, None, old["prev"], old["next"], old["related"]
        )
        _, problems = check_references(article, last.targets)
        if any(not p.warning for p in problems):
            continue
        new_job = PageJob(job.url, job.template, job.kind, context, job.source, job.bodies)
        add_reference_fingerprints([new_job], [article], last.targets)
        rendered = render_body(article, config)

        def body_html(
            _rel: str, page_url: str, article=article, rendered=rendered
        ) -> tuple[str, tuple]:
            return localize_html(
                rendered.html, article, page_url, last.targets, article.source
            ), rendered.toc

        try:
            data = render_job(last.env, new_job, body_html)
        except SiteError:
            continue
        pages[new_job.path] = data
    return pages


class BuildState:
    """What one build can hand to the next in the same process (the preview server): loaded
    articles, the Jinja environment, and rendered bodies. Only ever a faster path to the same
    output: every entry is keyed by everything that decides it."""

    MAX_BODIES = 4000

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.loader = ArticleLoader()
        self.bodies: dict[str, RenderedBody] = {}  # body_key -> body
        self._env = None
        self._env_key: tuple | None = None
        self.last: LastRun | None = None  # kept only when `keep` (the preview)

    def environment(self, config: SiteConfig, asset_names: dict[str, str]):
        key = (
            config.output_fingerprint(),
            str(config.root),
            templates_fingerprint(config),
            tuple(sorted(asset_names.items())),
        )
        if self._env is None or key != self._env_key:
            self._env = make_environment(config, asset_names, config.cache_path / "jinja")
            self._env_key = key if self.keep else None
        return self._env

    def cached_bodies(self, keys: dict[str, str]) -> dict[str, RenderedBody]:
        return {rel: self.bodies[key] for rel, key in keys.items() if key in self.bodies}

    def remember(self, items: dict[str, RenderedBody]) -> None:
        if not self.keep or os.environ.get("SITEGEN_WORKER"):
            return
        if len(self.bodies) + len(items) > self.MAX_BODIES:
            self.bodies.clear()
        self.bodies.update(items)


def _copy_candidates(
    site: Site, assets, statics: list[str], config: SiteConfig
) -> list[tuple[str, Copy]]:
    """Every copied file, with where it comes from (for the collision rules in site/outputs.py):
    output path and (source file or generated bytes, fingerprint, origin, what to call it)."""
    out: list[tuple[str, Copy]] = []
    site_static = config.path(config.static_dir)
    root = config.root.resolve()

    def label(path: Path) -> str:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)

    def stamp(path: Path) -> str:
        st = path.stat()
        return f"{path}:{st.st_size}:{st.st_mtime_ns}"

    for asset in assets:
        url = asset.url.lstrip("/")
        if asset.source is None:
            out.append((url, Copy(asset.data or b"", sha1_bytes(asset.data or b""), THEME, url)))
            continue
        origin = STATIC if is_inside(asset.source, site_static) else THEME
        out.append((url, Copy(asset.source, stamp(asset.source), origin, label(asset.source))))
    content = config.content_path
    for rel in statics:
        path = content / rel
        out.append((rel, Copy(path, stamp(path), CONTENT, label(path))))
    done: set[str] = set()
    for article in site.pages:
        if article.bundle is None or article.bundle in done:
            continue
        done.add(article.bundle)
        base = bundle_home(site, article)
        for rel in article.resources:
            path = content / article.bundle / rel
            out.append(
                ((site.url(base) + rel).lstrip("/"), Copy(path, stamp(path), BUNDLE, label(path)))
            )
    return out


class Builder:
    """Builds the same site again and again (the preview server), keeping in memory what it
    can between runs. Each `run()` gives the same output as a fresh `build()`."""

    def __init__(self, request: BuildRequest) -> None:
        self.request = request
        self.state = BuildState(keep=True)

    def run(self) -> BuildResult:
        return build(self.request, self.state)

    def render_first(self, changed: set[Path]) -> dict[str, str]:
        """See `render_first`: never raises, since the full build that follows reports."""
        try:
            pages = render_first(self.request, self.state, changed)
            return place_ahead(self.state.last.output, pages) if pages else {}
        except Exception:  # noqa: BLE001 - the full build will say what is wrong
            return {}
