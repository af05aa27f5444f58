"""The preview's folder started from `sitegen build`'s output instead of from nothing.

The preview builds into a folder of its own (`.sitegen/preview/`), so the first `sitegen serve`
of a site rendered every page again, even where `build/` held them all: 100 s before a
100,000-article archive answered. Both folders hold what the same inputs make (the preview
adds its reload script when it serves a page, not in the file), so the preview folder is
started with hard links to the files `build/`'s manifest names, and that manifest; its first
build then fingerprints every page as always and writes only what differs (drafts, pages of
other settings), and deletes what it does not plan.

A link shares the file, never its future: neither folder is ever written through (each new
version of a file is a new file renamed over the old: output/writer.py `write_fresh`,
`replace_file`), and the spare-file pool takes no file with a second link (output/spares.py).
Hugo's server copies nothing: it renders the whole site into memory before it answers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from sitegen.output.writer import MANIFEST, Manifest, manifest_build, pid_alive


def seed_from(folder: Path, donor: Path) -> int:
    """Fill `folder` (absent or empty: a folder sitegen updates in place) with hard links to
    the files `donor`'s manifest names, and a manifest of them; how many were linked. Nothing
    is done (0) when `folder` has anything in it, `donor` holds no manifest of sitegen's, the
    two are on different file systems, or a build replaced `donor` meanwhile: the preview's
    first build then renders every page, as it did."""
    try:
        if any(folder.iterdir()):
            return 0
    except FileNotFoundError:
        pass
    except OSError:
        return 0
    build = manifest_build(donor)
    if build is None:
        return 0
    manifest = Manifest.load(donor)
    if not manifest.owned:
        return 0
    donor = donor.resolve()
    _clear_leftovers(folder)
    part = folder.parent / f"{_SEEDING.format(folder.name)}{os.getpid()}"
    shutil.rmtree(part, ignore_errors=True)
    try:
        part.mkdir(parents=True)
        linked = _link_all(manifest.files, donor, part)
        # a `sitegen build` that swapped in its output meanwhile: the files may be of two builds
        if linked is None or manifest_build(donor) != build:
            return 0
        with open(part / MANIFEST, "xb") as fh:
            fh.writelines(Manifest(linked, True).chunks())
        with contextlib.suppress(FileNotFoundError):
            folder.rmdir()  # empty, as checked
        os.rename(part, folder)
        return len(linked)
    except OSError:
        return 0
    finally:
        shutil.rmtree(part, ignore_errors=True)


_SEEDING = ".{}.seeding."  # the folder being filled, beside it, ends with the process's id


def _clear_leftovers(folder: Path) -> None:
    """Remove the folders a process killed while filling `folder` left beside it."""
    prefix = _SEEDING.format(folder.name)
    try:
        with os.scandir(folder.parent) as entries:
            found = [e for e in entries if e.name.startswith(prefix) and e.is_dir()]
    except OSError:
        return
    for entry in found:
        pid = entry.name[len(prefix) :]
        if pid.isdigit() and not entry.is_symlink() and not pid_alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


def _link_all(files: dict[str, str], donor: Path, part: Path) -> dict[str, str] | None:
    """Link each of `files` (output path -> manifest entry) from `donor` into `part`; the
    entries linked. Only regular files in real folders of `donor` are taken (a link there
    could lead anywhere). None when a link cannot be made (another file system): copying a big
    site's files would cost about what rendering them does."""
    linked: dict[str, str] = {}
    folders: dict[str, bool] = {"": True}  # folder below `donor` -> a real folder, made in `part`
    for path, entry in files.items():
        # a split, not a PurePosixPath: this runs for every file of the site
        if (
            not path
            or path[0] == "/"
            or ".." in path.split("/")
            or "\0" in path
            or path == MANIFEST
        ):
            continue  # not a path below the folder: a damaged manifest
        if not _folder(os.path.dirname(path), donor, part, folders):
            continue
        source = os.path.join(donor, path)
        try:
            if not S_ISREG(os.lstat(source).st_mode):
                continue  # not a file of ours: rendered by the build
            os.link(source, os.path.join(part, path), follow_symlinks=False)
        except FileNotFoundError:
            continue  # gone: rendered by the build
        except OSError:
            return None
        linked[path] = entry
    return linked


def _folder(rel: str, donor: Path, part: Path, folders: dict[str, bool]) -> bool:
    """Whether `rel` is a real folder of `donor` (it and every folder above it), made in
    `part` as well; each folder is looked at once."""
    known = folders.get(rel)
    if known is not None:
        return known
    ok = _folder(os.path.dirname(rel), donor, part, folders)
    if ok:
        try:
            ok = S_ISDIR(os.lstat(os.path.join(donor, rel)).st_mode)
        except OSError:
            ok = False
        if ok:
            os.mkdir(os.path.join(part, rel))
    folders[rel] = ok
    return ok


if __name__ == "__main__":  # the preview runs it in a process of its own (serve/rebuild.py)
    print(seed_from(Path(sys.argv[1]), Path(sys.argv[2])))
