"""The last syntax a moved site brings, built end to end: attribute lists, icon and emoji
shortcodes, Pelican's link prefixes, and links to pages that are not part of the site
(`broken_links: error`, the default, or `warn`)."""

from __future__ import annotations

import pytest

from sitegen.errors import BuildFailed


def test_attribute_lists_become_attributes_on_the_page(site, parse):
    site.write("content/pic.png", b"\x89PNG\r\n\x1a\n")
    site.write(
        "content/post.md",
        """\
        ---
        title: Post
        date: 2024-01-01
        ---
        ![A picture](pic.png){.border-0}

        A notice paragraph.
        {: .notice--info}

        [Read more](other.md){: .btn #more}

        ![Bad](pic.png){onclick="alert(1)" style="color:red" .safe}
        """,
    )
    site.article("other.md", "Other")
    result = site.build()
    assert not result.diagnostics.errors
    page = parse(site.out("post/index.html"))
    assert page.find_all("img", alt="A picture", **{"class": "border-0"})
    assert page.find_all("p", **{"class": "notice--info"})
    assert page.find_all("a", href="../other/", id="more", **{"class": "btn"})
    bad = page.find_all("img", alt="Bad")[0]
    assert bad.get("class") == "safe" and "onclick" not in bad and "style" not in bad
    assert "{:" not in page.text and "{." not in page.text
    assert "{" not in page.find_all("meta", name="description")[0]["content"]


def test_icon_shortcodes_warn_once_per_kind_and_emoji_show(site, parse):
    site.article(
        "a.md",
        "Icons",
        body=":octicons-heart-fill-24: Sponsors :octicons-star-16:\n\n"
        ":material-account: Thanks :heart: :tada:",
    )
    result = site.build()
    icon_warnings = [w for w in result.diagnostics.warnings if "icon shortcode" in w.message]
    assert sorted(w.message.split("(")[1].split("-")[0] for w in icon_warnings) == [
        "material",
        "octicons",
    ]
    assert all(str(w.path) == "content/a.md" and w.line for w in icon_warnings)
    page = parse(site.out("a/index.html"))
    assert "Thanks ❤️ 🎉" in page.text and "octicons" not in page.text and ":" not in page.text


@pytest.fixture
def moved_in_stages(site):
    """A site that links to a page it does not have (yet), in each convention."""
    site.write(
        "content/post.md",
        """\
        ---
        title: Post
        date: 2024-01-01
        ---
        See [the setup guide](../docs/setup.md) and [the rst page]({filename}pages/about.rst),
        [a missing pdf]({static}/files/missing.pdf) and [a real one]({static}/files/real.pdf).
        """,
    )
    site.write("content/pages/about.rst", "About\n=====\n")
    site.write("content/files/real.pdf", b"%PDF-1.4\n")
    return site


def test_links_to_pages_outside_the_site_are_errors_by_default(moved_in_stages):
    with pytest.raises(BuildFailed) as info:
        moved_in_stages.build()
    messages = sorted(e.message for e in info.value.errors)
    assert messages == [
        "link to a file that is not part of the site: {static}/files/missing.pdf",
        "link to a page that is not part of the site: ../docs/setup.md",
        "link to a page that is not part of the site: {filename}pages/about.rst",
    ]
    assert all(str(e.path) == "content/post.md" and e.line for e in info.value.errors)
    assert "broken_links: warn" in info.value.errors[0].hint
    assert not (moved_in_stages.root / "build").exists()


def test_broken_links_warn_builds_and_writes_them_as_plain_text(moved_in_stages, parse):
    moved_in_stages.configure("title: Stages\nbroken_links: warn\n")
    result = moved_in_stages.build()
    assert not result.diagnostics.errors
    warned = [w for w in result.diagnostics.warnings if "not part of the site" in w.message]
    assert len(warned) == 3
    page = parse(moved_in_stages.out("post/index.html"))
    body_links = {a.get("href") for a in page.find_all("a")}
    assert "../files/real.pdf" in body_links
    assert not any("setup.md" in h or "about.rst" in h or "missing" in h for h in body_links if h)
    html = moved_in_stages.out("post/index.html")
    assert "<a>the setup guide</a>" in html and "<a>the rst page</a>" in html
    assert "<a>a missing pdf</a>" in html
