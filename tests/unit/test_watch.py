"""The preview's watch rules: which events matter, when a burst is over, and that changes made
during a build cause exactly one more build. Timing runs on a fake clock; threads are
coordinated with events, never with sleeps."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from sitegen.build import BuildResult
from sitegen.config import load_config
from sitegen.serve.channel import ReloadChannel
from sitegen.serve.rebuild import RebuildLoop, changed_outputs, page_message
from sitegen.serve.watch import ChangeBatcher, ChangeFilter, event_paths, is_temp_file


@pytest.mark.parametrize(
    "name",
    [
        ".post.md.swp",
        "post.md.swx",
        "post.md~",
        "4913",
        ".#post.md",
        "#post.md#",
        "post.md___jb_tmp___",
        "post.md___jb_old___",
        "post.md.tmp",
        "post.md.bck",
        "x.kate-swp",
    ],
)
def test_editor_temp_files_are_recognised(name):
    assert is_temp_file(name)


@pytest.mark.parametrize(
    "name", ["post.md", "style.css", "4913.md", "notes#1.md", "#hashtag.md", "tmp.md", "swp.md"]
)
def test_real_files_are_not_temp_files(name):
    assert not is_temp_file(name)


@pytest.fixture
def site_filter(tmp_path: Path) -> tuple[ChangeFilter, Path]:
    root = tmp_path / "site"
    for d in (
        "content",
        "seeds",
        "static",
        "templates",
        "themes/mine/templates",
        "build",
        ".sitegen",
    ):
        (root / d).mkdir(parents=True)
    (root / "site.yaml").write_text("title: t\ntheme: mine\n")
    return ChangeFilter(load_config(root)), root.resolve()


@pytest.mark.parametrize(
    "rel",
    [
        "site.yaml",
        "content/post.md",
        "content/2024/bundle/index.md",
        "content/bundle/photo.jpg",
        "seeds/story.txt",
        "static/style.css",
        "templates/article.html",
        "themes/mine/templates/base.html",
        "content",
    ],
)
def test_sources_are_relevant(site_filter, rel):
    flt, root = site_filter
    assert flt.relevant(root / rel)


@pytest.mark.parametrize(
    "rel",
    [
        "build/index.html",
        ".sitegen/preview/index.html",
        ".sitegen/cache.sqlite",
        ".git/index",
        "content/.post.md.swp",
        "content/post.md~",
        "content/4913",
        "content/.#post.md",
        "content/#post.md#",
        "content/post.md___jb_tmp___",
        "content/.hidden/post.md",
        "content/.sitegen-import.json",
        "README.md",
        "Makefile",
        "site.yaml~",
        "other/post.md",
        "themes/other/templates/base.html",
        "content/__pycache__/x.pyc",
    ],
)
def test_noise_is_not_relevant(site_filter, rel):
    flt, root = site_filter
    assert not flt.relevant(root / rel)


def test_the_site_folder_is_watched_flat_and_sources_deep(site_filter):
    flt, root = site_filter
    roots = dict(flt.watch_roots())
    assert roots[root] is False
    assert roots[root / "content"] is True
    assert roots[root / "themes" / "mine"] is True
    assert root / "build" not in roots and root / ".sitegen" not in roots


def test_event_kinds():
    assert event_paths(FileModifiedEvent("/s/a.md")) == [("/s/a.md", False)]
    assert event_paths(FileCreatedEvent("/s/a.md")) == [("/s/a.md", False)]
    assert event_paths(FileDeletedEvent("/s/a.md")) == [("/s/a.md", False)]
    assert event_paths(FileClosedEvent("/s/a.md")) == [("/s/a.md", True)]
    # an atomic save: the temp file goes away, the real one is complete
    assert event_paths(FileMovedEvent("/s/.a.md.tmp", "/s/a.md")) == [
        ("/s/.a.md.tmp", False),
        ("/s/a.md", True),
    ]
    for noise in (
        FileOpenedEvent("/s/a.md"),
        FileClosedNoWriteEvent("/s/a.md"),
        DirModifiedEvent("/s"),
    ):
        assert event_paths(noise) == []


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_waits_for_the_quiet_spell():
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.03, settle=0.005, max_wait=1.0, clock=clock)
    assert batcher.due_in() is None
    batcher.add("/s/a.md")
    clock.now += 0.02
    batcher.add("/s/a.md")  # still writing: the quiet spell starts again
    assert batcher.due_in() == pytest.approx(0.03)
    clock.now += 0.029
    assert batcher.due_in() > 0
    clock.now += 0.002
    assert batcher.due_in() <= 0
    assert batcher.take() == {Path("/s/a.md")}
    assert batcher.due_in() is None


def test_complete_files_settle_faster():
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.03, settle=0.005, max_wait=1.0, clock=clock)
    batcher.add("/s/a.md", final=False)
    batcher.add("/s/a.md", final=True)  # closed after writing
    assert batcher.due_in() == pytest.approx(0.005)
    batcher.add("/s/b.md", final=False)  # another file is still being written
    assert batcher.due_in() == pytest.approx(0.03)


def test_a_continuous_stream_is_cut_at_max_wait():
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.03, settle=0.005, max_wait=0.5, clock=clock)
    for i in range(40):
        batcher.add(f"/s/{i}.md")
        clock.now += 0.02
    assert batcher.due_in() <= 0
    assert len(batcher.take()) == 40


def test_many_events_for_one_path_coalesce():
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.0, settle=0.0, clock=clock)
    for _ in range(50):
        batcher.add("/s/a.md")
    batcher.add("/s/b.md")
    assert batcher.wait_batch() == {Path("/s/a.md"), Path("/s/b.md")}


def test_wait_batch_returns_none_once_closed():
    batcher = ChangeBatcher()
    batcher.close()
    assert batcher.wait_batch() is None


class BlockingBuilder:
    """Stands in for sitegen.build.Builder: the first build blocks until released."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.started = [threading.Event() for _ in range(5)]
        self.finished = [threading.Event() for _ in range(5)]
        self.release_first = threading.Event()
        self.runs = 0

    def run(self, changed=None) -> BuildResult:
        n = self.runs
        self.runs += 1
        self.started[n].set()
        if n == 0:
            assert self.release_first.wait(10)
        self.finished[n].set()
        return BuildResult(output=self.output)


class Quiet:
    def info(self, text):
        pass

    warn = error = info


def test_changes_during_a_build_make_exactly_one_more_build(tmp_path):
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("title: t\n")
    builder = BlockingBuilder(tmp_path / "out")
    loop = RebuildLoop(
        load_config(root),
        tmp_path / "out",
        ReloadChannel(),
        console=Quiet(),
        make_builder=lambda request: builder,
    )
    batches: list[set[Path]] = []
    real_rebuild = loop.rebuild
    loop.rebuild = lambda sources=None: (batches.append(set(sources or ())), real_rebuild(sources))[
        1
    ]
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    thread = threading.Thread(target=loop.run, args=(batcher,), daemon=True)
    thread.start()
    try:
        batcher.add(root / "content/a.md")
        assert builder.started[0].wait(10)
        for name in ("b.md", "c.md", "b.md", "d.md"):  # saves while the first build runs
            batcher.add(root / "content" / name)
        builder.release_first.set()
        assert builder.finished[1].wait(10)
    finally:
        batcher.close()
        thread.join(10)
    assert not thread.is_alive()
    assert builder.runs == 2
    assert batches == [
        {root / "content/a.md"},
        {root / "content/b.md", root / "content/c.md", root / "content/d.md"},
    ]


def loop_with(tmp_path: Path, builder) -> tuple[RebuildLoop, ReloadChannel, Path]:
    """A rebuild loop over a minimal site whose builds `builder` stands in for; the site."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("title: t\n")
    channel = ReloadChannel()
    loop = RebuildLoop(
        load_config(root),
        tmp_path / "out",
        channel,
        console=Quiet(),
        make_builder=lambda request: builder,
    )
    return loop, channel, root


def test_a_build_error_or_crash_never_escapes_the_loop(tmp_path):
    class Crashing:
        def run(self, changed=None):
            raise RuntimeError("boom")

    loop, channel, root = loop_with(tmp_path, Crashing())
    outcome = loop.rebuild({root / "content/a.md"})
    assert not outcome.ok
    assert "RuntimeError: boom" in channel.status()["errors"][0]["message"]


def test_what_the_pages_are_told():
    before = {
        "a/index.html": "1 x",
        "style.1111111111.css": "s ",
        "feed.xml": "f old",
        "photo.jpg": " p:1",
    }
    after = {
        "a/index.html": "2 x",
        "style.2222222222.css": "t ",
        "feed.xml": "f new",
        "photo.jpg": " p:1",
    }
    changed = changed_outputs(before, after)
    assert changed == {"a/index.html", "style.1111111111.css", "style.2222222222.css"}
    removed = set(before) - set(after)
    css = page_message(changed, removed, {Path("/s/static/style.css")}, recovering=False)
    assert css == {"type": "css", "files": ["/style.2222222222.css"]}
    # the same output change caused by a template edit is a reload
    assert (
        page_message(changed, removed, {Path("/s/templates/base.html")}, False)["type"] == "reload"
    )
    article = page_message(
        {"a/index.html", "index.html", "feed.xml"}, set(), {Path("/s/content/a.md")}, False
    )
    assert article == {"type": "reload", "pages": ["a/index.html", "index.html"], "assets": []}
    image = page_message(
        {"a/photo.jpg", "a/index.html"}, set(), {Path("/s/content/a/photo.jpg")}, False
    )
    assert image == {"type": "reload", "pages": ["a/index.html"], "assets": ["a/photo.jpg"]}
    assert page_message(set(), set(), {Path("/s/content/a.md")}, recovering=False) is None
    assert page_message(set(), set(), {Path("/s/content/a.md")}, recovering=True) == {
        "type": "reload",
        "pages": None,
        "assets": [],
    }


def test_a_second_batch_of_one_save_does_not_reload_the_page_again(tmp_path):
    """An editor's save can arrive as two batches (the write, then the close): the page the
    first rendered at once is not told to reload again for the same bytes."""

    class FirstPages:
        def run(self, changed=None) -> BuildResult:
            return BuildResult(output=tmp_path / "out", files={"a/index.html": "s1 f"})

        def render_first(self, changed):
            return {"a/index.html": "s1"}

    loop, channel, root = loop_with(tmp_path, FirstPages())
    loop._manifest = {}
    loop.rebuild({root / "content/a.md"})
    told = [m for _, m in channel._messages if m.get("type") == "reload"]
    assert told and told[0]["pages"] == ["a/index.html"]
    loop.rebuild({root / "content/a.md"})
    assert [m for _, m in channel._messages if m.get("type") == "reload"] == told
    assert loop.finished == 2


def test_each_preview_build_draws_its_progress_and_removes_it_before_printing(tmp_path):
    """The first build of a big site runs for minutes before the preview answers: at a
    terminal, its phases are drawn as `sitegen build` draws them, and the bar is gone before
    the loop prints its line."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("title: t\n")
    (root / "content" / "a.md").write_text("---\ntitle: A\ndate: 2024-01-01\n---\n\nText.\n")
    events: list[tuple] = []

    class Bar:
        def __call__(self, phase: str, done: int, total: int) -> None:
            events.append(("phase", phase))

        def close(self) -> None:
            events.append(("close",))

    class Printing(Quiet):
        def info(self, text):
            events.append(("print", text.split()[0]))

    loop = RebuildLoop(
        load_config(root),
        tmp_path / "out",
        ReloadChannel(),
        console=Printing(),
        progress=Bar,
    )
    assert loop.rebuild().ok
    assert loop.rebuild({root / "content" / "a.md"}).ok
    kinds = [e[0] for e in events]
    assert kinds.count("close") == 2 and kinds.count("print") == 2
    # each build: phases, then the bar closed, then its line printed
    first, second = kinds.index("close"), len(kinds) - 1 - kinds[::-1].index("close")
    assert "phase" in kinds[:first] and kinds[first + 1] == "print"
    assert kinds[second + 1] == "print" and second + 2 == len(kinds)
    assert ("phase", "load") in events and ("phase", "render") in events


def test_wait_batch_with_idle_returns_an_empty_batch_only_when_nothing_pends():
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    assert batcher.wait_batch(idle=0.0) == set()  # nothing pending: idle at once
    batcher.add("content/a.md")
    assert batcher.wait_batch(idle=0.0) == {Path("content/a.md")}  # due: the batch
    late = ChangeBatcher(quiet=0.2, settle=0.2)
    late.add("content/b.md")
    # pending but not due yet: waited for, however short the idle time
    assert late.wait_batch(idle=0.0) == {Path("content/b.md")}


class KeptFilesBuilder:
    """Stands in for sitegen.build.Builder and records the order of what the loop asks: the
    first build sees a second save land while it runs."""

    def __init__(self, tmp_path: Path, batcher: ChangeBatcher, second: Path) -> None:
        self.output = tmp_path / "out"
        self.batcher, self.second = batcher, second
        self.calls: list[str] = []
        self.written = threading.Event()

    def render_first(self, changed):
        self.calls.append("first " + ",".join(sorted(p.name for p in changed)))
        return {}

    def run(self, changed=None) -> BuildResult:
        self.calls.append("run")
        if self.calls.count("run") == 1:
            self.batcher.add(self.second)  # saved while the first build runs
        return BuildResult(output=self.output, files={})

    def release(self):
        self.calls.append("release")

    def let_go(self):
        self.calls.append("let_go")
        self.written.set()


def test_a_save_after_a_build_is_shown_before_that_build_writes_its_files(tmp_path):
    """The files a preview build leaves for once its pages are told (the search index, the
    related index, the manifest) are written when no save follows for a moment, or by the next
    build after it has shown the edited pages: a save never waits for them to be shown."""
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    root = tmp_path / "site"
    builder = KeptFilesBuilder(tmp_path, batcher, root / "content/b.md")
    loop, _, root = loop_with(tmp_path, builder)
    thread = threading.Thread(target=loop.run, args=(batcher,), daemon=True)
    thread.start()
    try:
        batcher.add(root / "content/a.md")
        assert builder.written.wait(10)  # once idle after the second build
    finally:
        batcher.close()
        thread.join(10)
    assert not thread.is_alive()
    if builder.calls[2] == "first b.md":  # shown while the build ran, too: a thread's timing
        del builder.calls[2]
    assert builder.calls[:6] == ["first a.md", "run", "release", "first b.md", "run", "release"]
    assert builder.calls[6:] == ["let_go"]


def test_a_stopped_preview_writes_what_its_last_build_left(tmp_path):
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    builder = KeptFilesBuilder(tmp_path, batcher, tmp_path / "site/content/b.md")
    loop, _, root = loop_with(tmp_path, builder)
    loop.rebuild({root / "content/a.md"})  # as the preview's first build, before the loop runs
    assert builder.calls[-1] == "release"
    batcher.close()
    loop.run(batcher)  # closed at once: only what the build left is done
    assert builder.calls[-1] == "let_go"


def test_wait_pending_shows_a_due_burst_without_taking_it():
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    batcher.add("content/a.md")
    assert batcher.wait_batch() == {Path("content/a.md")}
    seen = batcher.taken  # the build of a.md runs; b.md is saved meanwhile
    batcher.add("content/b.md")
    got = batcher.wait_pending(seen, lambda: False)
    assert got is not None and got[0] == {Path("content/b.md")}
    # shown once: the same burst is not handed out again; done ends the wait
    assert batcher.wait_pending(got[1], lambda: True) is None
    batcher.add("content/c.md")
    assert batcher.wait_pending(got[1], lambda: False)[0] == {  # type: ignore[index]
        Path("content/b.md"),
        Path("content/c.md"),
    }
    # and the next build still takes them all
    assert batcher.wait_batch() == {Path("content/b.md"), Path("content/c.md")}
    batcher.close()
    assert batcher.wait_pending(0, lambda: False) is None


def test_wait_pending_is_woken_to_end():
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    done = threading.Event()
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(batcher.wait_pending(0, done.is_set)))
    waiter.start()
    done.set()
    batcher.wake()
    waiter.join(10)
    assert not waiter.is_alive() and got == [None]


class SlowBuilder:
    """Stands in for sitegen.build.Builder: its second build (of a.md) runs until the page of
    b.md, saved meanwhile, was shown; it read a.md and b.md before that save, so its own page
    of b.md holds the old text."""

    def __init__(self, tmp_path: Path, batcher: ChangeBatcher, root: Path) -> None:
        self.output = tmp_path / "out"
        self.batcher, self.root = batcher, root
        self.firsts: list[set[str]] = []
        self.shown_during = threading.Event()
        self.running = threading.Event()
        self.runs = 0

    def render_first(self, changed):
        names = {p.name for p in changed}
        self.firsts.append(names)
        if self.running.is_set():
            self.shown_during.set()
        return {f"{n[:-3]}/index.html": f"new-{n}" for n in names}

    def run(self, changed=None) -> BuildResult:
        self.runs += 1
        files = {"a/index.html": "old-a f", "b/index.html": "old-b f", "index.html": "i f"}
        if self.runs == 2:  # the build of a.md's edit
            files["a/index.html"] = "new-a.md f"
            self.running.set()
            self.batcher.add(self.root / "content" / "b.md", final=True)  # saved meanwhile
            assert self.shown_during.wait(10)
            self.running.clear()
            files["index.html"] = "i2 f"
        if self.runs == 3:
            files = {
                "a/index.html": "new-a.md f",
                "b/index.html": "new-b.md f",
                "index.html": "i3 f",
            }
        return BuildResult(output=self.output, files=files)


def test_a_save_during_a_build_is_shown_before_that_build_ends(tmp_path):
    """A save made while a build runs (20 s at 500,000 articles) is shown at once, from the
    last plan, not after the build; the build's own page of that article (which may hold the
    text before the save) is not told to the pages, and the next build shows it first again."""
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    root = tmp_path / "site"
    builder = SlowBuilder(tmp_path, batcher, root)
    loop, channel, root = loop_with(tmp_path, builder)
    loop.rebuild(set())  # the first build: nothing shown ahead
    seq, _ = channel.hello()
    thread = threading.Thread(target=loop.run, args=(batcher,), daemon=True)
    thread.start()
    try:
        batcher.add(root / "content" / "a.md", final=True)
        messages: list[dict] = []
        while len(messages) < 5 and (batch := channel.wait(seq, 10)):
            seq = batch[-1][0]
            messages.extend(m for _, m in batch)
    finally:
        batcher.close()
        thread.join(10)
    assert not thread.is_alive()
    assert builder.firsts == [{"a.md"}, {"b.md"}, {"b.md"}]  # before, during, before the next
    told = [m["pages"] for m in messages]
    # a.md's page first, b.md's during the build, then what else that build changed, not b.md's
    assert told[:3] == [["a/index.html"], ["b/index.html"], ["index.html"]]
    # the next build shows b.md's page first again (its build wrote the old one), then the rest
    assert told[3:] == [["b/index.html"], ["index.html"]]


class SlowWritesBuilder:
    """Stands in for sitegen.build.Builder: writing what a build left (`let_go`, seconds at
    500,000 articles) goes on until the page of an article saved meanwhile was shown."""

    def __init__(self, tmp_path: Path, batcher: ChangeBatcher, saved: Path) -> None:
        self.output = tmp_path / "out"
        self.batcher, self.saved = batcher, saved
        self.calls: list[str] = []
        self.shown = threading.Event()
        self.writing = False

    def render_first(self, changed):
        self.calls.append(("while writing " if self.writing else "") + "first")
        if self.writing:
            self.shown.set()
        return {}

    def run(self, changed=None) -> BuildResult:
        self.calls.append("run")
        return BuildResult(output=self.output, files={})

    def release(self):
        pass

    def let_go(self):
        self.calls.append("let_go")
        if self.calls.count("let_go") == 1:
            self.writing = True
            self.batcher.add(self.saved, final=True)
            assert self.shown.wait(10)
            self.writing = False


def test_a_save_while_a_builds_files_are_written_is_shown_at_once(tmp_path):
    batcher = ChangeBatcher(quiet=0.0, settle=0.0)
    builder = SlowWritesBuilder(tmp_path, batcher, tmp_path / "site/content/b.md")
    loop, _, root = loop_with(tmp_path, builder)
    loop.rebuild(set())
    thread = threading.Thread(target=loop.run, args=(batcher,), daemon=True)
    thread.start()
    try:
        assert builder.shown.wait(15)  # idle after the first build: its files are written
    finally:
        batcher.close()
        thread.join(15)
    assert not thread.is_alive()
    assert builder.calls[:3] == ["run", "let_go", "while writing first"]
