"""The writer's spare files (output/spares.py): an edit's new files written into inodes kept
from earlier builds, never through a file anything else links, and never one a reader of the
output may still hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.output import spares as spares_module
from sitegen.output.spares import SparePool
from sitegen.output.writer import MANIFEST, OutputWriter


def build(out: Path, pool: Path, files: dict[str, bytes], delta: bool = True) -> OutputWriter:
    writer = OutputWriter(out, spares=pool)
    writer.start(0 if delta else None)
    for path, data in files.items():
        writer.write(path, data, fingerprint=path)
    writer.commit()
    return writer


def spare_files(pool: Path) -> list[Path]:
    return sorted(p for gen in pool.iterdir() for p in gen.iterdir())


def age(pool: Path) -> None:
    """Make every generation of replaced files old enough to be used."""
    for gen in pool.iterdir():
        if gen.name.startswith("r"):
            gen.rename(pool / f"r{int(gen.name[1:]) - int(spares_module.MIN_AGE * 2e9)}")


def test_no_spare_no_write(tmp_path):
    pool = SparePool(tmp_path / "spare", tmp_path / "build")
    assert not pool.write(tmp_path / "a.html", b"a")
    assert not (tmp_path / "a.html").exists()


def test_a_new_file_is_written_into_a_spare_made_ahead(tmp_path):
    gen = tmp_path / "spare" / "n1"
    gen.mkdir(parents=True)
    (gen / "0").write_bytes(b"")
    inode = (gen / "0").stat().st_ino
    pool = SparePool(tmp_path / "spare", tmp_path / "build")
    target = tmp_path / "stage" / "deep" / "a.html"  # its folder made on the way
    assert pool.write(target, b"page")
    assert target.read_bytes() == b"page" and target.stat().st_ino == inode
    assert not (gen / "0").exists()
    assert not pool.write(tmp_path / "stage" / "b.html", b"b")  # that was the only one


def test_replaced_files_are_kept_and_written_again_only_once_old_enough(tmp_path):
    out, pool = tmp_path / "build", tmp_path / "spare"
    build(out, pool, {"a.html": b"a1 long old bytes", "b.html": b"b1"}, delta=False)
    old = (out / "a.html").stat().st_ino
    build(out, pool, {"a.html": b"a2", "b.html": b"b1"})
    assert (out / "a.html").read_bytes() == b"a2"
    kept = spare_files(pool)
    assert [p.stat().st_ino for p in kept] == [old]  # linked aside, not freed
    assert kept[0].read_bytes() == b"a1 long old bytes"
    build(out, pool, {"a.html": b"a3", "b.html": b"b1"})  # too soon: a new file
    assert (out / "a.html").stat().st_ino != old
    age(pool)
    build(out, pool, {"a.html": b"a4", "b.html": b"b1"})
    assert (out / "a.html").stat().st_ino == old  # written again, cut to its new length
    assert (out / "a.html").read_bytes() == b"a4"
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["a.html", "b.html"]


def test_a_file_linked_from_elsewhere_is_never_kept_nor_written(tmp_path):
    """A snapshot of the output made with hard links (`cp -al`) keeps what it held."""
    out, pool, snap = tmp_path / "build", tmp_path / "spare", tmp_path / "snapshot"
    build(out, pool, {"a.html": b"a1", "b.html": b"b1"}, delta=False)
    snap.mkdir()
    os.link(out / "a.html", snap / "a.html")
    build(out, pool, {"a.html": b"a2", "b.html": b"b1"})
    assert not pool.exists() or spare_files(pool) == []
    # a spare that something else links too (here the snapshot) is dropped, not written
    gen = pool / "n1"
    gen.mkdir(parents=True, exist_ok=True)
    os.link(snap / "a.html", gen / "0")
    build(out, pool, {"a.html": b"a3", "b.html": b"b1"})
    assert (snap / "a.html").read_bytes() == b"a1"
    assert (out / "a.html").read_bytes() == b"a3"
    assert spare_files(pool) == [] or all(p.stat().st_nlink == 1 for p in spare_files(pool))


def test_big_files_and_a_full_pool_are_freed_as_before(tmp_path, monkeypatch):
    out, pool = tmp_path / "build", tmp_path / "spare"
    big = b"x" * (spares_module.MAX_SIZE + 1)
    build(out, pool, {"big.bin": big, "a.html": b"a1", "b.html": b"b1"}, delta=False)
    monkeypatch.setattr(spares_module, "CAP", 1)
    build(out, pool, {"big.bin": big + b"y", "a.html": b"a2", "b.html": b"b2"})
    kept = spare_files(pool)
    assert len(kept) == 1 and kept[0].read_bytes() in (b"a1", b"b1")


def test_a_spare_taken_by_another_build_is_skipped(tmp_path):
    gen = tmp_path / "spare" / "n1"
    gen.mkdir(parents=True)
    for name in ("0", "1"):
        (gen / name).write_bytes(b"")
    pool = SparePool(tmp_path / "spare", tmp_path / "build")
    pool._spares()
    (gen / "0").unlink()  # another build renamed it away after this one listed the pool
    (gen / "1").unlink()
    assert not pool.write(tmp_path / "a.html", b"a")


def test_spares_are_made_ahead_by_a_detached_process_only_for_a_big_site(tmp_path, monkeypatch):
    started = []
    with monkeypatch.context() as patch:
        patch.setattr(spares_module.subprocess, "Popen", lambda args, **kw: started.append(args))
        pool = SparePool(tmp_path / "spare", tmp_path / "build")
        pool.top_up(spares_module.TOP_UP_MIN - 1)
        assert started == []
        pool.top_up(spares_module.TOP_UP_MIN)
        assert len(started) == 1
    # what the process runs: a finished folder of empty files, none half made
    final = started[0][3]
    subprocess.run([sys.executable, "-c", spares_module._MAKER, final, "5"], check=True)
    made = spare_files(tmp_path / "spare")
    assert len(made) == 5 and all(p.stat().st_size == 0 for p in made)
    assert [p.name for p in (tmp_path / "spare").iterdir()] == [Path(final).name]
    # with enough spares in the pool, none are made
    monkeypatch.setattr(spares_module, "WANT", 8)
    monkeypatch.setattr(spares_module.subprocess, "Popen", lambda args, **kw: started.append(args))
    SparePool(tmp_path / "spare", tmp_path / "build").top_up(spares_module.TOP_UP_MIN)
    assert len(started) == 1


@pytest.mark.parametrize("kind", ["n", "r"])
def test_emptied_generations_are_removed(tmp_path, kind):
    out, pool = tmp_path / "build", tmp_path / "spare"
    build(out, pool, {"a.html": b"a1", "b.html": b"b1"}, delta=False)
    gen = pool / f"{kind}{time.time_ns() - 10**12}"
    gen.mkdir(parents=True)
    (gen / "0").write_bytes(b"")
    build(out, pool, {"a.html": b"a2", "b.html": b"b1"})
    assert not gen.exists()


def test_a_generation_that_is_a_link_is_never_used(tmp_path):
    """A link planted in the pool could lead to anybody's files: they are never written."""
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "0").write_bytes(b"keep me")
    pool_folder = tmp_path / "spare"
    pool_folder.mkdir()
    (pool_folder / "n1").symlink_to(theirs)
    pool = SparePool(pool_folder, tmp_path / "build")
    assert not pool.write(tmp_path / "a.html", b"a")
    assert (theirs / "0").read_bytes() == b"keep me"
