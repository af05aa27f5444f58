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


def test_a_posts_own_permalink_pattern_is_filled_in(tmp_path: Path, capsys) -> None:
    """A post's front matter `permalink: /:categories/:year/:month/:day/:title/` is a pattern
    Jekyll fills in (/post/2020/08/03/widgets/), not an address: the moved post keeps the
    address Jekyll gave it, and the build no longer stops at the placeholders."""
    source, dest = tmp_path / "blog", tmp_path / "moved"
    pattern = "permalink: /:categories/:year/:month/:day/:title/\n"
    _site(
        source,
        {
            "_config.yml": "title: Notes\n",
            "_posts/2020-08-03-widgets.md": (
                f"---\ntitle: Widgets\ndate: 2020-08-03\ncategories: post\n{pattern}---\nOn widgets.\n"
            ),
            "_posts/2021-02-01-plain.md": f"---\ntitle: Plain\n{pattern}---\nNo category.\n",
        },
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| /post/2020/08/03/widgets/ | /post/2020/08/03/widgets/ | same address |" in report
    assert "| /2021/02/01/plain/ | /2021/02/01/plain/ | same address |" in report
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    assert "On widgets." in (dest / "build/post/2020/08/03/widgets/index.html").read_text(
        encoding="utf-8"
    )
    assert (dest / "build/2021/02/01/plain/index.html").is_file()


def test_a_polyglot_site_keeps_each_languages_addresses(tmp_path: Path, capsys) -> None:
    """jekyll-polyglot writes the default language at the root and the others below
    `/<lang>/`, their `redirect_from` pages too: each translation keeps its own address
    (they no longer all claim one), its language, and the site builds."""
    source, dest = tmp_path / "blog", tmp_path / "moved"
    post = "---\ntitle: {}\nredirect_from: /old/hello/\n---\n{}\n"
    _site(
        source,
        {
            "_config.yml": (
                "title: Notes\npermalink: /posts/:title/\nplugins: [jekyll-polyglot]\n"
                "languages: [ko, en]\ndefault_lang: en\nlang_from_path: true\n"
            ),
            "_posts/en/2021-01-31-hello.md": post.format("Hello", "In English."),
            "_posts/ko/2021-01-31-hello.md": post.format("안녕", "한국어로."),
            "_posts/2021-02-01-bye.md": "---\ntitle: 잘 가\nlang: ko\n---\n또 봐요.\n",
        },
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| /posts/hello/ | /posts/hello/ | same address |" in report
    assert "| /ko/posts/hello/ | /ko/posts/hello/ | same address |" in report
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    ko = (dest / "build/ko/posts/hello/index.html").read_text(encoding="utf-8")
    assert '<html lang="ko"' in ko and "한국어로." in ko
    assert "In English." in (dest / "build/posts/hello/index.html").read_text(encoding="utf-8")
    assert '<html lang="ko"' in (dest / "build/ko/posts/bye/index.html").read_text("utf-8")
    for old in ("old/hello", "ko/old/hello"):
        assert (dest / "build" / old / "index.html").is_file(), old


def test_a_post_named_with_one_digit_month_or_day_moves(tmp_path: Path, capsys) -> None:
    """Jekyll reads `2016-11-5-dino.md` as a post of 5 November 2016 (one-digit months and
    days are fine to it): it moves, dated, at its old address, instead of being left behind."""
    source, dest = tmp_path / "blog", tmp_path / "moved"
    _site(
        source,
        {
            "_config.yml": "title: Notes\npermalink: /:year-:month-:day/:title/\n",
            "_posts/2016-11-5-dino.md": "---\ntitle: Dino\n---\nJump.\n",
        },
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| /2016-11-05/dino/ | /2016-11-05/dino/ | same address" in report
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0, capsys.readouterr().err
    page = (dest / "build/2016-11-05/dino/index.html").read_text(encoding="utf-8")
    assert "Jump." in page and "2016-11-05" in page
