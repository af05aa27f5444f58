"""What a real 127,000-post Jekyll blog showed about `_posts/`: files Jekyll never published,
and posts that shared one old address. Tiny sites written here, migrated, then built."""

from __future__ import annotations

from pathlib import Path

from sitegen.cli import main


def _site(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _post(title: str, date: str = "2020-12-03") -> str:
    return f"---\nlayout: post\ntitle: {title}\ndate: {date}\n---\nAbout {title}.\n"


def test_a_post_without_a_dated_name_is_left_behind(tmp_path: Path, capsys) -> None:
    """Jekyll reads `_posts/` files only by their dated names: `rx-basics.md` was never
    published, so it does not move (the report says why); the dated one keeps its address."""
    source, dest = tmp_path / "blog", tmp_path / "moved"
    _site(
        source,
        {
            "_config.yml": "title: Notes\npermalink: /:year-:month-:day/:title/\n",
            "_posts/rx/2020-12-03-rx-basics.md": _post("Rx basics"),
            "_posts/rx/rx-basics.md": _post("Rx basics, a copy"),
        },
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    assert not (dest / "content" / "_posts" / "rx" / "rx-basics.md").exists()
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "rx-basics.md | not a post to Jekyll: its name has no date" in report
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    assert "About Rx basics." in (dest / "build/2020-12-03/rx-basics/index.html").read_text(
        encoding="utf-8"
    )


def test_posts_that_shared_one_old_address_each_get_one(tmp_path: Path, capsys) -> None:
    """Two posts of one day with one name in two category folders: Jekyll's permalink without
    categories gave both `/2020-12-04/regression/` (it wrote one over the other). The first
    by path keeps that address, the other gets the one beside it, and the site builds."""
    source, dest = tmp_path / "blog", tmp_path / "moved"
    _site(
        source,
        {
            "_config.yml": "title: Notes\npermalink: /:year-:month-:day/:title/\n",
            "_posts/ml/tensorflow/2020-12-04-regression.md": _post("With TensorFlow", "2020-12-04"),
            "_posts/ml/basics/2020-12-04-regression.md": _post("The basics", "2020-12-04"),
            "_posts/ml/2020-12-05-other.md": _post("Other", "2020-12-05"),
        },
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "was also _posts/ml/basics/2020-12-04-regression.md's, which keeps it" in (report)
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    kept = (dest / "build/2020-12-04/regression/index.html").read_text(encoding="utf-8")
    beside = (dest / "build/2020-12-04/regression-2/index.html").read_text(encoding="utf-8")
    assert "About The basics." in kept and "About With TensorFlow." in beside
    assert (dest / "build/2020-12-05/other/index.html").is_file()


def test_addresses_that_differ_only_in_letter_case_do_not_collide(tmp_path: Path, capsys) -> None:
    """`2021-11-18-ETC.md` and `2021-11-18-etc.md` in two folders: Jekyll kept `/2021-11-18/ETC/`
    and `/2021-11-18/etc/` apart, but they are one folder on case-insensitive hosts, and the
    build tells addresses apart as those do: one keeps its address, the other moves beside."""
    source, dest = tmp_path / "blog", tmp_path / "moved"
    _site(
        source,
        {
            "_config.yml": "title: Notes\npermalink: /:year-:month-:day/:title/\n",
            "_posts/aws/2021-11-18-etc.md": _post("AWS odds and ends", "2021-11-18"),
            "_posts/java/2021-11-18-ETC.md": _post("Java odds and ends", "2021-11-18"),
        },
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    pages = sorted(
        p.parent.relative_to(dest / "build").as_posix()
        for p in (dest / "build" / "2021-11-18").glob("*/index.html")
    )
    assert len(pages) == 2 and len({p.casefold() for p in pages}) == 2, pages
    texts = [(dest / "build" / p / "index.html").read_text(encoding="utf-8") for p in pages]
    assert any("About AWS odds and ends." in t for t in texts)
    assert any("About Java odds and ends." in t for t in texts)
