"""Render-and-write of the planned pages that changed, spread over a fork-based process pool.

Workers are forked after the plan exists, so they inherit the site, the plan, the Jinja
environment and the cached bodies without any pickling. Each worker renders its chunk of
pages (Markdown, then Jinja) and writes the bytes into the writer's staging folder itself;
only `(path, sha, fingerprint, wrote)` per page and a small per-chunk payload (the
`after_chunk` result, e.g. bodies the parent needs) travel back. Small batches render in the
calling process, through the same code path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sitegen.engine.executor import (
    InlineExecutor,
    Parallelism,
    executor,
    in_worker,
    inherit,
    inherited,
    map_unordered,
)
from sitegen.errors import SiteError
from sitegen.output.writer import OutputWriter, entry_sha
from sitegen.site.plan import PageJob

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
    before_chunk: Callable[[Task], None] = lambda task: None  # runs before each chunk


def render_chunk(work: RenderWork, task: Task) -> ChunkResult:
    out = ChunkResult()
    writer = work.writer
    work.before_chunk(task)
    for job, fp in task:
        try:
            data = work.render(job)
        except SiteError as exc:
            out.errors.append((job.path, exc))
            continue
        before = writer.written
        writer.write(job.path, data, fp)
        entry = writer.new.files[job.path]
        out.records.append((job.path, entry_sha(entry), fp, writer.written > before))
    out.extra = work.after_chunk()
    out.local = not in_worker()
    return out


def _render_inherited(arg: tuple[int, int]) -> ChunkResult:
    # the work and its tasks were inherited through the fork: only indices cross the pipe
    token, index = arg
    work, tasks = inherited(token)
    if not getattr(work, "_forked", False):
        work._forked = True
        work.on_fork()
    return render_chunk(work, tasks[index])


def chunk(items: list[tuple[PageJob, str]], size: int) -> list[Task]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def render_pages(
    work: RenderWork,
    tasks: list[Task],
    parallel: Parallelism,
    on_result: Callable[[ChunkResult], None],
    between: Callable[[], None] = lambda: None,
) -> None:
    """Run every task; `on_result` sees each chunk's result in the parent, and `between` runs in
    the parent after each one (the parent's own share of the work, e.g. pages that wait on
    bodies the workers send back)."""
    total = sum(len(t) for t in tasks)
    with executor(parallel, total, parallel.min_pages) as pool:
        if isinstance(pool, InlineExecutor):
            for task in tasks:
                on_result(render_chunk(work, task))
                between()
            return
        with inherit((work, tasks)) as token:
            results = map_unordered(
                pool, _render_inherited, [(token, i) for i in range(len(tasks))]
            )
            first = next(results, None)  # every worker is forked by now: the token may go
        if first is not None:
            on_result(first)
            between()
        for result in results:
            on_result(result)
            between()


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
