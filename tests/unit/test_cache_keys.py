"""Cache keys are derived from sitegen's own code: editing any module or theme file changes the
code hash, and every kind of key changes with it. No hand-bumped version constants."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.engine import cache, keys
from sitegen.engine.sourcecache import loader_fingerprint
from sitegen.site.plan import PageJob

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
    before = keys.package_fingerprint(package_copy)
    target = package_copy / rel
    target.write_bytes(target.read_bytes() + b"\n# edited\n")
    assert keys.package_fingerprint(package_copy) != before


def test_adding_a_module_changes_the_code_hash(package_copy: Path):
    before = keys.package_fingerprint(package_copy)
    (package_copy / "site" / "new_stage.py").write_text("X = 1\n")
    assert keys.package_fingerprint(package_copy) != before


def test_every_key_follows_the_code_hash(monkeypatch, tmp_path: Path):
    config = SiteConfig(root=tmp_path)

    def every_kind() -> dict[str, str]:
        return {
            "body": cache.body_key("abc", cache.body_settings(config)),
            "article": loader_fingerprint(config),
            "any": keys.cache_key("image variant", (480, 960)),
        }

    before = every_kind()
    monkeypatch.setattr(keys, "code_fingerprint", lambda: "other code")
    after = every_kind()
    assert all(before[k] != after[k] for k in before), (before, after)


def test_no_hand_bumped_cache_versions():
    """A version constant someone must remember to bump is how stale caches happen."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^([A-Z_]*(VERSION|ENCODER))\s*=", text, re.M):
            offenders.append(f"{path.relative_to(PACKAGE)}: {match.group(1)}")
    assert offenders == [] or all("__version__" in o for o in offenders), offenders


def _views() -> dict[str, dict]:
    return {
        rel: {"title": f"Title {rel}", "url": f"/{rel}/", "tags": [{"name": "x", "url": "/t/x/"}]}
        for rel in ("a", "b", "c")
    }


def _jobs(contexts: list[dict]) -> list[PageJob]:
    return [PageJob(f"/p{i}/", "page.html", "page", c, f"page {i}") for i, c in enumerate(contexts)]


def page_fingerprints(output_fp: str, contexts: list[dict], shared=()) -> list[str]:
    fingerprints = cache.PageFingerprints(output_fp, shared)
    return [fingerprints.of(job) for job in _jobs(contexts)]


def _contexts(views: dict[str, dict]) -> list[dict]:
    return [
        {"page": {"title": "A"}, "article": dict(views["a"]), "prev": views["b"], "next": None},
        {"page": {"title": "Index"}, "articles": [views["a"], views["b"], views["c"]]},
        {"page": {"title": "Archive"}, "archive": [{"year": 2020, "articles": [views["c"]]}]},
    ]


def test_page_fingerprints_tell_apart_what_whole_contexts_do() -> None:
    """Shared views stand in the contexts by their digest: equal contexts (made from equal but
    distinct views) get equal fingerprints, and a changed view changes every page holding it,
    at the top level or deeper."""
    views = _views()
    first = page_fingerprints("out", _contexts(views), views.values())
    again = _views()  # equal content, other objects
    assert page_fingerprints("out", _contexts(again), again.values()) == first
    unshared = page_fingerprints("out", _contexts(views))  # nothing by reference
    assert len(set(unshared)) == 3 and len(set(first)) == 3

    changed = _views()
    changed["c"]["title"] = "Edited"
    after = page_fingerprints("out", _contexts(changed), changed.values())
    assert after[0] == first[0]  # the article page does not show c
    assert after[1] != first[1] and after[2] != first[2]  # the index and archive do
    changed = _views()
    changed["b"]["tags"][0]["url"] = "/tags/x/"
    after = page_fingerprints("out", _contexts(changed), changed.values())
    assert after[0] != first[0] and after[1] != first[1] and after[2] == first[2]
    assert page_fingerprints("other", _contexts(views), views.values())[0] != first[0]


def test_early_fingerprints_are_the_ones_a_page_gets_later() -> None:
    """Pages fingerprinted early (while the related lists are worked out) get the fingerprint
    they would get at the end; any other context, even one made after an early one was
    dropped by the plan, is hashed on its own."""
    views = _views()
    contexts = _contexts(views)
    expected = page_fingerprints("out", contexts, views.values())
    fingerprints = cache.PageFingerprints("out", views.values())
    jobs = _jobs(contexts)
    fingerprints.early(jobs[1:])
    assert [fingerprints.of(job) for job in jobs] == expected
    # another context on a path fingerprinted early is hashed on its own
    other = PageJob(jobs[1].url, "page.html", "page", {"page": {"title": "Other"}}, "other")
    assert fingerprints.of(other) == page_fingerprints("out", [other.context], views.values())[0]


def test_the_last_builds_fingerprints_carry_over_only_to_equal_contexts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the last build's fingerprints (the preview), a page whose context equals its last
    one, and a shared view that is the same object, are not hashed again; every fingerprint
    is still the one a fresh build gives."""
    views = _views()
    last = cache.PageFingerprints("out", views.values())
    for job in _jobs(_contexts(views)):
        last.of(job)
    hashed: list[dict] = []
    real = cache.PageFingerprints._hash

    def counting(self, context: dict) -> str:
        hashed.append(context)
        return real(self, context)

    monkeypatch.setattr(cache.PageFingerprints, "_hash", counting)
    views["c"] = dict(views["c"], title="Edited")  # one view changed, the others the same
    contexts = _contexts(views)  # new objects, made again from the views
    expected = page_fingerprints("out", contexts, views.values())
    hashed.clear()
    again = cache.PageFingerprints("out", views.values(), last)
    assert [again.of(job) for job in _jobs(contexts)] == expected
    assert hashed == contexts[1:]  # the index and archive show the edited view; the page not
    hashed.clear()
    other = cache.PageFingerprints("other settings", views.values(), last)
    assert [other.of(job) for job in _jobs(contexts)] == page_fingerprints(
        "other settings", contexts, views.values()
    )
    assert hashed[:3] == contexts  # other settings: nothing carried over
