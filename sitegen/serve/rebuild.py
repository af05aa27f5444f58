"""The preview's rebuild loop: take a batch of changed sources, rebuild through the same
`Builder` as `sitegen build` (into the preview folder), work out what the pages must do, and
tell them over the reload channel.

The server never dies of a build: a build error (or a bug in sitegen) is printed in the
terminal and sent to the pages as an overlay, and the last good output keeps being served.
What changed is read from the output manifest before and after the build: if only stylesheets
changed (besides the HTML that names them), pages swap their stylesheets in place; otherwise
the pages whose own file changed reload (every page, when an image or script changed).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.build import Builder, BuildRequest, BuildResult
from sitegen.config import SiteConfig, load_config
from sitegen.engine.executor import stop_all
from sitegen.errors import BuildFailed, SiteError
from sitegen.fsutil import is_inside
from sitegen.output.writer import Manifest, entry_sha, manifest_entry
from sitegen.serve.channel import ReloadChannel
from sitegen.serve.watch import ChangeBatcher

# seconds without a save after a build before its files are written (`RebuildLoop._write_kept`)
SETTLE_SECONDS = 1.0
PAGE_LIST_LIMIT = 2000  # beyond this many changed pages, simply tell every page to reload
_PASSIVE = (".html", ".htm", ".xml", ".txt")  # outputs that no other page embeds


@dataclass
class Outcome:
    """What one rebuild did, for the terminal, the pages and the tests."""

    ok: bool
    changed: set[str] = field(default_factory=set)  # output paths
    message: dict[str, Any] | None = None
    errors: list[SiteError] = field(default_factory=list)
    result: BuildResult | None = None


def error_dict(err: SiteError, root: Path) -> dict[str, Any]:
    path = err.path
    if path is not None:
        try:
            path = Path(path).resolve().relative_to(root).as_posix()
        except (ValueError, OSError):
            path = str(path)
    return {"path": path, "line": err.line, "message": err.message, "hint": err.hint}


def _same(old: str | None, new: str) -> bool:
    """Same bytes: by hash when both have one (a page re-rendered to the same bytes has a new
    fingerprint but is unchanged), else by fingerprint (copied files carry no hash)."""
    if old is None:
        return False
    old_sha, new_sha = entry_sha(old), entry_sha(new)
    if old_sha and new_sha:
        return old_sha == new_sha
    return old == new


def changed_outputs(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Output paths added, removed, or with other bytes, between two manifests."""
    changed = {p for p, entry in after.items() if not _same(before.get(p), entry)}
    changed.update(p for p in before if p not in after)
    return changed


def page_message(
    changed: set[str], removed: set[str], sources: set[Path], recovering: bool
) -> dict[str, Any] | None:
    """The message for the open pages after a good build, or None when they need nothing.

    `changed` includes the `removed` output paths. A reload names the changed pages and the
    changed files pages may load (images, scripts, search shards...); each page reloads if it is
    one of them or loaded one of them. Too long a list, or recovery from an error, reloads all."""
    if not changed:
        return {"type": "reload", "pages": None, "assets": []} if recovering else None
    others = {p for p in changed if not p.lower().endswith((".html", ".htm"))}
    css_sources = bool(sources) and all(s.suffix.lower() == ".css" for s in sources)
    if (
        css_sources
        and others
        and all(p.lower().endswith(".css") for p in others)
        and not recovering
    ):
        return {"type": "css", "files": sorted("/" + p for p in others - removed)}
    pages = sorted(p for p in changed if p.lower().endswith((".html", ".htm")))
    assets = sorted(p for p in others if not p.lower().endswith(_PASSIVE))
    if recovering or len(pages) + len(assets) > PAGE_LIST_LIMIT:
        return {"type": "reload", "pages": None, "assets": []}
    return {"type": "reload", "pages": pages, "assets": assets}


class Console:
    """The subset of the CLI console the loop prints through (stdout/stderr when none)."""

    def info(self, text: str) -> None:
        print(text, flush=True)

    def warn(self, text: Any) -> None:
        print(f"warning: {text}", flush=True)

    def error(self, text: Any) -> None:
        print(f"error: {text}", flush=True)


class RebuildLoop:
    def __init__(
        self,
        config: SiteConfig,
        output: Path,
        channel: ReloadChannel,
        *,
        drafts: bool = False,
        console=None,
        make_builder: Callable[[BuildRequest], Any] = Builder,
        on_config: Callable[[SiteConfig], None] | None = None,
        jobs: int = 0,
        progress: Callable[[], Any] | None = None,
        start_from: Path | None = None,
    ) -> None:
        """`start_from`: `sitegen build`'s output, whose files an empty preview folder starts
        from (output/seed.py), beside the first build's loading and planning."""
        self.jobs = jobs
        self.start_from = start_from
        self._seeding: tuple[subprocess.Popen, Path] | None = None
        self.seeded = 0  # files the preview's folder started with from `start_from`
        # makes what draws one build's progress at the terminal (the CLI's `BuildProgress`):
        # the first build of a big site takes minutes before the preview answers
        self.new_progress = progress
        self._progress: Any = None
        self.config = config
        self.output = output
        self.channel = channel
        self.drafts = drafts
        self.console = console or Console()
        self.make_builder = make_builder
        self.on_config = on_config
        self.builder = make_builder(self._request(config))
        self.builds = 0  # attempts, good or bad
        self.finished = 0  # rebuilds done, good or bad (pages told, memory let go)
        self._manifest: dict[str, str] | None = None
        self._failing = False
        self._warned: set[str] = set()
        self.stopping = False
        self._unwritten = False  # the last build's files wait for `_write_kept`
        self._batcher: ChangeBatcher | None = None  # `run`'s, for saves made during a build
        self._ahead: dict[str, str] = {}  # pages shown during the build running: path -> sha

    def stop(self) -> None:
        """End a build in progress at once: its worker processes are stopped, and the build
        fails quietly (the preview is shutting down, the last good output stays)."""
        self.stopping = True
        stop_all()
        seeding = self._seeding
        if seeding is not None:
            seeding[0].terminate()  # what it left is removed by the next start

    def _request(self, config: SiteConfig) -> BuildRequest:
        return BuildRequest(
            config,
            output=self.output,
            drafts=self.drafts,
            preview=True,
            jobs=self.jobs,
            cancelled=lambda: self.stopping,
            progress=self._report if self.new_progress is not None else None,
            output_ready=self._seeded,
        )

    def _start_seeding(self) -> None:
        """Start the preview's folder from `start_from`'s files, in a process of its own: the
        first build loads and plans meanwhile (a few seconds each at 100,000 articles) and
        waits for it only before it reads the folder (`_seeded`). A thread would not do: each
        of its hundreds of thousands of calls to the file system waits for the build's thread
        to let go of the interpreter, and took three times as long."""
        start_from, self.start_from = self.start_from, None
        if start_from is None:
            return
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "sitegen.output.seed", str(self.output), str(start_from)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return  # the first build renders every page, as on a site never built
        self._seeding = (process, start_from)

    def _seeded(self) -> None:
        """Wait for the preview's folder to be started from `start_from`, if it is being."""
        seeding, self._seeding = self._seeding, None
        if seeding is None:
            return
        process, start_from = seeding
        out, _ = process.communicate()
        self.seeded = int(out) if process.returncode == 0 and out.strip().isdigit() else 0
        if self.seeded:
            shown = start_from.name + "/" if start_from.parent == self.config.root else start_from
            self.console.info(
                f"started from the {self.seeded:,} files of {shown} (linked, not copied); "
                "rendering what differs"
            )

    def _report(self, phase: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(phase, done, total)

    def run(self, batcher: ChangeBatcher) -> None:
        """Build once per batch until the batcher is closed. Changes that land during a build
        wait in the batcher and make exactly one more build."""
        self._batcher = batcher
        try:
            while not self.stopping:
                batch = batcher.wait_batch(SETTLE_SECONDS if self._unwritten else None)
                if batch is None:
                    return
                if not batch:  # a moment with no save: write what the last build left
                    try:  # seconds at 500,000 articles: a save meanwhile is shown at once
                        with self._showing_saves_meanwhile():
                            self._write_kept()
                    except Exception as exc:  # noqa: BLE001 - the preview goes on without them
                        self.console.warn(f"could not write the preview's caches: {exc}")
                    continue
                self.rebuild(batch)
        finally:
            if self._unwritten:  # stopping: written if it can be (each file is whole or not)
                with contextlib.suppress(Exception):
                    self._write_kept()

    def rebuild(self, sources: set[Path] | None = None) -> Outcome:
        """One build; never raises (except KeyboardInterrupt)."""
        try:
            return self._rebuild(set(sources or ()))
        finally:
            # the browser has been told: now free what the build replaced; its files (the
            # search index, the related index, the preview's manifest) are written once no
            # save follows for a moment, or by the next build once it has shown the edited
            # pages (`Builder.run`): at 500,000 articles they took seconds, and a save made
            # meanwhile waited for them before its page was shown
            release = getattr(self.builder, "release", None)
            if release is not None:
                release()
                self._unwritten = True
            else:
                self._write_kept()
            self.finished += 1

    def _write_kept(self) -> None:
        """Write what the last build left for once the pages were told (`Builder.let_go`)."""
        self._unwritten = False
        let_go = getattr(self.builder, "let_go", None)
        if let_go is not None:
            let_go()

    def _rebuild(self, sources: set[Path]) -> Outcome:
        self.builds += 1
        self._start_seeding()
        try:
            if any(p.name == "site.yaml" and p.parent == self.config.root for p in sources):
                self._reload_config()
            if self._manifest is None:
                self._manifest = Manifest.load(self.output).files
            self._show_edited_pages_first(sources)
            # the watcher's batch: a build that only edited known content files needs no walk
            self._progress = self.new_progress() if self.new_progress is not None else None
            try:
                self._unwritten = False  # written first thing by the build (`Builder.run`)
                with self._showing_saves_meanwhile():
                    result = self.builder.run(sources)
            finally:  # gone before anything is printed: the bar never mixes with messages
                if self._progress is not None:
                    self._progress.close()
                self._progress = None
        except BuildFailed as exc:
            return self._failed(exc.errors)
        except SiteError as exc:
            return self._failed([exc])
        except Exception as exc:  # a sitegen bug must not end the preview
            if self.stopping:  # the build was cut short on purpose
                return Outcome(False)
            self.console.error(traceback.format_exc().rstrip())
            return self._failed(
                [
                    SiteError(
                        f"internal error: {type(exc).__name__}: {exc}",
                        hint="this is a bug in sitegen; the terminal shows the traceback",
                    )
                ]
            )
        return self._succeeded(result, sources)

    def _show_edited_pages_first(
        self, sources: set[Path], shown: dict[str, str] | None = None
    ) -> None:
        """Render the pages of edited articles from the last plan and reload them now; the full
        build that follows then reloads only what else changed (the first pages, too, if the
        full build gives them other bytes, e.g. a new related list). `shown` is told what was
        placed (path -> sha)."""
        render_first = getattr(self.builder, "render_first", None)
        if not sources or render_first is None or self._manifest is None or self._failing:
            return
        written = render_first(sources)
        # pages that already have these bytes (a second batch of one save) are not told again
        changed = sorted(
            p for p, sha in written.items() if entry_sha(self._manifest.get(p, " ")) != sha
        )
        for path, sha in written.items():
            self._manifest[path] = manifest_entry(sha, "")
        if shown is not None:
            shown.update(written)
        if changed:
            self.channel.built({"type": "reload", "pages": changed, "assets": []})

    @contextlib.contextmanager
    def _showing_saves_meanwhile(self) -> Iterator[None]:
        """While a build runs (or the files of the last are written), show the pages of
        articles saved meanwhile as `_show_edited_pages_first` does before a build (rendered
        from the last build's plan), from a thread of their own: at 500,000 articles a build
        takes 20 s, and such a save waited for its end. The build may have read the article
        before the save, so its own page of it is not told to the open pages (`_succeeded`):
        the next build, which takes the save, shows that page first again."""
        batcher = self._batcher
        self._ahead = {}
        if (
            batcher is None
            or getattr(self.builder, "render_first", None) is None
            or self._manifest is None
            or self._failing
        ):
            yield
            return
        done = threading.Event()
        thread = threading.Thread(
            target=self._show_saves, args=(batcher, done), name="sitegen-first", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            done.set()
            batcher.wake()
            thread.join()

    def _show_saves(self, batcher: ChangeBatcher, done: threading.Event) -> None:
        """`_showing_saves_meanwhile`'s thread: each burst of saves of content files, once due."""
        seen = batcher.taken
        content = self.config.content_path
        try:
            while (got := batcher.wait_pending(seen, done.is_set)) is not None:
                paths, seen = got
                if all(is_inside(p, content) for p in paths):  # else the build shows them
                    self._show_edited_pages_first(set(paths), self._ahead)
        except Exception as exc:  # noqa: BLE001 - the next build shows them
            self.console.warn(f"could not show a save at once: {exc}")

    def _reload_config(self) -> None:
        config = load_config(self.config.root)
        if config != self.config:
            self._write_kept()  # the last builder's, before it goes
            self.config = config
            self.builder = self.make_builder(self._request(config))
            if self.on_config is not None:
                self.on_config(config)

    def _succeeded(self, result: BuildResult, sources: set[Path]) -> Outcome:
        before = self._manifest or {}
        if result.files is not None:
            after = dict(result.files)  # edited by `_show_edited_pages_first`
        elif result.written or result.removed or not before:
            after = Manifest.load(self.output).files
        else:
            after = before
        self._manifest = after
        # not the pages shown while it ran: it may have read their articles before the save
        changed = changed_outputs(before, after) - self._ahead.keys()
        self._ahead = {}
        recovering = self._failing
        self._failing = False
        message = page_message(changed, set(before) - set(after), sources, recovering)
        self.channel.built(message)
        for warning in result.diagnostics.warnings:
            if str(warning) not in self._warned:
                self._warned.add(str(warning))
                self.console.warn(warning)
        for err in result.diagnostics.errors:
            self.console.error(err)
        if not sources:
            self.console.info(
                f"built the preview in {result.seconds * 1000:.0f} ms: "
                f"{result.articles} articles, {result.pages} pages"
            )
            return Outcome(True, changed, message, result=result)
        what = ", ".join(sorted(self._show(s) for s in sources)[:3])
        if len(sources) > 3:
            what += f" and {len(sources) - 3} more"
        reaction = (
            "no change"
            if message is None
            else ("stylesheets swapped" if message["type"] == "css" else "pages reloaded")
        )
        self.console.info(
            f"built in {result.seconds * 1000:.0f} ms ({what}): "
            f"{result.written} written, {result.removed} removed; {reaction}"
        )
        return Outcome(True, changed, message, result=result)

    def _failed(self, errors: list[SiteError]) -> Outcome:
        self._failing = True
        self._ahead = {}
        root = self.config.root
        for err in errors:  # in the terminal first: the pages' overlay says to look there
            self.console.error(err)
        self.console.error(
            f"build failed with {len(errors)} error(s); still serving the last "
            "good build, and the browser shows the error until you fix it"
        )
        self.channel.failed([error_dict(e, root) for e in errors])
        return Outcome(False, errors=list(errors))

    def _show(self, path: Path) -> str:
        try:
            return path.relative_to(self.config.root).as_posix()
        except ValueError:
            return path.name
