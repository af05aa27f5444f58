"""Cache keys follow sitegen's code (engine/cache.py): every module counts, none is missed."""

from __future__ import annotations

from sitegen.engine import cache, sourcecache
from sitegen.engine.blobcache import cache_key


def test_every_named_module_exists():
    """A module list naming a file that moved would hash nothing for it, silently."""
    for rel in (*cache._RENDERER_MODULES, *sourcecache._LOADER_MODULES):
        assert (cache.PACKAGE_ROOT / rel).is_file(), rel


def test_the_code_hash_covers_the_whole_package(tmp_path, monkeypatch):
    """Editing any module (here: the related and search stages) changes the related and search
    cache keys; a copy of the package with one module edited hashes differently."""
    import shutil

    copy = tmp_path / "sitegen"
    shutil.copytree(cache.PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    keys = []
    for edit in (None, "site/related.py", "site/search.py", "render/markdown.py"):
        if edit:
            (copy / edit).write_text((copy / edit).read_text() + "\n# edited\n")
        monkeypatch.setattr(cache, "PACKAGE_ROOT", copy)
        cache.code_fingerprint.cache_clear()
        keys.append((cache_key("related", 5), cache_key("search", "%Y")))
    assert len(set(keys)) == len(keys)
    assert cache_key("related", 5) != cache_key("related", 4)  # and the settings count
    cache.code_fingerprint.cache_clear()  # the real package's hash again after this test
