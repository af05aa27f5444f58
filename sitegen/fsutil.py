"""Small filesystem primitives shared by the stages that write: atomic file writes, hashing,
which files of a folder are there."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def sha1_bytes(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so a reader sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# pathlib's own way to a folder's entry by a name from its listing (what its glob uses), where
# the Python has it: `folder / name` parses the name as a path, a tenth of a second of every
# build at 100,000 articles
_CHILD = getattr(Path, "_make_child_relpath", None)


NOT_UTF8_NAME = "file name is not valid UTF-8; left out"
NOT_UTF8_HINT = "rename it in UTF-8: the output's paths and addresses are made of its name"


def is_utf8(name: str) -> bool:
    """Whether a file name as the system gave it is UTF-8, as every URL and output path must
    be: the bytes of one that is not come as lone surrogates, which nothing can write."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_path(path: Path | str) -> str:
    """`path` as a message can print it: the bytes of a name that is not UTF-8 as `\\xe9`
    (printing the name itself fails)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def child(folder: Path, name: str) -> Path:
    """`folder / name` for `name` as a folder listing gives it (no separator, not "." or "..")."""
    return _CHILD(folder, name) if _CHILD is not None else folder / name


def from_site(path: Path | str, root: Path) -> str:
    """`path` as messages name a file: from the site's folder (`static/a.png`) when it is
    below it, else whole."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def is_inside(path: Path, folder: Path) -> bool:
    """Whether `path`, its links followed, lies in `folder`. A link loop leads nowhere: not
    inside (Python before 3.13 raises RuntimeError for it, later ones OSError)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, RuntimeError, OSError):
        return False
    return True


def files_present(root: str | os.PathLike, paths: Iterable[str], listed: int = 16) -> set[str]:
    """Which of `paths` ('/'-separated, relative to `root`) are files there. A folder asked
    about `listed` files or more is read once, its entries' types coming with the listing (the
    search index's 10,000 documents are one folder); any other file is asked about alone."""
    top = os.fspath(root)
    by_folder: dict[str, list[str]] = {}
    for path in paths:
        by_folder.setdefault(path.rpartition("/")[0], []).append(path)
    present: set[str] = set()
    for folder, group in by_folder.items():
        if len(group) < listed:
            present.update(p for p in group if os.path.isfile(os.path.join(top, p)))
            continue
        try:
            with os.scandir(os.path.join(top, folder)) as entries:
                names = {e.name for e in entries if e.is_file()}
        except OSError:
            continue
        present.update(p for p in group if p.rpartition("/")[2] in names)
    return present
