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
bytes) is written as splices of the base's part too, where they are smaller. A value spliced
before and changed again gets the splices of the last change composed with those (`composed`),
so the base's values are not held to find them.

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
import itertools
import operator
import os
import uuid
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sitegen.engine.blobcache import NOT_AN_INDEX, damaged, read_blob, write_blob
from sitegen.engine.splices import composed, list_splices, size, spliced, splices
from sitegen.errors import Diagnostics

SHARE = 8  # a changes file past an eighth of its base's entries or bytes: a new base instead
SPLICED_FROM = 256  # bytes: a changed value this long is written as splices of the base's
_MUTABLE = (list, dict, set, bytearray, array)
_MUTABLE_TYPES = frozenset(_MUTABLE)
_ABSENT = object()

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Journal:
    """What a kept value was read as, to write only what changed since."""

    base: str  # the base file's id
    file: tuple[int, int, int]  # its device, inode and size: another file there is not it
    entries: int  # the entries of its dict parts
    read: tuple  # the value's parts as read: dicts and lists copied, their values shared
    # per part, what the changes file holds: for a dict (updated, deleted, spliced), for
    # another part (the part, None, None) or (None, None, its splices); None: not changed
    changes: tuple


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
    """`parts` with the changes file's (flat: updated, deleted, spliced for each part) applied
    in place; what it holds for each part, or None when it does not fit the parts."""
    if len(flat) != 3 * len(parts):
        return None if flat else tuple(None for _ in parts)
    for i in range(len(parts)):
        updated, deleted, patches = flat[3 * i : 3 * i + 3]
        try:
            if deleted is None and patches is None:  # the part whole
                parts[i] = updated
            elif deleted is None:  # the part as splices of the base's
                parts[i] = _part_patched(parts[i], patches)
            else:
                _apply_dict(parts[i], updated, deleted, patches)
        except (ValueError, TypeError):
            return None
    return tuple(tuple(flat[3 * i : 3 * i + 3]) for i in range(len(parts)))


def _apply_dict(part: dict, updated: dict, deleted: list, patches: dict) -> None:
    if type(part) is not dict or type(updated) is not dict or type(deleted) is not list:
        raise ValueError("not changes")
    if type(patches) is not dict:
        raise ValueError("not changes")
    for k in deleted:
        part.pop(k, None)
    part.update(updated)
    for k, patch in patches.items():
        part[k] = _patched(part.get(k), patch)


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
                held = tuple(tuple(flat[3 * i : 3 * i + 3]) for i in range(len(value)))
                return journal.base, journal.file, journal.entries, held
    base = uuid.uuid4().hex
    if not write_blob(path, key, (base, *value)):
        return None
    with contextlib.suppress(OSError):
        changes_path(path).unlink()
    return base, _identity(path), _entries(value), tuple(None for _ in value)


def _changes(value: tuple, journal: Journal) -> list | None:
    """For each part of `value`: (entries added or replaced since the base, keys taken out,
    splices of the base's values for long bytes values changed); for a part that is not a
    dict, (None, None, splices of the base's part) or (the part, None, None). None when that
    is more than a `SHARE`th of the base's entries."""
    if len(value) != len(journal.read):
        return None
    flat: list = []
    count = 0
    for part, read, held in zip(value, journal.read, journal.changes, strict=True):
        if type(part) is not dict or type(read) is not dict:
            flat += _part_changes(part, read, held)
            continue
        changed = _changed_keys(part, read)
        gone = read.keys() - part.keys()
        again: list = []  # changed since the base, not since the read, and still there
        if held is not None:
            again = [k for k in (*held[0], *held[2]) if k in part and k not in changed]
            gone.update(k for k in held[1] if k not in part)
        count += len(changed) + len(again) + len(gone)
        if count * SHARE > journal.entries:
            return None
        updated, patches = {}, {}
        for k in changed:
            now = part[k]
            if held is not None and k in held[0]:  # written whole since the base: again
                updated[k] = now
                continue
            was = read.get(k, _ABSENT)
            patch = _patch(was, now) if was is not _ABSENT else None
            if patch is not None and held is not None and k in held[2]:
                patch = _compose(held[2][k], patch)  # the splices since the base
                if patch is not None and _unchanged(patch):
                    continue  # back to the base's value (an edit undone): not a change
            if patch is not None:
                patches[k] = patch
            else:
                updated[k] = now
        for k in again:
            if k in held[2]:  # the value read (or one equal to it): the same splices
                patches[k] = held[2][k]
            else:
                updated[k] = part[k]
        flat += [updated, list(gone), patches]
    return flat


def _part_changes(part: Any, read: Any, held: tuple | None) -> list:
    """A part that is not a dict as the changes file holds it: splices of the base's part
    where the base's is known (`read` itself, or the splices since composed with those since
    the read) and they are smaller, else whole."""
    if held is not None and held[2] is None:  # written whole since the base: again
        return [part, None, None]
    patch = _part_patch(read, part)
    if patch is not None and held is not None:
        patch = _compose(held[2], patch)  # the splices since the base
    return [part, None, None] if patch is None else [None, None, patch]


def _compose(first: Any, then: Any) -> Any:
    """The patch (`_patch`'s) doing `first`, then `then`; None where they are not patches of
    one kind of value (then the value is written whole)."""
    if type(first) is tuple and type(then) is tuple:
        return composed(first, then)
    if type(first) is not list or type(then) is not list or len(first) != len(then):
        return None
    out = []
    for a, b in zip(first, then, strict=True):
        if b is None:
            out.append(a)
        elif a is None or len(b) == 1:  # the item whole now
            out.append(b)
        elif len(a) == 1:  # whole before, spliced since
            try:
                out.append((spliced(a[0], b),))
            except ValueError:
                return None
        else:
            out.append(composed(a, b))
    return out


def _unchanged(patch: Any) -> bool:
    """Whether a patch gives its value back as it was."""
    if type(patch) is tuple:
        return not patch
    return all(p is None or p == () for p in patch)


def _part_patch(base: Any, now: Any) -> Any:
    """A part that is not a dict as splices of the base's: a list as `list_splices` (the
    search index's terms, new ones put in among them), else as `_patch` makes them."""
    if type(base) is list and type(now) is list:
        return _smaller(list_splices(base, now), now)
    return _patch(base, now)


def _part_patched(base: Any, patch: Any) -> Any:
    if type(base) is list:
        return spliced(base, patch)
    return _patched(base, patch)


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
    return None if len(now) < SPLICED_FROM else _smaller(splices(base, now), now)


def _smaller(ops: tuple, now: bytes | list) -> tuple | None:
    """`ops`, where they take less than half of what they make (else it is written whole)."""
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


def _changed_keys(part: dict, read: dict) -> set:
    """The keys of `part` whose value `_changed` since `read`. The values an update left
    alone are the objects read, so the entries that are not are picked out first, by identity,
    in C (`map` and `compress`: half a million entries in a sixth of a second, where a call of
    `_changed` for each took nearly half a second); a part holding a mutable value (always
    written) is gone through whole."""
    keys = part.keys()
    if _MUTABLE_TYPES.isdisjoint(map(type, part.values())):
        got = map(read.get, keys, itertools.repeat(_ABSENT))
        keys = itertools.compress(keys, map(operator.is_not, got, part.values()))
    return {k for k in keys if _changed(read.get(k, _ABSENT), part[k])}


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
