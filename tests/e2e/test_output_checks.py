"""What real web tools say about the output: feed readers (feedparser), sitemap consumers,
a plain static server under a subpath (every link and asset resolves), the W3C Nu checker."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from sitegen.build import BuildRequest, build
from sitegen.config import load_config
from sitegen.site import plan as plan_module
from tests.browser.conftest import serve_folder
from tests.sample_site import write_sample_site
from tests.sitecheck import check_on_disk, crawl_served, html_files, run_vnu, vnu_jar

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    """A generated 200-article site with aliases and a draft, built once for this module. Its
    archive is split by month (archive_limit) and its sitemap into parts of 100 URLs, so the
    checks below cover the pages a large archive has."""
    root = write_sample_site(
        tmp_path_factory.mktemp("big") / "site", 200, "feed_limit: 20\narchive_limit: 50\n"
    )
    (root / "content" / "moved.md").write_text(
        "---\ntitle: Moved story\ndate: 2023-06-01\ntags: [Politics]\naliases: [/2023/moved/]\n---\n"
        "Text with a [link](story-0001.md).\n",
        encoding="utf-8",
    )
    (root / "content" / "draft.md").write_text(
        "---\ntitle: Unfinished\ndate: 2024-06-01\ndraft: true\n---\nLater.\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan_module, "SITEMAP_LIMIT", 100)
        build(BuildRequest(load_config(root)))
    return root / "build"


def test_feed_parses_with_one_entry_per_article_up_to_the_cap(big_site):
    feed = feedparser.parse((big_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 20
    first = feed.entries[0]
    assert first.link.startswith("https://example.org/news/story-")
    assert first.published and first.author
    assert "Background" in first.content[0].value, "full content, not a summary"
    assert all(e.link.startswith("https://") for e in feed.entries)
    assert feed.feed.links[0].href.startswith("https://example.org/news/")


def test_tag_feeds_parse_and_hold_only_their_tag(big_site):
    tag_feeds = sorted((big_site / "tags").glob("*/feed.xml"))
    assert len(tag_feeds) == 12
    for path in tag_feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        tag = feed.feed.title.split(": ", 1)[1]
        assert feed.entries and all(tag in [t.term for t in e.tags] for e in feed.entries)


def test_feed_without_base_url_has_relative_links_readers_resolve(site):
    site.configure("title: T\n")
    site.write("static/pic.png", b"\x89PNG\r\n\x1a\n")
    site.article("a.md", "Alpha", "2024-01-02", "See ![pic](/pic.png) and [b](b.md).", tags="[X]")
    site.article("b.md", "Beta", "2024-01-01")
    site.build()
    raw = site.out("tags/x/feed.xml")
    served_as = {
        "content-location": "http://host/blog/tags/x/feed.xml",
        "content-type": "application/atom+xml",
    }
    feed = feedparser.parse(raw, response_headers=served_as)
    assert not feed.bozo
    entry = feed.entries[0]
    assert entry.link == "http://host/blog/a/"
    assert 'src="http://host/blog/pic.png"' in entry.content[0].value
    assert 'href="http://host/blog/b/"' in entry.content[0].value


def test_sitemap_is_well_formed_and_lists_every_page(big_site):
    """Split into parts of at most 100 URLs named by a sitemap index, as the protocol has it."""
    prefix = "https://example.org/news/"
    index = ET.parse(big_site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    parts = [s.find(f"{SITEMAP_NS}loc").text for s in index]
    assert parts == [f"{prefix}sitemap{n}.xml" for n in range(1, len(parts) + 1)]
    assert len(parts) >= 3
    locs = []
    for n, entry in enumerate(index, 1):
        part = ET.parse(big_site / f"sitemap{n}.xml").getroot()
        assert part.tag == f"{SITEMAP_NS}urlset" and 0 < len(part) <= 100
        locs += [u.find(f"{SITEMAP_NS}loc").text for u in part]
        newest = max(u.findtext(f"{SITEMAP_NS}lastmod", "") for u in part)
        assert entry.findtext(f"{SITEMAP_NS}lastmod", "") == newest
    assert locs == sorted(locs) and len(locs) == len(set(locs))
    assert all(loc.startswith(prefix) for loc in locs)
    listed = {loc[len(prefix) :] for loc in locs}
    on_disk = set()
    for path in html_files(big_site):
        rel = path.relative_to(big_site).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel == "404.html" or 'name="robots" content="noindex"' in text:
            continue
        on_disk.add(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    assert listed == on_disk
    assert "story-0199/" in listed and "2023/moved/" not in listed and "unfinished/" not in listed
    assert "archive/" in listed and any(p.startswith("archive/20") for p in listed)
    robots = (big_site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.org/news/sitemap.xml" in robots


def _links(folder: Path, page: str) -> list[str]:
    """The site paths the links of `page` (a folder under `folder`) point at, in order."""
    text = (folder / page / "index.html").read_text(encoding="utf-8")
    return [urljoin(f"/{page}", href) for href in re.findall(r'<a href="([^"#]*)"', text)]


def test_large_archive_is_a_page_per_month_with_every_dated_article_once(big_site):
    """archive_limit 50: /archive/ names each month with its count and links to its page,
    which lists that month's articles and links to the months either side."""
    month_re = re.compile(r"/archive/(\d{4})/(\d{2})/$")
    months = [m.groups() for m in map(month_re.search, _links(big_site, "archive/")) if m]
    assert len(months) >= 2 and len(set(months)) == len(months)
    assert not any("story-" in link for link in _links(big_site, "archive/"))
    seen = []
    for i, (year, month) in enumerate(months):
        page = f"archive/{year}/{month}/"
        text = (big_site / page / "index.html").read_text(encoding="utf-8")
        assert set(re.findall(r'<time datetime="(\d{4})-(\d{2})-', text)) == {(year, month)}
        links = _links(big_site, page)
        seen += [link for link in links if re.fullmatch(r"/story-\d+/", link)]
        assert "/archive/" in links
        if i + 1 < len(months):
            assert "/archive/{}/{}/".format(*months[i + 1]) in links
    assert len(seen) == len(set(seen)) == 200


def test_every_link_resolves_under_a_subpath(big_site):
    """A plain static server at /blog/: fetch every page and everything it references.
    (404.html is left out: with base_url set it links from base_url's path, /news/, so that it
    works at any depth, as hosts serve it.)"""
    with serve_folder(big_site, "/blog/") as base:
        pages, problems = crawl_served(big_site, base, skip=("404.html",))
    assert problems == []
    assert pages > 300


def test_small_site_crawl_includes_404_when_base_url_matches(site):
    site.article("a.md", "Alpha", "2024-01-02", "Body [b](b.md)", tags="[X, Y]", aliases="[/old/]")
    site.article("b.md", "Beta", "2024-01-01")
    site.build()
    with serve_folder(site.root / "build", "/blog/") as base:
        pages, problems = crawl_served(site.root / "build", base)
    assert problems == [] and pages > 10


def test_file_urls_build_browses_from_disk(tmp_path):
    """Every kind of page, with `file_urls: true`: every reference names a file on disk."""
    root = write_sample_site(tmp_path / "site", 30, "per_page: 4\nfile_urls: true\n")
    build(BuildRequest(load_config(root)))
    assert check_on_disk(root / "build", skip=("404.html",)) == []
    assert (root / "build" / "tags" / "politics" / "page" / "2" / "index.html").is_file()


@pytest.mark.skipif(vnu_jar() is None or shutil.which("java") is None, reason="needs vnu and java")
def test_nu_html_checker_finds_no_errors(big_site):
    """Every page of the 200-article site, in one JVM run."""
    assert run_vnu(big_site) == []
