"""Site -> page plan: every output page with its template and the data it shows. Pure.

Each PageJob's `context` holds only plain values (text, numbers, lists, dicts) and is exactly
what its template sees apart from the site-wide globals, so a hash of it says whether the page
must be rendered again: incremental builds are correct by construction. Two jobs for one path
are an error naming both sources, raised before anything is written.

A `Recall` (the preview's, engine/state.py) may hand back the listing view or article page
context the last plan made from the same inputs: each is made by a function of exactly the
inputs it is recalled by, so a part recalled is the part this plan would make.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import unicodedata
from collections.abc import Callable, Collection, Container, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from sitegen.config import SiteConfig, bundled_themes_dir
from sitegen.content.article import Article
from sitegen.errors import Diagnostics, SiteError
from sitegen.fsutil import from_site
from sitegen.heap import pauses_collector
from sitegen.site.feeds import feed_contexts, feed_links
from sitegen.site.model import Section, Site, Term
from sitegen.text.i18n import (
    FALLBACK,
    Messages,
    format_date,
    message_problems,
    month_label,
    month_name,
)
from sitegen.text.languages import Language, text_direction
from sitegen.text.slugs import term_key
from sitegen.text.urls import output_path, site_path

# (kind, article rel, inputs, make) -> what `make()` returns, or what it returned for inputs
# equal to these last time
Recall = Callable[[str, str, tuple, Callable[[], Any]], Any]


def _make(_kind: str, _key: str, _inputs: tuple, make: Callable[[], Any]) -> Any:
    """The `Recall` that remembers nothing."""
    return make()


@dataclass(frozen=True, slots=True)  # slots: about 1.4 of these an article, all held
class PageJob:
    """One page of the output: its URL, template and complete template context, and which
    article bodies it shows (rendered by workers). The plan is the list of these; the context
    is complete once `plan.plan_build` returns, and nothing changes it after.

    An article's page, a listing page or a sitemap in a build that keeps no plan for the next
    (`sitegen build`) holds no context but its `maker` (`ArticleContext`, `ListingContext`,
    `SitemapContext`), which makes it where the page is rendered: a context is 2 to 4 KB (a
    sitemap's, hundreds of bytes a page), a maker a few references. The preview's hold both:
    the context, kept for its next build, and the maker it was made by, whose inputs are the
    page's fingerprint in either build (engine/cache.py), so the preview's folder can start
    from `sitegen build`'s files (output/seed.py). Whatever gives a job another context
    gives it another maker, or none."""

    url: str
    template: str
    kind: str
    given: dict[str, Any] | None  # the context; None when `maker` makes it on each use
    source: str  # what asked for this page, for collision messages
    bodies: tuple[str, ...] = ()  # article.rel of each body the page shows in full
    maker: ArticleContext | DeferredArticleContext | ListingContext | SitemapContext | None = None
    path: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", output_path(self.url))

    @property
    def context(self) -> dict[str, Any]:
        """The page's template context (made anew on each use when the job has a `maker`)."""
        given = self.given
        return given if given is not None else self.maker()  # type: ignore[misc]

    @property
    def page(self) -> dict[str, Any]:
        """The context's `page` (what the sitemap reads), without making a maker's context."""
        if self.given is not None:
            return self.given.get("page", {})
        return self.maker.page()  # type: ignore[union-attr]

    def resolved(self) -> PageJob:
        """This job with its context made (to send it to another machine)."""
        if self.given is not None:
            return self
        return PageJob(self.url, self.template, self.kind, self.context, self.source, self.bodies)


def listing_view(
    article: Article,
    site: Site,
    tag_terms: dict[str, Term] | None = None,
    recall: Recall | None = None,
) -> dict[str, Any]:
    """What listings show of an article. Its tags link to the term pages of its own language;
    its dates are written for readers of that language."""
    if tag_terms is None:
        tag_terms = site.term_indexes(article.lang)[0]
    tags = []
    for name in article.tags:
        term = tag_terms.get(term_key(name))
        if term is not None:
            tags.append((term.name, term.url))
    url, config = site.urls[article.rel], site.config
    inputs = (article, url, tuple(tags))
    return (recall or _make)("view", article.rel, inputs, lambda: _view(article, url, tags, config))


def _view(
    article: Article, url: str, tags: list[tuple[str, str]], config: SiteConfig
) -> dict[str, Any]:
    """`listing_view` from its inputs alone (the article, its address, its tags' names and
    addresses) and the settings."""
    lang = article.lang
    date, updated = article.date, article.updated
    return {
        "title": article.title,
        "url": url,
        "date": date.isoformat() if date else "",
        # shown in its own UTC offset, as written in the article
        "date_display": format_date(date, lang, config.date_format) if article.has_date else "",
        "updated": updated.isoformat() if updated else "",
        "updated_display": format_date(updated.astimezone(config.tz), lang, config.date_format)
        if updated
        else "",
        "summary": article.summary,
        "author": article.author,
        "tags": [_tag_link(name, term_url) for name, term_url in tags],
        "reading_minutes": article.reading_minutes,
        "lang": lang,
        # a picture on the web (no other scheme, `javascript:`, reaches a page); one in this
        # site only once resolved and found (render/localize.py `page_image_url`): as written
        # it may name a missing file, or `../../etc/passwd`
        "image": article.image if article.image.startswith(("https://", "http://")) else "",
    }


# the empty list of links most article pages hold (no categories, no translations, no pages of
# their own): one object for all, like every list a context holds never changed once planned
_NO_LINKS: list = []


@functools.lru_cache(maxsize=1 << 16)
def _tag_link(name: str, url: str) -> dict[str, str]:
    """A tag or category as views and article pages show it: one dict for all the pages
    that show it, not one each (half of what views held; nothing changes a context once
    made)."""
    return {"name": name, "url": url}


def article_links(
    article: Article, site: Site, cat_terms: dict[str, Term] | None = None
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """An article's categories (name, url) and, when it is translated, every version of it
    (lang, url, title, language name), for `article_context`."""
    if cat_terms is None:
        cat_terms = site.term_indexes(article.lang)[1]
    categories = []
    for name in article.categories:
        term = cat_terms.get(term_key(name))
        if term is not None:
            categories.append(_tag_link(term.name, term.url))
    return categories or _NO_LINKS, article_alternates(article, site)


def article_alternates(article: Article, site: Site) -> list[dict[str, str]]:
    """Every version of a translated article (lang, url, title, language name); none else."""
    versions = site.translations.get(article.translation_key, [article])
    if len(versions) < 2:
        return _NO_LINKS
    return [
        {"lang": v.lang, "url": site.url(v), "title": v.title, "name": _name(site, v.lang)}
        for v in versions
    ]


def article_context(
    article: Article,
    listing: dict[str, Any],
    categories: list[dict[str, str]],
    alternates: list[dict[str, str]],
    prev: dict | None,
    next_: dict | None,
    related: list[dict],
    own_pages: list[dict[str, str]],
) -> dict[str, Any]:
    """What article.html sees of one article, from these inputs alone (`listing` is its
    listing_view; `categories` and `alternates` its `article_links`)."""
    view = {
        **listing,
        "source": article.source,
        "words": article.words,
        "authors": list(article.authors),
        "categories": categories,
        "meta": _plain(article.meta),
        "body": article.rel,
        "content_hash": article.content_hash,
        "resources": list(article.resources),
        "draft": article.draft,
    }
    return {
        "page": _article_page(article, listing, alternates),
        "article": view,
        "prev": prev,
        "next": next_,
        "related": related,
        "own_pages": own_pages,
    }


def _article_page(
    article: Article, listing: dict[str, Any], alternates: list[dict[str, str]], image: str = ""
) -> dict[str, Any]:
    """An article page's `page`; `image`: its picture as resolved (`with_references`)."""
    return {
        "kind": "article",
        "title": article.title,
        "description": article.summary,
        "lang": article.lang,
        "dir": text_direction(article.lang),
        "alternates": alternates,
        "image": image or listing["image"],
        "date": listing["date"],
        "updated": listing["updated"],
    }


def with_references(context: dict[str, Any], references: str, image: str) -> dict[str, Any]:
    """An article page's (or a feed's) `context` with what the images and links of the bodies
    it shows resolve to (`references`, so its fingerprint follows them) and the article's
    picture as a URL (`image`, for Open Graph and structured data): a new dict when either is
    given, the ones given may be shared with another plan."""
    if references:
        context = {**context, "references": references}
    if image:
        context = {**context, "page": {**context.get("page", {}), "image": image}}
        if isinstance(context.get("article"), dict):
            context["article"] = {**context["article"], "image": image}
    return context


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """An article page's context, made from `article_context`'s arguments where the page is
    rendered, and its fingerprint's inputs (`key`), which are what it is made from: the
    article's fields it reads (a test changes each field of `Article` and checks that the
    key changes whenever the context does) and the views it shows, by their digest."""

    inputs: tuple  # article_context's arguments
    references: str = ""  # `with_references`'s
    image: str = ""

    def __call__(self) -> dict[str, Any]:
        return with_references(article_context(*self.inputs), self.references, self.image)

    def page(self) -> dict[str, Any]:
        """The context's `page`, without the rest."""
        article, listing, _, alternates, *_ = self.inputs
        return _article_page(article, listing, alternates, self.image)

    def key(self, digests: Mapping[int, bytes]) -> tuple:
        """What the context is made from, marshal-able: each shared view (`digests`, by id) by
        its digest. The front matter (`meta`) is there as the hash of the file's bytes it was
        read from: turning it into plain data for every article took a tenth of a second of
        an edit's build at 10,000 articles."""
        article, listing, categories, alternates, prev, next_, related, own_pages = self.inputs
        a = article
        return (
            "article page",
            (a.source, a.words, a.authors, a.rel, a.content_hash),
            (a.resources, a.draft, a.title, a.summary, a.lang),
            digests.get(id(listing), listing),
            categories,
            alternates,
            None if prev is None else digests.get(id(prev), prev),
            None if next_ is None else digests.get(id(next_), next_),
            [digests.get(id(view), view) for view in related],
            own_pages,
            self.references,
            self.image,
        )


@dataclass(frozen=True, slots=True)
class DeferredArticleContext:
    """An article page's `ArticleContext` whose inputs are gathered only when the page is
    rendered or fingerprinted: a command-line build gives it to the pages that keep their last
    fingerprint (engine/record.py), most of a site's after an edit."""

    pages: ArticlePages
    article: Article
    references: str = ""  # `with_references`'s
    image: str = ""

    def made(self) -> ArticleContext:
        return ArticleContext(self.pages.inputs(self.article), self.references, self.image)

    def __call__(self) -> dict[str, Any]:
        return self.made()()

    def page(self) -> dict[str, Any]:
        """The context's `page`, from the article, its view and its versions alone."""
        article, site = self.article, self.pages.site
        listing = self.pages.listings.views[article.rel]
        return _article_page(article, listing, article_alternates(article, site), self.image)

    def key(self, digests: Mapping[int, bytes]) -> tuple:
        return self.made().key(digests)


def _name(site: Site, lang: str) -> str:
    section = site.section(lang)
    return section.language.name if section else lang


def term_index(terms: list[Term]) -> dict[str, Term]:
    return {term_key(t.name): t for t in terms}


def _paginate(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page))


def _page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


PAGE_WINDOW = 2  # numbered links either side of the current page


def page_numbers(number: int, total: int, window: int = PAGE_WINDOW) -> list[int]:
    """The page numbers a pager shows: first, last, and `window` either side of the current
    one; 0 marks a gap. Bounded, so a 1,000-page listing does not put 1,000 links on each page."""
    return _with_gaps(
        sorted({1, total, *range(max(1, number - window), min(total, number + window) + 1)})
    )


def _with_gaps(shown: list[int]) -> list[int]:
    """`shown` (sorted either way) with 0 where pages are left out; a gap of one page is shown
    as that page."""
    out: list[int] = []
    for n in shown:
        if out and abs(n - out[-1]) == 2:
            out.append((n + out[-1]) // 2)
        elif out and abs(n - out[-1]) > 2:
            out.append(0)
        out.append(n)
    return out


def page_chunks(count: int, per_page: int, stable: bool = False) -> list[tuple[int, int, int]]:
    """(number, start, stop) of each page of a listing of `count` items, newest first: the
    slice of the items that page shows, the listing's own address first. Numbered from the
    newest, page n shows items (n - 1) * per_page onwards. Numbered from the oldest (`stable`),
    every numbered page shows `per_page` items counted from the oldest, and the first page (the
    listing's address, numbered last) the newest `per_page` to `2 * per_page - 1`: a new item
    changes that page alone, and adds a numbered page once every `per_page` items."""
    if not stable:
        return [
            (n, (n - 1) * per_page, min(count, n * per_page))
            for n in range(1, _paginate(count, per_page) + 1)
        ]
    numbered = max(0, count // per_page - 1)
    pages = [(numbered + 1, 0, count - numbered * per_page)]
    pages += [(k, count - k * per_page, count - (k - 1) * per_page) for k in range(numbered, 0, -1)]
    return pages


def _listing_url(base: str, number: int, total: int, stable: bool) -> str:
    """The address of page `number` of `total`: the listing's own for its first page."""
    if not stable:
        return _page_url(base, number)
    return base if number == total else f"{base}page/{number}/"


def _paginator(base: str, number: int, total: int, stable: bool = False) -> dict[str, Any]:
    if stable:
        return _stable_paginator(base, number, total)
    return {
        "number": number,
        "total": total,
        "front": number == 1,
        "stable": False,
        "prev_url": _page_url(base, number - 1) if number > 1 else "",
        "next_url": _page_url(base, number + 1) if number < total else "",
        "first_url": base,
        "last_url": _page_url(base, total),
        "pages": [
            {"number": n, "url": _page_url(base, n) if n else "", "gap": not n}
            for n in page_numbers(number, total)
        ],
    }


def _stable_paginator(base: str, number: int, total: int) -> dict[str, Any]:
    """A pager of pages numbered from the oldest (`page_chunks`): the first page is number
    `total`, and `prev_url` (newer) and `next_url` (older) go up and down the numbers. The
    numbers shown are the current one's neighbours and page 1, newest first, never the highest:
    a page with no newer neighbour within the window shows the same pager whatever the total."""
    numbered = total - 1
    window = range(max(1, number - PAGE_WINDOW), min(numbered, number + PAGE_WINDOW) + 1)
    out = _with_gaps(sorted({1, *window}, reverse=True)) if numbered else []
    return {
        "number": number,
        "total": total,
        "front": number == total,
        "stable": True,
        "prev_url": _listing_url(base, number + 1, total, True) if number < total else "",
        "next_url": _listing_url(base, number - 1, total, True) if number > 1 else "",
        "first_url": base,
        "last_url": _listing_url(base, 1, total, True),
        "pages": [
            {"number": n, "url": _listing_url(base, n, total, True) if n else "", "gap": not n}
            for n in out
        ],
    }


OWN_PAGES_SHOWN = 12  # pages of their own a footer links to; more are a section, not links


def own_page_links(site: Site) -> dict[str, list[dict[str, str]]]:
    """Each language's pages of their own (`listed: false`: About, Contact), by `weight`
    then title, for the footer of every page in that language; a language with more than
    `OWN_PAGES_SHOWN` links to none (a migrated documentation section is not footer links)."""
    by_lang: dict[str, list[tuple[tuple, dict[str, str]]]] = {}
    for article in site.pages:
        if not article.listed:
            link = {"title": article.title, "url": site.url(article)}
            order = (_weight(article), article.title.casefold(), link["url"])
            by_lang.setdefault(article.lang, []).append((order, link))
    return {
        lang: [link for _, link in sorted(links, key=lambda item: item[0])]
        for lang, links in by_lang.items()
        if len(links) <= OWN_PAGES_SHOWN
    }


def _weight(article: Article) -> float:
    """Front matter `weight` (Hugo's, for menus and page order): lighter first; none, last."""
    value = next((v for k, v in article.meta.items() if str(k).lower() == "weight"), None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.inf
    return float(value)


def _with_own_pages(jobs: list[PageJob], links: dict[str, list[dict[str, str]]]) -> None:
    """Give every HTML page made without them its language's `own_pages` (in its context, so
    its fingerprint follows them). Done as the jobs are made, before anything hashes them."""
    for job in jobs:
        if (  # a maker's context has them from its inputs (`_listing_pages`)
            job.given is not None
            and job.template.endswith(".html")
            and job.kind != "alias"
            and "own_pages" not in job.given
        ):
            job.context["own_pages"] = links.get(job.context["page"]["lang"], [])


def listing_views(site: Site, recall: Recall | None = None) -> dict[str, dict[str, Any]]:
    """Every article's listing view, by rel. Page contexts share these dicts (an article's
    view is in its neighbours' pages, its related lists, listings and feeds): the engine
    fingerprints each once and pages by reference to them."""
    terms = {lang: site.term_indexes(lang)[0] for lang in {a.lang for a in site.pages}}
    return {a.rel: listing_view(a, site, terms[a.lang], recall) for a in site.pages}


class LazyViews(Mapping[str, dict[str, Any]]):
    """`listing_views` made on first use: a plan of the few pages a body edit reaches
    (plan.py `plan_edited`) needs the views of those pages' articles and neighbours, not
    every article's. Equal to `listing_views`'s dicts; `made` holds those made so far."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.made: dict[str, dict[str, Any]] = {}
        self._articles: dict[str, Article] | None = None

    def __getitem__(self, rel: str) -> dict[str, Any]:
        view = self.made.get(rel)
        if view is None:
            if self._articles is None:
                self._articles = {a.rel: a for a in self.site.pages}
            article = self._articles[rel]
            tags = self.site.term_indexes(article.lang)[0]
            view = self.made[rel] = listing_view(article, self.site, tags)
        return view

    def __iter__(self) -> Iterator[str]:
        return (a.rel for a in self.site.pages)

    def __len__(self) -> int:
        return len(self.site.pages)


@dataclass(frozen=True)
class Listings:
    """The part of the plan that needs no related lists: the listing views the contexts
    share, and every page but the articles' own (listings, terms, archive, feeds, 404 and
    search pages). The engine makes it while the related lists are still being worked out."""

    views: Mapping[str, dict[str, Any]]  # `listing_views`, or `LazyViews`
    pages: list[PageJob]
    own_pages: dict[str, list[dict[str, str]]]  # `own_page_links`, for the articles' pages too


@pauses_collector
def plan_listings(
    site: Site,
    views: dict[str, dict[str, Any]] | None = None,
    recall: Recall | None = None,
    lazy: bool = False,
) -> Listings:
    """Every page of the site but the articles' own and the sitemap (see `Listings`).
    `lazy`: the listing pages' contexts are made where they are rendered (`ListingContext`)."""
    config = site.config
    views = listing_views(site, recall) if views is None else views
    messages = site_messages(config)
    own_pages = own_page_links(site)
    jobs: list[PageJob] = []
    for section in site.sections or [_root_section(site)]:
        own = own_pages.get(section.lang, [])
        maker = ListingContext if lazy else None
        jobs.extend(_section_pages(site, section, views, messages, own, recall or _make, maker))

    # 404 and search pages of each language
    for section in site.sections or [_root_section(site)]:
        # hosts that look for the nearest 404.html up the path (Cloudflare Pages, or a rule
        # per language on others) show a reader of /ja/ the Japanese one
        kinds = [("404", "404.html", "page_not_found", None)]
        if config.search:  # every language's page reads the one index (site/search.py)
            kinds.append(("search", "search/", "search", "search_description"))
        for kind, suffix, title, description in kinds:
            where = "" if section.prefix == "/" else f" ({section.lang})"
            page = {
                "lang": section.lang,
                "dir": section.language.direction,
                "kind": kind,
                "title": messages.get(section.lang, title),
                "description": messages.get(section.lang, description, site=config.title)
                if description
                else "",
                "noindex": True,
            }
            jobs.append(
                PageJob(
                    section.prefix + suffix,
                    f"{kind}.html",
                    kind,
                    {"page": page},
                    f"{kind} page{where}",
                )
            )
    _with_own_pages(jobs, own_pages)
    return Listings(views, jobs, own_pages)


def listings_showing(
    site: Site, views: Mapping[str, dict[str, Any]], shown: Collection[str]
) -> list[PageJob]:
    """The pages of `plan_listings(site, lazy=True)` that hold the listing view of one of the
    articles `shown` (rels of listed articles): the pages of the index, of their tags and
    categories and of the archive that list them, made as that plan makes them, and no other
    (the overviews show counts, not views; the feeds are `feed_jobs`'). `views` may be a
    `LazyViews`: only the views on these pages are made."""
    messages = site_messages(site.config)
    own_pages = own_page_links(site)
    jobs: list[PageJob] = []
    for section in site.sections or [_root_section(site)]:
        places = {i for i, a in enumerate(section.listed) if a.rel in shown}
        if places:
            own = own_pages.get(section.lang, [])
            jobs.extend(
                _section_pages(site, section, views, messages, own, _make, ListingContext, places)
            )
    _with_own_pages(jobs, own_pages)
    return jobs


class ArticlePages:
    """Makes article pages and their aliases' redirect pages: what `article_jobs` makes for
    each article, and what the preview's patched plan (engine/patch.py) makes again for a few,
    from the same inputs."""

    def __init__(
        self,
        site: Site,
        listings: Listings,
        related: Mapping[str, Sequence[str]],
        recall: Recall | None = None,
        lazy: bool = False,
        settled: Container[str] = (),
    ) -> None:
        self.site, self.listings, self.related = site, listings, related
        self.recall = recall or _make
        self.lazy = lazy  # contexts made where the pages are rendered (`ArticleContext`)
        # with `lazy`, the articles whose pages are not even gathered their inputs unless the
        # page is rendered or fingerprinted (`DeferredArticleContext`)
        self.settled = settled
        self.position = {a.rel: i for i, a in enumerate(site.listed)}
        self.cat_terms = {lang: site.term_indexes(lang)[1] for lang in {a.lang for a in site.pages}}

    def inputs(self, article: Article) -> tuple:
        """`article_context`'s arguments for the article's page."""
        site, views, listed = self.site, self.listings.views, self.site.listed
        i = self.position.get(article.rel)
        newer = listed[i - 1] if i is not None and i > 0 else None
        older = listed[i + 1] if i is not None and i + 1 < len(listed) else None
        categories, alternates = article_links(article, site, self.cat_terms[article.lang])
        return (
            article,
            views[article.rel],
            categories,
            alternates,
            views[older.rel] if older else None,
            views[newer.rel] if newer else None,
            [views[r] for r in self.related.get(article.rel, ())],
            self.listings.own_pages.get(article.lang, _NO_LINKS),
        )

    def job(self, article: Article) -> PageJob:
        """The article's own page."""
        url, rels = self.site.url(article), (article.rel,)
        if self.lazy and article.rel in self.settled:
            maker: Any = DeferredArticleContext(self, article)
            return PageJob(url, "article.html", "article", None, article.source, rels, maker)
        inputs = self.inputs(article)
        if self.lazy:
            maker = ArticleContext(inputs)
            return PageJob(url, "article.html", "article", None, article.source, rels, maker)
        context = self.recall(
            "article", article.rel, inputs, lambda inputs=inputs: article_context(*inputs)
        )
        maker = ArticleContext(inputs)  # what it is made from: its fingerprint (see `PageJob`)
        return PageJob(url, "article.html", "article", context, article.source, rels, maker)

    def aliases(self, article: Article) -> list[PageJob]:
        """The redirect pages of the article's old addresses (`aliases`)."""
        jobs = []
        for alias in article.aliases:
            try:
                target = site_path(alias)  # content.py reported the ones that are not
            except ValueError:
                continue
            page = {
                "lang": article.lang,
                "dir": text_direction(article.lang),
                "kind": "alias",
                "title": article.title,
                "description": "",
                "noindex": True,
            }
            jobs.append(
                PageJob(
                    target,
                    "alias.html",
                    "alias",
                    {"page": page, "target": self.site.url(article)},
                    f"{article.source} (alias {alias})",
                )
            )
        return jobs


def article_jobs(
    site: Site,
    listings: Listings,
    related: dict[str, list[str]],
    recall: Recall | None = None,
    lazy: bool = False,
    settled: Container[str] = (),
) -> list[PageJob]:
    """Each article's page (with its related list) and the redirect pages of its aliases;
    `lazy` and `settled`: see `ArticlePages`."""
    pages = ArticlePages(site, listings, related, recall, lazy, settled)
    jobs: list[PageJob] = []
    for article in site.pages:
        jobs.append(pages.job(article))
        jobs.extend(pages.aliases(article))
    return jobs


@pauses_collector
def plan_pages(
    site: Site,
    diag: Diagnostics,
    extra_jobs: list[PageJob] | None = None,
    related: dict[str, list[str]] | None = None,
    listings: Listings | None = None,
    recall: Recall | None = None,
    lazy: bool = False,
    settled: Container[str] = (),
) -> list[PageJob]:
    """Every page of the site. `related` gives each article's related articles (rels, best
    first), worked out beforehand by engine/related_cache.py: planning reads no files.
    `listings` is this site's `plan_listings` (made here when not given); `lazy`: the
    articles' and listings' pages' contexts are made where they are rendered (`ArticlePages`,
    `ListingContext`), and for the articles in `settled` their inputs are gathered there."""
    listings = plan_listings(site, recall=recall, lazy=lazy) if listings is None else listings
    jobs = article_jobs(site, listings, related or {}, recall, lazy, settled)
    jobs.extend(listings.pages)
    jobs.extend(extra_jobs or [])
    sitemap_urls = []
    days: dict[str, str] = {}  # one string for each day, not one for each page
    for job in jobs:
        if job.kind in ("alias", "404", "feed") or not job.path.endswith(".html"):
            continue
        page = job.page  # made for an article's page: once
        if page.get("noindex"):
            continue
        day = (page.get("updated") or page.get("date") or "")[:10]
        alternates = tuple((a["lang"], a["url"]) for a in page.get("alternates", ()))
        sitemap_urls.append((job.url, days.setdefault(day, day), alternates))
    sitemap_urls.sort()
    jobs.extend(sitemap_jobs(sitemap_urls, lazy=lazy))
    jobs.append(PageJob("/robots.txt", "robots.txt", "robots", {}, "robots.txt"))
    return _reject_collisions(jobs, diag, site.pages)


SITEMAP_LIMIT = 30_000  # URLs per sitemap file (the protocol allows 50,000 and 50 MB; Zola's)


def sitemap_jobs(
    urls: list[tuple[str, str, tuple]], limit: int | None = None, lazy: bool = False
) -> list[PageJob]:
    """/sitemap.xml listing `urls` (address, day of the last change, the other languages'
    (lang, address)); beyond `limit` of them, a sitemap index naming /sitemap1.xml,
    /sitemap2.xml... of `limit` each, so search engines read them all (one file of more than
    50,000 is refused) and an edit renders only the part holding its page. `lazy`: each part
    holds its addresses as these tuples, and its context is made where it is rendered."""
    limit = limit or SITEMAP_LIMIT

    def job(url: str, part: tuple, source: str) -> PageJob:
        maker = SitemapContext(part)
        return PageJob(
            url, "sitemap.xml", "sitemap", None if lazy else maker(), source, maker=maker
        )

    if len(urls) <= limit:
        return [job("/sitemap.xml", tuple(urls), "sitemap")]
    parts = [tuple(urls[i : i + limit]) for i in range(0, len(urls), limit)]
    jobs = [job(f"/sitemap{n}.xml", part, f"sitemap {n}") for n, part in enumerate(parts, 1)]
    index = [
        {"loc": job.url, "lastmod": max(day for _, day, _ in part)}
        for job, part in zip(jobs, parts, strict=True)
    ]
    jobs.append(
        PageJob("/sitemap.xml", "sitemap_index.xml", "sitemap", {"sitemaps": index}, "sitemap")
    )
    return jobs


@dataclass(frozen=True, slots=True)
class SitemapContext:
    """A sitemap's context from its addresses as tuples (a dict for each page of a big site
    is most of what its sitemap holds), and its fingerprint's inputs: those tuples."""

    urls: tuple[tuple[str, str, tuple], ...]

    def __call__(self) -> dict[str, Any]:
        return {
            "urls": [
                {
                    "loc": loc,
                    "lastmod": day,
                    "alternates": [{"lang": lang, "loc": other} for lang, other in alternates],
                }
                for loc, day, alternates in self.urls
            ]
        }

    def page(self) -> dict[str, Any]:
        return {}

    def key(self, digests: Mapping[int, bytes]) -> tuple:
        return ("sitemap", self.urls)


def site_messages(config: SiteConfig) -> Messages:
    """The theme's words in every language, with the site's own `i18n/` files over them; the
    default theme's words under both, so a theme of one's own needs no message files."""
    fallback = bundled_themes_dir() / "default" / "i18n"
    folders = [fallback, config.theme_path() / "i18n", config.root / "i18n"]
    return Messages(list(dict.fromkeys(folders)))


def site_message_problems(config: SiteConfig) -> list[SiteError]:
    """What in the site's own `i18n/` files would show wrongly (`message_problems`), against
    the theme's English: the fields its templates fill."""
    folder = config.root / "i18n"
    if not folder.is_dir():
        return []
    fallback = bundled_themes_dir() / "default" / "i18n"
    theme = Messages(list(dict.fromkeys([fallback, config.theme_path() / "i18n"])))
    known = theme.catalog(FALLBACK)
    return [
        dataclasses.replace(p, path=from_site(path, config.root))
        for path in sorted(folder.glob("*.yaml"))
        for p in message_problems(path, known)
    ]


def _root_section(site: Site) -> Section:
    language = site.config.site_languages[0]
    return Section(
        Language(language.code, language.name), "/", site.listed, site.tags, site.categories
    )


def _section_pages(
    site: Site,
    section: Section,
    views: dict[str, dict],
    messages: Messages,
    own_pages: list[dict[str, str]],
    recall: Recall,
    maker: type[ListingContext] | None = None,
    places: Set[int] | None = None,
) -> list[PageJob]:
    """A language's own pages (Hugo's and Zola's per-language site): its index, tag and
    category pages with their feeds, archive and feed, under the section's prefix. The
    listing pages are made with their `own_pages` (a recalled context is never changed).
    With `places` (indexes into `section.listed`), only the listing and archive pages that
    show one of those articles (`listings_showing`)."""
    config = site.config
    lang, prefix = section.lang, section.prefix
    jobs: list[PageJob] = []

    def t(key: str, **values: Any) -> str:
        return messages.get(lang, key, **values)

    def page_for(suffix: str) -> dict[str, Any]:
        """lang, dir and the other languages' version of the same page (hreflang): only those
        that exist (a language with no categories has no categories page)."""
        having = [
            s for s in site.sections if suffix != "categories/" or s.categories or s is section
        ]
        alternates = (
            [
                {
                    "lang": s.lang,
                    "url": s.prefix + suffix,
                    "title": config.title,
                    "name": s.language.name,
                }
                for s in having
            ]
            if len(having) > 1
            else []
        )
        return {"lang": lang, "dir": section.language.direction, "alternates": alternates}

    where = "" if prefix == "/" else f" ({lang})"
    listed = section.listed
    listed_views: Sequence[dict] = (
        [views[a.rel] for a in listed] if places is None else _Views(views, listed)
    )
    jobs.extend(
        _listing_pages(
            prefix,
            listed_views,
            config,
            "index.html",
            "index",
            f"index page{where}",
            {"title": config.title, "description": config.description},
            page_for(""),
            {"own_pages": own_pages},
            t,
            recall,
            maker,
            places,
        )
    )
    for kind, terms in (("tag", section.tags), ("category", section.categories)):
        if not terms and kind == "category":
            continue
        overview_kind = "tags" if kind == "tag" else "categories"
        if places is None:  # counts, not views: no edit of a view reaches it
            overview = [
                {"name": t_.name, "url": t_.url, "count": len(t_.articles), "slug": t_.slug}
                for t_ in terms
            ]
            jobs.append(
                PageJob(
                    f"{prefix}{overview_kind}/",
                    "terms.html",
                    overview_kind,
                    {
                        "page": {
                            **page_for(f"{overview_kind}/"),
                            "kind": overview_kind,
                            "title": t(overview_kind),
                            "description": t(f"{overview_kind}_description", site=config.title),
                        },
                        "terms": overview,
                        "taxonomy": kind,
                    },
                    f"{overview_kind} overview{where}",
                )
            )
        for term in terms:
            at: set[int] | None = None  # the places in the term's list of those to show
            if places is None:
                term_views: Sequence[dict] = [listed_views[i] for i in term.articles]
            elif places.isdisjoint(term.articles):
                continue
            else:
                term_views = _Views(views, listed, term.articles)
                at = {k for k, i in enumerate(term.articles) if i in places}
            feeds = feed_links(term.url, config)
            info = {
                "name": term.name,
                "slug": term.slug,
                "url": term.url,
                "count": len(term.articles),
                "feed_url": feeds[0]["url"] if feeds else "",
                "feeds": feeds,
                "taxonomy": kind,
            }
            jobs.extend(
                _listing_pages(
                    term.url,
                    term_views,
                    config,
                    "term.html",
                    kind,
                    f"{kind} '{term.name}'{where}",
                    {
                        "title": t(f"{kind}_title", name=term.name),
                        "description": t("term_description", name=term.name),
                        "feed_url": info["feed_url"],
                        "feeds": feeds,
                    },
                    {"lang": lang, "dir": section.language.direction},
                    {"term": info, "own_pages": own_pages},
                    t,
                    recall,
                    maker,
                    at,
                )
            )
            if places is None:
                jobs.extend(_term_feeds(config, section, kind, term, views, where))

    jobs.extend(_archive_jobs(site, section, views, t, page_for("archive/"), where, places))
    if places is None:
        jobs.extend(_section_feeds(config, section, views, where))
    return jobs


class _Views(Sequence[dict]):
    """The listing views of `listed` (or of the articles at `at` in it), each made when a
    slice of them is taken: a listing planned for a few of its pages makes their views alone
    (`listings_showing`)."""

    def __init__(
        self, views: Mapping[str, dict], listed: Sequence[Article], at: Sequence[int] | None = None
    ) -> None:
        self.views, self.listed, self.at = views, listed, at

    def __len__(self) -> int:
        return len(self.listed if self.at is None else self.at)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        listed, views = self.listed, self.views
        places = range(len(self))[index]
        if self.at is not None:
            places = [self.at[i] for i in places] if isinstance(places, range) else self.at[places]
        if isinstance(places, int):
            return views[listed[places].rel]
        return [views[listed[i].rel] for i in places]


def _term_feeds(
    config: SiteConfig,
    section: Section,
    kind: str,
    term: Term,
    views: Mapping[str, dict],
    where: str,
) -> list[PageJob]:
    """The feeds of a tag's or category's articles."""
    return _feed_jobs(
        f"{config.title}: {term.name}",
        term.url,
        [section.listed[i] for i in term.articles],
        views,
        config,
        f"{kind} '{term.name}' feed{where}",
        section.lang,
    )


def _section_feeds(
    config: SiteConfig, section: Section, views: Mapping[str, dict], where: str
) -> list[PageJob]:
    """The feeds of a language's articles (the site's, for one language)."""
    return _feed_jobs(
        config.title,
        section.prefix,
        section.listed,
        views,
        config,
        f"site feed{where}",
        section.lang,
    )


def feed_jobs(
    site: Site, views: Mapping[str, dict], showing: Container[str] | None = None
) -> list[PageJob]:
    """The feeds of the site, as `plan_listings` makes them (each entry holds its article's
    body hash: a body edit reaches them), without the listing pages: every one, or with
    `showing` only those listing one of these articles (rels)."""
    jobs: list[PageJob] = []
    for section in site.sections or [_root_section(site)]:
        where = "" if section.prefix == "/" else f" ({section.lang})"
        # the places of the articles shown in the section's list: a term lists one of them
        # when they share a place (tested in C, not by a step for each listed article)
        shown = (
            None
            if showing is None
            else {i for i, a in enumerate(section.listed) if a.rel in showing}
        )
        for kind, terms in (("tag", section.tags), ("category", section.categories)):
            for term in terms:
                if shown is None or not shown.isdisjoint(term.articles):
                    jobs.extend(_term_feeds(site.config, section, kind, term, views, where))
        if shown is None or shown:
            jobs.extend(_section_feeds(site.config, section, views, where))
    return jobs


def _archive_jobs(
    site: Site,
    section: Section,
    views: Mapping[str, dict],
    t: Any,
    page: dict[str, Any],
    where: str,
    places: Set[int] | None = None,
) -> list[PageJob]:
    """The archive: every dated article by year and month (in the site's time zone), then the
    undated ones. Up to `archive_limit` dated articles it is one page; beyond, /archive/ lists
    the years and months with their counts and each month is a page of its own, so no page
    grows with the whole archive (a newspaper's thirty years would be a page of a million
    lines, and one edit would render it again). With `places` (indexes into
    `section.listed`), only the pages listing one of those articles."""
    config = site.config
    base = f"{section.prefix}archive/"
    listed = section.listed
    years: list[dict[str, Any]] = []
    at: list[list[int]] = []  # each month's articles, as places in `listed`
    for i, article in enumerate(listed):
        if not article.has_date:
            continue
        local = article.date.astimezone(config.tz)
        if not years or years[-1]["year"] != local.year:
            years.append({"year": local.year, "months": []})
        months = years[-1]["months"]
        if not months or months[-1]["month"] != local.month:
            months.append(
                {
                    "month": local.month,
                    "name": month_name(local.month, section.lang),
                    "label": month_label(local.year, local.month, section.lang),
                    "articles": [],
                }
            )
            at.append([])
        at[-1].append(i)
    undated = [i for i, a in enumerate(listed) if not a.has_date]
    dated = len(listed) - len(undated)
    by_month = dated > config.archive_limit
    title, description = t("archive"), t("archive_description", site=config.title)
    if not by_month:
        for month, month_at in zip((m for y in years for m in y["months"]), at, strict=True):
            month["articles"] = [views[listed[i].rel] for i in month_at]
        overview = {
            "page": {**page, "kind": "archive", "title": title, "description": description},
            "archive": years,
            "undated": [views[listed[i].rel] for i in undated],
            "by_month": False,
            "month_page": None,
        }
        return [PageJob(base, "archive.html", "archive", overview, f"archive{where}")]
    # the overview names each month with its count; the months' own pages hold their articles
    for y in years:
        for m in y["months"]:
            m["url"] = f"{base}{y['year']}/{m['month']:02d}/"
    jobs = []
    if places is None or not places.isdisjoint(undated):  # the undated ones' views, and counts
        counts = iter(at)  # the months in their order
        overview = {
            "page": {**page, "kind": "archive", "title": title, "description": description},
            "archive": [
                {
                    "year": y["year"],
                    "months": [
                        {**m, "count": len(next(counts)), "articles": []} for m in y["months"]
                    ],
                }
                for y in years
            ],
            "undated": [views[listed[i].rel] for i in undated],
            "by_month": True,
            "month_page": None,
        }
        jobs.append(PageJob(base, "archive.html", "archive", overview, f"archive{where}"))
    own = {"lang": section.lang, "dir": section.language.direction}
    months = [(y["year"], m) for y in years for m in y["months"]]  # newest first
    for i, (year, month) in enumerate(months):
        if places is not None and places.isdisjoint(at[i]):
            continue
        newer = months[i - 1][1] if i > 0 else None
        older = months[i + 1][1] if i + 1 < len(months) else None
        articles = [views[listed[k].rel] for k in at[i]]
        jobs.append(
            PageJob(
                month["url"],
                "archive.html",
                "archive",
                {
                    "page": {
                        **own,
                        "kind": "archive",
                        "title": t("archive_month_title", month=month["label"]),
                        "description": description,
                    },
                    # the month's articles at the top, where the engine hashes shared views
                    # by reference (engine/cache.py::PageFingerprints)
                    "articles": articles,
                    "archive": [],
                    "undated": [],
                    "by_month": False,
                    "month_page": {
                        "year": year,
                        "month": month["month"],
                        "label": month["label"],
                        "count": len(articles),
                        "archive_url": base,
                        "newer": {"label": newer["label"], "url": newer["url"]} if newer else None,
                        "older": {"label": older["label"], "url": older["url"]} if older else None,
                    },
                },
                f"archive {year}-{month['month']:02d}{where}",
            )
        )
    return jobs


def _listing_pages(
    base: str,
    items: Sequence[dict],
    config: SiteConfig,
    template: str,
    kind: str,
    label: str,
    page_info: dict,
    default_page: dict,
    extra: dict | None = None,
    t: Any = None,
    recall: Recall = _make,
    maker: type[ListingContext] | None = None,
    only: Set[int] | None = None,
) -> list[PageJob]:
    """The pages of one listing, `config.per_page` views each (numbered as `pagination`
    says: `page_chunks`); with a `maker`, each holds what makes its context instead of the
    context (`extra` must then hold `own_pages`). With `only` (places in `items`), just the
    pages showing one of those."""
    stable = config.pagination == "stable"
    chunks = page_chunks(len(items), config.per_page, stable)
    total = len(chunks)
    jobs = []
    for number, start, stop in chunks:
        if only is not None and not any(start <= i < stop for i in only):
            continue
        chunk = items[start:stop]
        url = _listing_url(base, number, total, stable)
        title = page_info["title"]
        if url != base:
            title = (
                t("page_suffix", title=title, number=number) if t else f"{title} (page {number})"
            )
        # the views by identity first: an unchanged article's is the same dict (`listing_views`)
        inputs = (
            tuple(chunk),
            base,
            number,
            total,
            kind,
            title,
            page_info,
            default_page,
            extra,
            stable,
        )
        source = f"{label} {number}" if url != base else label
        if maker is not None:
            jobs.append(PageJob(url, template, kind, None, source, maker=maker(inputs)))
            continue
        context = recall("listing", url, inputs, lambda inputs=inputs: _listing_context(*inputs))
        jobs.append(PageJob(url, template, kind, context, source, maker=ListingContext(inputs)))
    return jobs


def _listing_context(
    chunk: tuple[dict, ...],
    base: str,
    number: int,
    total: int,
    kind: str,
    title: str,
    page_info: dict,
    default_page: dict,
    extra: dict | None,
    stable: bool = False,
) -> dict[str, Any]:
    """One page of a listing, from these inputs alone (for a `Recall` and `ListingContext`)."""
    return {
        "page": _listing_page(kind, title, page_info, default_page),
        "articles": list(chunk),
        "paginator": _paginator(base, number, total, stable),
        **(extra or {}),
    }


def _listing_page(kind: str, title: str, page_info: dict, default_page: dict) -> dict[str, Any]:
    return {
        **default_page,
        "kind": kind,
        "title": title,
        "description": page_info.get("description", ""),
        "feed_url": page_info.get("feed_url", ""),
        "feeds": page_info.get("feeds", []),
    }


@dataclass(frozen=True, slots=True)
class ListingContext:
    """A listing page's context, made from `_listing_context`'s arguments where the page is
    rendered, and its fingerprint's inputs (`key`): those arguments, each view by its digest.
    The context is a function of them alone, so equal keys mean equal contexts."""

    inputs: tuple  # _listing_context's arguments

    def __call__(self) -> dict[str, Any]:
        return _listing_context(*self.inputs)

    def page(self) -> dict[str, Any]:
        """The context's `page`, without the rest."""
        _, _, _, _, kind, title, page_info, default_page, *_ = self.inputs
        return _listing_page(kind, title, page_info, default_page)

    def key(self, digests: Mapping[int, bytes]) -> tuple:
        """What the context is made from, marshal-able: each shared view (`digests`, by id) by
        its digest."""
        chunk, *rest = self.inputs
        return ("listing page", [digests.get(id(view), view) for view in chunk], *rest)


def _feed_jobs(
    title: str,
    home: str,
    articles: list[Article],
    views: Mapping[str, dict],
    config: SiteConfig,
    label: str,
    lang: str = "",
) -> list[PageJob]:
    """One page per format in `feeds`, and one per old address in `old_feeds` (see
    site/feeds.py)."""
    return [
        PageJob(url, template, "feed", context, f"{label} ({url.rsplit('/', 1)[-1]})", bodies)
        for url, template, context, bodies in feed_contexts(
            title, home, articles, views, config, lang
        )
    ]


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _plain(value: Any) -> Any:
    """Front matter values as plain data (dates become ISO text) for templates and hashing."""
    kind = type(value)
    if kind in _SCALARS:  # most values: checked first, by exact type (one set lookup)
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)):  # subclasses of the scalars
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def content_file(job: PageJob) -> str | None:
    """The content file an article's page or alias page comes from, for messages to name;
    None for a page sitegen makes of its own."""
    if job.kind == "article":
        return job.source
    if job.kind == "alias":
        return job.source.split(" (alias ")[0]
    return None


def _same_page_in_other_case(alias: PageJob, other: PageJob) -> bool:
    """Whether `alias` leads to the article at `other` (or to the same article as the alias
    `other`) from an address that differs from it only in letter case (an old address
    `/blog/XKCD-plots/` for a page now at `/blog/xkcd-plots/`)."""
    if alias.kind != "alias" or alias.path == other.path:
        return False
    target = alias.context["target"]
    return other.url == target if other.kind == "article" else other.context.get("target") == target


def _reject_collisions(
    jobs: list[PageJob], diag: Diagnostics, pages: Sequence[Article] = ()
) -> list[PageJob]:
    """`jobs` without the second of two on one output path, which is an error naming both
    sources and the front matter line (`slug`, `url`, `aliases`) that put a page there."""
    seen: dict[str, PageJob] = {}
    kept = []
    by_source: dict[str, Article] | None = None  # made at the first collision: most have none
    for job in jobs:
        key = job.path.casefold()  # case-insensitive file systems would merge these too
        if key in seen:
            other = seen[key]
            if _same_page_in_other_case(job, other):
                diag.warn(
                    f"alias {job.url} differs from {other.url}, an address of the same "
                    "article, only in letter case: not written (on a case-insensitive host "
                    "it would overwrite that page)",
                    content_file(job),
                    hint="a host that tells letter case apart no longer redirects it; "
                    "remove the alias, or give the article that address (slug: or url:)",
                )
                continue
            if by_source is None:
                by_source = {a.source: a for a in pages}
            causes = [(j, placing_key(j, by_source)) for j in (job, other)]
            at = next(((content_file(j), c[1]) for j, c in causes if c), None)
            named = {
                id(j): j.source + (f" ('{c[0]}' at line {c[1]})" if c else "") for j, c in causes
            }
            hint = "give one of them a different slug (slug: in its front matter) or alias"
            if job.source != other.source and _looks_same(job.source, other.source):
                hint = (
                    "their names differ only in how accents are written (composed, as Linux "
                    "and Windows do, or decomposed, as macOS does): remove or rename one"
                )
            diag.error(
                SiteError(
                    f"two pages would be written to /{job.path}: {named[id(other)]} and "
                    f"{named[id(job)]}",
                    at[0] if at else content_file(job) or content_file(other),
                    at[1] if at else None,
                    hint=hint,
                )
            )
            continue
        seen[key] = job
        kept.append(job)
    return kept


def _looks_same(a: str, b: str) -> bool:
    """Two names shown alike: the same letters, in another Unicode form (`café` written with
    `é`, or with `e` and a combining accent)."""
    return unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)


def placing_key(job: PageJob, by_source: Mapping[str, Article]) -> tuple[str, int] | None:
    """(key as written, line) of the front matter key that gave `job` its address: an alias
    page's `aliases`, an article page's `url` or else its `slug`; None for an address made
    from the file name or by sitegen."""
    article = by_source.get(content_file(job) or "")
    if article is None:
        return None
    if job.kind == "alias":
        return article.key_line("aliases")
    if job.kind == "article":
        return article.key_line("url") if article.url else article.key_line("slug")
    return None
