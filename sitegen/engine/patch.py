"""The preview's short way to a site model and a plan when only article bodies changed.

Between two builds in one process (the preview keeps the last ones: engine/state.py), an edit
that changes what an article says but nothing that another page shows of it (its title, date,
summary, tags, address, picture, place in the listings: everything but the fields of
`BODY_FIELDS`) leaves the site model as it was but for the edited articles (`patched_site`),
and the plan as it was except for:
- the pages of the edited articles (their contexts carry the body's hash, words, references);
- the feeds listing them (each entry carries its body's hash);
- the article pages whose related lists changed with the new words;
- the search files (new bytes, and new files, where words came or went).
`patched_plan` makes those parts again with the functions the full plan makes them with, and
takes every other page from the last plan as it was (the same objects, so their fingerprints
are known without hashing). When anything else may have changed (an article more or less,
another title or date, an article come due, a setting, template or copied file, a new search
file on another output's path, a last plan that reported something), they return None and the
build models and plans in full. The incremental tests hold both ways to the same output and
the same contexts through chains of edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.plan import BuildPlan, Source, SourceFile
from sitegen.render.localize import add_reference_fingerprints
from sitegen.site.feeds import with_new_bodies
from sitegen.site.model import Site
from sitegen.site.plan import ArticlePages, Listings, PageJob, own_page_links

# what only an article's own page, the feeds showing it, the related lists and the search index
# read of an article (site/plan.py, site/feeds.py, render/localize.py)
BODY_FIELDS = ("body_utf8", "content_hash", "words", "images", "links")


@dataclass(frozen=True)
class PlanIndex:
    """Where the parts a body edit reaches are in a plan, found once when the plan is made in
    full (a patched plan keeps every page in its place): the patch then costs what the edit
    reaches, not a walk over every page."""

    pages_at: Mapping[str, int]  # article rel -> its place in the site's pages
    articles: Mapping[str, int]  # article rel -> the place of its page in the plan
    feeds: tuple[int, ...]  # the places of the feeds
    shown: frozenset[str]  # the bodies other pages show in full (listings of whole articles)
    outputs: frozenset[str]  # every output path but the search files'
    folders: frozenset[str]  # every folder those need


def plan_index(site: Site, plan: BuildPlan, search: Mapping[str, str]) -> PlanIndex | None:
    """The `PlanIndex` of a plan made in full; None when it cannot be patched (a search file
    lost its path to another output)."""
    if any(plan.copies.get(path, (None, ""))[1] != fp for path, fp in search.items()):
        return None
    articles: dict[str, int] = {}
    feeds: list[int] = []
    shown: set[str] = set()
    for i, job in enumerate(plan.pages):
        if job.kind == "article":
            articles[job.bodies[0]] = i
        elif job.kind == "feed":
            feeds.append(i)
        else:
            shown.update(job.bodies)
    outputs = {job.path for job in plan.pages} | (plan.copies.keys() - search.keys())
    folders = set()
    for path in outputs:
        end = path.rfind("/")
        while end > 0 and path[:end] not in folders:
            folders.add(path[:end])
            end = path.rfind("/", 0, end)
    return PlanIndex(
        {a.rel: i for i, a in enumerate(site.pages)},
        articles,
        tuple(feeds),
        frozenset(shown),
        frozenset(outputs),
        frozenset(folders),
    )


@dataclass(frozen=True)
class PlanBasis:
    """What a plan was made from besides the site, kept with the preview's last plan so that
    the next build can tell whether only bodies changed."""

    output_fp: str  # settings, templates and theme files (engine/cache.py)
    files: tuple[SourceFile, ...]  # the files copied as they are
    stamps: Mapping[Path, str]  # their sizes and modification times
    unpublished: frozenset[str]  # drafts and future articles, by content path
    search: Mapping[str, str]  # each search file's path -> fingerprint
    related: Mapping[str, Sequence[str]] | None = None  # known once they are worked out
    # where a body edit reaches in the plan; None: the plan cannot be patched (it reported
    # an error or warning, or a search file is not where the index put it)
    index: PlanIndex | None = None

    def same_inputs(self, other: PlanBasis) -> bool:
        """Everything but the related lists and the search files is as in `other`."""
        return (
            self.output_fp == other.output_fp
            and self.files == other.files
            and self.stamps == other.stamps
            and self.unpublished == other.unpublished
        )


def body_only(old: Article, new: Article) -> bool:
    """`new` is `old` with another body, and nothing else that other pages show."""
    if old.rel != new.rel or old.meta != new.meta:  # `meta` is left out of ==
        return False
    return dataclasses.replace(new, **{name: getattr(old, name) for name in BODY_FIELDS}) == old


@dataclass(frozen=True)
class ModelBasis:
    """The last site model in this process, and what it was made from."""

    config: SiteConfig
    options: tuple[bool, bool]  # drafts, future
    articles: list[Article]  # every article loaded, in the loader's order
    site: Site
    until: dt.datetime | None  # when an article next appears or expires by itself


def patched_site(
    last: ModelBasis,
    articles: list[Article],
    config: SiteConfig,
    options: tuple[bool, bool],
    now: dt.datetime,
) -> Site | None:
    """`site.model.build_site` of `articles` when they are the last model's but for bodies
    (and no article appeared or expired since): the last site with the edited articles in
    their places (terms hold places, not articles). None otherwise."""
    if (
        last.config != config
        or last.options != options
        or (last.until is not None and now >= last.until)
        or len(articles) != len(last.articles)
    ):
        return None
    swap: dict[int, Article] = {}
    for old, new in zip(last.articles, articles, strict=True):
        if old is not new:
            if not body_only(old, new):
                return None
            swap[id(old)] = new
    site = last.site
    if not swap:
        return site

    def swapped(items: list[Article]) -> list[Article]:
        return [swap.get(id(a), a) for a in items]

    listed = swapped(site.listed)
    translations = dict(site.translations)
    for new in swap.values():
        translations[new.translation_key] = swapped(translations[new.translation_key])
    sections = [
        dataclasses.replace(s, listed=listed if s.listed is site.listed else swapped(s.listed))
        for s in site.sections
    ]
    return dataclasses.replace(
        site,
        pages=swapped(site.pages),
        listed=listed,
        translations=translations,
        sections=sections,
    )


def body_edits(last: Site, site: Site) -> dict[str, Article] | None:
    """The articles of `site` whose bodies alone differ from their versions in `last`, by
    content path; None when anything else differs (an article more or less, or another
    version of a field that other pages show)."""
    if len(last.pages) != len(site.pages) or len(last.listed) != len(site.listed):
        return None
    edited: dict[str, Article] = {}
    for old, new in zip(last.pages, site.pages, strict=True):
        if old is new:  # the loader hands back the same object for an unchanged file
            continue
        if not body_only(old, new):
            return None
        edited[new.rel] = new
    if edited and [a.rel for a in last.listed] != [a.rel for a in site.listed]:
        return None
    return edited


def patched_plan(
    last_site: Site,
    last_plan: BuildPlan,
    last_basis: PlanBasis,
    site: Site,
    basis: PlanBasis,
    search: Mapping[str, tuple[Source, str]],
) -> BuildPlan | None:
    """The plan `plan.plan_build` would make for `site` and `basis` (with the `search` files),
    made from the last plan when only article bodies changed since; None otherwise."""
    index = last_basis.index
    if index is None or last_plan.problems or not basis.same_inputs(last_basis):
        return None
    edited = body_edits(last_site, site)
    if edited is None or not index.shown.isdisjoint(edited):
        return None  # another kind of page shows an edited body whole: the full plan knows it
    related, old_related = basis.related or {}, last_basis.related or {}
    relisted = [rel for rel, rels in related.items() if old_related.get(rel) != rels]
    relisted += old_related.keys() - related.keys()
    pages = ArticlePages(site, Listings(last_plan.views, [], own_page_links(site)), related)
    redo: dict[int, PageJob] = {}
    for rel in (*edited, *relisted):
        redo[index.articles[rel]] = pages.job(site.pages[index.pages_at[rel]])
    hashes = {site.url(a): a.content_hash for a in edited.values()}
    for i in index.feeds:
        job = last_plan.pages[i]
        context = with_new_bodies(job.context, hashes)
        if context is not job.context:  # its references are worked out again below
            context = {key: value for key, value in context.items() if key != "references"}
            redo[i] = dataclasses.replace(job, context=context)
    # search files come and go with words (their names are their contents' digests): a new
    # one must be on no other output's path, as the full plan's collision rules would have it
    copies = dict(last_plan.copies)
    gone = last_basis.search.keys() - search.keys()
    new = search.keys() - last_basis.search.keys()
    if any(_clashes(path, index, search) for path in new):
        return None
    for path in gone:
        del copies[path]
    copies.update(search)
    files = last_plan.targets.files
    if new or gone:
        files = (files - {"/" + p for p in gone}) | {"/" + p for p in new}
    targets = dataclasses.replace(last_plan.targets, files=files, missing=[])
    shown = {rel for job in redo.values() for rel in job.bodies}
    jobs, problems = add_reference_fingerprints(
        list(redo.values()), [site.pages[index.pages_at[rel]] for rel in shown], targets
    )
    if problems:
        return None
    new_pages = list(last_plan.pages)
    for i, job in zip(redo, jobs, strict=True):
        if job.path != new_pages[i].path:
            return None
        new_pages[i] = job
    return dataclasses.replace(last_plan, pages=tuple(new_pages), copies=copies, targets=targets)


def _clashes(path: str, index: PlanIndex, search: Mapping[str, object]) -> bool:
    """`path` is another output's or a folder another needs, or a folder of it is a file."""
    if path in index.outputs or path in index.folders:
        return True
    end = path.rfind("/")
    while end > 0:
        if path[:end] in index.outputs or path[:end] in search:
            return True
        end = path.rfind("/", 0, end)
    return False
