"""urls.py: output paths, relative links from any page depth, file:// links, absolute links."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.text.urls import absolute_url, is_local, output_path, relative_url, site_path


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/", "index.html"),
        ("/a/", "a/index.html"),
        ("/2024/05/slug/", "2024/05/slug/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/tags/x/feed.xml", "tags/x/feed.xml"),
        ("/old/page.html", "old/page.html"),
    ],
)
def test_output_path(url, path):
    assert output_path(url) == path


@pytest.mark.parametrize(
    ("target", "page", "link"),
    [
        ("/", "/", "./"),
        ("/tags/", "/", "tags/"),
        ("/", "/story/", "../"),
        ("/tags/a/", "/story/", "../tags/a/"),
        ("/tags/a/", "/2024/05/story/", "../../../tags/a/"),
        ("/", "/2024/05/story/", "../../../"),
        ("/2024/05/story/", "/2024/05/story/", "./"),
        ("/2024/05/other/", "/2024/05/story/", "../other/"),
        ("/style.abc.css", "/tags/a/page/2/", "../../../../style.abc.css"),
        ("/feed.xml", "/feed.xml", "feed.xml"),
        ("/a/", "/tags/x/feed.xml", "../../a/"),
        ("/story/#notes", "/", "story/#notes"),
        ("/reference/code/?h=code+blocks#x", "/a/", "../reference/code/?h=code+blocks#x"),
        ("/café/", "/", "caf%C3%A9/"),
        ("https://example.com/x", "/a/", "https://example.com/x"),
        ("#top", "/a/", "#top"),
    ],
)
def test_relative_url(target, page, link):
    assert relative_url(target, page) == link


@pytest.mark.parametrize(
    ("target", "page", "link"),
    [
        ("/", "/", "./index.html"),
        ("/", "/a/b/", "../../index.html"),
        ("/tags/x/", "/a/", "../tags/x/index.html"),
        ("/feed.xml", "/a/", "../feed.xml"),
        ("/a/#x", "/", "a/index.html#x"),
        ("/a/?q=1", "/", "a/index.html?q=1"),
    ],
)
def test_relative_url_for_file_urls(target, page, link):
    assert relative_url(target, page, file_urls=True) == link


def test_absolute_url():
    assert (
        absolute_url("/tags/x/", "https://example.org/blog/") == "https://example.org/blog/tags/x/"
    )
    assert absolute_url("/", "https://example.org/blog") == "https://example.org/blog/"
    assert absolute_url("/café/", "https://example.org/") == "https://example.org/caf%C3%A9/"
    assert absolute_url("/a/", "") == "/a/"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("/a/", True),
        ("a.png", True),
        ("../x/", True),
        ("#x", False),
        ("?q=1", False),
        ("//cdn.example/x.js", False),
        ("https://x.org/", False),
        ("mailto:a@b.c", False),
        ("data:image/png;base64,xx", False),
        ("", False),
    ],
)
def test_is_local(url, local):
    assert is_local(url) is local


_segment = st.text(alphabet="abcxyz-é0", min_size=1, max_size=6).filter(
    lambda s: s not in (".", "..")
)
_dir_url = st.lists(_segment, max_size=4).map(lambda parts: "/" + "".join(p + "/" for p in parts))


@given(target=_dir_url, page=_dir_url, prefix=st.sampled_from(["/", "/blog/", "/a/b/"]))
def test_relative_links_resolve_under_any_subpath(target, page, prefix):
    """The browser's resolution of the link, from the page served under `prefix`, lands on
    the target served under the same prefix."""
    link = relative_url(target, page)
    served_page = "http://h" + prefix.rstrip("/") + page
    resolved = urljoin(served_page, link)
    assert unquote(resolved) == "http://h" + prefix.rstrip("/") + target


@given(target=_dir_url, page=_dir_url)
def test_file_urls_point_at_files(target, page):
    link = relative_url(target, page, file_urls=True)
    assert link.endswith("index.html")
    resolved = posixpath.normpath(posixpath.join("/root" + page, unquote(link)))
    assert resolved == posixpath.normpath("/root" + target + "index.html")


@pytest.mark.parametrize(
    "value, url",
    [
        ("old/post", "/old/post/"),
        ("/old/post/", "/old/post/"),
        ("/a.html", "/a.html"),
        ("./x//y/", "/x/y/"),
        ("/2019/نص/", "/2019/نص/"),
        ("/feed.xml", "/feed.xml"),
        ("/caf%C3%A9/", "/café/"),  # a host decodes the request: the folder is café/
        ("/a%20b.html", "/a b.html"),
        ("/100%/", "/100%/"),  # no escape: kept
    ],
)
def test_site_path_cleans_what_people_write(value: str, url: str) -> None:
    assert site_path(value) == url


@pytest.mark.parametrize(
    "value",
    [
        "/../etc/passwd",
        "a/../../b",
        "..",
        "http://x.org/a",
        "//x.org/a",
        "a\\b",
        "",
        "  ",
        "/a?b",
        "/a#b",
        "/a\nb",
        "/%2e%2e/%2e%2e/x",
        "/a%3Fb",
        "/a%5Cb",
        "/%ff/",
    ],
)
def test_site_path_refuses_what_could_leave_the_site(value: str) -> None:
    with pytest.raises(ValueError):
        site_path(value)


def test_output_path_never_leaves_the_folder() -> None:
    assert output_path("/../../tmp/x/") == "tmp/x/index.html"
    assert output_path("/a/../b.html") == "a/b.html"


def test_relative_paths_equal_posixpath_relpath():
    """`relative_url` splits paths itself (fast); it gives what posixpath.relpath gives."""
    import itertools
    import posixpath

    from sitegen.text.urls import _relpath

    segments = ["a", "b", "x.html", "é", "%20"]
    paths = ["/"] + [
        "/" + "/".join(p) + tail
        for n in range(1, 4)
        for p in itertools.product(segments, repeat=n)
        for tail in ("", "/")
    ]
    bases = [p for p in paths if p.endswith("/")]
    for path in paths:
        for base in bases:
            assert _relpath(path, base) == posixpath.relpath(path, base), (path, base)
    assert _relpath("/a//b/", "/a/") == "b"  # not normalised: left to posixpath
