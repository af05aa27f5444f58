"""Source watching for the preview server: which file events matter, and when a burst is over.

`ChangeFilter` decides whether a path is a source of the site (content, seeds, theme, site
templates and static files, site.yaml) and not an editor's temporary file, a hidden file, or
one of sitegen's own output or cache folders (watching our own output loops forever, as
Pelican learned). `ChangeBatcher` coalesces a burst of events into one batch: a batch is due
once events stop for a short quiet spell, shorter when the last event of every path says the
file is complete (closed after writing, or renamed into place by an atomic save). Changes that
arrive while a build runs stay pending and become exactly one follow-up batch.
`SourceWatcher` feeds watchdog events through both.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sitegen.config import CONFIG_NAME, SiteConfig

QUIET = 0.03  # seconds without events before a burst counts as over
SETTLE = 0.004  # the same, when every changed file is known to be complete
MAX_WAIT = 1.0  # never hold a batch longer than this, however busy the folder is

_TEMP_SUFFIXES = (
    "~",
    ".swp",
    ".swx",
    ".swo",
    ".swn",
    ".tmp",
    ".temp",
    ".bak",
    ".bck",
    ".part",
    ".crdownload",
    ".kate-swp",
    "___jb_tmp___",
    "___jb_old___",
    ".orig",
    ".rej",
)
_IGNORED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".sitegen",
    "__pycache__",
    "node_modules",
    ".idea",
    ".vscode",
}


def is_temp_file(name: str) -> bool:
    """True for the scratch files editors write beside the real one (Zola's `is_temp_file`
    list): vim (`.swp`, `~`, the `4913` write test), emacs (`#name#`, `.#name`), JetBrains
    (`___jb_tmp___`), kate, helix (`.bck`), and generic `.tmp` files."""
    if not name or name == "4913" or name.startswith(".#"):
        return True
    if name.startswith("#") and name.endswith("#"):
        return True
    return name.lower().endswith(_TEMP_SUFFIXES)


class ChangeFilter:
    """Which paths are sources of a site. Built from the config, so a changed site.yaml (a new
    theme, another content folder) makes a new filter."""

    def __init__(self, config: SiteConfig) -> None:
        self.root = config.root.resolve()
        self.config_file = self.root / CONFIG_NAME
        trees = [
            config.content_path,
            config.seeds_path,
            config.theme_path(),
            config.path(config.templates_dir),
            config.path(config.static_dir),
            config.root / "i18n",  # the site's own words for the theme (text/i18n.py)
        ]
        self.trees: list[Path] = []
        for tree in trees:
            tree = tree.resolve()
            if tree != self.root and tree not in self.trees:
                self.trees.append(tree)
        self.ignored = [config.output_path.resolve(), config.cache_path.resolve()]

    def watch_roots(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) pairs to watch. The site folder itself is watched flat, so that
        site.yaml is seen when an editor replaces it, and a source folder made later is seen."""
        roots = [(self.root, False)]
        roots += [(tree, True) for tree in self.trees if tree.is_dir()]
        return roots

    def relevant(self, path: str | Path) -> bool:
        """True if a change at `path` can change the site."""
        path = Path(os.path.abspath(path))
        if any(path == ign or path.is_relative_to(ign) for ign in self.ignored):
            return False
        if path == self.config_file:
            return True
        for tree in self.trees:
            if path == tree:
                return True  # the folder itself came or went
            if path.is_relative_to(tree):
                parts = path.relative_to(tree).parts
                if any(p.startswith(".") or p in _IGNORED_DIRS for p in parts):
                    return False
                return not is_temp_file(parts[-1])
        return False

    def is_config(self, path: str | Path) -> bool:
        return Path(os.path.abspath(path)) == self.config_file


class ChangeBatcher:
    """Collects changed paths until a burst is over. Thread-safe; `clock` is injectable so the
    timing rules are tested without sleeping.

    Each path remembers whether its last event said the file is complete (`final`): a close
    after writing, or a rename into place. A batch is due `SETTLE` seconds after the last event
    when every pending path is complete, `QUIET` seconds after it otherwise (a plain write may
    be followed by more writes; a deleted file may be about to be re-created by an editor's
    backup dance), and at the latest `MAX_WAIT` after the first event of the batch.
    """

    def __init__(
        self,
        quiet: float = QUIET,
        settle: float = SETTLE,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet = quiet
        self.settle = settle
        self.max_wait = max_wait
        self.clock = clock
        self._pending: dict[Path, bool] = {}
        self._first = 0.0
        self._last = 0.0
        self._added = 0  # changes added so far, to tell a burst `wait_pending` has seen
        self.taken = 0  # of those, how many were added before the last batch was taken
        self._closed = False
        self._cond = threading.Condition()

    def add(self, path: str | Path, final: bool = False) -> None:
        now = self.clock()
        with self._cond:
            if not self._pending:
                self._first = now
            self._last = now
            self._pending[Path(path)] = final
            self._added += 1
            self._cond.notify_all()

    def due_in(self, now: float | None = None) -> float | None:
        """Seconds until the pending batch is due (0 or less: due now); None if nothing pends."""
        with self._cond:
            return self._due_in(self.clock() if now is None else now)

    def _due_in(self, now: float) -> float | None:
        if not self._pending:
            return None
        wait = self.settle if all(self._pending.values()) else self.quiet
        return min(self._last + wait, self._first + self.max_wait) - now

    def take(self) -> set[Path]:
        """Hand over every pending path and start a new batch."""
        with self._cond:
            batch = set(self._pending)
            self._pending.clear()
            self.taken = self._added
            return batch

    def wait_batch(self, idle: float | None = None) -> set[Path] | None:
        """Block until a batch is due and return it; None once `close()` was called. With
        `idle`: an empty set once that many seconds passed with nothing pending (a change
        pending then is waited for)."""
        # the idle time on the real clock, as the condition waits on it (`clock` may be a
        # test's, which only dates the changes)
        until = None if idle is None else time.monotonic() + idle
        with self._cond:
            while not self._closed:
                left = self._due_in(self.clock())
                if left is not None and left <= 0:
                    batch = set(self._pending)
                    self._pending.clear()
                    self.taken = self._added
                    return batch
                if left is None and until is not None:
                    left = until - time.monotonic()
                    if left <= 0:
                        return set()
                self._cond.wait(left)
            return None

    def wait_pending(
        self, seen: int, done: Callable[[], bool]
    ) -> tuple[frozenset[Path], int] | None:
        """Block until the pending changes are due as a batch and some came after the first
        `seen` changes added; return them without taking them, with the count of changes
        added so far (the `seen` of the next call). None once `done()` (checked when woken:
        `wake`) or `close()`. The preview shows the pages of articles saved while a build
        runs; the next build takes the same changes (`wait_batch`)."""
        with self._cond:
            while not self._closed and not done():
                left = self._due_in(self.clock())
                if left is not None and left <= 0 and self._added > seen:
                    return frozenset(self._pending), self._added
                self._cond.wait(left if left is not None and left > 0 else None)
            return None

    def wake(self) -> None:
        """Wake `wait_pending` to look at its `done` again."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def event_paths(event: FileSystemEvent) -> list[tuple[str, bool]]:
    """(path, final) pairs an event stands for; opens, reads, attribute changes and
    directory "modified" notices stand for nothing. A folder created inside a source tree
    counts: a folder moved in from elsewhere arrives as one "created" event for all its files."""

    def text(p: str | bytes) -> str:
        return os.fsdecode(p)

    if isinstance(event, FileClosedEvent):
        return [(text(event.src_path), True)]
    if isinstance(event, (FileMovedEvent, DirMovedEvent)):
        return [(text(event.src_path), False), (text(event.dest_path), True)]
    if isinstance(
        event,
        (FileModifiedEvent, FileCreatedEvent, FileDeletedEvent, DirCreatedEvent, DirDeletedEvent),
    ):
        return [(text(event.src_path), False)]
    return []


class SourceWatcher(FileSystemEventHandler):
    """Watches a site's sources with watchdog and feeds relevant paths to a batcher."""

    def __init__(
        self,
        config: SiteConfig,
        batcher: ChangeBatcher,
        poll: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.batcher = batcher
        self.filter = ChangeFilter(config)
        self.poll = poll
        self.warn = warn or (lambda text: None)
        self._observer = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self._observer = self._make_observer(self.poll)
        try:
            self._schedule(self.filter.watch_roots())
            self._observer.start()
        except OSError as exc:
            if self.poll or exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            self.warn(
                "the system's limit on watched folders is reached; falling back to "
                "polling (raise fs.inotify.max_user_watches to avoid this)"
            )
            self._observer = self._make_observer(True)
            self._schedule(self.filter.watch_roots())
            self._observer.start()

    @staticmethod
    def _make_observer(poll: bool):
        return PollingObserver(timeout=0.25) if poll else Observer()

    def _schedule(self, roots: Iterable[tuple[Path, bool]]) -> None:
        for folder, recursive in roots:
            self._observer.schedule(self, str(folder), recursive=recursive)

    def update(self, config: SiteConfig) -> None:
        """Follow a changed site.yaml: new folders to watch, new rules for paths."""
        new = ChangeFilter(config)
        with self._lock:
            if new.watch_roots() != self.filter.watch_roots() and self._observer is not None:
                self._observer.unschedule_all()
                self._schedule(new.watch_roots())
            self.filter = new

    def rescan_roots(self) -> None:
        """Start watching source folders that did not exist when watching began."""
        with self._lock:
            if self._observer is None:
                return
            watched = {Path(e.watch.path) for e in self._observer.emitters}
            for folder, recursive in self.filter.watch_roots():
                if folder not in watched:
                    self._observer.schedule(self, str(folder), recursive=recursive)

    def on_any_event(self, event: FileSystemEvent) -> None:
        flt = self.filter
        new_folder = False
        for path, final in event_paths(event):
            if flt.relevant(path):
                self.batcher.add(path, final)
        if event.is_directory and event.event_type in ("created", "moved"):
            made = Path(os.fsdecode(event.dest_path or event.src_path))
            new_folder = any(made == tree for tree in flt.trees)
            if new_folder:
                self.batcher.add(made, False)
        if new_folder:
            self.rescan_roots()

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
