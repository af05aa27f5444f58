"""`pagination: stable` in headless Chromium, served under /blog/: a reader who follows
"Older" from the front page reaches every article once, newest first, through pages that load
cleanly, and the pager passes axe."""

from __future__ import annotations

import pytest

from sitegen.build import BuildRequest, build
from sitegen.config import load_config
from tests.browser.conftest import serve_folder
from tests.browser.test_theme import _axe_script, _watch
from tests.sample_site import write_sample_site

pytestmark = pytest.mark.browser

ARTICLES = 47  # per_page 10: the front page shows 17, pages 3 to 1 ten each


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = write_sample_site(
        tmp_path_factory.mktemp("stable") / "site", ARTICLES, "pagination: stable\n"
    )
    build(BuildRequest(load_config(root)))
    with serve_folder(root / "build", "/blog/") as base:
        yield base


def test_older_leads_from_the_front_page_through_every_article(browser, served):
    context = browser.new_context()
    page = context.new_page()
    problems = _watch(page)
    page.goto(served)
    seen: list[str] = []
    visited: list[str] = []
    while True:
        visited.append(page.url.removeprefix(served))
        seen += page.eval_on_selector_all(
            ".article-item-title a", "links => links.map(a => a.href)"
        )
        older = page.query_selector("a.pager-next")
        if older is None:
            break
        older.click()
        page.wait_for_load_state()
    context.close()
    assert visited == ["", "page/3/", "page/2/", "page/1/"]
    assert len(seen) == ARTICLES == len(set(seen))
    assert problems == []


def test_the_stable_pager_passes_axe(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    script = _axe_script()
    found = {}
    for path in ("", "page/2/"):
        page.goto(served + path)
        page.evaluate(script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found[path] = [(v["id"], v["impact"]) for v in result["violations"]]
    context.close()
    assert found == {"": [], "page/2/": []}
