"""Feeds as readers get them: Atom and RSS parsed by feedparser, JSON Feed 1.1 checked against a
schema written from the spec's field list, for the site and every tag and category, on a site
with a non-Latin title and an article dated in the future (which no feed may show)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import feedparser
import jsonschema
import pytest

from sitegen.config import bundled_themes_dir
from tests.conftest import Page

# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), field by field.
_STRING = {"type": "string"}
_URL = {"type": "string", "minLength": 1}
_AUTHOR = {
    "type": "object",
    "properties": {"name": _STRING, "url": _URL, "avatar": _URL},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
}
_ATTACHMENT = {
    "type": "object",
    "required": ["url", "mime_type"],
    "properties": {
        "url": _URL,
        "mime_type": _STRING,
        "title": _STRING,
        "size_in_bytes": {"type": "number"},
        "duration_in_seconds": {"type": "number"},
    },
}
_ITEM = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": _STRING,
        "url": _URL,
        "external_url": _URL,
        "title": _STRING,
        "content_html": _STRING,
        "content_text": _STRING,
        "summary": _STRING,
        "image": _URL,
        "banner_image": _URL,
        "date_published": {"type": "string", "format": "date-time"},
        "date_modified": {"type": "string", "format": "date-time"},
        "authors": {"type": "array", "items": _AUTHOR},
        "tags": {"type": "array", "items": _STRING},
        "language": _STRING,
        "attachments": {"type": "array", "items": _ATTACHMENT},
    },
    "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
}
JSON_FEED_1_1 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": _STRING,
        "home_page_url": _URL,
        "feed_url": _URL,
        "description": _STRING,
        "user_comment": _STRING,
        "next_url": _URL,
        "icon": _URL,
        "favicon": _URL,
        "authors": {"type": "array", "items": _AUTHOR},
        "language": _STRING,
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": _STRING, "url": _URL},
            },
        },
        "items": {"type": "array", "items": _ITEM},
    },
}


def check_json_feed(text: str) -> dict:
    data = json.loads(text)
    jsonschema.validate(data, JSON_FEED_1_1, format_checker=jsonschema.FormatChecker())
    for item in data["items"]:  # RFC 3339, whether or not the format checker knows date-time
        for key in ("date_published", "date_modified"):
            if key in item:
                assert dt.datetime.fromisoformat(item[key]).tzinfo is not None
    return data


NON_LATIN = "Новости: 東京の朝"


@pytest.fixture
def feed_site(site):
    site.configure(
        """
        title: Feeds test
        description: A site with every feed
        author: Desk
        base_url: https://example.org/blog/
        feeds: [atom, rss, json]
        """
    )
    site.article(
        "tokyo.md",
        NON_LATIN,
        "2024-03-02T08:00:00+09:00",
        "Утренние новости & <b>bold</b> from [the other one](other.md).",
        tags="[Asia, World]",
        categories="[News]",
    )
    site.article(
        "other.md", "Other story", "2024-03-01", "Plain text.", tags="[World]", categories="[News]"
    )
    site.article("later.md", "From the future", "2999-01-01", "Not yet.", tags="[World]")
    site.build()
    return site


FEED_DIRS = ("", "tags/asia/", "tags/world/", "categories/news/")


@pytest.mark.parametrize("folder", FEED_DIRS)
def test_atom_and_rss_parse_in_feedparser(feed_site, folder):
    for name, version in (("feed.xml", "atom10"), ("rss.xml", "rss20")):
        feed = feedparser.parse(feed_site.out(folder + name).encode())
        assert not feed.bozo, (folder + name, feed.get("bozo_exception"))
        assert feed.version == version
        titles = [e.title for e in feed.entries]
        assert "From the future" not in titles
        assert all(e.link.startswith("https://example.org/blog/") for e in feed.entries)
        assert all(e.id.startswith("tag:example.org,2024-03-0") for e in feed.entries)
        assert all(e.get("published_parsed") for e in feed.entries)
    site_atom = feedparser.parse(feed_site.out(folder + "feed.xml").encode())
    site_rss = feedparser.parse(feed_site.out(folder + "rss.xml").encode())
    # the same entries, with the same ids, in both formats
    assert [e.id for e in site_atom.entries] == [e.id for e in site_rss.entries]


def test_site_feeds_hold_the_non_latin_title_and_full_text(feed_site):
    rss = feedparser.parse(feed_site.out("rss.xml").encode())
    atom = feedparser.parse(feed_site.out("feed.xml").encode())
    for feed in (rss, atom):
        assert [e.title for e in feed.entries] == [NON_LATIN, "Other story"]
        first = feed.entries[0]
        assert "Утренние новости &amp; <b>bold</b>" in first.content[0].value
        assert 'href="https://example.org/blog/other/"' in first.content[0].value
        assert {t.term for t in first.tags} == {"Asia", "World"}
    assert rss.feed.link == "https://example.org/blog/"
    assert rss.entries[0].author == "Desk"


@pytest.mark.parametrize("folder", FEED_DIRS)
def test_json_feed_matches_the_1_1_schema(feed_site, folder):
    data = check_json_feed(feed_site.out(folder + "feed.json"))
    assert data["feed_url"] == f"https://example.org/blog/{folder}feed.json"
    assert data["home_page_url"] == f"https://example.org/blog/{folder}"
    assert "From the future" not in [i["title"] for i in data["items"]]
    assert data["items"]


def test_json_feed_content(feed_site):
    data = check_json_feed(feed_site.out("feed.json"))
    first = data["items"][0]
    assert first["title"] == NON_LATIN
    assert first["url"] == "https://example.org/blog/tokyo/"
    assert "Утренние новости &amp; <b>bold</b>" in first["content_html"]
    assert first["tags"] == ["Asia", "World"]
    assert first["authors"] == [{"name": "Desk"}]
    assert first["date_published"] == "2024-03-02T08:00:00+09:00"
    assert data["language"] == "en"


def test_pages_announce_every_feed_and_tag_pages_their_own(feed_site):
    types = {"application/atom+xml", "application/rss+xml", "application/feed+json"}

    def alternates(rel: str) -> list[tuple[str, str]]:
        page = Page(feed_site.out(rel))
        return [
            (link["type"], link["href"])
            for link in page.find_all("link", rel="alternate")
            if link.get("type") in types
        ]

    assert alternates("index.html") == [
        ("application/atom+xml", "feed.xml"),
        ("application/rss+xml", "rss.xml"),
        ("application/feed+json", "feed.json"),
    ]
    tag = alternates("tags/asia/index.html")
    assert tag[:3] == [
        ("application/atom+xml", "feed.xml"),
        ("application/rss+xml", "rss.xml"),
        ("application/feed+json", "feed.json"),
    ]
    assert tag[3:] == [
        ("application/atom+xml", "../../feed.xml"),
        ("application/rss+xml", "../../rss.xml"),
        ("application/feed+json", "../../feed.json"),
    ]


def test_entry_id_survives_a_new_title_and_url(site):
    site.configure("title: T\nbase_url: https://example.org/\nfeeds: [atom, rss, json]\n")
    path = site.article("story.md", "First title", "2024-05-01", "Text.")
    site.build()
    before = check_json_feed(site.out("feed.json"))["items"][0]
    path.write_text(
        "---\ntitle: A better title\ndate: 2024-05-01\nslug: better\n---\n\nText.\n",
        encoding="utf-8",
    )
    site.build()
    after = check_json_feed(site.out("feed.json"))["items"][0]
    assert before["url"] != after["url"] and before["title"] != after["title"]
    assert before["id"] == after["id"] == "tag:example.org,2024-05-01:/story.md"
    atom = feedparser.parse(site.out("feed.xml").encode())
    assert atom.entries[0].id == before["id"]


def test_entry_ids_of_files_named_with_spaces_are_valid_iris(site):
    """Atom's id is an IRI: a space (a content file named as a writer names it) is escaped,
    letters of any script are kept."""
    site.configure("title: T\nbase_url: https://example.org/\nfeeds: [atom, json]\n")
    site.article("my story.md", "Mine", "2024-05-01", "Text.")
    site.article("글/내 글.md", "Korean", "2024-05-02", "Text.")
    site.build()
    ids = [i["id"] for i in check_json_feed(site.out("feed.json"))["items"]]
    assert ids == [
        "tag:example.org,2024-05-02:/글/내%20글.md",
        "tag:example.org,2024-05-01:/my%20story.md",
    ]
    atom = feedparser.parse(site.out("feed.xml").encode())
    assert [e.id for e in atom.entries] == ids


def test_front_matter_id_pins_the_entry_id(site):
    site.configure("title: T\nfeeds: [json]\n")
    site.article("a.md", "A", "2024-05-01", "Text.", id="6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    site.article("b.md", "B", "2024-05-02", "Text.", id="https://old.example.com/posts/b")
    site.build()
    data = check_json_feed(site.out("feed.json"))
    assert [i["id"] for i in data["items"]] == [
        "https://old.example.com/posts/b",
        "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    ]
    assert not site.exists("feed.xml") and not site.exists("rss.xml")


def test_summary_feeds_carry_no_body(site):
    site.configure("title: T\nfeed_content: summary\nfeeds: [atom, rss, json]\n")
    site.article("a.md", "A", "2024-05-01", "First paragraph.\n\nSecret second paragraph.")
    site.build()
    for name in ("feed.xml", "rss.xml", "feed.json"):
        assert "Secret second" not in site.out(name)
    item = check_json_feed(site.out("feed.json"))["items"][0]
    assert item["content_text"] == item["summary"] == "First paragraph."
    atom = feedparser.parse(site.out("feed.xml").encode())
    assert not atom.bozo and atom.entries[0].summary == "First paragraph."


def test_no_feeds(site):
    site.configure("title: T\nfeeds: []\n")
    site.article("a.md", "A", "2024-05-01", "Text.", tags="[X]")
    site.build()
    assert not any(site.exists(f"{d}{n}") for d in ("", "tags/x/") for n in ("feed.xml", "rss.xml"))
    assert "application/atom+xml" not in site.out("index.html")


def test_a_theme_without_the_new_feed_templates_still_builds(site):
    site.configure("title: T\ntheme: old\nfeeds: [atom, rss, json]\n")
    shutil.copytree(bundled_themes_dir() / "default", site.root / "themes" / "old")
    (site.root / "themes/old/templates/rss.xml").unlink()  # a theme older than RSS and JSON
    (site.root / "themes/old/templates/feed.json").unlink()
    site.write("themes/old/templates/feed.xml", "<feed>{{ feed.title }}</feed>\n")
    site.article("a.md", "A", "2024-05-01", "Text.")
    site.build()
    assert site.out("feed.xml") == "<feed>T</feed>\n"  # the theme's own Atom template
    assert not feedparser.parse(site.out("rss.xml").encode()).bozo  # sitegen's RSS template
    check_json_feed(site.out("feed.json"))


def test_unknown_feed_format_names_the_line(tmp_path):
    from sitegen.config import parse_config
    from sitegen.errors import BuildFailed

    with pytest.raises(BuildFailed) as caught:
        parse_config("title: T\nfeeds: [atom, mastodon]\nfeed_content: all\n", tmp_path)
    lines = sorted(e.line for e in caught.value.errors)
    assert lines == [2, 3]
    assert "choose from atom, rss, json" in str(caught.value.errors[0].hint)


def test_old_feed_addresses_keep_their_subscribers(site):
    """`old_feeds` writes a feed again under the name a moved site used (Hugo's index.xml)
    beside every listing, naming the format's own address as the feed's, so a reader that
    follows it moves there; a format's own name is not written twice."""
    site.configure(
        "title: T\nbase_url: https://example.org/\nold_feeds: {index.xml: rss, rss.xml: rss, atom.xml: atom}\n"
    )
    site.article("a.md", "A", "2024-05-01", "Text.", tags="[X]")
    site.build()
    for where in ("", "tags/x/"):
        assert site.out(f"{where}index.xml") == site.out(f"{where}rss.xml")
        assert site.out(f"{where}atom.xml") == site.out(f"{where}feed.xml")
    rss = feedparser.parse(site.out("index.xml").encode())
    assert not rss.bozo and [e.title for e in rss.entries] == ["A"]
    assert 'href="https://example.org/rss.xml"' in site.out("index.xml")
    assert "index.xml" not in site.out("index.html")  # pages announce the feeds' own names


def test_old_feeds_must_name_feed_files_and_formats(tmp_path):
    from sitegen.config import parse_config
    from sitegen.errors import BuildFailed

    for bad in ("{index.xml: mastodon}", "{../up.xml: rss}", "[index.xml]"):
        with pytest.raises(BuildFailed) as caught:
            parse_config(f"title: T\nold_feeds: {bad}\n", tmp_path)
        assert [e.line for e in caught.value.errors] == [2], bad
