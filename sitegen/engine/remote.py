"""Loading and rendering as picklable tasks, for workers that share nothing with this process.

The fork-based pool (parallel.py, sourcecache.py) hands a worker the whole build through the
fork; a worker on another machine (engine/cluster.py) gets only what its task carries: the file
bytes to parse, or the pages of one chunk with the articles whose bodies they show, and once per
stage a `RenderKit` (settings, template sources, message catalogues, asset names, link targets)
from which it rebuilds the Jinja environment. Tasks return values and write nothing, so a task
run twice (a worker lost mid-build) gives the same result; this process writes the output.

`render_task` is the one render path either executor could run: the local pool could pickle
the same tasks. It does not, on purpose: forking hands it the site, plan and environment
copy-on-write, where pickling them per chunk would cost more than rendering on two cores.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import jinja2

from sitegen.config import SiteConfig
from sitegen.content.article import Article, SourceFile, load_article
from sitegen.engine.cluster import connect
from sitegen.engine.executor import Parallelism
from sitegen.errors import Diagnostics, SiteError
from sitegen.render.localize import LinkTargets, localize_html
from sitegen.render.markdown import RenderedBody, body_warnings, render_markdown
from sitegen.render.templates import (
    make_environment,
    render_job,
    sources_loader,
    template_sources,
)
from sitegen.site.plan import PageJob, site_messages
from sitegen.text.i18n import Messages

# --- loading ----------------------------------------------------------------------------------

LoadedRemote = tuple[Article | None, list[SiteError], list[SiteError]]  # article, errors, warnings


def load_task(config: SiteConfig, items: list[tuple[SourceFile, bytes]]) -> list[LoadedRemote]:
    """Parse content files from their bytes (read by the caller: no shared file system)."""
    out: list[LoadedRemote] = []
    for source, data in items:
        diag = Diagnostics()
        article = load_article(source, config, diag, data)
        out.append((article, diag.errors, diag.warnings))
    return out


def load_remote(
    sources: list[SourceFile], config: SiteConfig, parallel: Parallelism, step: int, load_one
) -> list:
    """`load_one(source)` for every source, in order, the parsing done on the cluster: this
    process reads each file's stat key and bytes as its chunk is sent. A file it cannot read,
    or one over `max_file_size`, is loaded here by `load_one` so the error is the usual one."""
    from sitegen.engine.sourcecache import stat_key

    out: list = [None] * len(sources)
    keys: list = [None] * len(sources)

    def chunks() -> Iterator[tuple[list[int], list[tuple[SourceFile, bytes]]]]:
        for start in range(0, len(sources), step):
            indices, items = [], []
            for i in range(start, min(start + step, len(sources))):
                source = sources[i]
                keys[i] = stat_key(source.path)
                data = None
                if keys[i] is not None and keys[i][0] <= config.max_file_size:
                    try:
                        data = source.path.read_bytes()
                    except OSError:
                        data = None
                if data is None:
                    out[i] = load_one(source)
                else:
                    indices.append(i)
                    items.append((source, data))
            if items:
                yield indices, items

    with connect(parallel.cluster) as cluster:
        shared = cluster.share(config)
        for indices, results in cluster.map_unordered(_load_chunk, shared, chunks()):
            for i, (article, errors, warnings) in zip(indices, results, strict=True):
                out[i] = (keys[i] or (0, 0, 0), article, errors, warnings)
    return out


def _load_chunk(
    config: SiteConfig, arg: tuple[list[int], list[tuple[SourceFile, bytes]]]
) -> tuple[list[int], list[LoadedRemote]]:
    indices, items = arg
    return indices, load_task(config, items)


# --- rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderKit:
    """What every render task of one build shares: sent to each worker once."""

    config: SiteConfig
    asset_names: dict[str, str]
    templates: dict[str, tuple[str, str]]  # name -> (source, file name)
    messages: Messages  # catalogues of every language the pages use, in memory
    targets: LinkTargets  # read only by tasks
    key: str  # names the environment these make, so a worker builds it once


@dataclass
class RenderTask:
    """One chunk of pages, with the articles whose bodies they show (and the bodies already
    in the cache, so a worker renders only the Markdown that changed)."""

    pages: list[tuple[PageJob, str]]  # job, fingerprint
    articles: dict[str, Article]
    bodies: dict[str, RenderedBody]


@dataclass
class RenderedChunk:
    pages: list[tuple[str, str, bytes]] = field(default_factory=list)  # path, fingerprint, bytes
    errors: list[tuple[str, SiteError]] = field(default_factory=list)  # path, error
    bodies: dict[str, RenderedBody] = field(default_factory=dict)  # rendered by this task
    # what was made right in the raw HTML of the bodies its pages show (render/rawhtml.py)
    warnings: list[SiteError] = field(default_factory=list)


def render_kit(
    config: SiteConfig,
    asset_names: dict[str, str],
    targets: LinkTargets,
    langs: set[str],
) -> RenderKit:
    templates = template_sources(config)
    messages = site_messages(config).frozen(langs | {config.language})
    shared = dataclasses.replace(targets, missing=[])
    key = hashlib.sha1(
        pickle.dumps((config.output_fingerprint(), sorted(asset_names.items()), templates))
    ).hexdigest()
    return RenderKit(config, dict(asset_names), templates, messages, shared, key)


_ENVIRONMENTS: dict[str, jinja2.Environment] = {}  # per worker process: kit key -> environment


def _environment(kit: RenderKit) -> jinja2.Environment:
    env = _ENVIRONMENTS.get(kit.key)
    if env is None:
        if len(_ENVIRONMENTS) > 2:  # a long-lived worker serves many builds
            _ENVIRONMENTS.clear()
        env = make_environment(
            kit.config,
            kit.asset_names,
            loader=sources_loader(kit.templates),
            messages=kit.messages,
        )
        _ENVIRONMENTS[kit.key] = env
    return env


def render_task(kit: RenderKit, task: RenderTask) -> RenderedChunk:
    """Render one chunk of pages to bytes: Markdown (unless cached), links, then Jinja."""
    env = _environment(kit)
    out = RenderedChunk()
    bodies = dict(task.bodies)

    def body_html(rel: str, page_url: str) -> tuple[str, tuple]:
        article = task.articles[rel]
        rendered = bodies.get(rel)
        if rendered is None:
            rendered = render_markdown(article.body, kit.config.raw_html, kit.config.heading_ids)
            bodies[rel] = out.bodies[rel] = rendered
        out.warnings += body_warnings(rendered, article.source, article.body_line)
        html = localize_html(rendered.html, article, page_url, kit.targets, article.source)
        return html, rendered.toc

    for job, fp in task.pages:
        try:
            out.pages.append((job.path, fp, render_job(env, job, body_html)))
        except SiteError as exc:
            out.errors.append((job.path, exc))
    return out


def render_remote(
    kit: RenderKit,
    chunks: list[list[tuple[PageJob, str]]],
    articles: dict[str, Article],
    bodies: dict[str, RenderedBody],
    parallel: Parallelism,
    on_result: Callable[[RenderedChunk], None],
    between: Callable[[], None] = lambda: None,
) -> None:
    """Render every chunk on the cluster; `on_result` (which writes the pages) and `between`
    run here after each, as with `parallel.render_pages`. Tasks are made as the cluster takes
    them, each with only the articles and cached bodies its pages show."""

    def tasks() -> Iterator[RenderTask]:
        for chunk in chunks:
            rels = {rel for job, _ in chunk for rel in job.bodies}
            yield RenderTask(
                [(job.resolved(), fp) for job, fp in chunk],  # contexts made here
                {rel: articles[rel].held() for rel in rels},  # no shared disk: bodies go too
                {rel: bodies[rel] for rel in rels if rel in bodies},
            )

    with connect(parallel.cluster) as cluster:
        shared = cluster.share(kit)
        for done in cluster.map_unordered(render_task, shared, tasks()):
            on_result(done)
            between()
