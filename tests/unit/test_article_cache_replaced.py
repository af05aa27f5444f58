"""The article cache keeps the version of a row that builds replaced since the last record
(engine/sourcecache.py `ArticleCache.replaced`): the first replaced, until a record names
another version of that file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sitegen.content.article import Article, StoredBody
from sitegen.engine.article_rows import from_row
from sitegen.engine.sourcecache import ArticleCache, ReplacedRows, keep_replaced
from tests.unit.test_article_storage import loaded

V1, V2, V3 = (1, 10, 7), (2, 20, 7), (3, 30, 7)


@pytest.fixture
def article(tmp_path: Path) -> Article:
    return loaded(tmp_path, "---\ntitle: First\n---\n\nBody.\n")


def _store(folder: Path, article: Article, key: tuple, title: str, fp: str = "fp") -> None:
    cache = ArticleCache(folder)
    try:
        assert cache.store(fp, [(article.rel, key, dataclasses.replace(article, title=title), [])])
    finally:
        cache.close()


def _replaced(folder: Path) -> dict[str, tuple]:
    cache = ArticleCache(folder)
    try:
        return {rel: (key, data) for rel, key, data in cache.replaced()}
    finally:
        cache.close()


def test_the_first_version_replaced_is_kept(tmp_path: Path, article: Article) -> None:
    folder = tmp_path / "cache"
    _store(folder, article, V1, "one")
    assert _replaced(folder) == {}  # nothing was replaced
    _store(folder, article, V2, "two")
    _store(folder, article, V3, "three")  # a preview saving again: the first one stays
    ((key, data),) = _replaced(folder).values()
    assert key == V1
    old, _ = from_row(data, StoredBody(str(folder / "cache.sqlite"), article.rel, key))
    assert old.title == "one"
    rows = ReplacedRows(folder, "texts")  # what a build's record compares, read when asked
    assert rows.get(article.rel) == (V1, data, "texts")
    assert rows.get("other.md", "none") == "none"


def test_a_record_keeps_only_the_version_it_names(tmp_path: Path, article: Article) -> None:
    folder = tmp_path / "cache"
    _store(folder, article, V1, "one")
    _store(folder, article, V2, "two")
    keep_replaced(folder, {article.rel: V1})  # a record naming the replaced version
    assert [key for key, _ in _replaced(folder).values()] == [V1]
    keep_replaced(folder, {article.rel: V2})  # a record naming the version in the cache
    assert _replaced(folder) == {}
    _store(folder, article, V3, "three")  # replaced again: that version is the one kept
    assert [key for key, _ in _replaced(folder).values()] == [V2]


def test_rows_of_other_settings_or_code_are_not_kept(tmp_path: Path, article: Article) -> None:
    """An upgrade or a new setting parses every file again: none of the rows it replaces can
    be what a record of the new code names, so none is copied."""
    folder = tmp_path / "cache"
    _store(folder, article, V1, "one", fp="old code")
    _store(folder, article, V2, "two", fp="new code")
    assert _replaced(folder) == {}
