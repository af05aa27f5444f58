"""A large kept value written as a base file and a file of what changed since.

The related lists' index and the search index's state (engine/related_cache.py,
engine/search_cache.py) are tuples of big dicts: hundreds of megabytes at 100,000 articles, of
which an edit changes a few entries. Rewriting the whole file after every edit cost as much as
reading it. Here the value is kept as a base file (`write_blob`'s, the base's id first) and a
changes file beside it (`NAME.changes`) holding, for each of the value's parts, the entries
added or replaced and the keys taken out since that base, or the part whole when it is not a
dict. Each build rewrites only the changes file, with every change since the base; once it
holds more than a `SHARE`th of the base's entries or bytes, the value is written as a new base
instead.

What changed is found by identity: the parts' dicts are copied when read (their values
shared), and an entry whose value is another object than the one read, and not equal to it, is
a change. The values must be immutable (str, bytes, numbers, tuples of them), replaced rather
than changed in place, as both indexes keep them; a mutable one is always written.

Both files are written beside and renamed (`write_blob`); a changes file names the base it
follows, so one left by a base written since (a stop between the two writes) is ignored, and
changes are written only while the base is the file that was read (device, inode and size): a
base another build wrote meanwhile is replaced whole. A damaged changes file costs the value,
as a damaged base does: one warning, and it is made anew. The preview, which holds its search
index from build to build, keeps the `Journal` of each write for the next (`write_and_follow`).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sitegen.engine.blobcache import NOT_AN_INDEX, damaged, read_blob, write_blob
from sitegen.errors import Diagnostics

SHARE = 8  # a changes file past an eighth of its base's entries or bytes: a new base instead
_MUTABLE = (list, dict, set, bytearray, array)
_ABSENT = object()

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Journal:
    """What a kept value was read as, to write only what changed since."""

    base: str  # the base file's id
    file: tuple[int, int, int]  # its device, inode and size: another file there is not it
    entries: int  # the entries of its dict parts
    read: tuple  # the value's parts as read: dicts copied, their values shared
    changes: tuple  # per part, what the changes file held: (updated, deleted), or None


def changes_path(path: Path) -> Path:
    return path.with_name(path.name + ".changes")


def read_kept(
    path: Path | None, key: str, diag: Diagnostics
) -> tuple[tuple | None, Journal | None]:
    """The value kept at `path` under `key` with its changes applied, and its `Journal`; (None,
    None) when there is none, it was made under another key, or it is damaged (a warning)."""
    if path is None:
        return None, None
    for _ in range(3):  # a base replaced while it was read (another build): read again
        before = _identity(path)
        base = read_blob(path, key, diag)
        if base is None:
            return None, None
        if type(base) is not tuple or not base or type(base[0]) is not str:
            damaged(path, diag)
            return None, None
        warned = len(diag.warnings)
        changes = read_blob(changes_path(path), key, diag)
        if len(diag.warnings) > warned:  # damaged (and removed): the base alone is stale
            _drop(path)
            return None, None
        if (changes is None and changes_path(path).exists()) or (
            changes is not None and (type(changes) is not tuple or not changes)
        ):  # made under another key, or not changes: the base alone is not to be trusted
            damaged(changes_path(path), diag)
            _drop(path)
            return None, None
        if changes is not None and changes[0] != base[0]:
            changes = None  # follows another base: one written since, or left by a stop
        if changes is None and _identity(path) != before:
            continue
        parts = list(base[1:])
        held = _apply(parts, changes[1:] if changes is not None else ())
        if held is None:
            damaged(changes_path(path), diag)
            _drop(path)
            return None, None
        return tuple(parts), Journal(base[0], before, _entries(parts), _copied(parts), held)
    return None, None


def _drop(path: Path) -> None:
    """Remove a base whose changes were lost (the warning was given for them)."""
    for gone in (path, changes_path(path)):
        with contextlib.suppress(OSError):
            gone.unlink()


def _identity(path: Path) -> tuple[int, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0, 0)
    return (st.st_dev, st.st_ino, st.st_size)


def _apply(parts: list, flat: tuple) -> tuple | None:
    """`parts` with the changes file's (flat: updated, deleted for each part) applied in place;
    what it held for each part, or None when it does not fit the parts."""
    if len(flat) != 2 * len(parts):
        return None if flat else tuple(None for _ in parts)
    held = []
    for i in range(len(parts)):
        updated, deleted = flat[2 * i], flat[2 * i + 1]
        if deleted is None:  # the part whole
            parts[i] = updated
            held.append(None)
            continue
        if type(parts[i]) is not dict or type(updated) is not dict or type(deleted) is not list:
            return None
        for k in deleted:
            parts[i].pop(k, None)
        parts[i].update(updated)
        held.append((updated, deleted))
    return tuple(held)


def write_kept(path: Path | None, key: str, value: tuple, journal: Journal | None) -> bool:
    """Keep `value` (a tuple) at `path` under `key`: as what changed since `journal` (the
    value's as read) when that is small, else as a new base. Whether it was written."""
    return _write(path, key, value, journal) is not None


def write_and_follow(
    path: Path | None, key: str, value: tuple, journal: Journal | None
) -> Journal | None:
    """`write_kept`, then the `Journal` of the value as written (None if it was not): what a
    later write of the same value, changed in memory meanwhile, is compared with (the
    preview holds its search index from build to build)."""
    written = _write(path, key, value, journal)
    if written is None:
        return None
    base, file, entries, held = written
    return Journal(base, file, entries, _copied(value), held)


def _write(
    path: Path | None, key: str, value: tuple, journal: Journal | None
) -> tuple[str, tuple[int, int, int], int, tuple] | None:
    """Write `value` as changes or as a base; (base id, its file, its entries, what the changes
    file now holds for each part) of the files written, or None. Changes only while the base
    is the file `journal` knows: one written since by another build (or by hand) is not."""
    if path is None:
        return None
    same = journal is not None and _identity(path) == journal.file
    flat = _changes(value, journal) if journal is not None and same else None
    if flat is not None and write_blob(changes_path(path), key, (journal.base, *flat)):
        with contextlib.suppress(OSError):
            if os.stat(changes_path(path)).st_size * SHARE <= journal.file[2]:
                held = tuple(
                    None if flat[2 * i + 1] is None else (flat[2 * i], flat[2 * i + 1])
                    for i in range(len(value))
                )
                return journal.base, journal.file, journal.entries, held
    base = uuid.uuid4().hex
    if not write_blob(path, key, (base, *value)):
        return None
    with contextlib.suppress(OSError):
        changes_path(path).unlink()
    return base, _identity(path), _entries(value), tuple(None for _ in value)


def _changes(value: tuple, journal: Journal) -> list | None:
    """For each part of `value`: (entries added or replaced since the base, keys taken out),
    or (the part, None) when it is not a dict; None when that is more than a `SHARE`th of the
    base's entries."""
    if len(value) != len(journal.read):
        return None
    flat: list = []
    count = 0
    for part, read, held in zip(value, journal.read, journal.changes, strict=True):
        if type(part) is not dict or type(read) is not dict:
            flat += [part, None]
            continue
        updated = {k: v for k, v in part.items() if _changed(read.get(k, _ABSENT), v)}
        gone = read.keys() - part.keys()
        if held is not None:  # changed since the base, and still there: written again
            for k in held[0]:
                if k in part and k not in updated:
                    updated[k] = part[k]
            gone.update(k for k in held[1] if k not in part)
        count += len(updated) + len(gone)
        if count * SHARE > journal.entries:
            return None
        flat += [updated, list(gone)]
    return flat


def _copied(parts: tuple | list) -> tuple:
    """The parts with each dict copied (its values shared): what a later write compares with."""
    return tuple(dict(p) if type(p) is dict else p for p in parts)


def _entries(parts: tuple | list) -> int:
    return sum(len(p) for p in parts if type(p) is dict)


def _changed(was: Any, now: Any) -> bool:
    if was is now:
        return type(now) in _MUTABLE
    return was is _ABSENT or type(now) in _MUTABLE or was != now


def kept_and_updated(
    path: Path | None,
    key: str,
    diag: Diagnostics,
    load: Callable[[Any], T],
    new: Callable[[], T],
    update: Callable[[T], R],
) -> tuple[T, R, Journal | None]:
    """The index kept at `path` under `key` (`load` makes it from the stored value), updated;
    a new one (from `new`) when none is kept or the kept one is not an index this code made
    (then with a warning). Also the `Journal` of a kept one, for `write_kept`."""
    data, journal = read_kept(path, key, diag)
    if data is not None:
        try:
            index = load(data)
            return index, update(index), journal
        except NOT_AN_INDEX:
            damaged(path, diag)  # readable, but not an index this code made
            _drop(path)
    index = new()
    return index, update(index), None
