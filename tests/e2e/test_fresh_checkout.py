"""A CI runner restores `.sitegen/` into a fresh checkout: every content file has a new time
stamp and inode but the bytes it had. The article cache takes its rows for those files after
a hash of each (engine/sourcecache.py `ArticleLoader._take_moved`) instead of parsing them all
again; a file whose bytes changed, even to the same length, is parsed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import sitegen.engine.sourcecache as sourcecache
from tests.e2e.test_incremental import Site, _replace, _tree


def _checked_out_again(root: Path) -> None:
    """Every content file written anew with its own bytes (new inode, new time stamp)."""
    for path in sorted((root / "content").rglob("*.md")):
        data = path.read_bytes()
        fresh = path.with_name(path.name + ".new")
        fresh.write_bytes(data)
        os.replace(fresh, path)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The rels of the content files each build parses."""
    seen: list[str] = []
    load_many = sourcecache.load_many

    def counting(sources, config, parallel):
        seen.extend(s.rel for s in sources)
        return load_many(sources, config, parallel)

    monkeypatch.setattr(sourcecache, "load_many", counting)
    return seen


@pytest.mark.parametrize("features", ["plain", "search+related"])
def test_a_fresh_checkout_parses_no_file_again(
    tmp_path: Path, parsed: list[str], features: str
) -> None:
    site = Site(tmp_path / "site", features)
    site.build()
    before = _tree(site.out)
    parsed.clear()
    _checked_out_again(site.root)
    (site.root / "build").rename(tmp_path / "old-output")  # the runner's output starts empty
    result = site.build()
    assert parsed == []
    assert result.articles == 9
    assert _tree(site.out) == before
    parsed.clear()
    assert site.build().written == 0  # the rows took the new stamps: nothing to look at again
    assert parsed == []


def test_a_file_of_the_same_length_with_other_bytes_is_parsed(
    tmp_path: Path, parsed: list[str]
) -> None:
    site = Site(tmp_path / "site")
    site.build()
    parsed.clear()
    _checked_out_again(site.root)
    _replace(site, "content/a4.md", "More.", "Mare.")  # as long as it was
    site.build()
    assert parsed == ["a4.md"]
    assert b"Mare." in (site.out / "a4" / "index.html").read_bytes()
    assert _tree(site.out) == site.clean_tree()
