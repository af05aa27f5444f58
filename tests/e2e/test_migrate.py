"""`sitegen migrate` on one small site per generator (tests/fixtures/migrate/): SOURCE is left
byte for byte as it was, DEST holds site.yaml, the posts and MIGRATION.md listing what it
should; then DEST builds, and every old article address answers over HTTP, either with the
article itself or with a redirect page pointing to it.

The Hugo and Zola sites have two languages and the MkDocs blog links to a documentation page
that is not moved: their builds need `languages` and `broken_links` in site.yaml (issue 14,
items 1 and 5). Those build checks run only once sitegen's configuration accepts those keys.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from PIL import Image

from sitegen.cli import main
from sitegen.config import SiteConfig
from tests.conftest import Page

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "migrate"
_FIELDS = {f.name for f in dataclasses.fields(SiteConfig)}
needs_languages = pytest.mark.skipif(
    "languages" not in _FIELDS,
    reason="needs multilingual support: `languages` in site.yaml (issue 14 item 1, branch lang)",
)
needs_broken_links = pytest.mark.skipif(
    "broken_links" not in _FIELDS,
    reason="needs `broken_links: warn` in site.yaml (issue 14 item 5)",
)


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def migrate(name: str, tmp_path: Path, capsys) -> tuple[Path, Path, str]:
    """Copy the fixture, migrate it, check SOURCE did not change; (source, dest, terminal)."""
    source = tmp_path / name
    shutil.copytree(FIXTURES / name, source)
    before = hashes(source)
    dest = tmp_path / "new-site"
    code = main(["migrate", str(source), str(dest)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert hashes(source) == before, "migrate changed the source folder"
    assert (dest / "site.yaml").is_file() and (dest / "MIGRATION.md").is_file()
    assert "migrated " in out.out and "MIGRATION.md" in out.out
    return source, dest, out.out


def settings(dest: Path) -> dict:
    return yaml.safe_load((dest / "site.yaml").read_text(encoding="utf-8"))


def build(dest: Path, capsys) -> Path:
    code = main(["--site", str(dest), "build"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return dest / "build"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def check_addresses(output: Path, addresses: dict[str, str]) -> None:
    """Serve `output` on 127.0.0.1 and request each old address: it answers 200 with the page
    at the new address, or with a redirect page whose refresh (and canonical link, when there is
    one) points to it."""
    handler = lambda *a, **k: _Quiet(*a, directory=str(output), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for old, new in addresses.items():
            url = base + urllib.parse.quote(old)
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    status, html = response.status, response.read().decode("utf-8")
            except urllib.error.HTTPError as exc:
                pytest.fail(f"{old} answered {exc.code}")
            assert status == 200, old
            page = Page(html)
            if old == new:
                assert page.find_all("article") or page.find_all("main"), old
                assert not page.find_all("meta", **{"http-equiv": "refresh"}), old
                continue
            refresh = page.find_all("meta", **{"http-equiv": "refresh"})
            assert refresh, f"{old} is neither the article nor a redirect"
            target = refresh[0]["content"].split("url=", 1)[1]
            assert urllib.parse.unquote(urllib.parse.urljoin(old, target)) == new, old
            for link in page.find_all("link", rel="canonical"):
                assert urllib.parse.unquote(urllib.parse.urlsplit(link["href"]).path).endswith(
                    new
                ), old
    finally:
        server.shutdown()
        server.server_close()


# --- Jekyll: a permalink sitegen cannot write, two posts with one slug, redirect_from ---------

JEKYLL_ADDRESSES = {
    "/2016/05/09/survey.html": "/2016/05/09/survey/",
    "/2019/08/14/survey.html": "/2019/08/14/survey/",
    "/2020/01/02/winter-count.html": "/2020/01/02/winter-count/",
    "/surveys/2016/": "/2016/05/09/survey/",  # redirect_from, kept
    "/2016/05/09/survey/": "/2016/05/09/survey/",
    "/about/": "/about/",  # a page beside the posts, moved as a page of its own
}


def test_jekyll(tmp_path: Path, capsys) -> None:
    _, dest, terminal = migrate("jekyll", tmp_path, capsys)
    config = settings(dest)
    assert config["title"] == "Field Survey Log"
    assert config["base_url"] == "https://example.org/log/"
    assert config["timezone"] == "America/Chicago"
    assert config["per_page"] == 4
    assert config["permalink"] == "/{year}/{month}/{day}/{slug}/"
    assert "broken_links" not in config  # no link leaves the collection
    posts = dest / "content" / "_posts"
    assert sorted(p.name for p in posts.iterdir()) == [
        "2016-05-09-survey.md",
        "2019-08-14-survey.md",
        "2020-01-02-winter-count.markdown",
    ]
    assert (dest / "content" / "_drafts" / "unfinished-notes.md").is_file()
    assert (dest / "static" / "assets" / "map.png").is_file()
    assert not (dest / "static" / "Gemfile").exists()
    assert not (dest / "static" / "notes-to-self.txt").exists()  # excluded in _config.yml
    first = (posts / "2016-05-09-survey.md").read_text(encoding="utf-8")
    assert first.startswith('---\naliases: ["/surveys/2016/", "/2016/05/09/survey.html"]\n')
    assert "redirect_from:\n  - /surveys/2016/\n" in first  # the rest of the file as it was
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| _posts/2016-05-09-survey.md | 11 | kramdown attribute list '{: .lead}' |" in report
    assert (
        "| _posts/2016-05-09-survey.md | 13 | kramdown attribute list '{: .border-0}' |" in report
    )
    assert (
        "| _posts/2020-01-02-winter-count.markdown | 11 | Liquid tag 'include' | left out |"
        in report
    )
    assert "| about.md | /about/ | /about/ | same address (a page of its own" in report
    assert "| archive.md | a listing made by its layout or Liquid" in report
    assert "| 404.md | a page at /404.html, where sitegen makes its own |" in report
    assert not (dest / "content" / "404.md").exists()
    assert not (dest / "content" / "archive.md").exists()
    about = (dest / "content" / "about.md").read_text(encoding="utf-8")
    assert about.startswith("---\nlisted: false\nlayout: page\n"), about
    assert "/2016/05/09/survey.html | /2016/05/09/survey/ | redirect page" in report
    assert "4 article(s)" in terminal and "5 construct(s) not run" in terminal
    output = build(dest, capsys)
    check_addresses(output, JEKYLL_ADDRESSES)


# --- Pelican: settings read with ast, never run ---------------------------------------------

PELICAN_ADDRESSES = {
    "/posts/2023/07/harbour-seals/": "/posts/2023/07/harbour-seals/",
    "/posts/2023/09/common-terns/": "/posts/2023/09/common-terns/",
    # a slug in capitals: the page keeps the address as written (`url:`), no redirect that a
    # case-insensitive host would take for the page itself
    "/posts/2023/10/XKCD-plots/": "/posts/2023/10/XKCD-plots/",
    "/pages/about.html": "/pages/about.html",  # a page (PAGE_PATHS), at its very address
}


def test_pelican(tmp_path: Path, capsys) -> None:
    source, dest, terminal = migrate("pelican", tmp_path, capsys)
    # a post sitegen cannot read is named on the terminal too (a site of only .rst moves none)
    assert "left behind (1 not in Markdown: convert them first)" in terminal
    assert not (source / "EXECUTED").exists() and not (source / "EXECUTED_SYSTEM").exists()
    config = settings(dest)
    assert config["title"] == "Tidewater Notes"
    assert config["description"] == "Shore birds and the people who count them"
    assert config["base_url"] == "https://example.org/tidewater/"
    assert config["timezone"] == "America/Lima"
    assert config["per_page"] == 6
    assert config["permalink"] == "/posts/{year}/{month}/{slug}/"
    terns = (dest / "content" / "birds" / "terns.md").read_text(encoding="utf-8")
    # Pelican's category from the folder and its slug from the title, as header lines
    assert terns.startswith("Title: Common terns\nCategory: birds\nSlug: common-terns\n")
    assert (dest / "static" / "images" / "seals.png").is_file()
    assert not (dest / "static" / "robots.txt").exists()
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "line 26: Path(__file__).with_name('EXECUTED')" in report
    assert (
        "| `line 28: SITE_BANNER` | … | not carried over: not a literal value: not run |" in report
    )
    assert "| content/notes.rst | an article in .rst" in report
    about = (dest / "content" / "pages" / "about.md").read_text(encoding="utf-8")
    assert about.startswith("Title: About\nListed: false\nUrl: /pages/about.html\n"), about
    output = build(dest, capsys)
    check_addresses(output, PELICAN_ADDRESSES)
    assert (output / "categories" / "birds" / "index.html").is_file()
    assert "Who we are" not in (output / "index.html").read_text(encoding="utf-8")


def test_pelican_links_to_files_are_not_pages_left_behind(tmp_path: Path, capsys) -> None:
    """`{static}/images/x.png` and `{filename}/code/x.py` name files Pelican copies (its
    STATIC_PATHS), not pages: once moved they are found, so the report lists only the file
    that is not there, and only it makes site.yaml say `broken_links: warn`."""
    source, dest = tmp_path / "site", tmp_path / "moved"
    (source / "content" / "images").mkdir(parents=True)
    (source / "content" / "code").mkdir()
    (source / "content" / "images" / "a.png").write_bytes(
        (FIXTURES / "pelican" / "content" / "images" / "seals.png").read_bytes()
    )
    (source / "content" / "code" / "run.py").write_text("print(1)\n", encoding="utf-8")
    (source / "pelicanconf.py").write_text(
        'SITENAME = "Notes"\nPATH = "content"\nSTATIC_PATHS = ["images", "code"]\n',
        encoding="utf-8",
    )
    (source / "content" / "post.md").write_text(
        "Title: Post\nDate: 2020-01-02\n\n![A]({filename}/images/a.png)\n\n"
        "[script]({filename}/code/run.py), [again]({static}/code/run.py), "
        "[slides]({static}/code/slides.pdf)\n",
        encoding="utf-8",
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| content/post.md | 6 | `{static}/code/slides.pdf` |" in report
    for found in ("{filename}/images/a.png", "{filename}/code/run.py", "{static}/code/run.py"):
        assert f"`{found}`" not in report, found
    assert "1 link(s) to pages not moved" in capsys.readouterr().out
    (source / "content" / "post.md").write_text(
        "Title: Post\nDate: 2020-01-02\n\n[script]({filename}/code/run.py)\n", encoding="utf-8"
    )
    shutil.rmtree(dest)
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    assert "broken_links" not in settings(dest)
    output = build(dest, capsys)
    assert (output / "code" / "run.py").is_file()


def test_pelican_moves_the_files_posts_link_outside_static_paths(tmp_path: Path, capsys) -> None:
    """Pelican publishes a file a post links with `{attach}` or `{static}` even outside
    STATIC_PATHS: it moves, and the link finds it; a file no post links was never published
    and is listed as left behind (not dropped without a word)."""
    source, dest = tmp_path / "site", tmp_path / "moved"
    (source / "content" / "attachments").mkdir(parents=True)
    (source / "content" / "attachments" / "slides.pdf").write_bytes(b"%PDF-1.4\n")
    (source / "content" / "scratch.py").write_text("print(1)\n", encoding="utf-8")
    (source / "pelicanconf.py").write_text('SITENAME = "Notes"\n', encoding="utf-8")
    (source / "content" / "talk.md").write_text(
        "Title: Talk\nDate: 2020-01-02\n\nThe [slides]({attach}attachments/slides.pdf).\n",
        encoding="utf-8",
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    assert (dest / "static" / "attachments" / "slides.pdf").is_file()
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| content/scratch.py | outside STATIC_PATHS and linked from no post" in report
    assert "broken_links" not in settings(dest)
    output = build(dest, capsys)
    assert (output / "attachments" / "slides.pdf").is_file()


# --- MkDocs: the blog plugin, icon shortcodes, documentation pages beside the blog ---------

MKDOCS_ADDRESSES = {
    "/blog/2024/02/01/calibration-check/": "/blog/2024/02/01/calibration-check/",
    "/blog/2024/03/10/field-day-notes/": "/blog/2024/03/10/field-day-notes/",
    # documentation pages: moved as pages of their own
    "/guide/setup/": "/guide/setup/",
    "/about/": "/about/",
}


def test_mkdocs(tmp_path: Path, capsys) -> None:
    _, dest, terminal = migrate("mkdocs", tmp_path, capsys)
    config = settings(dest)
    assert config["title"] == "Lab Journal"
    assert config["base_url"] == "https://example.org/lab/"
    assert config["per_page"] == 5
    assert config["permalink"] == "/blog/{year}/{month}/{day}/{slug}/"
    assert config["broken_links"] == "warn"  # because of the link below, and said so
    assert "broken_links: warn    # see 'Links to pages that were not moved'" in (
        dest / "site.yaml"
    ).read_text(encoding="utf-8")
    assert sorted(p.name for p in (dest / "content" / "blog" / "posts").iterdir()) == [
        "calibration.md",
        "draft-idea.md",
        "field-day.md",
    ]
    guide = (dest / "content" / "guide" / "setup.md").read_text(encoding="utf-8")
    assert guide.startswith('---\nlisted: false\nurl: "/guide/setup/"\n---\n'), guide
    assert (dest / "static" / "blog" / "images" / "dunes.png").is_file()
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    # the link to the guide now finds the moved page; the one to the blog's index does not
    assert "`../../guide/setup.md`" not in report
    assert "| docs/blog/posts/calibration.md | 18 | `../index.md` |" in report
    assert "sets `broken_links: warn`" in report
    assert "':octicons-heart-fill-24:'" in report and "':smile:'" in report
    assert "| docs/index.md | the home page: sitegen makes its own |" in report
    assert "| docs/blog/index.md | the blog's index: sitegen makes its own listings |" in report
    assert "2 page(s) of their own" in terminal
    assert "1 link(s) to pages not moved (broken_links: warn)" in terminal
    calibration = (dest / "content" / "blog" / "posts" / "calibration.md").read_text("utf-8")
    assert calibration.startswith('---\nslug: "calibration-check"\ndate: 2024-02-01\n')


@needs_broken_links
def test_mkdocs_builds_and_keeps_addresses(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("mkdocs", tmp_path, capsys)
    output = build(dest, capsys)
    check_addresses(output, MKDOCS_ADDRESSES)
    post = output / "blog" / "2024" / "02" / "01" / "calibration-check" / "index.html"
    assert 'href="../../../../../guide/setup/"' in post.read_text(encoding="utf-8")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert '<a href="about/">About the lab</a>' in home  # pages of their own: in the footer
    assert "Setting up the bench" not in home.split('class="footer-links"')[0]


# --- Hugo: a language per content folder, a permalink, a Japanese title in the old address --

HUGO_ADDRESSES = {
    "/2024/03/first-light/": "/2024/03/first-light/",
    "/2024/04/tide-tables/": "/2024/04/tide-tables/",
    "/ja/2024/03/初めての光/": "/ja/2024/03/初めての光/",  # kept: `unicode_slugs: true`
    "/ja/2024/04/tide-tables/": "/ja/2024/04/tide-tables/",
    "/about/": "/about/",  # a page outside the main section: moved as a page of its own
}


def test_hugo(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("hugo", tmp_path, capsys)
    config = settings(dest)
    assert config["title"] == "Harbour Notes"
    assert config["description"] == "Notes from the harbour."
    assert config["base_url"] == "https://example.org/"
    assert config["timezone"] == "Europe/Lisbon"
    assert config["per_page"] == 5
    assert config["permalink"] == "/{year}/{month}/{slug}/"
    assert config["languages"] == [
        {"code": "en", "name": "English", "folder": "en"},
        {"code": "ja", "name": "日本語", "folder": "ja"},
    ]
    assert "language" not in config
    content = dest / "content"
    assert (content / "en" / "posts" / "tide-tables" / "chart.png").is_file()
    assert (content / "ja" / "posts" / "first-light.md").is_file()
    about = (content / "en" / "about.md").read_text(encoding="utf-8")
    assert about.startswith('---\nlisted: false\nurl: "/about/"\ntitle: About\n'), about
    assert not (content / "en" / "search.md").exists()  # its layout made it: sitegen has its own
    assert (dest / "static" / "images" / "logo.png").is_file()
    ja = (content / "ja" / "posts" / "first-light.md").read_text(encoding="utf-8")
    assert ja.startswith('+++\nslug = "初めての光"\ntitle = "初めての光"\n'), ja  # no redirect
    assert config["unicode_slugs"] is True
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert (
        "| content/ja/posts/first-light.md | /ja/2024/03/初めての光/ | /ja/2024/03/初めての光/ | same address"
        in report
    )
    assert (
        "| content/en/posts/first-light.md | 8 | Hugo shortcode 'youtube' | shown as a link |"
        in report
    )
    assert "| `taxonomies.series` | series | not carried over" in report
    assert "| content/en/about.md | /about/ | /about/ | same address (a page of its own" in report
    assert "| content/en/search.md | a page made by its layout" in report
    assert "| content/en/hero/index.md | not a page on the old site (headless" in report
    assert not (content / "en" / "hero").exists()


@needs_languages
def test_hugo_builds_and_keeps_addresses(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("hugo", tmp_path, capsys)
    assert settings(dest)["old_feeds"] == {"index.xml": "rss"}
    assert settings(dest)["heading_ids"] == "github"
    output = build(dest, capsys)
    check_addresses(output, HUGO_ADDRESSES)
    # Hugo's feed addresses: index.xml beside the home and every tag page, the RSS feed
    assert (output / "index.xml").read_bytes() == (output / "rss.xml").read_bytes()
    tag = next((output / "tags").glob("*/rss.xml")).parent
    assert (tag / "index.xml").read_bytes() == (tag / "rss.xml").read_bytes()


def test_a_post_without_front_matter_keeps_its_title_when_it_gets_some(
    tmp_path: Path, capsys
) -> None:
    """A post with no front matter and no `# heading` is titled from its file name; the
    redirect the migration adds (`aliases`) gives it front matter, which needs a title: the
    file-name title goes in with it, and the site builds (it stopped at the post before)."""
    source, dest = tmp_path / "site", tmp_path / "moved"
    (source / "content" / "posts" / "notes").mkdir(parents=True)
    (source / "hugo.toml").write_text('baseURL = "https://example.org/"\n', encoding="utf-8")
    (source / "content" / "posts" / "first.md").write_text(
        "---\ntitle: First\ndate: 2024-01-02\n---\nHello.\n", encoding="utf-8"
    )
    (source / "content" / "posts" / "notes" / "rough-ideas.md").write_text(
        "#### Ideas\n\nNot many yet.\n", encoding="utf-8"
    )
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| content/posts/notes/rough-ideas.md | Rough ideas | no front matter" in report
    output = build(dest, capsys)
    assert (output / "posts" / "notes" / "rough-ideas" / "index.html").is_file()


# --- Zola: Spanish and Catalan, translations whose tags differ ------------------------------

ZOLA_ADDRESSES = {
    "/blog/mercado/": "/blog/mercado/",
    "/ca/blog/mercado/": "/ca/blog/mercado/",
    "/blog/fiesta-mayor/": "/blog/fiesta-mayor/",
    "/ca/blog/fiesta-mayor/": "/ca/blog/fiesta-mayor/",
    "/blog/patio-escuela/": "/blog/patio-escuela/",
    "/ca/blog/pati/": "/ca/blog/pati/",
    "/about/": "/about/",  # content/about.md: a page of its own
}


def test_zola(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("zola", tmp_path, capsys)
    config = settings(dest)
    assert config["title"] == "Cuaderno del barrio"
    assert config["author"] == "Marta Puig"
    assert config["per_page"] == 3  # from content/blog/_index.md
    assert config["permalink"] == "/blog/{slug}/"
    assert [lang["code"] for lang in config["languages"]] == ["es", "ca"]
    assert "folder" not in config["languages"][0]
    assert config["old_feeds"] == {"atom.xml": "atom", "rss.xml": "rss"}
    blog = dest / "content" / "blog"
    assert (blog / "mercado.ca.md").read_bytes() == (
        FIXTURES / "zola" / "content" / "blog" / "mercado.ca.md"
    ).read_bytes()  # nothing to add: the address is the same
    assert (blog / "pati" / "patio.png").is_file()
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| content/blog/mercado.md | 8 | Zola shortcode 'youtube' | shown as a link |" in report
    assert (
        "| content/blog/pati/index.ca.md | /ca/blog/pati/ | /ca/blog/pati/ | same address |"
        in report
    )
    # a page of the root section beside the blog: a page of its own at its address, in no
    # listing, not a post of the blog with a redirect from /about/
    assert "| content/about.md | /about/ | /about/ | same address (a page of its own" in report
    about = (dest / "content" / "about.md").read_text(encoding="utf-8")
    assert about.startswith('+++\nlisted = false\nurl = "/about/"\n'), about


@needs_languages
def test_zola_builds_keeps_addresses_and_every_tag(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("zola", tmp_path, capsys)
    output = build(dest, capsys)
    check_addresses(output, ZOLA_ADDRESSES)
    assert (output / "atom.xml").read_bytes() == (output / "feed.xml").read_bytes()
    assert (output / "ca" / "atom.xml").is_file()
    for tag in ("mercado", "barrio", "fiestas", "escuela"):
        assert (output / "tags" / tag / "index.html").is_file(), tag
    for tag in ("mercat", "barri", "funcionalitat", "festes", "tradicions", "escola", "arbres"):
        assert (output / "ca" / "tags" / tag / "index.html").is_file(), tag


# --- Astro: a content collection read from content.config.ts, never run; an MDX post --------

ASTRO_ADDRESSES = {
    "/blog/low-tide-survey/": "/blog/low-tide-survey/",
    "/blog/kelp-forest-notes/": "/blog/kelp-forest-notes/",  # front matter `slug`
    # a file in a folder, its name with spaces and capitals: the id Astro made of its path
    "/blog/field-notes/winter-storm-log/": "/blog/winter-storm-log/",
    "/blog/tide-charts/": "/blog/tide-charts/",  # the .mdx post
    "/about/": "/about/",  # src/pages/about.md, a page of its own
}


def test_astro(tmp_path: Path, capsys) -> None:
    source, dest, terminal = migrate("astro", tmp_path, capsys)
    config = settings(dest)
    assert config["title"] == "Tidepool Journal"  # src/consts.ts
    assert config["description"].startswith("Counting what the tide leaves")
    assert config["base_url"] == "https://tidepool.example.org/"  # not the commented-out one
    assert config["permalink"] == "/blog/{slug}/"
    assert config["heading_ids"] == "github"
    blog = dest / "content" / "blog"
    assert sorted(p.relative_to(blog).as_posix() for p in blog.rglob("*.md")) == [
        "field-notes/Winter Storm Log.md",
        "kelp-forest.md",
        "low-tide-survey.md",
        "tide-charts.md",
        "unfinished-draft.md",
    ]
    for name in ("favicon.svg", "kelp.png", "assets/tidepool-hero.png", "assets/anemone.png"):
        assert (dest / "static" / name).is_file(), name
    survey = (blog / "low-tide-survey.md").read_text(encoding="utf-8")
    # the date as JavaScript read it, and the hero image (relative to the post, in src/assets)
    # under the key sitegen reads, at the address it was copied to
    assert survey.startswith('---\npubDate: "2022-07-08"\nimage: "/assets/tidepool-hero.png"\n')
    assert "![Green anemone, closed against the sun](/assets/anemone.png)" in survey
    kelp = (blog / "kelp-forest.md").read_text(encoding="utf-8")
    assert kelp.startswith('---\nupdated: "2022-10-02"\nimage: "/kelp.png"\n')
    mdx = (source / "src" / "content" / "blog" / "tide-charts.mdx").read_text(encoding="utf-8")
    charts = (blog / "tide-charts.md").read_text(encoding="utf-8")
    assert charts.count("\n") == mdx.count("\n")  # line for line
    assert "import " not in charts and "<TideChart" not in charts and "Callout" not in charts
    assert "\nGo out **an hour before** the predicted low, not at it.\n" in charts
    assert "*emphasis*, `code`, and [links](https://tidesandcurrents.noaa.gov/)" in charts
    about = (dest / "content" / "pages" / "about.md").read_text(encoding="utf-8")
    assert about.startswith('---\nlisted: false\nurl: "/about/"\n'), about
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert (
        "| src/content/blog/tide-charts.mdx | 13 | MDX component <TideChart /> | left out" in report
    )
    assert "| src/content/blog/tide-charts.mdx | 15 | MDX component <Callout> |" in report
    assert (
        "| src/content/blog/field-notes/Winter Storm Log.md | /blog/field-notes/winter-storm-log/"
        " | /blog/winter-storm-log/ | redirect page at the old address |" in report
    )
    assert "| src/content/blog/unfinished-draft.md |  |" in report  # a draft: no old address
    assert "| `heroImage (front matter)` | 2 file(s) | `image`" in report
    assert "| `layout (front matter)` | 1 file(s) | not carried over" in report
    assert "| `integrations` | mdx, sitemap | not carried over" in report
    for left in ("src/pages/blog/[...slug].astro", "src/components", "src/layouts"):
        assert f"| {left} |" in report, left
    assert "Every old article address is kept" in report
    assert "2 construct(s) not run" in terminal


def test_astro_builds_and_keeps_addresses(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("astro", tmp_path, capsys)
    output = build(dest, capsys)
    check_addresses(output, ASTRO_ADDRESSES)
    for tag in ("survey", "anemones", "kelp", "storms", "charts"):
        assert (output / "tags" / tag / "index.html").is_file(), tag
    survey = Page((output / "blog" / "low-tide-survey" / "index.html").read_text("utf-8"))
    assert (output / "assets" / "tidepool-hero.png").is_file()
    og = survey.find_all("meta", property="og:image")
    assert og and og[0]["content"] == "https://tidepool.example.org/assets/tidepool-hero.png"
    assert [i["src"] for i in survey.find_all("img")] == ["../../assets/anemone.png"]
    charts = (output / "blog" / "tide-charts" / "index.html").read_text(encoding="utf-8")
    assert "<strong>an hour before</strong>" in charts and "<pre><code>Go out" not in charts
    assert "TideChart" not in charts and "import" not in charts
    assert not (output / "blog" / "unfinished-draft").exists()
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "About the journal" not in home.split('class="footer-links"')[0]


# --- Eleventy: base-blog shape, JavaScript read as text, never run; Nunjucks in posts ---------

ELEVENTY_ADDRESSES = {
    "/blog/first-light/": "/blog/first-light/",
    # a dated file name: Eleventy's address keeps the date, `page.date` comes from it
    "/blog/2023-01-10-winter-wicks/": "/blog/2023-01-10-winter-wicks/",
    "/wax/beeswax-or-paraffin/": "/wax/beeswax-or-paraffin/",  # permalink with page.fileSlug
    "/blog/night-walk/": "/blog/night-walk/",  # night-walk/night-walk.md: the folder's address
    "/blog/2022/lamp-oil/": "/blog/lamp-oil/",  # a subfolder sitegen's permalink leaves out
    "/blog/trimming/": "/blog/trimming/",
    "/blog/shop-hours/": "/blog/shop-hours/",
    "/about/": "/about/",  # content/about/index.md, a page of its own
}


def test_eleventy(tmp_path: Path, capsys) -> None:
    _, dest, terminal = migrate("eleventy", tmp_path, capsys)
    config = settings(dest)
    assert config["title"] == "Lantern Notes"  # _data/metadata.js
    assert config["author"] == "Ada Wren" and config["language"] == "en"
    assert config["base_url"] == "https://lantern.example.net/"
    assert config["permalink"] == "/blog/{slug}/"
    assert config["old_feeds"] == {"feed/journal.xml": "atom", "feed/rss.xml": "rss"}
    content = dest / "content"
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md")) == [
        "about/index.md",
        "blog/2022/lamp-oil.md",
        "blog/2023-01-10-winter-wicks.md",
        "blog/beeswax-or-paraffin.md",
        "blog/first-light.md",
        "blog/night-walk/night-walk.md",
        "blog/shop-hours.md",
        "blog/trimming.md",
        "blog/unfinished-lamp.md",
    ]
    for name in ("favicon.svg", "css/index.css", "img/lantern.png"):  # {"./public/": "/"}
        assert (dest / "static" / name).is_file(), name
    for name in ("night-walk/harbour.png", "2022/oil-jar.png", "trimmed-wick.png"):
        assert (content / "blog" / name).is_file(), name
    wicks = (content / "blog" / "2023-01-10-winter-wicks.md").read_text(encoding="utf-8")
    assert wicks.startswith('---\ntags: ["wicks"]\n')  # the collection tag dropped
    wax = (content / "blog" / "beeswax-or-paraffin.md").read_text(encoding="utf-8")
    assert 'tags: ["wax"]' in wax and 'permalink: "/wax/beeswax-or-paraffin/"' in wax
    trimming = (content / "blog" / "trimming.md").read_text(encoding="utf-8")
    assert "\n![A wick trimmed to five millimetres](<./trimmed-wick.png>)\n" in trimming
    hours = (content / "blog" / "shop-hours.md").read_text(encoding="utf-8")
    assert "Lantern Notes is open Tuesday to Saturday, 10 to 6." in hours and "{#" not in hours
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    for row in (
        "| content/blog/trimming.md | 10 | Eleventy shortcode 'image' | shown as a Markdown image |",
        "| content/blog/2023-01-10-winter-wicks.md | 8 | Liquid tag 'callout' |",
        "| content/blog/shop-hours.md | 6 | Nunjucks comment | left out |",
        "| content/blog/shop-hours.md | 7 | Eleventy data 'metadata.title' |",
        "| content/blog/shop-hours.md | 9 | Liquid tag 'set' | left out |",
        "| content/blog/2022/lamp-oil.md | /blog/2022/lamp-oil/ | /blog/lamp-oil/ | redirect",
        "| content/blog/unfinished-lamp.md |  |",  # a draft: no old address
        "| content/404.md | a page at /404.html, where sitegen makes its own |",
        "| content/archive.md | a listing made by its layout",
        "| content/index.njk | the home page: sitegen makes its own |",
        "| content/feed/feed.njk | a feed made by a template",
        "| content/sitemap/sitemap.xml.njk | a sitemap made by a template",
        "| _includes | Eleventy's templates",
        "| `eleventyComputed (content/content.11tydata.js)` | … | not carried over",
    ):
        assert row in report, row
    assert "drafts-archive" not in report  # a commented-out passthrough copy
    assert "Every old article address is kept" in report
    assert "7 construct(s) not run" in terminal


def test_eleventy_builds_and_keeps_addresses(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("eleventy", tmp_path, capsys)
    output = build(dest, capsys)
    check_addresses(output, ELEVENTY_ADDRESSES)
    for tag in ("traditions", "lamps", "wicks", "wax", "harbour", "oil"):
        assert (output / "tags" / tag / "index.html").is_file(), tag
    assert not (output / "tags" / "posts").exists()  # a collection, not a tag
    assert (output / "feed" / "journal.xml").is_file()  # the old feed address
    walk = Page((output / "blog" / "night-walk" / "index.html").read_text("utf-8"))
    assert [i["src"] for i in walk.find_all("img")] == ["harbour.png"]
    oil = Page((output / "blog" / "lamp-oil" / "index.html").read_text("utf-8"))
    assert [i["src"] for i in oil.find_all("img")] == ["../2022/oil-jar.png"]
    trimming = (output / "blog" / "trimming" / "index.html").read_text(encoding="utf-8")
    assert "{%" not in trimming and 'alt="A wick trimmed to five millimetres"' in trimming
    assert not (output / "blog" / "unfinished-lamp").exists()
    about = (output / "about" / "index.html").read_text(encoding="utf-8")
    assert "Quay Street since 1987" in about and "{{" not in about


# --- refusals ---------------------------------------------------------------------------------


def test_refuses_dest_inside_source(tmp_path: Path, capsys) -> None:
    source = tmp_path / "jekyll"
    shutil.copytree(FIXTURES / "jekyll", source)
    before = hashes(source)
    assert main(["migrate", str(source), str(source / "new")]) == 2
    assert "inside the source folder" in capsys.readouterr().err
    assert hashes(source) == before and not (source / "new").exists()


def test_refuses_non_empty_dest_that_is_not_a_site(tmp_path: Path, capsys) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["migrate", str(FIXTURES / "jekyll"), str(dest)]) == 2
    assert "not empty and not a sitegen site" in capsys.readouterr().err
    assert sorted(p.name for p in dest.iterdir()) == ["notes.txt"]


def test_unknown_source_says_what_it_looked_for(tmp_path: Path, capsys) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "readme.md").write_text("# hi\n", encoding="utf-8")
    assert main(["migrate", str(tmp_path / "src"), str(tmp_path / "dest")]) == 2
    err = capsys.readouterr().err
    for name in (
        "hugo.toml",
        "_config.yml",
        "config.toml",
        "mkdocs.yml",
        "pelicanconf.py",
        "astro.config.mjs",
        "eleventy.config.js",
    ):
        assert name in err
    assert "Traceback" not in err and not (tmp_path / "dest").exists()


def test_bad_configuration_names_file_and_line(tmp_path: Path, capsys) -> None:
    source = tmp_path / "src"
    shutil.copytree(FIXTURES / "zola", source)
    (source / "config.toml").write_text('base_url = "https://example.org"\ntitle = \n', "utf-8")
    assert main(["migrate", str(source), str(tmp_path / "dest")]) == 1
    err = capsys.readouterr().err
    assert "config.toml:2: invalid TOML" in err and "Traceback" not in err
    assert not (tmp_path / "dest").exists()


def test_running_again_changes_nothing(tmp_path: Path, capsys) -> None:
    _, dest, _ = migrate("jekyll", tmp_path, capsys)
    before = hashes(dest)
    assert main(["migrate", str(tmp_path / "jekyll"), str(dest)]) == 0
    capsys.readouterr()
    assert hashes(dest) == before


def test_existing_site_keeps_its_settings_and_files(tmp_path: Path, capsys) -> None:
    dest = tmp_path / "site"
    assert main(["init", str(dest)]) == 0
    mine = (dest / "site.yaml").read_text(encoding="utf-8")
    assert main(["migrate", str(FIXTURES / "pelican"), str(dest)]) == 0
    out = capsys.readouterr()
    assert "site.yaml was kept" in out.err
    assert (dest / "site.yaml").read_text(encoding="utf-8") == mine
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "DEST already had a different site.yaml; it was kept" in report
    assert "title: Tidewater Notes" in report
    assert (dest / "content" / "posts" / "harbour-seals.md").is_file()


# --- Zola with posts at the root and in a second section (the Rust blog's layout) -------------


def test_zola_every_section_moves_and_pages_link_by_old_address(tmp_path: Path, capsys) -> None:
    """Pages at content/ and in content/inside/ both move and keep their addresses; a template
    page without a title is left behind and listed; an image linked by its old address
    (relative to the page, as a browser reads it) resolves."""
    source = tmp_path / "zola-two"
    (source / "content" / "inside" / "cargo-2").mkdir(parents=True)
    (source / "content" / "latest").mkdir()
    (source / "config.toml").write_text(
        'base_url = "https://blog.example.org"\ntitle = "Two sections"\n', encoding="utf-8"
    )
    (source / "content" / "_index.md").write_text("+++\ntitle = 'Blog'\n+++\n", encoding="utf-8")
    (source / "content" / "inside" / "_index.md").write_text(
        "+++\ntitle = 'Inside'\n+++\n", encoding="utf-8"
    )
    for name in ("first", "second"):
        (source / "content" / f"{name}.md").write_text(
            f"+++\ntitle = '{name.title()} post'\ndate = 2024-01-02\n+++\n\nRoot post.\n",
            encoding="utf-8",
        )
    (source / "content" / "inside" / "cargo-1.md").write_text(
        "+++\ntitle = 'Cargo one'\ndate = 2024-02-03\npath = 'inside/2024/02/03/cargo-1'\n+++\n\n"
        "![Cargo output](../../../../2024/03/04/cargo-2/out.svg)\n",
        encoding="utf-8",
    )
    (source / "content" / "inside" / "cargo-2" / "index.md").write_text(
        "+++\ntitle = 'Cargo two'\ndate = 2024-03-04\npath = 'inside/2024/03/04/cargo-2'\n+++\n\n"
        "![Cargo output](out.svg)\n",
        encoding="utf-8",
    )
    (source / "content" / "inside" / "cargo-2" / "out.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8"
    )
    (source / "content" / "latest" / "index.md").write_text(
        "+++\ntemplate = 'latest.html'\n+++\n", encoding="utf-8"
    )
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "latest" in report and "not an article" in report
    output = build(dest, capsys)
    check_addresses(
        output,
        {
            "/first/": "/first/",
            "/second/": "/second/",
            "/inside/2024/02/03/cargo-1/": "/inside/2024/02/03/cargo-1/",
            "/inside/2024/03/04/cargo-2/": "/inside/2024/03/04/cargo-2/",
        },
    )
    assert (output / "inside/2024/03/04/cargo-2/out.svg").is_file()


def test_zola_pages_inside_a_page_folder_and_translations_keep_their_pictures(
    tmp_path: Path, capsys
) -> None:
    """A section folder with a page of its own and pages in subfolders: each subfolder page
    moves (every time: the nearest page folder owns a file) and finds the picture beside it;
    a translation finds another page's picture by its old address, as a browser read it."""
    source = tmp_path / "zola-nested"
    guide = source / "content" / "01-guide"
    for sub in ("extra", "notes", "tips"):
        (guide / sub).mkdir(parents=True)
        (guide / sub / "index.md").write_text(
            f"+++\ntitle = '{sub.title()}'\ndate = 2024-01-03\npath = '{sub}'\n+++\n\n"
            f"![Stack](stack.svg)\n",
            encoding="utf-8",
        )
    (source / "content" / "loops").mkdir()
    (source / "config.toml").write_text(
        'base_url = "https://os.example.org"\ntitle = "Nested"\ndefault_language = "en"\n\n'
        "[languages.de]\n",
        encoding="utf-8",
    )
    (guide / "_index.md").write_text("+++\ntitle = 'Guide extras'\n+++\n", encoding="utf-8")
    for name, lang in (("index.md", ""), ("index.de.md", "de/")):
        (guide / name).write_text(
            f"+++\ntitle = 'Guide'\ndate = 2024-01-02\npath = '{lang}handbook'\n+++\n\n"
            "![Map](map.svg)\n",
            encoding="utf-8",
        )
    (source / "content" / "loops" / "index.md").write_text(
        "+++\ntitle = 'Loops'\ndate = 2024-02-01\npath = 'loops'\n+++\n\n"
        "![Map](../handbook/map.svg)\n",
        encoding="utf-8",
    )
    (source / "content" / "loops" / "index.de.md").write_text(
        "+++\ntitle = 'Schleifen'\ndate = 2024-02-01\npath = 'de/loops'\n+++\n\n"
        "![Karte](../handbook/map.svg)\n",
        encoding="utf-8",
    )
    for svg in (guide / "map.svg", *(guide / sub / "stack.svg" for sub in ("extra", "tips"))):
        svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (guide / "notes" / "stack.svg").write_text("<svg/>", encoding="utf-8")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    for sub in ("extra", "notes", "tips"):
        assert f"| content/01-guide/{sub}/index.md | /{sub}/ | /{sub}/ | same address |" in report
    capsys.readouterr()
    assert main(["--site", str(dest), "build"]) == 0
    err = capsys.readouterr().err
    assert "not found" not in err, err
    output = dest / "build"
    for page in ("extra", "notes", "de/loops"):
        html = Page((output / page / "index.html").read_text(encoding="utf-8"))
        src = html.find_all("img")[0]["src"]
        assert (output / page / src).resolve().read_text(encoding="utf-8").startswith("<svg")


def test_an_undated_post_gets_its_address_when_the_permalink_has_no_date(
    tmp_path: Path, capsys
) -> None:
    """Zola pages need no date: under a permalink without one the new address is known, so
    the picture in the page's folder is found, and nothing is reported missing."""
    source = tmp_path / "zola-undated"
    (source / "content" / "notes" / "setup").mkdir(parents=True)
    (source / "config.toml").write_text(
        'base_url = "https://notes.example.org"\ntitle = "Undated"\n', encoding="utf-8"
    )
    (source / "content" / "notes" / "setup" / "index.md").write_text(
        '+++\ntitle = \'Setup\'\n+++\n\n<img src="screen.png" alt="The screen">\n',
        encoding="utf-8",
    )
    Image.new("RGB", (4, 4)).save(source / "content" / "notes" / "setup" / "screen.png")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "| content/notes/setup/index.md | /notes/setup/ | /notes/setup/ | same address |" in (
        report
    )
    assert "broken_links" not in settings(dest)
    output = build(dest, capsys)
    assert (output / "notes/setup/screen.png").is_file()


@pytest.mark.parametrize(
    ("pattern", "kept"),
    [
        ("/posts/:slugorcontentbasename/", True),  # Hugo 0.144's name for :slugorfilename
        ("/:author/:slug/", False),  # a part sitegen cannot read: said, not promised
    ],
)
def test_hugo_permalink_parts_are_read_or_the_report_says_they_are_not(
    tmp_path: Path, capsys, pattern: str, kept: bool
) -> None:
    source = tmp_path / "hugo"
    (source / "content" / "posts").mkdir(parents=True)
    (source / "hugo.toml").write_text(
        f'title = "P"\nbaseURL = "https://example.org/"\n[permalinks]\nposts = "{pattern}"\n'
    )
    (source / "content" / "posts" / "webbiji.md").write_text(
        '+++\ntitle = "Web notes"\ndate = 2024-05-01\n+++\n\nText.\n'
    )
    dest = tmp_path / "new"
    assert main(["migrate", str(source), str(dest)]) == 0
    terminal = capsys.readouterr().out
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    if kept:
        assert settings(dest)["permalink"] == "/posts/{slug}/"
        assert (
            "| content/posts/webbiji.md | /posts/webbiji/ | /posts/webbiji/ | same address |"
            in (report)
        )
        assert "Every old article address is kept" in report
    else:
        assert "1 whose old address is not known" in terminal
        assert "1 article(s) have no old address known" in report
        assert "Every old article address is kept" not in report


# --- what real blogs showed: pictures left on the old server, untitled posts, Astro globs ------


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


class _Texts(HTMLParser):
    """The text of each element with one tag (and class), for `texts_of`."""

    def __init__(self, tag: str, cls: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.cls = tag, cls
        self.found: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == self.tag
        elif tag == self.tag and (self.cls is None or self.cls in (dict(attrs).get("class") or "")):
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts_of(html: str, tag: str, cls: str | None = None) -> list[str]:
    """The visible text of every `<tag class="cls">` of a page, white space collapsed."""
    parser = _Texts(tag, cls)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


def png(path: Path) -> None:
    """A real (tiny) PNG, which the build measures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 3), "navy").save(path)


def test_pictures_that_were_not_moved_are_listed_and_the_site_builds(
    tmp_path: Path, capsys
) -> None:
    """A Hugo blog whose posts show pictures that stayed on the old server: migrate lists
    each (file, line, image), sets `broken_links: warn`, and the build warns about each with
    file and line, shows the description, and exits 0. Pictures that did move are not listed."""
    source = write_files(
        tmp_path / "hugo-pictures",
        {
            "hugo.toml": 'title = "Pictures"\nbaseURL = "https://example.org/"\n',
            "content/posts/harbour.md": (
                '+++\ntitle = "Harbour"\ndate = 2021-04-05\n+++\n\n'
                "![The quay at dawn](/images/quay.png)\n\n"  # line 6: in static/, moved
                "![The old lighthouse](/images/lighthouse.jpg)\n\n"  # line 8: never there
                "![A gull](gull.png)\n"  # line 10: neither beside the post nor in static/
            ),
            "content/posts/boats/index.md": (
                '+++\ntitle = "Boats"\ndate = 2021-05-06\n+++\n\n'
                "![Moored](moored.png)\n\n"  # line 6: a bundle file, moved
                "![Sunk](sunk.png)\n"  # line 8: missing
            ),
        },
    )
    png(source / "static" / "images" / "quay.png")
    png(source / "content" / "posts" / "boats" / "moored.png")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0
    terminal = capsys.readouterr().out
    assert "3 image(s) not found (broken_links: warn)" in terminal
    config_text = (dest / "site.yaml").read_text(encoding="utf-8")
    assert settings(dest)["broken_links"] == "warn"
    assert "'Images not found'" in config_text  # the comment says why
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    section = report.split("## Images not found", 1)[1].split("\n## ", 1)[0]
    assert "| content/posts/harbour.md | 8 | `/images/lighthouse.jpg` |" in section
    assert "| content/posts/harbour.md | 10 | `gull.png` |" in section
    assert "| content/posts/boats/index.md | 8 | `sunk.png` |" in section
    assert "quay.png" not in section and "moored.png" not in section
    assert "description" in section

    assert main(["--site", str(dest), "build"]) == 0
    err = capsys.readouterr().err
    assert "content/posts/harbour.md:8: image not found: /images/lighthouse.jpg" in err
    assert "content/posts/boats/index.md:8: image not found: sunk.png" in err
    assert err.count("image not found") == 3
    html = (dest / "build" / "posts" / "harbour" / "index.html").read_text(encoding="utf-8")
    assert texts_of(html, "span", "missing-image") == ["The old lighthouse", "A gull"]


def test_every_picture_moved_leaves_broken_links_unset(tmp_path: Path, capsys) -> None:
    source = write_files(
        tmp_path / "hugo-all-there",
        {
            "hugo.toml": 'title = "All there"\nbaseURL = "https://example.org/"\n',
            "content/posts/harbour.md": (
                '+++\ntitle = "Harbour"\ndate = 2021-04-05\n+++\n\n![Quay](/images/quay.png)\n'
            ),
        },
    )
    png(source / "static" / "images" / "quay.png")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0
    assert "0 image(s) not found;" in capsys.readouterr().out
    assert "broken_links" not in settings(dest)
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    assert "## Images not found\n\nNone." in report
    build(dest, capsys)


def test_hugo_bundle_pictures_named_in_another_letter_case_are_renamed(
    tmp_path: Path, capsys
) -> None:
    """Hugo found a page bundle's files in any letter case (`harbourMap.png` for the file
    `HarbourMap.png`); a static host does not: the moved post names each file as it is, in a
    Markdown image, a figure shortcode, an HTML image and front matter. A file that is missing
    in every case stays as written and is listed."""
    source = write_files(
        tmp_path / "hugo-case",
        {
            "hugo.toml": 'title = "Case"\nbaseURL = "https://example.org/"\n',
            "content/posts/boats/index.md": (
                '+++\ntitle = "Boats"\ndate = 2021-05-06\nimage = "harbourmap.png"\n+++\n\n'
                "See harbourMap.png below.\n\n"
                "![The map](harbourMap.png)\n\n"
                '{{< figure src="./HARBOURMAP.PNG" caption="Map" >}}\n\n'
                '<img src="shots/Deck%20View.png" alt="Deck">\n\n'
                "![Gone](sunk.png)\n"
            ),
        },
    )
    png(source / "content" / "posts" / "boats" / "HarbourMap.png")
    png(source / "content" / "posts" / "boats" / "shots" / "deck view.png")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0
    assert "1 image(s) not found" in capsys.readouterr().out
    moved = (dest / "content" / "posts" / "boats" / "index.md").read_text(encoding="utf-8")
    assert 'image = "HarbourMap.png"' in moved
    assert "See harbourMap.png below." in moved  # text, not a picture: as written
    assert "![The map](HarbourMap.png)" in moved
    assert '{{< figure src="./HarbourMap.png" caption="Map" >}}' in moved
    assert '<img src="shots/deck%20view.png" alt="Deck">' in moved
    assert "![Gone](sunk.png)" in moved
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    section = report.split("## Images not found", 1)[1].split("\n## ", 1)[0]
    assert "sunk.png" in section and "arbour" not in section and "eck" not in section

    assert main(["--site", str(dest), "build"]) == 0
    err = capsys.readouterr().err
    assert err.count("image not found") == 1
    html = (dest / "build" / "posts" / "boats" / "index.html").read_text(encoding="utf-8")
    assert html.count('src="HarbourMap.png"') == 2 and 'src="shots/deck%20view.png"' in html


def test_a_picture_named_from_the_old_html_address_is_found(tmp_path: Path, capsys) -> None:
    """A Jekyll post at `/notes/2022/07/25/harbour.html` showed `quay.png`, which the browser
    read from `/notes/2022/07/25/`; the post now lives at `.../harbour/` with a redirect from
    the old address, and the picture is still found from there (migrate and build)."""
    source = write_files(
        tmp_path / "jekyll-html",
        {
            "_config.yml": "title: Notes\npermalink: /notes/:year/:month/:day/:title.html\n",
            "_posts/2022-07-25-harbour.md": "---\ntitle: 港口\n---\n\n![The quay](quay.png)\n",
        },
    )
    png(source / "notes" / "2022" / "07" / "25" / "quay.png")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0
    assert "0 image(s) not found" in capsys.readouterr().out
    assert "broken_links" not in settings(dest)
    output = build(dest, capsys)
    html = (output / "notes" / "2022" / "07" / "25" / "harbour" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'src="../quay.png"' in html
    assert (output / "notes" / "2022" / "07" / "25" / "harbour.html").is_file()


def test_posts_without_a_title_get_one_and_build(tmp_path: Path, capsys) -> None:
    """Zola builds a page whose front matter has no title (a misspelt `tilte`, or none); the
    moved copy gets one (the misspelt key's value, else the file name made readable), the
    report lists it, and the site builds. A post with a leading `# heading` needs none."""
    source = write_files(
        tmp_path / "zola-untitled",
        {
            "config.toml": 'base_url = "https://example.org"\ntitle = "Untitled"\n',
            "content/docker-configure.md": (
                '+++\ntilte = "Configure not found in Docker"\ndate = 2020-10-18\n+++\n\nText.\n'
            ),
            "content/quiet_morning.md": "+++\ndate = 2021-03-04\n+++\n\nText.\n",
            "content/field-trip/index.md": "+++\ndate = 2021-05-06\n+++\n\nText.\n",
            "content/headed.md": "+++\ndate = 2021-06-07\n+++\n\n# Headed post\n\nText.\n",
        },
    )
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    assert "3 title(s) given to posts without one" in capsys.readouterr().out
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    section = report.split("## Titles given", 1)[1].split("\n## ", 1)[0]
    assert (
        "| content/docker-configure.md | Configure not found in Docker | no `title`; the value "
        "of 'tilte', a misspelt 'title' |"
    ) in section
    assert "| content/quiet_morning.md | Quiet morning |" in section
    assert "| content/field-trip/index.md | Field trip |" in section
    assert "headed" not in section
    moved = (dest / "content" / "docker-configure.md").read_text(encoding="utf-8")
    assert moved.startswith('+++\ntitle = "Configure not found in Docker"\ntilte = ')
    output = build(dest, capsys)
    for page, title in (
        ("docker-configure", "Configure not found in Docker"),
        ("quiet-morning", "Quiet morning"),
        ("field-trip", "Field trip"),
        ("headed", "Headed post"),
    ):
        html = (output / page / "index.html").read_text(encoding="utf-8")
        assert title in texts_of(html, "h1"), page


ASTRO_SITE = {
    "package.json": '{"dependencies": {"astro": "^5.0.0"}}',
    "astro.config.mjs": (
        "import { defineConfig } from 'astro/config';\n"
        "export default defineConfig({\n"
        '  site: process.env.DEPLOY_URL || "https://fallback.example.org",\n'
        "});\n"
    ),
    "src/content.config.ts": (
        "import { defineCollection } from 'astro:content';\n"
        "import { glob } from 'astro/loaders';\n"
        "const posts = defineCollection({\n"
        "  loader: glob({ pattern: ['**/*.md', '!**/about/**', '!drafts'], "
        "base: './src/content' }),\n"
        "});\n"
        "const about = defineCollection({\n"
        "  loader: glob({ pattern: '**/*.md', base: './src/content/about' }),\n"
        "});\n"
        "export const collections = { posts, about };\n"
    ),
    "src/pages/posts/[...slug].astro": (
        "---\nimport { getCollection, render } from 'astro:content';\n"
        "export async function getStaticPaths() {\n"
        "  const posts = await getCollection('posts');\n"
        "  return posts.map((post) => ({ params: { slug: post.id }, props: post }));\n}\n"
        "const { Content } = await render(Astro.props);\n---\n<Content />\n"
    ),
    "src/content/notes/tide.md": "---\ntitle: Tide\npubDate: 2022-01-02\n---\n\nText.\n",
    "src/content/notes/wind.md": "---\ntitle: Wind\npubDate: 2022-02-03\n---\n\nText.\n",
    "src/content/about/me.md": "---\ntitle: About me\n---\n\nText.\n",
    "src/content/drafts/wip.md": "---\ntitle: Work in progress\n---\n\nText.\n",
}


def test_astro_negated_glob_patterns_leave_files_out(tmp_path: Path, capsys) -> None:
    """`'!**/about/**'` and `'!drafts'` in a glob loader's pattern: those files are no posts;
    one another collection holds is not listed as left behind, one no collection holds is."""
    source = write_files(tmp_path / "astro-negations", ASTRO_SITE)
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    posts = dest / "content" / "posts"
    assert (posts / "notes" / "tide.md").is_file() and (posts / "notes" / "wind.md").is_file()
    assert not (posts / "about").exists() and not (posts / "drafts").exists()
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    left = report.split("## Left behind", 1)[1]
    assert "| src/content/drafts/wip.md | not an entry of its collection" in left
    assert "src/content/about/me.md" not in left  # the about collection holds it
    assert "src/content/about |" in left  # ... which no page shows entry by entry
    build(dest, capsys)


def test_astro_site_from_an_environment_fallback(tmp_path: Path, capsys) -> None:
    """`site: process.env.DEPLOY_URL || "https://..."`: the literal is the address, and the
    report says it was the fallback of that variable."""
    source = write_files(tmp_path / "astro-env", ASTRO_SITE)
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    assert settings(dest)["base_url"] == "https://fallback.example.org/"
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    row = next(line for line in report.splitlines() if line.startswith("| `site` |"))
    assert "https://fallback.example.org/" in row
    assert "fallback of the environment variable DEPLOY_URL" in row


def test_astro_route_through_a_helper_and_settings_of_an_imported_module(
    tmp_path: Path, capsys
) -> None:
    """The posts' route reads its collection through a module of the site (`~/lib` calls
    `getCollection`), and `site` and `base` are keys of the object another module exports as
    its default, which also holds the title: all are read, so the posts keep their addresses
    (`/notes/<id>/`, under the base) and a `date_published` key is the date."""
    source = write_files(
        tmp_path / "astro-helpers",
        {
            "package.json": '{"dependencies": {"astro": "^5.0.0"}}',
            "tsconfig.json": '{\n  // aliases\n  "compilerOptions": {"paths": {"~/*": ["src/*"]}}\n}\n',
            "astro.config.mjs": (
                "import { defineConfig } from 'astro/config';\n"
                "import settings from './src/settings';\n"
                "export default defineConfig({ site: settings.url, base: settings.base });\n"
            ),
            "src/settings.ts": (
                "const options: Options = {\n  url: 'https://example.org',\n  base: '/log',\n"
                "  title: 'Field log',\n};\nexport default options;\n"
            ),
            "src/content.config.ts": (
                "import { defineCollection } from 'astro:content';\n"
                "import { glob } from 'astro/loaders';\n"
                "const notes = defineCollection({\n"
                "  loader: glob({ pattern: '**/*.md', base: './src/content/notes' }),\n});\n"
                "export const collections = { notes };\n"
            ),
            "src/lib.ts": (
                "import { getCollection } from 'astro:content';\n"
                "export const sorted = async () => (await getCollection('notes')).reverse();\n"
            ),
            "src/pages/notes/[slug].astro": (
                "---\nimport { render } from 'astro:content';\nimport { sorted } from '~/lib';\n"
                "export async function getStaticPaths() {\n"
                "  return (await sorted()).map((n) => ({ params: { slug: n.id }, props: n }));\n}\n"
                "const { Content } = await render(Astro.props);\n---\n<Content />\n"
            ),
            "src/content/notes/Low Tide.md": (
                "---\ntitle: Low tide\ndate_published: 2022-05-06\n---\n\nMud flats.\n"
            ),
        },
    )
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    assert "1 at their old address" in capsys.readouterr().out
    config = settings(dest)
    assert config["base_url"] == "https://example.org/log/"
    assert config["title"] == "Field log"
    assert config["permalink"] == "/notes/{slug}/"
    output = build(dest, capsys)
    page = (output / "notes" / "low-tide" / "index.html").read_text(encoding="utf-8")
    assert 'datetime="2022-05-06' in page


# --- Jekyll with Korean post names: the addresses keep their script -------------------------


def test_jekyll_unicode_addresses_are_kept(tmp_path: Path, capsys) -> None:
    source = tmp_path / "korean-blog"
    (source / "_posts").mkdir(parents=True)
    (source / "_config.yml").write_text(
        "title: 블로그\npermalink: /:year-:month-:day/:title/\n", encoding="utf-8"
    )
    posts = {
        "2020-01-02-01_네트워크 기본.md": "---\ntitle: 네트워크 기본\ntags: [네트워크]\n---\n\n본문.\n",
        "2020-01-03-02_라우팅.md": "---\ntitle: 라우팅\n---\n\n[앞 글](/2020-01-02/01_네트워크-기본/)\n",
    }
    for name, text in posts.items():
        (source / "_posts" / name).write_text(text, encoding="utf-8")
    dest = tmp_path / "new-site"
    assert main(["migrate", str(source), str(dest)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert settings(dest)["unicode_slugs"] is True
    report = (dest / "MIGRATION.md").read_text(encoding="utf-8")
    olds = ["/2020-01-02/01_네트워크-기본/", "/2020-01-03/02_라우팅/"]
    for old in olds:
        row = next(line for line in report.splitlines() if line.count(old) == 2)
        assert "| same address" in row, row
    assert "redirect page" not in report
    assert "| `unicode_slugs`" in report  # the settings table says why
    output = build(dest, capsys)
    for old in olds:
        page = output / old.strip("/") / "index.html"
        assert page.is_file(), old
        assert not Page(page.read_text(encoding="utf-8")).find_all(
            "meta", **{"http-equiv": "refresh"}
        )
    check_addresses(output, {old: old for old in olds})
