"""`pagination: stable`: listing pages numbered from the oldest, so that a new article changes
the first page of each listing it is in and leaves every numbered page as it was (bytes and
file), and incremental builds still equal clean ones after every kind of edit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.build import Builder
from tests.e2e.test_incremental import EDITS, Site, _article, _stamps, _tree

STABLE = "pagination: stable\n"


def _stable_site(root: Path, articles: int = 9) -> Site:
    site = Site(root, "search+related")
    site.features += STABLE
    site.config("")
    for i in range(9, articles):
        site.write(f"content/a{i}.md", _article(i))
    return site


def _titles(html: str) -> list[str]:
    return re.findall(r">(Article \d+|Renamed four)</a>", html)


@pytest.mark.parametrize("edit", list(EDITS))
def test_incremental_equals_clean_with_stable_pages(tmp_path: Path, edit: str) -> None:
    site = _stable_site(tmp_path / "site", 14)
    site.build()
    EDITS[edit](site)
    if edit == "setting":  # the edit rewrites site.yaml: keep the pagination it tests
        site.config("per_page: 2\n")
    site.build()
    incremental = _tree(site.out)
    assert incremental == site.clean_tree(), f"incremental build after '{edit}' differs"


def test_a_new_article_leaves_every_numbered_page_alone(tmp_path: Path) -> None:
    """per_page 3, 13 articles: the first page shows the newest four, pages 3 to 1 the rest
    from the oldest. A new article (the newest) changes the first page and no numbered one;
    the one after it makes a fourth numbered page, and the pages far from it stay as they were."""
    site = _stable_site(tmp_path / "site", 13)
    site.build()
    out = site.out
    numbered = sorted(p.relative_to(out).as_posix() for p in out.glob("page/*/index.html"))
    assert numbered == ["page/1/index.html", "page/2/index.html", "page/3/index.html"]
    front = (out / "index.html").read_text(encoding="utf-8")
    assert _titles(front)[:4] == [f"Article {i}" for i in (12, 11, 10, 9)]
    oldest = (out / "page/1/index.html").read_text(encoding="utf-8")
    assert _titles(oldest) == ["Article 2", "Article 1", "Article 0"]
    assert 'rel="prev" href="../2/"' in oldest and 'rel="next"' not in oldest
    before_tree, before_stamps = _tree(out), _stamps(out)

    site.write("content/a13.md", _article(13))
    site.build()
    after_tree, after_stamps = _tree(out), _stamps(out)
    for page in numbered:
        assert after_tree[page] == before_tree[page], f"{page} changed"
        assert after_stamps[page] == before_stamps[page], f"{page} was written again"
    assert _titles(after_tree["index.html"].decode())[:5] == [
        f"Article {i}" for i in (13, 12, 11, 10, 9)
    ]
    assert after_tree == site.clean_tree()

    site.build()
    before_tree, before_stamps = _tree(out), _stamps(out)
    site.write("content/a14.md", _article(14))
    site.build()
    after_tree, after_stamps = _tree(out), _stamps(out)
    assert _titles(after_tree["page/4/index.html"].decode()) == [
        "Article 11",
        "Article 10",
        "Article 9",
    ]
    assert _titles(after_tree["index.html"].decode())[:3] == [
        "Article 14",
        "Article 13",
        "Article 12",
    ]
    assert after_stamps["page/1/index.html"] == before_stamps["page/1/index.html"]
    assert after_tree == site.clean_tree()


def test_every_article_is_on_one_page_reached_from_the_first(tmp_path: Path) -> None:
    """Following "older" from the first page reaches every listed article once, newest first."""
    site = _stable_site(tmp_path / "site", 17)
    site.build()
    seen: list[str] = []
    page = site.out / "index.html"
    while True:
        html = page.read_text(encoding="utf-8")
        seen += _titles(html)
        older = re.search(r'class="pager-next" rel="next" href="([^"]+)"', html)
        if older is None:
            break
        page = (page.parent / older.group(1)).resolve() / "index.html"
    assert seen == [f"Article {i}" for i in range(16, -1, -1)]


def test_the_preview_follows_new_and_deleted_articles_with_stable_pages(tmp_path: Path) -> None:
    site = _stable_site(tmp_path / "site", 14)
    clean = _stable_site(tmp_path / "clean", 14)
    builder = Builder(site.request())
    builder.run()
    for edit in ["added", "body", "date", "title", "deleted"]:
        EDITS[edit](site)
        EDITS[edit](clean)
        builder.run()
        assert _tree(site.out) == clean.clean_tree(), f"preview after '{edit}' differs"


def test_a_tags_numbered_pages_stay_as_they_were_when_it_gains_an_article(tmp_path: Path) -> None:
    """Only the tag's first page says how many articles it has: the count changes with each."""
    site = _stable_site(tmp_path / "site", 13)
    for i in range(13):
        site.write(f"content/a{i}.md", _article(i, "tag0"))
    site.build()
    pages = sorted(p.relative_to(site.out).as_posix() for p in site.out.glob("tags/tag0/page/*/*"))
    assert pages == [f"tags/tag0/page/{n}/index.html" for n in (1, 2, 3)]
    before, stamps = _tree(site.out), _stamps(site.out)
    assert "13 articles" in before["tags/tag0/index.html"].decode()
    site.write("content/a13.md", _article(13, "tag0"))
    site.build()
    after = _tree(site.out)
    assert "14 articles" in after["tags/tag0/index.html"].decode()
    for page in pages:
        assert after[page] == before[page] and _stamps(site.out)[page] == stamps[page], page
