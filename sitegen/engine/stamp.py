"""The build stamp: proof that nothing a build reads has changed since the last good build.

A build with the same inputs as the last one writes nothing, but finding that out the long way
means loading every article, planning every page and checking every fingerprint (seconds at
10,000 articles). The stamp short-cuts it: after a good build, `.sitegen/` keeps a digest of
every input (sitegen's code, the settings, the build's flags, and the size, time stamp and inode
of every file under content/, the theme, templates/, static/ and i18n/), the hash of the output
manifest, the next moment an article's visibility changes on its own (a future post coming due,
an expiry), and the build's warnings. When all of that still holds and every file of the
manifest is still in the output folder, the build is done: its warnings are shown again and
nothing is read or written. Any doubt (a file changed within the file system's time stamp
granularity, a damaged stamp) means a full build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from sitegen.config import SiteConfig
from sitegen.engine.keys import code_fingerprint
from sitegen.errors import Diagnostics, SiteError
from sitegen.fsutil import atomic_write, files_present, is_inside, sha1_bytes
from sitegen.output.writer import MANIFEST, commit_folder, missing_outputs

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future

    from sitegen.engine.executor import Parallelism

RACY_SECONDS = 3  # a file changed this close to the stamp may change again unseen (git's rule)


@dataclass
class Stamp:
    digest: str
    manifest_sha: str
    next_change: str | None  # ISO time when an article appears or expires by itself
    articles: int
    pages: int
    files: int
    warnings: list[list] = field(default_factory=list)  # [message, path, line, hint]


def _walk(
    root: Path,
    h: hashlib._Hash,
    newest: list[int],
    site: Path,
    stats: dict[str, tuple[int, int, int]] | None = None,
) -> None:
    """Every file below `root` into `h`, and into `stats` (its path below `root`,
    '/'-separated, as a content file's `rel` -> size, time stamp, inode) when given. A folder
    link is followed once and only inside the `site` (as the content reader does): links
    that form a cycle, or lead out of the site (`up -> ../../`), would make this walk
    endless or huge."""
    stack = [root]
    seen: set[tuple[int, int]] = set()
    below = len(str(root)) + 1  # where a path below `root` starts in `entry.path`
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            h.update(b"?" + os.fsencode(folder))
            continue
        if (st.st_dev, st.st_ino) in seen:
            h.update(b"@" + os.fsencode(folder))
            continue
        seen.add((st.st_dev, st.st_ino))
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError:
                h.update(b"?" + os.fsencode(entry.path))  # a dangling link or a link loop
                continue
            if entry.is_dir(follow_symlinks=True):
                if entry.name in (".sitegen", "__pycache__", ".git"):
                    continue
                if entry.is_symlink() and not is_inside(Path(entry.path), site):
                    h.update(b">" + os.fsencode(entry.path))  # not read by the build either
                    continue
                stack.append(Path(entry.path))
                continue
            # the name as bytes: a file name need not be UTF-8 (the build says so, this must not fail)
            name = os.fsencode(entry.path)
            h.update(name + f"\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
            newest[0] = max(newest[0], st.st_mtime_ns)
            if stats is not None:
                rel = entry.path[below:]
                stats[rel if os.sep == "/" else rel.replace(os.sep, "/")] = (
                    st.st_size,
                    st.st_mtime_ns,
                    st.st_ino,
                )


def input_digest(
    config: SiteConfig, flags: tuple, stats: dict[str, tuple[int, int, int]] | None = None
) -> tuple[str, int]:
    """(digest of everything a build reads, newest time stamp among the files, in ns). The
    content files' stat keys go into `stats` when given: the article loader needs them next,
    and a second stat of every file cost a tenth of a second at 10,000 articles. They are keyed
    by the files' paths below the content folder, as the loader knows them (`SourceFile.rel`):
    making each file's whole path a string again cost it more than the lookup."""
    h = hashlib.sha1(
        "\0".join(
            (
                code_fingerprint(),
                config.output_fingerprint(),
                str(config.root.resolve()),
                repr(flags),
                os.environ.get("SOURCE_DATE_EPOCH", ""),
            )
        ).encode()
    )
    newest = [0]
    roots = [
        config.content_path,
        config.theme_path(),
        config.path(config.templates_dir),
        config.path(config.static_dir),
        config.root / "i18n",
        config.root / "themes",
    ]
    content = config.content_path.resolve()
    for root in dict.fromkeys(r.resolve() for r in roots):
        h.update(b"\x01" + str(root).encode())
        if root.is_dir():
            _walk(root, h, newest, config.root, stats if root == content else None)
    return h.hexdigest(), newest[0]


def stamp_path(config: SiteConfig, output: Path) -> Path:
    return config.cache_path / f"stamp-{sha1_bytes(str(output).encode())[:12]}.json"


def load_stamp(path: Path) -> Stamp | None:
    try:
        return Stamp(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # none yet, or damaged: a full build makes a new one


def presence_beside(
    parallel: Parallelism,
    output: Path,
    files: int,
    minimum: int,
    later: Callable[[Callable[[], None]], None],
) -> Future[tuple[str, frozenset[str]]] | None:
    """`missing_outputs(output)` under way in a forked process while this one goes on (the
    walk over the inputs, or loading: a stat of each of `files` output files takes about as
    long); None where they are fewer than `minimum` or there is one core, and the output is
    looked at here when needed. `later` is handed the wait for the process."""
    if not parallel.worth(files, minimum):
        return None
    from sitegen.engine.executor import beside  # not imported by a build with nothing to do

    with beside(parallel, files, minimum, later) as apart:
        return apart.submit(missing_outputs, output)


def output_intact(
    output: Path, manifest_sha: str, presence: Future[tuple[str, frozenset[str]]] | None = None
) -> bool:
    """The output folder is as the last build left it: same manifest, every file present, no
    commit cut off half way. `presence`: `missing_outputs` of the folder, under way in another
    process (else the files are looked for here)."""
    if os.path.lexists(commit_folder(output)):
        return False
    if presence is not None:
        try:
            sha, missing = presence.result()
        except Exception:  # noqa: BLE001 - not found there: looked for here
            pass
        else:
            return sha == manifest_sha and not missing
    try:
        data = (output / MANIFEST).read_bytes()
    except OSError:
        return False
    if sha1_bytes(data) != manifest_sha:
        return False
    try:
        files = orjson.loads(data).get("files", {})
    except (ValueError, AttributeError):
        return False
    # a stat per file, but one listing of a folder of many (not a walk of every folder)
    return len(files_present(output, files)) == len(files)


def still_valid(
    stamp: Stamp | None,
    digest: str,
    output: Path,
    now: dt.datetime,
    presence: Future[tuple[str, frozenset[str]]] | None = None,
) -> bool:
    if stamp is None or stamp.digest != digest:
        return False
    if stamp.next_change is not None and now >= dt.datetime.fromisoformat(stamp.next_change):
        return False
    return output_intact(output, stamp.manifest_sha, presence)


def replay(stamp: Stamp, diag: Diagnostics) -> None:
    for message, path, line, hint in stamp.warnings:
        diag.warn(message, path, line, hint)


def save_stamp(
    path: Path,
    digest: str,
    newest_ns: int,
    output: Path,
    next_change: dt.datetime | None,
    counts: tuple[int, int, int],
    warnings: list[SiteError],
) -> None:
    """Record a good build, unless an input changed so recently that a later change within the
    same time stamp tick could go unseen (then the next build simply does the full work)."""
    if newest_ns > time.time_ns() - RACY_SECONDS * 1_000_000_000:
        path.unlink(missing_ok=True)
        return
    try:
        manifest_sha = sha1_bytes((output / MANIFEST).read_bytes())
    except OSError:
        return
    stamp = Stamp(
        digest,
        manifest_sha,
        next_change.isoformat() if next_change else None,
        *counts,
        warnings=[[w.message, str(w.path) if w.path else None, w.line, w.hint] for w in warnings],
    )
    with contextlib.suppress(OSError):  # without a stamp the next build does the full work
        atomic_write(path, json.dumps(asdict(stamp)).encode())
