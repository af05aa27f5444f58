"""Nothing lost, nothing broken: a failed build changes nothing, the output folder's other files
survive, dangerous output folders are refused, builds are reproducible, unchanged files keep
their mtime, and hostile or oversized input stays data (escaped, refused, or not followed)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.output.writer import MANIFEST

HOSTILE_TITLE = '</script><script>alert(1)</script> "><img src=x onerror=alert(1)> {{ 7*7 }}'
HOSTILE_SUMMARY = "\"'><img src=x onerror=alert(2)> </script> {{ 7*7 }} {% raw %}"
HOSTILE_TAG = '"><img src=x onerror=alert(3)>'
HOSTILE_AUTHOR = "</script><svg onload=alert(4)>"


def tree(folder: Path, with_manifest: bool = True) -> dict[str, tuple]:
    """Every file below `folder`: the hash of its bytes and its modification time."""
    state = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and (with_manifest or rel != MANIFEST):
            state[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return state


def page_bytes(folder: Path) -> dict[str, str]:
    return {rel: sha for rel, (sha, _) in tree(folder, with_manifest=False).items()}


def sitegen(site, *args: str) -> int:
    return main(["--site", str(site.root), *args])


@pytest.fixture
def blog(site):
    site.article("one.md", "First", "2024-01-01", tags="[a, b]")
    site.article("two.md", "Second", "2024-02-01", body="Links to [the first](one.md).")
    site.write("seeds/third.txt", "Third story\nDate: 2024-03-01\n\nA paragraph.\n")
    return site


# --- a failed build changes nothing; --keep-going ---------------------------------------------


def test_every_content_error_reported_at_once_and_output_unchanged(blog, capsys):
    assert sitegen(blog, "build") == 0
    before = tree(blog.root / "build")
    blog.write("content/bad-date.md", "---\ntitle: x\ndate: someday\n---\n")
    blog.write("content/bad-yaml.md", "---\ntitle: [unclosed\n---\n")
    blog.write("content/bad-tags.md", "---\ntitle: x\ntags: {a: 1}\n---\nBody\n")
    blog.write("seeds/binary.txt", b"\x00\x01\x02\x03")
    blog.article("one.md", "First, changed", "2024-01-01")  # a good change must not land either
    capsys.readouterr()
    assert sitegen(blog, "build") == 1
    err = capsys.readouterr().err
    assert "content/bad-date.md:3: date: cannot read 'someday'" in err
    assert re.search(r"content/bad-yaml\.md:\d+: invalid YAML", err)
    assert "content/bad-tags.md:3: tags: expected a list" in err
    assert "binary.txt" in err and "not a text file" in err
    assert "the output folder was not changed" in err
    assert tree(blog.root / "build") == before


def test_keep_going_builds_the_rest_and_says_what_it_left_out(blog, capsys):
    blog.write("content/bad-date.md", "---\ntitle: x\ndate: someday\n---\n")
    assert sitegen(blog, "build", "--keep-going") == 1  # still a failure, but the site is there
    captured = capsys.readouterr()
    assert blog.exists("one/index.html") and blog.exists("third-story/index.html")
    assert not blog.exists("x/index.html")
    assert "content/bad-date.md:3:" in captured.err
    assert re.search(r"--keep-going: .*content/bad-date\.md", captured.err)


@pytest.mark.parametrize(
    ("phase", "ends_at"),
    [("load", "plan"), ("plan", "render"), ("render", "render")],
)
def test_a_build_called_off_starts_nothing_more_and_changes_nothing(blog, phase, ends_at):
    """The preview stopping mid-build: the build ends where it next says how far it is (the
    next phase, or the next rendered pages), and the output is as the last good build left
    it."""
    from sitegen.build import BuildRequest, build
    from sitegen.config import load_config
    from sitegen.errors import BuildCancelled

    assert sitegen(blog, "build") == 0
    before = tree(blog.root / "build")
    blog.article("one.md", "First, edited", "2024-01-01", tags="[a, b]")
    told: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        told.append(name)

    request = BuildRequest(
        load_config(blog.root), progress=progress, cancelled=lambda: phase in told
    )
    with pytest.raises(BuildCancelled, match=rf"\({ends_at}\)"):
        build(request)
    assert told[-1] == phase
    assert tree(blog.root / "build") == before


# --- the output folder is sitegen's alone ----------------------------------------------------


def test_files_put_in_the_output_survive_and_stale_pages_go(blog):
    assert sitegen(blog, "build") == 0
    (blog.root / "build" / "CNAME").write_text("news.example.org\n")
    (blog.root / "build" / "google1234.html").write_text("verification")
    (blog.root / "content" / "two.md").unlink()
    assert sitegen(blog, "build") == 0
    assert blog.out("CNAME") == "news.example.org\n"
    assert blog.out("google1234.html") == "verification"
    assert not blog.exists("two/index.html")
    manifest = json.loads(blog.out(MANIFEST))["files"]
    assert "one/index.html" in manifest and "CNAME" not in manifest


@pytest.mark.parametrize(
    "output",
    [
        ".",
        "..",
        "content",
        "content/deeper",
        "seeds",
        "themes/x",
        "static",
        "templates",
        ".sitegen",
        "site.yaml",
    ],
)
def test_dangerous_output_folders_are_refused(blog, capsys, output):
    (blog.root / "static").mkdir(exist_ok=True)
    before = {p: p.stat().st_mtime_ns for p in blog.root.parent.rglob("*")}
    assert sitegen(blog, "build", "--output", str(blog.root / output), "--force") == 1
    err = capsys.readouterr().err
    assert "nothing was changed" in err and "Traceback" not in err
    assert {p: p.stat().st_mtime_ns for p in blog.root.parent.rglob("*")} == before


def test_bundled_theme_folder_is_refused(blog, capsys):
    from sitegen.config import load_config

    theme = load_config(blog.root).theme_path()
    assert sitegen(blog, "build", "--output", str(theme / "out")) == 1
    assert "holds your sources" in capsys.readouterr().err


def test_non_empty_folder_not_made_by_sitegen_needs_force(blog, tmp_path, capsys):
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "README").write_text("my notes")
    assert sitegen(blog, "build", "-o", str(deploy)) == 1
    assert "not empty and was not made by sitegen" in capsys.readouterr().err
    assert sorted(os.listdir(deploy)) == ["README"]
    assert sitegen(blog, "build", "-o", str(deploy), "--force") == 0
    assert (deploy / "README").read_text() == "my notes" and (deploy / "one").is_dir()
    assert sitegen(blog, "build", "-o", str(deploy)) == 0  # now it is sitegen's: no --force


def test_a_page_never_replaces_a_file_sitegen_did_not_write(blog, capsys):
    assert sitegen(blog, "build") == 0
    mine = blog.root / "build" / "about" / "index.html"
    mine.parent.mkdir()
    mine.write_text("my hand-made about page")
    blog.article("about.md", "About", "2024-01-05")
    assert sitegen(blog, "build") == 1
    assert "about/index.html" in capsys.readouterr().err
    assert mine.read_text() == "my hand-made about page" and not blog.exists("about/feed.xml")
    assert sitegen(blog, "build", "--force") == 0
    assert "replaced 1 file(s)" in capsys.readouterr().err
    assert "About" in mine.read_text()


# --- same inputs, same bytes; mtimes kept ----------------------------------------------------


def test_two_builds_in_different_folders_and_times_are_byte_identical(blog, tmp_path, monkeypatch):
    assert sitegen(blog, "build") == 0
    copy = tmp_path / "elsewhere" / "site"
    shutil.copytree(blog.root, copy, ignore=shutil.ignore_patterns("build", ".sitegen"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")  # another "now", far later
    assert main(["--site", str(copy), "build", "-o", str(tmp_path / "other-output")]) == 0
    first, second = page_bytes(blog.root / "build"), page_bytes(tmp_path / "other-output")
    assert first == second and len(first) > 10
    stamp = re.compile(r"20(2[5-9]|3\d)-\d\d-\d\d")  # no build date, only the articles' dates
    for rel in first:
        if rel.endswith((".html", ".xml")):
            assert not stamp.search((copy.parent.parent / "other-output" / rel).read_text()), rel


def test_source_date_epoch_is_the_builds_now(site, monkeypatch):
    site.article("past.md", "Past", "2024-01-01")
    site.article("future.md", "Future", "2031-06-01")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")  # 2030-03-17: still before June 2031
    site.build()
    assert site.exists("past/index.html") and not site.exists("future/index.html")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1950000000")  # 2031-10-17
    site.build()
    assert site.exists("future/index.html")


def test_unchanged_files_keep_their_modification_time(blog):
    assert sitegen(blog, "build") == 0
    out = blog.root / "build"
    long_ago = 946684800 * 10**9
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(long_ago, long_ago))
    blog.article("two.md", "Second", "2024-02-01", body="A new body, same title.")
    assert sitegen(blog, "build") == 0
    after = tree(out)
    assert after["two/index.html"][1] != long_ago  # rewritten
    assert after["one/index.html"][1] == long_ago  # untouched: rsync and CDNs skip it
    assert after["tags/a/index.html"][1] == long_ago


# --- hostile input stays data ----------------------------------------------------------------


def test_hostile_front_matter_and_seed_text_stay_inert(site, parse):
    site.write(
        "content/evil.md",
        f"""---
title: {json.dumps(HOSTILE_TITLE)}
date: 2024-01-01
summary: {json.dumps(HOSTILE_SUMMARY)}
tags: [{json.dumps(HOSTILE_TAG)}, "{{{{ 7*7 }}}}"]
author: {json.dumps(HOSTILE_AUTHOR)}
---

Body.
""",
    )
    site.write(
        "seeds/evil.txt",
        f"{HOSTILE_TITLE}\nAuthor: {HOSTILE_AUTHOR}\nTags: {HOSTILE_TAG}\n\n"
        "<script>alert(5)</script> [x](javascript:alert(6)) {{ 7*7 }} {% raw %}\n",
    )
    site.build()
    out = site.root / "build"
    pages = [p for p in out.rglob("*.html")]
    assert len(pages) > 5
    for path in pages:
        page = parse(path.read_text(encoding="utf-8"))
        assert not [a for a in page.find_all("img") if a.get("src") == "x"], path
        assert not page.find_all("svg"), path
        for script in page.find_all("script"):  # data blocks and the theme's own files only
            assert script.get("type") == "application/ld+json" or script.get("src"), path
        assert not any(k.startswith("on") for _, attrs in page.elements for k in attrs), path
        assert "javascript:" not in " ".join(a.get("href") or "" for a in page.find_all("a")), path
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', page.html, re.S
        ):
            json.loads(block)
    evil = parse((out / "evil" / "index.html").read_text(encoding="utf-8"))
    assert HOSTILE_TITLE in evil.text and HOSTILE_AUTHOR in evil.text and "49" not in evil.text
    ld = json.loads(re.search(r'ld\+json">(.*?)</script>', evil.html, re.S).group(1))
    assert ld["headline"] == HOSTILE_TITLE and ld["author"][0]["name"] == HOSTILE_AUTHOR
    seeded = next(
        p
        for p in out.glob("*/index.html")
        if p.parent.name not in ("evil",) and "alert(5)" in p.read_text(encoding="utf-8")
    )
    text = parse(seeded.read_text(encoding="utf-8")).text
    assert "<script>alert(5)</script> [x](javascript:alert(6)) {{ 7*7 }} {% raw %}" in text
    assert HOSTILE_TITLE in text
    for feed in out.rglob("*.xml"):
        assert "<img" not in feed.read_text(encoding="utf-8").replace("&lt;img", ""), feed


@pytest.mark.parametrize(
    "name,text,message",
    [
        (
            "bomb.md",
            "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
            "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ntitle: Boom\n---\n",
            "more than",
        ),
        ("deep.md", "---\ntitle: x\na: " + "[" * 3000 + "]" * 3000 + "\n---\n", "nested"),
        ("deep-toml.md", "+++\ntitle = 'x'\na = " + "[" * 3000 + "]" * 3000 + "\n+++\n", "nested"),
        ("deep-json.md", '{"title": "x", "a": ' + "[" * 3000 + "]" * 3000 + "}\n", "nested"),
        (
            "python.md",
            "---\ntitle: !!python/object/apply:os.system ['touch pwned']\n---\n",
            "invalid YAML",
        ),
    ],
)
def test_yaml_bombs_and_deep_nesting_are_clear_errors(site, capsys, name, text, message):
    site.article("fine.md", "Fine")
    site.write(f"content/{name}", text)
    assert sitegen(site, "build") == 1
    err = capsys.readouterr().err
    assert f"content/{name}:" in err and message in err and "Traceback" not in err
    assert not (site.root / "pwned").exists()


def test_file_size_limit_for_content_and_seeds(site, capsys):
    site.configure("title: Sizes\nmax_file_size: 2000\n")
    site.article("big.md", "Big", body="word " * 1000)
    site.write("seeds/big.txt", "Big seed\n\n" + "word " * 1000)
    site.article("small.md", "Small")
    assert sitegen(site, "build", "--keep-going") == 1
    err = capsys.readouterr().err
    assert re.search(r"content/big\.md: file is \d+ bytes, over the limit of 2000", err)
    assert re.search(r"big\.txt: file is \d+ bytes, over the limit of 2000", err)
    assert "max_file_size" in err
    assert site.exists("small/index.html") and not site.exists("big/index.html")


def test_a_one_mebibyte_article_builds_normally(site):
    paragraph = "A sentence of an article that goes on for quite a while. " * 20
    body = "\n\n".join(paragraph for _ in range(1024 * 1024 // len(paragraph) + 1))
    path = site.article("huge.md", "Huge", body=body)
    assert path.stat().st_size > 1024 * 1024
    site.build()
    assert len(site.out("huge/index.html")) > 1024 * 1024


def test_link_loops_in_content_are_left_out_and_the_rest_builds(site, capsys):
    """A link loop (loop1 -> loop2 -> loop1) and folder links back up the tree (a -> ., b -> .)
    are left out with a warning: the other articles build (they were all dropped, and the
    last build's pages deleted), and the walk that decides whether anything changed ends."""
    site.article("ok.md", "Ok")
    site.write("content/news/story.md", "---\ntitle: Story\ndate: 2024-01-02\n---\nText\n")
    assert sitegen(site, "build") == 0
    content = site.root / "content"
    (content / "loop2").symlink_to("loop1")
    (content / "loop1").symlink_to("loop2")
    (content / "news" / "a").symlink_to(".")
    (content / "news" / "b").symlink_to(".")
    capsys.readouterr()
    assert sitegen(site, "build") == 0
    err = capsys.readouterr().err
    assert re.search(r"loop1: cannot follow this link: .*; left out", err), err
    assert site.exists("ok/index.html") and site.exists("story/index.html")


def test_a_folder_that_cannot_be_read_is_an_error_and_the_output_stays(site, capsys, monkeypatch):
    """A content folder the build cannot list (no permission) is an error naming it; the
    last build's pages of its articles are not deleted."""
    import os

    site.article("ok.md", "Ok")
    site.write("content/news/story.md", "---\ntitle: Story\ndate: 2024-01-02\n---\nText\n")
    assert sitegen(site, "build") == 0
    before = site.out("story/index.html")
    scandir = os.scandir
    news = str(site.root / "content" / "news")

    def refusing(path="."):
        if str(path) == news:
            raise PermissionError(13, "Permission denied", news)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    capsys.readouterr()
    assert sitegen(site, "build") == 1
    err = capsys.readouterr().err
    assert re.search(r"content/news: cannot read this folder: Permission denied", err), err
    assert site.out("story/index.html") == before


def test_symlinks_out_of_the_site_are_not_followed(site, tmp_path, capsys):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.md").write_text("---\ntitle: Secret\n---\nsecret text\n")
    (secret / "secret.txt").write_text("Secret seed\n\nsecret text\n")
    (secret / "key.pem").write_text("PRIVATE KEY")
    site.article("ok.md", "Ok")
    site.write("content/bundle/index.md", "---\ntitle: Bundle\ndate: 2024-01-01\n---\nText\n")
    (site.root / "content" / "linked.md").symlink_to(secret / "secret.md")
    (site.root / "content" / "linked-folder").symlink_to(secret)
    (site.root / "content" / "bundle" / "key.pem").symlink_to(secret / "key.pem")
    (site.root / "content" / "key.pem").symlink_to(secret / "key.pem")
    (site.root / "seeds" / "linked.txt").symlink_to(secret / "secret.txt")
    (site.root / "seeds" / "linked-folder").symlink_to(secret)
    (site.root / "content" / "inside.md").symlink_to(site.root / "content" / "ok.md")
    (site.root / "static").mkdir(exist_ok=True)
    (site.root / "static" / "key.pem").symlink_to(secret / "key.pem")
    assert sitegen(site, "build") == 0
    err = capsys.readouterr().err
    for link in (
        "content/linked.md",
        "content/linked-folder",
        "content/bundle/key.pem",
        "content/key.pem",
        "seeds/linked.txt",
        "seeds/linked-folder",
        "static/key.pem",
    ):
        assert re.search(
            re.escape(link) + r".*symlink points outside the site; not followed", err
        ), link
    built = " ".join(
        p.read_text(errors="replace") for p in (site.root / "build").rglob("*") if p.is_file()
    )
    assert "secret text" not in built and "PRIVATE KEY" not in built
    assert site.exists("ok/index.html") and site.exists("bundle/index.html")
    assert not list((site.root / "content").glob("secret*.md"))  # the seed was not imported


def test_aliases_and_urls_cannot_leave_the_output_folder(blog, tmp_path, capsys):
    outside = blog.root.parent / "pwned"
    blog.write("content/evil.md", "---\ntitle: Evil\naliases: [/../../pwned, ok/old]\n---\nHi\n")
    blog.write("content/evil2.md", "---\ntitle: Evil 2\nurl: ../../pwned2/\n---\nHi\n")
    assert sitegen(blog, "build") == 1
    err = capsys.readouterr().err
    assert "content/evil.md:3: aliases: '/../../pwned' is not a path inside the site" in err
    assert "content/evil2.md:3: url: '../../pwned2/' is not a path inside the site" in err
    assert not outside.exists() and not (blog.root.parent / "pwned2").exists()
    assert not (blog.root / "build").exists()


def test_an_articles_own_url_is_kept_from_every_generator(blog):
    blog.write(
        "content/hugo.md",
        "+++\ntitle = 'Hugo'\ndate = 2024-01-05\nurl = '/2024/hugo-post/'\n+++\nA\n",
    )
    blog.write(
        "content/jekyll.md",
        "---\ntitle: Jekyll\ndate: 2024-01-06\npermalink: /:year/:month/:title.html\n---\nB\n",
    )
    blog.write(
        "content/zola.md", "+++\ntitle = 'Zola'\ndate = 2024-01-07\npath = 'notes/zola'\n+++\nC\n"
    )
    blog.write(
        "content/old.md",
        "---\ntitle: Old\ndate: 2024-01-08\naliases: [old/place, /legacy.html]\n---\nD\n",
    )
    assert sitegen(blog, "build") == 0
    out = blog.root / "build"
    assert "<h1>Hugo</h1>" in (out / "2024" / "hugo-post" / "index.html").read_text()
    assert "<h1>Jekyll</h1>" in (out / "2024" / "01" / "jekyll.html").read_text()
    assert "<h1>Zola</h1>" in (out / "notes" / "zola" / "index.html").read_text()
    assert (out / "old" / "place" / "index.html").is_file() and (out / "legacy.html").is_file()
    index = (out / "index.html").read_text()
    assert 'href="2024/hugo-post/"' in index and 'href="2024/01/jekyll.html"' in index


# --- hostile images, templates, static files -----------------------------------------------


def test_damaged_images_are_named_and_a_failed_build_changes_nothing(blog, capsys):
    from PIL import Image

    assert sitegen(blog, "build") == 0
    before = tree(blog.root / "build")
    blog.write("content/pics/index.md", "---\ntitle: Pics\n---\n![a](empty.png) ![b](cut.jpg)\n")
    blog.write("content/pics/empty.png", b"")
    Image.new("RGB", (800, 600), "red").save(blog.root / "content" / "pics" / "whole.jpg")
    whole = (blog.root / "content" / "pics" / "whole.jpg").read_bytes()
    blog.write("content/pics/cut.jpg", whole[: len(whole) // 3])
    capsys.readouterr()
    assert sitegen(blog, "build") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"content/pics/empty\.png: not a readable image: the file is empty", err)
    assert re.search(
        r"content/pics/cut\.jpg: the image cannot be decoded: image file is trunc", err
    )
    assert tree(blog.root / "build") == before
    (blog.root / "content" / "pics" / "cut.jpg").write_bytes(whole)
    assert sitegen(blog, "build") == 0  # the empty one is only a warning
    assert "empty.png: not a readable image" in capsys.readouterr().err
    assert blog.exists("pics/empty.png") and blog.exists("pics/cut-480w.webp")


def test_static_links_to_nothing_and_undecodable_names_are_left_out_with_warnings(blog, capsys):
    static = blog.root / "static"
    static.mkdir(exist_ok=True)
    (static / "self").symlink_to("self")  # a link loop
    (static / "gone.css").symlink_to("missing.css")
    (static / "loop").mkdir()
    (static / "loop" / "again").symlink_to("..")  # a folder loop: not walked into
    (static / "ok.txt").write_text("fine")
    (static.joinpath(os.fsdecode(b"bad\xff.txt"))).write_text("latin-1 name")
    assert sitegen(blog, "build") == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"static/self: symlink leads nowhere", err)
    assert re.search(r"static/gone\.css: symlink leads nowhere", err)
    assert "static/bad\\xff.txt: file name is not valid UTF-8; left out" in err
    assert blog.exists("ok.txt") and not blog.exists("self")
