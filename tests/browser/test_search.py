"""Search in headless Chromium: results as you type, under a subpath and from file://,
keyboard use, no console errors, no axe-core violations, a message without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import serve_folder
from tests.conftest import SiteFolder
from tests.e2e.test_search import BODY_ONLY_WORD, write_topic_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = SiteFolder(tmp_path_factory.mktemp("search") / "site")
    write_topic_site(site)
    site.build()
    return site.root / "build"


@pytest.fixture(scope="module")
def served(built):
    with serve_folder(built, "/news/") as base:
        yield base


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    return problems


def _ready(page) -> None:
    page.wait_for_function(
        "document.querySelector('form.search-ready') && "
        "!/Loading/.test(document.getElementById('search-status').textContent)",
        timeout=10_000,
    )


def test_typing_shows_results_with_highlighted_excerpt(browser, served):
    page = browser.new_page()
    problems = _watch(page)
    page.goto(served + "search/")
    _ready(page)
    page.locator("#search-input").press_sequentially(BODY_ONLY_WORD[:6], delay=30)  # a prefix
    first = page.locator("#search-results li").first
    first.wait_for(timeout=10_000)
    assert page.locator("#search-results li").count() == 1
    assert first.locator("h2 a").inner_text() == "Report number 1"
    assert first.locator("mark").first.inner_text() == BODY_ONLY_WORD
    assert first.locator(".search-date").inner_text() == "January 1, 2024"
    assert "1 article matches" in page.locator("#search-status").inner_text()
    # the address follows the query once typing pauses (the first results may come sooner)
    page.wait_for_function(f"location.search.includes('q={BODY_ONLY_WORD[:6]}')", timeout=10_000)
    first.locator("h2 a").click()
    page.wait_for_url(served + "war-0/")
    assert page.locator("h1").first.inner_text() == "Report number 1"
    page.close()
    assert problems == []


def _search_from_header(page, start: str, words: str, lands_at: str) -> None:
    """Type `words` in the header box of the page at `start`, press Enter, wait for `lands_at`."""
    page.goto(start)
    page.locator("#site-search-q").fill(words)
    page.keyboard.press("Enter")
    page.wait_for_url(lands_at)


def test_header_box_leads_to_results_and_keyboard_reaches_them(browser, served):
    page = browser.new_page()
    problems = _watch(page)
    _search_from_header(page, served + "sport-1/", "goalkeeper", "**/news/search/?q=goalkeeper")
    page.locator("#search-results li").nth(4).wait_for(timeout=10_000)
    assert page.locator("#search-results li").count() == 5
    assert page.locator("#search-input").input_value() == "goalkeeper"
    page.locator("#search-input").focus()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first result
    focused = page.evaluate("document.activeElement.closest('#search-results') !== null")
    assert focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/news/sport-*/")
    page.close()
    assert problems == []


def test_words_must_all_match_and_nothing_found_is_said(browser, served):
    page = browser.new_page()
    page.goto(served + "search/?q=goalkeeper%20inflation%20")
    _ready(page)
    page.wait_for_function(
        "/No articles match/.test(document.getElementById('search-status').textContent)",
        timeout=10_000,
    )
    assert page.locator("#search-results li").count() == 0
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_search_page(browser, served, scheme):
    import axe_playwright_python

    script = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(
        encoding="utf-8"
    )
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(served + "search/?q=troops")
    page.locator("#search-results li mark").first.wait_for(timeout=10_000)
    page.evaluate(script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]] == []


def test_works_from_file_urls(browser, built):
    page = browser.new_page()
    problems = _watch(page)
    page.goto((built / "search" / "index.html").as_uri() + "?q=goalkeeper")
    page.locator("#search-results li").nth(4).wait_for(timeout=10_000)
    href = page.locator("#search-results li h2 a").first.get_attribute("href")
    assert href.startswith("file://") and href.endswith("/index.html")
    page.close()
    assert problems == []


def test_without_javascript_the_page_says_search_needs_it(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "search/")
    assert "Search needs JavaScript" in page.locator("main").inner_text()
    context.close()


def test_the_status_speaks_the_sites_language(browser, tmp_path):
    """The search page's messages come from the theme's i18n files, with the language's plural
    rules and number format: a German site says so in German."""
    site = SiteFolder(tmp_path / "site")
    site.configure("title: Nachrichten\nlanguage: de\n")
    for i in range(3):
        site.article(f"h{i}.md", f"Hafen {i}", f"2024-01-0{i + 1}", "Der Hafen und der Rat.")
    site.article("w.md", "Wetter", "2024-01-05", "Regen und Wind.")
    site.build()
    with serve_folder(site.root / "build", "/") as base:
        page = browser.new_page()
        page.goto(base + "search/?q=hafen")
        status = "document.getElementById('search-status').textContent"
        page.wait_for_function(f"/passen zu/.test({status})", timeout=10_000)
        assert page.locator("#search-status").inner_text() == "3 Artikel passen zu „hafen“."
        page.locator("#search-input").fill("wetter")
        page.wait_for_function(f"/passt zu/.test({status})", timeout=10_000)
        page.locator("#search-input").fill("schnee")
        page.wait_for_function(f"/Keine Artikel zu „schnee“/.test({status})", timeout=10_000)
        page.close()


def test_each_language_searches_from_its_own_page(browser, tmp_path):
    """A translated page's header box leads to the search page of its language (its words,
    its direction), which reads the one index at /search/ and links results from its depth."""
    site = SiteFolder(tmp_path / "site")
    site.configure(
        "title: Two\nlanguages:\n  - {code: en, name: English}\n  - {code: de, name: Deutsch}\n"
    )
    for i in range(3):
        site.article(f"h{i}.md", f"Harbour {i}", f"2024-01-0{i + 1}", "The harbour council.")
        site.article(f"h{i}.de.md", f"Hafen {i}", f"2024-01-0{i + 1}", "Der Hafen und der Rat.")
    site.build()
    with serve_folder(site.root / "build", "/site/") as base:
        page = browser.new_page()
        problems = _watch(page)
        _search_from_header(page, base + "de/h1/", "hafen", "**/site/de/search/?q=hafen")
        assert page.locator("html").get_attribute("lang") == "de"
        status = "document.getElementById('search-status').textContent"
        page.wait_for_function(f"/passen zu/.test({status})", timeout=10_000)
        assert page.locator("#search-status").inner_text() == "3 Artikel passen zu „hafen“."
        page.locator("#search-results li a").first.click()
        page.wait_for_url("**/site/de/h*/")
        assert page.locator("h1").inner_text().startswith("Hafen")
        page.close()
        assert problems == []
