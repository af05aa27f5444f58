"""Live reload in headless Chromium: saves show up with no action from the test, the error
overlay comes and goes, an edited page is put in place without a navigation (reloaded when it
has scripts of its own), stylesheets swap without a navigation, the scroll position survives a
reload, and pages reconnect to a restarted server. The preview runs in-process on a free port."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.serve.session import PreviewSession

pytestmark = pytest.mark.browser
WAIT_MS = 20_000


class Quiet:
    def info(self, text):
        pass

    warn = error = info


def long_body(text: str) -> str:
    paragraphs = [
        f"Paragraph {i} of a long story about the river and the town." * 3 for i in range(60)
    ]
    return text + "\n\n" + "\n\n".join(paragraphs)


@pytest.fixture
def live(site):
    site.write("static/style.css", "body { color: rgb(10, 20, 30); }\n")
    site.article("first.md", "First story", "2024-01-01", long_body("Original first text."))
    site.article("second.md", "Second story", "2024-02-01", "Second text.")
    session = PreviewSession(load_config(site.root), "127.0.0.1", 0, console=Quiet())
    with session:
        yield session, site


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def atomic_write(path: Path, text: str) -> None:
    """What most editors do: write a temp file beside the real one, then rename it over."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def article_text(body: str) -> str:
    return f"---\ntitle: 'First story'\ndate: 2024-01-01\n---\n\n{long_body(body)}\n"


def shows(page, text: str) -> None:
    page.wait_for_function(
        "t => document.body && document.body.innerText.includes(t)", arg=text, timeout=WAIT_MS
    )


def test_plain_and_atomic_saves_show_up_by_themselves(live, page):
    session, site = live
    page.goto(session.url + "first/")
    shows(page, "Original first text.")
    (site.root / "content/first.md").write_text(
        article_text("Plain save arrived."), encoding="utf-8"
    )
    shows(page, "Plain save arrived.")
    atomic_write(site.root / "content/first.md", article_text("Atomic save arrived."))
    shows(page, "Atomic save arrived.")
    # the index lists the article; editing its title updates it there too
    page.goto(session.url)
    text = article_text("Body.").replace("'First story'", "'Renamed story'")
    atomic_write(site.root / "content/first.md", text)
    shows(page, "Renamed story")


def test_a_preview_started_from_build_reloads_what_is_saved(site, page):
    """The first preview of a built site starts from build/'s files (linked, not rendered
    again): its pages carry the reload script as served, a save shows up by itself, and the
    built page keeps what it had."""
    site.article("first.md", "First story", "2024-01-01", long_body("Original first text."))
    site.article("second.md", "Second story", "2024-02-01", "Second text.")
    site.build()
    built = site.root / "build" / "first" / "index.html"
    with PreviewSession(load_config(site.root), "127.0.0.1", 0, console=Quiet()) as session:
        assert (session.output / "first" / "index.html").stat().st_ino == built.stat().st_ino
        page.goto(session.url + "first/")
        shows(page, "Original first text.")
        atomic_write(site.root / "content/first.md", article_text("Saved while previewing."))
        shows(page, "Saved while previewing.")
    assert "Original first text." in built.read_text(encoding="utf-8")
    assert "Saved while previewing." not in built.read_text(encoding="utf-8")


def test_an_edited_page_is_put_in_place_without_a_navigation(live, page):
    """A page without scripts of its own gets the new page swapped in: no navigation (the
    window's state stays), the scroll position stays, and the head follows (the title)."""
    session, site = live
    page.goto(session.url + "first/")
    page.evaluate("window.scrollTo(0, 1200)")
    page.wait_for_function("window.scrollY > 1100", timeout=WAIT_MS)
    page.evaluate("window.__marker = 'same window'")
    text = article_text("Edited in place.").replace("'First story'", "'First story, edited'")
    (site.root / "content/first.md").write_text(text, encoding="utf-8")
    shows(page, "Edited in place.")
    assert page.evaluate("window.__marker") == "same window"  # patched, not reloaded
    assert abs(page.evaluate("window.scrollY") - 1200) < 60
    page.wait_for_function("document.title.startsWith('First story, edited')", timeout=WAIT_MS)
    assert page.evaluate("document.querySelectorAll('#sitegen-live').length") == 0
    # and it keeps listening: the next save shows up too
    atomic_write(site.root / "content/first.md", article_text("Second edit in place."))
    shows(page, "Second edit in place.")
    assert page.evaluate("window.__marker") == "same window"


def rebuilt(session: PreviewSession, finished: int) -> None:
    """Wait until the preview has finished a rebuild since it had finished `finished`."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while session.loop.finished <= finished:
        assert time.monotonic() < deadline, "the preview did not rebuild after the save"
        time.sleep(0.01)


def test_a_page_with_a_script_of_its_own_is_reloaded_and_keeps_its_scroll(live, page):
    """Its script would not run again on swapped-in content: the page is reloaded, and the
    scroll position survives the reload."""
    session, site = live
    script = "<script>window.__runs = (window.__runs || 0) + 1;</script>"
    body = long_body("Has a script.") + "\n\n" + script
    head = "---\ntitle: 'First story'\ndate: 2024-01-01\n---\n\n"
    finished = session.loop.finished
    (site.root / "content/first.md").write_text(head + body + "\n", encoding="utf-8")
    # the rebuild behind this save done first: its reloads would cut the steps below short
    rebuilt(session, finished)
    page.goto(session.url + "first/")
    shows(page, "Has a script.")
    page.evaluate("window.scrollTo(0, 1200)")
    page.wait_for_function("window.scrollY > 1100", timeout=WAIT_MS)
    page.evaluate("window.__marker = 'before reload'")
    edited = head + body.replace("Has a script.", "Scrolled edit.") + "\n"
    (site.root / "content/first.md").write_text(edited, encoding="utf-8")
    shows(page, "Scrolled edit.")
    # it really reloaded (the marker is gone) and its script ran once in the new page; waited
    # for, not read once: the full build behind the edit may reload the page once more (its
    # related list changes with the new words), and a read then meets no page
    page.wait_for_function(
        "window.__marker === undefined && window.__runs === 1"
        " && document.body.innerText.includes('Scrolled edit.')",
        timeout=WAIT_MS,
    )
    page.wait_for_function("Math.abs(window.scrollY - 1200) < 60", timeout=WAIT_MS)


def test_broken_front_matter_shows_an_overlay_until_fixed(live, page):
    session, site = live
    page.goto(session.url + "first/")
    shows(page, "Original first text.")
    atomic_write(
        site.root / "content/first.md",
        "---\ntitle: [not closed\ndate: 2024-01-01\n---\n\nBroken.\n",
    )
    overlay = page.locator("#sitegen-overlay")
    overlay.wait_for(state="attached", timeout=WAIT_MS)
    text = overlay.locator(".box").inner_text()  # inside the overlay's shadow root
    assert "content/first.md:2" in text
    assert "build failed" in text
    shows(page, "Original first text.")  # the last good page is still there under it
    # a newly opened page shows the overlay too
    other = page.context.new_page()
    other.goto(session.url + "second/")
    other.locator("#sitegen-overlay").wait_for(state="attached", timeout=WAIT_MS)
    other.close()
    page.evaluate("window.__marker = 'broken'")
    atomic_write(site.root / "content/first.md", article_text("Fixed text."))
    shows(page, "Fixed text.")
    overlay.wait_for(state="detached", timeout=WAIT_MS)
    # reloaded, not patched (waited for: a second reload may follow, see above)
    page.wait_for_function("window.__marker === undefined", timeout=WAIT_MS)


def test_css_change_swaps_the_stylesheet_without_navigation(live, page):
    session, site = live
    page.goto(session.url + "first/")
    page.wait_for_function(
        "getComputedStyle(document.body).color === 'rgb(10, 20, 30)'", timeout=WAIT_MS
    )
    page.evaluate("window.scrollTo(0, 800); window.__marker = 'same page'")
    atomic_write(site.root / "static/style.css", "body { color: rgb(200, 0, 0); }\n")
    page.wait_for_function(
        "getComputedStyle(document.body).color === 'rgb(200, 0, 0)'", timeout=WAIT_MS
    )
    assert page.evaluate("window.__marker") == "same page"
    assert page.evaluate("window.scrollY") > 700
    links = page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)")
    assert len([href for href in links if "/style." in href]) == 1  # the old one is gone


def test_a_missing_page_appears_when_its_article_is_written(live, page):
    session, site = live
    response = page.goto(session.url + "third/")
    assert response.status == 404
    site.article("third.md", "Third story", "2024-03-01", "The third story exists now.")
    shows(page, "The third story exists now.")


def test_pages_reconnect_to_a_restarted_server(live, page):
    session, site = live
    page.goto(session.url + "second/")
    page.evaluate("window.__marker = 'old server'")
    port = session.server.port
    session.stop()
    site.article("second.md", "Second story", "2024-02-01", "Changed while the server was down.")
    with PreviewSession(load_config(site.root), "127.0.0.1", port, console=Quiet()):
        shows(page, "Changed while the server was down.")
        page.wait_for_function("window.__marker === undefined", timeout=WAIT_MS)
