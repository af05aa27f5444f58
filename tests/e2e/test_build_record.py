"""A command-line build leaves a record for the next (engine/record.py): after an edit, only
the pages whose inputs it reaches are looked at again, the others keep their fingerprints from
the manifest, and the output still equals a clean build's byte for byte, also when a preview
or a failed build read the edited files in between. Any doubt (another manifest, a lost cache)
and every page is looked at again."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import zlib
from pathlib import Path

import pytest

from sitegen.build import Builder, build
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.output.writer import MANIFEST, Manifest, entry_fp
from sitegen.pipeline.request import BuildRequest
from sitegen.site.related import RelatedIndex
from sitegen.site.search import SearchIndex
from tests.e2e.test_incremental import EDITS, PIC, Site, _article, _replace, _tree


def _same_as_clean(site: Site) -> None:
    """The output equals a clean build's, byte for byte, and so do the fingerprints the
    manifest keeps (a page left alone keeps the fingerprint a clean build gives it)."""
    incremental, files = _tree(site.out), Manifest.load(site.out).files
    assert incremental == site.clean_tree()
    clean = Manifest.load(site.out).files
    stale = sorted(path for path in clean if files.get(path) != clean[path])
    assert not stale and files.keys() == clean.keys(), stale[:5]


@pytest.fixture(params=["plain", "search+related"])
def site(request, tmp_path: Path) -> Site:
    made = Site(tmp_path / "site", request.param)
    made.build()
    return made


def test_a_body_edit_looks_again_only_at_the_pages_it_reaches(site: Site) -> None:
    EDITS["body"](site)
    result = site.build()
    assert 0 < result.fingerprinted < result.pages / 2, result.fingerprinted
    # and the plan made only those pages and the feeds (plan.py `plan_edited`)
    assert 0 < result.planned < result.pages / 2, result.planned
    assert b"More, and then some." in (site.out / "a4" / "index.html").read_bytes()
    _same_as_clean(site)


def test_a_body_edit_that_adds_a_search_shard_still_looks_at_few_pages(
    tmp_path: Path,
) -> None:
    """A shard is named by its first term, and a term may start a shard of its own (site/search.py
    `_runs`: its hash is 0 modulo a power of two): a new word that does adds a shard. The
    pages keep their fingerprints all the same (no page names a shard)."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    shards = set((site.out / "search" / "s").iterdir())
    word = next(w for n in range(10**6) if zlib.crc32((w := f"zq{n}").encode()) % (1 << 16) == 0)
    _replace(site, "content/a4.md", "More.", f"More about {word}.")
    result = site.build()
    assert set((site.out / "search" / "s").iterdir()) != shards
    assert 0 < result.fingerprinted < result.pages / 2, result.fingerprinted
    _same_as_clean(site)


@pytest.mark.parametrize("edit", ["title", "summary", "body and title"])
def test_what_listings_show_reaches_the_listings(site: Site, edit: str) -> None:
    """A new title or summary is in listing pages, neighbours, feeds and related lists: those
    are looked at again, and the output equals a clean build."""
    if edit == "summary":  # drawn from the first paragraph
        _replace(site, "content/a4.md", "Paragraph of article 4.", "A new opening.")
    else:
        EDITS["title"](site)
        if edit == "body and title":
            EDITS["body"](site)
    result = site.build()
    assert 0 < result.fingerprinted < result.pages
    # planned: the pages showing it (listings, neighbours, feeds, related lists), not all
    assert 0 < result.planned < result.pages, result.planned
    _same_as_clean(site)


def _failed_on(site: Site, rel: str) -> str:
    """A build that fails on `rel`, written with front matter it cannot read; returns the
    file's text for the caller to put back."""
    broken = site.root / rel
    good = broken.read_text(encoding="utf-8")
    broken.write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        site.build()
    return good


def test_a_failed_build_in_between_leaves_nothing_stale(site: Site) -> None:
    """The failed build read the edited file: its new version is in the article cache, and
    the version the record names among the rows it replaced (engine/sourcecache.py
    `ArticleCache.replaced`). The next build compares with that one: it looks again only at
    the pages the edit reaches, and the output equals a clean build's."""
    EDITS["body"](site)
    (site.root / "content/a7.md").write_text(_failed_on(site, "content/a7.md"), encoding="utf-8")
    result = site.build()
    assert 0 < result.fingerprinted < result.pages / 2, result.fingerprinted
    assert b"More, and then some." in (site.out / "a4" / "index.html").read_bytes()
    _same_as_clean(site)


def test_a_failed_build_leaves_the_indexes_as_the_last_good_build_kept_them(
    tmp_path: Path, monkeypatch
) -> None:
    """A content file that cannot be read leaves its article out of the failed build, and every
    later article's number in the search index moves: kept, that index would have the next
    build (the file mended) number every article back, the whole index made again from the
    counts. The failed build writes none of the search and related files; the next one takes
    the short way, and the output equals a clean build's."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    cache = site.root / ".sitegen"
    kept = {p.name: p.read_bytes() for p in cache.glob("*.marshal*")}
    assert any(name.startswith("search-state") for name in kept)
    assert any(name.startswith("related-lists") for name in kept)
    EDITS["body"](site)
    good = _failed_on(site, "content/a2.md")
    assert {p.name: p.read_bytes() for p in cache.glob("*.marshal*")} == kept
    (site.root / "content/a2.md").write_text(good, encoding="utf-8")
    rebuilt: list[str] = []
    whole = SearchIndex._rebuild
    monkeypatch.setattr(
        SearchIndex, "_rebuild", lambda index, *a: rebuilt.append("search") or whole(index, *a)
    )
    update = RelatedIndex._update

    def related(index, *args):  # an index found without the counts it needs starts anew
        if not index.docs:
            rebuilt.append("related")
        return update(index, *args)

    monkeypatch.setattr(RelatedIndex, "_update", related)
    result = site.build()
    assert not rebuilt
    assert 0 < result.fingerprinted < result.pages / 2, result.fingerprinted
    _same_as_clean(site)


@pytest.mark.parametrize("edits", [1, 2])
def test_a_preview_in_between_leaves_the_next_build_a_short_way(site: Site, edits: int) -> None:
    """A writer previews edits (`sitegen serve`, into its own folder), then builds to publish.
    The preview read the edited file, so the article cache holds its new version, and it
    worked out related lists of its own: the build still compares with the recorded build's
    versions (the replaced rows, and the lists' file the preview leaves as it was) and looks
    again only at the pages the edits reach; the output equals a clean build's."""
    config = site.request().config
    preview = Builder(BuildRequest(config, preview=True, output=config.cache_path / "preview"))
    preview.run()
    preview.let_go()
    for n in range(edits):
        _replace(site, "content/a4.md", "More.", f"More, and then some ({n}). More.")
        preview.run([site.root / "content" / "a4.md"])
        preview.let_go()
    result = site.build()
    assert 0 < result.fingerprinted < result.pages / 2, result.fingerprinted
    assert 0 < result.planned < result.pages / 2, result.planned
    assert f"then some ({edits - 1})".encode() in (site.out / "a4" / "index.html").read_bytes()
    _same_as_clean(site)


def test_another_manifest_means_every_page(site: Site) -> None:
    """The output holds a manifest the record does not name (another build wrote it)."""
    manifest = site.out / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["build"] = "someone-else"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    EDITS["body"](site)
    result = site.build()
    assert result.fingerprinted == result.pages
    _same_as_clean(site)


def test_a_lost_article_cache_means_every_page(site: Site) -> None:
    (site.root / ".sitegen" / "articles.sqlite").unlink()
    EDITS["body"](site)
    result = site.build()
    assert result.fingerprinted == result.pages
    _same_as_clean(site)


@pytest.mark.parametrize("edit", ["date", "tag added", "draft", "deleted", "setting"])
def test_other_edits_look_at_every_page(site: Site, edit: str) -> None:
    EDITS[edit](site)
    result = site.build()
    assert result.fingerprinted == result.pages
    assert result.planned == result.pages
    _same_as_clean(site)


@pytest.mark.parametrize("edit", [None, "body"])
def test_a_page_deleted_from_the_output_by_hand_is_written_again(site: Site, edit) -> None:
    """A page the record would carry over untouched is gone from the output folder (its
    manifest entry still there): the build plans every page, and the page comes back, after
    an edit of a body as after no edit at all (the output's check fails the stamp)."""
    page, other = site.out / "a2" / "index.html", site.out / "a6" / "index.html"
    before = page.read_bytes()
    page.unlink()
    other.unlink()
    if edit:
        EDITS[edit](site)
    result = site.build()
    assert result.planned == result.pages and result.written >= 2
    assert page.read_bytes() == before and other.is_file()
    _same_as_clean(site)


def test_a_manifest_that_lost_a_page_since_the_record_means_a_whole_plan(site: Site) -> None:
    """The manifest still has the recorded build's id but not every page it recorded (a page
    and its entry deleted by hand): the partial plan cannot stand, and the build plans every
    page instead."""
    manifest = site.out / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["files"]["a2/index.html"]
    manifest.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    (site.out / "a2" / "index.html").unlink()
    EDITS["body"](site)
    result = site.build()
    assert result.planned == result.pages
    assert (site.out / "a2" / "index.html").is_file()
    _same_as_clean(site)


@pytest.mark.parametrize("kind", ["a page under search/", "a plan that warned"])
def test_a_plan_the_next_cannot_stand_on_is_not_recorded_for_it(tmp_path: Path, kind: str) -> None:
    """A page where a new search file could come to be (only a whole plan checks every page
    against the files), or a plan that reported something (a partial plan would not report
    it again): the next edit of a body is planned in full, and still equals a clean build."""
    site = Site(tmp_path / "site", "search+related")
    if kind == "a page under search/":
        site.write("content/found.md", "---\ntitle: Found\nurl: /search/found/\n---\n\nText.\n")
    else:
        site.config("broken_links: warn\n")
        site.write("content/gone.md", "---\ntitle: Gone\n---\n\n![x](/img/missing.png)\n")
    first = site.build()
    if kind == "a plan that warned":
        assert any("missing.png" in w.message for w in first.diagnostics.warnings)
    EDITS["body"](site)
    result = site.build()
    assert result.planned == result.pages
    assert 0 < result.fingerprinted < result.pages  # the pages keep their fingerprints still
    if kind == "a plan that warned":  # reported again
        assert any("missing.png" in w.message for w in result.diagnostics.warnings)
    _same_as_clean(site)


def test_a_chain_of_edits_equals_clean_builds(tmp_path: Path) -> None:
    """Bodies, titles and opening paragraphs (summaries) of random articles, edited one after
    another: after each, the incremental output equals a clean build's (whose record the next
    edit starts from), and most edits took the short way."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    pick = random.Random(7)
    short = partial = 0
    for step in range(12):
        i = pick.randrange(9)
        path = site.root / "content" / f"a{i}.md"
        text = path.read_text(encoding="utf-8")
        kind = pick.choice(["body", "title", "summary"])
        if kind == "body":
            text = text.replace("\n## Part", f"\nStep {step} adds words here.\n\n## Part")
        elif kind == "title":
            text = text.replace(f"title: Article {i}", f"title: Article {i} v{step}", 1)
        else:  # the first paragraph, which the summary is drawn from
            text = re.sub(r"\n\n[^\n]*", f"\n\nOpening {step}.", text, count=1)
        path.write_text(text, encoding="utf-8")
        result = site.build()
        short += result.fingerprinted < result.pages
        partial += result.planned < result.pages
        _same_as_clean(site)
    assert short >= 8, short
    assert partial >= 2, partial  # the body edits, after a build that recorded its pages


def test_a_new_title_reaches_its_translations_pages(tmp_path: Path) -> None:
    """A translated article's pages name every version by its title (language links): a new
    title in one language is looked at again on the other's pages, in the short way."""
    site = Site(tmp_path / "site", "search+related")
    site.config("languages:\n  - {code: en, name: English}\n  - {code: fr, name: Français}\n")
    site.write("content/a4.fr.md", _article(4).replace("Article 4", "Article quatre"))
    site.write("content/a2.fr.md", _article(2).replace("Article 2", "Article deux"))
    site.build()
    before = Manifest.load(site.out).files["fr/a4/index.html"]
    EDITS["title"](site)
    result = site.build()
    assert result.fingerprinted < result.pages
    # its context names the English version's title (the theme shows the language's name)
    assert entry_fp(Manifest.load(site.out).files["fr/a4/index.html"]) != entry_fp(before)
    _same_as_clean(site)


@pytest.mark.parametrize(
    "setting",
    [
        "",
        "archive_limit: 4\n",  # a page for each month, the archive's own names them
        "pagination: stable\nper_page: 2\n",
        "languages:\n  - {code: en, name: English}\n  - {code: fr, name: Français}\n",
    ],
)
def test_what_listings_show_is_planned_for_the_pages_showing_it(
    tmp_path: Path, setting: str
) -> None:
    """A new title, summary or reading time is planned for the pages showing it alone (the
    listings, term and archive pages holding the article, its neighbours, feeds, related lists,
    translations and redirect pages: `plan.plan_edited`), on sites with categories, undated
    articles, months of their own in the archive, stable pages and two languages: after each
    edit the output equals a clean build's, and no edit planned every page."""
    site = Site(tmp_path / "site", "search+related")
    site.config(setting)
    for i in range(9):  # March and April, categories, and an old address for one
        extra = f"categories: [{'news' if i % 2 else 'notes'}]\n"
        extra += "aliases: [/old-a3/]\n" if i == 3 else ""
        text = _article(i, extra=extra)
        site.write(f"content/a{i}.md", text.replace("2024-03-0", "2024-04-0") if i < 4 else text)
    site.write("content/undated.md", "---\ntitle: Undated\ntags: [tag1]\n---\n\nNo date.\n")
    if "fr" in setting:
        site.write("content/a4.fr.md", _article(4).replace("Article 4", "Article quatre"))
    site.build()
    edits = [
        ("a3", "title"),  # its redirect page names it
        ("undated", "title"),  # in the archive's own page, with or without months
        ("a4", "title"),  # translated
        ("a0", "summary"),  # the newest
        ("a8", "reading time"),  # the oldest dated
        ("a5", "summary"),
        ("undated", "reading time"),
        ("a3", "reading time"),  # April's last, next to March
        ("a4", "summary"),
    ]
    for step, (rel, kind) in enumerate(edits):
        path = site.root / "content" / f"{rel}.md"
        text = path.read_text(encoding="utf-8")
        if kind == "title":
            text = re.sub(r"title: [^\n]*", f"title: Retitled {step}", text, count=1)
        elif kind == "summary":
            words = r"(Paragraph of article \d+|No date|Opening \d+)\."  # not its links
            text = re.sub(words, f"Opening {step}.", text, count=1)
        else:  # 250 more words: a minute more
            text += "\n" + " ".join(["word"] * 250) + "\n"
        path.write_text(text, encoding="utf-8")
        result = site.build()
        assert 0 < result.planned < result.pages, (step, rel, kind)
        _same_as_clean(site)


def _dated(i: int, date: str, tags: str = "tag0", extra: str = "") -> str:
    return _article(i, tags, extra).replace(f"date: 2024-03-{1 + i:02d}", f"date: {date}")


# articles added since the last build, each the way a newsroom adds one
ADDED = {
    "the newest, with a new tag": lambda s: s.write("content/new.md", _article(20, "tag0, brand")),
    "the oldest": lambda s: s.write("content/old.md", _dated(30, "2023-01-05", "tag2")),
    "between two": lambda s: s.write("content/mid.md", _dated(31, "2024-03-05T12:00:00Z")),
    "two at once": lambda s: (
        s.write("content/new.md", _article(20, "tag1")),
        s.write("content/sub/other.md", _dated(32, "2024-02-01", "tag1, tag2")),
    ),
    "undated, with an old address": lambda s: s.write(
        "content/undated.md", "---\ntitle: Undated\naliases: [/old-u/]\n---\n\nNo date.\n"
    ),
    "the first category": lambda s: s.write(
        "content/cat.md", _dated(33, "2024-03-07T06:00:00Z", extra="categories: [news]\n")
    ),
    "a page bundle with a picture": lambda s: (
        s.write("content/story/index.md", _article(21, body="![pic](pic.png)")),
        (s.root / "content" / "story" / "pic.png").write_bytes(PIC),
    ),
    "a page bundle, where links name other bundles' index files": lambda s: (
        s.write("content/a2.md", _article(2, body="See [the guide](guide/index.md).")),
        s.write("content/guide/index.md", _article(22)),
        s.build(),
        s.write("content/story/index.md", _article(23)),
    ),
    "translated": lambda s: s.write(
        "content/a4.fr.md", _article(4).replace("Article 4", "Article quatre")
    ),
}


@pytest.mark.parametrize(
    "setting",
    [
        "",
        "pagination: stable\nper_page: 2\n",
        "archive_limit: 4\n",
        "languages:\n  - {code: en, name: English}\n  - {code: fr, name: Français}\n",
    ],
)
@pytest.mark.parametrize("added", list(ADDED))
def test_an_article_published_looks_again_only_at_the_pages_it_reaches(
    tmp_path: Path, added: str, setting: str
) -> None:
    """A new article moves every page of the listings it is in (with `newest` pages), adds to
    the counts of the tags overview and the archive, and changes its neighbours' pages, the
    feeds listing it and the related lists naming it; every other page keeps its fingerprint
    from the manifest, and the output equals a clean build's."""
    site = Site(tmp_path / "site", "search+related")
    site.config(setting)
    if added == "translated":  # a language the site has already
        site.write("content/a2.fr.md", _article(2).replace("Article 2", "Article deux"))
    site.build()
    ADDED[added](site)
    result = site.build()
    assert 0 < result.fingerprinted < result.pages, (result.fingerprinted, result.pages)
    _same_as_clean(site)


@pytest.mark.parametrize("kind", ["a draft", "dated in the future", "expired"])
def test_an_article_not_yet_published_plans_no_page(site: Site, kind: str) -> None:
    """A scheduled article, a draft, or one already expired, added: no page shows it, so the
    build plans only what the last one recorded it could leave alone (nothing), writes
    nothing, and shows it once it is due."""
    extra = {
        "a draft": "draft: true\n",
        "dated in the future": "",
        "expired": "expiryDate: 2024-04-01\n",
    }[kind]
    date = "2999-01-01" if kind == "dated in the future" else "2024-03-20"
    site.write("content/later.md", _dated(40, date, extra=extra))
    result = site.build()
    assert result.planned < result.pages / 2 and result.written == 0, result
    assert not (site.out / "later").exists()
    _same_as_clean(site)


@pytest.mark.parametrize(
    "kind",
    [
        "a page of its own",
        "named by a link",
        "a bundle named by a link",
        "its picture named",
        "its picture named by address",
        "a new language",
    ],
)
def test_an_added_article_that_reaches_further_looks_at_every_page(
    tmp_path: Path, kind: str
) -> None:
    """A page of its own is named in every footer of its language; a link that named the
    missing file resolves now (`broken_links: warn`), and so does a picture of its page
    bundle that another article showed missing; a first article in a language makes a
    section every page's language links name: every page is looked at again, and the output
    equals a clean build's."""
    site = Site(tmp_path / "site", "search+related")
    site.config("broken_links: warn\n" if kind != "a page of its own" else "")
    if kind == "named by a link":
        site.write("content/a1.md", _article(1, body="See [what comes](coming.md) soon."))
    elif kind == "a bundle named by a link":
        site.write("content/a1.md", _article(1, body="See [what comes](story/index.md)."))
    elif kind == "its picture named":
        site.write("content/a1.md", _article(1, body="Soon: ![x](../story/shot.png)"))
    elif kind == "its picture named by address":
        site.write("content/a1.md", _article(1, body="Soon: ![x](/scoop/shot.png)"))
    site.build()
    if kind == "a page of its own":
        site.write("content/about.md", "---\ntitle: About\nlisted: false\n---\n\nUs.\n")
    elif kind == "named by a link":
        site.write("content/coming.md", _article(20))
    elif kind == "a bundle named by a link":
        site.write("content/story/index.md", _article(20))
    elif kind.startswith("its picture named"):
        extra = "slug: scoop\n" if kind.endswith("address") else ""
        site.write("content/story/index.md", _article(21, extra=extra, body="![pic](shot.png)"))
        (site.root / "content" / "story" / "shot.png").write_bytes(PIC)
    else:
        site.write("content/a4.de.md", _article(4).replace("Article 4", "Artikel vier"))
    result = site.build()
    assert result.fingerprinted == result.pages
    _same_as_clean(site)


def test_a_chain_of_articles_published_and_edited_equals_clean_builds(tmp_path: Path) -> None:
    """A newsroom's day: articles published (newest first, one back-dated, one scheduled) with
    edits of others in between; after each build the output equals a clean build's, and each
    publication took the short way."""
    site = Site(tmp_path / "site", "search+related")
    site.config("archive_limit: 4\n")
    site.build()
    steps = [
        lambda: site.write("content/n1.md", _dated(50, "2024-04-01T08:00:00Z", "tag1, fresh")),
        lambda: _replace(site, "content/a2.md", "More.", "More about the harbour."),
        lambda: site.write("content/n2.md", _dated(51, "2024-04-01T09:00:00Z", "fresh")),
        lambda: site.write("content/n3.md", _dated(52, "2024-02-20", "tag2")),
        lambda: _replace(site, "content/n1.md", "title: Article 50", "title: Late news"),
        lambda: site.write("content/n4.md", _dated(53, "2999-04-01", "tag0")),
        lambda: site.write("content/n5.md", _dated(54, "2024-04-02", "tag0")),
    ]
    for step in steps:
        step()
        result = site.build()
        assert result.fingerprinted < result.pages, result
        _same_as_clean(site)


@pytest.mark.parametrize("kind", ["due", "due, another edited", "due and edited", "expired"])
def test_a_scheduled_article_whose_time_came_is_published_the_short_way(
    tmp_path: Path, monkeypatch, kind: str
) -> None:
    """An article dated noon, built before and after noon: it is published as an article
    added would be (the pages it reaches looked at again, and every other page keeping its
    fingerprint), also beside an edit of another article; edited itself as it comes due, or
    an article expiring, and every page is looked at. Each time the output equals a clean
    build's at the same moment."""
    noon = 1717243200  # 2024-06-01T12:00:00Z
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(noon - 60))
    site = Site(tmp_path / "site", "search+related")
    site.write("content/later.md", _dated(60, "2024-06-01T12:00:00Z", "tag1, fresh"))
    if kind == "expired":
        site.write(
            "content/brief.md", _dated(61, "2024-05-01", extra="expiryDate: 2024-06-01T12:00:00Z\n")
        )
    site.build()
    assert not (site.out / "later").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(noon + 60))
    if kind == "due, another edited":
        EDITS["body"](site)
    elif kind == "due and edited":
        _replace(site, "content/later.md", "More.", "More, at noon.")
    result = site.build()
    assert (site.out / "later" / "index.html").is_file()
    if kind in ("due", "due, another edited"):
        assert 0 < result.fingerprinted < result.pages, (result.fingerprinted, result.pages)
    else:
        assert result.fingerprinted == result.pages
    _same_as_clean(site)


@pytest.mark.parametrize("kind", ["a draft deleted", "a scheduled one withdrawn", "a draft moved"])
def test_an_article_never_published_that_goes_plans_no_page(site: Site, kind: str) -> None:
    """A draft deleted, or a scheduled article withdrawn before its time: no page showed it,
    so no page is planned again and nothing is written."""
    extra, date = ("", "2999-01-01") if "scheduled" in kind else ("draft: true\n", "2024-03-20")
    site.write("content/later.md", _dated(40, date, extra=extra))
    site.build()
    if kind == "a draft moved":
        (site.root / "content" / "later.md").rename(site.root / "content" / "drafts-later.md")
    else:
        (site.root / "content" / "later.md").unlink()
    result = site.build()
    assert result.planned < result.pages / 2 and result.written == 0, result
    _same_as_clean(site)


def test_a_draft_a_link_named_that_goes_looks_at_every_page(tmp_path: Path) -> None:
    """A link to a draft is written as plain text with a warning; the draft deleted, the link
    names a page that is not part of the site: every page is looked at (the message is
    another), and the output equals a clean build's."""
    site = Site(tmp_path / "site", "search+related")
    site.config("broken_links: warn\n")
    site.write("content/a1.md", _article(1, body="See [the plan](later.md) soon."))
    site.write("content/later.md", _dated(40, "2024-03-20", extra="draft: true\n"))
    site.build()
    (site.root / "content" / "later.md").unlink()
    result = site.build()
    assert result.fingerprinted == result.pages
    assert any("not part of the site" in w.message for w in result.diagnostics.warnings)
    _same_as_clean(site)


@pytest.mark.parametrize("kind", ["scheduled", "draft edited", "one expiring", "a shard gone"])
def test_the_search_files_of_the_record_stand_when_the_same_articles_are_published(
    tmp_path: Path, monkeypatch, kind: str
) -> None:
    """A scheduled article added, or a draft edited: the published articles are the recorded
    build's, from the same files, so are the search files, and the search index is neither
    read nor made. An article expiring meanwhile, or a search file deleted from the output
    by hand, and the index makes them. Each time the output equals a clean build's."""
    import sitegen.pipeline.steps as steps

    noon = 1717243200  # 2024-06-01T12:00:00Z
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(noon - 60))
    site = Site(tmp_path / "site", "search+related")
    site.write("content/draft.md", _dated(62, "2024-05-01", extra="draft: true\n"))
    if kind == "one expiring":
        site.write(
            "content/brief.md", _dated(61, "2024-05-01", extra="expiryDate: 2024-06-01T12:00:00Z\n")
        )
    site.build()
    calls: list[int] = []
    made = steps.search_outputs
    monkeypatch.setattr(steps, "search_outputs", lambda *a, **k: calls.append(1) or made(*a, **k))
    if kind == "draft edited":
        _replace(site, "content/draft.md", "More.", "More, not yet.")
    else:
        site.write("content/later.md", _dated(40, "2999-01-01"))
    if kind == "one expiring":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(noon + 60))
    shard = next((site.out / "search" / "s").iterdir())
    if kind == "a shard gone":
        shard.unlink()
    result = site.build()
    assert calls == ([] if kind in ("scheduled", "draft edited") else [1])
    assert shard.is_file()
    if kind in ("scheduled", "draft edited"):
        assert result.written == 0
    monkeypatch.setattr(steps, "search_outputs", made)
    _same_as_clean(site)


def _counting_days(monkeypatch) -> list[str]:
    """The rels whose search document's day the search index works out (each document's key
    needs it): one for each article it does not take as it last saw it."""
    from sitegen.site import search

    seen: list[str] = []
    shown = search._shown_date
    monkeypatch.setattr(
        search, "_shown_date", lambda article, fmt: seen.append(article.rel) or shown(article, fmt)
    )
    return seen


def test_an_edit_works_out_the_search_documents_of_the_edited_articles_alone(
    tmp_path: Path, monkeypatch
) -> None:
    """The record says which files are as its build read them; the search index that build
    left takes those articles' documents as they are (`search.Untouched`)."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    site.build()  # the index now knows the settings it was made under
    seen = _counting_days(monkeypatch)
    EDITS["body"](site)
    site.build()
    assert seen == ["a4.md"]
    _same_as_clean(site)


def test_new_settings_make_the_search_documents_again(tmp_path: Path, monkeypatch) -> None:
    """Each document shows its article's address: another permalink changes all of them,
    although no article's file changed. (The record is kept under the settings: one made
    under others neither vouches for the index's documents nor gives its search files, which
    a build publishing the same articles from the same files takes from it.)"""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    site.build()
    seen = _counting_days(monkeypatch)
    site.config("permalink: /read/{slug}/\n")
    site.build()
    assert len(seen) == 9
    assert any(b"/read/a4/" in p.read_bytes() for p in (site.out / "search" / "d").iterdir())
    _same_as_clean(site)


def test_an_index_another_build_left_since_the_record_is_not_taken_at_its_word(
    tmp_path: Path, monkeypatch
) -> None:
    """A preview between two command-line builds updates the search index and keeps no record:
    a file it read, put back afterwards as it was with its old stat key, is untouched by the
    record's word, but the index holds the preview's version of it."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    site.build()
    path = site.root / "content" / "a4.md"
    before, stat = path.read_bytes(), path.stat()
    changed = before.replace(b"More.", b"Mare.")  # the same size, written in place
    with path.open("r+b") as fh:
        fh.write(changed)
    build(BuildRequest(load_config(site.root), jobs=2, preview=True))
    assert any(b"Mare" in p.read_bytes() for p in (site.out / "search" / "d").iterdir())
    with path.open("r+b") as fh:
        fh.write(before)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    seen = _counting_days(monkeypatch)
    site.build()
    assert "a4.md" in seen
    assert not any(b"Mare" in p.read_bytes() for p in (site.out / "search" / "d").iterdir())
    _same_as_clean(site)


def test_the_preview_works_out_the_search_documents_of_the_files_it_saw_change(
    tmp_path: Path, monkeypatch
) -> None:
    """The preview's watcher says which files changed since its last build, whose search
    index it holds: the others' documents are taken as they are. After a build that failed
    (having read an edit the next batch does not name), and after a batch holding anything but
    edited content files (site.yaml: another permalink moves every address), the search files
    are a fresh preview's."""
    site = Site(tmp_path / "site", "search+related")
    config = site.request().config
    out = config.cache_path / "preview"
    preview = Builder(BuildRequest(config, preview=True, output=out))
    preview.run()
    seen = _counting_days(monkeypatch)
    EDITS["body"](site)
    preview.run([site.root / "content" / "a4.md"])
    assert seen == ["a4.md"]
    assert b"More, and then some." in (out / "a4" / "index.html").read_bytes()

    def same_search_as_fresh() -> None:
        preview.let_go()
        fresh = tmp_path / "fresh"
        again = Builder(BuildRequest(load_config(site.root), preview=True, output=fresh))
        again.run()
        again.let_go()
        assert _tree(out / "search") == _tree(fresh / "search")
        shutil.rmtree(fresh)

    # a build that failed after reading a3's edit (a5 took a4's address); the next batch
    # names a5 alone
    _replace(site, "content/a3.md", "More.", "Moreover, a quetzal.")
    _replace(site, "content/a5.md", "tags:", "url: /a4/\ntags:")
    with pytest.raises(BuildFailed):
        preview.run([site.root / "content" / "a3.md", site.root / "content" / "a5.md"])
    _replace(site, "content/a5.md", "url: /a4/\ntags:", "tags:")
    preview.run([site.root / "content" / "a5.md"])
    assert any(b"quetzal" in p.read_bytes() for p in (out / "search" / "d").iterdir())
    same_search_as_fresh()

    site.config("permalink: /read/{slug}/\n")
    preview.request = dataclasses.replace(preview.request, config=load_config(site.root))
    seen.clear()
    preview.run([site.root / "site.yaml"])
    assert len(seen) == 9
    assert any(b"/read/a4/" in p.read_bytes() for p in (out / "search" / "d").iterdir())
    same_search_as_fresh()
