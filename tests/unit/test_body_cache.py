"""The body cache lets go of bodies no page shows, and its file gives the space back."""

from __future__ import annotations

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
