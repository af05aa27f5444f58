"""The build stamp's walk of the input folders (engine/stamp.py `_walk`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sitegen.engine.stamp import _walk


def _digest(root: Path, site: Path | None = None) -> tuple[str, int, dict]:
    h, newest, stats = hashlib.sha1(), [0], {}
    _walk(root, h, newest, site or root.parent, stats)
    return h.hexdigest(), newest[0], stats


def _tree(root: Path, names: list[str]) -> None:
    for i, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"file {i}", encoding="utf-8")
        os.utime(path, ns=(1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_000 + i))


def test_the_digest_follows_what_the_files_are_not_the_order_they_were_made(tmp_path):
    names = ["b.md", "a.md", "ab.md", "a/b.md", "a/a.md", "z/y/x.md", "a.md~"]
    one, two = tmp_path / "one" / "content", tmp_path / "two" / "content"
    _tree(one, names)
    _tree(two, names[::-1])
    for name in names:  # the same stamps, whatever the order of writing
        os.utime(two / name, ns=(os.stat(one / name).st_mtime_ns,) * 2)
    d1, newest, stats = _digest(one)
    _, _, stats2 = _digest(two)
    # sizes and stamps alike (the inodes and the folders' paths differ between the copies)
    assert {r: k[:2] for r, k in stats.items()} == {r: k[:2] for r, k in stats2.items()}
    assert sorted(stats) == sorted(names)
    assert newest == max(os.stat(one / n).st_mtime_ns for n in names)
    assert _digest(one)[0] == d1  # the same walk, the same digest

    changes = [
        lambda: os.utime(one / "a/b.md", ns=(1, 1)),  # a stamp
        lambda: (one / "z/y/x.md").write_text("longer text", encoding="utf-8"),  # a size
        lambda: (one / "ab.md").rename(one / "ac.md"),  # a name
        lambda: (one / "z/y/new.md").write_text("", encoding="utf-8"),  # a file added deep down
        lambda: (one / "a/a.md").unlink(),  # a file gone
        lambda: (one / "empty").mkdir(),  # a folder alone says nothing
    ]
    seen = {d1}
    for n, change in enumerate(changes):
        change()
        now = _digest(one)[0]
        assert (now in seen) == (n == len(changes) - 1), n
        seen.add(now)


def test_names_beyond_utf8_and_folders_skipped(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    odd = os.fsdecode(b"caf\xe9.md")  # Latin-1 bytes: not UTF-8
    (root / odd).write_text("x", encoding="utf-8")
    (root / "\u65e5\u672c.md").write_text("y", encoding="utf-8")
    for skipped in (".sitegen", "__pycache__", ".git"):
        (root / skipped).mkdir()
        (root / skipped / "f.md").write_text("z", encoding="utf-8")
    digest, _, stats = _digest(root)
    assert set(stats) == {odd, "\u65e5\u672c.md"}
    (root / ".git" / "f.md").write_text("changed", encoding="utf-8")
    assert _digest(root)[0] == digest


def test_a_folder_link_out_of_the_site_or_in_a_loop_is_walked_once_or_never(tmp_path):
    site = tmp_path / "site"
    root = site / "content"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.md").write_text("a", encoding="utf-8")
    (root / "again").symlink_to("real")  # inside the site: followed once
    (root / "real" / "up").symlink_to("..")  # a loop: not walked again
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("s", encoding="utf-8")
    (root / "out").symlink_to(outside)  # out of the site: never followed
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    _, _, stats = _digest(root, site)
    assert "out/secret.md" not in stats
    assert set(stats) <= {"real/a.md", "again/a.md"} and stats
