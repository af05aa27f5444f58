"""The output folder is sitegen's alone, and it changes all at once or not at all.

A build is staged in a sibling folder (`.<name>.sitegen-staging-<pid>`): files whose bytes did
not change are hard links to the old ones (so their modification time stays, and rsync or a
CDN sends only what changed), new bytes are written fresh, files sitegen did not write are
carried over, and files it wrote before but no longer plans are dropped. Then the staged
folder is exchanged with the output in one atomic rename (Linux renameat2 RENAME_EXCHANGE;
elsewhere two renames, and the next build puts the old folder back if killed between them).
A build that is killed or fails leaves the old output; the next build removes its leftovers.

Linking every unchanged file costs a system call per file (about 2.5 s at 10,000 articles), so
a build that changes few files (`DELTA_MAX_SHARE` of the output at most, e.g. one edited
article) stages only those (`DeltaOutput`), side by side in one folder, each named by its
escaped path (publishing an article rewrites every numbered listing page, each in a folder of
its own: making those folders in the staging folder and removing them again cost more than
writing the pages). The staged folder is renamed to a fixed commit name with the new manifest
and the list of files to delete, then each file is moved into the output (every move atomic)
and the manifest last. A build killed before that rename leaves the old
output; one killed after it is completed by the next build (or `sitegen build`) before anything
else, since the commit folder holds everything the commit needs.
Its new files are written into spare files, and the files they replace kept as spares
instead of freed (output/spares.py): on ext4 creating and freeing files cost more than the
bytes.

A manifest (`.sitegen-manifest.json` inside the output) records each file sitegen wrote with
its hash and the fingerprint of what it was rendered from, and marks the folder as ours.
Anything else in the folder belongs to the user: it is carried into every new build, and a
generated file that would replace it is an error unless the build was forced.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from sitegen.errors import SiteError
from sitegen.fsutil import files_present, is_inside, sha1_bytes
from sitegen.output.spares import SparePool

MANIFEST = ".sitegen-manifest.json"
STAGING_MARK = ".sitegen-staging-"
OLD_MARK = ".sitegen-old-"
TRASH_MARK = ".sitegen-trash-"
COMMIT_MARK = ".sitegen-commit"  # a delta commit under way (`DeltaOutput`)
JOURNAL = ".sitegen-delete.json"  # in the commit folder: the files the commit deletes
# in a delta's staging (and commit) folder: its files side by side, each named by its path with
# `/` escaped (`_flat_name`): no folder made for each page to be moved out of and removed again
FLAT = ".sitegen-flat"
_FLAT_NAME_MAX = 240  # bytes: a longer escaped path is staged in folders, as it is in the output
DELTA_MAX_SHARE = 0.1  # a build changing at most this share of the output is staged as a delta
BACKGROUND_DELETE_MIN = 4000  # files: deleting a previous build this big is left to a helper
_DELETER = (
    "import os, shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True); "
    "os.close(int(sys.argv[2]))"
)


# An entry of `Manifest.files` is one string, "SHA FP": the hash of the file's bytes ("" for a
# copied file, which carries none) and the fingerprint of the inputs that made it. A big site's
# manifest is held for the whole build: one string an entry holds about 130 bytes less than a
# list of two (a third of the manifest) and is read from the file in half the time.
def manifest_entry(sha: str, fp: str) -> str:
    """The manifest's entry for a file with bytes hashed `sha` made from inputs `fp`."""
    return f"{sha} {fp}"


def entry_sha(entry: str) -> str:
    """The hash of the file's bytes in a manifest entry ("" for a copied file)."""
    return entry[: entry.find(" ")]


def entry_fp(entry: str) -> str:
    """The fingerprint of the file's inputs in a manifest entry."""
    return entry[entry.find(" ") + 1 :]


def _entry_read(entry: object) -> str:
    """An entry as a manifest file holds it, as this sitegen's: an older sitegen wrote [sha,
    fp] or {"sha": ..., "fp": ...}. Raises ValueError for anything else."""
    if type(entry) is list and len(entry) == 2:
        sha, fp = entry
    elif type(entry) is dict:
        sha, fp = entry.get("sha", ""), entry.get("fp", "")
    else:
        raise ValueError(repr(entry)[:80])
    if type(sha) is not str or type(fp) is not str or " " in sha:
        raise ValueError(repr(entry)[:80])
    return manifest_entry(sha, fp)


@dataclass
class Manifest:
    """What sitegen wrote into an output folder: path -> "SHA FP" (`manifest_entry`: the
    bytes' hash and the fingerprint of the inputs that made it). An unchanged fingerprint means
    the file is kept; a file not in the manifest was not written by sitegen and is never
    deleted."""

    files: dict[str, str] = field(default_factory=dict)  # path -> "SHA FP"
    owned: bool = False
    sha: str = ""  # of the file it was read from
    # new for each manifest written: the record a build keeps for the next names the output
    # it planned against by this (engine/record.py)
    build: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def load(cls, output: Path) -> Manifest:
        try:
            raw = (output / MANIFEST).read_bytes()
            data = orjson.loads(raw)  # a third faster than json's at a million entries
            files = data.get("files", {})
            if not isinstance(files, dict):
                raise ValueError("files")
            for path, entry in files.items():
                if type(entry) is not str:
                    files[path] = _entry_read(entry)
                elif " " not in entry:
                    raise ValueError(path)
            build = data.get("build")
            return cls(files, True, sha1_bytes(raw), build if isinstance(build, str) else "")
        except (OSError, ValueError, AttributeError):
            return cls(build="")

    def dump(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self, size: int = 16384) -> Iterator[bytes]:
        """The manifest's file (`{"files": {path: "SHA FP", ...}, "generator": "sitegen"}`,
        paths sorted, UTF-8), `size` entries at a time: made whole, a big site's was held four
        times over at the end of its build (a sorted copy, the text, its bytes, those with a
        newline), about 80 MB at 100,000 articles. orjson makes each part: json's took 1.8 s
        for the 1.2 million entries of a 500,000-article site, orjson 0.2 s."""
        files = self.files
        paths = sorted(files)
        yield b'{"files":{'
        for start in range(0, len(paths), size):
            part = orjson.dumps({p: files[p] for p in paths[start : start + size]})
            yield part[1:-1] if start == 0 else b"," + part[1:-1]
        yield b'},"generator":"sitegen","build":' + orjson.dumps(self.build) + b"}\n"


def _label(folder: Path, site: Path) -> str:
    try:
        return folder.relative_to(site).as_posix() + "/"
    except ValueError:
        return str(folder)


def check_output_folder(output: Path, root: Path, protected: list[Path], force: bool) -> None:
    """Refuse output folders where a build could destroy a person's files.

    `protected` are source folders (content, seeds, themes, ...): the output may be neither
    inside one nor hold one. Raises SiteError before anything is touched."""
    out = output.resolve()
    site = root.resolve()
    hint = "use a folder of its own such as build/ (output_dir in site.yaml, or --output)"
    if out == site or site.is_relative_to(out):
        raise SiteError(
            f"output folder {output} is the site folder or contains it; nothing was changed",
            hint=hint,
        )
    for folder in protected:
        folder = folder.resolve()
        if out.is_relative_to(folder) or folder.is_relative_to(out):
            raise SiteError(
                f"output folder {output} overlaps {_label(folder, site)}, which holds your sources; "
                "nothing was changed",
                hint=hint,
            )
    if out.exists() and not out.is_dir():
        raise SiteError(
            f"output path {output} exists and is not a folder; nothing was changed", hint=hint
        )
    if out.is_dir() and not (out / MANIFEST).exists() and any(out.iterdir()) and not force:
        raise SiteError(
            f"output folder {output} is not empty and was not made by sitegen; nothing was changed",
            hint="choose an empty folder, or pass --force to build into it (its files are kept)",
        )


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` is running (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftover_pid(name: str, prefix: str) -> int | None:
    tail = name[len(prefix) :]
    return int(tail) if tail.isdigit() else None


def cleanup_leftovers(output: Path) -> list[Path]:
    """Remove staging folders of builds that died, and put back an output folder that a killed
    fallback swap left renamed aside. Folders of builds still running are left alone."""
    parent = output.parent
    if not parent.is_dir():
        return []
    prefix_stage = f".{output.name}{STAGING_MARK}"
    prefix_old = f".{output.name}{OLD_MARK}"
    prefix_trash = f".{output.name}{TRASH_MARK}"
    removed = []
    pending = commit_folder(output)
    if pending.is_dir():
        roll_forward(pending, output)  # a delta commit was cut off: finish it
    for entry in sorted(parent.iterdir()):
        if entry.name.startswith(prefix_trash):
            if _delete_unless_locked(entry):
                removed.append(entry)
            continue
        for prefix in (prefix_old, prefix_stage):
            if not entry.name.startswith(prefix):
                continue
            pid = _leftover_pid(entry.name, prefix)
            if pid is not None and pid != os.getpid() and pid_alive(pid):
                break  # another build is running and owns it
            if prefix == prefix_old and not os.path.lexists(output):
                os.rename(entry, output)  # killed between the two renames of the fallback swap
            else:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            break
    return removed


def _delete_unless_locked(tree: Path) -> bool:
    """Remove a discarded build, unless a background deleter (holding its lock) is at it."""
    try:
        fd = os.open(tree, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    try:
        shutil.rmtree(tree, ignore_errors=True)
    finally:
        os.close(fd)
    return True


def discard_tree(tree: Path, output: Path, files: int) -> None:
    """Delete a previous build that was swapped out. A big one is renamed to a trash name and
    deleted by a detached process holding a lock on it, so the build that replaced it need not
    wait; if that process dies, the next build's `cleanup_leftovers` finishes the job."""
    if files < BACKGROUND_DELETE_MIN:
        shutil.rmtree(tree, ignore_errors=True)
        return
    trash = output.parent / f".{output.name}{TRASH_MARK}{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.rename(tree, trash)
        fd = os.open(trash, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            subprocess.Popen(
                [sys.executable, "-c", _DELETER, str(trash), str(fd)],
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            os.close(fd)  # the child holds the lock now (flock follows the open file, not the fd)
    except OSError:
        shutil.rmtree(trash if trash.exists() else tree, ignore_errors=True)


_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    global _libc
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    fn = getattr(_libc, "renameat2", None)
    if fn is None:
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    rc = fn(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", 95), errno.EOPNOTSUPP):
        return False  # old kernel or a file system without exchange support
    raise OSError(err, os.strerror(err), str(a))


def write_fresh(target: Path, data: bytes | Iterable[bytes]) -> None:
    """Write a new file at `target` (`data`: its bytes, or them in parts). A file already there
    may be a hard link into the live output, so it is unlinked first: writing through it would
    change the old build in place. Worker processes that write into the staging folder must
    use this too."""
    try:  # most files are new in a folder made already: one call, not three
        fh = open(target, "xb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        fh = open(target, "xb")  # noqa: SIM115
    except FileExistsError:
        target.unlink()
        fh = open(target, "xb")  # noqa: SIM115
    with fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            fh.writelines(data)


def _output_entries(output: Path):
    """(relative path, is_file) of every file and symlink below `output` (a symlinked folder is
    one entry, never followed) and of every empty folder (is_file False). scandir, not
    os.walk: this runs over every file of the output on every build that writes."""
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(output, rel_dir) if rel_dir else output) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append(rel)
            else:
                yield rel, True
        if rel_dir and not entries:
            yield rel_dir, False  # an empty folder of the user's


def replace_file(target: Path, data: bytes) -> None:
    """Put `data` at `target` so a reader sees the old file or the new one (no fsync: this is
    the preview's folder, rebuilt from sources at will)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _beside(target)
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


def _beside(target: Path) -> Path:
    """Where a file's next bytes are written before they replace it (a hidden name)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def place_ahead(output: Path, pages: dict[str, bytes]) -> dict[str, str]:
    """Put pages into a folder that is updated in place (the preview's) ahead of the build
    that follows, which records them in the manifest. Returns {output path: sha1}."""
    written: dict[str, str] = {}
    for path, data in pages.items():
        target = output / path
        if not is_inside(target, output):
            continue
        replace_file(target, data)
        written[path] = sha1_bytes(data)
    return written


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _remove_with_empty_parents(root: Path, rel: str) -> None:
    path = root / rel
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    parent = path.parent
    while parent != root:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def clash_error(clashes: list[str], output: Path) -> SiteError:
    """Generated files would replace files sitegen did not write (refused unless --force)."""
    shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
    return SiteError(
        f"{len(clashes)} file(s) in the output folder were not written by sitegen and would "
        f"be replaced by generated ones: {shown}; nothing was changed",
        output,
        hint="move them out of the output folder, or pass --force to replace them",
    )


class OutputStrategy:
    """How one build's files reach the output folder. `OutputWriter` keeps the books (the old
    and new `Manifest`, the counts) and asks its strategy, chosen once, to move the bytes."""

    def __init__(self, output: Path, old: Manifest, new: Manifest, force: bool) -> None:
        self.output = output
        self.old = old
        self.new = new
        self.force = force
        self.folder = output  # where this build's files are placed
        self.replaced: list[str] = []  # files sitegen did not write, replaced under --force

    def start(self) -> None:
        raise NotImplementedError

    def still_there(self, paths: Iterable[str]) -> set[str]:
        """Which of these files of the previous build are still in the output."""
        return files_present(self.output, paths)

    # whether `keep` leaves the file where it is and does nothing else
    keeps_in_place = False

    def keep(self, path: str) -> None:
        """Carry the previous build's file at `path` into this build."""
        raise NotImplementedError

    def reuse(self, path: str) -> bool:
        """Carry the previous build's file at `path` over if it is still there; False if not."""
        raise NotImplementedError

    def put(self, path: str, data: bytes, had_old: bool) -> bool:
        """Place new bytes at `path`; False when they were found there already (not written)."""
        raise NotImplementedError

    def put_copy(self, path: str, source: Path) -> None:
        """Place a copy of the file `source` at `path`."""
        raise NotImplementedError

    def commit(self) -> None:
        """Make this build the output, with `new` as its manifest."""
        raise NotImplementedError

    def abort(self) -> None:
        """Leave the output as the previous build (or as far as this one got, in place)."""
        raise NotImplementedError


class StagedOutput(OutputStrategy):
    """Stages the build in a sibling folder, then swaps it in whole (see the module docstring):
    unchanged files are hard links to the old ones, new bytes are fresh files."""

    def __init__(self, output: Path, old: Manifest, new: Manifest, force: bool) -> None:
        super().__init__(output, old, new, force)
        self.folder = output.parent / f".{output.name}{STAGING_MARK}{os.getpid()}"

    def start(self) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()

    def keep(self, path: str) -> None:
        self.reuse(path)

    def reuse(self, path: str) -> bool:
        source = self.output / path
        if not source.is_file():
            return False
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            return True
        except OSError:
            shutil.copy2(source, target)
        return True

    def put(self, path: str, data: bytes, had_old: bool) -> bool:
        write_fresh(self.folder / path, data)
        return True

    def put_copy(self, path: str, source: Path) -> None:
        target = self.folder / path
        write_fresh(target, b"")  # a fresh inode, never a link into the old build
        shutil.copyfile(source, target)

    def commit(self) -> None:
        """Carry over foreign files, write the manifest, and swap the staged build in."""
        self._carry_over()
        write_fresh(self.folder / MANIFEST, self.new.chunks())
        if not self.output.exists():
            os.rename(self.folder, self.output)
        elif _exchange(self.folder, self.output):
            discard_tree(self.folder, self.output, len(self.old.files))  # the previous build
        else:
            old = self.output.parent / f".{self.output.name}{OLD_MARK}{os.getpid()}"
            os.rename(self.output, old)
            os.rename(self.folder, self.output)
            discard_tree(old, self.output, len(self.old.files))

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _carry_over(self) -> None:
        """Bring every file, symlink and empty folder sitegen did not write into the staged
        build. One that a generated file would replace (or that sits where a generated file
        needs a folder) stops the build, unless it was forced."""
        if not self.output.is_dir():
            return
        new_dirs = {p.rsplit("/", i)[0] for p in self.new.files for i in range(1, p.count("/") + 1)}
        clashes: list[str] = []

        def clashes_with_new(rel: str) -> bool:
            if rel in self.new.files or rel in new_dirs:
                return True
            parts = rel.split("/")
            return any("/".join(parts[:i]) in self.new.files for i in range(1, len(parts)))

        for rel, is_file in _output_entries(self.output):
            if rel == MANIFEST or rel in self.old.files:
                continue
            if clashes_with_new(rel):
                if is_file or rel not in new_dirs:
                    clashes.append(rel)
                continue
            source = self.output / rel
            target = self.folder / rel
            if source.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(source), target)
            elif not is_file:
                target.mkdir(parents=True, exist_ok=True)
            else:
                self.reuse(rel)  # a file sitegen did not write: never ours to delete
        if clashes and not self.force:
            raise clash_error(sorted(clashes), self.output)
        self.replaced = sorted(clashes)


def commit_folder(output: Path) -> Path:
    return output.parent / f".{output.name}{COMMIT_MARK}"


def _flat_name(path: str) -> str | None:
    """`path` as one file name (`%` and `/` escaped), or None when that name is too long."""
    name = path.replace("%", "%25").replace("/", "%2F")
    return name if len(name.encode()) <= _FLAT_NAME_MAX else None


def _flat_path(name: str) -> str:
    """The path a `_flat_name` stands for (every `%` in it starts `%25` or `%2F`)."""
    return name.replace("%2F", "/").replace("%25", "%")


def _staged_files(folder: Path) -> Iterator[tuple[str, str]]:
    """(output path, file) of every file a delta staged in `folder`: those side by side in
    its `FLAT` folder, and those staged in folders (a long path, or a commit folder of an
    earlier sitegen)."""
    with os.scandir(folder) as it:
        entries = list(it)
    for entry in entries:
        if entry.name == FLAT:
            with os.scandir(entry.path) as flat:
                for item in flat:
                    yield _flat_path(item.name), item.path
        elif entry.name in (JOURNAL, MANIFEST):
            continue
        elif entry.is_dir(follow_symlinks=False):
            for rel, is_file in _output_entries(Path(entry.path)):
                if is_file:
                    yield f"{entry.name}/{rel}", os.path.join(entry.path, rel)
        else:
            yield entry.name, entry.path


def roll_forward(folder: Path, output: Path, spares: SparePool | None = None) -> None:
    """Carry out a delta commit: delete the files its journal names (first: one may stand where
    a new file needs a folder), move every file of `folder` into `output` (each move atomic;
    with `spares`, each file replaced is kept there first), put its manifest in place last,
    and remove it. Safe to run again from any point: what was moved is gone from `folder`,
    what was deleted stays deleted."""
    try:
        stale = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stale = []  # a commit folder is renamed into place only once its journal is written
    for rel in stale:
        _remove_with_empty_parents(output, rel)
    made: set[str] = set()
    for rel, staged in _staged_files(folder):
        target = os.path.join(output, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if spares is not None:
            spares.keep_replaced(target)
        os.replace(staged, target)
    with contextlib.suppress(FileNotFoundError):
        os.replace(folder / MANIFEST, output / MANIFEST)
    shutil.rmtree(folder, ignore_errors=True)


class DeltaOutput(OutputStrategy):
    """Stages only the files that change, then moves them into the output through a commit
    folder that the next build completes if this one is killed (see the module docstring).
    Unchanged files are not touched at all: their inode, bytes and modification time stay."""

    def __init__(
        self,
        output: Path,
        old: Manifest,
        new: Manifest,
        force: bool,
        spares: SparePool | None = None,
    ) -> None:
        super().__init__(output, old, new, force)
        self.folder = output.parent / f".{output.name}{STAGING_MARK}{os.getpid()}"
        self.spares = spares

    def start(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()
        (self.folder / FLAT).mkdir()

    keeps_in_place = True

    def keep(self, path: str) -> None:
        pass  # it stays where it is

    def reuse(self, path: str) -> bool:
        return os.path.isfile(os.path.join(self.output, path))

    def _staged(self, path: str) -> Path:
        """Where the file for `path` is staged: in `FLAT`, by its escaped path (a folder made
        for each page cost more than writing it), or, for a path too long for one name, in
        folders as in the output."""
        name = _flat_name(path)
        return self.folder / FLAT / name if name is not None else self.folder / path

    def put(self, path: str, data: bytes, had_old: bool) -> bool:
        target = self._staged(path)
        if self.spares is None or not self.spares.write(target, data):
            write_fresh(target, data)
        return True

    def put_copy(self, path: str, source: Path) -> None:
        target = self._staged(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def commit(self) -> None:
        self._check_clashes()
        stale = sorted(self.old.files.keys() - self.new.files.keys())
        write_fresh(self.folder / JOURNAL, json.dumps(stale).encode())
        write_fresh(self.folder / MANIFEST, self.new.chunks())
        pending = commit_folder(self.output)
        os.rename(self.folder, pending)  # from here on, the commit happens (now or next build)
        roll_forward(pending, self.output, self.spares)

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _only_ours(self, rel: str) -> bool:
        return all(
            is_file and f"{rel}/{sub}" in self.old.files
            for sub, is_file in _output_entries(self.output / rel)
        )

    def _check_clashes(self) -> None:
        """A new file where something sitegen did not write is (a file, a folder, or a file
        where a folder is needed): an error, or under --force removed and named."""
        clashes: list[str] = []
        for path in self.new.files.keys() - self.old.files.keys():
            parts = path.split("/")
            for i in range(1, len(parts) + 1):
                rel = "/".join(parts[:i])
                full = os.path.join(self.output, rel)
                last = i == len(parts)
                if not os.path.lexists(full):
                    break
                if rel in self.old.files:
                    break  # a file of ours, about to be replaced or deleted
                folder = os.path.isdir(full) and not os.path.islink(full)
                if folder and last and self._only_ours(rel):
                    break  # a folder of our stale files, deleted before the move
                if last or not folder:
                    clashes.append(rel)
                    break
        if clashes and not self.force:
            raise clash_error(sorted(clashes), self.output)
        for rel in clashes:
            full = self.output / rel
            if full.is_dir() and not full.is_symlink():
                shutil.rmtree(full)
            else:
                full.unlink()
        self.replaced = sorted(clashes)


class InPlaceOutput(OutputStrategy):
    """Updates the output folder where it is (the preview's own, which nobody deploys): changed
    files replace the old ones one by one, each atomically so the server never sends half a
    page; stale ones are deleted at commit. A rebuild costs what changed, not a copy of every
    folder of the site."""

    def start(self) -> None:
        self.output.mkdir(parents=True, exist_ok=True)
        # no manifest while files change: after a crash everything is rendered again
        (self.output / MANIFEST).unlink(missing_ok=True)

    def still_there(self, paths: Iterable[str]) -> set[str]:
        return set(paths)  # the preview's folder is trusted to hold what its manifest says

    keeps_in_place = True

    def keep(self, path: str) -> None:
        pass  # it is already where it belongs

    def reuse(self, path: str) -> bool:
        return (self.output / path).is_file()

    spares: SparePool | None = None  # where new bytes are written when it has a file for them

    def put(self, path: str, data: bytes, had_old: bool) -> bool:
        target = self.output / path
        if had_old and _same_bytes(target, data):  # e.g. the preview's first-page render
            return False
        if self.spares is None:
            replace_file(target, data)
            return True
        tmp = _beside(target)
        if not self.spares.write(tmp, data):
            write_fresh(tmp, data)
        if had_old:
            self.spares.keep_replaced(str(target))
        os.replace(tmp, target)
        return True

    def put_copy(self, path: str, source: Path) -> None:
        replace_file(self.output / path, source.read_bytes())

    # given by the preview: writing the manifest is handed to it, to be done once the pages are
    # told (until then there is none, as while files change)
    later: Callable[[Callable[[], None]], None] | None = None

    def commit(self) -> None:
        """Delete the files no longer planned, then write the manifest."""
        for rel in sorted(set(self.old.files) - set(self.new.files)):
            _remove_with_empty_parents(self.output, rel)
        manifest = self.new

        def write() -> None:
            replace_file(self.output / MANIFEST, manifest.dump())

        if self.later is None:
            write()
        else:
            self.later(write)

    def abort(self) -> None:
        # what is on disk now: this build's files where it got to them, the old ones elsewhere
        merged = Manifest({**self.old.files, **self.new.files}, True)
        replace_file(self.output / MANIFEST, merged.dump())


def manifest_build(output: Path) -> str | None:
    """The build id of the manifest in `output` (None: none there, or not read), from its
    last bytes alone (`Manifest.chunks` ends with it): a big site's manifest is tens of
    megabytes, and a build asks this before it knows whether it needs the rest."""
    try:
        with (output / MANIFEST).open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 256))
            tail = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    found = _BUILD_AT_END.search(tail)
    return found.group(1) if found else None


_BUILD_AT_END = re.compile(r'"build":"([0-9a-f]+)"\}\s*$')


def missing_outputs(output: Path) -> tuple[str, frozenset[str]]:
    """(the hash of the manifest in `output`, the files it names that the folder lacks), for
    `OutputWriter.expect_missing`: run apart from the build, before its writer exists."""
    old = Manifest.load(output) if output.is_dir() else Manifest()
    if not old.owned:
        return "", frozenset()
    return old.sha, frozenset(old.files.keys() - files_present(output, old.files))


class _AllBut:
    """The paths of `files` but the `missing` ones, without a set of all of them."""

    def __init__(self, files: Mapping[str, object], missing: frozenset[str]) -> None:
        self.files, self.missing = files, missing

    def __contains__(self, path: object) -> bool:
        return path in self.files and path not in self.missing


class OutputWriter:
    """Writes one build into `output` and makes it the output with `commit()`.

    It keeps the books: the previous build's manifest (`old`), this build's (`new`), what was
    written, kept and replaced. Its strategy places the bytes: staged beside the output and
    swapped in whole (`StagedOutput`), only the changed files staged and moved in
    (`DeltaOutput`, chosen by `start` when few change), or, with `in_place` (the preview's own
    folder), updated where it is (`InPlaceOutput`)."""

    def __init__(
        self,
        output: Path,
        force: bool = False,
        in_place: bool = False,
        last: Manifest | None = None,
        later: Callable[[Callable[[], None]], None] | None = None,
        spares: Path | None = None,
    ) -> None:
        """`last` and `later` are for a folder updated `in_place`, by one process: the manifest
        its last build left (instead of reading it back), and where to hand the writing of this
        build's manifest (see `InPlaceOutput.later`). `spares`: a folder for the spare files
        a build of few changes writes into (output/spares.py)."""
        self.output = output.resolve()
        self.spares = SparePool(spares, self.output) if spares is not None else None
        self.force = force
        self.in_place = in_place
        # Leftovers first: a killed fallback swap may have moved the output (and its manifest).
        cleanup_leftovers(self.output)
        if in_place and last is not None and self.output.is_dir():
            self.old = last
        else:
            self.old = Manifest.load(self.output) if self.output.is_dir() else Manifest()
        self.new = Manifest()
        strategy = InPlaceOutput if in_place else StagedOutput
        self._out: OutputStrategy = strategy(self.output, self.old, self.new, force)
        if in_place:
            self._out.later = later
            self._out.spares = self.spares
        self.written = 0  # files with new bytes
        self.kept = 0  # files whose bytes were unchanged
        self._started = False
        self._there: set[str] | _AllBut | None = None  # the last build's files still there

    @property
    def staging(self) -> Path:
        """Where this build's files are placed (the output itself when in place)."""
        return self._out.folder

    @property
    def replaced(self) -> list[str]:
        """Files sitegen did not write, replaced under --force (known after `commit`)."""
        return self._out.replaced

    def start(self, changes: int | None = None) -> None:
        """Begin placing files. `changes`: how many files this build will write or delete, if
        known; few of them (against the previous build) are staged as a delta."""
        if (
            not self.in_place
            and changes is not None
            and self.old.owned
            and changes <= DELTA_MAX_SHARE * len(self.old.files)
        ):
            self._out = DeltaOutput(self.output, self.old, self.new, self.force, self.spares)
        self._out.start()
        self._started = True

    def expect_missing(self, found: tuple[str, frozenset[str]]) -> None:
        """Take which of the previous build's files are gone from the output, as
        `missing_outputs` found them in another process while this one planned (a stat per
        file: a second and a half at 100,000 articles). Ignored when they were found for
        another manifest than this writer's, or for the preview's folder."""
        sha, missing = found
        if self._there is None and not self.in_place and self.old.owned and sha == self.old.sha:
            self._there = _AllBut(self.old.files, missing)

    def unchanged(self, path: str, fingerprint: str) -> bool:
        """True if `path` was rendered from the same inputs last time and is still there."""
        old = self.old.files.get(path)
        if not old or entry_fp(old) != fingerprint:
            return False
        there = self._there  # called for every page: the method only the first time
        return path in (there if there is not None else self._present())

    def unchanged_paths(self, files: Mapping[str, tuple[object, str]]) -> set[str]:
        """`unchanged` for each of `files` (path -> (source, fingerprint)) at once: the paths
        made from the same inputs last time and still there. A big site's search files are
        half a million (a call for each was a second of an edit at 500,000 articles)."""
        old, there = self.old.files, self._present()
        missing = there.missing if type(there) is _AllBut else None
        same: set[str] = set()
        add = same.add
        for path, (_, fp) in files.items():
            entry = old.get(path)
            if entry is None or entry_fp(entry) != fp:
                continue
            if path not in missing if missing is not None else path in there:
                add(path)
        return same

    def lacks_any(self, paths: Iterable[str]) -> bool:
        """Whether any of `paths` (files of the previous build) is gone from the output."""
        there = self._present()
        if type(there) is _AllBut:  # the usual answer: nothing missing, no pass over `paths`
            return bool(there.missing) and not there.missing.isdisjoint(paths)
        return any(path not in there for path in paths)

    def _present(self) -> set[str] | _AllBut:
        """The previous build's files still in the output, found once for every file at once
        (a folder of many is listed, not stat'ed), or as `expect_missing` was told."""
        if self._there is None:
            self._there = self._out.still_there(self.old.files)
        return self._there

    def keep(self, path: str) -> None:
        """Carry a file over from the previous build untouched."""
        self._out.keep(path)
        self.new.files[path] = self.old.files[path]
        self.kept += 1

    def keep_all(self, paths: Collection[str]) -> None:
        """`keep` each of `paths` (the pages and search files an edit leaves alone: a million
        at 500,000 articles), without a call for each where the files stay where they are."""
        if not self._out.keeps_in_place:
            for path in paths:
                self._out.keep(path)
        old = self.old.files
        self.new.files.update(zip(paths, map(old.__getitem__, paths), strict=True))
        self.kept += len(paths)

    def write(self, path: str, data: bytes, fingerprint: str = "") -> None:
        sha = sha1_bytes(data)
        old = self.old.files.get(path)
        self.new.files[path] = manifest_entry(sha, fingerprint)
        if old and entry_sha(old) == sha and self._out.reuse(path):
            self.kept += 1
        elif self._out.put(path, data, bool(old)):
            self.written += 1
        else:
            self.kept += 1

    def record(self, path: str, sha: str, fingerprint: str, wrote: bool) -> None:
        """Note a file a worker process already placed in the staging folder (with
        `write_fresh`, or as a hard link to the old output when unchanged)."""
        self.new.files[path] = manifest_entry(sha, fingerprint)
        if wrote:
            self.written += 1
        else:
            self.kept += 1

    def copy(self, path: str, source: Path, fingerprint: str) -> None:
        old = self.old.files.get(path)
        if old and entry_fp(old) == fingerprint and self._out.reuse(path):
            self.new.files[path] = old
            self.kept += 1
            return
        self._out.put_copy(path, source)
        self.new.files[path] = manifest_entry("", fingerprint)
        self.written += 1

    def removed(self) -> list[str]:
        return sorted(self.old.files.keys() - self.new.files.keys())

    def nothing_changed(self) -> bool:
        return self.written == 0 and not self.removed() and self.old.owned

    def commit(self) -> None:
        """Make this build the output (see the strategies)."""
        self._out.commit()
        self._started = False
        if self.spares is not None:
            self.spares.finish()
            self.spares.top_up(len(self.new.files))

    def abort(self) -> None:
        if self._started:
            self._out.abort()
            self._started = False
