"""The preview's short way to a site model and a plan when only what articles say changed.

Between two builds in one process (the preview keeps the last ones: engine/state.py), an edit
that changes an article's text, title, summary or reading time, but not where it is (its date,
tags, address, language, place in the listings: everything but `BODY_FIELDS` and
`VIEW_FIELDS`) leaves the site model as it was but for the edited articles (`patched_site`),
and the plan as it was except for:
- the pages of the edited articles (their contexts carry the body's hash, words, references);
- the feeds listing them (each entry carries its body's hash and listing view);
- for a new title, summary or reading time (a new listing view): the listing pages holding the
  view, the pages of its neighbours and of the articles listing it as related, and for a title
  its redirect pages and its translations' pages (their language links name it);
- the article pages whose related lists changed with the new words;
- the search files (new bytes, and new files, where words came or went).
`patched_plan` makes those parts again with the functions the full plan makes them with (a
listing page gets the new view in place of the old), and takes every other page from the last
plan as it was (the same objects, so their fingerprints are known without hashing). When
anything else may have changed (an article more or less, another date or tag, a front matter
line more or less, the title of a page of its own that every footer names, an article come
due, a setting, template or copied file, a new search file on another output's path, a last
plan that reported something), they return None and the build models and plans in full. The
incremental tests hold both ways to the same output, contexts and fingerprints through chains
of edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.config import SiteConfig
from sitegen.content.article import Article, spellings
from sitegen.plan import BuildPlan, Source, SourceFile
from sitegen.render.localize import add_reference_fingerprints
from sitegen.site.feeds import with_new_articles
from sitegen.site.model import Site
from sitegen.site.plan import ArticlePages, Listings, PageJob, listing_view, own_page_links

# what only an article's own page, the feeds showing it, the related lists and the search index
# read of an article (site/plan.py, site/feeds.py, render/localize.py)
BODY_FIELDS = ("body_utf8", "content_hash", "words", "images", "links")
# what its listing view shows besides these (site/plan.py::listing_view); a title also its
# aliases' redirect pages, its translations' language links, and footers if it is not listed
VIEW_FIELDS = ("summary", "reading_minutes", "title")
VIEW_KEYS = frozenset(spellings("summary") + spellings("title"))  # their front matter names


@dataclass(frozen=True)
class PlanIndex:
    """Where the parts a body edit reaches are in a plan, found once when the plan is made in
    full (a patched plan keeps every page in its place): the patch then costs what the edit
    reaches, not a walk over every page."""

    pages_at: Mapping[str, int]  # article rel -> its place in the site's pages
    articles: Mapping[str, int]  # article rel -> the place of its page in the plan
    aliases: Mapping[str, tuple[int, ...]]  # article rel -> the places of its redirect pages
    feeds: tuple[int, ...]  # the places of the feeds
    shown: frozenset[str]  # the bodies other pages show in full (listings of whole articles)
    outputs: frozenset[str]  # every output path but the search files'
    folders: frozenset[str]  # every folder those need
    # article rel -> the places of the listing pages that may hold its listing view (not articles'
    # pages, whose related lists change, nor feeds): found on first use (a summary edit), then
    # kept (a patch moves no article to another listing page)
    _showing: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)

    def showing(self, plan: BuildPlan) -> dict[str, list[int]]:
        if not self._showing:
            rel_of = {view["url"]: rel for rel, view in plan.views.items()}
            for i, job in enumerate(plan.pages):
                if job.kind not in ("article", "feed"):
                    for rel in views_in(job.context, rel_of):
                        self._showing.setdefault(rel, []).append(i)
        return self._showing


def views_in(value: Any, rel_of: Mapping[str, str]) -> set[str]:
    """The rels of the articles whose listing views may be anywhere in `value`: dicts with
    their address (`rel_of`: address -> rel; a listing page recalled from an older plan holds
    an equal view, not the same object; a language link to the article is found too, which
    costs only a page made again)."""
    found: set[str] = set()
    if not rel_of:
        return found
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            rel = rel_of.get(item.get("url"))  # type: ignore[arg-type]
            if rel is not None:
                found.add(rel)
            else:
                stack.extend(item.values())
        elif type(item) is list or type(item) is tuple:
            stack.extend(item)
    return found


def reached_by_views(
    site: Site,
    position: Mapping[str, int],
    viewed: Collection[str],
    related: Mapping[str, Sequence[str]],
    titled: Iterable[Article],
) -> set[str]:
    """The articles whose own pages show the listing views of `viewed` (rels whose view
    changed): their neighbours in the listing (`position`: rel -> place in `site.listed`), the
    articles listing them as related, and for the `titled` (a new title) their translations,
    whose language links name them."""
    out: set[str] = set()
    listed = site.listed
    for rel in viewed:
        i = position.get(rel)
        if i is not None:
            out.update(listed[j].rel for j in (i - 1, i + 1) if 0 <= j < len(listed))
    out.update(rel for rel, rels in related.items() if not viewed.isdisjoint(rels))
    for article in titled:
        versions = site.translations.get(article.translation_key, [])
        if len(versions) > 1:
            out.update(v.rel for v in versions if v is not article)
    return out


def plan_index(site: Site, plan: BuildPlan, search: Mapping[str, str]) -> PlanIndex | None:
    """The `PlanIndex` of a plan made in full; None when it cannot be patched (a search file
    lost its path to another output)."""
    if any(plan.copies.get(path, (None, ""))[1] != fp for path, fp in search.items()):
        return None
    articles: dict[str, int] = {}
    aliases: dict[str, list[int]] = {}
    feeds: list[int] = []
    shown: set[str] = set()
    rel_at = {url: rel for rel, url in site.urls.items()}
    for i, job in enumerate(plan.pages):
        if job.kind == "article":
            articles[job.bodies[0]] = i
        elif job.kind == "alias":
            aliases.setdefault(rel_at[job.context["target"]], []).append(i)
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
        {rel: tuple(places) for rel, places in aliases.items()},
        tuple(feeds),
        frozenset(shown),
        frozenset(outputs),
        frozenset(folders),
    )


@dataclass(frozen=True)
class PlanBasis:
    """What a plan was made from besides the site, kept with the preview's last plan so that
    the next build can tell whether only what articles say changed."""

    output_fp: str  # settings, templates and theme files (engine/cache.py)
    files: tuple[SourceFile, ...]  # the files copied as they are
    stamps: Mapping[Path, str]  # their sizes and modification times
    unpublished: frozenset[str]  # drafts and future articles, by content path
    search: Mapping[str, str]  # each search file's path -> fingerprint
    related: Mapping[str, Sequence[str]] | None = None  # known once they are worked out
    # the articles whose related lists differ from the last build's, when the process that
    # worked them out said so (it sends only those: pipeline/steps.py::_related_apart)
    relisted: frozenset[str] | None = None
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


def edit_kind(old: Article, new: Article) -> str | None:
    """How `new` differs from `old`: "body" (in its body alone), "view" (also in what listings
    show of it: its title, summary, reading time), None (in anything else)."""
    if old.rel != new.rel:
        return None
    if old.meta == new.meta and _same_but(old, new, BODY_FIELDS):  # `meta` is left out of ==
        return "body"
    if _but_view(old.meta) == _but_view(new.meta) and _same_but(
        old, new, BODY_FIELDS + VIEW_FIELDS
    ):
        return "view"
    return None


def _same_but(old: Article, new: Article, names: tuple[str, ...]) -> bool:
    return dataclasses.replace(new, **{name: getattr(old, name) for name in names}) == old


def _but_view(meta: dict) -> dict:
    return {key: value for key, value in meta.items() if str(key).lower() not in VIEW_KEYS}


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
    """`site.model.build_site` of `articles` when they are the last model's but for bodies,
    summaries and reading times (and no article appeared or expired since): the last site with the edited articles in
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
            if edit_kind(old, new) is None:
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


def edits(last: Site, site: Site) -> tuple[dict[str, Article], set[str]] | None:
    """The articles of `site` that differ from their versions in `last`, by content path, and
    those of them whose listing views may have changed (`edit_kind` "view"); None when any
    differs in another way, or an article came or went."""
    if len(last.pages) != len(site.pages) or len(last.listed) != len(site.listed):
        return None
    edited: dict[str, Article] = {}
    viewed: set[str] = set()
    for old, new in zip(last.pages, site.pages, strict=True):
        if old is new:  # the loader hands back the same object for an unchanged file
            continue
        kind = edit_kind(old, new)
        if kind is None:
            return None
        edited[new.rel] = new
        if kind == "view":
            viewed.add(new.rel)
    if edited and [a.rel for a in last.listed] != [a.rel for a in site.listed]:
        return None
    return edited, viewed


def patched_plan(
    last_site: Site,
    last_plan: BuildPlan,
    last_basis: PlanBasis,
    site: Site,
    basis: PlanBasis,
    search: Mapping[str, tuple[Source, str]],
    found: tuple[dict[str, Article], set[str]] | None,
) -> BuildPlan | None:
    """The plan `plan.plan_build` would make for `site` and `basis` (with the `search` files),
    made from the last plan when only what articles say changed since (see the module's
    docstring; `found` is `edits(last_site, site)`); None otherwise."""
    index = last_basis.index
    if index is None or last_plan.problems or not basis.same_inputs(last_basis):
        return None
    if found is None or not index.shown.isdisjoint(found[0]):
        return None  # another kind of page shows an edited body whole: the full plan knows it
    edited, viewed = found
    # the listing views that changed (a title, summary, reading time), and the pages holding them
    views = last_plan.views
    new_views = {}
    for rel in viewed:
        view = listing_view(edited[rel], site)
        if view != views[rel]:
            new_views[rel] = view
    redo: dict[int, PageJob] = {}
    if new_views:
        swap = {views[rel]["url"]: (views[rel], view) for rel, view in new_views.items()}
        showing = index.showing(last_plan)
        for i in {i for rel in new_views for i in showing.get(rel, ())}:
            job = last_plan.pages[i]
            # the context of other views than its maker's: fingerprinted by itself
            redo[i] = dataclasses.replace(job, given=_swapped(job.context, swap), maker=None)
        views = {**views, **new_views}
    related, old_related = basis.related or {}, last_basis.related or {}
    relisted = basis.relisted
    if relisted is None:
        relisted = {rel for rel, rels in related.items() if old_related.get(rel) != rels}
        relisted |= old_related.keys() - related.keys()
    pages = ArticlePages(site, Listings(views, [], own_page_links(site)), related)
    # a new title: the article's redirect pages, and (below) its translations' language links
    titled = []
    for rel, view in new_views.items():
        if view["title"] != last_plan.views[rel]["title"]:
            article = edited[rel]
            if not article.listed:
                return None  # every page's footer names it: the full plan knows them
            places, redirects = index.aliases.get(rel, ()), pages.aliases(article)
            if len(places) != len(redirects):
                return None
            redo.update(zip(places, redirects, strict=True))
            titled.append(article)
    # the article pages holding a new view: its neighbours', those listing it as related, and
    # for a new title its translations'
    around = (
        reached_by_views(site, pages.position, new_views.keys(), related, titled)
        if new_views
        else set()
    )
    for rel in (*edited, *relisted, *around):
        redo[index.articles[rel]] = pages.job(site.pages[index.pages_at[rel]])
    changed = {site.url(a): (views[a.rel], a.content_hash) for a in edited.values()}
    for i in index.feeds:
        job = last_plan.pages[i]
        context = with_new_articles(job.context, changed)
        if context is not job.context:  # its references are worked out again below
            context = {key: value for key, value in context.items() if key != "references"}
            redo[i] = dataclasses.replace(job, given=context, maker=None)
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
    return dataclasses.replace(
        last_plan, pages=tuple(new_pages), copies=copies, targets=targets, views=views
    )


def _swapped(value: Any, swap: dict[str, tuple[dict, dict]]) -> Any:
    """`value` with each listing view of `swap` (address -> (old view, new view)) in it
    replaced by the new one; containers holding one are new, the rest are shared. A view is
    told by its address and content: a page recalled from an older plan holds an equal one."""
    if type(value) is dict:
        old = swap.get(value.get("url"))  # type: ignore[arg-type]
        if old is not None and (value is old[0] or value == old[0]):
            return old[1]
        out = None
        for key, item in value.items():
            new = _swapped(item, swap)
            if new is not item:
                out = dict(value) if out is None else out
                out[key] = new
        return value if out is None else out
    if type(value) is list:
        items = [_swapped(item, swap) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


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
