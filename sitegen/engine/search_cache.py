"""The search index kept between builds: Site -> {output path: (bytes, sha1)} for build.py.

The I/O around site/search.py (which is pure): the `SearchIndex` lives in
`.sitegen/search-state.marshal`, keyed by sitegen's code hash and the settings the files depend
on, so an edit redoes only the edited article's document, the shards whose terms it changed
and the manifest; every other file keeps its bytes (and so its fingerprint: the writer leaves
it alone). Those unchanged files come as functions that make their bytes again, called only
when the output folder lacks them, so the cache never holds the documents' text. A damaged
file costs one warning and a rebuild of the index.

Each article's term counts, which an edit needs only for the articles it changed, are rows of
`.sitegen/search-counts.sqlite` under a digest of the cache key and the article's index key,
not part of that file: reading and writing every article's counts on every build was most of
its bytes and memory. A row missing or from another version is only worked out again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from sitegen.engine.blobcache import damaged, read_blob, write_blob
from sitegen.engine.cache import cache_key, open_cache_db, rows_in
from sitegen.errors import Diagnostics
from sitegen.heap import pauses_collector
from sitegen.site.model import Site
from sitegen.site.search import Counts, Files, SearchIndex

INDEX_FILE = "search-state.marshal"  # not the old search-index.marshal: another format
COUNTS_FILE = "search-counts.sqlite"


class StoredCounts:
    """Articles' term counts, one row each: rel -> (digest of the cache key and the article's
    index key, terms, counts). Any database error reads as "not kept" and skips writing."""

    def __init__(self, path: Path | None, key: str, diag: Diagnostics) -> None:
        self.key = key
        self._db = open_cache_db(
            path, "counts (rel TEXT PRIMARY KEY, version TEXT, terms TEXT, counts BLOB)", diag.warn
        )

    def _version(self, article_key: str) -> str:
        return hashlib.sha1(f"{self.key}\0{article_key}".encode()).hexdigest()

    def get(self, wanted: dict[str, str]) -> dict[str, Counts]:
        """{rel: index key} -> {rel: counts} for the rels kept under that key."""
        found: dict[str, Counts] = {}
        if self._db is None:
            return found
        query = "SELECT rel, version, terms, counts FROM counts WHERE rel IN ({marks})"
        for _, rows in rows_in(self._db, query, list(wanted)):
            if rows is None:
                return {}
            for rel, version, terms, counts in rows:
                if version == self._version(wanted[rel]) and isinstance(counts, bytes):
                    found[rel] = (terms, counts)
        return found

    def put(self, fresh: dict[str, tuple[str, Counts]], dropped: list[str]) -> None:
        if self._db is None or not (fresh or dropped):
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO counts VALUES (?, ?, ?, ?)",
                    [(rel, self._version(k), t, c) for rel, (k, (t, c)) in fresh.items()],
                )
                self._db.executemany("DELETE FROM counts WHERE rel = ?", [(r,) for r in dropped])
        except sqlite3.DatabaseError:
            pass  # not kept: the next edit of these articles works their counts out again

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


@pauses_collector
def search_outputs(site: Site, cache_dir: Path | None, diag: Diagnostics) -> Files:
    """Every file of the search index: output path -> (bytes, or a function that makes them,
    for a file unchanged since the last build; fingerprint), the same as a build without
    caches would give."""
    key = cache_key("search", site.config.date_format)
    path = cache_dir / INDEX_FILE if cache_dir else None
    counts = StoredCounts(cache_dir / COUNTS_FILE if cache_dir else None, key, diag)
    try:
        data = read_blob(path, key, diag)
        files = None
        if data is not None:
            try:
                index = SearchIndex.from_data(data)
                files = index.update(site, key, counts.get)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                damaged(path, diag)  # readable, but not an index this code made
        if files is None:
            index = SearchIndex()
            files = index.update(site, key, counts.get)
        counts.put(index.fresh, index.dropped)
        index.fresh = {}  # kept now: not held for the rest of the build
        if index.changed or data is None:
            write_blob(path, key, index.to_data())
    finally:
        counts.close()
    return files
