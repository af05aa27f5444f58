"""render/localize.py's rewriting of a body's references: what it finds in the HTML, and what
it writes for each kind of reference (pure: no files are read or written)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.render import localize
from sitegen.render.localize import LinkTargets, localize_html
from tests.unit.test_plan import make_article

# The patterns as they were before they were made to start at `<` or `=` (a fast scan): the
# plain reading of "an <img> tag, or a src/href/poster attribute after white space, any case"
OLD_REFERENCE = re.compile(
    r"""(?P<img><img\b[^>]*>)|(\s(?:src|href|poster)=)(?:"([^"]*)"|'([^']*)')""", re.I
)
OLD_LOCAL = re.compile(r"""(?:src|href|poster)=["'](?![a-z][a-z0-9+.-]*:|#|//)""")

PIECES = st.sampled_from(
    [
        "<img", "<IMG", "<iMg", "<imgx", ">", "<", "=", '"', "'", " ", "\n", "\t", "src", "SRC",
        "Src", "href", "HREF", "poster", "Poster", "xsrc", "a.png", "../b.md", "#top", "//cdn",
        "https://x.org/", "mailto:a@b", "<p>", "</p>", "<a", "</a>", "text", "é", "İ",
    ]
)  # fmt: skip
HTML = st.lists(PIECES, max_size=40).map("".join)


def _found(pattern: re.Pattern, html: str, value_groups: tuple[int, int]) -> list[tuple]:
    """Each match as ("img", span of the tag) or ("value", span of the quoted value)."""
    out = []
    for m in pattern.finditer(html):
        if m.group("img") is not None:
            out.append(("img", m.span(0)))
        else:
            group = next(g for g in value_groups if m.group(g) is not None)
            out.append(("value", m.span(group)))
    return out


@settings(max_examples=500)
@given(HTML)
def test_the_fast_patterns_find_what_the_plain_ones_find(html: str) -> None:
    assert _found(localize._IMG_OR_VALUE, html, (2, 3)) == _found(OLD_REFERENCE, html, (3, 4))
    low = html.lower()
    assert bool(localize._LOCAL_REF.search(low)) == bool(OLD_LOCAL.search(low))


def _targets(**changes) -> LinkTargets:
    values = dict(
        files={"/pic.png", "/files/report.pdf"},
        articles={"a1.md": "/a1/", "a2.md": "/a2/"},
        bundle_urls={},
        base_url="https://example.org/",
    )
    values.update(changes)
    return LinkTargets(**values)


def test_each_kind_of_reference_is_rewritten_for_the_page() -> None:
    html = (
        "<p><a href=\"a2.md\">next</a> <A HREF='a2.md#part'>part</A> "
        '<a href="https://x.org/a2.md">away</a> <a href="#top">top</a> '
        '<a title="x" href="gone.md">gone</a> <a href="/files/report.pdf">pdf</a></p>\n'
        '<p><IMG SRC="/pic.png" alt="p"> <video poster="/pic.png" src="/missing.mp4"></video></p>\n'
    )
    out = localize_html(html, make_article(1), "/a1/", _targets(), "content/a1.md")
    assert out == (
        '<p><a href="../a2/">next</a> <A HREF="../a2/#part">part</A> '
        '<a href="https://x.org/a2.md">away</a> <a href="#top">top</a> '
        '<a title="x">gone</a> <a href="../files/report.pdf">pdf</a></p>\n'
        '<p><IMG SRC="../pic.png" alt="p"> <video poster="../pic.png" src="/missing.mp4"></video></p>\n'
    )


def test_a_feed_gets_absolute_addresses() -> None:
    html = '<p><a href="a2.md">next</a><img src="/pic.png" alt=""></p>'
    out = localize_html(html, make_article(1), "", _targets(), "content/a1.md")
    assert out == (
        '<p><a href="https://example.org/a2/">next</a>'
        '<img src="https://example.org/pic.png" alt=""></p>'
    )


def test_a_body_without_local_references_comes_back_as_it_was() -> None:
    html = '<p><a href="https://x.org/">x</a> <a href="#a">a</a> src = "x" é</p>'
    assert localize_html(html, make_article(1), "/a1/", _targets(), "content/a1.md") is html


def test_an_address_elsewhere_ending_in_md_keeps_its_link() -> None:
    # a README on a forge: not a content file of this site, so never taken for a missing one
    html = '<p><a href="https://forge.example/a/b/blob/main/README.md">readme</a></p>'
    out = localize_html(html, make_article(1), "/a1/", _targets(), "content/a1.md")
    assert out == html


def test_an_img_tag_in_capitals_is_localised_too() -> None:
    html = '<p><IMG ALT="p" SRC="/pic.png"></p>'
    out = localize_html(html, make_article(1), "/a1/", _targets(), "content/a1.md")
    assert out == '<p><IMG ALT="p" SRC="../pic.png"></p>'


def test_a_page_named_without_its_folder_is_found_where_it_is_the_only_one() -> None:
    """Hugo's `{{< ref "4-ec2" >}}` names a page anywhere in the site: the one file or bundle
    of that name, else (none, or two of them) nothing."""
    articles = {
        "posts/aws/4-ec2/index.md": "/posts/4-ec2/",
        "posts/aws/5-s3.md": "/posts/5-s3/",
        "notes/a/same.md": "/notes/a-same/",
        "notes/b/same.md": "/notes/b-same/",
    }
    targets = LinkTargets(set(), articles, {})
    here = make_article(1, rel="posts/intro.md", source="content/posts/intro.md")
    found = [
        localize.resolve(ref, here, targets)
        for ref in ("4-EC2.md", "aws/5-s3.md#top", "5-s3.md", "same.md", "a/same.md", "none.md")
    ]
    assert found == [
        "/posts/4-ec2/",
        "/posts/5-s3/#top",
        "/posts/5-s3/",
        None,
        "/notes/a-same/",
        None,
    ]


def test_a_ref_to_a_tag_or_category_finds_its_page() -> None:
    """Hugo's `{{< ref "tags/s3" >}}` names the taxonomy's page: the term's page here."""
    targets = LinkTargets(set(), {}, {}, terms={"tags/s3": "/tags/s3/"})
    here = make_article(1)
    assert localize.resolve("tags/S3.md#x", here, targets) == "/tags/s3/#x"
    assert localize.resolve("tags/s4.md", here, targets) is None


def test_broken_links_are_named_with_their_lines_the_body_read_once() -> None:
    """Each broken link's message names its line (the first line it is on); the body is read
    once for all of them (a body kept in the article cache is read from there)."""
    from sitegen.content.article import StoredBody

    body = "Intro.\n\nSee [x](gone.md).\n\n\n[y](away.md) and [x](gone.md) again.\n[z](a2.md)\n"
    reads: list[int] = []

    def read(stored: StoredBody) -> bytes:
        reads.append(1)
        return body.encode()

    stored = StoredBody("cache", "a1.md", (1, 2, 3))
    article = make_article(1, body_utf8=stored, links=("gone.md", "away.md", "gone.md", "a2.md"))
    old, StoredBody.reader = StoredBody.reader, read
    try:
        _, errors = localize.check_references(article, _targets())
    finally:
        StoredBody.reader = old
    assert [(e.line, e.message.rsplit(": ", 1)[-1]) for e in errors] == [
        (6, "gone.md"),
        (9, "away.md"),
        (6, "gone.md"),
    ]
    assert reads == [1]
