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


def test_a_value_is_written_and_read_a_record_at_a_time(tmp_path: Path, monkeypatch):
    """A tuple's parts, and a big dict a slice at a time, come back as they were written;
    another key reads as nothing, and a file cut short anywhere is damaged, never half read."""
    from sitegen.engine import blobcache

    monkeypatch.setattr(blobcache, "SLICE", 3)
    path = tmp_path / "index.marshal"
    value = (4, {f"t{i}": bytes([i]) for i in range(10)}, [1, 2], {"small": 1}, {})
    assert write_blob(path, "key", value)
    assert read_blob(path, "key", Diagnostics()) == value
    assert read_blob(path, "other key", Diagnostics()) is None
    assert write_blob(path, "key", {"not": "a tuple"})
    assert read_blob(path, "key", Diagnostics()) == {"not": "a tuple"}
    write_blob(path, "key", value)
    data = path.read_bytes()
    for cut in (5, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:cut])
        diag = Diagnostics()
        assert read_blob(path, "key", diag) is None
        assert "damaged cache file" in str(diag.warnings[0]) and not path.exists()


def test_an_older_sitegen_s_cache_file_is_made_anew_without_a_warning(tmp_path: Path):
    path = tmp_path / "index.marshal"
    path.write_bytes(b"SGC1" + b"\0" * 40)
    diag = Diagnostics()
    assert read_blob(path, "key", diag) is None and not diag.warnings


def test_a_dict_of_long_values_is_written_in_records_of_bounded_size(tmp_path: Path, monkeypatch):
    """A table whose first entries are long (the common terms' postings) is cut by bytes as
    well as by count, so no one record (made whole in memory to be written) is big."""
    import struct

    from sitegen.engine import blobcache

    monkeypatch.setattr(blobcache, "SLICE_BYTES", 1000)
    path = tmp_path / "index.marshal"
    table = {f"t{i}": bytes(600 if i < 10 else 3) for i in range(100)}
    value = (1, table, {"v": (3, "x" * 700)}, {})
    assert write_blob(path, "key", value)
    assert read_blob(path, "key", Diagnostics()) == value
    data, sizes, at = path.read_bytes(), [], 4
    while True:
        size, _ = struct.unpack_from(">QI", data, at)
        if size == 0:
            break
        sizes.append(size)
        at += 12 + size
    assert max(sizes) < 2 * 1000 + 200 and len(sizes) >= 7
