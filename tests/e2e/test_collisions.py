"""Two outputs on one path: an error naming both sources, except a file of the site's static/
meant to replace a generated file (a warning, and the build is stable)."""

from __future__ import annotations

import os
import re

import pytest

from sitegen.errors import BuildFailed


def errors_of(site) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        site.build()
    return [f"{e.path}: {e.message}" for e in info.value.errors]


def test_static_file_on_an_article_page_is_an_error_naming_both(site):
    site.article("first.md", "First", slug="first")
    site.write("static/first/index.html", "<p>mine</p>")
    errors = errors_of(site)
    assert len(errors) == 1
    assert "static/first/index.html" in errors[0] and "content/first.md" in errors[0]
    # the page named by the front matter line that placed it there, in plain words
    assert re.search(r"and content/first\.md \(slug: at line \d+\)", errors[0]), errors[0]
    assert not site.exists("first/index.html")  # nothing half-written


def test_stray_file_in_content_on_the_tags_page_is_an_error(site):
    site.article("first.md", "First", tags="[river]")
    site.write("content/tags/index.html", "<p>stray</p>")
    errors = errors_of(site)
    assert any("content/tags/index.html" in e and "tags" in e for e in errors), errors


def test_bundle_file_on_a_page_is_an_error(site):
    site.article("trip/index.md", "Trip")
    site.write("content/trip/photo.png", b"\x89PNG\r\n\x1a\n")
    site.article("other.md", "Other", url="/trip/photo.png")
    errors = errors_of(site)
    assert any("content/trip/photo.png" in e and "content/other.md" in e for e in errors), errors


def test_generated_file_on_a_page_is_an_error_at_the_line_placing_the_page(site):
    site.article("first.md", "First", url="/search/manifest.js")
    with pytest.raises(BuildFailed) as info:
        site.build()
    [error] = [e for e in info.value.errors if "search index" in e.message]
    lines = (site.root / "content/first.md").read_text(encoding="utf-8").splitlines()
    assert str(error.path) == "content/first.md" and lines[error.line - 1].startswith("url:")


def test_static_file_in_two_places_is_an_error(site):
    site.article("first.md", "First")
    site.write("static/img/logo.png", b"one")
    site.write("content/img/logo.png", b"two")
    errors = errors_of(site)
    assert any("static/img/logo.png" in e and "content/img/logo.png" in e for e in errors)


def test_static_override_of_a_generated_file_warns_and_is_stable(site):
    site.article("first.md", "First")
    site.write("static/robots.txt", "User-agent: *\nDisallow: /private/\n")
    first = site.build()
    assert "Disallow: /private/" in site.out("robots.txt")
    assert any("robots.txt" in str(w) for w in first.diagnostics.warnings)
    stamps = {p: p.stat().st_mtime_ns for p in (site.root / "build").rglob("*") if p.is_file()}
    again = site.build()
    assert again.written == 0 and again.removed == 0
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert "Disallow: /private/" in site.out("robots.txt")


def test_theme_file_overridden_by_site_static_is_silent(site):
    site.article("first.md", "First")
    site.write("static/favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    result = site.build()
    assert not [w for w in result.diagnostics.warnings if "favicon" in str(w)]
    assert site.out("favicon.svg").startswith("<svg xmlns='http")
    assert os.path.getsize(site.root / "build" / "favicon.svg") < 100


def test_an_alias_differing_from_its_own_page_only_in_case_is_left_out_with_a_warning(site):
    """An old address `/blog/XKCD-plots/` kept as an alias of the page now at
    `/blog/xkcd-plots/` (as Hugo sites carry them): one file on a case-insensitive host, so it
    is not written, with a warning; the page and the article's other aliases are."""
    site.article(
        "xkcd.md", "XKCD plots", slug="xkcd-plots", aliases='["/XKCD-plots/", "/old/xkcd/"]'
    )
    result = site.build()
    warnings = [str(w) for w in result.diagnostics.warnings]
    assert any("/XKCD-plots/" in w and "only in letter case" in w for w in warnings), warnings
    assert "XKCD plots" in site.out("xkcd-plots/index.html")
    assert "xkcd-plots/" in site.out("old/xkcd/index.html")  # the other alias redirects
    assert not [p for p in (site.root / "build").iterdir() if p.name == "XKCD-plots"]


def test_an_alias_on_another_articles_page_in_other_case_is_still_an_error(site):
    site.article("first.md", "First", slug="first")
    site.article("second.md", "Second", aliases='["/FIRST/"]')
    errors = errors_of(site)
    assert any("content/second.md" in e and "first" in e for e in errors), errors


def test_addresses_no_file_system_can_hold_are_errors_before_anything_is_written(site):
    """A 300-byte slug, a page on sitegen's manifest, an alias making /robots.txt a folder:
    each is an error naming its content file, all at once; they used to fail the writer in
    its staging folder on the first one, naming that folder."""
    site.article("ok.md", "Ok")
    site.build()
    site.article("long.md", "Long", slug="b" * 300)
    site.article("m.md", "M", url="/.sitegen-manifest.json")
    site.article("r.md", "R", aliases='["/robots.txt/"]')
    errors = errors_of(site)
    assert any(e.startswith("content/long.md:") and "300 bytes" in e for e in errors), errors
    assert any(e.startswith("content/m.md:") and "keeps for its own" in e for e in errors)
    assert any(e.startswith("content/r.md:") and "both a file" in e for e in errors), errors
    assert site.exists("ok/index.html") and not site.exists("r/index.html")


def test_two_pages_on_one_path_name_the_line_of_the_key_that_put_them_there(site):
    """The error points at the front matter line to change: the `slug`, `url` or alias key
    (under any of its names) of the page that was given that address, not just its file."""
    site.write("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n\nslug: same\n---\nBody\n")
    site.article("b.md", "B")  # its address comes from its file name: no line to show
    site.write("content/c.md", "---\ntitle: C\nredirect_from:\n  - /x/\n  - /b/\n---\nBody\n")
    site.write("content/d.md", "---\ntitle: D\n\n\npermalink: /same/\n---\nBody\n")
    with pytest.raises(BuildFailed) as info:
        site.build()
    found = sorted((e.path, e.line, e.message) for e in info.value.errors)
    assert found == [
        (
            "content/c.md",
            3,
            "two pages would be written to /b/index.html: content/b.md and content/c.md "
            "(alias /b/) ('redirect_from' at line 3)",
        ),
        (
            "content/d.md",  # the page left out, the other named with its line
            5,
            "two pages would be written to /same/index.html: content/a.md ('slug' at line 5) "
            "and content/d.md ('permalink' at line 5)",
        ),
    ]


def test_two_names_differing_only_in_accent_encoding_are_told_apart_in_the_error(site):
    """`café.md` twice, once with `é` and once with `e` and a combining accent (as macOS
    writes names): both have one address, and the error says why they look alike."""
    site.article("caf\u00e9.md", "Composed")
    site.article("cafe\u0301.md", "Decomposed")
    with pytest.raises(BuildFailed) as info:
        site.build()
    (error,) = info.value.errors
    assert "two pages would be written to /cafe/index.html" in error.message
    assert "differ only in how accents are written" in error.hint
