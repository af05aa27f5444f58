"""engine/record.py: the record kept between command-line builds, and which pages keep the
last build's fingerprints."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from sitegen.engine.patch import PlanBasis
from sitegen.engine.record import (
    BuildRecord,
    Changes,
    KeptPages,
    load_record,
    save_record,
    shared_digest,
)
from sitegen.site.plan import ListingContext, PageJob


def test_a_record_comes_back_as_it_was_kept(tmp_path: Path) -> None:
    keys = {"a.md": (1, 2, 3), "b/c.md": (4, 5, 6)}
    record = BuildRecord("m1", "shared", "related", keys, ("a/index.html",), frozenset({"d.md"}))
    save_record(tmp_path, "key", record)
    assert load_record(tmp_path, "key") == record
    assert load_record(tmp_path, "other key") is None  # other code or settings
    (tmp_path / "build-record.marshal").write_bytes(b"garbage")
    assert load_record(tmp_path, "key") is None
    assert load_record(None, "key") is None


class _Site:
    urls = {"a.md": "/a/", "b.md": "/b/", "c.md": "/c/"}


def _kept(edited: set[str], viewed: dict[str, str], redo: set[str] | None) -> KeptPages:
    kept = KeptPages(_Site(), Changes(frozenset(edited), viewed, frozenset()))  # type: ignore[arg-type]
    kept.redo = frozenset(redo) if redo is not None else None
    return kept


def _view(url: str) -> dict:
    return {"url": url, "title": url}


def _listing(views: list[dict], bodies: tuple[str, ...] = ()) -> PageJob:
    inputs = (tuple(views), "/", 1, 1, "index", "t", {}, {}, {"own_pages": []})
    return PageJob("/", "index.html", "index", None, "index", bodies, ListingContext(inputs))


def test_article_pages_are_kept_once_the_pages_to_redo_are_known() -> None:
    job = PageJob("/a/", "article.html", "article", {}, "a.md", ("a.md",))
    other = PageJob("/c/", "article.html", "article", {}, "c.md", ("c.md",))
    assert not _kept({"a.md"}, {}, None)(other)  # the related lists are not in yet
    kept = _kept({"a.md"}, {}, {"a.md"})
    assert not kept(job) and kept(other)


def test_a_listing_is_kept_unless_it_shows_a_changed_view_or_an_edited_body() -> None:
    kept = _kept({"b.md"}, {"b.md": "/b/"}, set())
    assert not kept(_listing([_view("/a/"), _view("/b/")]))
    assert kept(_listing([_view("/a/"), _view("/c/")]))
    assert not kept(_listing([_view("/a/")], bodies=("b.md",)))  # shows its body whole
    body_only = _kept({"b.md"}, {}, set())  # its view did not change
    assert body_only(_listing([_view("/a/"), _view("/b/")]))


def test_a_feed_is_kept_unless_an_entry_is_an_edited_article() -> None:
    def feed(urls: list[str]) -> PageJob:
        context = {"feed": {"entries": [{"url": u, "id": u} for u in urls]}}
        return PageJob("/feed.xml", "feed.xml", "feed", context, "feed")

    kept = _kept({"b.md"}, {}, set())  # a body edit: the entry holds the body's hash
    assert not kept(feed(["/a/", "/b/"])) and kept(feed(["/a/", "/c/"]))


def test_other_pages_are_kept_unless_a_changed_view_is_anywhere_in_them() -> None:
    kept = _kept({"b.md"}, {"b.md": "/b/"}, set())
    archive = {"archive": [{"year": 2024, "months": [{"articles": [_view("/b/")]}]}]}
    assert not kept(PageJob("/archive/", "archive.html", "archive", archive, "archive"))
    assert kept(PageJob("/404.html", "404.html", "404", {"page": {"title": "x"}}, "404"))
    # what shows a title as text (redirect pages), and sitemaps, are always looked at again
    alias = {"page": {"title": "B"}, "target": "/b/"}
    assert not kept(PageJob("/old/", "alias.html", "alias", alias, "b.md (alias)"))


def _digest(search: list[str], **article: object) -> str:
    fields = {"rel": "a.md", "images": (), "links": (), "image": "", **article}
    site = SimpleNamespace(
        pages=[SimpleNamespace(**fields)],
        urls={"a.md": "/a/"},
        listed=[],
        tags=[],
        categories=[],
        sections=[],
    )
    basis = PlanBasis("output", (), {}, frozenset(), {})
    return shared_digest(basis, (False, False), site, search)  # type: ignore[arg-type]


def test_the_search_shards_named_by_no_article_are_not_in_the_shared_digest() -> None:
    """Shards are named by their first terms; a new word may start one. Only the ones an
    article's picture, image or content link could point at are inputs of its pages."""
    before = ["search/manifest.js", "search/s/00aa.js", "search/s/11bb.js"]
    after = ["search/manifest.js", "search/s/00aa.js", "search/s/22cc.js"]
    assert _digest(before) == _digest(after)
    named = SimpleNamespace(src="../search/s/11bb.js?x#y")
    assert _digest(before, images=(named,)) != _digest(after, images=(named,))
    assert _digest(before, image="/search/s/11bb.js") != _digest(after, image="/search/s/11bb.js")


def test_a_plan_may_stand_for_the_next_unless_a_listing_shows_bodies_or_a_page_is_in_search() -> (
    None
):
    from sitegen.engine.record import reusable

    def job(url: str, kind: str, bodies: tuple[str, ...] = ()) -> PageJob:
        return PageJob(url, "x.html", kind, {}, "test", bodies)

    pages = [job("/a/", "article", ("a.md",)), job("/index.xml", "feed", ("a.md",))]
    assert reusable(pages + [job("/search/", "search"), job("/fr/search/", "search")], True)
    assert not reusable(pages, False)  # the plan reported something
    assert not reusable(pages + [job("/", "index", ("a.md",))], True)  # whole articles listed
    assert not reusable(pages + [job("/search/found/", "article", ("f.md",))], True)


def _added_site() -> SimpleNamespace:
    """Four listed articles, d.md newest and added since; tags: t1 on b and d, t2 on a."""
    listed = [SimpleNamespace(rel=r, translation_key=r) for r in ("d.md", "c.md", "b.md", "a.md")]
    t1 = SimpleNamespace(name="t1", url="/tags/t1/", articles=(0, 2))
    t2 = SimpleNamespace(name="t2", url="/tags/t2/", articles=(3,))
    return SimpleNamespace(
        urls={a.rel: f"/{a.rel[0]}/" for a in listed},
        pages=listed,
        listed=listed,
        tags=[t1, t2],
        categories=[],
        sections=[],
        translations={},
    )


def test_an_added_article_reaches_every_page_of_the_listings_it_is_in() -> None:
    site = _added_site()
    kept = KeptPages(site, Changes(frozenset(), {}, frozenset(), frozenset({"d.md"})))  # type: ignore[arg-type]
    kept.redo = frozenset({"d.md", "c.md"})

    def listing(base: str, views: list[dict]) -> PageJob:
        inputs = (tuple(views), base, 2, 2, "tag", "t", {}, {}, {"own_pages": []})
        return PageJob(f"{base}page/2/", "term.html", "tag", None, base, (), ListingContext(inputs))

    # a page further on holds none of it, and moves all the same
    assert not kept(listing("/", [_view("/a/")]))
    assert not kept(listing("/tags/t1/", [_view("/b/")]))
    assert kept(listing("/tags/t2/", [_view("/a/")]))  # a tag it does not have
    counts = {"terms": [{"name": "t2", "count": 1}]}
    assert not kept(PageJob("/tags/", "terms.html", "tags", counts, "tags"))
    assert kept(PageJob("/404.html", "404.html", "404", {"page": {"title": "x"}}, "404"))
    entries = {"feed": {"entries": [{"url": "/d/"}, {"url": "/c/"}]}}
    assert not kept(PageJob("/feed.xml", "feed.xml", "feed", entries, "feed"))
    old = {"feed": {"entries": [{"url": "/a/"}]}}
    assert kept(PageJob("/tags/t2/feed.xml", "feed.xml", "feed", old, "feed"))


def test_the_pages_to_redo_for_an_added_article_are_its_neighbours_and_versions() -> None:
    from sitegen.engine.record import pages_to_redo

    site = _added_site()
    site.listed[3].translation_key = site.listed[2].translation_key = "b"
    site.translations = {"b": [site.listed[2], site.listed[3]]}
    middle = Changes(frozenset(), {}, frozenset(), frozenset({"b.md"}))
    assert pages_to_redo(site, middle, {}, ()) == {"a.md", "b.md", "c.md"}  # type: ignore[arg-type]
    newest = Changes(frozenset(), {}, frozenset(), frozenset({"d.md"}))
    assert pages_to_redo(site, newest, {}, ["a.md"]) == {"a.md", "c.md", "d.md"}  # type: ignore[arg-type]


def test_the_shared_digest_without_the_added_articles_is_the_one_before() -> None:
    site = _added_site()
    for a in site.pages:
        a.images, a.links, a.image, a.bundle, a.resources = (), (), "", None, ()
    basis = PlanBasis("output", (), {}, frozenset(), {})
    before = SimpleNamespace(**vars(site))
    before.pages = before.listed = site.listed[1:]
    before.urls = {r: u for r, u in site.urls.items() if r != "d.md"}
    before.tags = [
        SimpleNamespace(name="t1", url="/tags/t1/", articles=(1,)),
        SimpleNamespace(name="t2", url="/tags/t2/", articles=(2,)),
    ]
    was = shared_digest(basis, (False, False), before, [])  # type: ignore[arg-type]
    assert shared_digest(basis, (False, False), site, [], {"d.md"}) == was  # type: ignore[arg-type]
    assert shared_digest(basis, (False, False), site, []) != was  # type: ignore[arg-type]
    # a tag renamed by its new spelling, or given another address: not the site it was
    site.tags[0] = SimpleNamespace(name="T1", url="/tags/t1/", articles=(0, 2))
    assert shared_digest(basis, (False, False), site, [], {"d.md"}) != was  # type: ignore[arg-type]


def test_the_published_articles_are_the_recorded_ones_unless_one_changed_came_or_went() -> None:
    from sitegen.engine.record import files_since, published_as_recorded

    keys = {"a.md": (1, 1, 1), "b.md": (2, 2, 2), "draft.md": (3, 3, 3)}
    record = BuildRecord("m", "s", "r", keys, (), frozenset({"draft.md"}))
    left_out = frozenset({"draft.md"})

    def same(now: dict, unpublished: frozenset[str]) -> bool:
        return published_as_recorded(record, files_since(record, now), unpublished)

    assert same(keys, left_out)
    assert same({**keys, "draft.md": (9, 9, 9)}, left_out)  # edited
    later = {**keys, "later.md": (4, 4, 4)}
    assert same(later, left_out | {"later.md"})  # scheduled, added
    assert not same(later, left_out)  # published at once
    assert not same({**keys, "a.md": (9, 9, 9)}, left_out)  # edited
    assert not same({**keys, "draft.md": (9, 9, 9)}, frozenset())  # edited as it came due
    assert not same(keys, frozenset())  # the draft came due
    assert not same(keys, left_out | {"b.md"})  # b expired
    gone = {"a.md": (1, 1, 1), "b.md": (2, 2, 2)}
    assert same(gone, frozenset())  # the draft deleted
    assert not same({"a.md": (1, 1, 1), "draft.md": (3, 3, 3)}, left_out)  # b deleted
    assert not published_as_recorded(None, files_since(None, keys), left_out)


def test_the_files_since_the_record_are_told_apart() -> None:
    from sitegen.engine.record import files_since

    record = BuildRecord("m", "s", "r", {"a.md": (1, 1, 1), "b.md": (2, 2, 2)}, (), frozenset())
    since = files_since(record, {"a.md": (1, 1, 9), "c.md": (3, 3, 3)})
    assert since is not None
    assert (since.changed, since.added, since.gone) == ({"a.md"}, {"c.md"}, {"b.md"})
    assert since.touched == {"a.md", "c.md"}
    assert files_since(None, {}) is None
