"""plan.py: which pages exist, at which URLs, with what data. Pure: no files are written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.errors import Diagnostics
from sitegen.site.model import BuildOptions, build_site
from sitegen.site.plan import _paginator, page_chunks, page_numbers, plan_pages, sitemap_jobs

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def make_article(i: int, **changes) -> Article:
    date = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=i * 10)
    values = dict(
        source=f"content/a{i}.md",
        rel=f"a{i}.md",
        title=f"Article {i}",
        slug=f"a{i}",
        date=date,
        updated=None,
        summary=f"Summary {i}",
        tags=(),
        categories=(),
        author="",
        authors=(),
        draft=False,
        aliases=(),
        lang="en",
        translation_key=f"a{i}",
        body_utf8=b"Body",
        body_line=4,
        content_hash=f"h{i}",
        meta={},
    )
    values.update(changes)
    return Article(**values)


def plan(articles: list[Article], **settings):
    config = dataclasses.replace(SiteConfig(root=Path("/nonexistent")), **settings)
    diag = Diagnostics()
    site = build_site(articles, config, BuildOptions(now=NOW), diag)
    jobs = plan_pages(site, diag)
    return jobs, diag


def urls(jobs, kind: str) -> list[str]:
    return [j.url for j in jobs if j.kind == kind]


@pytest.mark.parametrize(
    ("count", "pages", "last_page_size"),
    [
        (0, 1, 0),
        (1, 1, 1),
        (3, 1, 3),
        (4, 2, 1),
        (7, 3, 1),
        (9, 3, 3),
    ],
)
def test_index_pagination_arithmetic(count, pages, last_page_size):
    """per_page 3: 0, 1, per_page, per_page + 1 ... articles."""
    jobs, _ = plan([make_article(i) for i in range(count)], per_page=3)
    index = [j for j in jobs if j.kind == "index"]
    assert [j.url for j in index] == ["/"] + [f"/page/{n}/" for n in range(2, pages + 1)]
    assert len(index[-1].context["articles"]) == last_page_size
    assert sum(len(j.context["articles"]) for j in index) == count
    for n, job in enumerate(index, 1):
        p = job.context["paginator"]
        assert (p["number"], p["total"]) == (n, pages)
        assert p["prev_url"] == ("" if n == 1 else "/" if n == 2 else f"/page/{n - 1}/")
        assert p["next_url"] == ("" if n == pages else f"/page/{n + 1}/")
        assert [x["url"] for x in p["pages"] if not x["gap"]][0] == "/"


@pytest.mark.parametrize("per_page", [1, 2, 3, 10])
@pytest.mark.parametrize("stable", [False, True])
def test_page_chunks_show_every_item_once_in_order(per_page: int, stable: bool):
    for count in range(0, 45):
        chunks = page_chunks(count, per_page, stable)
        assert [i for _, start, stop in chunks for i in range(start, stop)] == list(range(count))
        numbers = [n for n, _, _ in chunks]
        assert sorted(numbers) == list(range(1, len(chunks) + 1))
        if stable:  # the first page numbered last; every numbered page full
            assert numbers == list(range(len(chunks), 0, -1))
            front = chunks[0][2]
            assert front == count if count < 2 * per_page else per_page <= front < 2 * per_page
            assert all(stop - start == per_page for _, start, stop in chunks[1:])
        else:
            assert numbers == list(range(1, len(chunks) + 1))


@pytest.mark.parametrize("per_page", [1, 3, 10])
def test_stable_pages_keep_their_items_when_newer_ones_come(per_page: int):
    """Items counted from the oldest: a numbered page shows the same ones at any later count."""
    for count in range(0, 40):
        for later in range(count, count + 2 * per_page + 1):
            before = {
                n: (count - start, count - stop)
                for n, start, stop in page_chunks(count, per_page, True)[1:]
            }
            after = {
                n: (later - start, later - stop)
                for n, start, stop in page_chunks(later, per_page, True)[1:]
            }
            assert all(after[n] == span for n, span in before.items())


def test_stable_index_pages_are_numbered_from_the_oldest():
    """per_page 3, 11 articles: the first page shows the newest five, page 1 the oldest three."""
    jobs, _ = plan([make_article(i) for i in range(11)], per_page=3, pagination="stable")
    index = {j.url: j.context for j in jobs if j.kind == "index"}
    assert list(index) == ["/", "/page/2/", "/page/1/"]
    titles = {url: [a["title"] for a in c["articles"]] for url, c in index.items()}
    assert titles["/"] == [f"Article {i}" for i in (10, 9, 8, 7, 6)]
    assert titles["/page/2/"] == ["Article 5", "Article 4", "Article 3"]
    assert titles["/page/1/"] == ["Article 2", "Article 1", "Article 0"]
    front, two, one = (
        index["/"]["paginator"],
        index["/page/2/"]["paginator"],
        index["/page/1/"]["paginator"],
    )
    assert (front["front"], front["number"], front["total"], front["stable"]) == (True, 3, 3, True)
    assert (front["prev_url"], front["next_url"]) == ("", "/page/2/")
    assert (two["prev_url"], two["next_url"]) == ("/", "/page/1/")
    assert (one["prev_url"], one["next_url"], one["last_url"]) == ("/page/2/", "", "/page/1/")
    assert [p["number"] for p in two["pages"]] == [2, 1] and not two["front"]
    assert index["/page/2/"]["page"]["title"].endswith("(page 2)")


@pytest.mark.parametrize(
    ("number", "total", "shown"),
    [
        (1, 1, []),
        (2, 2, [1]),
        (6, 6, [5, 4, 0, 1]),
        (10, 20, [12, 11, 10, 9, 8, 0, 1]),
        (4, 20, [6, 5, 4, 3, 2, 1]),  # a one-page gap shows the page instead
        (19, 20, [19, 18, 17, 0, 1]),
    ],
)
def test_the_stable_pager_shows_neighbours_and_the_oldest(number, total, shown):
    """Never the highest number: a page far from the newest shows the same pager for good."""
    pages = _paginator("/", number, total, stable=True)["pages"]
    assert [p["number"] for p in pages] == shown
    if number + 3 < total:
        assert _paginator("/", number, total + 7, stable=True)["pages"] == pages


def test_index_is_newest_first_and_leaves_out_drafts_and_future():
    articles = [make_article(i) for i in range(4)]
    articles.append(make_article(9, draft=True))
    articles.append(make_article(10, date=NOW + dt.timedelta(days=1)))
    jobs, _ = plan(articles)
    titles = [a["title"] for a in jobs[[j.kind for j in jobs].index("index")].context["articles"]]
    assert titles == ["Article 3", "Article 2", "Article 1", "Article 0"]
    assert "/a9/" not in urls(jobs, "article") and "/a10/" not in urls(jobs, "article")


@pytest.mark.parametrize(
    ("number", "total", "shown"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, 4, 5]),
        (1, 20, [1, 2, 3, 0, 20]),
        (10, 20, [1, 0, 8, 9, 10, 11, 12, 0, 20]),
        (4, 20, [1, 2, 3, 4, 5, 6, 0, 20]),  # a one-page gap shows the page instead
        (20, 20, [1, 0, 18, 19, 20]),
    ],
)
def test_page_numbers_window(number, total, shown):
    assert page_numbers(number, total) == shown


def test_article_neighbours_and_views():
    jobs, _ = plan(
        [make_article(i, tags=("News",), updated=NOW - dt.timedelta(days=1)) for i in range(3)]
    )
    by_url = {j.url: j for j in jobs}
    middle = by_url["/a1/"].context
    assert middle["prev"]["url"] == "/a0/" and middle["next"]["url"] == "/a2/"
    assert by_url["/a2/"].context["next"] is None and by_url["/a0/"].context["prev"] is None
    article = middle["article"]
    assert article["tags"] == [{"name": "News", "url": "/tags/news/"}]
    assert article["date"].startswith("2024-01-11T12:00:00")
    assert article["updated_display"] == "December 31, 2029"
    assert by_url["/a1/"].bodies == ("a1.md",)


def test_permalink_pattern():
    jobs, _ = plan([make_article(1)], permalink="/{year}/{month}/{slug}/")
    assert urls(jobs, "article") == ["/2024/01/a1/"]


@pytest.mark.parametrize(
    ("permalink", "changes", "url"),
    [
        ("/{slug}/", {}, "/a1/"),
        ("/{slug}/", {"lang": "fr"}, "/fr/a1/"),
        ("/{lang}/{slug}/", {"lang": "fr"}, "/fr/a1/"),
        ("/{slug}/", {"url": "/own/place/"}, "/own/place/"),
        # the date in the site's zone: 23:30 UTC on the 31st is the 1st in Tokyo
        ("/{year}/{month}/{day}/{slug}/", {}, "/2024/02/01/a1/"),
        ("/{section}/{slug}", {"rel": "news/a1.md"}, "/news/a1/"),
        ("/{section}/{slug}/", {}, "/a1/"),  # no section: no empty part
        ("/{slug}/", {"slug": "x/y"}, "/x/y/"),
    ],
)
def test_article_addresses(permalink, changes, url):
    from sitegen.content.address import article_url

    config = SiteConfig(permalink=permalink, timezone="Asia/Tokyo")
    date = dt.datetime(2024, 1, 31, 23, 30, tzinfo=dt.UTC)
    assert article_url(make_article(1, date=date, **changes), config) == url


def test_tags_pages_paginate_and_feeds_cap():
    articles = [make_article(i, tags=("Wide", "Café" if i % 2 else "Other")) for i in range(7)]
    jobs, _ = plan(articles, per_page=3, feed_limit=2)
    overview = next(j for j in jobs if j.url == "/tags/")
    assert [(t["name"], t["count"]) for t in overview.context["terms"]] == [
        ("Café", 3),
        ("Other", 4),
        ("Wide", 7),
    ]
    assert urls(jobs, "tag") == [
        "/tags/cafe/",
        "/tags/other/",
        "/tags/other/page/2/",
        "/tags/wide/",
        "/tags/wide/page/2/",
        "/tags/wide/page/3/",
    ]
    feeds = {j.url: j for j in jobs if j.kind == "feed"}
    assert set(feeds) == {  # Atom and RSS by default
        f"{base}{name}"
        for base in ("/", "/tags/cafe/", "/tags/other/", "/tags/wide/")
        for name in ("feed.xml", "rss.xml")
    }
    assert len(feeds["/feed.xml"].context["feed"]["entries"]) == 2
    assert [e["title"] for e in feeds["/tags/cafe/feed.xml"].context["feed"]["entries"]] == [
        "Article 5",
        "Article 3",
    ]


def test_archive_groups_by_year_and_month_newest_first():
    dates = [
        dt.datetime(2023, 12, 5, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 20, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    ]
    jobs, _ = plan([make_article(i, date=d) for i, d in enumerate(dates)])
    archive = next(j for j in jobs if j.kind == "archive").context["archive"]
    assert [
        (y["year"], [(m["name"], len(m["articles"])) for m in y["months"]]) for y in archive
    ] == [(2024, [("March", 1), ("February", 2)]), (2023, [("December", 1)])]


def test_aliases_become_redirect_pages():
    jobs, diag = plan([make_article(1, aliases=("/old/path/", "legacy.html"))])
    aliases = {j.url: j.context["target"] for j in jobs if j.kind == "alias"}
    assert aliases == {"/old/path/": "/a1/", "/legacy.html": "/a1/"}
    assert not diag.errors


def test_two_pages_on_one_path_is_an_error_naming_both():
    jobs, diag = plan([make_article(1), make_article(2, aliases=("/a1/",))])
    assert len(diag.errors) == 1
    message = str(diag.errors[0])
    assert "a1/index.html" in message and "content/a1.md" in message and "content/a2.md" in message


def test_sitemap_lists_every_page_but_redirects_404_and_noindex():
    jobs, _ = plan(
        [make_article(i, tags=("T",), aliases=(f"/old{i}/",)) for i in range(5)], per_page=2
    )
    sitemap = next(j for j in jobs if j.kind == "sitemap").context["urls"]
    listed = {u["loc"] for u in sitemap}
    pages = {
        j.url
        for j in jobs
        if j.path.endswith(".html")
        and j.kind not in ("alias", "404")
        and not j.context["page"].get("noindex")
    }
    assert listed == pages
    assert "/a3/" in listed and "/old3/" not in listed and "/404.html" not in listed
    assert next(u for u in sitemap if u["loc"] == "/a3/")["lastmod"] == "2024-01-31"


def test_every_context_is_plain_data():
    """Incremental builds hash marshal(context): it must hold only plain values."""
    articles = [
        make_article(i, tags=("A", "B"), meta={"when": dt.date(2024, 1, 1), "n": [1]}, updated=NOW)
        for i in range(12)
    ]
    jobs, _ = plan(articles, per_page=5)
    for job in jobs:
        marshal.dumps(job.context)


def test_archive_is_one_page_up_to_the_limit():
    jobs, _ = plan([make_article(i) for i in range(6)], archive_limit=6)
    (archive,) = [j for j in jobs if j.kind == "archive"]
    assert archive.url == "/archive/" and not archive.context["by_month"]
    listed = [
        a["url"] for y in archive.context["archive"] for m in y["months"] for a in m["articles"]
    ]
    assert sorted(listed) == sorted(f"/a{i}/" for i in range(6))


def test_archive_beyond_the_limit_is_a_page_per_month():
    """Every ten days from 2024-01-01: 4 in January, 2 in February, 2 in March."""
    undated = make_article(99, has_date=False, date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    jobs, _ = plan([make_article(i) for i in range(8)] + [undated], archive_limit=5)
    overview, *months = [j for j in jobs if j.kind == "archive"]
    assert overview.url == "/archive/" and overview.context["by_month"]
    shown = overview.context["archive"][0]["months"]
    assert [(m["label"], m["count"], m["url"], m["articles"]) for m in shown] == [
        ("March 2024", 2, "/archive/2024/03/", []),
        ("February 2024", 2, "/archive/2024/02/", []),
        ("January 2024", 4, "/archive/2024/01/", []),
    ]
    assert [a["url"] for a in overview.context["undated"]] == ["/a99/"]
    assert [j.url for j in months] == [
        "/archive/2024/03/",
        "/archive/2024/02/",
        "/archive/2024/01/",
    ]
    feb = months[1].context
    assert feb["page"]["title"] == "Archive: February 2024"
    assert [a["url"] for a in feb["articles"]] == ["/a5/", "/a4/"]
    assert feb["month_page"]["newer"]["url"] == "/archive/2024/03/"
    assert feb["month_page"]["older"]["url"] == "/archive/2024/01/"
    assert months[0].context["month_page"]["newer"] is None
    assert months[2].context["month_page"]["older"] is None
    sitemap = next(j for j in jobs if j.kind == "sitemap").context["urls"]
    assert {"/archive/", "/archive/2024/01/"} <= {u["loc"] for u in sitemap}


def test_sitemap_beyond_the_limit_is_an_index_of_parts():
    urls = [(f"/p{i}/", f"2024-01-{i + 1:02d}", ()) for i in range(7)]
    assert [j.url for j in sitemap_jobs(urls, 7)] == ["/sitemap.xml"]
    jobs = sitemap_jobs(urls, 3)
    lazy = sitemap_jobs(urls, 3, lazy=True)
    assert [j.context for j in lazy] == [j.context for j in jobs]
    assert [j.given is None for j in lazy] == [True, True, True, False]
    assert jobs[0].context["urls"][0] == {"loc": "/p0/", "lastmod": "2024-01-01", "alternates": []}
    assert [(j.url, j.template) for j in jobs] == [
        ("/sitemap1.xml", "sitemap.xml"),
        ("/sitemap2.xml", "sitemap.xml"),
        ("/sitemap3.xml", "sitemap.xml"),
        ("/sitemap.xml", "sitemap_index.xml"),
    ]
    assert [len(j.context["urls"]) for j in jobs[:3]] == [3, 3, 1]
    assert jobs[3].context["sitemaps"] == [
        {"loc": "/sitemap1.xml", "lastmod": "2024-01-03"},
        {"loc": "/sitemap2.xml", "lastmod": "2024-01-06"},
        {"loc": "/sitemap3.xml", "lastmod": "2024-01-07"},
    ]


def test_pages_of_their_own_are_in_every_html_footer_up_to_a_limit(monkeypatch) -> None:
    """Pages of their own are linked from every HTML page of their language (by title) and
    from no feed or redirect; a language with more than `OWN_PAGES_SHOWN` links to none."""
    from sitegen.site import plan as site_plan

    own = [
        make_article(10, rel="contact.md", slug="contact", title="Contact", listed=False),
        make_article(11, rel="about.md", slug="about", title="About", listed=False),
    ]
    jobs, diag = plan([make_article(1, aliases=("/old/",)), make_article(2), *own])
    assert not diag.errors
    html = [j for j in jobs if j.template.endswith(".html") and j.kind != "alias"]
    assert {j.kind for j in html} >= {"article", "index", "archive", "404", "search"}
    for job in html:
        assert [p["title"] for p in job.context["own_pages"]] == ["About", "Contact"], job.url
    assert all("own_pages" not in j.context for j in jobs if j not in html)
    own[1] = dataclasses.replace(own[1], meta={"Weight": 5})
    own[0] = dataclasses.replace(own[0], meta={"weight": 2})  # Hugo's: lighter first
    jobs, _ = plan([make_article(1), *own])
    assert [p["title"] for p in jobs[0].context["own_pages"]] == ["Contact", "About"]
    monkeypatch.setattr(site_plan, "OWN_PAGES_SHOWN", 1)
    jobs, _ = plan([make_article(1), *own])
    assert all(j.context.get("own_pages", []) == [] for j in jobs)


def _other(name: str, value):
    """A value of the field `name` of `Article` other than `value`, of the same kind."""
    if name in ("updated", "publish_date", "expiry_date"):
        return NOW if value is None else value + dt.timedelta(days=1)
    if name == "bundle":
        return "b/" if value is None else value + "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, bytes):
        return value + b"x"
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(days=1)
    if isinstance(value, dict):
        return {**value, "other": "x"}
    if isinstance(value, tuple):
        return (*value, value[0]) if value else ("x",)
    raise AssertionError(f"no other value for {name}: {value!r}")


def test_an_article_page_made_where_it_is_rendered_is_fingerprinted_by_all_it_shows():
    """`sitegen build` fingerprints an article's page from what its context is made of
    (`ArticleContext.key`), not from the context: whichever field of `Article` is changed,
    a changed context means a changed key. Checked for every field, so a field the page
    starts to show cannot be left out of the key."""
    from sitegen.content.article import ARTICLE_FIELDS
    from sitegen.site.plan import ArticleContext

    base = make_article(
        1,
        tags=("A",),
        authors=("Ann",),
        meta={"when": dt.date(2024, 1, 1), "title": "Article 1"},
        resources=("pic.png",),
        images=(),
        links=("a2.md",),
    )
    listing, prev, related = {"title": "L", "image": "", "date": "d", "updated": ""}, {}, {}
    digests = {id(listing): b"listing", id(prev): b"prev", id(related): b"related"}
    own = [{"title": "About", "url": "/about/"}]

    def made(article, references="", image=""):
        inputs = (article, listing, [], [], prev, None, [related], own)
        maker = ArticleContext(inputs, references, image)
        return marshal.dumps(maker(), 2), marshal.dumps(maker.key(digests), 2)

    context, key = made(base)
    shown = []
    for name in ARTICLE_FIELDS:
        change = {name: _other(name, getattr(base, name))}
        if name == "meta":  # the front matter is read from the bytes `content_hash` names
            change["content_hash"] = _other("content_hash", base.content_hash)
        changed = dataclasses.replace(base, **change)
        other_context, other_key = made(changed)
        if other_context != context:
            shown.append(name)
            assert other_key != key, f"{name} changes the page but not its fingerprint"
    assert {"title", "summary", "meta", "content_hash", "lang", "words"} <= set(shown)
    for extra in ({"references": "r"}, {"image": "/pic.png"}):
        other_context, other_key = made(base, **extra)
        assert other_context != context and other_key != key


def test_article_pages_made_where_they_are_rendered_are_the_pages_planned_whole():
    """The lazy article and listing pages of `sitegen build` have the contexts, and the
    sitemap the dates, of the pages the preview plans whole."""
    articles = [
        make_article(i, tags=("A", "B"), meta={"when": dt.date(2024, 1, 1)}, updated=NOW)
        for i in range(12)
    ]
    config = SiteConfig(root=Path("/nonexistent"))
    diag = Diagnostics()
    site = build_site(articles, config, BuildOptions(now=NOW), diag)
    eager = plan_pages(site, diag)
    lazy = plan_pages(site, diag, lazy=True)
    assert [j.path for j in eager] == [j.path for j in lazy]
    made = [j for j in lazy if j.given is None]
    kinds = [j.kind for j in made]
    # 12 articles, 2 index pages (10 a page), 2 pages for each of the two tags, the sitemap
    assert kinds.count("article") == 12 and kinds.count("index") == 2 and kinds.count("tag") == 4
    assert kinds.count("sitemap") == 1 and len(made) == 19
    for a, b in zip(eager, lazy, strict=True):
        assert a.context == b.context and a.page == b.page
        assert b.resolved().given == a.context


def test_article_pages_whose_inputs_wait_are_the_pages_planned_whole():
    """The article pages a command-line build leaves to keep their fingerprint gather their
    inputs only when asked (`DeferredArticleContext`): the same contexts, sitemap dates and
    fingerprint inputs as the pages made at once, with and without references."""
    import dataclasses

    from sitegen.site.plan import DeferredArticleContext

    articles = [make_article(i, tags=("A",), updated=NOW) for i in range(6)]
    diag = Diagnostics()
    site = build_site(articles, SiteConfig(root=Path("/nonexistent")), BuildOptions(now=NOW), diag)
    related = {a.rel: [b.rel for b in articles if b is not a][:2] for a in articles}
    made = plan_pages(site, diag, related=related, lazy=True)
    waiting = plan_pages(site, diag, related=related, lazy=True, settled={"a1.md", "a4.md"})
    deferred = [j for j in waiting if isinstance(j.maker, DeferredArticleContext)]
    assert sorted(j.bodies[0] for j in deferred) == ["a1.md", "a4.md"]
    assert [j.path for j in made] == [j.path for j in waiting]
    digests: dict[int, bytes] = {}
    for a, b in zip(made, waiting, strict=True):
        assert a.context == b.context and a.page == b.page
        if b in deferred:
            assert a.maker.key(digests) == b.maker.key(digests)
            extra = {"references": "r", "image": "/pic.png"}
            a2, b2 = dataclasses.replace(a.maker, **extra), dataclasses.replace(b.maker, **extra)
            assert a2() == b2() and a2.page() == b2.page()
            assert a2.key(digests) == b2.key(digests)


def test_a_listing_page_made_where_it_is_rendered_is_fingerprinted_by_all_it_shows():
    """`sitegen build` fingerprints a listing page from what its context is made of
    (`ListingContext.key`): changing any one of those inputs, or a view the page shows (by
    its digest), changes the key whenever it changes the context."""
    from sitegen.site.plan import ListingContext

    views = ({"title": "A", "url": "/a/"}, {"title": "B", "url": "/b/"})
    digests = {id(v): f"view{i}".encode() for i, v in enumerate(views)}
    base = (
        views,
        "/tags/x/",
        2,
        3,
        "tag",
        "Tag x (page 2)",
        {"title": "Tag x", "description": "d", "feed_url": "/f.xml", "feeds": []},
        {"lang": "en", "dir": "ltr"},
        {"term": {"name": "x"}, "own_pages": [{"title": "About", "url": "/about/"}]},
    )
    others = (
        (views[1], views[0]),
        "/tags/y/",
        1,
        4,
        "category",
        "Other",
        {**base[6], "description": "e"},
        {**base[7], "lang": "fr"},
        {**base[8], "own_pages": []},
    )

    def made(inputs, digests=digests):
        maker = ListingContext(inputs)
        return marshal.dumps(maker(), 2), marshal.dumps(maker.key(digests), 2), maker

    context, key, maker = made(base)
    assert maker.page() == maker()["page"]
    for i, other in enumerate(others):
        inputs = (*base[:i], other, *base[i + 1 :])
        other_context, other_key, _ = made(inputs)
        assert other_context != context and other_key != key, f"input {i}"
    # a view changed in place would be a new dict with a new digest: the key follows it
    _, other_key, _ = made(base, {**digests, id(views[0]): b"changed"})
    assert other_key != key


def test_a_tag_in_either_unicode_composition_is_one_tag_linked_from_both():
    """`Café` with a precomposed é and `cafe` + U+0301 (macOS, some keyboards) look the same:
    one tag page, which both articles list and link to."""
    composed, decomposed = "Caf\u00e9", "cafe\u0301"
    tags = [(composed,), (decomposed,), ("CAFÉ",)]
    jobs, _ = plan([make_article(i, tags=names) for i, names in enumerate(tags)])
    assert urls(jobs, "tag") == ["/tags/cafe/"]
    [tag_page] = [j for j in jobs if j.url == "/tags/cafe/"]
    assert len(tag_page.context["articles"]) == 3
    for job in jobs:
        if job.kind == "article":
            assert [t["url"] for t in job.context["article"]["tags"]] == ["/tags/cafe/"]


def test_views_made_on_first_use_and_the_feeds_alone_equal_the_whole_plans() -> None:
    """A partial plan (plan.py `plan_edited`) makes listing views as its pages ask for them
    and every feed without the listing pages: the same dicts and jobs as a whole plan."""
    from sitegen.site.plan import LazyViews, feed_jobs, listing_views, plan_listings

    articles = [make_article(i, tags=(f"t{i % 3}",), categories=("c",)) for i in range(9)]
    config = dataclasses.replace(SiteConfig(root=Path("/nonexistent")), per_page=3)
    site = build_site(articles, config, BuildOptions(now=NOW), Diagnostics())
    lazy = LazyViews(site)
    assert lazy["a4.md"] == listing_views(site)["a4.md"]
    assert list(lazy.made) == ["a4.md"]
    assert dict(lazy) == listing_views(site)
    whole = [job for job in plan_listings(site).pages if job.kind == "feed"]
    alone = feed_jobs(site, LazyViews(site))
    assert len(alone) == len(whole) > 2
    assert sorted((j.path, marshal.dumps(j.context, 2)) for j in alone) == sorted(
        (j.path, marshal.dumps(j.context, 2)) for j in whole
    )
    with pytest.raises(KeyError):
        lazy["nowhere.md"]
    # only the feeds listing an article: its tag's and category's, and the site's
    showing = feed_jobs(site, LazyViews(site), {"a4.md"})
    assert {j.url.rsplit("/", 1)[0] for j in showing} == {"", "/tags/t1", "/categories/c"}
    assert all(any(j.path == w.path for w in whole) for j in showing)


def test_the_articles_left_out_of_the_site() -> None:
    """The rels of the articles that are not pages (a draft, one dated in the future, an
    expired one), and none when every article is a page (found without a set of each)."""
    from sitegen.pipeline.steps import _left_out

    config = SiteConfig(root=Path("/nonexistent"))
    shown = [make_article(i) for i in range(4)]
    hidden = [
        make_article(10, draft=True),
        make_article(11, date=NOW + dt.timedelta(days=3)),
        make_article(12, expiry_date=NOW - dt.timedelta(days=1)),
    ]
    site = build_site(shown + hidden, config, BuildOptions(now=NOW), Diagnostics())
    assert _left_out(shown + hidden, site) == frozenset({"a10.md", "a11.md", "a12.md"})
    site = build_site(shown, config, BuildOptions(now=NOW), Diagnostics())
    assert _left_out(shown, site) == frozenset()
