"""A large kept value written as a base file and a file of what changed since.

The related lists' index and the search index's state (engine/related_cache.py,
engine/search_cache.py) are tuples of big dicts: hundreds of megabytes at 100,000 articles, of
which an edit changes a few entries. Rewriting the whole file after every edit cost as much as
reading it. Here the value is kept as a base file (`write_blob`'s, the base's id first) and a
changes file beside it (`NAME.changes`) holding, for each of the value's parts, the entries
added or replaced and the keys taken out since that base, or the part whole when it is not a
dict. Each build rewrites only the changes file, with every change since the base; once it
holds more than a `SHARE`th of the base's entries or bytes, the value is written as a new base
instead. A long bytes value (or one in a tuple) that changed is written as the splices that make
it from the base's (engine/splices.py): a common word's packed list, hundreds of kilobytes,
changes in a byte or two when an article is edited, and written whole it made every edit's
changes outgrow the base. A part that is not a dict (a sorted list of terms, an order packed as
bytes) is written as splices of the base's part too, where they are smaller.

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
from sitegen.engine.splices import list_splices, size, spliced, splices
from sitegen.errors import Diagnostics

SHARE = 8  # a changes file past an eighth of its base's entries or bytes: a new base instead
SPLICED_FROM = 256  # bytes: a changed value this long is written as splices of the base's
_MUTABLE = (list, dict, set, bytearray, array)
_ABSENT = object()
_SAME = object()  # a part not changed since the base: the one read is the base's

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Journal:
    """What a kept value was read as, to write only what changed since."""

    base: str  # the base file's id
    file: tuple[int, int, int]  # its device, inode and size: another file there is not it
    entries: int  # the entries of its dict parts
    read: tuple  # the value's parts as read: dicts copied, their values shared
    changes: tuple  # per part, what the changes file held: (updated, deleted, spliced), or None
    # per part, what splices are made from: for a dict, the base's values of the keys changed
    # since; for another part, `_SAME`, (the base's part,) once spliced, None once written whole
    bases: tuple


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
        applied = _apply(parts, changes[1:] if changes is not None else ())
        if applied is None:
            damaged(changes_path(path), diag)
            _drop(path)
            return None, None
        held, bases = applied
        journal = Journal(base[0], before, _entries(parts), _copied(parts), held, bases)
        return tuple(parts), journal
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


def _apply(parts: list, flat: tuple) -> tuple[tuple, tuple] | None:
    """`parts` with the changes file's (flat: updated, deleted, spliced for each part) applied
    in place; what it held for each part and the base's values of the keys it changed, or None
    when it does not fit the parts."""
    if len(flat) != 3 * len(parts):
        return None if flat else (tuple(None for _ in parts), _fresh(parts))
    held, bases = [], []
    for i in range(len(parts)):
        updated, deleted, patches = flat[3 * i : 3 * i + 3]
        if deleted is None and patches is None:  # the part whole
            parts[i] = updated
            held.append(None)
            bases.append(None)
            continue
        if deleted is None:  # the part as splices of the base's
            try:
                parts[i], base_part = _part_patched(parts[i], patches), parts[i]
            except (ValueError, TypeError):
                return None
            held.append(None)
            bases.append((base_part,))
            continue
        part = parts[i]
        if (
            type(part) is not dict
            or type(updated) is not dict
            or type(deleted) is not list
            or type(patches) is not dict
        ):
            return None
        base: dict = {}
        for k in deleted:
            part.pop(k, None)
        for k, v in updated.items():
            was = part.get(k, _ABSENT)
            if was is not _ABSENT:
                base[k] = was
            part[k] = v
        for k, patch in patches.items():
            was = part.get(k, _ABSENT)
            try:
                part[k] = _patched(was, patch)
            except (ValueError, TypeError):
                return None
            base[k] = was
        held.append((updated, deleted, patches))
        bases.append(base)
    return tuple(held), tuple(bases)


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
    base, file, entries, held, bases = written
    return Journal(base, file, entries, _copied(value), held, bases)


def _write(
    path: Path | None, key: str, value: tuple, journal: Journal | None
) -> tuple[str, tuple[int, int, int], int, tuple, tuple] | None:
    """Write `value` as changes or as a base; (base id, its file, its entries, what the changes
    file now holds for each part, the base's values of the keys they change) of the files
    written, or None. Changes only while the base is the file `journal` knows: one written
    since by another build (or by hand) is not."""
    if path is None:
        return None
    same = journal is not None and _identity(path) == journal.file
    found = _changes(value, journal) if journal is not None and same else None
    if found is not None and write_blob(changes_path(path), key, (journal.base, *found[0])):
        flat, bases = found
        with contextlib.suppress(OSError):
            if os.stat(changes_path(path)).st_size * SHARE <= journal.file[2]:
                held = tuple(
                    None if flat[3 * i + 1] is None else tuple(flat[3 * i : 3 * i + 3])
                    for i in range(len(value))
                )
                return journal.base, journal.file, journal.entries, held, bases
    base = uuid.uuid4().hex
    if not write_blob(path, key, (base, *value)):
        return None
    with contextlib.suppress(OSError):
        changes_path(path).unlink()
    nothing = tuple(None for _ in value)
    return base, _identity(path), _entries(value), nothing, _fresh(value)


def _changes(value: tuple, journal: Journal) -> tuple[list, tuple] | None:
    """For each part of `value`: (entries added or replaced since the base, keys taken out,
    splices of the base's values for long bytes values changed); for a part that is not a
    dict, (None, None, splices of the base's part) or (the part, None, None). And for each
    part what `Journal.bases` holds. None when that is more than a `SHARE`th of the base's
    entries."""
    if len(value) != len(journal.read):
        return None
    flat: list = []
    bases: list = []
    count = 0
    parts = zip(value, journal.read, journal.changes, journal.bases, strict=True)
    for part, read, held, was in parts:
        if type(part) is not dict or type(read) is not dict:
            # as splices of the base's part where it is known and they are smaller
            base_part = read if was is _SAME else was[0] if type(was) is tuple else _ABSENT
            patch = _part_patch(base_part, part) if base_part is not _ABSENT else None
            if patch is None:
                flat += [part, None, None]
                bases.append(None)
            else:
                flat += [None, None, patch]
                bases.append((base_part,))
            continue
        changed = {k for k, v in part.items() if _changed(read.get(k, _ABSENT), v)}
        gone = read.keys() - part.keys()
        again: list = []  # changed since the base, not since the read, and still there
        if held is not None:
            again = [k for k in (*held[0], *held[2]) if k in part and k not in changed]
            gone.update(k for k in held[1] if k not in part)
            gone.difference_update(k for k in held[0] if k not in was)  # the base lacks them
        count += len(changed) + len(again) + len(gone)
        if count * SHARE > journal.entries:
            return None
        updated, patches, base = {}, {}, {}
        for k in changed:
            # the base's value: the one read, unless an earlier build changed it since
            b = (
                was.get(k, _ABSENT)
                if held is not None and _in_held(held, k)
                else read.get(k, _ABSENT)
            )
            if b is not _ABSENT:
                if type(b) not in _MUTABLE and b == part[k]:
                    continue  # back to the base's value (an edit undone): not a change
                base[k] = b
                patch = _patch(b, part[k])
                if patch is not None:
                    patches[k] = patch
                    continue
            updated[k] = part[k]
        for k in again:
            if k in held[2]:  # the value read (or one equal to it): the same splices
                patches[k] = held[2][k]
            else:
                updated[k] = part[k]
            if k in was:
                base[k] = was[k]
        flat += [updated, list(gone), patches]
        bases.append(base)
    return flat, tuple(bases)


def _part_patch(base: Any, now: Any) -> Any:
    """A part that is not a dict as splices of the base's: a list as `list_splices` (the
    search index's terms, new ones put in among them), else as `_patch` makes them."""
    if type(base) is list and type(now) is list:
        ops = list_splices(base, now)
        put = sum(len(ops[i]) for i in range(2, len(ops), 3))
        return ops if put * 2 < len(now) else None
    return _patch(base, now)


def _part_patched(base: Any, patch: Any) -> Any:
    if type(base) is list:
        return spliced(base, patch)
    return _patched(base, patch)


def _fresh(parts: tuple | list) -> tuple:
    """What splices of a base just read or written are made from: no dict values changed,
    every other part the one read."""
    return tuple({} if type(p) is dict else _SAME for p in parts)


def _in_held(held: tuple, k: Any) -> bool:
    return k in held[0] or k in held[2]


def _patch(base: Any, now: Any) -> Any:
    """What makes `now` from `base` as splices: for bytes, their splices; for a tuple, a list
    with each item's (None: the base's; a 1-tuple: the item whole; splices); None when `now`
    is not made smaller that way."""
    if type(base) is bytes and type(now) is bytes:
        return _splices_of(base, now)
    if type(base) is not tuple or type(now) is not tuple or len(base) != len(now):
        return None
    out: list = []
    spliced_any = False
    for b, n in zip(base, now, strict=True):
        if type(n) in _MUTABLE or type(n) is not type(b):
            out.append((n,))
        elif b is n or b == n:
            out.append(None)
        else:
            ops = _splices_of(b, n) if type(n) is bytes else None
            spliced_any = spliced_any or ops is not None
            out.append(ops if ops is not None else (n,))
    return out if spliced_any else None


def _splices_of(base: bytes, now: bytes) -> tuple | None:
    if len(now) < SPLICED_FROM:
        return None
    ops = splices(base, now)
    return ops if size(ops) * 2 < len(now) else None


def _patched(base: Any, patch: Any) -> Any:
    """`base` with `_patch`'s `patch` applied; ValueError where it does not fit."""
    if type(base) is bytes and type(patch) is tuple:
        return spliced(base, patch)
    if type(base) is not tuple or type(patch) is not list or len(patch) != len(base):
        raise ValueError("not a patch")
    out = []
    for b, p in zip(base, patch, strict=True):
        if p is None:
            out.append(b)
        elif type(p) is tuple and len(p) == 1:
            out.append(p[0])
        elif type(b) is bytes and type(p) is tuple:
            out.append(spliced(b, p))
        else:
            raise ValueError("not a patch")
    return tuple(out)


def _copied(parts: tuple | list) -> tuple:
    """The parts with each dict and list copied (values shared): what a later write compares
    with (a list part may be changed in place)."""
    return tuple(dict(p) if type(p) is dict else list(p) if type(p) is list else p for p in parts)


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
