"""Spare files for the writer: an edit's new files are written into inodes the file system
already has, and the files they replace are kept for a later build instead of deleted.

Why: replacing a file costs a file system like ext4 an inode for the new file and the freeing
of the old one's blocks. One edit at 10,000 articles replaces about 450 files (the search
shards its terms reach), and on this project's machines those two cost 0.3 to 0.5 s of a
1.6 s build, more than rendering; writing the same bytes into existing files and hard-linking
the replaced ones aside costs 0.05 s. Databases recycle their log files for the same reason
(PostgreSQL's `wal_recycle`).

The pool is a folder in the cache (`.sitegen/spare/`, only when it is on the output's file
system) of generation folders, used oldest first:
- `n<ns>`: empty files a detached process makes ahead after a build of a big site
  (`top_up`); they were never part of any output;
- `r<ns>`: files a delta commit replaced, hard-linked here just before the new file is renamed
  over them (`keep_replaced`), so their blocks are not freed. One is written again only once
  it has been out of the output for `MIN_AGE` seconds, so a reader that opened the old file
  (a web server, rsync) is not handed bytes of a later build.

A spare is written only if it is a regular file nothing else links (a snapshot of the output
made with `cp -al` keeps its files); at most `CAP` are kept, and none above `MAX_SIZE`. Where
anything fails the writer makes a new file as it always did: the pool only saves time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

CAP = 2048  # spares kept at most (about 40 MB of pages and search shards)
MAX_SIZE = 256 << 10  # bytes: a bigger replaced file is freed, not kept
MIN_AGE = 5.0  # seconds a replaced file stays out of use
WANT = 1024  # empty spares made ahead for a big site (an edit at 10,000 articles takes ~450)
TOP_UP_MIN = 4000  # files in the output: a smaller site makes none ahead
# never through a link, and never waiting on a pipe someone put there (flags missing: 0)
_WRITE_SPARE = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_STALE_MAKING = 600.0  # seconds after which a folder a maker left unfinished is removed
_MAKER = (
    "import os, sys\n"
    "final, n = sys.argv[1], int(sys.argv[2])\n"
    "part = os.path.join(os.path.dirname(final), '.' + os.path.basename(final))\n"
    "os.mkdir(part)\n"
    "for i in range(n):\n"
    "    os.close(os.open(os.path.join(part, str(i)), os.O_CREAT | os.O_EXCL | os.O_WRONLY))\n"
    "os.rename(part, final)\n"
)


class SparePool:
    """The spare files of one site's output (see the module docstring). Not shared between
    threads; builds running side by side each take a spare by renaming it, so one spare goes
    to one of them."""

    def __init__(self, folder: Path, output: Path) -> None:
        self.folder = folder
        self.output = output
        self._ready: list[str] | None = None  # usable spares, the next to take last
        self._count = 0  # spares in the pool (usable or not yet)
        self._gen: str | None = None  # where this build's replaced files go
        self._serial = 0
        self.usable = _same_device(folder, output)

    def write(self, target: Path, data: bytes) -> bool:
        """Put `data` at `target` (a new file's path in the staging folder) in a spare; False when there is none (the caller makes a new file)."""
        if not self.usable:
            return False
        ready = self._spares()
        while ready:
            spare = ready.pop()
            self._count -= 1
            if not _move(spare, target):
                continue  # taken by another build, or gone
            try:
                fd = os.open(target, _WRITE_SPARE)
            except OSError:
                _unlink(target)
                continue
            with os.fdopen(fd, "wb") as fh:
                found = os.fstat(fd)
                if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1:
                    fh.close()
                    _unlink(target)  # linked from elsewhere: never written through
                    continue
                fh.write(data)
                if found.st_size > len(data):
                    fh.truncate(len(data))
            return True
        return False

    def keep_replaced(self, target: str) -> None:
        """Keep the file at `target`, about to be replaced, as a spare (a hard link to it)."""
        if not self.usable:
            return
        self._spares()
        if self._count >= CAP:
            return
        try:
            found = os.lstat(target)
        except OSError:
            return
        if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1 or found.st_size > MAX_SIZE:
            return
        try:
            if self._gen is None:
                gen = os.path.join(self.folder, f"r{time.time_ns()}")
                os.mkdir(gen)
                self._gen = gen
            self._serial += 1
            os.link(target, os.path.join(self._gen, str(self._serial)))
            self._count += 1
        except OSError:
            self.usable = False  # another file system, or no room: files are freed as before

    def top_up(self, files: int) -> None:
        """After a build with `files` in its output: if the site is big and the pool holds few
        spares, have a detached process make more (empty ones) for the next edit."""
        if not self.usable or files < TOP_UP_MIN:
            return
        self._spares()
        if self._count >= WANT // 2:
            return
        with contextlib.suppress(OSError):
            subprocess.Popen(
                [sys.executable, "-c", _MAKER, str(self.folder / f"n{time.time_ns()}"), str(WANT)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )

    def finish(self) -> None:
        """Remove the generation folders this build emptied."""
        if self._ready is None:
            return
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name[:1] in ("n", "r") and entry.path != self._gen:
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)  # only when empty

    def _spares(self) -> list[str]:
        """The spares ready to be written, listed once per build, oldest generation first."""
        if self._ready is not None:
            return self._ready
        self._ready = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with os.scandir(self.folder) as it:
                gens = sorted(it, key=lambda e: int(e.name[1:]) if e.name[1:].isdigit() else 0)
        except OSError:
            self.usable = False
            return self._ready
        now = time.time_ns()
        ready: list[str] = []
        for gen in gens:
            kind, stamp = gen.name[:1], gen.name[1:]
            if kind == "." and _older(gen, _STALE_MAKING):
                shutil.rmtree(gen.path, ignore_errors=True)  # a maker that died
                continue
            if kind not in ("n", "r") or not stamp.isdigit() or not _plain_folder(gen):
                continue  # not ours, or a link that could lead to anybody's files
            try:
                names = os.listdir(gen.path)
            except OSError:
                continue
            self._count += len(names)
            if kind == "n" or now - int(stamp) >= MIN_AGE * 1e9:
                ready += [os.path.join(gen.path, name) for name in names]
        ready.reverse()  # taken from the end: the oldest first
        self._ready = ready
        return ready


def _same_device(folder: Path, output: Path) -> bool:
    """Whether the pool can be on the output's file system (renames and links between them)."""
    try:
        return _nearest(folder).stat().st_dev == _nearest(output).stat().st_dev
    except OSError:
        return False


def _nearest(path: Path) -> Path:
    """The closest folder above `path` that exists (the pool and the output may not yet)."""
    here = path.parent
    while not here.exists():
        here = here.parent
    return here


def _move(spare: str, target: Path) -> bool:
    """Rename `spare` to `target`, making the folder it needs."""
    try:
        os.rename(spare, target)
        return True
    except FileNotFoundError:
        if target.parent.is_dir():
            return False  # the spare is gone
    except OSError:
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(spare, target)
        return True
    except OSError:
        return False


def _plain_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _older(entry: os.DirEntry, seconds: float) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > seconds
    except OSError:
        return False


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
