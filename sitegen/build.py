"""Orchestration: import -> load -> model -> plan -> render -> write. No logic of its own beyond
deciding what must be redone: a page whose inputs hash the same as last time is not rendered,
a body whose source is unchanged comes from the cache, and an unchanged build writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import __version__
from sitegen.assets import collect_static, static_fingerprint
from sitegen.cache import BodyCache, body_key
from sitegen.config import SiteConfig
from sitegen.content import Article, discover, load_article
from sitegen.errors import BuildFailed, Diagnostics, SiteError
from sitegen.importer import import_seeds
from sitegen.localize import LinkTargets, localize_html
from sitegen.markdown import RenderedBody, render_markdown
from sitegen.model import BuildOptions, Site, build_site
from sitegen.plan import PageJob, plan_pages
from sitegen.render import make_environment, render_job, templates_fingerprint
from sitegen.writer import OutputWriter, check_output_folder


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


@dataclass
class BuildRequest:
    config: SiteConfig
    output: Path | None = None
    drafts: bool = False
    future: bool = False
    keep_going: bool = False
    force: bool = False
    run_import: bool = True
    jobs: int = 0


def build_now() -> dt.datetime:
    """The build's idea of now: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def load_articles(config: SiteConfig, diag: Diagnostics) -> tuple[list[Article], list[str]]:
    sources, statics = discover(config, diag)
    articles = []
    for source in sources:
        article = load_article(source, config, diag)
        if article is not None:
            articles.append(article)
    return articles, statics


def _render_body(item: tuple[str, str, bool]) -> tuple[str, RenderedBody]:
    key, body, raw_html = item
    return key, render_markdown(body, raw_html)


def render_bodies(articles: list[Article], config: SiteConfig, cache: BodyCache,
                  jobs: int) -> dict[str, RenderedBody]:
    """Rendered bodies by article.rel: from the cache, the rest rendered (in parallel)."""
    keys = {a.rel: body_key(a.content_hash, config.raw_html) for a in articles}
    found = cache.get_many(list(set(keys.values())))
    missing = {keys[a.rel]: a.body for a in articles if keys[a.rel] not in found}
    fresh: dict[str, RenderedBody] = {}
    items = [(k, b, config.raw_html) for k, b in missing.items()]
    workers = jobs or os.cpu_count() or 1
    if len(items) > 64 and workers > 1:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            for key, rendered in pool.imap_unordered(_render_body, items, chunksize=16):
                fresh[key] = rendered
    else:
        for item in items:
            key, rendered = _render_body(item)
            fresh[key] = rendered
    cache.put_many(fresh)
    found.update(fresh)
    return {rel: found[key] for rel, key in keys.items()}


def link_targets(site: Site, statics: list[str], static_urls: set[str], config: SiteConfig) -> LinkTargets:
    files = set(static_urls)
    files.update("/" + s for s in statics)
    bundle_urls: dict[str, str] = {}
    for article in site.pages:
        if article.bundle is not None and article.bundle not in bundle_urls:
            default = site.translations.get(article.translation_key, [article])[0]
            bundle_urls[article.bundle] = site.url(default)
    for article in site.pages:
        if article.bundle is not None:
            base = bundle_urls[article.bundle]
            files.update(base + r for r in article.resources)
    articles = {a.rel: site.url(a) for a in site.pages}
    return LinkTargets(files=files, articles=articles, bundle_urls=bundle_urls,
                       file_urls=config.file_urls, base_url=config.base_url)


def fingerprint(global_fp: str, job: PageJob) -> str:
    return hashlib.sha1(global_fp.encode() + marshal.dumps(job.context)).hexdigest()


def build(request: BuildRequest) -> BuildResult:
    """Build the site; raises BuildFailed with every error unless `keep_going`."""
    started = time.perf_counter()
    config = request.config
    output = (request.output or config.output_path).resolve()
    result = BuildResult(output=output)
    diag = result.diagnostics
    check_output_folder(output, config.root,
                        [config.content_path, config.seeds_path, config.theme_path()], request.force)

    if request.run_import:
        report = import_seeds(config)
        diag.extend(report.diagnostics)
    articles, statics = load_articles(config, diag)
    site = build_site(articles, config, BuildOptions(request.drafts, request.future, build_now()), diag)
    result.left_out = site.left_out
    result.articles = len(site.pages)
    jobs = plan_pages(site, diag)
    if diag.errors and not request.keep_going:
        raise BuildFailed(diag.errors)

    assets, asset_names = collect_static(config)
    static_fp = static_fingerprint(assets)
    global_fp = hashlib.sha1("|".join((
        __version__, config.output_fingerprint(), templates_fingerprint(config), static_fp,
    )).encode()).hexdigest()
    writer = OutputWriter(output)
    to_render: list[tuple[PageJob, str]] = []
    planned: dict[str, str] = {}
    for job in jobs:
        fp = fingerprint(global_fp, job)
        planned[job.path] = fp
        if not writer.unchanged(job.path, fp):
            to_render.append((job, fp))
    copies = _copies(site, assets, statics, config)
    to_copy = [(path, src, fp) for path, (src, fp) in copies.items() if not writer.unchanged(path, fp)]
    stale = set(writer.old.files) - set(planned) - set(copies)
    result.pages = len(jobs)
    if not to_render and not to_copy and not stale and writer.old.owned:
        result.kept = len(planned) + len(copies)
        result.seconds = time.perf_counter() - started
        return result

    needed = {rel for job, _ in to_render for rel in job.bodies}
    by_rel = {a.rel: a for a in site.pages}
    bodies = {}
    if needed:
        cache = BodyCache(config.cache_path / "cache.sqlite")
        try:
            bodies = render_bodies([by_rel[r] for r in sorted(needed)], config, cache, request.jobs or config.jobs)
        finally:
            cache.close()
    targets = link_targets(site, statics, {a.url for a in assets}, config)
    env = make_environment(config, asset_names, config.cache_path / "jinja")

    def body_html(rel: str, page_url: str) -> tuple[str, tuple]:
        article = by_rel[rel]
        html = localize_html(bodies[rel].html, article, page_url, targets, article.source)
        return html, bodies[rel].toc

    writer.start()
    try:
        rendered_paths = {job.path for job, _ in to_render}
        for path in planned:
            if path not in rendered_paths:
                writer.keep(path)
        for job, fp in to_render:
            try:
                data = render_job(env, job, body_html)
            except SiteError as exc:
                diag.error(exc)
                result.skipped_pages.append(job.path)
                continue
            writer.write(job.path, data, fp)
        for error in targets.missing:
            if request.keep_going:
                diag.warn(error.message, error.path, error.line, error.hint)
            else:
                diag.error(error)
        for path, (src, fp) in copies.items():
            if isinstance(src, bytes):
                if writer.unchanged(path, fp):
                    writer.keep(path)
                else:
                    writer.write(path, src, fp)
            else:
                writer.copy(path, src, fp)
        if diag.errors and not request.keep_going:
            raise BuildFailed(diag.errors)
        result.removed = len(writer.removed())
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.written = writer.written
    result.kept = writer.kept
    result.seconds = time.perf_counter() - started
    return result


def _copies(site: Site, assets, statics: list[str], config: SiteConfig) -> dict[str, tuple]:
    """Output path -> (source file or generated bytes, fingerprint) for every copied file."""
    copies: dict[str, tuple] = {}

    def add(url: str, source, fp: str) -> None:
        copies.setdefault(url.lstrip("/"), (source, fp))

    for asset in assets:
        if asset.source is not None:
            st = asset.source.stat()
            add(asset.url, asset.source, f"{asset.source}:{st.st_size}:{st.st_mtime_ns}")
        else:
            add(asset.url, asset.data, hashlib.sha1(asset.data or b"").hexdigest())
    content = config.content_path
    for rel in statics:
        path = content / rel
        st = path.stat()
        add("/" + rel, path, f"{path}:{st.st_size}:{st.st_mtime_ns}")
    done: set[str] = set()
    for article in site.pages:
        if article.bundle is None or article.bundle in done:
            continue
        done.add(article.bundle)
        base = site.translations.get(article.translation_key, [article])[0]
        for rel in article.resources:
            path = content / article.bundle / rel
            st = path.stat()
            add(site.url(base) + rel, path, f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return copies


class Builder:
    """Builds the same site again and again (the preview server), keeping in memory what it
    can between runs. Each `run()` gives the same output as a fresh `build()`."""

    def __init__(self, request: BuildRequest) -> None:
        self.request = request

    def run(self) -> BuildResult:
        return build(self.request)
