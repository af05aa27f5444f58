"""Built sites, read back with an HTML parser: every kind of page, the head of each page, the
Markdown features end to end, permalinks, file:// links, themes and template errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

from sitegen.errors import BuildFailed
from tests.sitecheck import check_on_disk, page_refs

MARKDOWN_BODY = """\
Intro paragraph with a [link to the other](other.md).

## First section

| Name | Count |
|------|------:|
| a    | 1     |

~~struck~~ and a note.[^n]

- [x] done
- [ ] open

```python
def f(x):
    return x * 2
```

## First section

<mark>raw html</mark>

### Deeper

[^n]: The footnote text.
"""


def json_ld(page) -> dict:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.html, re.S)
    assert m, "no JSON-LD block"
    return json.loads(m.group(1))


def meta(page, key: str) -> str | None:
    for attrs in page.find_all("meta"):
        if attrs.get("property") == key or attrs.get("name") == key:
            return attrs.get("content")
    return None


@pytest.fixture
def news(site):
    """Several articles: tags (one unicode), a draft, aliases, code, footnotes, unicode title."""
    site.article(
        "main.md",
        "Main story",
        "2024-03-05T10:00:00+00:00",
        MARKDOWN_BODY,
        tags="[Politics, Café]",
        author="Ana Lima",
        updated="2024-03-07",
        aliases="[/old/main/, legacy.html]",
        summary='"The main story, summarised."',
    )
    site.article(
        "other.md", "Zürich: 東京 über alles", "2024-03-01", "Unicode body é.", tags="[Café]"
    )
    site.article("first.md", "First post", "2023-11-20", "The first one.", tags="[Politics]")
    site.article("secret.md", "Secret draft", "2024-03-06", "Not yet.", draft="true")
    return site


def test_article_page_shows_everything(news, parse):
    news.build()
    page = parse(news.out("main/index.html"))
    assert re.search(r"<h1>Main story</h1>", page.html)
    times = {a["datetime"] for a in page.find_all("time")}
    assert "2024-03-05T10:00:00+00:00" in times
    assert any(t.startswith("2024-03-07") for t in times), "updated date in <time>"
    assert "Ana Lima" in page.text and "1 min read" in page.text
    tag_links = [a["href"] for a in page.find_all("a", rel="tag")]
    assert tag_links == ["../tags/politics/", "../tags/cafe/"]
    assert page.find_all("a", rel="prev")[0]["href"] == "../other/"
    assert not page.find_all("a", rel="next"), "newest article has no newer one"
    # the link to other.md became a relative link to its page
    assert "../other/" in page.links()


def test_head_of_an_article(news, parse):
    news.build()
    page = parse(news.out("main/index.html"))
    assert page.find_all("html")[0]["lang"] == "en"
    assert re.search(r"<title>Main story · Test site</title>", page.html)
    assert meta(page, "description") == "The main story, summarised."
    assert page.find_all("link", rel="canonical")[0]["href"] == "https://example.org/blog/main/"
    assert meta(page, "og:title") == "Main story" and meta(page, "og:type") == "article"
    assert meta(page, "og:url") == "https://example.org/blog/main/"
    assert meta(page, "twitter:card") == "summary"
    feeds = [a["href"] for a in page.find_all("link", rel="alternate", type="application/atom+xml")]
    assert feeds == ["../feed.xml"]
    data = json_ld(page)
    assert data["@type"] == "NewsArticle" and data["headline"] == "Main story"
    assert data["mainEntityOfPage"] == "https://example.org/blog/main/"
    assert data["author"] == [{"@type": "Person", "name": "Ana Lima"}]
    assert data["datePublished"] == "2024-03-05T10:00:00+00:00"
    # no JavaScript is needed to read: the only script is the JSON-LD block
    scripts = re.findall(r"<script\b[^>]*>", page.html)
    assert scripts == ['<script type="application/ld+json">']


def test_without_base_url_no_root_paths_pose_as_absolute_urls(site, parse):
    """Open Graph and JSON-LD need absolute URLs: without base_url they are left out rather
    than written as /paths that break under a subpath."""
    site.configure("title: T\n")
    site.write("static/pic.png", b"\x89PNG\r\n\x1a\n")
    site.article("a.md", "A", image="/pic.png")
    site.build()
    page = parse(site.out("a/index.html"))
    assert not page.find_all("meta", property="og:image") and not page.find_all(
        "meta", property="og:url"
    )
    data = json_ld(page)
    assert "url" not in data and "mainEntityOfPage" not in data and "image" not in data


def test_front_matter_images_are_checked_like_body_images(site, parse):
    """A front matter picture goes into Open Graph and JSON-LD: one that is missing, or that
    points out of the site, is reported at its key's line (as a body image is) and never
    written as it stands; a remote one stays as it is."""
    site.write("static/pic.png", b"\x89PNG\r\n\x1a\n")
    site.article("out.md", "Out", image="../../../etc/passwd")
    site.article("gone.md", "Gone", images="[missing.png]")
    site.article("ok.md", "Ok", cover="/pic.png")
    site.article("web.md", "Web", image="https://cdn.example.com/x.png")
    with pytest.raises(BuildFailed) as info:
        site.build()
    found = sorted((e.path, e.line, e.message) for e in info.value.errors)
    assert found == [
        ("content/gone.md", 4, "image not found: missing.png (front matter 'images')"),
        ("content/out.md", 4, "image not found: ../../../etc/passwd (front matter 'image')"),
    ]
    site.configure(site.config_text + "broken_links: warn\n")
    result = site.build()
    warned = sorted(
        (w.path, w.line) for w in result.diagnostics.warnings if "image not found" in w.message
    )
    assert warned == [("content/gone.md", 4), ("content/out.md", 4)]
    for name in ("out", "gone"):
        page = parse(site.out(f"{name}/index.html"))
        assert not page.find_all("meta", property="og:image") and "image" not in json_ld(page)
        assert "passwd" not in page.html and "missing.png" not in page.html
    ok = parse(site.out("ok/index.html"))
    assert ok.find_all("meta", property="og:image")[0]["content"] == (
        "https://example.org/blog/pic.png"
    )
    web = parse(site.out("web/index.html"))
    assert web.find_all("meta", property="og:image")[0]["content"] == (
        "https://cdn.example.com/x.png"
    )
    assert json_ld(web)["image"] == ["https://cdn.example.com/x.png"]


def test_json_ld_cannot_be_broken_out_of(site, parse):
    title = "</script><script>alert(1)</script> & <!-- x"
    site.write("content/y.md", f"---\ntitle: {json.dumps(title)}\ndate: 2024-01-01\n---\nText\n")
    site.build()
    html = site.out("y/index.html")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</script" not in block.lower() and "<!--" not in block
    assert json.loads(block)["headline"] == title
    assert "<script>alert" not in html


def test_markdown_features_end_to_end(news, parse):
    news.build()
    html = news.out("main/index.html")
    page = parse(html)
    assert page.find_all("table") and page.find_all("td")
    assert "<s>struck</s>" in html
    assert page.find_all("sup", **{"class": "footnote-ref"}) and "The footnote text." in page.text
    boxes = page.find_all("input", type="checkbox")
    assert len(boxes) == 2 and all("disabled" in b for b in boxes)
    ids = [
        a["id"]
        for t, a in page.elements
        if t in ("h2", "h3") and a.get("id") and a["id"] != "related-title"
    ]
    assert ids == ["first-section", "first-section-1", "deeper"], "stable unique heading ids"
    anchors = [a["href"] for a in page.find_all("a", **{"class": "header-anchor"})]
    assert anchors == ["#first-section", "#first-section-1", "#deeper"]
    assert '<span class="k">def</span>' in html, "Pygments classes"
    assert "<mark>raw html</mark>" in html, "raw_html defaults to true"
    # the table of contents reaches the template (the default theme shows it from 3 headings)
    toc = [
        a["href"]
        for a in page.find_all("a")
        if a["href"].startswith("#")
        and a["href"] in ("#first-section", "#first-section-1", "#deeper")
    ]
    assert toc.count("#deeper") == 2
    css = [a["href"] for a in page.find_all("link", rel="stylesheet")]
    pygments = next(h for h in css if "pygments" in h)
    text = news.out(pygments.replace("../", ""))
    assert ".highlight .k" in text and "prefers-color-scheme: dark" in text


def test_raw_html_off_escapes_it(news, parse):
    news.configure("title: T\nraw_html: false\n")
    news.build()
    html = news.out("main/index.html")
    assert "<mark>" not in html and "&lt;mark&gt;raw html&lt;/mark&gt;" in html


def test_seed_text_is_always_escaped(site, parse):
    site.write(
        "seeds/one.txt",
        "A <b>bold</b> *claim*\nDate: 2024-02-02\n\n"
        "Text with <script>alert(1)</script> and [not](a link) # hash.\n",
    )
    site.build()
    page_file = next((site.root / "build").glob("a-b-bold*/index.html"))
    html = page_file.read_text(encoding="utf-8")
    page = parse(html)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "Text with <script>alert(1)</script> and [not](a link) # hash." in page.text
    assert "A <b>bold</b> *claim*" in page.text


def test_drafts_are_left_out(news):
    news.build()
    assert not news.exists("secret/index.html")
    assert "Secret draft" not in news.out("index.html") + news.out("feed.xml") + news.out(
        "sitemap.xml"
    )
    news.build(drafts=True)
    assert news.exists("secret/index.html")


def test_index_tags_archive_and_aliases(news, parse):
    news.build()
    index = parse(news.out("index.html"))
    titles = [t for t in ("Main story", "Zürich: 東京 über alles", "First post") if t in index.text]
    assert titles and index.text.index("Main story") < index.text.index("First post")
    tags = parse(news.out("tags/index.html"))
    assert "Café 2" in tags.text and "Politics 2" in tags.text
    assert set(tags.links()) >= {"cafe/", "politics/"}
    cafe = parse(news.out("tags/cafe/index.html"))
    assert "Zürich" in cafe.text and "Main story" in cafe.text and "First post" not in cafe.text
    assert "feed.xml" in cafe.links() and news.exists("tags/cafe/feed.xml")
    archive = parse(news.out("archive/index.html"))
    text = archive.text[archive.text.index("March 2024") :]
    assert text.index("March 2024") < text.index("2023") < text.index("November 2023")
    assert [a["id"] for a in archive.find_all("h2")] == ["y2024", "y2023"]
    for alias in ("old/main/index.html", "legacy.html"):
        html = news.out(alias)
        target = "../../main/" if alias.startswith("old") else "main/"
        assert f'content="0; url={target}"' in html and f'href="{target}"' in html
        assert 'name="robots" content="noindex"' in html
    assert news.exists("404.html") and news.exists("robots.txt")


def test_pagination_pages_and_links(site, parse):
    site.configure("title: T\nper_page: 2\n")
    for i in range(5):
        site.article(f"a{i}.md", f"Article {i}", f"2024-01-{i + 1:02d}", tags="[All]")
    site.build()
    assert site.exists("page/2/index.html") and site.exists("page/3/index.html")
    assert not site.exists("page/4/index.html") and not site.exists("page/1/index.html")
    page2 = parse(site.out("page/2/index.html"))
    assert page2.find_all("a", rel="prev")[0]["href"] == "../../"
    assert page2.find_all("a", rel="next")[0]["href"] == "../3/"
    assert "Article 2" in page2.text and "Article 1" in page2.text and "Article 4" not in page2.text
    numbered = [
        a["href"] for a in page2.find_all("a") if a.get("aria-label", "").startswith("Page")
    ]
    assert numbered == ["../../", "./", "../3/"]
    assert site.exists("tags/all/page/3/index.html")


def test_permalink_pattern_and_links_from_deep_pages(site, parse):
    site.configure("title: T\npermalink: /{year}/{month}/{slug}/\n")
    site.article("a.md", "Alpha", "2024-05-02", "See [beta](b.md).", tags="[X]")
    site.article("b.md", "Beta", "2023-12-31", "Text.", tags="[X]")
    site.build()
    assert site.exists("2024/05/a/index.html") and site.exists("2023/12/b/index.html")
    page = parse(site.out("2024/05/a/index.html"))
    assert "../../../tags/x/" in page.links() and "../../../2023/12/b/" in page.links()
    build = site.root / "build"
    for ref in page.links():
        if ref.startswith(("http", "#")):
            continue
        target = (build / "2024/05/a" / ref).resolve()
        assert target.is_file() or (target / "index.html").is_file(), ref


def test_file_urls_from_the_command_line(site):
    site.article("a.md", "Alpha", "2024-05-02", "See [beta](b.md).", tags="[X]")
    site.article("b.md", "Beta", "2024-05-01", "Text.", tags="[X]", aliases="[/old/]")
    site.configure("title: T\nper_page: 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "--site", str(site.root), "build", "--file-urls"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    build = site.root / "build"
    assert check_on_disk(build) == []
    refs, _, _ = page_refs(site.out("a/index.html"))
    assert "../index.html" in refs and "../b/index.html" in refs


def test_404_links_work_at_any_depth_with_a_base_url(site, parse):
    site.article("a.md", "Alpha")
    site.build()
    page = parse(site.out("404.html"))
    local = [h for h in page.links() if not h.startswith(("http", "#"))]
    assert local and all(h.startswith("/blog/") for h in local)


THEME_ARTICLE = """<!DOCTYPE html><html lang="{{ page.lang }}"><head><title>{{ page.title }}</title>
<link rel="stylesheet" href="{{ asset('style.css') }}"></head>
<body><main>MY THEME {{ article.title }} {{ article.content }}</main></body></html>
"""


def test_theme_choice_and_site_overrides(site):
    site.configure("title: T\ntheme: paper\n")
    theme = site.root / "themes" / "paper"
    for name in (
        "base.html",
        "index.html",
        "term.html",
        "terms.html",
        "archive.html",
        "404.html",
        "alias.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "search.html",
    ):
        src = Path(__file__).resolve().parents[2] / "sitegen/themes/default/templates" / name
        if src.is_file():
            site.write(f"themes/paper/templates/{name}", src.read_text(encoding="utf-8"))
    src_partials = Path(__file__).resolve().parents[2] / "sitegen/themes/default/templates/partials"
    for p in src_partials.iterdir():
        site.write(f"themes/paper/templates/partials/{p.name}", p.read_text(encoding="utf-8"))
    for p in (Path(__file__).resolve().parents[2] / "sitegen/themes/default/static").iterdir():
        site.write(f"themes/paper/static/{p.name}", p.read_bytes())
    site.write("themes/paper/templates/article.html", THEME_ARTICLE)
    (theme / "static" / "style.css").write_text(
        "body { color: #111; } /* paper */", encoding="utf-8"
    )
    site.article("a.md", "Alpha", body="Hello *there*.")
    site.build()
    html = site.out("a/index.html")
    assert "MY THEME Alpha" in html and "<em>there</em>" in html
    css_ref = re.search(r'href="\.\./(style\.[0-9a-f]{10}\.css)"', html).group(1)
    assert "/* paper */" in site.out(css_ref)
    # the site's own templates/ and static/ win over the theme's
    site.write("templates/article.html", THEME_ARTICLE.replace("MY THEME", "SITE OVERRIDE"))
    site.write("static/style.css", "body { color: #222; } /* site */")
    site.build()
    html = site.out("a/index.html")
    assert "SITE OVERRIDE Alpha" in html
    css_ref = re.search(r'href="\.\./(style\.[0-9a-f]{10}\.css)"', html).group(1)
    assert "/* site */" in site.out(css_ref)
    assert "SITE OVERRIDE" not in site.out("index.html")


def test_autoescape_in_templates(site, parse):
    site.article("a.md", "Tom & <Jerry>", tags='["<i>tag</i>"]')
    site.build()
    html = site.out("index.html")
    assert "Tom &amp; &lt;Jerry&gt;" in html and "<Jerry>" not in html
    assert "<i>tag</i>" not in site.out("tags/index.html")


def test_broken_site_template_names_file_and_line(site):
    site.article("a.md", "Alpha")
    site.write(
        "templates/article.html",
        '{% extends "base.html" %}\n{% block main %}\n'
        "{{ article.no_such_field }}\n{% endblock %}\n",
    )
    with pytest.raises(BuildFailed) as info:
        site.build()
    error = info.value.errors[0]
    assert str(error.path).endswith("templates/article.html") and error.line == 3
    assert "no_such_field" in error.message
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "--site", str(site.root), "build"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "templates/article.html:3" in result.stderr


def test_template_syntax_error_names_file_and_line(site):
    site.article("a.md", "Alpha")
    site.write("templates/index.html", "line one\n{% if %}\n")
    with pytest.raises(BuildFailed) as info:
        site.build()
    error = info.value.errors[0]
    assert str(error.path).endswith("templates/index.html") and error.line == 2


def test_unknown_asset_names_the_template(site):
    site.article("a.md", "Alpha")
    site.write("templates/index.html", "<p>\n{{ asset('nope.css') }}\n</p>\n")
    with pytest.raises(BuildFailed) as info:
        site.build()
    error = info.value.errors[0]
    assert "nope.css" in error.message and str(error.path).endswith("templates/index.html")
    assert error.line == 2


def test_a_page_of_its_own_is_built_and_listed_nowhere(news, parse):
    """`listed: false` (an About page): its page, its place in the sitemap, the search index
    and the footer of every page, and nothing else: no listing, feed, tag page, archive,
    related list or previous/next link shows it, and it shows none."""
    words = "Politics newsroom story main body words shared with the main story."
    news.article(
        "about.md",
        "About us",
        "2024-03-04",
        f"{words}\n\n{MARKDOWN_BODY}",
        tags="[Politics]",
        listed="false",
    )
    news.build()
    about = news.out("about/index.html")
    assert "About us" in about and 'rel="prev"' not in about and 'rel="next"' not in about
    assert 'class="related' not in about
    assert "/blog/about/" in news.out("sitemap.xml")
    listings = ["index.html", "feed.xml", "archive/index.html", "tags/index.html"]
    listings += ["tags/politics/index.html", "tags/politics/feed.xml"]
    for rel in listings + ["main/index.html", "first/index.html", "other/index.html"]:
        html = news.out(rel)
        assert "About us" not in html.split('<footer class="site-footer"')[0], rel
        if rel.endswith(".html"):  # the footer of every page links to it
            assert re.search(
                r'href="(\.\./)*about/"[^>]*>About us</a>',
                html.split('<footer class="site-footer"')[1],
            )
    assert 'aria-current="page">About us</a>' in about
    assert "Politics 2" in parse(news.out("tags/index.html")).text  # not 3
    documents = [p for p in (news.root / "build" / "search").rglob("*") if p.is_file()]
    assert any("About us" in p.read_text(encoding="utf-8", errors="replace") for p in documents)


def _unicode_site(site) -> None:
    """A Korean article (named by its file), one with its own Korean `slug`, and a Korean tag."""
    site.write(
        "content/네트워크 기본 구조.md",
        "---\ntitle: 네트워크 기본 구조와 원리\ndate: 2024-01-02\ntags: [네트워크]\n---\n\n본문.\n",
    )
    site.article("routing.md", "라우팅", "2024-01-01", "라우팅 본문.", slug="라우팅-원리")


def _resolves(site, page_url: str, href: str) -> Path:
    """The output file a relative link on the page at `page_url` leads to."""
    assert not href.startswith(("/", "http")) and href.isascii(), href
    path = unquote(urlsplit(urljoin("https://x" + page_url, href)).path)
    return site.root / "build" / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))


def test_unicode_slugs_keep_the_site_script_in_addresses(site, parse):
    site.configure("title: T\nbase_url: https://example.org/blog/\nunicode_slugs: true\n")
    _unicode_site(site)
    site.build()
    article, tag = "네트워크-기본-구조", "tags/네트워크"
    for rel in (f"{article}/index.html", "라우팅-원리/index.html", f"{tag}/index.html"):
        assert site.exists(rel), rel
    links = parse(site.out("index.html")).links()
    to_article = [href for href in links if unquote(href) == f"{article}/"]
    assert to_article and _resolves(site, "/", to_article[0]).is_file()
    page = parse(site.out(f"{article}/index.html"))
    to_tag = [href for href in page.links() if unquote(href) == f"../{tag}/"]
    assert to_tag and _resolves(site, f"/{article}/", to_tag[0]).is_file()
    sitemap = site.out("sitemap.xml")
    locs = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert all(loc.isascii() for loc in locs)
    assert f"https://example.org/blog/{quote(article)}/" in locs
    assert f"https://example.org/blog/{quote(tag)}/" in locs
    feed_links = re.findall(r'href="([^"]*)"', site.out("feed.xml"))
    assert f"https://example.org/blog/{quote(article)}/" in feed_links


def test_without_unicode_slugs_addresses_stay_ascii(site):
    _unicode_site(site)
    site.article("plain.md", "Plain English", "2024-01-03", tags="[Python]")
    site.build()
    built = {
        p.relative_to(site.root / "build").as_posix() for p in (site.root / "build").rglob("*")
    }
    for rel in (
        "neteuweokeu-gibon-gujo/index.html",
        "rauting-weonri/index.html",  # a Korean `slug:` is made ASCII, as it always was
        "tags/neteuweokeu/index.html",
        "plain/index.html",
        "tags/python/index.html",
    ):
        assert rel in built, rel
    assert all(rel.isascii() for rel in built)
