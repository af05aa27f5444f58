"""How articles are held and kept: the body as UTF-8, pickling by field values, and the cycle
collector paused around the big stages (sitegen/heap.py)."""

from __future__ import annotations

import copy
import dataclasses
import gc
import pickle
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.content.article import Article, StoredBody, discover, load_article
from sitegen.errors import Diagnostics
from sitegen.heap import collector_paused, pauses_collector

TEXT = (
    "---\ntitle: Ünïcode — “quoted”\ntags: [a, b]\ndate: 2024-03-01\nimage: x.png\n"
    "extra: {nested: [1, 2.5, true]}\n---\n\nA body with a dash — and 日本語 text.\n\n"
    "![pic](pic.png) [other](other.md)\n"
)


def loaded(site: Path, text: str) -> Article:
    """The article of a site holding one content file, `post.md`, of `text`."""
    config = SiteConfig(root=site)
    (site / "content").mkdir()
    (site / "content" / "post.md").write_text(text, encoding="utf-8")
    diag = Diagnostics()
    sources, _ = discover(config, diag)
    article = load_article(sources[0], config, diag)
    assert article is not None and not diag.errors
    return article


@pytest.fixture
def article(tmp_path: Path) -> Article:
    return loaded(tmp_path, TEXT)


def test_the_body_reads_back_as_written(article):
    assert article.body.strip().startswith("A body with a dash — and 日本語 text.")
    assert article.body_utf8 == article.body.encode("utf-8")
    assert "![pic](pic.png)" in article.body


def test_pickle_and_copy_give_an_equal_article(article):
    for protocol in (2, 4, 5):
        again = pickle.loads(pickle.dumps(article, protocol=protocol))
        assert again == article
        assert isinstance(again, Article)
        for field in dataclasses.fields(Article):  # meta is left out of ==: compare every field
            assert getattr(again, field.name) == getattr(article, field.name), field.name
    assert copy.copy(article) == article
    assert copy.deepcopy(article).meta == article.meta
    moved = dataclasses.replace(article, resources=("pic.png",))
    assert moved.resources == ("pic.png",) and moved.body == article.body


def test_unpickled_articles_share_the_names_they_repeat(article):
    """Articles from the cache (each its own pickle) hold one copy of a language, author, tag
    or category name between them, and a translation key equal to the slug is its string:
    a big site holds every article for the whole build."""
    first = pickle.loads(pickle.dumps(article))
    other = pickle.loads(pickle.dumps(dataclasses.replace(article, rel="other.md")))
    assert first == article and first.meta == article.meta
    assert first.lang is other.lang and first.author is other.author
    assert all(a is b for a, b in zip(first.tags, other.tags, strict=True)) and first.tags
    assert all(a is b for a, b in zip(first.meta["tags"], other.meta["tags"], strict=True))
    assert first.translation_key == first.slug
    assert first.translation_key is first.slug


def test_stored_bodies_share_the_cache_file_name(article):
    """Each article from the cache is its own pickle: the name of the file its body waits in
    is one string for all of them, and the body's rel is the article's."""

    def stored(rel: str) -> Article:
        body = StoredBody("/site/.sitegen/" + "texts.sqlite", rel, (1, 2, 3))
        return pickle.loads(pickle.dumps(dataclasses.replace(article, rel=rel, body_utf8=body)))

    first, other = stored("a.md"), stored("b.md")
    assert first.body_utf8 == StoredBody("/site/.sitegen/texts.sqlite", "a.md", (1, 2, 3))
    assert first.body_utf8.database is other.body_utf8.database
    assert first.body_utf8.rel is first.rel


def test_collector_paused_nests_and_restores():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outermost block turns it back on
    assert gc.isenabled()


def test_collector_paused_leaves_a_disabled_collector_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pauses_collector_restores_after_an_exception():
    @pauses_collector
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert gc.isenabled()


def _load_all(root: Path) -> list[Article]:
    from sitegen.engine.executor import Parallelism
    from sitegen.pipeline.steps import load_articles

    diag = Diagnostics()
    articles, _ = load_articles(SiteConfig(root=root), diag, Parallelism(jobs=1))
    assert not diag.errors
    return articles


def test_bodies_wait_in_the_article_cache_not_in_memory(tmp_path: Path):
    """Once loaded (parsed now or taken from the cache), an article holds where its body is,
    not the bytes: a big site's bodies are never all in memory. Reading it gives the text."""
    from sitegen.content.article import StoredBody

    (tmp_path / "content").mkdir()
    for i in range(3):
        (tmp_path / "content" / f"p{i}.md").write_text(TEXT + f"\nPart {i}.\n", encoding="utf-8")
    for _ in range(2):  # parsed, then from the cache
        articles = _load_all(tmp_path)
        assert all(type(a.body_utf8) is StoredBody for a in articles)
        assert [a.body.rstrip().rsplit("\n", 1)[-1] for a in articles] == [
            f"Part {i}." for i in range(3)
        ]
        held = articles[0].held()
        assert type(held.body_utf8) is bytes and held.body == articles[0].body
        assert pickle.loads(pickle.dumps(held)) == held


def test_a_body_gone_from_the_cache_is_an_error_naming_the_file(tmp_path: Path):
    """(A cache file damaged in place is opened again: tests/e2e/test_damaged_caches.py.)"""
    import sqlite3

    from sitegen.errors import SiteError

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "post.md").write_text(TEXT, encoding="utf-8")
    article = _load_all(tmp_path)[0]
    assert "日本語" in article.body  # a connection is kept now
    with sqlite3.connect(tmp_path / ".sitegen" / "cache.sqlite") as db:
        db.execute("UPDATE texts SET mtime = mtime + 1")  # another build's version now
    with pytest.raises(SiteError, match="post.md"):
        article.body  # noqa: B018 - reading it is the point
