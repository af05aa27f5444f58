"""Raw HTML that would break out of an article or swallow the rest of its page, in headless
Chromium: the page around the article (related list, navigation, footer, scripts) is still
there and outside the article's body, and the build says what it made right, at its line."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve_folder

pytestmark = pytest.mark.browser

BODIES = {
    "textarea": "Hello <textarea>\n\nMore text.\n",
    "script": "<script>document.title = 'ran'\n\nMore text.\n",
    "comment": "Intro.\n\n<!-- a note never closed\n\nMore text.\n",
    "div": '<div class="box">\n\nOpened, never closed.\n',
    "stray": "Some text.\n\n</div></div></main></body>\n\nMore text.\n",
    "title": "Hello <title>x\n\nMore text.\n",
}


@pytest.fixture(scope="module")
def raw_site(tmp_path_factory):
    from tests.conftest import SiteFolder

    site = SiteFolder(tmp_path_factory.mktemp("rawhtml") / "site")
    for i, (name, body) in enumerate(BODIES.items()):
        site.write(
            f"content/{name}.md",
            f"---\ntitle: Raw {name}\ndate: 2024-01-{i + 1:02d}\ntags: [raw]\n---\n\n{body}",
        )
    result = site.build()
    return site, result


def test_the_build_says_what_it_made_right_at_its_line(raw_site):
    _, result = raw_site
    said = {str(w) for w in result.diagnostics.warnings}
    assert any(s.startswith("content/textarea.md:7: <textarea> is never closed") for s in said)
    assert any(s.startswith("content/comment.md:9: an HTML comment") for s in said), said
    assert any(s.startswith("content/stray.md:9: </main> closes no element") for s in said)
    assert any(s.startswith("content/div.md:7: <div> is never closed") for s in said)


@pytest.mark.parametrize("name", list(BODIES))
def test_the_page_around_the_article_is_whole(raw_site, browser, name):
    site, _ = raw_site
    page = browser.new_page()
    try:
        with serve_folder(site.root / "build") as base:
            page.goto(f"{base}{name}/", wait_until="load")
            found = page.evaluate("""() => {
                const body = document.querySelector('.article-body');
                const inBody = (sel) => [...document.querySelectorAll(sel)]
                    .some(el => body.contains(el));
                return {
                    title: document.title,
                    footer: !!document.querySelector('body > footer.site-footer'),
                    related: !!document.querySelector('aside.related') && !inBody('aside.related'),
                    nav: !!document.querySelector('nav.article-nav') && !inBody('nav.article-nav'),
                    textareas: document.querySelectorAll('textarea').length,
                    text: body.innerText,
                };
            }""")
    finally:
        page.close()
    assert found["title"].startswith(f"Raw {name}")  # no <title> or script took it
    assert found["footer"] and found["related"] and found["nav"], found
    assert found["textareas"] == 0
    assert "More text." in found["text"] or name == "div"
