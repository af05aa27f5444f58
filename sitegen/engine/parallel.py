"""Render-and-write of the planned pages that changed, spread over a fork-based process pool.

Workers are forked after the plan exists, so they inherit the site, the plan, the Jinja
environment and the cached bodies without any pickling. Each worker renders its chunk of
pages (Markdown, then Jinja) and writes the bytes into the writer's staging folder itself;
only `(path, sha, fingerprint, wrote)` per page and a small per-chunk payload (the
`after_chunk` result, e.g. bodies the parent needs) travel back. Small batches render in the
calling process, through the same code path.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sitegen.errors import SiteError
from sitegen.output.writer import OutputWriter
from sitegen.site.plan import PageJob

PARALLEL_MIN = 200  # fewer pages than this render faster in one process than through a pool

Task = list[tuple[PageJob, str]]  # pages and their fingerprints


@dataclass
class ChunkResult:
    records: list[tuple[str, str, str, bool]] = field(default_factory=list)  # path, sha, fp, wrote
    errors: list[tuple[str, SiteError]] = field(default_factory=list)  # path, error
    extra: Any = None
    local: bool = False  # rendered in this process: the writer has already counted it


@dataclass
class RenderWork:
    """What a worker needs: how to render one page, where to write it, what to send back."""

    render: Callable[[PageJob], bytes]
    writer: OutputWriter
    after_chunk: Callable[[], Any] = lambda: None  # runs in the worker after each chunk
    on_fork: Callable[[], None] = lambda: None  # runs in each worker once, after the fork


_WORK: RenderWork | None = None
_TASKS: list[Task] | None = None
_PARENT_PID = os.getpid()


def render_chunk(work: RenderWork, task: Task) -> ChunkResult:
    out = ChunkResult()
    writer = work.writer
    for job, fp in task:
        try:
            data = work.render(job)
        except SiteError as exc:
            out.errors.append((job.path, exc))
            continue
        before = writer.written
        writer.write(job.path, data, fp)
        entry = writer.new.files[job.path]
        out.records.append((job.path, entry["sha"], fp, writer.written > before))
    out.extra = work.after_chunk()
    out.local = os.getpid() == _PARENT_PID
    return out


def _worker(index: int) -> ChunkResult:
    # tasks are inherited through the fork: only their index crosses the pipe
    assert _WORK is not None and _TASKS is not None
    return render_chunk(_WORK, _TASKS[index])


def _worker_init() -> None:
    os.environ["SITEGEN_WORKER"] = "1"
    if _WORK is not None:
        _WORK.on_fork()


def worker_count(jobs: int) -> int:
    return max(1, jobs or os.cpu_count() or 1)


def chunk(items: list[tuple[PageJob, str]], size: int) -> list[Task]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def render_pages(
    work: RenderWork,
    tasks: list[Task],
    jobs: int,
    on_result: Callable[[ChunkResult], None],
    between: Callable[[], None] = lambda: None,
) -> None:
    """Run every task; `on_result` sees each chunk's result in the parent, and `between` runs in
    the parent after each one (the parent's own share of the work, e.g. pages that wait on
    bodies the workers send back)."""
    global _WORK, _TASKS, _PARENT_PID
    _PARENT_PID = os.getpid()
    total = sum(len(t) for t in tasks)
    workers = worker_count(jobs)
    if workers < 2 or total < PARALLEL_MIN:
        for task in tasks:
            on_result(render_chunk(work, task))
            between()
        return
    _WORK, _TASKS = work, tasks
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_worker_init) as pool:
            for result in pool.imap_unordered(_worker, range(len(tasks))):
                on_result(result)
                between()
    finally:
        _WORK = _TASKS = None


def order_tasks(items: Iterable[tuple[PageJob, str]], first: set[str], size: int) -> list[Task]:
    """Chunks with the pages of articles in `first` (whose bodies the parent waits on) at the
    front, then pages without bodies and the rest, so the parent's work can start early."""
    urgent, plain, rest = [], [], []
    for job, fp in items:
        if job.bodies and job.bodies[0] in first:
            urgent.append((job, fp))
        elif not job.bodies:
            plain.append((job, fp))
        else:
            rest.append((job, fp))
    return chunk(urgent, size) + chunk(plain, size * 2) + chunk(rest, size)


_BACKGROUND: tuple[Callable[..., Any], tuple] | None = None


def _run_background() -> Any:
    assert _BACKGROUND is not None
    func, args = _BACKGROUND
    return func(*args)


class Background:
    """`func(*args)` running in a forked process while the caller goes on (the search index is
    built while the parent plans the pages: each would otherwise leave a core idle).
    `fork=False`, or a platform without fork, runs it at once in this process."""

    def __init__(self, func: Callable[..., Any], *args: Any, fork: bool = True) -> None:
        global _BACKGROUND
        self._pool = None
        if not fork or "fork" not in multiprocessing.get_all_start_methods():
            self._value = func(*args)
            return
        _BACKGROUND = (func, args)
        gc.freeze()  # the child's collector must not touch (and so copy) the parent's objects
        try:  # the worker is forked now, with _BACKGROUND in its memory: nothing is pickled in
            self._pool = multiprocessing.get_context("fork").Pool(1, initializer=_worker_init)
        finally:
            _BACKGROUND = None
            gc.unfreeze()
        self._pending = self._pool.apply_async(_run_background)

    def result(self) -> Any:
        if self._pool is None:
            return self._value
        try:
            return self._pending.get()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the process (a build that fails before it needs the result)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
