"""Hostile front matter and seed text in headless Chromium: titles, summaries, tags and
authors holding markup or template syntax show as literal text, never run (no dialog opens)
and never add elements (no injected <img>, <svg> or <script>), on every kind of page."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import serve_folder

pytestmark = pytest.mark.browser

TITLE = '</script><script>alert("title")</script> "><img src=x onerror=alert(1)> {{ 7*7 }}'
SUMMARY = "'\"><img src=x onerror=alert(2)> </script><svg onload=alert(3)> {% raw %}"
TAG = '"><img src=x onerror=alert(4)>'
AUTHOR = "</script><svg onload=alert(5)>"
SEED_TITLE = "<img src=x onerror=alert(6)> {{ 7*7 }} seed"
SEED_BODY = "<script>alert(7)</script> <img src=x onerror=alert(8)> [x](javascript:alert(9))"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from tests.conftest import SiteFolder

    site = SiteFolder(tmp_path_factory.mktemp("hostile") / "site")
    site.write(
        "content/evil.md",
        f"""---
title: {json.dumps(TITLE)}
date: 2024-01-02
summary: {json.dumps(SUMMARY)}
description: {json.dumps(SUMMARY)}
tags: [{json.dumps(TAG)}, "{{{{ 7*7 }}}}"]
author: {json.dumps(AUTHOR)}
---

Body text.
""",
    )
    site.write(
        "seeds/evil.txt",
        f"{SEED_TITLE}\nDate: 2024-01-01\nAuthor: {AUTHOR}\nTags: {TAG}\n\n{SEED_BODY}\n",
    )
    site.build()
    return site


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def injected(page) -> dict:
    return page.evaluate("""() => ({
        img: document.querySelectorAll('img[src="x"], img[src$="/x"]').length,
        svg: document.querySelectorAll('svg').length,
        inline: [...document.querySelectorAll('script:not([src])')]
            .filter(s => s.type !== 'application/ld+json').length,
        handlers: [...document.querySelectorAll('*')]
            .filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        jsLinks: document.querySelectorAll('a[href^="javascript:"]').length,
    })""")


def test_hostile_strings_show_literally_and_never_run(hostile_site, page):
    out = hostile_site.root / "build"
    seed_page = next(p.parent.name for p in out.glob("*/index.html") if "seed" in p.parent.name)
    with serve_folder(out) as base:
        for path in ("evil/", f"{seed_page}/", "", "tags/", "archive/", "search/?q=img"):
            page.goto(base + path, wait_until="load")
            if path.startswith("search"):
                page.wait_for_selector(
                    ".search-page li a, .search-page [role=status]:not(:empty)", timeout=10_000
                )
            assert injected(page) == {
                "img": 0,
                "svg": 0,
                "inline": 0,
                "handlers": 0,
                "jsLinks": 0,
            }, path
            assert page.dialogs == [], path
            assert "49" not in page.inner_text("main"), path

        page.goto(base + "evil/", wait_until="load")
        assert page.inner_text("h1") == TITLE
        assert page.title().startswith(TITLE)
        assert AUTHOR in page.inner_text(".article-header")
        assert TAG in page.inner_text("main")
        ld = json.loads(page.inner_text('script[type="application/ld+json"]'))
        assert ld["headline"] == TITLE and ld["author"][0]["name"] == AUTHOR
        assert (
            page.get_attribute('meta[property="og:title"]', "content") == TITLE
        )  # attribute intact

        page.goto(base + f"{seed_page}/", wait_until="load")
        assert page.inner_text("h1") == SEED_TITLE
        assert SEED_BODY in page.inner_text(".article-body")
        assert page.dialogs == []
