"""Loading content files fast: a persistent cache of parsed articles, and a parallel cold load.

A content file whose (size, mtime, inode) and whose loading settings are as they were last
time is not read again: its `Article` (and the warnings it gave) come from SQLite
(`.sitegen/articles.sqlite`, rows made by engine/article_rows.py). The key includes a hash of
the loader's own source code, so an upgraded or edited sitegen never serves a stale parse.
File systems stamp times coarsely, so a file changed within the same tick as it was cached
could keep its stamp: entries cached less than `RACY_SECONDS` after their file's mtime are
trusted only after the file's hash is checked again (git's "racy clean" rule). Files not in
the cache are loaded in worker processes when there are many.

Bodies are kept apart, in the table `texts` of `.sitegen/cache.sqlite` (beside the rendered
bodies), and every loaded article (taken from the cache or parsed now and stored) carries a
`StoredBody` in their place: the build holds the site's metadata, never all its bodies. Every
build reads every article's row, so those rows are a file of their own: about 1 KB an article,
read in one pass, where rows sharing a file with the bodies had the scan read the whole file
(2.3 GB at 100,000 articles) whenever the system had not kept it in memory (a CI runner with
a restored cache, a large archive). `read_stored_body` reads a body back when a page is
rendered without a cached rendering, or an article is indexed again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.content.article import Article, SourceFile, StoredBody, load_article
from sitegen.engine.article_rows import from_row, to_row
from sitegen.engine.cache import open_cache_db
from sitegen.engine.executor import InlineExecutor, Parallelism, executor, inherit, inherited
from sitegen.engine.keys import cache_key
from sitegen.errors import Diagnostics, SiteError
from sitegen.fsutil import sha1_bytes
from sitegen.heap import pauses_collector

RACY_SECONDS = 3
STORE_BATCH = 500  # newly parsed articles put in the cache at once, then held without bodies


def loader_fingerprint(config: SiteConfig) -> str:
    """What, besides the file's bytes, decides the Article: settings, site root, loader code."""
    return cache_key(
        "article", config.output_fingerprint(), config.root.resolve(), config.max_file_size
    )


StatKey = tuple[int, int, int]
Loaded = tuple[
    StatKey, Article | None, list[SiteError], list[SiteError]
]  # stat, article, errors, warnings


def stat_key(path: Path) -> StatKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _is_fresh(
    key: StatKey, cached_key: StatKey, cached_at: int, article: Article, path: Path
) -> bool:
    if key != cached_key:
        return False
    if key[1] < cached_at - RACY_SECONDS * 1_000_000_000:
        return True
    try:  # racy: the file may have changed within one time stamp tick
        return sha1_bytes(path.read_bytes()) == article.content_hash
    except OSError:
        return False


def _load_one(source: SourceFile, config: SiteConfig) -> Loaded:
    key = stat_key(source.path) or (0, 0, 0)
    diag = Diagnostics()
    article = load_article(source, config, diag)
    return key, article, diag.errors, diag.warnings


def _load_range(arg: tuple[int, int, int]) -> list[Loaded]:
    token, start, stop = arg
    sources, config = inherited(token)
    return [_load_one(s, config) for s in sources[start:stop]]


def load_many(
    sources: list[SourceFile], config: SiteConfig, parallel: Parallelism
) -> Iterator[Loaded]:
    """Load `sources`, in order, in worker processes when there are many (on the Dask cluster
    when one is configured). A generator: the caller can put each article's body away before
    the next ones come, so a new site's bodies are never all held at once."""
    if parallel.remote(len(sources), parallel.min_loads):
        from sitegen.engine.remote import load_remote

        yield from load_remote(sources, config, parallel, 100, lambda s: _load_one(s, config))
        return
    with executor(parallel, len(sources), parallel.min_loads) as pool:
        if isinstance(pool, InlineExecutor):
            yield from (_load_one(s, config) for s in sources)
            return
        step = max(20, min(200, len(sources) // (parallel.workers() * 8) or 1))
        with inherit((sources, config)) as token:
            ranges = [(token, i, min(i + step, len(sources))) for i in range(0, len(sources), step)]
            for part in pool.map(_load_range, ranges):  # in order; workers forked at the first
                yield from part


ARTICLES_FILE = "articles.sqlite"
TEXTS_FILE = "cache.sqlite"  # shared with the rendered bodies (engine/cache.py::BodyCache)
_TABLE = (
    "articles (rel TEXT PRIMARY KEY, fp TEXT, size INTEGER, "
    "mtime INTEGER, ino INTEGER, cached_at INTEGER, data BLOB)"
)
_TEXTS = "texts (rel TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ino INTEGER, body BLOB)"
# the rows a build replaced since the last good command-line build kept its record, each the
# first version replaced (see `ArticleCache.replaced`)
_REPLACED = "replaced (rel TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ino INTEGER, data BLOB)"


class _Unchanged(Exception):
    """Not every body could be given its new stamp: the transaction is rolled back."""


class ArticleCache:
    """Parsed articles by content-relative path, their bodies apart (see the module's doc)."""

    def __init__(self, folder: Path | None, warn=None) -> None:
        texts = folder / TEXTS_FILE if folder is not None else None
        self.database = str(texts.resolve()) if texts is not None else ""
        self._texts = open_cache_db(texts, _TEXTS, warn)
        # rows without their bodies are of no use: both files or neither
        self._db = (
            open_cache_db(folder / ARTICLES_FILE, _TABLE, warn)
            if self._texts is not None and folder is not None
            else None
        )
        try:
            self._pair()
        except sqlite3.DatabaseError:
            self.close()

    def _pair(self) -> None:
        """Make sure the rows' bodies are in the texts' file: each texts file is named at its
        making, and rows made beside another (deleted, damaged and made anew) are dropped."""
        if self._db is None or self._texts is None:
            self.close()
            return
        texts, db = self._texts, self._db
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
        if texts.execute(query).fetchone():  # an older sitegen kept articles with their bodies
            with texts:
                texts.execute("DROP TABLE articles")
        for conn in (texts, db):
            conn.execute("CREATE TABLE IF NOT EXISTS texts_file (id TEXT)")
        db.execute(f"CREATE TABLE IF NOT EXISTS {_REPLACED}")
        (name,) = texts.execute("SELECT id FROM texts_file").fetchone() or ("",)
        if not name:
            name = uuid.uuid4().hex
            with texts:
                texts.execute("INSERT INTO texts_file VALUES (?)", (name,))
        if db.execute("SELECT id FROM texts_file").fetchone() != (name,):
            with db:
                db.execute("DELETE FROM articles")
                db.execute("DELETE FROM texts_file")
                db.execute("INSERT INTO texts_file VALUES (?)", (name,))

    def rows(self, fp: str) -> Iterable[tuple[str, StatKey, int, bytes]]:
        """(rel, stat key, cached_at, row bytes) of every entry, streamed: a 10,000-article cache
        is never held in memory as a whole."""
        if self._db is None:
            return
        try:
            for rel, size, mtime, ino, cached_at, data in self._db.execute(
                "SELECT rel, size, mtime, ino, cached_at, data FROM articles WHERE fp = ?", (fp,)
            ):
                yield rel, (size, mtime, ino), cached_at, data
        except sqlite3.DatabaseError:
            return

    def store(
        self,
        fp: str,
        items: Sequence[tuple[str, StatKey, Article, list[SiteError]]],
        forget: Iterable[str] = (),
    ) -> bool:
        """Put `items` in the cache and drop `forget`; False if the cache could not be written."""
        if self._db is None:
            return False
        now = time.time_ns()
        # generators: the rows are made one at a time, never all held at once (memory); the
        # bodies first, so a row never says its body waits where it does not
        texts = ((rel, *key, article.held().body_utf8) for rel, key, article, _ in items)
        rows = (
            (rel, fp, *key, now, to_row(self.stored(article, key), warnings))
            for rel, key, article, warnings in items
        )
        forget = [(rel,) for rel in forget]
        try:
            with self._db:
                self._db.executemany("DELETE FROM articles WHERE rel = ?", forget)
            with self._texts:
                self._texts.executemany("DELETE FROM texts WHERE rel = ?", forget)
                self._texts.executemany(
                    "INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?, ?)", texts
                )
            with self._db:
                # the version a row had, before a build replaced it, for the next command-line
                # build to compare with (`replaced`); the first since the record, so a preview
                # saving a file many times keeps the version the record names
                self._db.executemany(
                    "INSERT OR IGNORE INTO replaced SELECT rel, size, mtime, ino, data "
                    "FROM articles WHERE rel = ? AND fp = ?",
                    [(rel, fp) for rel, *_ in items],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
        except sqlite3.DatabaseError:
            return False  # a cache that cannot be written only makes the next build slower
        return True

    def restamp(self, items: Sequence[tuple[str, StatKey, StatKey]]) -> bool:
        """Give the rows and bodies of `items` (rel, new stat key, the one they have) the new
        stat keys: their files were stamped anew with the same bytes. False (and nothing
        taken) unless every body was found under its old key: a body is read by its key."""
        if self._db is None or self._texts is None:
            return False
        try:
            with self._texts:
                done = self._texts.executemany(
                    "UPDATE texts SET size = ?, mtime = ?, ino = ? "
                    "WHERE rel = ? AND size = ? AND mtime = ? AND ino = ?",
                    [(*key, rel, *was) for rel, key, was in items],
                ).rowcount
                if done != len(items):
                    raise _Unchanged
        except (sqlite3.DatabaseError, _Unchanged):
            return False
        now = time.time_ns()
        try:
            with self._db:
                self._db.executemany(
                    "UPDATE articles SET size = ?, mtime = ?, ino = ?, cached_at = ? WHERE rel = ?",
                    [(*key, now, rel) for rel, key, _ in items],
                )
        except sqlite3.DatabaseError:
            pass  # a row left with its old key: its file is hashed again next build
        return True

    def replaced(self) -> Iterator[tuple[str, StatKey, bytes]]:
        """(rel, stat key, row bytes) of the rows builds replaced since the last record was
        kept (`keep_replaced`): the article's version before the first of them. A preview
        that read an edited file, or a build that failed, replaced the version the record
        names; the next command-line build compares the new article with it (engine/record.py)
        instead of working out every page again (`ReplacedRows`)."""
        if self._db is None:
            return
        try:
            for rel, size, mtime, ino, data in self._db.execute(
                "SELECT rel, size, mtime, ino, data FROM replaced"
            ):
                yield rel, (size, mtime, ino), data
        except sqlite3.DatabaseError:
            return

    def any_replaced(self) -> bool:
        """Whether any build replaced a row since the last record (`replaced`)."""
        if self._db is None:
            return False
        try:
            return self._db.execute("SELECT 1 FROM replaced LIMIT 1").fetchone() is not None
        except sqlite3.DatabaseError:
            return False

    def keep_replaced(self, keys: Mapping[str, StatKey]) -> None:
        """Forget the replaced rows but those that are the version of their file in `keys` (a
        record just kept): only those can be what a later build compares with."""
        if self._db is None:
            return
        try:
            stale = [(rel,) for rel, key, _ in self.replaced() if keys.get(rel) != key]
            if stale:
                with self._db:
                    self._db.executemany("DELETE FROM replaced WHERE rel = ?", stale)
        except sqlite3.DatabaseError:
            pass  # left: a later build finds them stale by their stat keys

    def stored(self, article: Article, key: StatKey) -> Article:
        """`article` with its body left in this cache (once `store` has put it there)."""
        return dataclasses.replace(article, body_utf8=StoredBody(self.database, article.rel, key))

    def close(self) -> None:
        for db in (self._db, self._texts):
            _close(db)
        self._db = self._texts = None


def keep_replaced(cache_dir: Path | None, keys: Mapping[str, StatKey]) -> None:
    """`ArticleCache.keep_replaced` on the cache in `cache_dir`, once a record naming `keys`
    is kept."""
    cache = ArticleCache(cache_dir)
    try:
        cache.keep_replaced(keys)
    finally:
        cache.close()


class ReplacedRows:
    """The rows builds replaced since the last record (`ArticleCache.replaced`) as the record's
    comparison asks for them: (stat key, row bytes, cache file) by rel, each read when asked.
    A preview run through many files may have replaced thousands; a build compares only the
    files that changed."""

    def __init__(self, folder: Path, database: str) -> None:
        self.path = folder / ARTICLES_FILE
        self.database = database

    def get(
        self, rel: str, default: tuple[StatKey, bytes, str] | None = None
    ) -> tuple[StatKey, bytes, str] | None:
        try:
            with contextlib.closing(sqlite3.connect(str(self.path), timeout=30)) as db:
                row = db.execute(
                    "SELECT size, mtime, ino, data FROM replaced WHERE rel = ?", (rel,)
                ).fetchone()
        except sqlite3.Error:
            return default
        return ((row[0], row[1], row[2]), row[3], self.database) if row else default


class ArticleLoader:
    """Loads content files through the cache. Kept alive by `Builder` so a preview rebuild
    finds unchanged articles in memory without touching SQLite."""

    def __init__(self) -> None:
        # rel -> (stat key, cached_at ns, article, warnings), for the loader fingerprint `self.fp`
        self.memory: dict[str, tuple[StatKey, int, Article, list[SiteError]]] = {}
        self.fp = ""
        self.sources: dict[str, SourceFile] = {}
        # of the last `load`: the rows of the cache not taken (their file changed since), by
        # rel: (stat key, row bytes, cache file), what the command line's next plan compares
        # the new articles with (engine/record.py)
        self.previous: dict[str, tuple[StatKey, bytes, str]] = {}
        # of the last `load`: the rows builds replaced since the last record (None: none), the
        # versions a record may name when `previous` holds a later one or none
        self.replaced: ReplacedRows | None = None
        self.parsed: frozenset[str] = frozenset()  # the rels read from their files
        # of the last `load`: the rels taken from memory as the preview's watcher saw them
        # unchanged, so as the last `load` gave them
        self.unchanged: frozenset[str] = frozenset()

    def _put_away(
        self,
        cache: ArticleCache | None,
        fp: str,
        fresh: list[tuple[str, StatKey, Article, list[SiteError]]],
        found: dict[str, tuple[Article, list[SiteError]]],
    ) -> None:
        """Put newly parsed articles in the cache and hold them without their bodies (which
        wait there); when the cache cannot be written, they keep their bodies."""
        if cache is None or not fresh or not cache.store(fp, fresh, ()):
            return
        for rel, key, article, warnings in fresh:
            article = cache.stored(article, key)
            found[rel] = (article, warnings)
            self.memory[rel] = (*self.memory[rel][:2], article, warnings)

    def _take_moved(
        self,
        cache: ArticleCache,
        moved: list[tuple[SourceFile, StatKey, StatKey, bytes]],
        database: str,
        found: dict[str, tuple[Article, list[SiteError]]],
        need: dict[str, tuple[SourceFile, StatKey | None]],
    ) -> None:
        """Take the cached articles of files stamped anew but as long as they were, whose
        bytes are still the ones the article was made from (its `content_hash`): a fresh
        checkout (a CI runner that restored `.sitegen/`: every file's time stamp and inode are
        new), a copied or moved site, `touch`, a branch switched and back. Their rows and
        bodies take the new stamps (`ArticleCache.restamp`); a hash costs a read of the file,
        a parse about twenty times that. The rest is parsed as any changed file."""
        same: list[tuple[str, StatKey, StatKey, Article, list[SiteError]]] = []
        for source, key, cached_key, data in moved:
            self.previous[source.rel] = (cached_key, data, database)  # what the record compares
            try:
                article, warnings = from_row(data, StoredBody(database, source.rel, key))
                if sha1_bytes(source.path.read_bytes()) == article.content_hash:
                    same.append((source.rel, key, cached_key, article, warnings))
            except Exception:  # noqa: BLE001 - a damaged row, a file gone: parsed, and reported
                continue
        if not same or not cache.restamp([(rel, key, was) for rel, key, was, _, _ in same]):
            return
        now = time.time_ns()
        for rel, key, _, article, warnings in same:
            found[rel] = (article, warnings)
            self.memory[rel] = (key, now, article, warnings)
            del need[rel]

    @pauses_collector
    def load(
        self,
        sources: list[SourceFile],
        config: SiteConfig,
        diag: Diagnostics,
        parallel: Parallelism,
        cache_dir: Path | None,
        stats: Mapping[str, StatKey] | None = None,
        unchanged: Collection[str] = (),
    ) -> list[Article]:
        """Every source's article, from memory, the cache or the file. `stats`: stat keys by
        rel already taken this build (the build stamp's walk), not taken again; `unchanged`:
        the rels the preview's watcher saw no change to, taken from memory without a stat."""
        self.sources = {s.rel: s for s in sources}  # for the preview's first-page render
        self.previous = {}
        self.replaced = None
        stats = stats or {}
        fp = loader_fingerprint(config)
        if fp != self.fp:
            self.memory = {}
            self.fp = fp
        # the ones the loop below takes from memory as they are
        self.unchanged = frozenset(unchanged).intersection(self.memory)
        cache = (
            ArticleCache(cache_dir, diag.warn)
            if not self.memory or len(self.memory) < len(sources)
            else None
        )
        try:
            found: dict[str, tuple[Article, list[SiteError]]] = {}
            need: dict[str, tuple[SourceFile, StatKey | None]] = {}
            for source in sources:
                entry = self.memory.get(source.rel)
                if entry is not None and source.rel in unchanged:
                    found[source.rel] = (entry[2], entry[3])
                    continue
                key = stats.get(source.rel) or stat_key(source.path)
                if (
                    key is not None
                    and entry is not None
                    and _is_fresh(key, entry[0], entry[1], entry[2], source.path)
                ):
                    found[source.rel] = (entry[2], entry[3])
                    continue
                need[source.rel] = (source, key)
            live = {s.rel for s in sources}
            gone: list[str] = []
            damaged: list[str] = []
            database = sys.intern(cache.database) if cache is not None else ""  # one string
            if cache is not None and cache_dir is not None and cache.any_replaced():
                self.replaced = ReplacedRows(cache_dir, database)
            moved: list[tuple[SourceFile, StatKey, StatKey, bytes]] = []
            for rel, cached_key, cached_at, data in cache.rows(fp) if cache is not None else ():
                if rel not in live:
                    gone.append(rel)
                    continue
                source, key = need.get(rel, (None, None))
                if source is None:
                    continue
                if key is None or key != cached_key:
                    if key is not None and key[0] == cached_key[0]:
                        moved.append((source, key, cached_key, data))  # maybe the same bytes
                    else:
                        self.previous[rel] = (cached_key, data, database)
                    continue
                try:
                    # the source's rel and the walk's stat key (equal to the row's), held all
                    # build: the article's body shares them rather than holding its own
                    body = StoredBody(database, source.rel, key)
                    article, warnings = from_row(data, body)
                except Exception as exc:  # noqa: BLE001 - any damage: read the file again
                    damaged.append(f"{rel} ({type(exc).__name__})")
                    continue
                if _is_fresh(key, cached_key, cached_at, article, source.path):
                    found[rel] = (article, warnings)
                    self.memory[rel] = (key, cached_at, article, warnings)
                    del need[rel]
                else:
                    self.previous[rel] = (cached_key, data, database)
            if cache is not None and moved:
                self._take_moved(cache, moved, database, found, need)
            if damaged:
                diag.warn(
                    f"the article cache had {len(damaged)} damaged entr"
                    f"{'y' if len(damaged) == 1 else 'ies'} ({', '.join(damaged[:3])}); "
                    "read again from the content files",
                    cache_dir / ARTICLES_FILE if cache_dir is not None else None,
                )
            missing = [source for source, _ in need.values()]
            self.parsed = frozenset(need)
            now = time.time_ns()
            if cache is None and (missing or gone):
                cache = ArticleCache(cache_dir, diag.warn)
            if cache is not None and gone:
                cache.store(fp, (), gone)
            fresh: list[tuple[str, StatKey, Article, list[SiteError]]] = []
            # closed on any error: the generator's pool is stopped then, not when collected
            with contextlib.closing(load_many(missing, config, parallel)) as loaded:
                for source, (key, article, errors, warnings) in zip(missing, loaded, strict=True):
                    for error in errors:
                        diag.error(error)
                    if article is not None:
                        found[source.rel] = (article, warnings)
                        self.memory[source.rel] = (key, now, article, warnings)
                        fresh.append((source.rel, key, article, warnings))
                    else:
                        for warning in warnings:
                            diag.warn(warning.message, warning.path, warning.line, warning.hint)
                        self.memory.pop(source.rel, None)
                    if len(fresh) >= STORE_BATCH:
                        self._put_away(cache, fp, fresh, found)
                        fresh = []
            self._put_away(cache, fp, fresh, found)
            for rel in [r for r in self.memory if r not in live]:
                del self.memory[rel]
        finally:
            if cache is not None:
                cache.close()
        articles = []
        for source in sources:
            if source.rel in found:
                article, warnings = found[source.rel]
                if article.resources != source.resources:
                    # the bundle's other files come from its folder listing, not from the file's
                    # bytes: a picture added beside index.md must be seen without a re-parse
                    article = dataclasses.replace(article, resources=source.resources)
                for warning in warnings:
                    diag.warn(warning.message, warning.path, warning.line, warning.hint)
                articles.append(article)
        return articles


_READERS: dict[tuple[int, int, str], sqlite3.Connection] = {}  # (process, thread, file)


def read_stored_body(body: StoredBody) -> bytes:
    """The bytes of a body left in the article cache (`StoredBody`), by any process or thread
    of this machine. A connection is kept per process and thread, and opened anew once when it
    finds nothing (the cache file may have been made anew since: `build --clean`, damage)."""
    where = (os.getpid(), threading.get_ident(), body.database)
    for attempt in range(2):
        db = _READERS.get(where) if attempt == 0 else None
        try:
            if db is None:
                _close(_READERS.pop(where, None))
                db = _READERS[where] = sqlite3.connect(body.database, timeout=30)
            row = db.execute(
                "SELECT body FROM texts WHERE rel = ? AND size = ? AND mtime = ? AND ino = ?",
                (body.rel, *body.stat),
            ).fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is not None and isinstance(row[0], bytes):
            return row[0]
    raise SiteError(
        f"the text of content file {body.rel} is no longer in the article cache (another "
        "build changed the cache meanwhile)",
        body.database,
        hint="build again",
    )


def _close(db: sqlite3.Connection | None) -> None:
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()


StoredBody.reader = read_stored_body
