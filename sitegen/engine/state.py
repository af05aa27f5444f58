"""What one build hands to the next in the same process (the preview server), and the
preview's fast path that renders an edited article's page from the last build's plan before
the full build that follows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.config import SiteConfig
from sitegen.content.article import SourceFile, load_article
from sitegen.engine.cache import PageFingerprints
from sitegen.engine.pages import BodyMemory, render_body
from sitegen.engine.patch import ModelBasis, PlanBasis
from sitegen.engine.search_cache import KeptSearch
from sitegen.engine.sourcecache import ArticleLoader
from sitegen.errors import Diagnostics, SiteError
from sitegen.output.writer import Manifest
from sitegen.plan import BuildPlan
from sitegen.render.localize import (
    LinkTargets,
    add_reference_fingerprints,
    check_references,
    localize_html,
)
from sitegen.render.templates import make_environment, render_job, templates_fingerprint
from sitegen.site.model import Site
from sitegen.site.plan import PageJob, Recall, article_context, article_links, listing_view


@dataclass
class LastRun:
    """The plan of the last build in this process, for `render_first`."""

    config: SiteConfig
    drafts: bool
    output: Path
    site: Site
    plan: BuildPlan
    env: object
    sources: dict[str, object]  # content rel -> the article's source file
    basis: PlanBasis | None = None  # what the plan was made from besides the site

    @property
    def targets(self) -> LinkTargets:
        return self.plan.targets

    def article_jobs(self) -> dict[str, PageJob]:
        return {job.bodies[0]: job for job in self.plan.pages if job.kind == "article"}


def render_first(
    config: SiteConfig, drafts: bool, state: BuildState, changed: set[Path]
) -> dict[str, bytes]:
    """The preview's fast path: render the pages of edited articles at once from the last
    build's plan, before the full build that follows and fixes all the rest (listings,
    neighbours, related lists, search). Returns {output path: bytes} for the writer to place;
    {} when it cannot (new, renamed or broken files, another config): the full build covers
    those."""
    last = state.last
    if last is None or last.config != config or last.drafts != drafts:
        return {}
    content = config.content_path.resolve()
    targets = dataclasses.replace(last.targets, missing=[])  # the last plan stays as it was
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
        if article is None or diag.errors or (article.draft and not drafts):
            continue
        listing = listing_view(article, last.site)
        if listing["url"] != job.url:
            continue
        old = job.context
        categories, alternates = article_links(article, last.site)
        context = article_context(
            article,
            listing,
            categories,
            alternates,
            old["prev"],
            old["next"],
            old["related"],
            old.get("own_pages", []),
        )
        _, problems = check_references(article, last.targets)
        if any(not p.warning for p in problems):
            continue
        new_job = PageJob(job.url, job.template, job.kind, context, job.source, job.bodies)
        (new_job,), _ = add_reference_fingerprints([new_job], [article], last.targets)
        rendered = render_body(article, config)

        def body_html(
            _rel: str, page_url: str, article=article, rendered=rendered
        ) -> tuple[str, tuple]:
            return localize_html(
                rendered.html, article, page_url, targets, article.source
            ), rendered.toc

        try:
            data = render_job(last.env, new_job, body_html)
        except SiteError:
            continue
        pages[new_job.path] = data
    return pages


class PlanMemo:
    """The listing views and article page contexts of the last plan in this process, each
    with the inputs it was made from (site/plan.py's `Recall`). A part is handed back only
    for inputs equal to those (compared by identity first: an unchanged article is the same
    object from build to build), so an edited article, a new neighbour, a changed related list
    or tag makes its parts again. Only parts of the last plan are kept, and only under the
    same settings."""

    def __init__(self) -> None:
        self._settings = ""
        self._last: dict[tuple[str, str], tuple[tuple, Any]] = {}
        self._made: dict[tuple[str, str], tuple[tuple, Any]] = {}

    def recall(self, settings: str) -> Recall:
        """The `Recall` of one plan under `settings` (the config's output fingerprint)."""
        if self._made or settings != self._settings:
            self._last = self._made if settings == self._settings else {}
        self._settings, self._made = settings, {}
        last, made = self._last, self._made

        def recall(kind: str, key: str, inputs: tuple, make: Callable[[], Any]) -> Any:
            entry = last.get((kind, key))
            if entry is None or entry[0] != inputs:
                entry = (inputs, make())
            made[(kind, key)] = entry
            return entry[1]

        return recall


class BuildState:
    """What one build can hand to the next in the same process (the preview server): loaded
    articles, the Jinja environment, and rendered bodies. Only ever a faster path to the same
    output: every entry is keyed by everything that decides it."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.loader = ArticleLoader()
        self.memory = BodyMemory(keep)  # rendered bodies
        self._env = None
        self._env_key: tuple | None = None
        self.last: LastRun | None = None  # kept only when `keep` (the preview)
        self.memo = PlanMemo() if keep else None
        self.search = KeptSearch() if keep else None  # the search index, in memory
        self.fingerprints: PageFingerprints | None = None  # of the last plan's pages
        self.retired: list[LastRun | None] = []  # replaced by a later build, not yet freed
        # the manifest the last build left in the output folder it updated in place (the
        # preview's), and its writing, left for once the pages are told (`unsaved`)
        self.manifest: tuple[Path, Manifest] | None = None
        self.model: ModelBasis | None = None  # the last site model (the preview's)
        # the content files and other files under content/ the last build found (the preview's)
        self.listing: tuple[list[SourceFile], list[str]] | None = None
        self.unsaved: list[Callable[[], None]] = []

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
