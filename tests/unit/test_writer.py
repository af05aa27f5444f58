"""OutputWriter: staged builds swapped in whole, files kept by hard link, the user's files
carried over, refusals, and recovery from builds that died; builds changing few files staged
as a delta and moved in (`delta=True`), under the same rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.errors import SiteError
from sitegen.output import writer as writer_module
from sitegen.output.writer import (
    MANIFEST,
    OutputWriter,
    check_output_folder,
    cleanup_leftovers,
    entry_fp,
    entry_sha,
    manifest_entry,
    missing_outputs,
)


def build(
    output: Path, files: dict[str, bytes], force: bool = False, delta: bool = False
) -> OutputWriter:
    writer = OutputWriter(output, force=force)
    writer.start(0 if delta else None)  # 0 changes announced: a delta, if there is an old build
    try:
        for path, data in files.items():
            writer.write(path, data, fingerprint=path)
        writer.commit()
    except BaseException:
        writer.abort()  # as build.py does
        raise
    return writer


def siblings(output: Path) -> list[str]:
    """What sits beside the output folder: staging and swap folders would show here."""
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


@pytest.mark.parametrize("delta", [False, True])
def test_build_swaps_in_with_manifest_and_no_leftovers(tmp_path, delta):
    out = tmp_path / "build"
    build(out, {"index.html": b"home", "a/index.html": b"a"}, delta=delta)
    assert (out / "index.html").read_bytes() == b"home"
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["a/index.html", "index.html"]
    assert siblings(out) == []
    build(out, {"index.html": b"home 2"}, delta=delta)
    assert not (out / "a").exists()  # sitegen's own stale page is removed
    assert siblings(out) == []


def test_unchanged_bytes_are_hard_links_that_keep_their_mtime(tmp_path):
    out = tmp_path / "build"
    build(out, {"same.html": b"same", "changes.html": b"v1"})
    os.utime(out / "same.html", ns=(10**18, 10**18))
    before = (out / "same.html").stat()
    result = build(out, {"same.html": b"same", "changes.html": b"v2"})
    after = (out / "same.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (out / "changes.html").read_bytes() == b"v2"
    assert (result.written, result.kept) == (1, 1)


def test_writing_never_changes_the_live_build_through_a_hard_link(tmp_path):
    out = tmp_path / "build"
    build(out, {"page.html": b"old", "style.css": b"old css"})
    writer = OutputWriter(out)
    writer.start()
    writer.keep("page.html")  # staged as a hard link to the live file...
    writer.write("page.html", b"new")  # ...then rewritten: must be a new file
    source = tmp_path / "src" / "new.css"
    source.parent.mkdir()
    source.write_bytes(b"new css")
    writer.keep("style.css")
    writer.copy("style.css", source, "other fingerprint")
    assert (out / "page.html").read_bytes() == b"old"
    assert (out / "style.css").read_bytes() == b"old css"
    writer.abort()
    assert (out / "page.html").read_bytes() == b"old" and siblings(out) == []


@pytest.mark.parametrize("delta", [False, True])
def test_files_sitegen_did_not_write_survive_every_build(tmp_path, delta):
    out = tmp_path / "build"
    build(out, {"index.html": b"home", "old/index.html": b"old"}, delta=delta)
    (out / "CNAME").write_text("example.org\n")
    (out / ".well-known" / "empty").mkdir(parents=True)
    (out / "old" / "notes.txt").write_text("mine")
    (out / "link").symlink_to("/nonexistent/target")
    (out / "linked-folder").symlink_to(tmp_path)
    build(out, {"index.html": b"home 2"}, delta=delta)
    assert (out / "CNAME").read_text() == "example.org\n"
    assert (out / ".well-known" / "empty").is_dir()
    assert (out / "old" / "notes.txt").read_text() == "mine"
    assert not (out / "old" / "index.html").exists()
    assert os.readlink(out / "link") == "/nonexistent/target"
    assert os.readlink(out / "linked-folder") == str(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    assert "CNAME" not in manifest["files"]


@pytest.mark.parametrize("foreign", ["about/index.html", "about", "index.html/x"])
@pytest.mark.parametrize("delta", [False, True])
def test_a_generated_file_never_replaces_a_users_file_unless_forced(tmp_path, foreign, delta):
    out = tmp_path / "build"
    build(out, {"index.html": b"home"}, delta=delta)
    if foreign == "index.html/x":
        foreign = "index.html"  # same path as a page sitegen writes, but not in its manifest
        manifest = json.loads((out / MANIFEST).read_text())
        manifest["files"].clear()
        (out / MANIFEST).write_text(json.dumps(manifest))
    else:
        (out / foreign).parent.mkdir(parents=True, exist_ok=True)
        (out / foreign).write_text("the user's page")
    snapshot = (out / foreign).read_text()
    with pytest.raises(SiteError, match="not written by sitegen"):
        build(out, {"index.html": b"home", "about/index.html": b"generated"}, delta=delta)
    assert (out / foreign).read_text() == snapshot and siblings(out) == []
    forced = build(
        out, {"index.html": b"home", "about/index.html": b"generated"}, force=True, delta=delta
    )
    assert forced.replaced == [foreign]
    assert (out / "about" / "index.html").read_bytes() == b"generated"


def test_fallback_swap_when_exchange_is_unsupported(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "_exchange", lambda a, b: False)
    out = tmp_path / "build"
    build(out, {"index.html": b"v1"})
    (out / "CNAME").write_text("x")
    build(out, {"index.html": b"v2"})
    assert (out / "index.html").read_bytes() == b"v2" and (out / "CNAME").read_text() == "x"
    assert siblings(out) == []


def test_renameat2_exchange_works_here(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").touch()
    if not writer_module._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) unsupported here; the fallback swap is used")
    assert (b / "from-a").exists() and not (a / "from-a").exists()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_build_puts_back_an_output_a_killed_fallback_swap_moved_aside(tmp_path):
    out = tmp_path / "build"
    build(out, {"index.html": b"v1", "gone/index.html": b"x"})
    pid = dead_pid()
    os.rename(out, tmp_path / f".build.sitegen-old-{pid}")  # killed between the two renames
    (tmp_path / f".build.sitegen-staging-{pid}").mkdir()
    writer = OutputWriter(out)
    assert (out / "index.html").read_bytes() == b"v1"
    assert writer.old.owned and "gone/index.html" in writer.old.files  # the manifest came back
    assert siblings(out) == []


def test_leftovers_of_dead_builds_go_but_running_builds_are_left_alone(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    dead = tmp_path / f".build.sitegen-staging-{dead_pid()}"
    live = tmp_path / f".build.sitegen-staging-{os.getppid()}"
    other = tmp_path / ".other.sitegen-staging-1"
    for folder in (dead, live, other):
        (folder / "sub").mkdir(parents=True)
    assert cleanup_leftovers(out) == [dead]
    assert live.exists() and other.exists() and not dead.exists()


@pytest.mark.parametrize("delta", [False, True])
def test_failed_build_leaves_output_untouched(tmp_path, delta):
    out = tmp_path / "build"
    build(out, {"index.html": b"v1"})
    writer = OutputWriter(out)
    writer.start(0 if delta else None)
    writer.write("index.html", b"v2")
    writer.abort()
    assert (out / "index.html").read_bytes() == b"v1" and siblings(out) == []


@pytest.mark.parametrize(
    "output",
    [
        ".",
        "..",
        "content",
        "content/sub",
        "seeds",
        "themes/mine",
        "static/out",
        "out-of-content/../content",
    ],
)
def test_refused_output_folders(tmp_path, output):
    site = tmp_path / "site"
    protected = [site / "content", site / "seeds", site / "themes", site / "static"]
    for folder in protected:
        folder.mkdir(parents=True)
    with pytest.raises(SiteError, match="nothing was changed"):
        check_output_folder(site / output, site, protected, force=True)


def test_non_empty_folder_needs_force_and_a_file_is_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "x").touch()
    with pytest.raises(SiteError, match="--force"):
        check_output_folder(tmp_path / "theirs", site, [], force=False)
    check_output_folder(tmp_path / "theirs", site, [], force=True)
    (tmp_path / "file").touch()
    with pytest.raises(SiteError, match="not a folder"):
        check_output_folder(tmp_path / "file", site, [], force=True)
    check_output_folder(tmp_path / "new", site, [], force=False)
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty", site, [], force=False)


def build_in_place(output: Path, files: dict[str, bytes], fail_after: int = -1) -> OutputWriter:
    """One preview build into `output`, updated where it is; raises after `fail_after` files."""
    writer = OutputWriter(output, in_place=True)
    writer.start()
    try:
        for n, (path, data) in enumerate(files.items()):
            if n == fail_after:
                raise RuntimeError("build failed")
            writer.write(path, data, fingerprint=path)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return writer


def test_in_place_replaces_changed_files_keeps_same_ones_and_deletes_stale(tmp_path):
    out = tmp_path / "preview"
    build_in_place(out, {"same.html": b"same", "changes.html": b"v1", "old/index.html": b"x"})
    same = (out / "same.html").stat()
    result = build_in_place(out, {"same.html": b"same", "changes.html": b"v2"})
    assert (out / "same.html").stat().st_ino == same.st_ino  # never rewritten
    assert (out / "changes.html").read_bytes() == b"v2"
    assert not (out / "old").exists()  # the stale page and its emptied folder are gone
    assert (result.written, result.kept, result.removed()) == (1, 1, ["old/index.html"])
    assert sorted(json.loads((out / MANIFEST).read_text())["files"]) == [
        "changes.html",
        "same.html",
    ]
    assert siblings(out) == []  # no staging folder beside the preview's


def test_in_place_counts_bytes_placed_ahead_as_kept(tmp_path):
    out = tmp_path / "preview"
    build_in_place(out, {"index.html": b"v1"})
    writer_module.place_ahead(out, {"index.html": b"v2"})  # the preview's first-page render
    result = build_in_place(out, {"index.html": b"v2"})
    assert (result.written, result.kept) == (0, 1)


def test_in_place_build_that_fails_records_what_is_on_disk(tmp_path):
    out = tmp_path / "preview"
    build_in_place(out, {"a.html": b"a1", "b.html": b"b1"})
    with pytest.raises(RuntimeError):
        build_in_place(out, {"a.html": b"a2", "b.html": b"b2"}, fail_after=1)
    files = json.loads((out / MANIFEST).read_text())["files"]
    assert (out / "a.html").read_bytes() == b"a2" and (out / "b.html").read_bytes() == b"b1"
    assert sorted(files) == ["a.html", "b.html"]
    assert entry_sha(files["a.html"]) != entry_sha(files["b.html"])
    result = build_in_place(out, {"a.html": b"a2", "b.html": b"b2"})
    assert (result.written, result.kept) == (1, 1)


def test_few_changes_are_moved_into_the_same_folder(tmp_path):
    out = tmp_path / "build"
    build(out, {"same.html": b"same", "changes.html": b"v1", "gone/index.html": b"x"})
    folder, same = out.stat().st_ino, (out / "same.html").stat()
    result = build(out, {"same.html": b"same", "changes.html": b"v2"}, delta=True)
    assert out.stat().st_ino == folder  # not swapped: only the changed files moved in
    after = (out / "same.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (same.st_ino, same.st_mtime_ns)
    assert (out / "changes.html").read_bytes() == b"v2" and not (out / "gone").exists()
    assert sorted(json.loads((out / MANIFEST).read_text())["files"]) == [
        "changes.html",
        "same.html",
    ]
    assert (result.written, result.kept) == (1, 1) and siblings(out) == []


def test_many_changes_are_swapped_in_whole(tmp_path):
    out = tmp_path / "build"
    build(out, {f"p{i}.html": b"v1" for i in range(20)})
    folder = out.stat().st_ino
    writer = OutputWriter(out)
    writer.start(changes=20)  # every file: more than DELTA_MAX_SHARE of the output
    for i in range(20):
        writer.write(f"p{i}.html", b"v2", f"p{i}.html")
    writer.commit()
    assert out.stat().st_ino != folder and (out / "p3.html").read_bytes() == b"v2"


def test_a_file_of_ours_becomes_a_folder_and_a_folder_a_file(tmp_path):
    out = tmp_path / "build"
    build(out, {"a": b"file", "b/index.html": b"page"})
    build(out, {"a/index.html": b"page", "b": b"file"}, delta=True)
    assert (out / "a" / "index.html").read_bytes() == b"page"
    assert (out / "b").read_bytes() == b"file" and siblings(out) == []


@pytest.mark.parametrize("moved", [0, 1])
def test_a_delta_commit_cut_off_is_finished_before_the_next_build(tmp_path, monkeypatch, moved):
    from sitegen.engine.stamp import output_intact

    out = tmp_path / "build"
    build(out, {"index.html": b"v1", "a.html": b"a1", "gone.html": b"x"})
    old_manifest = (out / MANIFEST).read_bytes()
    monkeypatch.setattr(writer_module, "roll_forward", lambda *args: None)  # killed
    build(out, {"index.html": b"v2", "a.html": b"a2"}, delta=True)
    pending = writer_module.commit_folder(out)
    assert pending.is_dir() and (out / MANIFEST).read_bytes() == old_manifest
    if moved:  # killed after moving one file
        os.replace(pending / writer_module.FLAT / "index.html", out / "index.html")
    assert not output_intact(out, writer_module.sha1_bytes(old_manifest))
    monkeypatch.undo()
    writer = OutputWriter(out)  # the next build finishes the commit before it reads anything
    assert sorted(writer.old.files) == ["a.html", "index.html"]
    assert (out / "index.html").read_bytes() == b"v2" and (out / "a.html").read_bytes() == b"a2"
    assert not (out / "gone.html").exists() and siblings(out) == []


def test_a_delta_stages_its_files_side_by_side_and_moves_them_where_they_belong(
    tmp_path, monkeypatch
):
    """No folder is made in the staging folder for a page in a folder of its own: each file is
    staged under its escaped path (`%` too), one too long for a file name in folders; the
    commit puts each where its path says."""
    out = tmp_path / "build"
    deep = "/".join(["part" * 10] * 8) + "/index.html"  # 400 bytes: too long for one name
    files = {"page/2/index.html": b"p2", "a%2Fb/c.html": b"c", "x%25.html": b"x", deep: b"d"}
    build(out, {path: b"old" for path in files} | {"index.html": b"i"})
    monkeypatch.setattr(writer_module, "roll_forward", lambda *args: None)  # look before moving
    build(out, files | {"index.html": b"i"}, delta=True)
    pending = writer_module.commit_folder(out)
    flat = sorted(p.name for p in (pending / writer_module.FLAT).iterdir())
    assert flat == ["a%252Fb%2Fc.html", "page%2F2%2Findex.html", "x%2525.html"]
    assert (pending / deep).read_bytes() == b"d"
    monkeypatch.undo()
    OutputWriter(out)  # the next build finishes the commit
    assert {path: (out / path).read_bytes() for path in files} == files
    assert siblings(out) == []


def test_a_delta_commit_an_earlier_sitegen_staged_in_folders_is_finished(tmp_path):
    out = tmp_path / "build"
    build(out, {"index.html": b"v1", "a/index.html": b"a1"})
    manifest = json.loads((out / MANIFEST).read_text())
    pending = writer_module.commit_folder(out)
    (pending / "a").mkdir(parents=True)
    (pending / "a" / "index.html").write_bytes(b"a2")
    (pending / "index.html").write_bytes(b"v2")
    (pending / writer_module.JOURNAL).write_text("[]")
    (pending / MANIFEST).write_text(json.dumps(manifest))
    OutputWriter(out)
    assert (out / "a" / "index.html").read_bytes() == b"a2"
    assert (out / "index.html").read_bytes() == b"v2" and siblings(out) == []


@pytest.mark.parametrize(
    "older",
    [
        {"a.html": {"sha": "s1", "fp": "f1"}, "b.css": {"fp": "f2"}},  # the first entries
        {"a.html": ["s1", "f1"], "b.css": ["", "f2"]},  # then until entries were strings
    ],
)
def test_a_manifest_an_older_sitegen_wrote_is_read(tmp_path, older):
    """Entries were {"sha", "fp"} dicts, then [sha, fp] lists, before "SHA FP" strings: an
    output folder built by an older sitegen is still sitegen's, and its unchanged files are
    kept."""
    from sitegen.output.writer import Manifest

    out = tmp_path / "out"
    out.mkdir()
    (out / "a.html").write_bytes(b"a")
    (out / MANIFEST).write_text(json.dumps({"files": {**older, "c.html": "s3 f3"}}))
    manifest = Manifest.load(out)
    assert manifest.owned and manifest.files == {
        "a.html": "s1 f1",
        "b.css": " f2",
        "c.html": "s3 f3",
    }
    assert entry_sha(manifest.files["b.css"]) == "" and entry_fp(manifest.files["b.css"]) == "f2"
    writer = OutputWriter(out)
    assert writer.unchanged("a.html", "f1") and not writer.unchanged("a.html", "f9")
    for damaged in (["s1"], "s1", ["s 1", "f1"], [1, "f1"], 7):
        (out / MANIFEST).write_text(json.dumps({"files": {"a.html": damaged}}))
        assert not Manifest.load(out).owned, damaged  # not sitegen's: nothing is trusted


def test_files_found_missing_apart_are_made_again_and_only_for_their_manifest(tmp_path):
    """The build asks another process which of the last build's files are gone
    (`missing_outputs`) while it plans; its writer takes that answer for the manifest it
    was found for, and a file deleted by hand is then not kept but written again."""
    out = tmp_path / "build"
    files = {f"p{i}/index.html": f"page {i}".encode() for i in range(20)}
    files["index.html"] = b"home"
    build(out, files)
    (out / "p3" / "index.html").unlink()
    found = missing_outputs(out)
    assert found[1] == {"p3/index.html"}

    writer = OutputWriter(out)
    writer.expect_missing(found)
    assert writer.lacks_any(iter(["p4/index.html", "p3/index.html"]))
    assert not writer.lacks_any(["p4/index.html", "index.html"])
    assert not writer.unchanged("p3/index.html", "p3/index.html")
    assert writer.unchanged("p4/index.html", "p4/index.html")
    assert not writer.unchanged("p4/index.html", "another fingerprint")
    assert not writer.unchanged("new/index.html", "new/index.html")

    # found for another manifest (another build ran between): the writer looks for itself
    writer = OutputWriter(out)
    writer.expect_missing(("a manifest of another build", frozenset()))
    assert writer.lacks_any(["p3/index.html"]) and not writer.lacks_any(["p4/index.html"])
    assert not writer.unchanged("p3/index.html", "p3/index.html")
    assert writer.unchanged("p4/index.html", "p4/index.html")
    assert missing_outputs(tmp_path / "none") == ("", frozenset())


@pytest.mark.parametrize("found_apart", [False, True])
@pytest.mark.parametrize("delta", [False, True])
def test_files_told_unchanged_and_kept_at_once_are_those_told_one_by_one(
    tmp_path, found_apart, delta
):
    """`unchanged_paths` and `keep_all` (the half million search files of a big site's edit)
    answer and keep as `unchanged` and `keep` do for each: a file deleted by hand, another
    fingerprint or a new path is not unchanged; what is kept is in the next build's output
    and manifest, whether the build is staged whole or as a delta."""
    out = tmp_path / "build"
    files = {f"p{i}/index.html": f"page {i}".encode() for i in range(20)}
    build(out, files)
    (out / "p3" / "index.html").unlink()
    asked = {path: (None, path) for path in files}
    asked["p4/index.html"] = (None, "another fingerprint")
    asked["new/index.html"] = (None, "new/index.html")

    writer = OutputWriter(out)
    if found_apart:
        writer.expect_missing(missing_outputs(out))
    same = writer.unchanged_paths(asked)
    assert same == {path for path, (_, fp) in asked.items() if writer.unchanged(path, fp)}
    assert same == set(files) - {"p3/index.html", "p4/index.html"}
    writer.start(0 if delta else None)
    writer.keep_all(sorted(same))
    for path in ("p3/index.html", "p4/index.html", "new/index.html"):
        writer.write(path, b"made again", path)
    writer.commit()
    assert writer.kept == len(same)
    for path in same:
        assert (out / path).read_bytes() == files[path]
    assert (out / "p3" / "index.html").read_bytes() == b"made again"
    manifest = json.loads((out / MANIFEST).read_text())["files"]
    assert manifest.keys() == asked.keys()
    assert entry_fp(manifest["p5/index.html"]) == "p5/index.html"


@pytest.mark.parametrize("count", [0, 1, 5, 12])
def test_manifest_written_in_parts_is_the_whole_json_and_reads_back(tmp_path, count):
    """The manifest is written a few entries at a time (a big site's whole text is not held):
    the file is the JSON of all its entries, paths sorted, and loads back as they were."""
    from sitegen.output.writer import Manifest

    files = {
        f"{name}/index.html": manifest_entry(f"{i:040x}", "é" * 3)
        for i, name in enumerate("zyxwvutsrqpo"[:count])
    }
    if count:  # paths JSON must escape, and ones beyond ASCII (written as UTF-8)
        for path in ('q"uote/b\\slash.html', "ctl\x01/tab\t.html", "日本/記事.html", "😀.html"):
            files[path] = manifest_entry("0" * 40, path)
    manifest = Manifest(files)
    text = b"".join(manifest.chunks(size=5))
    assert json.loads(text) == {
        "files": dict(sorted(files.items())),
        "generator": "sitegen",
        "build": manifest.build,
    }
    assert list(json.loads(text)["files"]) == sorted(files)
    (tmp_path / MANIFEST).write_bytes(text)
    loaded = Manifest.load(tmp_path)
    assert loaded.files == files and loaded.build == manifest.build
    assert Manifest().build != manifest.build  # each manifest written is told apart
