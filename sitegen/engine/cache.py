"""A persistent cache of rendered Markdown bodies in SQLite (`.sitegen/cache.sqlite`).

Keyed by the hash of the content file plus the version of everything that shapes the HTML
(sitegen's Markdown version and the settings it reads), so a changed setting or an upgraded
sitegen can never serve stale HTML. A damaged cache is discarded, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import sqlite3
from pathlib import Path

from sitegen import __version__
from sitegen.config import SiteConfig
from sitegen.render.markdown import MARKDOWN_VERSION, RenderedBody

_RENDERER_MODULES = ("render/markdown.py", "text/slugs.py")


PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # sitegen/, not this engine/ folder


@functools.cache
def code_fingerprint(modules: tuple[str, ...] | None = None) -> str:
    """A hash of sitegen's version and of its own source: the named modules, or all of them.
    Part of cache keys and page fingerprints, so a sitegen edited or upgraded without a new
    version number never serves what its old code made."""
    h = hashlib.sha1(__version__.encode())
    here = PACKAGE_ROOT
    paths = sorted(here.rglob("*.py")) if modules is None else [here / m for m in modules]
    for path in paths:
        h.update(path.relative_to(here).as_posix().encode())
        with contextlib.suppress(OSError):  # a module gone since: its name still counts
            h.update(path.read_bytes())
    return h.hexdigest()


def renderer_fingerprint() -> str:
    """The Markdown renderer's source: editing it (not only bumping MARKDOWN_VERSION) never
    serves HTML rendered by the old code."""
    return code_fingerprint(_RENDERER_MODULES)[:16]


# Settings known not to shape a rendered body; every other one (including settings added later)
# is part of the key, so a new Markdown option can never be served stale.
_NOT_BODY_SETTINGS = (
    "title",
    "description",
    "author",
    "base_url",
    "per_page",
    "timezone",
    "theme",
    "permalink",
    "file_urls",
    "feed_limit",
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


def body_settings(config: SiteConfig) -> str:
    """A short hash of the settings that may shape rendered Markdown."""
    data = {
        f.name: getattr(config, f.name)
        for f in dataclasses.fields(config)
        if f.name not in _NOT_BODY_SETTINGS
    }
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def body_key(content_hash: str, settings: str) -> str:
    """Cache key of one body: its file's hash, the renderer's version and code, the settings."""
    return f"{content_hash}:{MARKDOWN_VERSION}:{__version__}:{renderer_fingerprint()}:{settings}"


def open_cache_db(path: Path | None, table: str) -> sqlite3.Connection | None:
    """The cache database at `path` with `table` (a CREATE TABLE body) in it. A damaged file
    is deleted and made anew: a cache is only ever a faster path, never trusted over sources."""
    if path is None:
        return None

    def connect() -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
        return db

    try:
        return connect()
    except sqlite3.DatabaseError:
        path.unlink(missing_ok=True)
        return connect()


class BodyCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db = open_cache_db(path, "bodies (key TEXT PRIMARY KEY, html TEXT, toc TEXT)")

    def get_many(self, keys: list[str]) -> dict[str, RenderedBody]:
        found: dict[str, RenderedBody] = {}
        if self._db is None or not keys:
            return found
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, html, toc in self._db.execute(
                f"SELECT key, html, toc FROM bodies WHERE key IN ({marks})", chunk
            ):
                found[key] = RenderedBody(html, tuple(tuple(t) for t in json.loads(toc)))
        return found

    def put_many(self, items: dict[str, RenderedBody]) -> None:
        if self._db is None or not items:
            return
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO bodies (key, html, toc) VALUES (?, ?, ?)",
                [(k, v.html, json.dumps(v.toc)) for k, v in items.items()],
            )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
