"""The output folder is sitegen's alone, and it changes all at once or not at all.

A build is staged in a sibling folder (`.<name>.sitegen-staging-<pid>`): files whose bytes did
not change are hard links to the old ones (so their modification time stays, and rsync or a
CDN sends only what changed), new bytes are written fresh, files sitegen did not write are
carried over, and files it wrote before but no longer plans are dropped. Then the staged
folder is exchanged with the output in one atomic rename (Linux renameat2 RENAME_EXCHANGE;
elsewhere two renames with recovery). A build that is killed or fails leaves the old output.

A manifest (`.sitegen-manifest.json` inside the output) records each file sitegen wrote with
its hash and the fingerprint of what it was rendered from, and marks the folder as ours.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.fsutil import sha1_bytes

MANIFEST = ".sitegen-manifest.json"
STAGING_MARK = ".sitegen-staging-"
OLD_MARK = ".sitegen-old-"


@dataclass
class Manifest:
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> {sha, fp}
    owned: bool = False

    @classmethod
    def load(cls, output: Path) -> Manifest:
        try:
            data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
            return cls(data.get("files", {}), True)
        except (OSError, ValueError, AttributeError):
            return cls()

    def dump(self) -> bytes:
        data = {"generator": "sitegen", "files": dict(sorted(self.files.items()))}
        return (json.dumps(data, indent=0, sort_keys=True) + "\n").encode()


def check_output_folder(output: Path, root: Path, protected: list[Path], force: bool) -> None:
    """Refuse output folders where a build could destroy a person's files."""
    out = output.resolve()
    site = root.resolve()
    if out == site or site.is_relative_to(out):
        raise SiteError(f"output folder {output} is the site folder or contains it",
                        hint="use a folder of its own such as build/")
    for folder in protected:
        if out == folder.resolve() or out.is_relative_to(folder.resolve()):
            raise SiteError(f"output folder {output} is inside {folder.name}/, which holds your sources",
                            hint="use a folder of its own such as build/")
    if out.exists() and not out.is_dir():
        raise SiteError(f"output path {output} exists and is not a folder")
    if out.is_dir() and not (out / MANIFEST).exists() and any(out.iterdir()) and not force:
        raise SiteError(
            f"output folder {output} is not empty and was not made by sitegen; nothing was changed",
            hint="choose an empty folder, or pass --force to build into it (its files are kept)")


def cleanup_leftovers(output: Path) -> None:
    """Remove staging folders of builds that were killed, and recover a half-finished swap."""
    parent = output.parent
    if not parent.is_dir():
        return
    prefix_stage = f".{output.name}{STAGING_MARK}"
    prefix_old = f".{output.name}{OLD_MARK}"
    for entry in parent.iterdir():
        if entry.name.startswith(prefix_old) and not output.exists():
            os.rename(entry, output)  # killed between the two renames of the fallback swap
        elif entry.name.startswith((prefix_stage, prefix_old)):
            shutil.rmtree(entry, ignore_errors=True)


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
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP if hasattr(errno, "ENOTSUP") else 95):
        return False
    raise OSError(err, os.strerror(err), str(a))


class OutputWriter:
    """Stages one build beside `output` and swaps it in with `commit()`."""

    def __init__(self, output: Path) -> None:
        self.output = output.resolve()
        self.old = Manifest.load(self.output) if self.output.is_dir() else Manifest()
        self.new = Manifest()
        self.staging = self.output.parent / f".{self.output.name}{STAGING_MARK}{os.getpid()}"
        self.written = 0  # files with new bytes
        self.kept = 0  # files whose bytes were unchanged
        self._started = False

    def start(self) -> None:
        cleanup_leftovers(self.output)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        self._started = True

    def unchanged(self, path: str, fingerprint: str) -> bool:
        """True if `path` was rendered from the same inputs last time and is still there."""
        old = self.old.files.get(path)
        return bool(old and old.get("fp") == fingerprint and (self.output / path).is_file())

    def keep(self, path: str) -> None:
        """Carry a file over from the previous build untouched."""
        self._link_old(path)
        self.new.files[path] = self.old.files[path]
        self.kept += 1

    def write(self, path: str, data: bytes, fingerprint: str = "") -> None:
        sha = sha1_bytes(data)
        old = self.old.files.get(path)
        self.new.files[path] = {"sha": sha, "fp": fingerprint}
        if old and old.get("sha") == sha and self._link_old(path):
            self.kept += 1
            return
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
        self.written += 1

    def record(self, path: str, sha: str, fingerprint: str, wrote: bool) -> None:
        """Note a file a worker process already placed in the staging folder."""
        self.new.files[path] = {"sha": sha, "fp": fingerprint}
        if wrote:
            self.written += 1
        else:
            self.kept += 1

    def copy(self, path: str, source: Path, fingerprint: str) -> None:
        old = self.old.files.get(path)
        if old and old.get("fp") == fingerprint and self._link_old(path):
            self.new.files[path] = old
            self.kept += 1
            return
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.new.files[path] = {"sha": "", "fp": fingerprint}
        self.written += 1

    def _link_old(self, path: str) -> bool:
        source = self.output / path
        if not source.is_file():
            return False
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            return True
        except OSError:
            shutil.copy2(source, target)
        return True

    def removed(self) -> list[str]:
        return sorted(set(self.old.files) - set(self.new.files))

    def nothing_changed(self) -> bool:
        return self.written == 0 and not self.removed() and self.old.owned

    def commit(self) -> None:
        """Carry over foreign files, write the manifest, and swap the staged build in."""
        if self.output.is_dir():
            for here, _dirs, files in os.walk(self.output):
                rel_dir = Path(here).relative_to(self.output)
                for name in files:
                    rel = (rel_dir / name).as_posix()
                    if rel == MANIFEST or rel in self.old.files or rel in self.new.files:
                        continue
                    self._link_old(rel)  # a file sitegen did not write: never ours to delete
        (self.staging / MANIFEST).write_bytes(self.new.dump())
        if not self.output.exists():
            os.rename(self.staging, self.output)
        elif _exchange(self.staging, self.output):
            shutil.rmtree(self.staging, ignore_errors=True)
        else:
            old = self.output.parent / f".{self.output.name}{OLD_MARK}{os.getpid()}"
            os.rename(self.output, old)
            os.rename(self.staging, self.output)
            shutil.rmtree(old, ignore_errors=True)
        self._started = False

    def abort(self) -> None:
        if self._started:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._started = False
