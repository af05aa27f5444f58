"""Incremental builds equal clean builds, byte for byte (and in the fingerprints their
manifests keep), after every kind of edit; and files whose bytes did not change are not
rewritten (same inode and mtime).

Each test builds a small site, edits it, builds again (with the article and body caches and the
previous output), snapshots the output, then wipes output and caches and builds clean: the two
trees must be identical. The worker pools are forced on (thresholds lowered) in the parallel
variants so the fork-based path is covered by the same assertions. Each test runs with search
and related articles off and on (`features`): on is what `sitegen init` writes, and then the
related lists and the search index kept between builds must follow every edit exactly.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import sqlite3
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import sitegen.pipeline.steps as steps
from sitegen.build import Builder, BuildRequest, build
from sitegen.config import load_config
from sitegen.engine.executor import Parallelism
from sitegen.errors import BuildFailed
from sitegen.heap import collector_paused as gc_paused
from sitegen.output.writer import MANIFEST, Manifest

Tree = dict[str, bytes]
Stamps = dict[str, tuple[int, int]]


def _png(color: str) -> bytes:
    """A real picture (a made-up one is reported as unreadable on every build)."""
    out = io.BytesIO()
    Image.new("RGB", (3, 2), color).save(out, "PNG")
    return out.getvalue()


PIC, OTHER_PIC = _png("navy"), _png("teal")


def _tree(out: Path) -> Tree:
    files = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel != MANIFEST:
            files[rel] = path.read_bytes()
    return files


def _stamps(out: Path) -> Stamps:
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def _article(i: int, tags: str = "", extra: str = "", body: str = "") -> str:
    day = 1 + i
    text = (
        body
        or f"Paragraph of article {i}. See [the first](a0.md) and ![pic](/img/pic.png).\n\n## Part\n\nMore."
    )
    return (
        f"---\ntitle: Article {i}\ndate: 2024-03-{day:02d}\ntags: [{tags or f'tag{i % 3}'}]\n"
        f"{extra}---\n\n{text}\n"
    )


FEATURES = {
    "plain": "related: 0\nsearch: false\n",
    "search+related": "related: 3\nsearch: true\n",
}


class Site:
    def __init__(self, root: Path, features: str = "plain") -> None:
        self.root = root
        self.features = FEATURES[features]
        (root / "content").mkdir(parents=True)
        (root / "static" / "img").mkdir(parents=True)
        (root / "static" / "img" / "pic.png").write_bytes(PIC)
        self.config("")
        for i in range(9):
            self.write(f"content/a{i}.md", _article(i))

    def config(self, extra: str) -> None:
        self.write(
            "site.yaml",
            "title: Incremental\nbase_url: https://example.org/\nper_page: 3\n"
            + self.features
            + extra,
        )

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    parallel: Parallelism | None = None

    def request(self) -> BuildRequest:
        return BuildRequest(load_config(self.root), jobs=2, parallel=self.parallel)

    def build(self):
        return build(self.request())

    @property
    def out(self) -> Path:
        return self.root / "build"

    def clean_tree(self) -> Tree:
        shutil.rmtree(self.out, ignore_errors=True)
        shutil.rmtree(self.root / ".sitegen", ignore_errors=True)
        self.build()
        return _tree(self.out)


def _replace(site: Site, rel: str, old: str, new: str) -> None:
    path = site.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


EDITS: dict[str, Callable[[Site], None]] = {
    "body": lambda s: _replace(s, "content/a4.md", "More.", "More, and then some."),
    "title": lambda s: _replace(s, "content/a4.md", "title: Article 4", "title: Renamed four"),
    "date": lambda s: _replace(s, "content/a4.md", "date: 2024-03-05", "date: 2024-03-30"),
    "tag added": lambda s: _replace(s, "content/a4.md", "tags: [tag1]", "tags: [tag1, fresh]"),
    "tag removed": lambda s: _replace(s, "content/a5.md", "tags: [tag2]", "tags: []"),
    "draft": lambda s: _replace(s, "content/a4.md", "tags:", "draft: true\ntags:"),
    "deleted": lambda s: (s.root / "content/a4.md").unlink(),
    "renamed": lambda s: (s.root / "content/a4.md").rename(s.root / "content/moved.md"),
    "added": lambda s: s.write("content/new.md", _article(20, "tag0, brand")),
    "template": lambda s: (
        s.write("templates/partials/footer.html", "<footer>changed footer</footer>\n")
        if (s.root / "templates").exists()
        else _copy_template(s)
    ),
    "setting": lambda s: s.config("per_page: 2\n"),
    "static": lambda s: (s.root / "static" / "img" / "pic.png").write_bytes(OTHER_PIC),
    "link target": lambda s: _replace(
        s, "content/a0.md", "title: Article 0", "slug: first-one\ntitle: Article 0"
    ),
}


EVERY_BATCH = Parallelism(jobs=2, min_pages=1, min_loads=1)


def _copy_template(site: Site) -> None:
    """Override the theme's base template with an edited copy (a template change)."""
    theme = load_config(site.root).theme_path() / "templates" / "base.html"
    text = theme.read_text(encoding="utf-8")
    assert "</body>" in text
    site.write("templates/base.html", text.replace("</body>", "<p>edited template</p>\n</body>"))


@pytest.fixture(params=["serial", "parallel"])
def mode(request, monkeypatch):
    if request.param == "parallel":  # every stage through the pool, however small the site
        monkeypatch.setattr(Site, "parallel", EVERY_BATCH)
    return request.param


@pytest.fixture(params=list(FEATURES))
def features(request) -> str:
    return request.param


@pytest.mark.parametrize("edit", list(EDITS))
def test_incremental_equals_clean(tmp_path: Path, edit: str, mode: str, features: str) -> None:
    site = Site(tmp_path / "site", features)
    site.build()
    before_tree, before_stamps = _tree(site.out), _stamps(site.out)
    EDITS[edit](site)
    result = site.build()
    incremental, after_stamps = _tree(site.out), _stamps(site.out)
    fingerprints = Manifest.load(site.out).files
    assert incremental == site.clean_tree(), (
        f"incremental build after '{edit}' differs from a clean build"
    )
    # and so does every fingerprint the manifest keeps for the next build (engine/record.py
    # leaves most pages' as they were: each must be what a clean build works out)
    clean = Manifest.load(site.out).files
    assert fingerprints == clean, sorted(p for p in clean if fingerprints.get(p) != clean[p])
    # files with the same bytes are the same files: not rewritten
    for rel, data in incremental.items():
        if before_tree.get(rel) == data:
            assert after_stamps[rel] == before_stamps[rel], (
                f"{rel} was rewritten with the same bytes"
            )
    changed = {rel for rel, data in incremental.items() if before_tree.get(rel) != data}
    assert changed or set(before_tree) != set(incremental), f"'{edit}' changed nothing"
    if features != "plain":
        assert "search/manifest.js" in incremental and any(
            rel.startswith("search/s/") for rel in incremental
        )
    assert result.written <= len(changed) + 1  # +1: a copied file counts as written when touched


def test_unchanged_build_writes_nothing(tmp_path: Path, features: str) -> None:
    site = Site(tmp_path / "site", features)
    site.build()
    stamps = _stamps(site.out)
    result = site.build()
    assert result.written == 0 and result.removed == 0
    assert _stamps(site.out) == stamps


def test_body_edit_rewrites_only_its_page_and_feeds(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    site.build()
    before = _tree(site.out)
    EDITS["body"](site)
    site.build()
    after = _tree(site.out)
    changed = sorted(rel for rel in after if before.get(rel) != after[rel])
    assert "a4/index.html" in changed
    assert all(
        rel == "a4/index.html" or rel.endswith(("feed.xml", "rss.xml")) for rel in changed
    ), changed


def test_same_size_same_mtime_edit_is_seen(tmp_path: Path) -> None:
    """A file rewritten within one time stamp tick with the same size (racy clean) is re-read."""
    site = Site(tmp_path / "site")
    site.build()
    path = site.root / "content" / "a4.md"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Paragraph of article 4", "Paragraph of ARTICLE 4"), encoding="utf-8"
    )
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    site.build()
    assert b"Paragraph of ARTICLE 4" in (site.out / "a4" / "index.html").read_bytes()


def test_stale_cache_from_other_settings_is_not_used(tmp_path: Path) -> None:
    """Bodies cached under other Markdown settings are never served (raw_html off escapes HTML)."""
    site = Site(tmp_path / "site")
    site.write("content/a1.md", _article(1, body="Text with <b>raw</b> HTML."))
    site.build()
    assert b"<b>raw</b>" in (site.out / "a1" / "index.html").read_bytes()
    site.config("raw_html: false\n")
    site.build()
    assert b"<b>raw</b>" not in (site.out / "a1" / "index.html").read_bytes()


@pytest.mark.parametrize(
    "edits", [["body", "title", "tag added", "template", "deleted", "setting"]]
)
def test_builder_runs_equal_fresh_builds(
    tmp_path: Path, edits: list[str], mode: str, features: str
) -> None:
    """The preview's Builder keeps state in memory between runs; every run equals a fresh build."""
    site = Site(tmp_path / "site", features)
    clean_site = Site(tmp_path / "clean", features)
    builder = Builder(site.request())
    builder.run()
    for edit in edits:
        EDITS[edit](site)
        EDITS[edit](clean_site)
        builder.request = site.request()  # the preview reloads the config when it changes
        builder.run()
        assert _tree(site.out) == clean_site.clean_tree(), f"Builder run after '{edit}' differs"


@pytest.mark.parametrize("edits", [[e for e in EDITS if e != "deleted"]])  # renamed deletes too
def test_preview_builds_in_place_equal_fresh_builds(
    tmp_path: Path, edits: list[str], mode: str, features: str
) -> None:
    """The preview folder is updated in place (no staging); after every kind of edit it holds
    exactly what a clean build makes, and a failed run leaves a manifest that tells the truth."""
    site = Site(tmp_path / "site", features)
    clean_site = Site(tmp_path / "clean", features)

    def preview_request() -> BuildRequest:
        config = load_config(site.root)
        return BuildRequest(
            config,
            output=config.cache_path / "preview",
            jobs=2,
            preview=True,
            parallel=site.parallel,
        )

    builder = Builder(preview_request())
    preview = site.root / ".sitegen" / "preview"
    builder.run()
    for edit in edits:
        EDITS[edit](site)
        EDITS[edit](clean_site)
        builder.request = preview_request()
        builder.run()
        assert _tree(preview) == clean_site.clean_tree(), f"preview after '{edit}' differs"
        assert not [p for p in preview.rglob("*.tmp")]
    # a template error part way: the next good run still equals a clean build
    site.write(
        "templates/article.html",
        "{% extends 'base.html' %}{% block main %}{{ nope }}{% endblock %}",
    )
    with pytest.raises(BuildFailed):
        builder.run()
    (site.root / "templates" / "article.html").unlink()
    builder.run()
    assert _tree(preview) == clean_site.clean_tree()


# the edits that change content files in place, and nothing else: told of one, the preview walks
# nothing
EDITED_ONLY = ("body", "title", "date", "tag added", "tag removed", "draft", "link target")


def _sources(site: Site) -> dict[Path, tuple[int, int, int] | None]:
    """Every file and folder of the site but its output and caches, with its stat (a folder:
    None): what a watcher compares."""
    found: dict[Path, tuple[int, int, int] | None] = {}
    for path in site.root.rglob("*"):
        if path.is_relative_to(site.out) or path.is_relative_to(site.root / ".sitegen"):
            continue
        st = path.lstat()
        found[path] = None if path.is_dir() else (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def _watched(before: dict, after: dict) -> set[Path]:
    """The paths a watcher reports between two `_sources`: made, deleted or changed."""
    return {p for p in before.keys() | after.keys() if before.get(p, 0) != after.get(p, 0)}


@pytest.mark.parametrize("edits", [[e for e in EDITS if e != "deleted"]])
def test_the_preview_told_what_changed_equals_fresh_builds(
    tmp_path: Path, edits: list[str], mode: str, features: str, monkeypatch
) -> None:
    """The preview's watcher tells each build which files changed (`Builder.run(changed)`): a
    batch of edited content files is taken without a walk of content/ and without a stat of
    every other file (content/article.py::same_listing), anything else walks it. Told of every
    kind of edit as a watcher tells it, the preview holds what a clean build makes; and a file
    changed without a word from the watcher is found by the next walk."""
    site = Site(tmp_path / "site", features)
    clean_site = Site(tmp_path / "clean", features)
    config = load_config(site.root)
    preview = config.cache_path / "preview"
    builder = Builder(BuildRequest(config, output=preview, jobs=2, preview=True))
    builder.run()
    walks: list[None] = []
    discover = steps.discover
    monkeypatch.setattr(steps, "discover", lambda *a: walks.append(None) or discover(*a))
    for edit in edits:
        before = _sources(site)
        EDITS[edit](site)
        EDITS[edit](clean_site)
        told = _watched(before, _sources(site))
        assert told, edit
        builder.request = dataclasses.replace(builder.request, config=load_config(site.root))
        walked = len(walks)
        builder.run(told)
        assert len(walks) == walked + (edit not in EDITED_ONLY), edit
        assert _tree(preview) == clean_site.clean_tree(), f"preview after '{edit}' differs"
    # unseen by the watcher: left until a batch that is not only edits (here, a new file)
    _replace(site, "content/a2.md", "More.", "Unseen.")
    _replace(clean_site, "content/a2.md", "More.", "Unseen.")
    site.write("content/b.md", _article(21))
    clean_site.write("content/b.md", _article(21))
    builder.run({site.root / "content" / "b.md"})
    assert _tree(preview) == clean_site.clean_tree()


def test_the_preview_writes_its_manifest_once_the_pages_are_told(tmp_path: Path) -> None:
    """The preview's folder is updated in place and its manifest written after the pages were
    told to reload (`Builder.let_go`); until then there is none, so a preview killed in between
    renders everything again next time instead of trusting a manifest that may not hold."""
    site = Site(tmp_path / "site", "search+related")
    config = load_config(site.root)
    preview = config.cache_path / "preview"
    builder = Builder(BuildRequest(config, output=preview, jobs=1, preview=True))
    for edit in (None, "body", "title"):
        if edit:
            EDITS[edit](site)
            builder.request = dataclasses.replace(builder.request, config=load_config(site.root))
        result = builder.run()
        assert not (preview / MANIFEST).exists()
        builder.let_go()
        assert Manifest.load(preview).files == result.files


def test_the_preview_keeps_its_builds_out_of_the_collectors_sight(tmp_path: Path) -> None:
    """A build runs with the cycle collector paused, so what it allocated is all in the youngest
    generation; the preview keeps it, and the first collection after it would walk all of it
    (9 s at 500,000 articles, in which a save's page waited). Once `Builder.run` returns, it is
    frozen: the young generations hold almost nothing."""
    import gc

    site = Site(tmp_path / "site", "search+related")
    config = load_config(site.root)
    builder = Builder(BuildRequest(config, output=config.cache_path / "preview", preview=True))
    try:
        gc.unfreeze()
        gc.collect()
        before = gc.get_freeze_count()
        with gc_paused():
            builder.run()
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
        assert gc.get_freeze_count() > before + 10_000  # the build's objects, and the rest
        assert young < 1_000
    finally:
        gc.unfreeze()


def test_corrupt_caches_are_discarded(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    expected = site.clean_tree()
    (site.root / ".sitegen" / "cache.sqlite").write_bytes(b"not a database" * 100)
    shutil.rmtree(site.out)
    site.build()
    assert _tree(site.out) == expected


def test_a_body_edit_rewrites_its_document_and_only_the_shards_it_touches(tmp_path: Path) -> None:
    """With search on, a small body edit changes the edited article's document file, the
    shards holding the terms whose frequency changed, and the manifest; every other index file
    keeps its bytes and is not rewritten (same inode and mtime)."""
    site = Site(tmp_path / "site", "search+related")
    for i in range(40):  # many distinct words: the index spreads over many shards
        words = " ".join(f"w{i}x{j}" for j in range(120))
        site.write(
            f"content/b{i}.md",
            f"---\ntitle: Batch {i}\ndate: 2024-04-{1 + i % 28:02d}\n---\n\nWords {words}.\n",
        )
    site.build()
    before, stamps = _tree(site.out), _stamps(site.out)
    shards = {rel for rel in before if rel.startswith("search/s/")}
    assert len(shards) > 4
    _replace(site, "content/b7.md", "Words w7x0", "Words quetzal w7x0")
    site.build()
    after, after_stamps = _tree(site.out), _stamps(site.out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    changed_shards = changed & shards
    assert changed_shards and len(changed_shards) <= 2, changed_shards  # "quetzal", "words"
    assert {rel for rel in changed if rel.startswith("search/")} == {
        "search/manifest.js",
        *changed_shards,
        *(rel for rel in changed if rel.startswith("search/d/")),
    }
    assert len([rel for rel in changed if rel.startswith("search/d/")]) == 1
    for rel in shards - changed_shards:
        assert after_stamps[rel] == stamps[rel], f"{rel} was rewritten"
    assert after == site.clean_tree()


def test_damaged_search_and_related_caches_are_dropped_with_a_warning(tmp_path: Path) -> None:
    """Each cache file of the related lists and the search index, damaged in turn (cut short,
    overwritten with garbage) before an edit, costs one warning, never a traceback; the build
    equals a clean build."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    cache = site.root / ".sitegen"
    names = ("related-lists.marshal", "related-index.marshal", "search-state.marshal")
    step = 0
    for name in names:
        for damage in ("truncated", "garbage"):
            data = (cache / name).read_bytes()
            (cache / name).write_bytes(
                data[: len(data) // 3] if damage == "truncated" else b"\x80junk"
            )
            step += 1
            _replace(site, "content/a4.md", "More", f"More {step}")
            result = site.build()
            warnings = [str(w) for w in result.diagnostics.warnings]
            assert len(warnings) == 1 and "damaged cache" in warnings[0], (name, damage, warnings)
            assert _tree(site.out) == site.clean_tree(), (name, damage)


@pytest.mark.parametrize("loss", ["rows gone", "rows of another version", "garbage"])
@pytest.mark.parametrize("kept", ["search-counts.sqlite", "related-counts.sqlite"])
def test_term_counts_lost_are_worked_out_again(tmp_path: Path, kept: str, loss: str) -> None:
    """Each article's term counts (for search, for related articles) are a row of a SQLite
    file, read only for the articles an edit touches. Rows gone, rows kept under another key,
    or a damaged database (one warning) only mean the counts are worked out again: the build
    equals a clean one."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    db = site.root / ".sitegen" / kept
    if loss == "garbage":
        db.write_bytes(b"not a database" * 100)
        for extra in ("-wal", "-shm"):
            db.with_name(db.name + extra).unlink(missing_ok=True)
    else:
        with sqlite3.connect(db) as conn:
            if loss == "rows gone":
                conn.execute("DELETE FROM counts")
            else:
                conn.execute("UPDATE counts SET version = 'another'")
        conn.close()
    _replace(site, "content/a4.md", "More.", "More, edited.")
    result = site.build()
    warnings = [str(w) for w in result.diagnostics.warnings]
    if loss == "garbage":
        assert len(warnings) == 1 and "cache database was damaged" in warnings[0], warnings
    else:
        assert not warnings, warnings
    assert _tree(site.out) == site.clean_tree()


def test_edited_articles_that_swap_places_equal_a_clean_build(tmp_path: Path) -> None:
    """Two articles edited so that they trade places (and search document numbers) while no
    other article moves: the postings of the words both hold follow both."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    _replace(site, "content/a3.md", "date: 2024-03-04", "date: 2024-03-05")
    _replace(site, "content/a4.md", "date: 2024-03-05", "date: 2024-03-04")
    site.build()
    assert _tree(site.out) == site.clean_tree()


def test_kept_indexes_write_only_their_changes(tmp_path: Path) -> None:
    """After a body edit the related lists' index and the search index's state keep their
    files and write what changed beside them (engine/journal.py); edit after edit the build
    equals a clean one, and changes lost cost one warning, not a wrong page."""
    site = Site(tmp_path / "site", "search+related")
    words = ["harbour", "council", "storm", "bridge", "ferry", "market", "school", "river"]
    for i in range(60):
        body = " ".join(words[(i * 7 + k) % len(words)] + f"{k % 5}" for k in range(40))
        site.write(f"content/b{i}.md", _article(i % 28, f"tag{i % 4}", body=body))
    site.build()
    cache = site.root / ".sitegen"
    names = ("related-index.marshal", "search-state.marshal")
    bases = {name: (cache / name).read_bytes() for name in names}
    for step in range(3):
        path = site.root / "content" / "b7.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\nA word{step}x appears.\n")
        result = site.build()
        assert not result.diagnostics.warnings
        for name in names:
            assert (cache / name).read_bytes() == bases[name], (step, name)
            assert (cache / f"{name}.changes").stat().st_size < len(bases[name]) // 4
    # what the files hold with their changes is what a build from nothing writes
    edited = _tree(site.out)
    held = _kept_indexes(site)
    assert all(value is not None for value in held)
    assert edited == site.clean_tree()
    assert held == _kept_indexes(site)
    for step in range(2):
        _replace(site, "content/b7.md", f"word{step}x", f"word{step}y")
        site.build()
    for name in names:
        (cache / f"{name}.changes").write_bytes(b"\x80junk")
        _replace(site, "content/b9.md", "council", "councillor")
        result = site.build()
        warnings = [str(w) for w in result.diagnostics.warnings]
        assert len(warnings) == 1 and "damaged cache" in warnings[0], (name, warnings)
        edited = _tree(site.out)
    assert edited == site.clean_tree()


def _kept_indexes(site: Site) -> list:
    """The related lists' index and the search index's state as kept, their changes applied."""
    from sitegen.engine import related_cache, search_cache
    from sitegen.engine.journal import read_kept
    from sitegen.engine.keys import cache_key
    from sitegen.errors import Diagnostics

    config, cache = load_config(site.root), site.root / ".sitegen"
    return [
        read_kept(cache / related_cache.INDEX_FILE, cache_key("related", 3), Diagnostics())[0],
        read_kept(
            cache / search_cache.INDEX_FILE,
            cache_key("search", config.date_format),
            Diagnostics(),
        )[0],
    ]


def test_search_index_follows_a_chain_of_random_edits(tmp_path: Path, monkeypatch) -> None:
    """Body rewrites, date moves (articles trading places, numbers shifting), deletions and
    additions, in a seeded random chain: after each build the search files equal those of a
    clean build of the same content. The kept indexes write their changes beside their files
    after nearly every edit here (a share of 1 instead of a site's `SHARE`)."""
    import random

    from sitegen.engine import journal

    monkeypatch.setattr(journal, "SHARE", 1)
    rng = random.Random(20261201)
    words = [
        "harbour",
        "council",
        "storm",
        "bridge",
        "ferry",
        "market",
        "school",
        "river",
        "tower",
        "garden",
    ]
    site = Site(tmp_path / "site", "search+related")
    site.build()
    names = [f"a{i}" for i in range(9)]
    kinds = ["body", "date", "add", "body", "delete", "date", "body", "add", "date", "delete"]
    for step, kind in enumerate(kinds * 2):
        if kind == "delete" and len(names) > 4:
            (site.root / "content" / f"{names.pop(rng.randrange(len(names)))}.md").unlink()
        elif kind == "add" or kind == "delete":
            names.append(f"n{step}")
            body = " ".join(rng.choices(words, k=12))
            site.write(f"content/n{step}.md", _article(rng.randrange(20), body=body))
        else:
            name = rng.choice(names)
            path = site.root / "content" / f"{name}.md"
            text = path.read_text(encoding="utf-8")
            head, _, body = text.partition("---\n\n")
            if kind == "body":
                body = " ".join(rng.choices(words, k=rng.randrange(3, 15))) + "\n"
            else:
                day = rng.randrange(1, 28)
                head = "\n".join(
                    f"date: 2024-03-{day:02d}" if line.startswith("date:") else line
                    for line in head.split("\n")
                )
            path.write_text(f"{head}---\n\n{body}", encoding="utf-8")
        site.build()
        incremental = {k: v for k, v in _tree(site.out).items() if k.startswith("search/")}
        clean = _clean_search_files(site, tmp_path / f"clean{step}")
        assert incremental == clean, (step, kind)


def _clean_search_files(site: Site, where: Path) -> Tree:
    """The search files of a clean build of a copy of `site`'s content and settings."""
    shutil.copytree(site.root / "content", where / "content")
    shutil.copytree(site.root / "static", where / "static")
    shutil.copy(site.root / "site.yaml", where / "site.yaml")
    build(BuildRequest(load_config(where), jobs=2))
    return {k: v for k, v in _tree(where / "build").items() if k.startswith("search/")}


def test_output_removed_with_caches_kept_equals_a_clean_build(tmp_path: Path) -> None:
    """Search files unchanged since the last build are made again from the site when the
    output folder lacks them (the cache keeps no copy of their bytes)."""
    site = Site(tmp_path / "site", "search+related")
    site.build()
    _replace(site, "content/a4.md", "More.", "More, edited.")
    site.build()
    shutil.rmtree(site.out)
    site.build()
    assert _tree(site.out) == site.clean_tree()


def test_the_body_cache_lets_go_of_bodies_no_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another version of the settings (or of sitegen) renders every body again under new
    keys, and each edit adds one: once the cache holds half again as many bodies as the site
    has pages (plus a slack, 0 here), those no page shows go. The output stays a clean one."""
    from sitegen.engine import cache

    monkeypatch.setattr(cache, "PRUNE_SLACK", 0)
    site = Site(tmp_path / "site")
    db = site.root / ".sitegen" / "cache.sqlite"

    def bodies() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM bodies").fetchone()[0]

    site.build()
    assert bodies() == 9
    site.config("raw_html: false\n")  # shapes every body: all nine again, under new keys
    site.build()
    assert bodies() == 9  # 18 > 9 * 3 // 2: the old nine went
    counts = []
    for n in range(6):
        _replace(site, "content/a4.md", f"article 4.{'!' * n}", f"article 4.{'!' * (n + 1)}")
        site.build()
        counts.append(bodies())
    assert counts == [10, 11, 12, 13, 9, 10]
    edited = _tree(site.out)
    assert edited == site.clean_tree()


def test_preview_builder_follows_a_chain_of_random_edits(tmp_path: Path) -> None:
    """The preview's Builder hands parts of its last plan (listing views, article pages, page
    fingerprints) to the next when their inputs are the same. Through a seeded random chain of
    the edits that reach other articles' pages (titles that neighbours and translations show,
    dates that reorder, tags, related lists, pages of their own, aliases, a picture that goes
    and comes back), every run equals a clean build."""
    import random

    rng = random.Random(20261201)
    words = ["harbour", "council", "storm", "bridge", "ferry", "market", "tower", "garden"]
    languages = "languages: [en, fr]\n"
    site, clean = (
        Site(tmp_path / "site", "search+related"),
        Site(tmp_path / "clean", "search+related"),
    )
    for s in (site, clean):
        s.config(languages)
        s.write("content/a2.fr.md", _article(2, "tag2"))
    builder = Builder(site.request())
    builder.run()

    def edit(s: Site, kind: str, name: str, value: str) -> None:
        path = s.root / "content" / f"{name}.md"
        text = path.read_text(encoding="utf-8")
        head, _, body = text.partition("---\n\n")
        lines = head.split("\n")
        if kind == "body":
            body = value + "\n"
        elif kind in ("title", "date", "tags"):
            lines = [f"{kind}: {value}" if line.startswith(f"{kind}:") else line for line in lines]
        elif kind in ("listed", "aliases", "categories"):
            lines = [line for line in lines if not line.startswith(f"{kind}:")]
            if value:
                lines.insert(1, f"{kind}: {value}")
        path.write_text("\n".join(lines) + "---\n\n" + body, encoding="utf-8")

    def random_edit() -> tuple[str, str, str]:
        kind = rng.choice(
            ["body", "title", "date", "tags", "listed", "aliases", "categories", "picture"]
        )
        name = rng.choice(["a1", "a2", "a2.fr", "a3", "a4", "a5"])
        value = {
            "body": " ".join(rng.choices(words, k=rng.randrange(3, 12))),
            "title": f"Title {rng.choice(words)}",
            "date": f"2024-03-{rng.randrange(1, 28):02d}",
            "tags": f"[{rng.choice(words)}, tag{rng.randrange(3)}]",
            "listed": rng.choice(["false", ""]),
            "aliases": rng.choice(["[/old/" + name + "/]", ""]),
            "categories": rng.choice(["[News]", "[Sport]", "[news]", ""]),
            "picture": "",
        }[kind]
        return kind, name, value

    # first the edits that reach pages of articles not edited: a translation's title (in its
    # other version's page), a category's or tag's spelling (in every page naming it), then
    # at random
    chain = [
        ("title", "a2", "Title harbour"),
        ("categories", "a3", "[News]"),
        ("categories", "a1", "[news]"),
        ("categories", "a3", ""),
        # three spell it Tag0 then, as many as tag0 (a0, a3, a6): the shown spelling changes
        ("tags", "a4", "[Tag0]"),
        ("tags", "a1", "[Tag0]"),
        ("tags", "a5", "[Tag0]"),
    ]
    chain += [random_edit() for _ in range(24)]
    picture = site.root / "static" / "img" / "pic.png"
    for step, (kind, name, value) in enumerate(chain):
        for s in (site, clean):
            if kind == "picture":
                pic = s.root / "static" / "img" / "pic.png"
                if pic.exists():
                    pic.unlink()
                else:
                    pic.write_bytes(PIC)
            else:
                edit(s, kind, name, value)
        # a missing picture is a warning here, as in the preview
        builder.request = dataclasses.replace(site.request(), keep_going=not picture.exists())
        builder.run()
        expected, plan = _clean_build_of(clean, keep_going=not picture.exists())
        assert _tree(site.out) == expected, (step, kind, name, value)
        # what the templates see, too: a theme may show what the default theme does not
        recalled = {job.path: job.context for job in builder.state.last.plan.pages}
        assert recalled == {job.path: job.context for job in plan.pages}, (step, kind, name)


def test_the_preview_patches_its_plan_when_only_bodies_change(tmp_path: Path) -> None:
    """An edit that changes only what an article says, its title, summary or reading time (not
    its date, tags or address) patches the last site model and plan: the edited pages, the
    listings, neighbours, feeds, translations and redirects showing a new title or summary, the
    related lists the new words change and the search files are made again, nothing else. Every run equals a clean
    build, contexts and site model included; an edit that reaches other pages plans in full,
    and so does the build after one that reported a problem."""
    site, clean = (
        Site(tmp_path / "site", "search+related"),
        Site(tmp_path / "clean", "search+related"),
    )
    for s in (site, clean):  # two languages: each has its own listing to put edits in
        s.config("languages: [en, fr]\n")
        s.write("content/a2.fr.md", _article(2, "tag2"))
    builder = Builder(site.request())
    builder.run()
    long = "More. " + " ".join(["words"] * 300)  # a second minute to read
    steps = [
        # (file, old text, new text, keep_going, plan patched, model patched)
        ("a4", "More.", "More about the harbour storm.", False, True, True),
        ("a2.fr", "More.", "More in French.", False, True, True),
        # a5 now shares words with a4: related lists of other articles change
        ("a5", "More.", "More about the harbour storm and the bridge.", False, True, True),
        # other references: a link to another article, the picture twice
        (
            "a4",
            "More about",
            "More ![again](/img/pic.png) and [three](a3.md) about",
            False,
            True,
            True,
        ),
        # the first paragraph is the summary: listings, neighbours and feeds show it
        ("a3", "Paragraph of article 3.", "Paragraph of article three.", False, True, True),
        ("a8", "More.", long, False, True, True),
        # a summary of its own: a line more in the front matter plans in full, then its text
        ("a7", "tags:", "summary: Seven, in short.\ntags:", False, False, False),
        ("a7", "Seven, in short.", "Seven, in a few words.", False, True, True),
        # a missing picture is reported (a warning here): planned in full, and the next too
        ("a6", "More.", "More ![gone](/img/gone.png).", True, False, True),
        ("a6", "![gone](/img/gone.png)", "and more", False, False, True),
        ("a6", "and more", "and even more", False, True, True),
        # a title: in listings, neighbours, feeds, its translations' and aliases' pages
        ("a5", "title: Article 5", "title: Article five", False, True, True),
        ("a2", "title: Article 2", "title: Article two", False, True, True),
        ("a1", "tags:", "aliases: [/old-one/]\ntags:", False, False, False),
        ("a1", "title: Article 1", "title: Article one", False, True, True),
        # a page of its own is named in every page's footer: planned in full
        ("a8", "tags:", "listed: false\ntags:", False, False, False),
        ("a8", "title: Article 8", "title: Article eight", False, False, True),
    ]
    for step, (name, old, new, keep_going, patched, model_patched) in enumerate(steps):
        for s in (site, clean):
            _replace(s, f"content/{name}.md", old, new)
        builder.request = dataclasses.replace(site.request(), keep_going=keep_going)
        last_model = builder.state.model.site
        result = builder.run()
        assert result.patched is bool(patched), step
        expected, plan = _clean_build_of(clean, keep_going=keep_going)
        assert _tree(site.out) == expected, step
        # the site model too: the last one with the edited articles in place, when the edit
        # left every other page as it was
        model, clean_model = builder.state.model.site, _clean_build_of.site
        assert (model.tags is last_model.tags) is bool(model_patched), step
        assert _model(model) == _model(clean_model), step
        made = {job.path: job.context for job in builder.state.last.plan.pages}
        assert made == {job.path: job.context for job in plan.pages}, step
        assert builder.state.last.plan.copies.keys() == plan.copies.keys(), step
        assert builder.state.last.plan.views == plan.views, step


def test_an_article_due_between_two_body_edits_appears(tmp_path: Path, monkeypatch) -> None:
    """The preview takes its last site model when only bodies changed, unless an article has
    come due (or expired) since: a post scheduled for noon is in the first build after noon."""
    site = Site(tmp_path / "site", "search+related")
    site.write(
        "content/later.md", _article(5, "tag0").replace("2024-03-06", "2024-06-01T12:00:00Z")
    )
    noon = 1717243200  # 2024-06-01T12:00:00Z
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(noon - 60))
    builder = Builder(site.request())
    builder.run()
    assert not (site.out / "later").exists()
    _replace(site, "content/a4.md", "More.", "More, an hour later.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(noon + 3600))
    builder.run()
    assert (site.out / "later" / "index.html").is_file()
    assert b'href="later/"' in (site.out / "index.html").read_bytes()


def _model(site) -> tuple:
    """A site model's parts, each article by its path and content (the two sites' caches are
    not the same files)."""

    def articles(items) -> list[tuple[str, str]]:
        return [(a.rel, a.content_hash) for a in items]

    return (
        articles(site.pages),
        articles(site.listed),
        {key: articles(versions) for key, versions in site.translations.items()},
        [(s.prefix, articles(s.listed), s.tags, s.categories) for s in site.sections],
        site.tags,
        site.categories,
        site.urls,
    )


def _clean_build_of(site: Site, keep_going: bool):
    """The output tree and the plan of a clean build of `site`."""
    shutil.rmtree(site.out, ignore_errors=True)
    shutil.rmtree(site.root / ".sitegen", ignore_errors=True)
    held: list = []
    build(dataclasses.replace(site.request(), keep_going=keep_going, hold=held))
    _clean_build_of.site = held[0][1]  # for the tests that compare the site model too
    return _tree(site.out), held[0][2].plan
