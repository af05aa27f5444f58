"""Bring your own content: a blog written for Hugo, Jekyll, Zola, Pelican or MkDocs builds
unchanged, with its images, translations and a warning for what cannot be carried over."""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from sitegen.cli import main
from sitegen.errors import BuildFailed
from tests.conftest import Page, SiteFolder

SITE_YAML = "title: Moved blog\nbase_url: https://example.org/blog/\nsearch: false\n"

FILES = {
    # Zola: TOML, [taxonomies], a time with its UTC offset, a <!-- more --> divider
    "content/zola-post.md": """\
        +++
        title = "A Zola post"
        date = 2024-03-01T22:30:00+05:00
        updated = 2024-03-02
        [taxonomies]
        tags = ["rust", "web"]
        categories = ["Code"]
        +++
        Zola intro paragraph.

        <!-- more -->

        ## Details {#details}

        {{ youtube(id="abc123") }}
        """,
    # Hugo: JSON front matter, shortcodes in text and in code, static/ images by site-root path
    "content/hugo-post.md": """\
        {
          "title": "A Hugo post",
          "date": "2024-02-10T09:00:00Z",
          "tags": ["go"],
          "categories": ["Code"],
          "description": "Hugo description."
        }

        Hugo text {{< youtube dQw4w9WgXcQ >}} with {{% notice info %}}a notice{{% /notice %}}.

        {{< highlight go >}}
        func main() {}
        {{< /highlight >}}

        ![A wide picture](/images/wide.png "Wide caption")

        ![Logo](/images/logo.svg) ![Spinner](/images/anim.gif)
        ![Remote](https://cdn.example.com/r.png)

        ```go-html-template
        {{< figure src="x.png" >}} {{ .Title }}
        ```

        Inline `{{% ref "x" %}}` stays.
        """,
    # Pelican: header block with a continuation line
    "content/pelican-post.md": """\
        Title: A Pelican post
        Date: 2023-11-05 10:20
        Tags: birds, python
        Category: Notes
        Summary: Pelican summary
            on two lines.

        Pelican body.
        """,
    # Jekyll: a dated file name, Liquid in text and in code, space-separated tags
    "content/2023-05-06-jekyll-trip.markdown": """\
        ---
        layout: post
        title: "A Jekyll post"
        tags: travel food
        category: Journal
        ---
        Jekyll intro with a [link]({% post_url 2023-05-06-jekyll-trip %}){% include note.html %}.

        {% highlight ruby %}
        puts "hi"
        {% endhighlight %}

        ```liquid
        {% raw %}{% if page.x %}{{ page.y }}{% endif %}{% endraw %}
        ```

        {{ page.title }} and ![Badge]({{ site.baseurl }}/images/wide.png)
        """,
    # MkDocs: title from the first heading, admonitions, date: {created}
    "content/mkdocs-post.md": """\
        ---
        date:
          created: 2023-01-15
        categories:
          - Notes
        ---

        # A MkDocs post

        MkDocs first paragraph.

        !!! note "Remember"
            Admonition body.

        [TOC]

        ## Part one
        """,
    # a page bundle with its photo, a French and an Arabic translation
    "content/trip/index.md": """\
        ---
        title: Our trip
        date: 2024-01-20
        tags: [travel]
        ---
        ![The harbour at dawn](photo.jpg)

        Bundle text.
        """,
    "content/trip/index.fr.md": """\
        ---
        title: Notre voyage
        date: 2024-01-20
        ---
        ![Le port](photo.jpg)
        """,
    "content/trip/index.ar.md": """\
        ---
        title: رحلتنا
        date: 2024-01-20
        ---
        ![الميناء](photo.jpg)
        """,
    # dated in the future: left out unless --future
    "content/future.md": "---\ntitle: From the future\ndate: 2999-01-01\n---\nLater.\n",
}


def image(path: Path, size: tuple[int, int], fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (20, 90, 160)).save(path, fmt)


def make_site(root: Path) -> SiteFolder:
    site = SiteFolder(root)
    site.configure(SITE_YAML)
    for rel, text in FILES.items():
        site.write(rel, textwrap.dedent(text))
    image(root / "content" / "trip" / "photo.jpg", (1200, 800), "JPEG")
    image(root / "static" / "images" / "wide.png", (2000, 1000), "PNG")
    image(root / "static" / "images" / "anim.gif", (64, 48), "GIF")
    site.write(
        "static/images/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    )
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[SiteFolder, object]:
    site = make_site(tmp_path_factory.mktemp("foreign") / "site")
    return site, site.build()


def page(site: SiteFolder, rel: str) -> Page:
    return Page(site.out(rel))


ARTICLES = {
    # output page: (title, <time datetime>, tags, summary)
    "zola-post/index.html": (
        "A Zola post",
        "2024-03-01T22:30:00+05:00",
        ["rust", "web"],
        "Zola intro paragraph.",
    ),
    "hugo-post/index.html": (
        "A Hugo post",
        "2024-02-10T09:00:00+00:00",
        ["go"],
        "Hugo description.",
    ),
    "pelican-post/index.html": (
        "A Pelican post",
        "2023-11-05T10:20:00+00:00",
        ["birds", "python"],
        "Pelican summary on two lines.",
    ),
    "jekyll-trip/index.html": (
        "A Jekyll post",
        "2023-05-06T00:00:00+00:00",
        ["travel", "food"],
        "Jekyll intro with a link.",
    ),
    "mkdocs-post/index.html": (
        "A MkDocs post",
        "2023-01-15T00:00:00+00:00",
        [],
        "MkDocs first paragraph.",
    ),
    "trip/index.html": ("Our trip", "2024-01-20T00:00:00+00:00", ["travel"], "Bundle text."),
}


@pytest.mark.parametrize("rel", sorted(ARTICLES))
def test_each_article_keeps_title_date_tags_and_summary(built, rel):
    site, _ = built
    title, date, tags, summary = ARTICLES[rel]
    html = page(site, rel)
    assert html.find_all("h1")[0] is not None
    assert f"<h1>{title}</h1>" in html.html
    assert html.html.count(f">{title}</h1>") == 1  # a title from a heading is not repeated
    assert html.find_all("time", datetime=date)
    tag_names = re.findall(r'rel="tag">([^<]+)</a>', html.html)
    assert tag_names == tags
    assert html.find_all("meta", name="description", content=summary)


def test_time_and_offset_are_kept_in_display(built):
    site, _ = built
    assert ">March 1, 2024</time>" in site.out("zola-post/index.html")  # not moved to March 2 UTC


def test_categories_have_their_own_pages(built):
    site, _ = built
    overview = page(site, "categories/index.html")
    assert {"code/", "notes/", "journal/"} <= {
        link.split("categories/")[-1] for link in overview.links()
    }
    code = page(site, "categories/code/index.html")
    assert "A Zola post" in code.text and "A Hugo post" in code.text
    assert "../categories/code/" in page(site, "hugo-post/index.html").links()


def test_future_articles_are_left_out_and_counted(built):
    site, result = built
    assert result.left_out == {"future": 1}
    assert not site.exists("future/index.html")


def test_template_syntax_never_reaches_a_page_outside_code(built):
    site, _ = built
    for path in (site.root / "build").rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        outside = re.sub(
            r"<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>", "", html, flags=re.S
        )
        assert "{{" not in outside and "{%" not in outside, path


def test_code_showing_template_syntax_is_left_as_written(built):
    site, _ = built
    hugo = site.out("hugo-post/index.html")
    assert "{{&lt; figure src=&quot;x.png&quot; &gt;}} {{ .Title }}" in hugo
    assert "<code>{{% ref &quot;x&quot; %}}</code>" in hugo
    jekyll = site.out("jekyll-trip/index.html")
    code = html.unescape(re.sub(r"<[^>]+>", "", jekyll))  # without the highlighting spans
    assert "{% if page.x %}{{ page.y }}{% endif %}" in code
    assert "{% raw %}" not in code  # raw markers unwrapped, as Jekyll does


def test_constructs_are_rendered_by_meaning(built):
    site, _ = built
    hugo = page(site, "hugo-post/index.html")
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in hugo.links()
    assert "a notice" in hugo.text
    assert '<code class="language-go">' in hugo.html and "func" in hugo.text
    jekyll = page(site, "jekyll-trip/index.html")
    assert "./" in jekyll.links()  # post_url to itself, resolved to the article's URL
    assert '<code class="language-ruby">' in jekyll.html
    zola = page(site, "zola-post/index.html")
    assert "https://www.youtube.com/watch?v=abc123" in zola.links()
    assert zola.find_all("h2", id="details")
    mkdocs = page(site, "mkdocs-post/index.html")
    assert "admonition note" in mkdocs.html and "Remember" in mkdocs.text
    assert mkdocs.find_all("nav", **{"class": "toc"})


def test_build_warns_once_per_construct_with_file_line_and_name(built):
    _, result = built
    warnings = [str(w) for w in result.diagnostics.warnings]
    assert any("content/hugo-post.md:9: Hugo shortcode 'youtube'" in w for w in warnings)
    assert any("content/hugo-post.md:11: Hugo shortcode 'highlight'" in w for w in warnings)
    assert any(
        "content/2023-05-06-jekyll-trip.markdown:7: Liquid tag 'include'" in w for w in warnings
    )
    assert any("content/zola-post.md:15: Zola shortcode 'youtube'" in w for w in warnings)
    assert not any("go-html-template" in w or "'figure'" in w for w in warnings)  # code: no warning
    assert len([w for w in warnings if "hugo-post.md:9: Hugo shortcode 'youtube'" in w]) == 1


def _img_checks(site: SiteFolder, page_rel: str) -> list[dict]:
    """Every local <img> on the page: srcset files exist, width/height match the file."""
    html = page(site, page_rel)
    base = (site.root / "build" / page_rel).parent
    checked = []
    for img in html.find_all("img"):
        src = img["src"]
        if src.startswith("http"):
            continue
        target = (base / src).resolve()
        assert target.is_file(), src
        if img.get("srcset"):
            for candidate in img["srcset"].split(", "):
                url, width = candidate.rsplit(" ", 1)
                with Image.open((base / url).resolve()) as variant:
                    assert f"{variant.width}w" == width, url
        if not src.endswith(".svg"):
            with Image.open(target) as original:
                assert (img["width"], img["height"]) == (str(original.width), str(original.height))
        checked.append(img)
    return checked


def test_images_are_responsive_and_sized(built):
    site, _ = built
    imgs = _img_checks(site, "hugo-post/index.html")
    wide = imgs[0]
    assert wide["src"] == "../images/wide.png"  # site-root path made relative
    assert wide["srcset"].split(", ") == [
        "../images/wide-480w.webp 480w",
        "../images/wide-960w.webp 960w",
        "../images/wide-1600w.webp 1600w",
        "../images/wide.png 2000w",
    ]
    assert wide["loading"] == "eager" and wide["sizes"]
    assert all(img["loading"] == "lazy" and img["decoding"] == "async" for img in imgs[1:])
    gif = next(i for i in imgs if i["src"].endswith(".gif"))
    assert "srcset" not in gif and not site.exists("images/anim-480w.webp")
    html = site.out("hugo-post/index.html")
    assert "<figcaption>Wide caption</figcaption>" in html
    assert 'src="https://cdn.example.com/r.png"' in html  # remote images untouched
    assert _img_checks(site, "jekyll-trip/index.html")


def test_bundle_images_are_copied_beside_the_page_and_shared_by_translations(built):
    site, _ = built
    assert site.exists("trip/photo.jpg") and site.exists("trip/photo-480w.webp")
    assert site.exists("trip/photo-960w.webp") and not site.exists("trip/photo-1600w.webp")
    assert _img_checks(site, "trip/index.html")[0]["src"] == "photo.jpg"
    assert _img_checks(site, "fr/trip/index.html")[0]["src"] == "../../trip/photo.jpg"
    assert _img_checks(site, "ar/trip/index.html")[0]["src"] == "../../trip/photo.jpg"


def test_first_image_is_the_open_graph_image(built):
    site, _ = built
    assert page(site, "trip/index.html").find_all(
        "meta", property="og:image", content="https://example.org/blog/trip/photo.jpg"
    )
    assert page(site, "hugo-post/index.html").find_all(
        "meta", property="og:image", content="https://example.org/blog/images/wide.png"
    )


def test_translations_link_each_other_with_lang_and_direction(built):
    site, _ = built
    expected = {
        ("en", "https://example.org/blog/trip/"),
        ("fr", "https://example.org/blog/fr/trip/"),
        ("ar", "https://example.org/blog/ar/trip/"),
    }
    for rel, lang, direction in (
        ("trip/index.html", "en", "ltr"),
        ("fr/trip/index.html", "fr", "ltr"),
        ("ar/trip/index.html", "ar", "rtl"),
    ):
        html = page(site, rel)
        alternates = {
            (link["hreflang"], link["href"])
            for link in html.find_all("link", rel="alternate")
            if link.get("hreflang") and link["hreflang"] != "x-default"
        }
        assert alternates == expected, rel
        assert html.find_all("html", lang=lang, dir=direction)
    assert "Notre voyage" not in site.out("index.html")  # listings show the original only


def test_warm_build_resizes_nothing_and_writes_nothing(built):
    site, _ = built
    cache = site.root / ".sitegen" / "images"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    result = site.build()
    assert result.written == 0
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before


def test_future_flag_and_cli_message(built, capsys):
    site, _ = built
    assert main(["build", "--site", str(site.root), "-o", str(site.root / "out")]) == 0
    assert "left out: 1 future" in capsys.readouterr().out
    assert main(["build", "--site", str(site.root), "-o", str(site.root / "out2"), "--future"]) == 0
    assert (site.root / "out2" / "future" / "index.html").is_file()


# --- separate small sites ------------------------------------------------------------------


@pytest.fixture
def site(site: SiteFolder) -> SiteFolder:
    site.configure(SITE_YAML)
    return site


def test_changed_image_re_renders_the_page(site):
    image(site.root / "content" / "p" / "pic.png", (800, 400), "PNG")
    site.write("content/p/index.md", "---\ntitle: P\ndate: 2024-01-01\n---\n![Pic](pic.png)\n")
    site.build()
    assert 'width="800" height="400"' in site.out("p/index.html")
    image(site.root / "content" / "p" / "pic.png", (600, 600), "PNG")
    site.build()
    assert 'width="600" height="600"' in site.out("p/index.html")
    assert site.exists("p/pic-480w.webp")


def test_a_picture_added_to_a_bundle_after_a_failed_build_is_found(site):
    """The article cache must not remember a bundle's old folder listing."""
    site.write("content/p/index.md", "---\ntitle: P\ndate: 2024-01-01\n---\n![Pic](pic.png)\n")
    with pytest.raises(BuildFailed) as failed:
        site.build()
    assert "image not found" in failed.value.errors[0].message
    image(site.root / "content" / "p" / "pic.png", (300, 200), "PNG")
    site.build()
    assert 'width="300" height="200"' in site.out("p/index.html")


def test_missing_image_is_an_error_naming_file_and_line(site):
    site.write(
        "content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n\n![Gone](/images/gone.png)\n"
    )
    with pytest.raises(BuildFailed) as info:
        site.build()
    errors = [str(e) for e in info.value.errors]
    assert any("content/a.md:7: image not found: /images/gone.png" in e for e in errors), errors
    result = site.build(keep_going=True)
    assert any("content/a.md:7: image not found" in str(w) for w in result.diagnostics.warnings)
    assert not result.diagnostics.errors


def test_a_site_moved_in_stages_builds_with_its_missing_images_as_warnings(site):
    """`broken_links: warn` (what `sitegen migrate` sets when a picture was not in the old
    site's folder): the build goes on, says which picture is missing where, and the page shows
    the picture's description, never a broken image; the picture shows once it is added."""
    site.configure(SITE_YAML + "broken_links: warn\n")
    body = "Text.\n\n![A tide chart](/images/gone.png)\n\nAfter ![](/images/gone2.png) it.\n"
    site.write("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n" + body)
    result = site.build()
    assert not result.diagnostics.errors
    warnings = [str(w) for w in result.diagnostics.warnings]
    assert any("content/a.md:7: image not found: /images/gone.png" in w for w in warnings)
    assert any("content/a.md:9: image not found: /images/gone2.png" in w for w in warnings)
    html = site.out("a/index.html")
    assert '<span class="missing-image">A tide chart</span>' in html
    assert "gone.png" not in html and "gone2.png" not in html
    assert "<p>After  it.</p>" in html
    image(site.root / "static" / "images" / "gone.png", (40, 20), "PNG")
    site.build()
    html = site.out("a/index.html")
    assert 'width="40" height="20"' in html and "missing-image" not in html
    assert "<p>After  it.</p>" in html  # gone2.png: still missing, and it has no description


def test_image_without_alt_text_warns(site):
    image(site.root / "static" / "x.png", (10, 10), "PNG")
    site.write("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n\n![](/x.png)\n")
    result = site.build()
    assert any(
        str(w).startswith("content/a.md:6: image without alt text")
        for w in result.diagnostics.warnings
    )


def test_figures_off_keeps_plain_images(site):
    site.configure(SITE_YAML + "figures: false\n")
    image(site.root / "static" / "x.png", (10, 10), "PNG")
    site.write("content/a.md", '---\ntitle: A\ndate: 2024-01-01\n---\n\n![X](/x.png "Cap")\n')
    site.build()
    html = site.out("a/index.html")
    assert "<figure" not in html and 'title="Cap"' in html


def test_two_articles_on_one_url_name_both_files(site):
    site.write("content/one.md", "---\ntitle: One\nslug: same\n---\nx\n")
    site.write("content/2020-01-01-same.md", "---\ntitle: Two\n---\ny\n")
    with pytest.raises(BuildFailed) as info:
        site.build()
    message = " ".join(str(e) for e in info.value.errors)
    assert "content/one.md" in message and "content/2020-01-01-same.md" in message


def test_name_lang_translation_outside_a_bundle(site):
    site.write("content/note.md", "---\ntitle: Note\ndate: 2024-01-01\n---\nHello.\n")
    site.write("content/note.he.md", "---\ntitle: פתק\ndate: 2024-01-01\n---\nשלום.\n")
    site.build()
    hebrew = Page(site.out("he/note/index.html"))
    assert hebrew.find_all("html", lang="he", dir="rtl")
    assert {
        link["hreflang"]
        for link in hebrew.find_all("link", rel="alternate")
        if link.get("hreflang")
    } >= {"en", "he"}


def test_links_between_posts_in_every_convention(site, parse):
    site.write("content/_posts/2020-01-01-first.md", "---\ntitle: First\n---\nFirst.\n")
    site.write(
        "content/_posts/2020-01-02-second.md",
        "---\ntitle: Second\n---\n[a]({% post_url 2020-01-01-first %}) "
        '[b]({% link _posts/2020-01-01-first.md %}) [c]({{< ref "2020-01-01-first" >}}) '
        "[d](@/_posts/2020-01-01-first.md) [e]({filename}2020-01-01-first.md)\n",
    )
    image(site.root / "content" / "images" / "pic.png", (40, 20), "PNG")
    site.write(
        "content/pel.md", "Title: Pel\nDate: 2020-01-03\n\n![Pic]({static}/images/pic.png)\n"
    )
    result = site.build()
    assert not result.diagnostics.errors
    second = parse(site.out("second/index.html"))
    body_links = [a["href"] for a in second.find_all("a") if a.get("href") == "../first/"]
    assert len(body_links) >= 5
    pel = parse(site.out("pel/index.html"))
    assert pel.find_all("img", src="../images/pic.png", width="40", height="20")


def test_a_content_link_is_found_beside_the_post_or_else_from_content(site):
    """Hugo's ref "posts/x.md" from content/posts/y.md names content/posts/x.md: a path is
    looked for beside the post first, then from content/."""
    site.write("content/posts/first.md", "---\ntitle: First\ndate: 2020-01-01\n---\nOne.\n")
    site.write("content/posts/other.md", "---\ntitle: Near\ndate: 2020-01-01\n---\nNear.\n")
    site.write("content/other.md", "---\ntitle: Far\nslug: far\ndate: 2020-01-01\n---\nFar.\n")
    site.write(
        "content/posts/second.md",
        "---\ntitle: Second\ndate: 2020-01-02\n---\n"
        '[a]({{< ref "posts/first.md" >}}) [b](posts/first.md) [c](other.md)\n',
    )
    result = site.build()
    assert not result.diagnostics.errors, result.diagnostics.errors
    html = site.out("second/index.html")
    assert '<a href="../first/">a</a> <a href="../first/">b</a>' in html
    assert '<a href="../other/">c</a>' in html  # content/posts/other.md, beside the post


def test_pelican_translations_pair_by_slug(site, parse):
    site.write("content/hello.md", "Title: Hello\nDate: 2020-01-01\nSlug: hello\n\nHi.\n")
    site.write(
        "content/hello-fr.md", "Title: Bonjour\nDate: 2020-01-01\nSlug: hello\nLang: fr\n\nSalut.\n"
    )
    site.build()
    french = parse(site.out("fr/hello/index.html"))
    assert {
        link["hreflang"]
        for link in french.find_all("link", rel="alternate")
        if link.get("hreflang")
    } == {"en", "fr", "x-default"}


def test_a_link_to_a_draft_warns_and_is_not_a_broken_link(site):
    site.write("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nSee [the draft](b.md).\n")
    site.write("content/b.md", "---\ntitle: B\ndate: 2024-01-02\ndraft: true\n---\nNot yet.\n")
    result = site.build()
    assert any(
        "content/a.md:5: link to an article that is not published" in str(w)
        for w in result.diagnostics.warnings
    )
    assert "<a>the draft</a>" in site.out("a/index.html")
    site.write("content/b.md", "---\ntitle: B\ndate: 2024-01-02\n---\nNow.\n")
    site.build()
    assert '<a href="../b/">the draft</a>' in site.out("a/index.html")
