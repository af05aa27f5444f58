"""fsutil: which files of a folder are there (listed or asked one by one), a folder's entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.fsutil import child, files_present, is_inside


@pytest.mark.parametrize("listed", [1, 16, 10_000])
def test_files_present_tells_files_from_the_missing_and_from_folders(tmp_path, listed):
    many = [f"search/d/{i}.js" for i in range(40)]
    few = ["index.html", "a/index.html", "b/index.html"]
    for path in many[::2] + few[:2]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    (tmp_path / "b" / "index.html").mkdir(parents=True)  # a folder where a file was
    (tmp_path / "search/d/1.js").symlink_to(tmp_path / "search/d/0.js")  # a link to a file
    (tmp_path / "search/d/3.js").symlink_to(tmp_path / "nowhere")  # a link to nothing
    asked = many + few + ["gone/index.html", "gone/deeper/x.js"]
    got = files_present(tmp_path, asked, listed=listed)
    assert got == set(many[::2]) | {"search/d/1.js", "index.html", "a/index.html"}
    assert files_present(os.fspath(tmp_path), [], listed=listed) == set()


def test_a_link_loop_is_not_inside_anything(tmp_path):
    (tmp_path / "self").symlink_to("self")
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert not is_inside(tmp_path / "self", tmp_path)
    assert not is_inside(tmp_path / "a", tmp_path)


@pytest.mark.parametrize("name", ["a.md", "été.md", "with space.md", ".hidden", "x.tar.gz"])
def test_child_is_the_folder_joined_with_the_name(tmp_path, name):
    for folder in (tmp_path, tmp_path / "sub", Path("relative/folder"), Path(".")):
        made = child(folder, name)
        assert made == folder / name
        assert str(made) == str(folder / name)
        assert made.name == name and made.parent == folder
