"""A damaged cache is only ever a slower build: each kind of damage gives one warning, the build
succeeds, and its output equals a clean build's, byte for byte."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from sitegen.engine.executor import Parallelism
from tests.conftest import SiteFolder


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 90, 160)).save(out, "PNG")
    return out.getvalue()


def fill(site: SiteFolder) -> None:
    site.write("static/pic.png", png_bytes())
    for i in range(12):
        site.article(
            f"story-{i}.md",
            f"Story {i} about the harbour",
            f"2024-01-{i + 1:02d}",
            f"The harbour and the council, part {i}.\n\n![A picture](/pic.png)\n",
            tags="[harbour, council]",
        )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".sitegen-manifest.json"
    }


def damage_database_file(cache: Path) -> None:
    (cache / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    for extra in ("cache.sqlite-wal", "cache.sqlite-shm"):
        (cache / extra).unlink(missing_ok=True)


def damage_articles_file(cache: Path) -> None:
    (cache / "articles.sqlite").write_bytes(b"this is not a database" * 100)
    for extra in ("articles.sqlite-wal", "articles.sqlite-shm"):
        (cache / extra).unlink(missing_ok=True)


def damage_article_rows(cache: Path) -> None:
    with sqlite3.connect(cache / "articles.sqlite") as db:
        db.execute("UPDATE articles SET data = ?", (b"\x80\x05garbage",))


def damage_body_rows(cache: Path) -> None:
    with sqlite3.connect(cache / "cache.sqlite") as db:
        db.execute("UPDATE bodies SET toc = ?", ("{not json",))


def damage_related_lists(cache: Path) -> None:
    (cache / "related-lists.marshal").write_bytes(b"SGC2" + b"\0" * 40)  # ends before a record


def damage_image_index(cache: Path) -> None:
    (cache / "images" / "index.json").write_text("[1, 2", encoding="utf-8")


DAMAGE = {
    "database file": (damage_database_file, "cache database"),
    "articles file": (damage_articles_file, "cache database"),
    "article rows": (damage_article_rows, "article cache"),
    "body rows": (damage_body_rows, "body cache"),
    "image index": (damage_image_index, "image cache"),
    # the related lists are read in a forked process (build.py::_plan): its warning comes back
    "related lists": (damage_related_lists, "related-lists.marshal"),
}
EVERY_BATCH = Parallelism(jobs=2, min_pages=1, min_loads=1)


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_cache_warns_and_builds_the_same(tmp_path: Path, kind: str) -> None:
    clean = SiteFolder(tmp_path / "clean")
    fill(clean)
    clean.build()

    site = SiteFolder(tmp_path / "site")
    fill(site)
    site.build()
    shutil.rmtree(site.root / "build")  # so the next build must use the caches
    damage, words = DAMAGE[kind]
    damage(site.root / ".sitegen")
    result = site.build(parallel=EVERY_BATCH)
    warnings = [str(w) for w in result.diagnostics.warnings]
    assert any(words in w for w in warnings), warnings
    if kind == "body rows":  # each of the 12 bodies counted once, whichever worker read it
        assert "the body cache had 12 damaged entries" in " ".join(warnings), warnings
    assert tree(site.root / "build") == tree(clean.root / "build")
    again = site.build()  # the damage is repaired: no warning the second time
    assert not [w for w in again.diagnostics.warnings if words in str(w)]
    assert again.written == 0


def test_image_index_of_the_wrong_shape(tmp_path: Path) -> None:
    site = SiteFolder(tmp_path / "site")
    fill(site)
    site.build()
    (site.root / ".sitegen" / "images" / "index.json").write_text(json.dumps([1]))
    result = site.build()
    assert any("image cache" in str(w) for w in result.diagnostics.warnings)


def test_an_older_cache_keeping_articles_with_their_bodies_is_let_go(tmp_path: Path) -> None:
    """An older sitegen kept the parsed articles in `cache.sqlite` with their bodies; that table
    is dropped (its space goes to the bodies), and the build is the same as a clean one."""
    clean = SiteFolder(tmp_path / "clean")
    fill(clean)
    clean.build()
    site = SiteFolder(tmp_path / "site")
    fill(site)
    cache = site.root / ".sitegen"
    cache.mkdir()
    with sqlite3.connect(cache / "cache.sqlite") as db:
        db.execute(
            "CREATE TABLE articles (rel TEXT PRIMARY KEY, fp TEXT, size INTEGER, mtime INTEGER,"
            " ino INTEGER, cached_at INTEGER, data BLOB, body BLOB)"
        )
        db.execute("INSERT INTO articles VALUES ('a1.md', 'x', 1, 1, 1, 1, x'00', x'00')")
    site.build()
    assert tree(site.root / "build") == tree(clean.root / "build")
    with sqlite3.connect(cache / "cache.sqlite") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "articles" not in tables and "texts" in tables
    assert site.build().written == 0


def test_an_empty_output_with_full_caches_reads_bodies_a_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI runner that restores `.sitegen/` but starts with no output renders every page from
    cached bodies: they are read a chunk of pages at a time where the pages render, never all
    at once (1.3 GB at 100,000 articles, held by the build and every worker forked from it)."""
    from sitegen.engine import pages
    from sitegen.engine.cache import BodyCache

    monkeypatch.setattr(pages, "CHUNK", 4)
    clean, site = SiteFolder(tmp_path / "clean"), SiteFolder(tmp_path / "site")
    for folder in (clean, site):
        # the feeds, which this process renders, show the two newest: theirs are read here
        folder.configure("title: T\nbase_url: https://example.org/\nfeed_limit: 2\n")
        fill(folder)
        folder.build()
    shutil.rmtree(site.root / "build")
    asked: list[int] = []
    real = BodyCache.get_many

    def counted(self: BodyCache, keys: list[str]):  # noqa: ANN202
        asked.append(len(keys))
        return real(self, keys)

    monkeypatch.setattr(BodyCache, "get_many", counted)
    result = site.build(parallel=Parallelism(jobs=1))  # every page in this process: all seen
    assert result.written > 12
    assert tree(site.root / "build") == tree(clean.root / "build")
    # the feeds' two bodies first, then every page's a chunk at a time
    assert asked[0] == 2 and sum(asked) >= 12 and max(asked) <= 4, asked
