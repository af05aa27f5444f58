"""Every key in sitegen is made here (`cache_key`), from the hash of sitegen's own code and
what the entry depends on, so an edited or upgraded sitegen never serves what its old code
made. Apart from the caches themselves: the check that nothing changed since the last build
(engine/stamp.py) needs the code's hash and nothing else of the engine.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from pathlib import Path

from sitegen import __version__

PACKAGE = Path(__file__).resolve().parent.parent  # sitegen/, the shipped theme included


def package_fingerprint(root: Path) -> str:
    """A hash of every file below `root` (code, templates, theme files), by path and bytes."""
    h = hashlib.sha1()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        with contextlib.suppress(OSError):  # a file gone since: its name still counts
            h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """sitegen's version and its whole package, theme included. Every cache key and page
    fingerprint is made through it (via `cache_key`), so an edited or upgraded sitegen never
    serves what its old code made, and nobody has to remember to bump a version."""
    return hashlib.sha1(f"{__version__}:{package_fingerprint(PACKAGE)}".encode()).hexdigest()


def cache_key(kind: str, *parts: object) -> str:
    """The key of one cache entry of `kind`: sitegen's code plus everything it depends on."""
    h = hashlib.sha1(f"{kind}\0{code_fingerprint()}".encode())
    for part in parts:
        h.update(b"\0" + str(part).encode())
    return h.hexdigest()
