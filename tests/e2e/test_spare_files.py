"""Builds that write their new files into spare files (output/spares.py) give the output a
clean build gives, and never change a file a snapshot of the output links."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

from sitegen.build import BuildRequest, build
from sitegen.config import load_config
from sitegen.output import spares as spares_module
from sitegen.output.writer import MANIFEST

WORDS = [
    "election",
    "budget",
    "railway",
    "museum",
    "festival",
    "hospital",
    "airport",
    "orchestra",
    "library",
    "stadium",
]


def _article(i: int, body: str) -> str:
    return f"---\ntitle: Article {i}\ndate: 2024-03-{1 + i % 28:02d}\ntags: [t{i % 4}]\n---\n\n{body}\n"


def _tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _build(root: Path):
    return build(BuildRequest(load_config(root), jobs=1))


def _site(root: Path, rng: random.Random, articles: int) -> None:
    """A site of `articles` articles of random words, search and related articles on."""
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: Spares\nbase_url: https://example.org/\nper_page: 5\nrelated: 3\nsearch: true\n"
    )
    for i in range(articles):
        body = " ".join(rng.choices(WORDS, k=30))
        (root / "content" / f"a{i}.md").write_text(_article(i, body))


def test_a_chain_of_edits_written_into_spares_equals_clean_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(spares_module, "MIN_AGE", 0.0)  # files replaced are used at once
    rng = random.Random(20261203)
    root = tmp_path / "site"
    _site(root, rng, 60)
    _build(root)
    out, pool = root / "build", root / ".sitegen" / "spare"
    made = pool / "n1"  # as the detached process leaves them
    made.mkdir(parents=True)
    for n in range(20):
        (made / str(n)).write_bytes(b"")
    snapshot = tmp_path / "snapshot"  # `cp -al build snapshot`
    for path in out.rglob("*"):
        if path.is_file():
            (snapshot / path.relative_to(out)).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, snapshot / path.relative_to(out))
    before = _tree(snapshot)
    used = 0
    for step in range(8):
        i = rng.randrange(60)
        path = root / "content" / f"a{i}.md"
        body = " ".join(rng.choices(WORDS, k=rng.randrange(5, 40)))
        if step % 3 == 2:  # a new title too: the listings change
            path.write_text(_article(i, body).replace(f"Article {i}", f"Renamed {i}"))
        else:
            path.write_text(_article(i, body))
        spares = {p.stat().st_ino for p in pool.rglob("*") if p.is_file()}
        _build(root)
        written = {p.stat().st_ino for p in out.rglob("*") if p.is_file()}
        used += len(spares & written)
        clean = tmp_path / f"clean{step}"
        shutil.copytree(root / "content", clean / "content")
        shutil.copy(root / "site.yaml", clean / "site.yaml")
        _build(clean)
        assert _tree(out) == _tree(clean / "build"), step
    assert used > 20  # the spares made ahead, and files earlier edits replaced
    assert _tree(snapshot) == before  # nothing written through a link of the snapshot


def test_the_previews_folder_written_through_spares_equals_clean_builds(tmp_path, monkeypatch):
    from sitegen.build import Builder

    monkeypatch.setattr(spares_module, "MIN_AGE", 0.0)
    rng = random.Random(3)
    root = tmp_path / "site"
    _site(root, rng, 30)
    preview = tmp_path / "preview"
    builder = Builder(BuildRequest(load_config(root), output=preview, jobs=1, preview=True))
    builder.run()
    used = 0
    for step in range(6):
        i = rng.randrange(30)
        (root / "content" / f"a{i}.md").write_text(
            _article(i, " ".join(rng.choices(WORDS, k=rng.randrange(5, 30))))
        )
        pool = root / ".sitegen" / "spare"
        spares = (
            {p.stat().st_ino for p in pool.rglob("*") if p.is_file()} if pool.is_dir() else set()
        )
        builder.run()
        builder.let_go()
        used += len(spares & {p.stat().st_ino for p in preview.rglob("*") if p.is_file()})
        clean = tmp_path / f"clean{step}"
        shutil.copytree(root / "content", clean / "content")
        shutil.copy(root / "site.yaml", clean / "site.yaml")
        _build(clean)
        assert _tree(preview) == _tree(clean / "build"), step
    assert used > 0
    assert not [p for p in preview.rglob(".*.tmp")]  # no file left half placed
