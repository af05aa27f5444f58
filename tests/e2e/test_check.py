"""`sitegen check` on real built sites: planted problems are reported with their content file
and line and nothing else is; the repository's own site is clean; feeds and the sitemap are
read; external links are only fetched with --external (here from a server on 127.0.0.1)."""

from __future__ import annotations

import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest

from sitegen.check.sources import needles
from sitegen.cli import main

REPO = Path(__file__).resolve().parents[2]
PNG_1x1 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)

PLANTED = """\
---
title: Planted
date: 2024-01-02
tags: [News]
---

A [good link](other.md), a [good anchor](other.md#background) and [a note](#notes).

A [broken link](/no-such-page/) in the second paragraph.

![A described picture](/pic.png)

See [the part that is not there](other.md#nope) as well.

![](/pic.png)

## Notes

The end.
"""
OTHER = """\
---
title: Other
date: 2024-01-01
---

## Background

Text.
"""


def run(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(list(args))
    out = capsys.readouterr()
    errors = [line for line in out.err.splitlines() if line.startswith("error:")]
    return code, errors, out.out


@pytest.fixture
def planted(site):
    site.write("static/pic.png", PNG_1x1)
    site.write("content/planted.md", PLANTED)
    site.write("content/other.md", OTHER)
    return site


def test_reports_exactly_the_planted_problems_with_file_and_line(planted, capsys):
    code, errors, out = run(capsys, "--site", str(planted.root), "check")
    assert code == 1
    assert "built 2 articles" in out and "3 problem(s)" in out
    assert len(errors) == 3, errors
    located = sorted(re.match(r"error: (content/\S+):(\d+): (\w+ \w+)", e).groups() for e in errors)
    assert located == [
        ("content/planted.md", "13", "broken anchor"),
        ("content/planted.md", "15", "image without"),
        ("content/planted.md", "9", "broken link"),
    ]
    # the same from the output alone
    code, again, _ = run(capsys, "--site", str(planted.root), "check", "--no-build")
    assert code == 1 and sorted(again) == sorted(errors)


def test_build_check_runs_the_same_check(planted, capsys):
    code, errors, out = run(capsys, "--site", str(planted.root), "build", "--check")
    assert code == 1 and len(errors) == 3 and "checked " in out


def test_the_repository_site_is_clean(tmp_path, capsys):
    root = tmp_path / "repo-site"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    for folder in ("content", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    code, errors, out = run(capsys, "--site", str(root), "check")
    assert code == 0 and errors == []
    assert re.search(r"checked \d+ pages, \d+ internal links: 0 problem\(s\)", out)


def test_a_template_problem_is_reported_once_for_all_pages(site, capsys):
    base = (REPO / "sitegen/themes/default/templates/base.html").read_text(encoding="utf-8")
    site.write(
        "templates/base.html",
        base.replace("<main ", "<a href=\"{{ url('/gone/') }}\">gone</a>\n<main ", 1),
    )
    site.article("a.md", "A", "2024-01-01", "Text.")
    site.article("b.md", "B", "2024-01-02", "Text.")
    code, errors, _ = run(capsys, "--site", str(site.root), "check")
    assert code == 1 and len(errors) == 1
    assert "no file gone/index.html" in errors[0] and "other pages" in errors[0]
    assert "content/" not in errors[0]  # no content file holds it


def test_malformed_feed_and_sitemap_problems(site, capsys):
    site.article("a.md", "A", "2024-01-01", "Text.")
    site.build()
    (site.root / "build/feed.xml").write_text("<feed><entry></feed>", encoding="utf-8")
    (site.root / "build/feed.json").write_text('{"version": 1}', encoding="utf-8")
    sitemap = site.root / "build/sitemap.xml"
    sitemap.write_text(
        sitemap.read_text(encoding="utf-8").replace("/blog/a/", "/blog/missing/"),
        encoding="utf-8",
    )
    code, errors, _ = run(capsys, "--site", str(site.root), "check", "--no-build")
    assert code == 1
    joined = "\n".join(errors)
    assert "feed.xml:1: not well-formed XML" in joined
    assert "feed.json: not a JSON Feed" in joined
    assert "sitemap.xml: links to 'https://example.org/blog/missing/'" in joined
    assert len(errors) == 3


def test_a_split_sitemap_and_its_parts_are_checked(site, capsys, monkeypatch):
    """Beyond the limit, sitemap.xml names its parts: a part that is gone and a page a part
    names that is gone are both reported."""
    from sitegen.site import plan

    monkeypatch.setattr(plan, "SITEMAP_LIMIT", 3)
    for i in range(4):
        site.article(f"a{i}.md", f"A{i}", f"2024-01-0{i + 1}", "Text.")
    site.build()
    out = site.root / "build"
    assert "<sitemapindex" in (out / "sitemap.xml").read_text(encoding="utf-8")
    code, errors, _ = run(capsys, "--site", str(site.root), "check", "--no-build")
    assert code == 0, errors
    parts = sorted(out.glob("sitemap?*.xml"))
    assert len(parts) >= 2
    parts[-1].unlink()
    first = parts[0].read_text(encoding="utf-8")
    page = re.search(r"<loc>https://example.org/blog/([^<]*)</loc>", first).group(1)
    parts[0].write_text(first.replace(f"/blog/{page}<", "/blog/missing/<"), encoding="utf-8")
    code, errors, _ = run(capsys, "--site", str(site.root), "check", "--no-build")
    joined = "\n".join(errors)
    assert code == 1
    assert f"sitemap.xml: links to 'https://example.org/blog/{parts[-1].name}'" in joined
    assert f"{parts[0].name}: links to 'https://example.org/blog/missing/'" in joined


def test_no_build_without_output_is_an_error(site, capsys):
    code, errors, _ = run(capsys, "--site", str(site.root), "check", "--no-build")
    assert code == 1 and "no output folder" in errors[0]


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):  # noqa: N802
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_external_links_are_listed_and_fetched_only_when_asked(site, capsys, local_server):
    site.article(
        "a.md", "A", "2024-01-01", f"[up]({local_server}/ok) and [down]({local_server}/gone)."
    )
    code, errors, out = run(capsys, "--site", str(site.root), "check")
    assert code == 0 and errors == []
    assert "2 external links not checked" in out
    code, errors, _ = run(capsys, "--site", str(site.root), "check", "--no-build", "--external")
    assert code == 1 and len(errors) == 1
    assert f"{local_server}/gone" in errors[0] and "status 404" in errors[0]


def test_needles_from_most_to_least_telling():
    assert needles("../b/index.html#part") == [
        "../b/index.html#part",
        "#part",
        "b",
    ]
    assert needles("../img/map.png") == ["../img/map.png", "img/map.png", "map.png", "map"]


def test_a_missing_file_whose_name_holds_a_control_character_is_named_with_escapes(site, capsys):
    """`java%09script:` is a relative link to a file whose name holds a tab: the message
    shows `\\t`, not a tab that reads as spaces."""
    site.write(
        "content/odd.md", "---\ntitle: Odd\ndate: 2024-01-01\n---\n\n[x](java%09script:go)\n"
    )
    code, errors, _ = run(capsys, "--site", str(site.root), "check")
    assert code == 1
    [error] = errors
    assert "no file 'odd/java\\tscript:go' in the output" in error and "\t" not in error
