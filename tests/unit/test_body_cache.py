"""The body cache lets go of bodies no page shows, and its file gives the space back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sitegen.engine import cache
from sitegen.engine.cache import BodyCache
from sitegen.render.markdown import RenderedBody


def test_pruning_deletes_unused_bodies_and_shrinks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "PRUNE_SLACK", 0)
    path = tmp_path / "cache.sqlite"
    bodies = BodyCache(path)
    bodies.put_many(
        {f"key{i}": RenderedBody("<p>" + "x" * 20_000 + "</p>", ()) for i in range(200)}
    )
    bodies.close()
    full = path.stat().st_size
    assert full > 200 * 20_000

    bodies = BodyCache(path)
    # 200 bodies for a site of 200 pages: within half again as many, kept
    assert bodies.prune(lambda: {"key1", "key2"}, pages=200) == 0
    # for a site of 2 pages, the 198 no page shows go, and the file gives their space back
    assert bodies.prune(lambda: {"key1", "key2"}, pages=2) == 198
    assert set(bodies.get_many([f"key{i}" for i in range(200)])) == {"key1", "key2"}
    bodies.close()
    assert path.stat().st_size < full / 10


def test_a_cache_file_locked_by_another_build_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the cache database's lock (a second build of the same site)
    is not damage: the file keeps its bodies, and this build goes without it, told why."""
    monkeypatch.setattr(cache, "BUSY_TIMEOUT", 0.05)
    path = tmp_path / "cache.sqlite"
    bodies = BodyCache(path)
    bodies.put_many({"key": RenderedBody("<p>kept</p>", ())})
    bodies.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=DELETE")  # switching back needs the lock held below
    other.execute("BEGIN EXCLUSIVE")
    warnings: list[str] = []
    try:
        locked = BodyCache(path, lambda message, _path: warnings.append(message))
        assert locked.get_many(["key"]) == {}
        locked.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert warnings and "could not be opened" in warnings[0] and "locked" in warnings[0]
    assert BodyCache(path).get_many(["key"]) == {"key": RenderedBody("<p>kept</p>", ())}


def test_a_damaged_cache_file_is_made_anew(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"not a database at all " * 500)
    warnings: list[str] = []
    bodies = BodyCache(path, lambda message, _path: warnings.append(message))
    bodies.put_many({"key": RenderedBody("<p>new</p>", ())})
    assert bodies.get_many(["key"]) == {"key": RenderedBody("<p>new</p>", ())}
    bodies.close()
    assert warnings == ["the cache database was damaged; it was deleted and is being made anew"]


def test_a_body_keeps_its_table_of_contents_and_raw_html_problems(tmp_path: Path) -> None:
    bodies = BodyCache(tmp_path / "cache.sqlite")
    plain = RenderedBody("<h2 id='a'>A</h2>", ((2, "a", "A"),))
    mended = RenderedBody("&lt;textarea>", (), ((3, "<textarea> is never closed", "close it"),))
    bodies.put_many({"plain": plain, "mended": mended})
    bodies.close()
    assert BodyCache(tmp_path / "cache.sqlite").get_many(["plain", "mended"]) == {
        "plain": plain,
        "mended": mended,
    }
