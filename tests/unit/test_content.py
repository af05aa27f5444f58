"""Mapping other generators' front matter and file conventions onto Article records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.content.article import Article, SourceFile, discover, load_article, same_listing
from sitegen.errors import Diagnostics
from sitegen.render.markdown import render_markdown


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    (tmp_path / "content").mkdir()
    return SiteConfig(root=tmp_path)


def load(config: SiteConfig, name: str, text: str, diag: Diagnostics | None = None) -> Article:
    path = config.content_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    diag = diag if diag is not None else Diagnostics()
    sources, _ = discover(config, diag)
    source = next(s for s in sources if s.path == path)
    article = load_article(source, config, diag)
    assert article is not None, [str(e) for e in diag.errors]
    return article


def test_jekyll_keys_and_dated_file_name(config):
    diag = Diagnostics()
    article = load(
        config,
        "2023-05-06-my-trip.md",
        "---\nlayout: post\ncategories: travel food\ntags: one two\nexcerpt: The excerpt\n"
        "published: false\n---\n\nBody.\n",
        diag,
    )
    assert article.slug == "my-trip"
    assert article.date == dt.datetime(2023, 5, 6, tzinfo=config.tz)
    assert article.categories == ("travel", "food")
    assert article.tags == ("one", "two")
    assert article.summary == "The excerpt"
    assert article.draft
    assert article.title == "My trip"  # no title: from the file name, with a warning
    assert any("no title" in w.message for w in diag.warnings)
    assert article.meta["layout"] == "post"  # originals kept for templates


def test_jekyll_single_category_keeps_its_spaces(config):
    article = load(config, "a.md", "---\ntitle: A\ncategory: Hot news\n---\nBody\n")
    assert article.categories == ("Hot news",)


def test_jekyll_date_with_offset_is_kept(config):
    article = load(config, "a.md", "---\ntitle: A\ndate: 2020-01-01 10:30:00 +0100\n---\nBody\n")
    assert article.date.isoformat() == "2020-01-01T10:30:00+01:00"


def test_hugo_keys(config):
    text = (
        "---\ntitle: H\ndate: 2024-01-02T08:00:00-05:00\nlastmod: 2024-02-01\n"
        "publishDate: 2024-01-03\nexpiryDate: 2030-01-01\ndescription: Described\n"
        "categories: [Go, Web]\nauthors: [Ann, Bob]\ndraft: true\n---\nBody\n"
    )
    article = load(config, "h.md", text)
    assert article.date.isoformat() == "2024-01-02T08:00:00-05:00"
    assert article.updated.date() == dt.date(2024, 2, 1)
    assert article.publish_date.date() == dt.date(2024, 1, 3)
    assert article.expiry_date.year == 2030
    assert article.summary == "Described"
    assert article.categories == ("Go", "Web")
    assert article.authors == ("Ann", "Bob") and article.author == "Ann"
    assert article.draft


def test_zola_taxonomies_and_updated(config):
    text = (
        '+++\ntitle = "Z"\ndate = 2024-01-02\nupdated = 2024-01-05\ndraft = false\n'
        '[taxonomies]\ntags = ["rust", "web"]\ncategories = ["Code"]\n+++\nBody\n'
    )
    article = load(config, "z.md", text)
    assert article.tags == ("rust", "web")
    assert article.categories == ("Code",)
    assert article.updated.date() == dt.date(2024, 1, 5)
    assert not article.draft


def test_mkdocs_blog_date_mapping_and_draft(config):
    text = (
        "---\ndate:\n  created: 2023-12-31\n  updated: 2024-01-02\ndraft: true\n"
        "categories:\n  - Tips\n---\n\n# From the heading\n\nFirst paragraph.\n"
    )
    article = load(config, "m.md", text)
    assert article.date.date() == dt.date(2023, 12, 31)
    assert article.updated.date() == dt.date(2024, 1, 2)
    assert article.draft
    assert article.title == "From the heading"
    assert "From the heading" not in article.body  # not repeated in the body
    assert article.categories == ("Tips",)


def test_pelican_headers(config):
    text = (
        "Title: Pelican post\nDate: 2022-01-02 10:20\nModified: 2022-02-03\nTags: a, b c\n"
        "Category: Misc\nAuthors: Ann, Bob\nSummary: A summary\n  continued here\n"
        "Status: draft\n\nBody here.\n"
    )
    article = load(config, "p.md", text)
    assert article.title == "Pelican post"
    assert article.date.isoformat() == "2022-01-02T10:20:00+00:00"
    assert article.tags == ("a", "b c")
    assert article.categories == ("Misc",)
    assert article.summary == "A summary continued here"
    assert article.draft


def test_summary_from_more_divider(config):
    article = load(
        config,
        "s.md",
        "---\ntitle: S\n---\nIntro **one**.\n\nIntro two.\n\n<!-- more -->\n\nRest.\n",
    )
    assert article.summary == "Intro one."
    article = load(
        config,
        "t.md",
        "---\ntitle: T\nexcerpt_separator: <!--cut-->\n---\nA b.\n<!--cut-->\nRest.\n",
    )
    assert article.summary == "A b."


@pytest.mark.parametrize("ext", [".md", ".markdown", ".mdown", ".mkd"])
def test_every_markdown_extension_is_content(config, ext):
    article = load(config, f"post{ext}", "---\ntitle: X\n---\nBody\n")
    assert article.slug == "post"


def test_bundles_and_translations_are_discovered(config):
    root = config.content_path
    (root / "trip").mkdir()
    (root / "trip" / "index.md").write_text("---\ntitle: Trip\n---\n![A photo](photo.jpg)\n")
    (root / "trip" / "index.ar.md").write_text("---\ntitle: رحلة\n---\n![صورة](photo.jpg)\n")
    (root / "trip" / "photo.jpg").write_bytes(b"x")
    (root / "trip" / "img").mkdir()
    (root / "trip" / "img" / "b.png").write_bytes(b"x")
    (root / "note.md").write_text("---\ntitle: Note\n---\nx\n")
    (root / "note.fr.md").write_text("---\ntitle: Note FR\n---\nx\n")
    sources, statics = discover(config, Diagnostics())
    by_rel = {s.rel: s for s in sources}
    assert by_rel["trip/index.md"].bundle == "trip"
    assert by_rel["trip/index.md"].resources == ("img/b.png", "photo.jpg")
    assert by_rel["trip/index.ar.md"].lang == "ar"
    assert by_rel["trip/index.ar.md"].translation_key == by_rel["trip/index.md"].translation_key
    assert by_rel["note.fr.md"].lang == "fr"
    assert by_rel["note.fr.md"].translation_key == by_rel["note.md"].translation_key
    assert statics == []
    ar = load_article(by_rel["trip/index.ar.md"], config, Diagnostics())
    assert ar.lang == "ar" and ar.slug == "trip"


def test_markdown_beside_a_bundles_index_is_an_article_not_a_file(config):
    """A guide's chapters beside its index.md (as an MkDocs site has them) are articles of
    their own, never copied as they are with the bundle's pictures."""
    root = config.content_path
    (root / "guide" / "part").mkdir(parents=True)
    (root / "guide" / "index.md").write_text("---\ntitle: Guide\n---\nSee [setup](setup.md).\n")
    (root / "guide" / "setup.md").write_text("---\ntitle: Setup\n---\nx\n")
    (root / "guide" / "setup.fr.md").write_text("---\ntitle: Installation\n---\nx\n")
    (root / "guide" / "part" / "more.md").write_text("---\ntitle: More\n---\nx\n")
    (root / "guide" / "photo.jpg").write_bytes(b"x")
    sources, _ = discover(config, Diagnostics())
    by_rel = {s.rel: s for s in sources}
    assert set(by_rel) == {
        "guide/index.md",
        "guide/setup.md",
        "guide/setup.fr.md",
        "guide/part/more.md",
    }
    assert by_rel["guide/index.md"].resources == ("photo.jpg",)
    assert by_rel["guide/setup.md"].bundle is None
    assert by_rel["guide/setup.md"].translation_key == "guide/setup"
    assert by_rel["guide/setup.fr.md"].translation_key == "guide/setup"
    assert by_rel["guide/setup.fr.md"].lang == "fr"
    assert by_rel["guide/part/more.md"].translation_key == "guide/part/more"


def test_images_are_listed_and_missing_alt_warns(config):
    diag = Diagnostics()
    text = (
        '---\ntitle: I\n---\n![](a.png)\n\n<img src="b.png">\n\n<img src="c.png" alt="">\n\n'
        '```\n![](not-an-image.png)\n```\n\n![Good][ref]\n\n[ref]: d.png "Title"\n'
    )
    article = load(config, "i.md", text, diag)
    assert [(r.src, r.line) for r in article.images] == [
        ("a.png", 4),
        ("b.png", 6),
        ("c.png", 8),
        ("d.png", 14),
    ]
    assert article.images[3].title == "Title"
    warned = sorted((w.line, w.message) for w in diag.warnings if "alt" in w.message)
    assert warned == [(4, "image without alt text: a.png"), (6, "image without alt text: b.png")]
    assert article.image == "a.png"  # the first image is the article's picture


def test_front_matter_image_wins(config):
    article = load(config, "i.md", "---\ntitle: I\nimages: [/img/cover.png]\n---\n![x](a.png)\n")
    assert article.image == "/img/cover.png"


def test_template_syntax_warns_with_file_line_and_name(config):
    diag = Diagnostics()
    article = load(
        config,
        "h.md",
        "---\ntitle: H\n---\nText\n\n{{< youtube abc >}}\n\n{% include x.html %}\n",
        diag,
    )
    messages = {(w.path, w.line, w.message.split(" is ")[0]) for w in diag.warnings}
    assert ("content/h.md", 6, "Hugo shortcode 'youtube'") in messages
    assert ("content/h.md", 8, "Liquid tag 'include'") in messages
    assert "{{" not in article.body and "{%" not in article.body


def test_bad_date_names_the_line(config):
    diag = Diagnostics()
    path = config.content_path / "bad.md"
    path.write_text("---\ntitle: B\n\ndate: someday\n---\nBody\n")
    assert load_article(SourceFile(path, "bad.md", None, "bad", None), config, diag) is None
    assert diag.errors[0].line == 4 and diag.errors[0].path == "content/bad.md"


@pytest.mark.parametrize("key", ["updated", "lastmod", "modified", "last_modified_at"])
def test_bad_update_date_names_the_line_of_the_key_used(config, key):
    diag = Diagnostics()
    path = config.content_path / "bad.md"
    path.write_text(f"---\ntitle: B\ndate: 2024-01-01\n\n{key}: whenever\n---\nBody\n")
    assert load_article(SourceFile(path, "bad.md", None, "bad", None), config, diag) is None
    assert (diag.errors[0].line, diag.errors[0].path) == (5, "content/bad.md")
    assert diag.errors[0].message.startswith(f"{key}: cannot read")


@pytest.mark.parametrize(
    "written", ["2024-01-01 10:00 UTC", "2024-01-01 10:00 GMT", "2024-01-01 10:00 Z"]
)
def test_utc_zone_names_are_read_as_utc(tmp_path, written):
    (tmp_path / "content").mkdir()
    config = SiteConfig(root=tmp_path, timezone="Europe/Berlin")
    diag = Diagnostics()
    article = load(config, "a.md", f"---\ntitle: A\ndate: {written}\n---\nBody\n", diag)
    assert article.date.isoformat() == "2024-01-01T10:00:00+00:00"
    assert not diag.warnings


@pytest.mark.parametrize("key", ["date", "pubDate", "updated", "publishDate"])
@pytest.mark.parametrize("zone", ["CET", "CST", "(Europe/Paris)"])
def test_other_zone_names_warn_at_their_line_and_say_the_zone_used(tmp_path, key, zone):
    """No abbreviation is guessed at (CST is three zones); the time is read in the site's
    zone, and the warning says so rather than dropping the name silently."""
    (tmp_path / "content").mkdir()
    config = SiteConfig(root=tmp_path, timezone="Europe/Berlin")
    diag = Diagnostics()
    dated = "" if key in ("date", "pubDate") else "date: 2023-06-01"
    text = f"---\ntitle: A\n{dated}\n\n{key}: 2024-01-01 10:00 {zone}\n---\nBody\n"
    article = load(config, "a.md", text, diag)
    [warning] = [w for w in diag.warnings if "time zone" in w.message]
    assert (warning.path, warning.line) == ("content/a.md", 5)
    assert zone.strip("()") in warning.message and "Europe/Berlin" in warning.message
    assert "+01:00" in warning.hint
    read = {"updated": article.updated, "publishDate": article.publish_date}
    read["date"] = read["pubDate"] = article.date
    assert read[key].isoformat().startswith("2024-01-01T10:00:00")


def test_more_date_spellings_and_aliases(config):
    article = load(config, "a.md", "Title: A\nDate: 2020/01/31 10:00\n\nBody\n")
    assert article.date.isoformat() == "2020-01-31T10:00:00+00:00"
    article = load(
        config,
        "b.md",
        "---\ntitle: B\npublished: 2021-02-03\nunpublishdate: 2022-01-01\n"
        "last_modified_at: 2021-03-04\n---\nBody\n",
    )
    assert article.date.date() == dt.date(2021, 2, 3) and not article.draft
    assert article.expiry_date.year == 2022 and article.updated.date() == dt.date(2021, 3, 4)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("summary: [a list]", "summary should be text, not a list"),
        ("description: {a: 1}", "description should be text, not a mapping"),
        ("excerpt: true", "excerpt should be text, not true or false"),
    ],
)
def test_a_summary_that_is_not_text_warns_at_its_line(config, written, shown):
    diag = Diagnostics()
    article = load(config, "s.md", f"---\ntitle: S\n\n{written}\n---\nFirst para.\n", diag)
    assert article.summary == "First para."
    [warning] = [w for w in diag.warnings if "should be text" in w.message]
    assert (warning.path, warning.line) == ("content/s.md", 4)
    assert warning.message.startswith(shown) and "first paragraph is used" in warning.message


def test_a_number_summary_is_text(config):
    diag = Diagnostics()
    assert load(config, "s.md", "---\ntitle: S\nsummary: 42\n---\nBody.\n", diag).summary == "42"
    assert not diag.warnings


@pytest.mark.parametrize(
    ("written", "shown"),
    [("{a: 1}", "got a mapping"), ("[/ok/, {a: 1}]", "got a mapping"), ("[2024-01-01]", "a date")],
)
def test_aliases_of_the_wrong_type_say_so_in_words(config, written, shown):
    diag = Diagnostics()
    path = config.content_path / "a.md"
    path.write_text(f"---\ntitle: A\n\naliases: {written}\n---\nBody\n")
    assert load_article(SourceFile(path, "a.md", None, "a", None), config, diag) is None
    [error] = diag.errors
    assert error.line == 4 and shown in error.message
    assert "{" not in error.message and "datetime" not in error.message


def test_jekyll_drafts_folder_and_kramdown_attributes(config):
    article = load(config, "_drafts/idea.md", "---\ntitle: Idea\n---\nText.\n{: .notice}\n")
    assert article.draft
    assert article.summary == "Text."  # kramdown's attribute line is not text
    html = render_markdown(article.body).html
    assert '<p class="notice">Text.</p>' in html and "{:" not in html


def test_a_heading_repeating_the_title_is_not_shown_twice(config):
    article = load(config, "a.md", "---\ntitle: Same title\n---\n\n# Same Title\n\nBody.\n")
    assert article.body.strip() == "Body."
    other = load(config, "b.md", "---\ntitle: Title\n---\n# Another heading\n\nBody.\n")
    assert other.body.startswith("# Another heading")


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31T23:59:59-12:00", "[1, 2]", "true", "1e999"]
)
def test_dates_that_cannot_be_used_are_errors_with_their_line(tmp_path, value) -> None:
    """Year 1 or 9999 would overflow once moved into another time zone: an error, never a crash."""
    from sitegen.cli import main

    (tmp_path / "site.yaml").write_text("title: T\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(f"---\ntitle: a\ndate: {value}\n---\nBody\n")
    assert main(["--site", str(tmp_path), "build", "--future", "-q"]) == 1


@pytest.mark.parametrize(
    ("front", "listed"),
    [
        ("---\ntitle: About\nlisted: false\n---\n", False),
        ("---\ntitle: About\nlisted: no\n---\n", False),
        ("---\ntitle: About\nbuild:\n  list: never\n  render: always\n---\n", False),
        ("+++\ntitle = 'About'\n[_build]\nlist = 'never'\n+++\n", False),
        ("Title: About\nStatus: hidden\n\n", False),
        ("---\ntitle: Story\nbuild:\n  list: local\n---\n", True),
        ("---\ntitle: Story\nlisted: true\n---\n", True),
        ("---\ntitle: Story\n---\n", True),
    ],
)
def test_pages_of_their_own_are_not_listed(config, front, listed):
    """`listed: false` and the other generators' spellings of it (Hugo's `build: {list:
    never}`, Pelican's `status: hidden`) make a page of its own, published, not a draft."""
    article = load(config, "about.md", front + "Body.\n")
    assert article.listed is listed
    assert not article.draft


def test_control_characters_are_removed_with_a_warning_at_their_line(config):
    """NUL and other C0 controls (in the text, or made by a YAML escape) would break every
    feed holding the article: they go, and the warning names the line."""
    diag = Diagnostics()
    article = load(
        config,
        "ctl.md",
        '---\ntitle: "ctl \\x01 title"\ntags: ["a\\x02b"]\ndate: 2024-01-01\n---\nhello\x00world\x0c\n',
        diag,
    )
    assert article.title == "ctl  title" and article.tags == ("ab",)
    assert b"\x00" not in article.body_utf8 and b"\x0c" not in article.body_utf8
    warned = {(w.line, w.message.split(":")[0]) for w in diag.warnings}
    assert (2, "'title'") in warned and (3, "'tags'") in warned
    assert (6, "control character U+0000 removed (with any others)") in warned


def test_thousands_of_tags_on_one_article_are_cut_with_a_warning(config):
    """Each tag has a page and feeds listing the article with all its tags: 10,000 of them
    made gigabytes in minutes. The first MAX_TERMS are kept, and the warning says so."""
    from sitegen.content.article import MAX_TERMS

    diag = Diagnostics()
    names = ", ".join(f"t{i}" for i in range(5000))
    article = load(
        config,
        "many.md",
        f"---\ntitle: Many\nkeywords: [{names}]\ncategories: [{names}]\n---\nText.\n",
        diag,
    )
    assert article.tags == tuple(f"t{i}" for i in range(MAX_TERMS))
    assert len(article.categories) == MAX_TERMS
    warned = {(w.line, w.message) for w in diag.warnings}
    assert (3, f"keywords: 5000 names given; only the first {MAX_TERMS} are kept") in warned
    assert (4, f"categories: 5000 names given; only the first {MAX_TERMS} are kept") in warned


def test_c1_controls_noncharacters_and_lone_surrogates_are_removed_too(config):
    """DEL, the C1 controls and U+FDD0 are parse errors in every HTML page that shows them; a
    lone surrogate (a JSON escape) stopped the build with a traceback as it was written out."""
    diag = Diagnostics()
    article = load(
        config,
        "c1.md",
        '{"title": "a\\u007f\\u0085b\\ufdd0", "date": "2024-01-01", "tags": ["x\\ud800"],\n'
        '"summary": "\\udc00s"}\nbody\u009b\n',
        diag,
    )
    assert article.title == "ab" and article.tags == ("x",) and article.summary == "s"
    assert "\u009b".encode() not in article.body_utf8
    assert {w.message.split(":")[0] for w in diag.warnings} >= {"'title'", "'tags'", "'summary'"}


@pytest.mark.parametrize("given", ["/", "..", "  ", "---"])
def test_a_slug_without_letters_or_digits_warns_where_the_page_went(config, given):
    """`slug: /` (meaning the home page) or `slug: ..` gave a made-up address in silence."""
    diag = Diagnostics()
    article = load(config, "s.md", f"---\ntitle: S\nslug: {given!r}\n---\nText.\n", diag)
    assert article.slug.startswith("article-")
    assert [(w.line, w.message) for w in diag.warnings] == [
        (3, f"slug: {given!r} has no letters or digits; the page is at {article.slug}/")
    ]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_mark_is_an_error_saying_so(config, encoding):
    """Read as UTF-8, its NULs were removed with a warning about pasted binary data."""
    path = config.content_path / "u16.md"
    path.write_bytes("---\ntitle: Sixteen\n---\nText.\n".encode(encoding))
    diag = Diagnostics()
    sources, _ = discover(config, diag)
    assert load_article(sources[0], config, diag) is None
    assert [(e.line, e.message, e.hint) for e in diag.errors] == [
        (1, "not UTF-8: this looks like UTF-16 without a byte-order mark", "save the file as UTF-8")
    ]
    assert not diag.warnings


@pytest.mark.parametrize("date", ["{a: 1}", "{updated: 2024-01-02}", "{}"])
def test_a_date_mapping_without_created_is_an_error(config, date):
    """MkDocs' `date: {created: ...}` is read; any other mapping was no date at all, and the
    article went out dated `default_date` without a word."""
    diag = Diagnostics()
    path = config.content_path / "d.md"
    path.write_text(f"---\ntitle: D\ndate: {date}\n---\nx\n", encoding="utf-8")
    sources, _ = discover(config, diag)
    assert load_article(sources[0], config, diag) is None
    assert [(e.line, e.message) for e in diag.errors] == [
        (3, "date: a mapping without 'created' is not a date")
    ]


def test_keys_given_twice_and_flags_that_are_neither_warn_at_their_line(config):
    diag = Diagnostics()
    article = load(
        config,
        "twice.md",
        "---\ntitle: A\ndate: 2024-01-01\ndraft: maybe\ntitle: B\nimage: 'javascript:alert(9)'\n"
        "---\nText.\n",
        diag,
    )
    assert article.title == "B" and not article.draft
    messages = {(w.line, w.message) for w in diag.warnings}
    assert (5, "'title' is given twice (lines 2 and 5): the last one is used") in messages
    assert (4, "'draft': 'maybe' is neither true nor false; read as false") in messages


def test_the_same_error_twice_is_reported_once():
    from sitegen.errors import SiteError

    diag = Diagnostics()
    diag.error(SiteError("same", "a.md", 1))
    diag.error(SiteError("same", "a.md", 1))  # one template error met by every page
    assert len(diag.errors) == 1


def test_a_title_list_is_reported_once(config):
    diag = Diagnostics()
    path = config.content_path / "t.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\ntitle: [a, b]\ndate: 2024-01-01\n---\nx\n", encoding="utf-8")
    sources, _ = discover(config, diag)
    assert load_article(sources[0], config, diag) is None
    assert [(e.line, e.message) for e in diag.errors] == [(2, "title: expected text, got a list")]


def test_a_misspelt_title_key_is_named_with_its_line(config):
    """A real Zola post had `tilte = "..."`: the error points at that line and says what to
    rename, not only that a title is missing."""
    diag = Diagnostics()
    path = config.content_path / "t.md"
    path.write_text('+++\ndate = 2020-10-18\ntilte = "Docker"\n+++\nx\n', encoding="utf-8")
    sources, _ = discover(config, diag)
    assert load_article(sources[0], config, diag) is None
    [error] = diag.errors
    assert error.line == 3 and "the front matter has 'tilte'" in error.message
    assert error.hint == "rename 'tilte' to 'title'"
    path.write_text("---\ndate: 2020-10-18\nsummary: x\n---\nx\n", encoding="utf-8")
    diag = Diagnostics()
    assert load_article(discover(config, diag)[0][0], config, diag) is None
    assert [(e.line, e.message) for e in diag.errors] == [(1, "title is required")]


def test_the_quick_control_character_check_never_misses_one() -> None:
    """`_may_hold_control` (a bytes pass for ASCII text) says yes wherever the regex finds a
    character no page may hold, and no for ASCII text without one."""
    import random

    from sitegen.content.article import _may_hold_control
    from sitegen.text.textstats import NOT_TEXT

    rng = random.Random(3)
    picks = [0x1F, 0x7F, 0x0B, 0x0C, 10, 13, 9, 0xE9, 0xFFFE, 0x2028]
    for _ in range(20_000):
        text = "".join(
            chr(rng.choice([rng.randrange(0, 128), *picks])) for _ in range(rng.randrange(0, 8))
        )
        if NOT_TEXT.search(text) is not None:
            assert _may_hold_control(text), repr(text)
        elif text.isascii():
            assert not _may_hold_control(text), repr(text)


def test_a_batch_of_edited_content_files_keeps_the_listing(config):
    """`same_listing`: a watcher's batch naming only content files the last walk found, still
    regular files, leaves every other file as it was (no walk needed); a batch naming anything
    else (a new, deleted or moved file, a folder, a link, a file outside content/) does not."""
    content = config.content_path
    for name in ("a.md", "b.md", "sub/c.md"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(f"---\ntitle: {name}\n---\ntext\n")
    sources, _ = discover(config, Diagnostics())
    assert same_listing({content / "a.md"}, sources) == {"b.md", "sub/c.md"}
    assert same_listing({content / "a.md", content / "sub/c.md"}, sources) == {"b.md"}
    (content / "new.md").write_text("---\ntitle: new\n---\n")
    assert same_listing({content / "new.md"}, sources) is None
    (content / "b.md").unlink()
    assert same_listing({content / "b.md"}, sources) is None
    assert same_listing({content / "sub"}, sources) is None
    assert same_listing({config.root / "site.yaml"}, sources) is None
    (content / "a.md").unlink()
    (content / "a.md").symlink_to(content / "sub" / "c.md")
    assert same_listing({content / "a.md"}, sources) is None


def test_jekyll_one_digit_month_and_day_in_a_file_name(config):
    """Jekyll reads `2016-11-5-dino.md` as a post of 5 November 2016, slug `dino`."""
    article = load(config, "2016-11-5-dino.md", "---\ntitle: Dino\n---\nJump.\n")
    assert article.slug == "dino"
    assert article.date == dt.datetime(2016, 11, 5, tzinfo=config.tz)


@pytest.mark.parametrize(
    ("categories", "url"),
    [
        ("[Travel, Hot News]", "/travel/hot-news/2020/05/dino/"),
        ("[]", "/2020/05/dino/"),  # no categories: no empty folder (`//2020/`)
    ],
)
def test_a_permalink_pattern_fills_in_the_categories(config, categories, url):
    article = load(
        config,
        "dino.md",
        f"---\ntitle: Dino\ndate: 2020-05-01\ncategories: {categories}\n"
        "permalink: /:categories/:year/:month/:title/\n---\nJump.\n",
    )
    assert article.url == url


def test_an_empty_title_is_named_as_empty_not_as_misspelt(config):
    """`title:` with nothing after it (or `null`) is said plainly: the key is not misspelt."""
    for text in ("---\ntitle:\ndate: 2024-01-01\n---\nx\n", '---\ntitle: ""\n---\nx\n'):
        diag = Diagnostics()
        (config.content_path / "t.md").write_text(text, encoding="utf-8")
        assert load_article(discover(config, diag)[0][0], config, diag) is None
        [error] = diag.errors
        assert (error.line, error.message) == (2, "title is empty"), str(error)
        assert "misspelt" not in str(error)


def test_an_author_list_gives_names_never_a_python_list(config):
    article = load(config, "a.md", "---\ntitle: A\nauthor: [Ann, Bob]\n---\nx\n")
    assert article.author == "Ann" and article.authors == ("Ann", "Bob")
    diag = Diagnostics()
    (config.content_path / "a.md").write_text(
        "---\ntitle: A\ndate: 2024-01-01\nauthor: [{name: Ann}, 3]\n---\nx\n", encoding="utf-8"
    )
    assert load_article(discover(config, diag)[0][0], config, diag) is None
    assert [(e.line, e.message) for e in diag.errors] == [
        (4, "author: expected a name or a list of names")
    ]


def test_a_wrong_category_or_keywords_value_names_the_line_of_the_key_used(config):
    diag = Diagnostics()
    (config.content_path / "c.md").write_text(
        "---\ntitle: C\ndate: 2024-01-01\nkeywords: [[a]]\ncategory: [a, [b]]\n---\nx\n",
        encoding="utf-8",
    )
    assert load_article(discover(config, diag)[0][0], config, diag) is None
    assert sorted((e.line, e.message.split(":")[0]) for e in diag.errors) == [
        (4, "tags"),
        (5, "categories"),
    ]


def test_a_pipe_in_content_is_left_out_with_a_warning_not_read(config):
    """Reading a named pipe waits for a writer forever: the build would hang."""
    import os

    (config.content_path / "ok.md").write_text("---\ntitle: Ok\n---\nx\n", encoding="utf-8")
    os.mkfifo(config.content_path / "pipe.md")
    diag = Diagnostics()
    sources, _ = discover(config, diag)
    assert [s.rel for s in sources] == ["ok.md"]
    assert not diag.errors
    assert [(w.path, w.message) for w in diag.warnings] == [
        (
            str(config.content_path / "pipe.md"),
            "not a regular file (a pipe, socket or device); left out",
        )
    ]


def test_a_tag_given_twice_in_two_unicode_compositions_is_kept_once(config):
    article = load(config, "t.md", "---\ntitle: T\ntags: [Caf\u00e9, cafe\u0301, CAFÉ]\n---\nx\n")
    assert article.tags == ("Caf\u00e9",)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_with_its_byte_order_mark_is_read_as_seeds_are(config, encoding):
    """Windows editors save "Unicode" as UTF-16 with a byte-order mark (the seed importer reads
    it): the article builds, in place of an error about a byte at offset 0."""
    text = "\ufeff---\r\ntitle: Caf\u00e9\r\ndate: 2024-01-01\r\n---\r\nBody \u20ac\r\n"
    (config.content_path / "u.md").write_bytes(text.encode(encoding))
    diag = Diagnostics()
    article = load_article(discover(config, diag)[0][0], config, diag)
    assert article is not None and not diag.errors and not diag.warnings
    assert article.title == "Caf\u00e9" and "Body \u20ac" in article.body


def test_broken_utf16_is_an_error_saying_so(config):
    (config.content_path / "u.md").write_bytes(b"\xff\xfe-\x00-\x00-\x00\n\x00\x00\xdc")
    diag = Diagnostics()
    assert load_article(discover(config, diag)[0][0], config, diag) is None
    [error] = diag.errors
    assert error.message.startswith("not valid UTF-16") and error.hint == "save the file as UTF-8"


def test_a_date_list_is_named_as_a_list_not_as_python_code(config):
    diag = Diagnostics()
    (config.content_path / "d.md").write_text(
        "---\ntitle: D\ndate: [2024-01-01]\nupdated: {a: 1}\n---\nx\n", encoding="utf-8"
    )
    assert load_article(discover(config, diag)[0][0], config, diag) is None
    assert [(e.line, e.message) for e in diag.errors] == [
        (3, "date: cannot read a list as a date"),
        (4, "updated: cannot read a mapping as a date"),
    ]


def test_a_slug_list_or_mapping_is_an_error_not_a_made_up_address(config):
    """`slug: [a, b]` was read as the text "['a', 'b']", so the page went to /a-b/ silently."""
    for value in ("[a, b]", "{a: 1}"):
        diag = Diagnostics()
        (config.content_path / "s.md").write_text(
            f"---\ntitle: S\ndate: 2024-01-01\nslug: {value}\n---\nx\n", encoding="utf-8"
        )
        assert load_article(discover(config, diag)[0][0], config, diag) is None
        assert [(e.line, e.message) for e in diag.errors] == [
            (4, "slug: expected text, got a " + ("list" if "[" in value else "mapping"))
        ]
    assert load(config, "s.md", "---\ntitle: S\nslug: 2024\n---\nx\n").slug == "2024"


@pytest.mark.parametrize(
    ("written", "hour"), [("10:00 pm", 22), ("10:00PM", 22), ("12:30 a.m.", 0), ("12:05 pm", 12)]
)
def test_a_twelve_hour_time_is_read_as_one(config, written, hour):
    """`10:00 pm` is 22:00, not 10:00 with a time zone named "pm"."""
    diag = Diagnostics()
    article = load(config, "a.md", f"---\ntitle: A\ndate: 2024-01-01 {written}\n---\nBody\n", diag)
    assert article.date.hour == hour
    assert not diag.warnings
