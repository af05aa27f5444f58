"""Pausing Python's cycle collector around the stages that build large acyclic data.

Loading, the site model and the page plan each create hundreds of thousands of small dicts,
lists and tuples that hold no reference cycles and live until the build ends. Every few
thousand allocations CPython's cycle collector walks the young objects, and each time the heap
has grown by a quarter it walks all of them: at 10,000 articles that is about 1.5 s of a
one-article edit build spent proving that nothing is garbage. Reference counting still frees
everything as usual while the collector is paused; only cycles wait for the next collection.

`build()` pauses it once for the whole build: pausing stage by stage only moved the walk to
the end of each stage (the first allocation after it is back on). Forked workers turn it back
on for themselves (`engine/executor.py`): they render thousands of pages and make cycles; what
they were forked with is frozen first, so their collections never walk the parent's heap.

`give_back` hands memory freed between stages back to the system (glibc keeps it otherwise).
`out_of_sight` is for a process that keeps a build's objects and goes on (the preview).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cycle collection inside the block; nested uses are fine (the outermost one
    turns it back on, and only if it was on before)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def pauses_collector(func: Callable[P, R]) -> Callable[P, R]:
    """`func` runs with the cycle collector paused (see `collector_paused`)."""

    @functools.wraps(func)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return func(*args, **kwargs)

    return paused


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: its allocator decides alone
        return None


def give_back() -> None:
    """Return the free pages of the C heap to the system. A stage that let go of much (the
    search index's working data on a new site: about 5 KB an article) otherwise leaves them
    counted in the process's size for the rest of the build, on top of what later stages
    allocate elsewhere (Python's small objects come from arenas of their own)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def out_of_sight() -> None:
    """Move every object alive now out of the cycle collector's sight (`gc.freeze`), once a
    build that kept its objects is done. The build ran with the collector paused, so all it
    allocated is still in the youngest generation, and the first collection after it walks all
    of it, in whatever allocates next: at 500,000 articles 9 s, in which a save's page waited.
    Cycles among frozen objects are never freed; the preview's memory was measured not to grow
    by it (40 rebuilds of 3,000 articles: 96 MiB after 10, 95 MiB after 40)."""
    gc.freeze()
