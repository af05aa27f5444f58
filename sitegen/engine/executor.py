"""The one way sitegen runs work in parallel: a `concurrent.futures.Executor`.

Every parallel stage (loading content files, rendering pages) asks `executor()` for one, and
a single task run beside the main process (the related lists, while the search files are
read) asks `beside()`, so the choice of executor is a single seam: `jobs=1` (or a small batch)
runs everything in this process, otherwise forked processes.

Why fork: a worker needs the whole site model, the plan and the Jinja environment. Forking
hands them over copy-on-write, where spawn or forkserver would pickle hundreds of megabytes
per build. Forking while the preview's watcher thread runs is safe here because a
worker only ever runs sitegen's own rendering and loading code: it never touches the locks
that thread holds (the watchdog queue), the `logging` module re-creates its locks after a
fork, and workers write nothing to the terminal. The one thread that renders beside a build
(the preview's, showing a page saved meanwhile) holds `FORK_LOCK` while it does, and a pool
forks its workers only under it: no worker starts with a lock of the rendering code (Jinja's
template cache) held by a thread it does not have. Each worker restores the
default SIGTERM action (the preview's handler, inherited through the fork, would otherwise
swallow the pool's SIGTERM and hang the shutdown) and ignores SIGINT: on Ctrl-C the parent
decides, and stops the pool.

Inputs a worker cannot receive pickled (closures, the Jinja environment) go through
`inherit()`: the one documented hand-over through the fork. A value registered before the
pool starts is in every worker's memory under its token; `inherited(token)` reads it there.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Parallelism:
    """How much work is worth a pool: the one knob for tests and benchmarks.

    Below these sizes a pool costs more than it saves, so the work runs in this process through
    the same code path. `jobs=0` means one worker per core; `jobs=1` never starts a process."""

    jobs: int = 0
    min_pages: int = 200  # pages to render
    min_loads: int = 400  # content files to parse
    # a Dask scheduler's address (engine/cluster.py) for loading and rendering; "": this machine
    cluster: str = ""

    def workers(self) -> int:
        return max(1, self.jobs or os.cpu_count() or 1)

    def worth(self, size: int, minimum: int) -> bool:
        return self.workers() > 1 and size >= minimum

    def remote(self, size: int, minimum: int) -> bool:
        """Whether `size` items go to the Dask cluster (small batches stay on this machine)."""
        return bool(self.cluster) and size >= minimum


class InlineExecutor(Executor):
    """Runs each call at once in this process (`--jobs 1`, small batches)."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


_INHERITED: dict[int, Any] = {}
_TOKENS = itertools.count(1)
_LIVE: set[ProcessPoolExecutor] = set()
# held while a pool forks its workers, and by a thread rendering beside a build (see above)
FORK_LOCK = threading.Lock()
_LIVE_LOCK = threading.Lock()
_PARENT = os.getpid()


@contextmanager
def inherit(value: Any) -> Iterator[int]:
    """Register `value` for workers forked while the context is open; yields its token."""
    token = next(_TOKENS)
    _INHERITED[token] = value
    try:
        yield token
    finally:
        _INHERITED.pop(token, None)


def inherited(token: int) -> Any:
    """The value registered under `token` before this worker was forked."""
    return _INHERITED[token]


def in_worker() -> bool:
    return os.getpid() != _PARENT


def _init_worker(parent: int) -> None:
    # forked inside a build, which pauses the collector (heap.py): a worker frees its cycles,
    # but not by walking what it was forked with (the site, at 100,000 articles a gigabyte):
    # each full collection would walk it all and touch, so copy, every page of it
    gc.freeze()
    gc.enable()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["SITEGEN_WORKER"] = "1"
    _end_with(parent)


def _end_with(parent: int) -> None:
    """End this worker when the build process does, however that ends. A build killed outright
    (the out-of-memory killer, SIGKILL, or a signal landing while the pool forks, before the
    pool knows the worker) would otherwise leave it waiting for work for ever, holding its
    share of the site's memory. Linux only (prctl PR_SET_PDEATHSIG); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the build ended before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def executor(parallel: Parallelism, size: int, minimum: int) -> Iterator[Executor]:
    """An executor for `size` items of work: a process pool when it is worth one, else inline.

    Leaving the context waits for the work (or, after an exception, cancels what has not
    started and stops the workers)."""
    with _forked_pool(parallel, size, minimum, parallel.workers()) as pool:
        yield pool


@contextmanager
def beside(
    parallel: Parallelism,
    size: int,
    minimum: int,
    later: Callable[[Callable[[], None]], None] | None = None,
) -> Iterator[Executor]:
    """An executor for one task that runs in a forked process while this one goes on with
    other work (inline, at `submit`, when `size` is below `minimum` or there is one core).

    With `later`, leaving the block does not wait for tasks still running (writing a cache
    file nobody reads in this build): the wait is handed to `later`, to be called once the
    build has done what it is waited for. Until then the pool is known to `stop_all`."""
    with _forked_pool(parallel, size, minimum, 1, later) as pool:
        yield pool


class _ForkingPool(ProcessPoolExecutor):
    """A pool that forks its workers under `FORK_LOCK`: with the fork method every worker is
    forked by the first task's `submit` (after the values `inherit` hands over are set)."""

    _forked = False

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self._forked:
            return super().submit(fn, *args, **kwargs)
        with FORK_LOCK:
            self._forked = True
            return super().submit(fn, *args, **kwargs)


@contextmanager
def _forked_pool(
    parallel: Parallelism,
    size: int,
    minimum: int,
    workers: int,
    later: Callable[[Callable[[], None]], None] | None = None,
) -> Iterator[Executor]:
    """`workers` forked processes when `parallel` says `size` items are worth them, else
    inline; the pool is known to `stop_all` while it lives, and stopped at once on an error.
    With `later`, a block left without error hands the wait for the pool's last tasks to it."""
    if not parallel.worth(size, minimum) or not _fork_available():
        yield InlineExecutor()
        return
    pool = _ForkingPool(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )
    with _LIVE_LOCK:
        _LIVE.add(pool)
    try:
        yield pool
    except BaseException:
        _stop(pool)
        _forget(pool)
        raise
    if later is None:
        _wind_down(pool)
        return
    # the pool takes no more work, and its workers end once the tasks queued are done; what is
    # needed to wait for them, or to stop them, is kept (`shutdown` lets go of it)
    detached = _Detached(
        getattr(pool, "_executor_manager_thread", None),
        list((getattr(pool, "_processes", None) or {}).values()),
        getattr(pool, "_result_queue", None),
    )
    with _LIVE_LOCK:
        _DETACHED.difference_update([d for d in _DETACHED if d.ended()])  # never waited for
        _DETACHED.add(detached)
    pool.shutdown(wait=False)
    _forget(pool)
    later(detached.wait)


def _wind_down(pool: ProcessPoolExecutor) -> None:
    """Wait for the pool's tasks and end it; stop it at once if the wait is interrupted."""
    try:  # a task may still run (the related lists' writes): Ctrl-C or SIGTERM may land here
        pool.shutdown(wait=True)
    except BaseException:
        _stop(pool)
        raise
    finally:
        _forget(pool)


def _forget(pool: ProcessPoolExecutor) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(pool)


class _Detached:
    """A pool shut down while its last tasks still run (`beside` with `later`): its workers
    end by themselves once those are done. Known to `stop_all` until waited for."""

    def __init__(self, manager: threading.Thread | None, processes: list, results: Any) -> None:
        self.manager, self.processes, self.results = manager, processes, results

    def wait(self) -> None:
        """Wait for the last tasks and the workers' end; stop them if the wait is interrupted."""
        try:
            if self.manager is not None:
                self.manager.join()
            for process in self.processes:
                process.join()
        except BaseException:
            self.stop()
            raise
        finally:
            with _LIVE_LOCK:
                _DETACHED.discard(self)

    def stop(self) -> None:
        _end(self.processes, self.results)

    def ended(self) -> bool:
        alive = self.manager is not None and self.manager.is_alive()
        return not alive and not any(p.is_alive() for p in self.processes)


_DETACHED: set[_Detached] = set()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and end the workers now, without waiting for running tasks."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)  # `shutdown` forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    _end(processes, results)


def _end(processes: list, results: Any) -> None:
    """End a pool's worker `processes` now; `results`, its result queue."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # A worker ended while it sent a result leaves the pool's manager thread reading the rest
    # of that message for ever, and the interpreter joins that thread at exit: `sitegen serve`
    # stopped mid-build hung there. With the workers gone, this process holds the result pipe's
    # last writer (workers of a pool forked inside this one's block hold copies, and their
    # pool is stopped first); closing it ends the read, and the pool reports itself broken.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


def stop_all() -> None:
    """End every pool of this process (the preview shutting down mid-build), and the workers
    of those left to finish their last tasks."""
    with _LIVE_LOCK:
        pools, detached = list(_LIVE), list(_DETACHED)
    for pool in pools:
        _stop(pool)
    for left in detached:
        left.stop()


def map_unordered(pool: Executor, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """`fn` over `items`, results as they complete (a slow chunk does not hold up the rest)."""
    from concurrent.futures import as_completed

    futures = [pool.submit(fn, item) for item in items]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
