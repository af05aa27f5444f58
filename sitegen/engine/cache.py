"""A persistent cache of rendered Markdown bodies in SQLite (`.sitegen/cache.sqlite`), and
the fingerprints of pages. Every key is made with `engine/keys.py::cache_key`, so a changed
setting or an edited or upgraded sitegen can never serve stale output. A damaged cache, or a
damaged entry, is dropped with a warning, never trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen import __version__
from sitegen.config import SiteConfig
from sitegen.engine.keys import cache_key, code_fingerprint
from sitegen.render.markdown import RenderedBody

if TYPE_CHECKING:
    from sitegen.site.plan import PageJob

# Settings known not to shape a rendered body; every other one (including settings added later)
# is part of the key, so a new Markdown option can never be served stale.
_NOT_BODY_SETTINGS = (
    "title",
    "description",
    "author",
    "base_url",
    "per_page",
    "pagination",
    "timezone",
    "theme",
    "permalink",
    "file_urls",
    "feed_limit",
    "old_feeds",
    "archive_limit",
    "summary_length",
    "date_format",
    "default_date",
    "teasers",
    "auto_tags",
    "max_auto_tags",
    "related",
    "search",
    "extra",
    "jobs",
    "content_dir",
    "seeds_dir",
    "output_dir",
    "static_dir",
    "templates_dir",
    "max_file_size",
    "language",
    "root",
)


PRUNE_SLACK = 1000  # bodies not in use that the body cache may hold beyond half the site's


def body_settings(config: SiteConfig) -> str:
    """A short hash of the settings that may shape rendered Markdown."""
    data = {
        f.name: getattr(config, f.name)
        for f in dataclasses.fields(config)
        if f.name not in _NOT_BODY_SETTINGS
    }
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _toc_column(body: RenderedBody) -> str:
    """A body's table of contents as stored, and its raw HTML problems when it has any (in the
    same column: a rare list next to it, not a column in every row)."""
    if body.problems:
        return json.dumps({"toc": body.toc, "problems": body.problems})
    return json.dumps(body.toc)


def _body(html: object, toc: object) -> RenderedBody:
    """A stored body from its columns (`toc` read from JSON); TypeError if it is not one."""
    if not isinstance(html, str):
        raise TypeError("html")
    problems: object = ()
    if isinstance(toc, dict):
        toc, problems = toc["toc"], toc["problems"]
    if not isinstance(toc, list) or not isinstance(problems, list | tuple):
        raise TypeError("toc")
    return RenderedBody(html, tuple(tuple(t) for t in toc), tuple(tuple(p) for p in problems))


def body_key(content_hash: str, settings: str) -> str:
    """Cache key of one body: its file's hash, sitegen's code, the settings that shape it."""
    return cache_key("body", content_hash, settings)


BUSY_TIMEOUT = 30.0  # seconds a cache database waits for another build's lock to go


def open_cache_db(
    path: Path | None, table: str, warn: Callable[[str, Path], None] | None = None
) -> sqlite3.Connection | None:
    """The cache database at `path` with `table` (a CREATE TABLE body) in it. A damaged file
    is deleted and made anew (`warn` is told): a cache is only a faster path, never trusted.
    A file that cannot be opened for another reason (locked by another build, a full disk,
    no permission) is left as it is: None, and `warn` is told why."""
    if path is None:
        return None

    def connect() -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT)
        try:
            # pages freed by deleting rows can go back to the disk (`BodyCache.prune`); takes
            # effect only in a new file (an older one keeps its size, reusing its free pages)
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
        except BaseException:
            db.close()
            raise
        return db

    def unusable(exc: Exception) -> None:
        if warn is not None:
            warn(
                f"the cache database could not be opened ({exc}); this build goes without it", path
            )

    try:
        return connect()
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):
            unusable(exc)
            return None
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            part.unlink(missing_ok=True)
        if warn is not None:
            warn("the cache database was damaged; it was deleted and is being made anew", path)
    except OSError as exc:  # its folder cannot be made
        unusable(exc)
        return None
    try:
        return connect()
    except (sqlite3.DatabaseError, OSError) as exc:
        unusable(exc)
        return None


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error says the file is not a sound database (rather than locked by
    another connection, out of disk or of permissions: the file may be perfectly good)."""
    name = getattr(exc, "sqlite_errorname", None)
    if name is None:  # raised by the module itself, not by SQLite: no code to go by
        return not isinstance(exc, sqlite3.OperationalError)
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def rows_in(
    db: sqlite3.Connection, query: str, keys: list[str], batch: int = 500
) -> Iterator[tuple[list[str], list[tuple] | None]]:
    """`query`, whose `{marks}` stands for the list of an `IN (...)`, for `keys` a batch at a
    time (old SQLite allows 999 parameters): each batch with its rows, or None where the
    database failed (damaged: the caller decides what that costs)."""
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        try:
            rows = db.execute(query.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
        except sqlite3.DatabaseError:
            rows = None
        yield chunk, rows


class BodyCache:
    """Rendered Markdown bodies by `body_key`."""

    def __init__(self, path: Path | None, warn: Callable[[str, Path], None] | None = None) -> None:
        self.path = path
        self.damaged: set[str] = set()  # keys of entries found unreadable: warned of once
        self._db = open_cache_db(path, "bodies (key TEXT PRIMARY KEY, html TEXT, toc TEXT)", warn)

    def get_many(self, keys: list[str]) -> dict[str, RenderedBody]:
        found: dict[str, RenderedBody] = {}
        if self._db is None or not keys:
            return found
        query = "SELECT key, html, toc FROM bodies WHERE key IN ({marks})"
        for chunk, rows in rows_in(self._db, query, keys):
            if rows is None:
                self.damaged.update(chunk)
                continue
            for key, html, toc in rows:
                try:
                    found[key] = _body(html, json.loads(toc))
                except (ValueError, TypeError, KeyError):
                    self.damaged.add(key)  # rendered again, and the entry replaced
        return found

    def put_many(self, items: dict[str, RenderedBody]) -> None:
        if self._db is None or not items:
            return
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO bodies (key, html, toc) VALUES (?, ?, ?)",
                [(k, v.html, _toc_column(v)) for k, v in items.items()],
            )

    def prune(self, in_use: Callable[[], set[str]], pages: int) -> int:
        """Delete the bodies no page shows now (of other versions of sitegen or of the
        settings, of earlier versions of edited articles) once the cache holds half again as
        many as the site's `pages`, plus some: without this, every upgrade of sitegen added a
        copy of every body. `in_use` gives the keys to keep (asked only when pruning). The
        file gives the space back. Returns how many went."""
        if self._db is None:
            return 0
        try:
            (rows,) = self._db.execute("SELECT count(*) FROM bodies").fetchone()
            if rows <= pages * 3 // 2 + PRUNE_SLACK:
                return 0
            with self._db:
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS in_use (key TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM in_use")
                self._db.executemany(
                    "INSERT OR IGNORE INTO in_use VALUES (?)", [(k,) for k in in_use()]
                )
                gone = self._db.execute(
                    "DELETE FROM bodies WHERE key NOT IN (SELECT key FROM in_use)"
                ).rowcount
                self._db.execute("DELETE FROM in_use")
            # the file shrinks by what went (a statement run whole: Python's `execute` would
            # step this pragma once, freeing one page)
            self._db.executescript("PRAGMA incremental_vacuum;")
            return gone
        except sqlite3.DatabaseError:
            return 0  # kept: pruning is only tidying

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class StoredCounts:
    """Articles' term counts (search's or related articles'), one row each: rel -> (digest of
    the cache key and the article's key, terms, counts). Any database error reads as "not kept"
    and skips writing."""

    def __init__(
        self, path: Path | None, key: str, warn: Callable[[str, Path], None] | None = None
    ) -> None:
        self.key = key
        self._db = open_cache_db(
            path, "counts (rel TEXT PRIMARY KEY, version TEXT, terms TEXT, counts BLOB)", warn
        )

    @property
    def usable(self) -> bool:
        """Whether rows can be kept at all (a cache folder that can be written)."""
        return self._db is not None

    def _version(self, article_key: str) -> str:
        return hashlib.sha1(f"{self.key}\0{article_key}".encode()).hexdigest()

    def get(self, wanted: dict[str, str]) -> dict[str, tuple[str, bytes]]:
        """{rel: index key} -> {rel: counts} for the rels kept under that key."""
        found: dict[str, tuple[str, bytes]] = {}
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

    def put(self, fresh: dict[str, tuple[str, tuple[str, bytes]]], dropped: list[str]) -> None:
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


def output_fingerprint(config: SiteConfig, templates: str, static: str) -> str:
    """What shapes every page besides its own context: the settings, the templates, the static
    files (their names and stamps) and sitegen's own code. A change re-renders every page."""
    parts = (__version__, config.output_fingerprint(), templates, static, code_fingerprint())
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


class PageFingerprints:
    """Each page's fingerprint: its complete template context under `output_fingerprint` (or,
    for a page whose context is made where it is rendered, what it is made from). The
    `shared` dicts (the listing views many contexts hold: neighbours, related lists, listings)
    are hashed once and stand in the contexts by their digest: what is told apart is the same
    as hashing every context whole, and the bytes hashed fall several-fold.

    `early` fingerprints pages that are final before the rest of the plan is made (the build
    does it while the related lists are worked out in another process); `of` then gives
    those without hashing them again. With the `last` build's fingerprints (the preview), a
    page whose context equals its last one keeps its last fingerprint, and a shared dict that
    is the same object keeps its digest: a fingerprint is a function of the context's content,
    and no context changes once planned."""

    def __init__(
        self,
        output_fp: str,
        shared: Iterable[dict] = (),
        last: PageFingerprints | None = None,
        kept: Callable[[PageJob], bool] | None = None,
    ) -> None:
        """`kept`: tells the pages whose fingerprint in the last build's manifest stands (a
        command-line build's, engine/record.py), once `keep_from` gives those fingerprints."""
        self.output_fp = output_fp
        self._prefix = output_fp.encode()
        known = last._shared if last is not None else {}
        # id -> (dict, digest): the dict is held, so its id is not reused
        self._shared: dict[int, tuple[dict, bytes]] = {}
        by_id: dict[int, dict] = {}
        for d in shared:
            by_id[id(d)] = d
            entry = known.get(id(d))
            if entry is not None and entry[0] is d:
                self._shared[id(d)] = entry
        # a digest is worked out when a page first needs it: the pages kept need none
        self._digests: _Digests | dict = _Digests(self._shared, by_id)
        self._last = last._pages if last is not None and last.output_fp == output_fp else {}
        self._pages: dict[str, tuple[object, str]] = {}  # path -> (context or maker, fingerprint)
        self._kept = kept
        self._waiting: set[str] = set()  # pages `early` found kept, not told again
        self._old: Callable[[str], str | None] | None = None
        self.worked_out = 0  # fingerprints hashed (not known from the last build)

    def keep_from(self, old: Callable[[str], str | None]) -> None:
        """The last build's fingerprint of a page by its path (None: it had no such page), for
        the pages `kept` tells."""
        self._old = old

    def early(self, jobs: Iterable[PageJob]) -> None:
        kept = self._kept
        for job in jobs:
            if kept is not None and kept(job):
                self._waiting.add(job.path)  # for `keep_from`
            else:
                self.of(job)

    def of(self, job: PageJob) -> str:
        # a page whose context is made where it is rendered: by what it is made from
        made = job.given if job.given is not None else job.maker
        known = self._pages.get(job.path)
        if known is not None and known[0] is made:
            return known[1]
        kept = self._kept
        if self._old is not None and kept is not None and (job.path in self._waiting or kept(job)):
            old = self._old(job.path)
            if old:
                self._pages[job.path] = (made, old)
                return old
        last = self._last.get(job.path)
        if last is not None and last[0] == made:  # identity first, then content
            fingerprint = last[1]
        elif job.maker is not None:  # by what it is made from, whether made yet or not
            key = job.maker.key(self._digests)
            fingerprint = hashlib.sha1(self._prefix + _marshal(key)).hexdigest()
            self.worked_out += 1
        else:
            fingerprint = self._hash(job.given)  # type: ignore[arg-type]
            self.worked_out += 1
        self._pages[job.path] = (made, fingerprint)
        return fingerprint

    def settle(self, keep: bool = True) -> None:
        """Let go of the last build's contexts (once every page has its fingerprint); unless
        `keep` (for the next build: the preview's), of this one's pages and views too."""
        self._last = {}
        if not keep:
            self._pages, self._shared, self._digests = {}, {}, {}

    def _hash(self, context: dict) -> str:
        return hashlib.sha1(
            self._prefix + _marshal(_by_reference(context, self._digests))
        ).hexdigest()


class _Digests:
    """id -> digest of the shared dicts (`PageFingerprints`), each worked out on first use and
    kept in `entries` (id -> (dict, digest)), where those of the last build are already."""

    __slots__ = ("entries", "shared")

    def __init__(self, entries: dict[int, tuple[dict, bytes]], shared: dict[int, dict]) -> None:
        self.entries, self.shared = entries, shared

    def __contains__(self, key: object) -> bool:
        return key in self.shared

    def get(self, key: int, default: Any = None) -> Any:
        entry = self.entries.get(key)
        if entry is not None:
            return entry[1]
        d = self.shared.get(key)
        if d is None:
            return default
        digest = hashlib.sha1(_marshal(d)).digest()
        self.entries[key] = (d, digest)
        return digest


def _by_reference(context: dict, digests: Mapping[int, bytes] | _Digests) -> dict:
    """`context` with each shared dict among its values (or in a list value) replaced by its
    digest. One level deep: that is where the plan puts them; anything deeper is hashed whole,
    which is slower but never wrong."""
    out = {}
    for key, value in context.items():
        if type(value) is dict:
            value = digests.get(id(value), value)
        elif type(value) is list and value and id(value[0]) in digests:
            value = [digests.get(id(v), v) for v in value]
        out[key] = value
    return out


def _marshal(value: object) -> bytes:
    # version 2: versions 3+ encode shared/interned objects as back-references, so equal
    # contexts built differently (parsed vs. unpickled articles) would hash differently
    return marshal.dumps(value, 2)
