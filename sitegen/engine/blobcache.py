"""One file of derived data kept between builds (related-articles index, search index state).

Used by engine/related_cache.py and engine/search_cache.py. Each file holds a key and a
marshal-able value behind a magic number and a CRC, so a truncated, overwritten or garbage file
is told apart from a valid one without trusting marshal on it. The key is made by
`engine.cache.cache_key` from the hash of sitegen's own code and the settings that matter: nobody bumps a version.
A damaged file costs one warning and a recomputation, never a traceback.
"""

from __future__ import annotations

import contextlib
import glob
import marshal
import os
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sitegen.errors import Diagnostics

_MAGIC = b"SGC1"
# a temporary file this much older than its last write was left by a process stopped while it
# wrote (the preview stopped at that instant): no write takes nearly this long
ABANDONED_AFTER = 3600.0
# what reading or updating a kept value that is not what this code made raises
NOT_AN_INDEX = (ValueError, TypeError, KeyError, IndexError, AttributeError)

T = TypeVar("T")
R = TypeVar("R")


def read_blob(path: Path | None, key: str, diag: Diagnostics) -> Any | None:
    """The value stored at `path` under `key`; None when there is none, when it was made under
    another key (other code or settings), or when the file is damaged (then with a warning)."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = memoryview(data)[8:]  # no copies of a file of tens of megabytes
    try:
        if data[:4] != _MAGIC or int.from_bytes(data[4:8], "big") != zlib.crc32(payload):
            raise ValueError("bad checksum")
        stored_key, value = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        damaged(path, diag)
        return None
    return value if stored_key == key else None


def damaged(path: Path, diag: Diagnostics) -> None:
    """Warn once about a damaged cache file and remove it (it is made anew)."""
    diag.warn(f"damaged cache file {path.name} discarded; it is made anew", path)
    with contextlib.suppress(OSError):
        path.unlink()


def write_blob(path: Path | None, key: str, value: Any) -> bool:
    """Store `value` under `key`: written beside and renamed, so a reader sees the old file or
    the new one. Not fsynced: a file torn by a crash fails its CRC and is only recomputed.
    Whether it was written (a read-only cache folder only costs time)."""
    if path is None:
        return False
    payload = marshal.dumps((key, value))
    header = _MAGIC + zlib.crc32(payload).to_bytes(4, "big")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header)
            fh.write(payload)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False
    return True


def _remove_abandoned(path: Path) -> None:
    """Delete the temporary files of earlier writes of `path` that were never finished (tens or
    hundreds of megabytes each); one being written now is younger than ABANDONED_AFTER."""
    old = time.time() - ABANDONED_AFTER
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < old:
                tmp.unlink()


def kept_and_updated(
    path: Path | None,
    key: str,
    diag: Diagnostics,
    load: Callable[[Any], T],
    new: Callable[[], T],
    update: Callable[[T], R],
) -> tuple[T, R, bool]:
    """The index kept at `path` under `key` (`load` makes it from the stored value), updated;
    a new one (from `new`) when none is kept or the kept one is not an index this code made
    (then with a warning). Also whether a kept one was used."""
    data = read_blob(path, key, diag)
    if data is not None:
        try:
            index = load(data)
            return index, update(index), True
        except NOT_AN_INDEX:
            damaged(path, diag)  # readable, but not an index this code made
    index = new()
    return index, update(index), False
