"""The cache files of derived data (engine/blobcache.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sitegen.engine.blobcache import ABANDONED_AFTER, read_blob, write_blob
from sitegen.errors import Diagnostics


def test_a_write_removes_what_a_stopped_write_left_and_nothing_being_written(tmp_path: Path):
    """A process stopped while writing a cache file leaves its temporary file; the next write of
    that file deletes it once it is older than any write takes, and leaves a recent one (another
    build writing now) and other files alone."""
    path = tmp_path / "related-index.marshal"
    abandoned = tmp_path / ".related-index.marshal.abc123.tmp"
    recent = tmp_path / ".related-index.marshal.def456.tmp"
    other = tmp_path / ".search-state.marshal.abc123.tmp"
    for leftover in (abandoned, recent, other):
        leftover.write_bytes(b"half a file")
    long_ago = time.time() - ABANDONED_AFTER - 60
    os.utime(abandoned, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    assert write_blob(path, "key", {"value": [1, 2]})
    assert not abandoned.exists()
    assert recent.exists() and other.exists()
    assert read_blob(path, "key", Diagnostics()) == {"value": [1, 2]}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, recent.name, other.name]
    )


def test_a_cache_folder_that_cannot_be_written_is_reported_not_raised(tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert write_blob(blocked / "related-index.marshal", "key", 1) is False
    assert write_blob(None, "key", 1) is False
