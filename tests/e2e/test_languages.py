"""Multilingual sites, built and read back: language folders (Hugo's content/en/, content/ja/),
a section per language with its own index, tags, archive and feed, translated tags kept, the
theme's words and dates in the page's language, right-to-left pages, and the Nu checker on them.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import feedparser
import pytest

from sitegen.errors import BuildFailed
from tests.sitecheck import check_on_disk, run_vnu, vnu_jar

XHTML = "{http://www.w3.org/1999/xhtml}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def hugo_folders(site):
    """A Hugo-style site translated by folder: content/en/blog/..., content/ja/blog/..."""
    site.configure(
        """\
        title: Folders
        base_url: https://example.org/
        languages:
          - {code: en, name: English}
          - {code: ja, name: 日本語}
        """
    )
    site.write(
        "content/en/blog/first.md",
        "---\ntitle: First post\ndate: 2024-03-01\ntags: [release]\n---\nHello.\n",
    )
    site.write(
        "content/ja/blog/first.md",
        "---\ntitle: 最初の投稿\ndate: 2024-03-01\ntags: [リリース, 告知]\n---\nこんにちは。\n",
    )
    site.write(
        "content/en/blog/english-name.md",
        "---\ntitle: Keyed\ndate: 2024-02-01\ntranslationKey: keyed\n---\nKeyed text.\n",
    )
    site.write(
        "content/ja/blog/japanese-name.md",
        "---\ntitle: キー付き\ndate: 2024-02-01\ntranslationKey: keyed\n---\n本文。\n",
    )
    site.write(
        "content/ja/blog/only-ja.md", "---\ntitle: 日本語だけ\ndate: 2024-01-01\n---\n本文。\n"
    )
    site.write("content/en/_index.md", "---\ntitle: Home\n---\n")
    return site


def test_language_folders_pair_translations_by_path_and_key(hugo_folders, parse):
    result = hugo_folders.build()
    assert not result.diagnostics.errors
    english = parse(hugo_folders.out("first/index.html"))
    japanese = parse(hugo_folders.out("ja/first/index.html"))
    assert english.find_all("html")[0]["lang"] == "en"
    assert japanese.find_all("html")[0]["lang"] == "ja"
    hreflangs = {
        a["hreflang"]: a["href"]
        for a in english.find_all("link", rel="alternate")
        if a.get("hreflang")
    }
    assert hreflangs == {
        "en": "https://example.org/first/",
        "ja": "https://example.org/ja/first/",
        "x-default": "https://example.org/first/",
    }
    keyed = parse(hugo_folders.out("english-name/index.html"))
    assert any(a.get("hreflang") == "ja" for a in keyed.find_all("a")), "translationKey pairs them"
    assert hugo_folders.exists("ja/japanese-name/index.html")
    assert "日本語" in english.text, "the other version is named in its own language"


def test_each_language_has_its_own_index_tags_archive_and_feed(hugo_folders, parse):
    config = (hugo_folders.root / "site.yaml").read_text()
    hugo_folders.configure(config + "file_urls: true\n")  # so check_on_disk can follow links
    hugo_folders.build()
    home = parse(hugo_folders.out("index.html"))
    assert (
        "First post" in home.text
        and "最初の投稿" not in home.text
        and "日本語だけ" not in home.text
    )
    ja_home = parse(hugo_folders.out("ja/index.html"))
    assert ja_home.find_all("html")[0]["lang"] == "ja"
    assert "最初の投稿" in ja_home.text and "日本語だけ" in ja_home.text
    assert "First post" not in ja_home.text
    assert "最新ニュース" in ja_home.text, "the theme speaks Japanese"
    for rel in ("tags/release/", "ja/tags/", "ja/archive/"):
        assert hugo_folders.exists(rel + "index.html"), rel
    ja_tag_pages = sorted(
        p.parent.name for p in (hugo_folders.root / "build/ja/tags").glob("*/index.html")
    )
    assert len(ja_tag_pages) == 2, "both Japanese tags have a page"
    article = parse(hugo_folders.out("ja/first/index.html"))
    tag_links = [a["href"] for a in article.find_all("a", rel="tag")]
    assert len(tag_links) == 2 and all(h.startswith("../tags/") for h in tag_links), tag_links
    feed = feedparser.parse(hugo_folders.out("ja/feed.xml"))
    assert not feed.bozo
    assert feed.feed.language == "ja"
    assert {e.title for e in feed.entries} == {"最初の投稿", "キー付き", "日本語だけ"}
    archive = parse(hugo_folders.out("ja/archive/index.html"))
    assert "2024年3月" in archive.text
    search = parse(hugo_folders.out("ja/search/index.html"))
    assert search.find_all("html")[0]["lang"] == "ja" and "<h1>検索</h1>" in search.html
    (form,) = search.find_all("form", **{"class": "search-form"})
    assert form["data-search-index"] == "../../search/manifest.js", "the one index at /search/"
    (header,) = article.find_all("form", **{"class": "site-search"})
    assert header["action"] == "../search/index.html", "a Japanese page searches in Japanese"
    missing = parse(hugo_folders.out("ja/404.html"))
    assert missing.find_all("html")[0]["lang"] == "ja" and "ページが見つかりません" in missing.text
    assert "/ja/archive/" in missing.links(), "a missed address in /ja/ leads on in Japanese"
    assert check_on_disk(hugo_folders.root / "build", skip=("404.html", "ja/404.html")) == []


def test_sitemap_lists_hreflang_alternates(hugo_folders):
    hugo_folders.build()
    root = ET.fromstring(hugo_folders.out("sitemap.xml"))
    entries = {
        u.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href") for link in u.findall(f"{XHTML}link")
        }
        for u in root.findall(f"{SITEMAP}url")
    }
    assert entries["https://example.org/ja/first/"] == {
        "en": "https://example.org/first/",
        "ja": "https://example.org/ja/first/",
    }
    assert entries["https://example.org/"]["ja"] == "https://example.org/ja/"
    assert entries["https://example.org/ja/only-ja/"] == {}


@pytest.fixture
def catalan(site):
    """An English original with Catalan and Spanish translations whose tags differ."""
    site.configure(
        """\
        title: Tres
        languages:
          - {code: en, name: English}
          - {code: ca, name: Català}
          - {code: es, name: Español}
        """
    )
    site.article("launch.md", "Launch", "2017-02-20", "English text.", tags="[feature]")
    site.article(
        "launch.ca.md",
        "Llançament",
        "2017-02-20",
        "Text en català.",
        tags="[funcionalitat, novetats]",
    )
    site.article("launch.es.md", "Lanzamiento", "2017-02-20", "Texto.", tags="[novedades]")
    return site


def test_translations_keep_every_tag_each_with_a_page_in_its_language(catalan, parse):
    assert not catalan.build().diagnostics.errors
    for rel in (
        "tags/feature/",
        "ca/tags/funcionalitat/",
        "ca/tags/novetats/",
        "es/tags/novedades/",
    ):
        assert catalan.exists(rel + "index.html"), rel
        assert catalan.exists(rel + "feed.xml"), rel
    tag_page = parse(catalan.out("ca/tags/funcionalitat/index.html"))
    assert "Llançament" in tag_page.text and "Launch" not in tag_page.text
    page = parse(catalan.out("ca/launch/index.html"))
    assert [a["href"] for a in page.find_all("a", rel="tag")] == [
        "../tags/funcionalitat/",
        "../tags/novetats/",
    ]
    assert not catalan.exists("tags/funcionalitat/index.html"), "the English pages stay English"


def test_catalan_page_speaks_catalan_and_dates_come_from_cldr(catalan, parse):
    catalan.build()
    page = parse(catalan.out("ca/launch/index.html"))
    assert "Temes" in page.text and "Topics" not in page.text
    assert "Arxiu" in page.text and "min de lectura" in page.text
    assert "20 de febrer del 2017" in page.text  # Babel's CLDR long date for ca
    spanish = parse(catalan.out("es/launch/index.html"))
    assert "20 de febrero de 2017" in spanish.text and "Temas" in spanish.text
    english = parse(catalan.out("launch/index.html"))
    assert "February 20, 2017" in english.text and "Topics" in english.text
    switcher = [a for a in page.find_all("a") if a.get("hreflang") and a.get("lang")]
    assert {a["lang"] for a in switcher} >= {"en", "ca", "es"}


def test_site_messages_and_a_strftime_date_format_win(catalan, parse):
    catalan.write("i18n/ca.yaml", "topics: Etiquetes\n")
    text = (catalan.root / "site.yaml").read_text()
    catalan.configure(text + 'date_format: "%Y-%m-%d"\n')
    catalan.build()
    page = parse(catalan.out("ca/launch/index.html"))
    assert "Etiquetes" in page.text and "Temes" not in page.text
    assert "Arxiu" in page.text, "other keys still come from the theme"
    assert "2017-02-20" in page.text


def test_a_cldr_pattern_date_format_is_localised(catalan, parse):
    text = (catalan.root / "site.yaml").read_text()
    catalan.configure(text + "date_format: d MMM y\n")
    catalan.build()
    assert "20 de febr. 2017" in parse(catalan.out("ca/launch/index.html")).text


@pytest.fixture
def arabic(site):
    site.configure(
        """\
        title: Bilingual
        languages: [en, ar]
        """
    )
    code = "```python\n" + "x = " + " + ".join(["value"] * 60) + "\n```\n"
    site.article("report.md", "Report", "2024-05-01", "Text.\n\n" + code, tags="[news]")
    site.article(
        "report.ar.md",
        "تقرير",
        "2024-05-01",
        "نص عربي طويل بما يكفي للقراءة.\n\n" + code,
        tags="[أخبار]",
    )
    return site


def test_arabic_pages_are_right_to_left_and_in_arabic(arabic, parse):
    assert not arabic.build().diagnostics.errors
    page = parse(arabic.out("ar/report/index.html"))
    html = page.find_all("html")[0]
    assert (html["lang"], html["dir"]) == ("ar", "rtl")
    assert "المواضيع" in page.text and "الأرشيف" in page.text
    assert all(p.get("tabindex") == "0" for p in page.find_all("pre"))
    index = parse(arabic.out("ar/index.html"))
    assert index.find_all("html")[0]["dir"] == "rtl"
    assert parse(arabic.out("report/index.html")).find_all("html")[0]["dir"] == "ltr"


@pytest.mark.skipif(vnu_jar() is None or shutil.which("java") is None, reason="needs java")
def test_nu_checker_passes_right_to_left_pages(arabic):
    arabic.build()
    errors = run_vnu(arabic.root / "build")
    assert errors == []


@pytest.mark.parametrize(
    "settings, message",
    [
        ("languages: [en, xx-not-a-code-at-all]\n", "not a language code"),
        ("language: fr\nlanguages: [en, fr]\n", "first of 'languages'"),
        ("languages: [{code: en, colour: red}]\n", "unknown key 'colour'"),
        ("languages: [{code: ar, dir: up}]\n", "expected ltr or rtl"),
        ("languages: [{code: en, folder: ../x}]\n", "must be a folder inside content/"),
        ("broken_links: maybe\n", "expected error or warn"),
    ],
)
def test_config_checks_languages(site, settings, message):
    site.configure(settings)
    with pytest.raises(BuildFailed) as info:
        site.build()
    error = info.value.errors[0]
    assert message in error.message and str(error.path).endswith("site.yaml") and error.line


def test_a_site_without_languages_keeps_one_listing_and_gives_translations_their_tags(site, parse):
    site.configure("title: One\n")
    site.article("story.md", "Story", "2024-01-02", "Text.", tags="[Iraq]")
    site.article("story.fr.md", "Histoire", "2024-01-02", "Texte.", tags="[Irak]")
    site.article("only-fr.md", "Seulement", "2024-01-01", "Texte.", lang="fr")
    site.build()
    home = parse(site.out("index.html"))
    assert "Story" in home.text and "Seulement" in home.text and "Histoire" not in home.text
    assert site.exists("fr/tags/irak/index.html")
    french = parse(site.out("fr/story/index.html"))
    assert [a["href"] for a in french.find_all("a", rel="tag")] == ["../tags/irak/"]
    assert "Sujets" in french.text


def test_a_page_names_only_the_versions_of_it_that_exist(site):
    """A language without categories has no categories page: the other language's does not
    name one (hreflang to a page never written)."""
    site.configure("title: T\nlanguages: [en, fr]\n")
    site.article("a.md", "A", categories="[News]")
    site.article("b.fr.md", "B")
    site.build()
    assert not site.exists("fr/categories/index.html")
    assert "/fr/categories/" not in site.out("categories/index.html")
    assert 'hreflang="fr"' in site.out("tags/index.html")  # both languages have that one


def test_a_site_message_no_page_fills_is_warned_at_its_line(site):
    site.article("a.md", "A")
    site.write("i18n/en.yaml", 'archive: "Archive {nope}"\nolder: Earlier\n')
    result = site.build()
    warned = [(w.path, w.line) for w in result.diagnostics.warnings if "message" in w.message]
    assert warned == [("i18n/en.yaml", 1)]
    assert site.exists("a/index.html")  # a warning: the build goes on
