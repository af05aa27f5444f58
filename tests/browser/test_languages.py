"""Right-to-left and translated pages in headless Chromium: axe-core finds no violations
(sideways-scrolling code blocks included), the layout mirrors, nothing scrolls sideways."""

from __future__ import annotations

import pytest

from sitegen.build import BuildRequest, build
from sitegen.config import load_config
from tests.browser.conftest import serve_folder
from tests.browser.test_theme import _axe_script

pytestmark = pytest.mark.browser

LONG_CODE = "```rust\nfn main() { " + " ".join(f"let v{i} = {i};" for i in range(40)) + " }\n```\n"
ARTICLE = """\
---
title: {title}
date: 2024-05-0{day}
tags: [{tag}]
---

{text}

{code}
> {quote}

| a | b |
|---|---|
| 1 | 2 |
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("rtl") / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: Two scripts\nlanguages:\n  - {code: en, name: English}\n"
        "  - {code: ar, name: العربية}\n",
        encoding="utf-8",
    )
    for day in (1, 2, 3):
        (root / "content" / f"story-{day}.md").write_text(
            ARTICLE.format(
                title=f"Story {day}",
                day=day,
                tag="news",
                text="English text. " * 30,
                code=LONG_CODE,
                quote="A quote.",
            ),
            encoding="utf-8",
        )
        (root / "content" / f"story-{day}.ar.md").write_text(
            ARTICLE.format(
                title=f"قصة {day}",
                day=day,
                tag="أخبار",
                text="نص عربي للقراءة. " * 30,
                code=LONG_CODE,
                quote="اقتباس.",
            ),
            encoding="utf-8",
        )
    build(BuildRequest(load_config(root)))
    with serve_folder(root / "build", "/blog/") as base:
        yield base


RTL_PAGES = ["ar/", "ar/story-1/", "ar/tags/", "ar/archive/", "ar/search/"]


def test_axe_finds_no_violations_on_right_to_left_pages(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    script = _axe_script()
    found = {}
    for path in RTL_PAGES + ["story-1/"]:
        page.goto(served + path)
        page.evaluate(script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found[path] = [
            (v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
        ]
    context.close()
    assert found == {k: [] for k in found}


def test_right_to_left_layout_mirrors(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(served + "ar/story-1/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    quote = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.article-body blockquote'));"
        " return [s.borderRightWidth, s.borderLeftWidth]; })()"
    )
    assert quote[0] != "0px" and quote[1] == "0px", "the quote's rule is on the reading side"
    title = page.locator("h1").bounding_box()
    body = page.locator(".article-body p").first.bounding_box()
    assert abs((title["x"] + title["width"]) - (body["x"] + body["width"])) < 2, "right-aligned"
    pre_focusable = page.evaluate(
        "[...document.querySelectorAll('pre')].every(p => p.tabIndex === 0"
        " && p.scrollWidth > p.clientWidth)"
    )
    assert pre_focusable, "long code blocks scroll and can be reached with the keyboard"
    context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_right_to_left_pages_do_not_scroll_sideways(browser, served, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for path in RTL_PAGES:
        page.goto(served + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    context.close()
