"""One file of derived data kept between builds (related-articles index, search index state).

Used by engine/related_cache.py and engine/search_cache.py. Each file holds a key and a
marshal-able value behind a magic number and a CRC, so a truncated, overwritten or garbage file
is told apart from a valid one without trusting marshal on it. The value is written and read a
record at a time (a tuple's parts, a big dict's entries a slice at a time): an index of a
100,000-article site is hundreds of megabytes, and its file's bytes are never all in memory
beside it. The key is made by
`engine.keys.cache_key` from the hash of sitegen's own code and the settings that matter: nobody bumps a version.
A damaged file costs one warning and a recomputation, never a traceback.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import marshal
import os
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sitegen.errors import Diagnostics

_MAGIC = b"SGC2"
_OLDER = b"SGC1"  # an older sitegen's: one marshal of (key, value) after its CRC
_HEAD = struct.Struct(">QI")  # a record's length and CRC; (0, 0) ends the file
SLICE = 20_000  # entries of a dict written in one record at most,
SLICE_BYTES = 4 << 20  # and about this many bytes of its values' text and bytes
# a temporary file this much older than its last write was left by a process stopped while it
# wrote (the preview stopped at that instant): no write takes nearly this long
ABANDONED_AFTER = 3600.0
# what reading or updating a kept value that is not what this code made raises
NOT_AN_INDEX = (ValueError, TypeError, KeyError, IndexError, AttributeError)


def read_blob(path: Path | None, key: str, diag: Diagnostics) -> Any | None:
    """The value stored at `path` under `key`; None when there is none, when it was made under
    another key (other code or settings), or when the file is damaged (then with a warning)."""
    if path is None:
        return None
    try:
        fh = path.open("rb")
    except OSError:
        return None
    try:
        with fh:
            magic = fh.read(4)
            if magic == _OLDER:
                return None  # made by an older sitegen: made anew, no harm done
            if magic != _MAGIC:
                raise ValueError("not a cache file")
            records = []
            while True:
                head = fh.read(_HEAD.size)
                if len(head) != _HEAD.size:
                    raise ValueError("truncated")
                size, crc = _HEAD.unpack(head)
                if size == 0:
                    break
                data = fh.read(size)
                if len(data) != size or zlib.crc32(data) != crc:
                    raise ValueError("bad checksum")  # checked before marshal reads it
                records.append(marshal.loads(data))
                if len(records) == 1 and records[0] != key:
                    return None  # made under another key: no need to read on
            if fh.read(1) or not records:
                raise ValueError("not a whole cache file")
        return _joined(records[1:])
    except OSError:
        return None
    except (ValueError, EOFError, TypeError, IndexError):
        damaged(path, diag)
        return None


def _records(value: Any) -> Iterator[tuple]:
    """`value` as records: (place, whole value) for each part of a tuple, a dict part a slice
    at a time (place, slice of its items); `_joined` puts them together again."""
    if type(value) is not tuple:
        yield (-1, value)
        return
    for place, part in enumerate(value):
        if type(part) is dict and part:
            for chunk in _slices(part):
                yield (place, chunk, True)
        else:
            yield (place, part)


def _slices(table: dict) -> Iterator[dict]:
    """`table` in slices of at most SLICE entries and about SLICE_BYTES: the first articles'
    terms are the common ones, whose postings are the longest, and a slice of 20,000 of them
    made a record of 20 MB at 10,000 articles (written while the whole table is held)."""
    chunk: dict = {}
    size = 0
    for key, item in table.items():
        chunk[key] = item
        kind = type(item)
        if kind is bytes or kind is str:
            size += len(item)
        elif kind is tuple:  # (count, packed text), (terms, weights): their longest part
            size += max((len(x) for x in item if type(x) in (bytes, str, tuple)), default=0)
        if len(chunk) >= SLICE or size >= SLICE_BYTES:
            yield chunk
            chunk, size = {}, 0
    if chunk:
        yield chunk


def _joined(records: list[tuple]) -> Any:
    if len(records) == 1 and records[0][0] == -1:
        return records[0][1]
    parts: list[Any] = []
    for record in records:
        place, value = record[0], record[1]
        if place == len(parts):
            parts.append(value)
        elif place == len(parts) - 1 and len(record) == 3:
            parts[place].update(value)  # the next slice of a dict
        else:
            raise ValueError("records out of order")
    return tuple(parts)


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            for record in itertools.chain([key], _records(value)):
                data = marshal.dumps(record)
                fh.write(_HEAD.pack(len(data), zlib.crc32(data)))
                fh.write(data)
            fh.write(_HEAD.pack(0, 0))
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
