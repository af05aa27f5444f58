"""Cache keys are derived from sitegen's own code: editing any module or theme file changes the
code hash, and every kind of key changes with it. No hand-bumped version constants."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.engine import cache
from sitegen.engine.sourcecache import loader_fingerprint

PACKAGE = Path(cache.__file__).resolve().parent.parent


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "sitegen"
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.parametrize(
    "rel",
    [
        "render/markdown.py",
        "content/article.py",
        "site/related.py",
        "site/search.py",
        "render/images.py",
        "themes/default/templates/base.html",
        "themes/default/static/search.js",
    ],
)
def test_editing_any_file_of_the_package_changes_the_code_hash(package_copy: Path, rel: str):
    before = cache.package_fingerprint(package_copy)
    target = package_copy / rel
    target.write_bytes(target.read_bytes() + b"\n# edited\n")
    assert cache.package_fingerprint(package_copy) != before


def test_adding_a_module_changes_the_code_hash(package_copy: Path):
    before = cache.package_fingerprint(package_copy)
    (package_copy / "site" / "new_stage.py").write_text("X = 1\n")
    assert cache.package_fingerprint(package_copy) != before


def test_every_key_follows_the_code_hash(monkeypatch, tmp_path: Path):
    config = SiteConfig(root=tmp_path)

    def keys() -> dict[str, str]:
        return {
            "body": cache.body_key("abc", cache.body_settings(config)),
            "article": loader_fingerprint(config),
            "any": cache.cache_key("image variant", (480, 960)),
        }

    before = keys()
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "other code")
    after = keys()
    assert all(before[k] != after[k] for k in before), (before, after)


def test_no_hand_bumped_cache_versions():
    """A version constant someone must remember to bump is how stale caches happen."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^([A-Z_]*(VERSION|ENCODER))\s*=", text, re.M):
            offenders.append(f"{path.relative_to(PACKAGE)}: {match.group(1)}")
    assert offenders == [] or all("__version__" in o for o in offenders), offenders
