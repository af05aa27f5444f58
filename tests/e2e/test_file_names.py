"""File names that are not UTF-8 (a folder copied from an old Latin-1 system): each is named in
a message with its bytes shown as `\\xe9`, never a traceback; an article's or a seed's is an
error (the site would lose it), another file's a warning, and the output stays as it was."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import quote

from sitegen.cli import main

from .test_safety import tree


def _bad(folder: Path, name: bytes, data: bytes = b"x") -> Path:
    """A file named by raw bytes (as a Latin-1 system wrote it) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
    path.write_bytes(data)
    return path


ARTICLE = b"---\ntitle: Caf\xc3\xa9 notes\ndate: 2024-02-01\n---\n\nBody.\n"


def test_names_not_utf8_are_named_and_the_output_kept(site, capsys):
    site.article("one.md", "First", "2024-01-01")
    site.article("trip/index.md", "Trip", "2024-01-02", body="A trip.")
    assert main(["--site", str(site.root), "build"]) == 0
    before = tree(site.root / "build")
    capsys.readouterr()

    content = site.root / "content"
    _bad(content, b"na\xefve.md", ARTICLE)  # an article
    _bad(content / os.fsdecode(b"f\xf6lder"), b"x.md", ARTICLE)  # a folder of articles
    _bad(content / "trip", b"pic\xe9.png")  # a file of a page bundle
    _bad(site.root / "static", b"caf\xe9.txt")  # a static file
    _bad(site.root / "seeds", b"r\xe9sum\xe9.txt", b"A seed\n\nIts text.\n")  # a seed

    assert main(["--site", str(site.root), "build"]) != 0
    said = " ".join("".join(capsys.readouterr()).split())
    assert "Traceback" not in said
    for shown, message in (
        (r"content/na\xefve.md", "file name is not valid UTF-8; its article is left out"),
        (r"content/f\xf6lder", "folder name is not valid UTF-8; nothing in it is read"),
        (r"content/trip/pic\xe9.png", "file name is not valid UTF-8; left out"),
        (r"static/caf\xe9.txt", "file name is not valid UTF-8; left out"),
        (r"seeds/r\xe9sum\xe9.txt", "seed file name is not valid UTF-8; not imported"),
    ):
        assert f"{shown}: {message}" in said, shown
    assert tree(site.root / "build") == before  # nothing written, nothing deleted

    # renamed as the messages ask: the articles and the seed are in the site; the two other
    # files, left as they are, are warnings and no more
    for folder, old, new in (
        (content, b"na\xefve.md", "naive.md"),
        (content, b"f\xf6lder", "folder"),
        (site.root / "seeds", b"r\xe9sum\xe9.txt", "resume.txt"),
    ):
        os.rename(os.fsencode(folder) + b"/" + old, folder / new)
    assert main(["--site", str(site.root), "build"]) == 0
    said = " ".join("".join(capsys.readouterr()).split())
    assert r"static/caf\xe9.txt: file name is not valid UTF-8; left out" in said
    assert site.exists("naive/index.html") and site.exists("x/index.html")
    assert "A seed" in site.out("a-seed/index.html")
    assert site.exists("trip/index.html") and not any((site.root / "build" / "trip").glob("pic*"))
    assert not any((site.root / "build").glob("caf*"))


def test_a_moved_site_with_a_name_not_utf8_reports_it_and_the_build_names_it(tmp_path, capsys):
    source, dest = tmp_path / "hugo", tmp_path / "new"
    (source / "content" / "posts").mkdir(parents=True)
    (source / "hugo.toml").write_text('baseURL = "https://e.org/"\ntitle = "H"\n', "utf-8")
    (source / "content" / "posts" / "ok.md").write_bytes(ARTICLE)
    _bad(source / "content" / "posts", b"b\xe4d.md", ARTICLE)
    assert main(["migrate", str(source), str(dest)]) == 0
    assert r"content/posts/b\xe4d.md" in (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert os.path.exists(os.fsencode(dest) + b"/content/posts/b\xe4d.md")  # copied as it is
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) != 0
    said = " ".join("".join(capsys.readouterr()).split())
    assert r"content/posts/b\xe4d.md: file name is not valid UTF-8" in said
    assert "Traceback" not in said


def test_names_with_url_characters_are_linked_escaped(site, capsys):
    """A file whose name holds `#`, `?` or `%` (a phone's `photo #1.jpg`, `100%.pdf`), linked
    as Markdown wants it (escaped), is linked with those escaped in the page: a `#` left as
    it is would start a fragment, and the link would lead to `photo ` instead. The picture's
    smaller copies too; the link checker finds every link."""
    from PIL import Image

    site.article(
        "trip/index.md",
        "Trip",
        "2024-01-01",
        body="![shot](photo%20%231%3F.png) and [the report](report%20100%25.txt), "
        "[the list](/files/a%23b%3Fc%25d.txt).",
    )
    Image.new("RGB", (1600, 900), (200, 10, 10)).save(site.root / "content/trip/photo #1?.png")
    site.write("content/trip/report 100%.txt", "report")
    site.write("static/files/a#b?c%d.txt", "list")
    assert main(["--site", str(site.root), "check"]) == 0, capsys.readouterr()
    page = site.out("trip/index.html")
    assert 'src="photo%20%231%3F.png"' in page
    assert "photo%20%231%3F-480w.webp 480w" in page  # a smaller copy, escaped as well
    assert 'href="report%20100%25.txt"' in page
    assert 'href="../files/a%23b%3Fc%25d.txt"' in page
    for name in ("trip/photo #1?.png", "trip/report 100%.txt", "files/a#b?c%d.txt"):
        assert site.exists(name), name


def _nfd(name: str) -> str:
    return unicodedata.normalize("NFD", name)


def test_a_name_typed_composed_finds_the_file_named_decomposed(site, capsys):
    """A Mac writes file names decomposed ("é" as "e" and its accent), a keyboard types them
    composed: a picture of a page bundle, a file of static/ and an article named so are found
    by references typed the other way, and linked by the file's own name (a static host
    compares the bytes)."""
    from PIL import Image

    site.article(
        "trip/index.md",
        "Trip",
        "2024-01-01",
        body="![a](café.png) ![b](/img/brûlé.png) [c](../crème.md)",  # typed: composed
    )
    Image.new("RGB", (100, 80)).save(site.root / "content/trip" / _nfd("café.png"))
    (site.root / "static/img").mkdir(parents=True)
    Image.new("RGB", (90, 60)).save(site.root / "static/img" / _nfd("brûlé.png"))
    site.article(_nfd("crème.md"), "Crème", "2024-01-02")
    assert main(["--site", str(site.root), "check"]) == 0, capsys.readouterr()
    page = site.out("trip/index.html")
    assert f'src="{quote(_nfd("café.png"))}"' in page and 'width="100"' in page
    assert f'src="../img/{quote(_nfd("brûlé.png"))}"' in page
    assert '<a href="../creme/">c</a>' in page


def test_a_picture_named_decomposed_added_later_shows_where_it_was_missing(site):
    """With `broken_links: warn`, a picture named before its file is published shows its
    description; a new article whose page bundle brings the file (named decomposed, the
    picture typed composed) makes the next build show it, as a clean build does: the
    record's names of what pictures point at hold both forms, so the page showing it is not
    taken for one the new article leaves as it was. A plain link to a file (a PDF), which no
    page's fingerprint holds, is written as it is typed either way."""
    from PIL import Image

    site.configure("title: T\nbase_url: https://example.org/\nbroken_links: warn\n")
    site.article(
        "a.md", "A", "2024-01-01", body="![the menu](/dinner/café.png) [menu](/dinner/café.pdf)"
    )
    for i in range(3):
        site.article(f"n{i}.md", f"Note {i}", f"2024-02-0{i + 1}")
    site.build()
    assert 'src="../dinner/' not in site.out("a/index.html")  # its description instead
    site.article("dinner/index.md", "Dinner", "2024-03-01")  # no neighbour of a.md
    Image.new("RGB", (40, 30)).save(site.root / "content/dinner" / _nfd("café.png"))
    site.write(f"content/dinner/{_nfd('café.pdf')}", b"%PDF-1.4")
    result = site.build()
    assert not result.diagnostics.errors
    incremental = site.out("a/index.html")
    assert f'src="../dinner/{quote(_nfd("café.png"))}"' in incremental
    assert f'href="../dinner/{quote("café.pdf")}"' in incremental  # as typed
    shutil.rmtree(site.root / "build")
    shutil.rmtree(site.root / ".sitegen")
    site.build()
    assert site.out("a/index.html") == incremental


def test_a_picture_named_in_another_letter_case_is_pointed_at(site, capsys):
    """A Mac's disk ignores letter case, a static host does not: a picture shown as
    `photo.jpg` whose file is `Photo.JPG` is not found, and the error names the file."""
    from PIL import Image

    site.article("trip/index.md", "Trip", "2024-01-01", body="![the view](photo.jpg)")
    Image.new("RGB", (10, 10)).save(site.root / "content/trip/Photo.JPG")
    assert main(["--site", str(site.root), "build"]) == 1
    said = " ".join("".join(capsys.readouterr()).split())
    assert "image not found: photo.jpg" in said
    assert "a file differs from it only in letter case: /trip/Photo.JPG" in said


def test_pictures_on_the_writers_computer_or_with_windows_separators(site, tmp_path, capsys):
    """An editor's pasted picture names a file on the writer's disk (`file:///C:/...`, a
    drive path), which no reader has: an error naming it (it passed through as a broken
    picture); a path written with Windows separators points at the file it means. A site
    moved in with such a picture builds, with a warning, as one with a picture not found."""
    from PIL import Image

    site.article(
        "trip/index.md",
        "Trip",
        "2024-01-01",
        body="![a](images\\photo.png) ![b](file:///C:/Users/me/b.png) ![c](C:\\Users\\me\\c.png)",
    )
    (site.root / "content/trip/images").mkdir()
    Image.new("RGB", (10, 10)).save(site.root / "content/trip/images/photo.png")
    assert main(["--site", str(site.root), "build"]) == 1
    said = " ".join("".join(capsys.readouterr()).split())
    assert (
        "image not found: images\\photo.png (write the path with / as a web address has it: "
        "/trip/images/photo.png is there" in said
    )
    for ref in ("file:///C:/Users/me/b.png", "C:\\Users\\me\\c.png"):
        assert f"image names a file on the computer it was written on: {ref}" in said

    source, dest = tmp_path / "hugo", tmp_path / "new"
    (source / "content" / "posts").mkdir(parents=True)
    (source / "hugo.toml").write_text('baseURL = "https://e.org/"\ntitle = "H"\n', "utf-8")
    (source / "content/posts/p.md").write_bytes(
        b"---\ntitle: Pasted\ndate: 2024-01-01\n---\n\n![shot](file:///C:/Users/me/shot.png)\n"
    )
    assert main(["migrate", str(source), str(dest)]) == 0
    assert "file:///C:/Users/me/shot.png" in (dest / "MIGRATION.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0
    assert "warning: content/posts/p.md:6: image names a file on the computer" in " ".join(
        "".join(capsys.readouterr()).split()
    )
