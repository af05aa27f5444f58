"""The search index kept between builds: Site -> {output path: (bytes, sha1)} for the
pipeline (pipeline/steps.py).

The I/O around site/search.py (which is pure): the `SearchIndex` lives in
`.sitegen/search-state.marshal` (and what changed since it was written beside it:
engine/journal.py), keyed by sitegen's code hash and the settings the files depend on, so an
edit redoes only the edited article's document, the shards whose terms it changed and the
manifest; every other file keeps its bytes (and so its fingerprint: the writer leaves
it alone). Those unchanged files come as functions that make their bytes again, called only
when the output folder lacks them, so the cache never holds the documents' text. A damaged
file costs one warning and a rebuild of the index.

Each article's term counts, which an edit needs only for the articles it changed, are rows of
`.sitegen/search-counts.sqlite` under a digest of the cache key and the article's index key,
not part of that file: reading and writing every article's counts on every build was most of
its bytes and memory. A row missing or from another version is only worked out again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from sitegen.engine.blobcache import NOT_AN_INDEX
from sitegen.engine.cache import StoredCounts
from sitegen.engine.journal import (
    Journal,
    kept_and_updated,
    read_kept,
    write_and_follow,
    write_kept,
)
from sitegen.engine.keys import cache_key
from sitegen.errors import Diagnostics, SiteError
from sitegen.heap import pauses_collector
from sitegen.site.model import Site
from sitegen.site.search import Files, SearchIndex, Untouched

INDEX_FILE = "search-state.marshal"  # not the old search-index.marshal: another format
COUNTS_FILE = "search-counts.sqlite"


@pauses_collector
def search_outputs(
    site: Site,
    cache_dir: Path | None,
    diag: Diagnostics,
    kept: KeptSearch | None = None,
    later: Callable[[Callable[[], None]], None] | None = None,
    output: Path | None = None,
    untouched: Untouched | None = None,
) -> Files:
    """Every file of the search index: output path -> (a function giving its bytes: read back
    from the spool for a new file, made again for one unchanged since the last build;
    fingerprint), the same as a build without caches would give. With `kept` (the preview's),
    the index is taken from and left in memory, and written to its file only by `kept.save`.
    With `later` (the build's waits for its end), the index file is written by a thread while
    the build goes on (tens of megabytes at 10,000 articles: a twentieth of a second of an
    edit's build, mostly spent in the kernel), and `later` is handed the wait for it. With
    `output` (the folder the build writes), unchanged shards it lacks are made while the index
    is in memory (`_spool_lacking`). `untouched`: the articles the update may take as the
    index last saw them (`SearchIndex.update`)."""
    key = cache_key("search", site.config.date_format)
    path = cache_dir / INDEX_FILE if cache_dir else None
    try:
        spool = _Spool(cache_dir)
    except OSError:  # a cache folder that cannot be written: the system's temporary folder
        spool = _Spool(None)
    counts = StoredCounts(cache_dir / COUNTS_FILE if cache_dir else None, key, diag.warn)
    # the preview's index from its last build, and what its file holds (engine/journal.py)
    held, journal = kept.take(key, path) if kept is not None else (None, None)
    # unchanged shards from the file, not from an index held for the rest of the build
    shards = _Shards(path, key) if kept is None and path is not None else None

    def put(fresh: dict) -> None:
        counts.put(fresh, [])

    keep = put if counts.usable else None  # else the counts are held: nowhere to read them from
    try:
        index, files, was_kept = None, {}, False
        if held is not None:
            try:
                index, files, was_kept = (
                    held,
                    held.update(site, key, counts.get, spool.hold, keep, untouched=untouched),
                    True,
                )
            except NOT_AN_INDEX:
                index = None  # not trusted after a failed update: the file's is read instead
        if index is None:
            index, files, journal = kept_and_updated(
                path,
                key,
                diag,
                SearchIndex.from_data,
                SearchIndex,
                lambda index: index.update(
                    site,
                    key,
                    counts.get,
                    spool.hold,
                    keep,
                    shards.remake if shards else None,
                    untouched,
                ),
            )
            was_kept = journal is not None
        # a build that has failed already (a content file it could not read is left out, and
        # every later article's number moves) leaves the index and the counts as the last
        # good build kept them: the build after the file is mended would otherwise number
        # every article back, which is the whole index made again (seconds at 100,000
        # articles), and find the counts of an article edited since replaced by the new ones
        failed = bool(diag.errors)
        if not failed:
            counts.put(index.fresh, index.dropped)
        index.fresh = {}  # kept now: not held for the rest of the build
        if shards is not None and output is not None:
            _spool_lacking(index, files, output, spool)
        if kept is not None:
            if not failed:  # else the next build reads the file, which the last good one saved
                kept.hold(key, path, index, index.changed or not was_kept, journal)
        elif not failed and (not was_kept or index.changed):
            if shards is not None:
                shards.index = index  # until the file holds it
            if later is None:
                _write_index(path, key, index.to_data(), journal, shards)
            else:
                later(_in_thread(_write_index, path, key, index.to_data(), journal, shards))
    finally:
        counts.close()
    return files


def _spool_lacking(index: SearchIndex, files: Files, output: Path, spool: _Spool) -> None:
    """When the output has no search index (a build into an empty folder, with the caches
    kept: a CI runner that restores `.sitegen/`), the unchanged shards are made now from the
    index in memory and spooled. Made when the writer asks for them, the first would read the
    index back from its file (as large again as the index in memory) near the end of the
    build, when it holds the most. A shard whose bytes are not what its fingerprint says is
    left to be made from the file (which then says what went wrong)."""
    if _there(output / "search" / "manifest.js"):  # a shard lost by hand: made from the file
        return
    redone = set(index.redone)
    for name, (terms, fp) in index.shards.items():
        path = f"search/s/{name}.js"
        if path in redone or path not in files or _there(output / path):
            continue
        data = index.shard_file(name, terms)
        if hashlib.sha1(data).hexdigest() == fp:
            files[path] = (spool.hold(data), fp)


def _there(path: Path) -> bool:
    """Whether `path` exists; a folder that cannot be read counts as holding it (the writer
    says what is wrong with it)."""
    try:
        return path.exists()
    except OSError:
        return True


def _write_index(
    path: Path | None, key: str, data: tuple, journal: Journal | None, shards: _Shards | None
) -> None:
    """Write the index's file; the unchanged shards are made from the file once it holds it
    (the index in memory is let go then), from the index as long as it cannot be written."""
    if write_kept(path, key, data, journal) and shards is not None:
        shards.index = None


def _in_thread(work: Callable[..., None], *args: object) -> Callable[[], None]:
    """Start `work(*args)` in a thread; what waits for it to end, raising what it raised."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work(*args)
        except BaseException as exc:  # noqa: BLE001 - raised again by the wait
            failed.append(exc)

    thread = threading.Thread(target=run, name="sitegen-search-index", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return wait


class _Shards:
    """Unchanged shards made again, which happens only when the output folder lacks one, from
    the index file as this build read or wrote it: the build does not hold the index for that
    (about 2 KB an article). Until the file is known to be current, and if it cannot be
    written, the index in memory is used."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        self.index: SearchIndex | None = None

    def remake(self, name: str, terms: tuple[str, ...], fingerprint: str) -> Callable[[], bytes]:
        return functools.partial(self._shard, name, terms, fingerprint)

    def _shard(self, name: str, terms: tuple[str, ...], fingerprint: str) -> bytes:
        index = self.index  # the one in memory until the file holds it (another thread's)
        if index is None:
            data = read_kept(self.path, self.key, Diagnostics())[0]
            try:
                index = self.index = SearchIndex.from_data(data) if data is not None else None
            except ValueError:
                index = self.index = None
        try:
            data = index.shard_file(name, terms) if index is not None else b""
        except NOT_AN_INDEX:
            data = b""
        if hashlib.sha1(data).hexdigest() != fingerprint:
            raise SiteError(
                "the search index file changed while this build ran",
                self.path,
                hint="another build of this site ran at the same time; build again",
            )
        return data


class KeptSearch:
    """The preview's search index between its builds: taken instead of reading the index file
    (tens of megabytes at 10,000 articles), and written to it by `save` once the browser has
    been told of a build, so a rebuild neither reads nor writes it. An index is handed out
    once and held again only after a whole update."""

    def __init__(self) -> None:
        self._key = ""
        self._path: Path | None = None
        self._index: SearchIndex | None = None
        self._unsaved = False
        # what the files hold, for `save` to write only what changed since (engine/journal.py)
        self._journal: Journal | None = None
        # the fingerprint of the search manifest of the index the last build left here ("":
        # that build left none): the preview's `Untouched` names it (pipeline/steps.py)
        self.manifest = ""

    def take(self, key: str, path: Path | None) -> tuple[SearchIndex | None, Journal | None]:
        """The index held for `key` and `path` (None if none) and the journal of its file."""
        index = self._index if (key, path) == (self._key, self._path) else None
        self._index = None
        self.manifest = ""  # until this build holds its index
        self._unsaved = self._unsaved and index is not None  # what it has not written yet
        return index, self._journal if index is not None else None

    def hold(
        self,
        key: str,
        path: Path | None,
        index: SearchIndex,
        changed: bool,
        journal: Journal | None,
    ) -> None:
        """Hold `index` until the next build; `journal`: what its file holds (None: no file
        this index was read from, so `save` writes it whole)."""
        self._key, self._path, self._index, self._journal = key, path, index, journal
        self._unsaved = self._unsaved or changed
        self.manifest = index.manifest_fp

    def save(self) -> None:
        """Write the held index to its file if a build changed it since it was last written."""
        if self._index is not None and self._unsaved:
            self._journal = write_and_follow(
                self._path, self._key, self._index.to_data(), self._journal
            )
            self._unsaved = False


class _Spool:
    """New search files' bytes kept in an unnamed file (in the cache folder: on disk, not in a
    memory-backed /tmp) from when they are made until the writer takes them: on a new site
    they are about 5 KB an article, which would otherwise be held through planning. The file
    goes when the last function reading from it does (or when the process ends)."""

    def __init__(self, folder: Path | None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - lives as long as its readers
        self._end = 0
        self._unflushed = False

    def hold(self, data: bytes) -> Callable[[], bytes]:
        offset = self._end
        self._file.write(data)
        self._end += len(data)
        self._unflushed = True
        return functools.partial(self._read, offset, len(data))

    def _read(self, offset: int, length: int) -> bytes:
        if self._unflushed:
            self._file.flush()
            self._unflushed = False
        data = os.pread(self._file.fileno(), length, offset)
        if len(data) != length:
            raise OSError(f"the search files' spool lost bytes at {offset}")
        return data
