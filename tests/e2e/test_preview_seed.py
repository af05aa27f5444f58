"""The preview's first start on a built site: its folder starts from `build/`'s files (hard
links, output/seed.py) and its first build renders only what differs; neither folder is ever
changed through the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import Builder, BuildRequest
from sitegen.config import load_config
from sitegen.output import seed
from sitegen.output.seed import seed_from
from sitegen.output.writer import MANIFEST
from sitegen.serve.session import PreviewSession, preview_folder

from .test_check import PNG_1x1
from .test_serve_http import Quiet, _next_message, request


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below `folder` but the manifest: path -> (inode, bytes)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }


def _entries(folder: Path) -> dict[str, str]:
    """The manifest of `folder`: path -> "SHA FP"."""
    return json.loads((folder / MANIFEST).read_text())["files"]


def _bytes(files: dict[str, tuple[int, bytes]]) -> dict[str, bytes]:
    return {path: data for path, (_, data) in files.items()}


@pytest.fixture
def built(site):
    for n in range(1, 7):
        site.article(
            f"story-{n}.md",
            f"Story {n}",
            f"2024-0{n}-01",
            f"The harbour story number {n}, with boats and tides.",
            tags="[harbour, boats]" if n % 2 else "[tides]",
        )
    site.write("static/files/notes.txt", "plain notes\n")
    site.build()
    return site


def _preview_from_nothing(site, tmp_path: Path, **options) -> dict[str, bytes]:
    """The preview folder a first build makes with no `build/` beside it."""
    config = load_config(site.root)
    folder = tmp_path / "from-nothing"
    Builder(BuildRequest(config, run_import=False, preview=True, output=folder, **options)).run()
    return _bytes(_files(folder))


def test_a_first_preview_takes_the_built_files_and_renders_none_again(built, tmp_path):
    build = built.root / "build"
    before = _files(build)
    console = Quiet()
    with PreviewSession(load_config(built.root), "127.0.0.1", 0, console=console) as session:
        assert any("started from the" in line and "build/" in line for line in console.lines)
        preview = _files(session.output)
        # the same files as the built site, and still the same inodes after the first build:
        # none was written again
        assert preview == before
        # and every page's fingerprint the build's: the preview tells pages by what they are
        # made from as `sitegen build` does, so it had none to render again
        assert _entries(session.output) == _entries(build)
        assert b"The harbour story number 3" in request(session.server.port, "/story-3/")[2]
    assert preview == _files(build)
    assert _bytes(preview) == _preview_from_nothing(built, tmp_path)


def test_edits_on_either_side_never_reach_the_other_folder(built):
    build = built.root / "build"
    with PreviewSession(load_config(built.root), "127.0.0.1", 0, console=Quiet()) as session:
        built_files = _files(build)
        seq, _ = session.channel.hello()
        built.article(
            "story-2.md", "Story 2", "2024-02-01", "Edited while serving.", tags="[tides]"
        )
        assert _next_message(session, seq)["type"] == "reload"
        assert b"Edited while serving." in request(session.server.port, "/story-2/")[2]
        assert _files(build) == built_files  # the preview replaced its links, never wrote through
        # the reload above is the edited page's, rendered first: the build that updates the
        # listings goes on, so the preview's folder is taken once the session has stopped
        session.stop()
    previewed = _files(session.output)
    built.article("story-4.md", "Story 4", "2024-04-01", "Edited for the build.", tags="[tides]")
    built.build()
    assert "Edited for the build." in built.out("story-4/index.html")
    assert _files(session.output) == previewed  # and the build replaced its own
    assert b"Edited for the build." not in previewed["story-4/index.html"][1]


def test_a_preview_with_drafts_renders_what_differs(built, tmp_path):
    built.article("draft.md", "A draft", "2024-07-01", "Not yet public.", draft="true")
    built.build()
    build = built.root / "build"
    before = _files(build)
    assert "draft/index.html" not in before
    config = load_config(built.root)
    with PreviewSession(config, "127.0.0.1", 0, drafts=True, console=Quiet()) as session:
        preview = _files(session.output)
    assert "draft/index.html" in preview and _files(build) == before
    assert _bytes(preview) == _preview_from_nothing(built, tmp_path, drafts=True)
    # pages the draft does not reach are the built ones, not written again
    assert preview["story-1/index.html"] == before["story-1/index.html"]
    entries, built_entries = _entries(session.output), _entries(build)
    assert entries["story-1/index.html"] == built_entries["story-1/index.html"]
    assert entries["index.html"] != built_entries["index.html"]
    assert preview["index.html"][1] != before["index.html"][1]


def test_a_preview_folder_with_anything_in_it_is_not_started_from_build(built):
    config = load_config(built.root)
    folder = preview_folder(config)
    folder.mkdir(parents=True)
    (folder / "left-over.html").write_text("from a preview stopped mid-build")
    assert seed_from(folder, config.output_path) == 0
    assert [p.name for p in folder.iterdir()] == ["left-over.html"]
    assert seed_from(folder.parent / "other", built.root / "content") == 0  # no manifest there
    assert not (folder.parent / "other").exists()


def test_only_files_of_real_folders_below_the_build_are_taken(built, tmp_path):
    build = built.root / "build"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not the site's")
    (build / "linked").symlink_to(outside, target_is_directory=True)
    (build / "files-link.txt").symlink_to(outside / "secret.txt")
    manifest = json.loads((build / MANIFEST).read_text())
    fp = next(iter(manifest["files"].values()))
    odd = ("linked/secret.txt", "files-link.txt", "../outside/secret.txt", "/etc/hostname", "a\0b")
    for path in odd:
        manifest["files"][path] = fp
    (build / MANIFEST).write_text(json.dumps(manifest, separators=(",", ":")) + "\n")
    folder = tmp_path / "preview"
    taken = seed_from(folder, build)
    assert taken == len(manifest["files"]) - len(odd)
    names = set(json.loads((folder / MANIFEST).read_text())["files"])
    assert not names & {"linked/secret.txt", "files-link.txt", "../outside/secret.txt"}
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    assert "not the site's" not in {p.read_text() for p in folder.rglob("*.txt")}


def test_a_link_that_cannot_be_made_leaves_nothing(built, tmp_path, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(seed.os, "link", no_links)
    folder = tmp_path / "preview"
    assert seed_from(folder, built.root / "build") == 0
    assert not folder.exists() and os.listdir(tmp_path) == ["site"]


def test_a_build_swapped_in_meanwhile_leaves_nothing(built, tmp_path, monkeypatch):
    linking = seed._link_all

    def then_a_build(files, donor, part):
        linked = linking(files, donor, part)
        built.article("story-5.md", "Story 5", "2024-05-01", "A build meanwhile.")
        built.build()
        return linked

    monkeypatch.setattr(seed, "_link_all", then_a_build)
    folder = tmp_path / "preview"
    assert seed_from(folder, built.root / "build") == 0
    assert not folder.exists() and os.listdir(tmp_path) == ["site"]


def test_what_a_killed_start_left_is_removed_and_another_process_s_is_not(built, tmp_path):
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    folder = tmp_path / "preview"
    dead = tmp_path / f".preview.seeding.{int(ended.stdout)}"
    alive = tmp_path / f".preview.seeding.{os.getppid()}"
    for leftover in (dead, alive):
        (leftover / "story-1").mkdir(parents=True)
        (leftover / "story-1" / "index.html").write_text("half a start")
    assert seed_from(folder, built.root / "build") > 0
    assert not dead.exists() and alive.exists()
    assert sorted(os.listdir(tmp_path)) == [alive.name, "preview", "site"]


def test_every_page_has_the_same_fingerprint_in_the_preview_as_in_a_build(site, tmp_path):
    """What lets the preview start from build/: each kind of page (articles with pictures
    and links, translations, old addresses, tag, category and paginated listings, feeds,
    the sitemap, the search files) is told by the same fingerprint in both builds."""
    site.configure(
        """
        title: Fingerprints
        base_url: https://example.org/news/
        per_page: 2
        languages:
          - {code: en, name: English}
          - {code: fr, name: Français}
        """
    )
    site.write("static/images/harbour.png", PNG_1x1)
    for n in range(1, 6):
        site.article(
            f"story-{n}.md",
            f"Story {n}",
            f"2024-0{n}-01",
            f"Boats and tides, part {n}.\n\n![The harbour](/images/harbour.png)\n\n"
            f"[The first story](story-1.md)",
            tags="[harbour, boats]" if n % 2 else "[tides]",
            categories="[news]",
            aliases=f"[/old/story-{n}/]",
        )
    site.article("story-1.fr.md", "Histoire 1", "2024-01-01", "Bateaux et marées.", tags="[port]")
    site.build()
    config = load_config(site.root)
    folder = tmp_path / "preview"
    preview = Builder(BuildRequest(config, run_import=False, preview=True, output=folder))
    preview.run()
    preview.let_go()  # the preview writes its manifest once the pages are told
    built = _entries(site.root / "build")
    assert "old/story-2/index.html" in built and "fr/index.html" in built
    assert any(path.startswith("search/") for path in built)
    assert "page/2/index.html" in built and "tags/harbour/index.html" in built
    assert _entries(folder) == built
