"""Running sitegen's parallel stages on a Dask distributed cluster (`--executor dask://HOST:PORT`).

The other side of the executor seam (executor.py runs work on this machine): loading and
rendering send picklable tasks (engine/remote.py) through `Client.get_executor()`, a
`concurrent.futures.Executor`. Nothing is assumed of the workers but an installed sitegen: their
inputs travel with the tasks and their outputs come back as values; this process alone writes
the output folder. Dask is imported only here, and only when a cluster is asked for.

Failures are the user's to fix, so they are SiteErrors naming the address: a scheduler that
does not answer within `CONNECT_TIMEOUT` seconds, a cluster without workers for
`NO_WORKERS_GRACE` seconds, a connection lost mid-build, a task whose workers kept dying.
A worker lost mid-build is not a failure: Dask runs its tasks again elsewhere, which is safe
because tasks are pure (they write nothing, and the same inputs give the same bytes).
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sitegen.errors import SiteError

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT = 5.0  # seconds to reach the scheduler
NO_WORKERS_GRACE = 15.0  # seconds a cluster may have no worker before the build gives up
POLL = 0.5  # seconds between looks at the cluster while waiting for results
SCHEMES = ("dask://", "tcp://", "tls://")
INSTALL = "pip install 'sitegen[dask]'"


def scheduler_address(value: str) -> str:
    """`--executor` as Dask wants it: `dask://host:port` is the scheduler's `tcp://` address;
    "" for `local`. A SiteError for anything else."""
    value = value.strip()
    if value in ("", "local"):
        return ""
    if value.startswith("dask://"):
        value = "tcp://" + value[len("dask://") :]
    if not value.startswith(SCHEMES) or ":" not in value.split("://", 1)[1]:
        raise SiteError(
            f"--executor {value}: not 'local' or a Dask scheduler address",
            hint="use --executor local, or dask://HOST:PORT (tcp:// and tls:// work too)",
        )
    return value


def _distributed():
    try:
        import distributed
    except ImportError:
        raise SiteError(
            "building on a Dask cluster needs Dask's distributed scheduler, which is not installed",
            hint=f"install it with: {INSTALL}",
        ) from None
    return distributed


class Cluster:
    """A connection to one Dask scheduler, for one stage of one build."""

    def __init__(self, address: str, client: Any) -> None:
        self.address = address
        self.client = client
        # pure=False: our tasks carry big arguments that Dask need not hash into task keys
        self.pool: concurrent.futures.Executor = client.get_executor(pure=False)

    def error(self, what: str, exc: BaseException | None = None) -> SiteError:
        detail = f": {exc}" if exc is not None and str(exc) else ""
        return SiteError(
            f"Dask cluster at {self.address}: {what}{detail}",
            hint="check that the scheduler and its workers run (dask scheduler, dask worker); "
            "--executor local builds on this machine; the output folder was not changed",
        )

    def workers(self) -> int:
        return len(self.client.nthreads())

    def share(self, value: Any) -> Any:
        """`value` placed on every worker once (a future to pass to tasks), not in each task."""
        self._wait_for_workers()
        return self.client.scatter(value, broadcast=True, hash=False)

    def _wait_for_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=NO_WORKERS_GRACE)
        except TimeoutError as exc:
            raise self.error(f"no worker joined within {NO_WORKERS_GRACE:.0f} s") from exc

    def map_unordered(
        self, fn: Callable[..., R], shared: Any, items: Iterable[T], window: int = 0
    ) -> Iterator[R]:
        """`fn(shared, item)` for every item, results as they complete. At most `window` tasks
        are queued at once, so the inputs made for them (file bytes, say) are never all held
        in memory. A cluster without any worker for `NO_WORKERS_GRACE` seconds is an error."""
        self._wait_for_workers()
        window = window or max(8, 4 * sum(self.client.nthreads().values()))
        source = iter(items)
        pending: set[concurrent.futures.Future] = set()
        idle_since: float | None = None

        def fill() -> None:
            for item in source:
                pending.add(self.pool.submit(fn, shared, item))
                if len(pending) >= window:
                    return

        try:
            fill()
            while pending:
                done, _ = concurrent.futures.wait(
                    pending, timeout=POLL, return_when=concurrent.futures.FIRST_COMPLETED
                )
                if not done:
                    if self.workers():
                        idle_since = None
                    elif idle_since is None:
                        idle_since = time.monotonic()
                    elif time.monotonic() - idle_since > NO_WORKERS_GRACE:
                        raise self.error(
                            f"every worker left, none came back within {NO_WORKERS_GRACE:.0f} s"
                        )
                    continue
                for future in done:
                    pending.discard(future)
                    yield future.result()
                fill()
        finally:
            for future in pending:
                future.cancel()


def _is_cluster_failure(exc: BaseException, distributed: Any) -> bool:
    """A fault of the cluster or the connection (not of sitegen's own task code)."""
    killed = getattr(distributed, "KilledWorker", ())
    comm = getattr(getattr(distributed, "comm", None), "CommClosedError", ())
    return isinstance(
        exc,
        (OSError, TimeoutError, concurrent.futures.CancelledError, killed, comm),
    )


@contextmanager
def connect(address: str) -> Iterator[Cluster]:
    """A connection to the scheduler at `address` for the duration of the block; any failure
    of the cluster inside the block becomes a SiteError naming the address."""
    distributed = _distributed()
    try:
        client = distributed.Client(
            address, timeout=CONNECT_TIMEOUT, set_as_default=False, direct_to_workers=False
        )
    except (OSError, TimeoutError) as exc:
        raise SiteError(
            f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT:.0f} s",
            hint="start it (dask scheduler) or check the address and port; "
            "the output folder was not changed",
        ) from exc
    cluster = Cluster(address, client)
    try:
        yield cluster
    except SiteError:
        raise
    except BaseException as exc:
        if _is_cluster_failure(exc, distributed):
            raise cluster.error("the build lost its cluster", exc) from exc
        raise
    finally:
        try:
            cluster.pool.shutdown(wait=False)
            client.close(timeout=CONNECT_TIMEOUT)
        except Exception:  # noqa: BLE001 - a broken connection cannot be closed politely
            pass
