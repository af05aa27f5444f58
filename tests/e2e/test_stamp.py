"""A build whose inputs are all as they were at the last good build reads and writes nothing
(engine/stamp.py); any change, a damaged output folder or the passing of an article's date
makes it do the full work again."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sitegen.build as build_module
import sitegen.pipeline.steps as steps_module
from sitegen.engine.executor import Parallelism
from sitegen.output import writer as writer_module
from sitegen.output.writer import OutputStrategy
from tests.conftest import SiteFolder

HOUR_AGO = time.time() - 3600


def age(root: Path) -> None:
    """Date every input an hour back, as on a site nobody has touched for a while."""
    for path in root.rglob("*"):
        if ".sitegen" not in path.parts and "build" not in path.parts:
            os.utime(path, (HOUR_AGO, HOUR_AGO))


@pytest.fixture
def quiet_site(site: SiteFolder) -> SiteFolder:
    site.article("a.md", "First", "2024-01-01", "Text with ![](missing-alt.png) a picture.")
    site.write("content/missing-alt.png", b"\x89PNG\r\n\x1a\n")
    site.article("b.md", "Second", "2024-01-02", "More text.", tags="[river]")
    age(site.root)
    site.build()  # makes the stamp
    return site


def full_builds(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = steps_module.load_articles

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(steps_module, "load_articles", counting)
    return calls


def test_nothing_changed_reads_and_writes_nothing(quiet_site, monkeypatch):
    calls = full_builds(monkeypatch)
    first = quiet_site.build()
    assert calls == [] and first.written == 0 and first.pages > 3 and first.articles == 2
    # the warnings of the last full build are shown again
    assert any("alt" in str(w) for w in first.diagnostics.warnings)


def test_nothing_changed_imports_no_pipeline(quiet_site):
    """An unchanged build in a new process (`sitegen build` run again) stops before the
    pipeline and its libraries are imported: that import was most of its time."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sitegen.build import BuildRequest, build\n"
        "from sitegen.config import load_config\n"
        f"result = build(BuildRequest(load_config(Path({str(quiet_site.root)!r}))))\n"
        "heavy = ['sitegen.pipeline.steps', 'jinja2', 'markdown_it', 'sitegen.engine.pages']\n"
        "print(result.written, result.kept > 0, [m for m in heavy if m in sys.modules])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    assert run.stdout.split("\n")[0] == "0 True []", run.stdout + run.stderr


def test_an_edit_builds_again(quiet_site, monkeypatch):
    calls = full_builds(monkeypatch)
    quiet_site.article("b.md", "Second, edited", "2024-01-02", "More text.", tags="[river]")
    age(quiet_site.root)
    result = quiet_site.build()
    assert calls == [1] and result.written > 0
    assert "Second, edited" in quiet_site.out("b/index.html")


def test_a_file_deleted_from_the_output_is_restored(quiet_site, monkeypatch):
    calls = full_builds(monkeypatch)
    (quiet_site.root / "build" / "a" / "index.html").unlink()
    quiet_site.build()
    assert calls == [1] and quiet_site.exists("a/index.html")


def test_a_file_deleted_from_the_output_is_restored_when_found_apart(quiet_site, monkeypatch):
    """An edit's build finds the files gone from the output in its forked helper process
    while it plans, and its writer goes by that answer: a page deleted by hand is written
    again, the others are kept."""
    calls = full_builds(monkeypatch)
    mark = quiet_site.root.parent / "found-by"
    real = writer_module.files_present

    def finding(output, paths):
        mark.write_text(str(os.getpid()))
        return real(output, paths)

    looked: list[int] = []
    monkeypatch.setattr(writer_module, "files_present", finding)
    monkeypatch.setattr(OutputStrategy, "still_there", lambda self, paths: looked.append(1))
    (quiet_site.root / "build" / "a" / "index.html").unlink()
    quiet_site.article("b.md", "Second", "2024-01-02", "More text, edited.", tags="[river]")
    quiet_site.build(parallel=Parallelism(jobs=2, min_pages=1, min_loads=1))
    assert calls == [1] and int(mark.read_text()) != os.getpid() and looked == []
    assert "First" in quiet_site.out("a/index.html")
    assert "edited" in quiet_site.out("b/index.html")


def _found_apart(monkeypatch, mark: Path) -> list[int]:
    """The output's check made in a process beside the walk over the inputs (whatever the
    site's size), each process that looked writing its pid to `mark`; what the writer looked
    for itself."""
    monkeypatch.setattr(build_module, "PRESENCE_APART_FROM", 1)
    real = writer_module.files_present

    def finding(output, paths):
        with mark.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(output, paths)

    looked: list[int] = []
    monkeypatch.setattr(writer_module, "files_present", finding)
    monkeypatch.setattr(OutputStrategy, "still_there", lambda self, paths: looked.append(1))
    return looked


def test_the_output_is_checked_beside_the_walk(quiet_site, monkeypatch):
    """The check that every file of the last build is still in the output runs in a process
    of its own while this one walks the inputs: an unchanged build takes its answer; a page
    deleted by hand makes a full build, whose writer takes the same answer (nobody looks
    twice) and writes the page again."""
    calls = full_builds(monkeypatch)
    mark = quiet_site.root.parent / "found-by"
    looked = _found_apart(monkeypatch, mark)
    two = Parallelism(jobs=2, min_pages=1, min_loads=1)
    result = quiet_site.build(parallel=two)
    assert calls == [] and result.written == 0 and result.kept > 0
    finders = mark.read_text().split()
    assert len(finders) == 1 and int(finders[0]) != os.getpid()

    mark.unlink()
    (quiet_site.root / "build" / "a" / "index.html").unlink()
    quiet_site.build(parallel=two)
    finders = mark.read_text().split()
    assert calls == [1] and looked == [] and len(finders) == 1 and int(finders[0]) != os.getpid()
    assert "First" in quiet_site.out("a/index.html")
    assert quiet_site.build(parallel=two).written == 0  # and the stamp stands again


def test_an_edit_takes_the_output_check_made_beside_the_walk(quiet_site, monkeypatch):
    """An edit's build takes the answer of the check set going beside the walk: its writer
    does not look for itself, and the pipeline does not ask another process again."""
    calls = full_builds(monkeypatch)
    mark = quiet_site.root.parent / "found-by"
    looked = _found_apart(monkeypatch, mark)
    (quiet_site.root / "build" / "a" / "index.html").unlink()
    quiet_site.article("b.md", "Second", "2024-01-02", "More text, edited.", tags="[river]")
    quiet_site.build(parallel=Parallelism(jobs=2, min_pages=1, min_loads=1))
    assert calls == [1] and looked == [] and len(mark.read_text().split()) == 1
    assert "First" in quiet_site.out("a/index.html")
    assert "edited" in quiet_site.out("b/index.html")


def test_a_recent_edit_is_never_trusted_to_the_stamp(site, monkeypatch):
    site.article("a.md", "First")
    site.build()  # inputs changed seconds ago: no stamp
    calls = full_builds(monkeypatch)
    site.build()
    assert calls == [1]


def test_a_future_article_appears_when_its_date_comes(site, monkeypatch):
    site.article("now.md", "Today", "2024-01-01")
    site.article("later.md", "Later", "2024-06-01")
    age(site.root)
    monkeypatch.setattr(build_module, "build_now", lambda: dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    site.build()
    assert not site.exists("later/index.html")
    calls = full_builds(monkeypatch)
    site.build()
    assert calls == []
    monkeypatch.setattr(build_module, "build_now", lambda: dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
    site.build()
    assert calls == [1] and site.exists("later/index.html")


def test_a_damaged_stamp_means_a_full_build(quiet_site, monkeypatch):
    for stamp in (quiet_site.root / ".sitegen").glob("stamp-*.json"):
        stamp.write_text("{not json", encoding="utf-8")
    calls = full_builds(monkeypatch)
    result = quiet_site.build()
    assert calls == [1] and result.written == 0


def test_the_walk_gives_the_loader_every_content_files_stat(site, monkeypatch):
    """The stamp's walk takes each content file's stat key, keyed as the loader knows the file
    (its path below content/, '/'-separated), so a build after an edit stats no content file
    a second time but the one it reads again: in folders, in a page bundle and in a language
    folder alike."""
    from sitegen.config import load_config
    from sitegen.content.article import discover
    from sitegen.engine import sourcecache
    from sitegen.engine.stamp import input_digest
    from sitegen.errors import Diagnostics

    site.article("top.md", "Top", "2024-01-01", "Text.")
    site.article("news/2024/deep.md", "Deep", "2024-01-02", "Text.")
    site.article("trip/index.md", "Bundle", "2024-01-03", "Text with ![a map](map.png).")
    site.write("content/trip/map.png", b"\x89PNG\r\n\x1a\n")
    site.article("fr/bonjour.md", "Bonjour", "2024-01-04", "Texte.")
    site.build()
    config = load_config(site.root)
    stats: dict = {}
    input_digest(config, (), stats)
    sources, _ = discover(config, Diagnostics())
    assert len(sources) == 4
    assert {s.rel: stats.get(s.rel) for s in sources} == {
        s.rel: sourcecache.stat_key(s.path) for s in sources
    }

    site.article("news/2024/deep.md", "Deep", "2024-01-02", "Text, edited.")
    stated: list[Path] = []
    real = sourcecache.stat_key
    monkeypatch.setattr(sourcecache, "stat_key", lambda path: stated.append(path) or real(path))
    result = site.build()
    assert not result.diagnostics.errors and result.written
    assert stated == [site.root / "content/news/2024/deep.md"]  # as it is read again, only
