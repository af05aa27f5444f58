"""The default theme in headless Chromium, served under /blog/ by a plain static server:
pages load with no console errors, failed or outside requests; axe-core finds no violations;
the layout holds from 320 px to wide screens, light and dark, and in print; keyboard users get
a skip link and visible focus; reading needs no JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import BuildRequest, build
from sitegen.config import load_config
from tests.browser.conftest import serve_folder
from tests.sample_site import write_sample_site

pytestmark = pytest.mark.browser

# index, an article with a table, code, footnotes and a task list, a tag page, the archive
PAGES = ["", "story-0120/", "tags/politics/", "archive/"]
MORE_PAGES = ["page/2/", "tags/", "tags/politics/page/2/"]


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A generated 200-article site, served at http://127.0.0.1:PORT/blog/."""
    root = write_sample_site(tmp_path_factory.mktemp("theme") / "site", 200)
    build(BuildRequest(load_config(root)))
    with serve_folder(root / "build", "/blog/") as base:
        yield base


def _watch(page):
    """Collect console errors, page errors, failed requests and requests leaving 127.0.0.1."""
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
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )

    def outside(route):
        problems.append(f"outside request: {route.request.url}")
        route.abort()

    page.route(lambda url: not url.startswith("http://127.0.0.1:"), outside)
    return problems


def test_pages_load_with_no_errors_and_no_outside_requests(browser, served):
    context = browser.new_context()
    page = context.new_page()
    problems = _watch(page)
    for path in PAGES + MORE_PAGES:
        response = page.goto(served + path, wait_until="networkidle")  # favicon included
        assert response.status == 200, path
        assert page.evaluate("document.styleSheets.length") >= 2, "stylesheets loaded"
    context.close()
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(browser, served, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    script = _axe_script()
    found = {}
    # colours differ between the schemes: dark mode is checked on the pages with most colours
    pages = PAGES + ["story-0120/"] if scheme == "light" else ["", "story-0120/"]
    for path in pages:
        if path in found:
            page.set_viewport_size({"width": 390, "height": 844})  # the article on a phone
        page.goto(served + path)
        page.evaluate(script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found[path if path not in found else path + "@390"] = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in result["violations"]
        ]
    context.close()
    assert found == {k: [] for k in found}


@pytest.mark.parametrize("width", [320, 768, 1920])
def test_no_horizontal_scrolling(browser, served, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for path in ("", "story-0120/", "archive/", "tags/"):
        page.goto(served + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    context.close()


def test_article_text_has_a_readable_measure(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(served + "story-0120/")
    per_line = page.evaluate("""() => {
        const counts = [];
        for (const p of document.querySelectorAll('.article-body > p')) {
            const lines = Math.round(p.getBoundingClientRect().height /
                                     parseFloat(getComputedStyle(p).lineHeight));
            if (lines >= 3) counts.push(p.textContent.length / lines);
        }
        return counts.reduce((a, b) => a + b, 0) / counts.length;
    }""")
    context.close()
    assert 60 <= per_line <= 85, per_line


def test_skip_link_and_visible_focus(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served + "story-0120/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return {cls: el.className, top: r.top, height: r.height, outline: s.outlineStyle,
                width: parseFloat(s.outlineWidth)};
    }""")
    assert focused["cls"] == "skip-link"
    assert focused["top"] >= 0 and focused["height"] > 10, "skip link shows when focused"
    assert focused["outline"] != "none" and focused["width"] >= 2, "visible focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    landmarks = page.evaluate("""() => ['header', 'nav', 'main', 'footer']
        .map(t => document.querySelectorAll('body > ' + t + ', body > header > ' + t).length)""")
    assert all(n >= 1 for n in landmarks)
    context.close()


def test_dark_scheme_and_print_stylesheet(browser, served):
    def background(scheme: str, media: str = "screen") -> tuple[str, bool]:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.emulate_media(media=media, color_scheme=scheme)
        page.goto(served + "story-0120/")
        color = page.evaluate("getComputedStyle(document.body).backgroundColor")
        nav_shown = (
            page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") != "none"
        )
        context.close()
        return color, nav_shown

    assert background("light") == ("rgb(255, 255, 255)", True)
    dark, _ = background("dark")
    assert dark != "rgb(255, 255, 255)" and sum(map(int, dark[4:-1].split(","))) < 120
    assert background("dark", "print") == ("rgb(255, 255, 255)", False)


def test_reading_needs_no_javascript(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "story-0120/")
    assert page.locator("h1").inner_text().strip()
    assert len(page.locator(".article-body").inner_text()) > 1000
    page.goto(served)
    assert page.locator(".article-item").count() == 10
    context.close()


def test_an_old_address_with_a_section_lands_on_that_section(browser, tmp_path):
    """A redirect page keeps the `#section` of the link that reached it (a meta refresh alone
    drops it), served and from disk."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("title: T\n", encoding="utf-8")
    (root / "content" / "a.md").write_text(
        "---\ntitle: A\ndate: 2024-01-01\naliases: [/old/a/]\n---\n\n## Part two\n\nText.\n",
        encoding="utf-8",
    )
    build(BuildRequest(load_config(root)))
    page = browser.new_page()
    try:
        with serve_folder(root / "build") as base:
            page.goto(base + "old/a/#part-two")
            page.wait_for_url("**/a/#part-two")
        page.goto((root / "build" / "old" / "a" / "index.html").as_uri() + "#part-two")
        page.wait_for_url("**/a/#part-two")
    finally:
        page.close()
