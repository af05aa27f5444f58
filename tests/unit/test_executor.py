"""The one way sitegen runs work in parallel (engine/executor.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.engine import executor
from sitegen.engine.executor import Parallelism, beside


def test_an_interrupt_while_the_pool_winds_down_stops_its_workers(monkeypatch) -> None:
    """Ctrl-C or SIGTERM (the preview's handler raises KeyboardInterrupt) may land while a pool
    waits for a task still running at the end of its block (the related lists' cache writes):
    the workers are stopped then too, not left running with the pool forgotten."""
    blocked, _ = os.pipe()  # nothing is ever written: the task runs until it is stopped
    with pytest.raises(KeyboardInterrupt), beside(Parallelism(jobs=2), 10, 1) as pool:
        pool.submit(os.read, blocked, 1)
        processes = list(pool._processes.values())
        assert processes and all(p.is_alive() for p in processes)
        wind_down = pool.shutdown

        def interrupted(wait: bool = True, **kwargs) -> None:
            if wait:
                raise KeyboardInterrupt
            wind_down(wait=wait, **kwargs)

        monkeypatch.setattr(pool, "shutdown", interrupted)
    assert all(ended(p.pid) for p in processes)
    assert not executor._LIVE


def test_a_pool_left_with_later_hands_over_the_wait_for_its_last_task() -> None:
    """`beside(..., later)`: leaving the block does not wait for a task still running (the
    related lists' cache writes, which nothing in the build reads); the pool takes no more
    work, its worker ends by itself once the task is done, and waiting (the build's end) sees
    it through."""
    read_end, write_end = os.pipe()
    waits: list = []
    with beside(Parallelism(jobs=2), 10, 1, waits.append) as pool:
        future = pool.submit(os.read, read_end, 1)
        processes = list(pool._processes.values())
    assert len(waits) == 1 and not future.done()
    assert all(p.is_alive() for p in processes)
    left = waits[0].__self__  # what `stop_all` knows of the pool until it is waited for
    assert pool not in executor._LIVE and left in executor._DETACHED
    with pytest.raises(RuntimeError):
        pool.submit(os.getpid)
    os.write(write_end, b"x")
    waits[0]()
    assert future.result() == b"x"
    assert all(ended(p.pid) for p in processes)
    assert left not in executor._DETACHED


def test_stop_all_ends_a_pool_left_to_finish_its_last_task() -> None:
    """The preview stopping (`stop_all`) while a pool left by `beside(..., later)` still runs
    its last task: the worker is stopped, and the wait handed over returns."""
    blocked, _ = os.pipe()  # nothing is ever written: the task runs until it is stopped
    waits: list = []
    with beside(Parallelism(jobs=2), 10, 1, waits.append) as pool:
        pool.submit(os.read, blocked, 1)
        processes = list(pool._processes.values())
    executor.stop_all()
    assert all(ended(p.pid) for p in processes)
    waits[0]()
    assert waits[0].__self__ not in executor._DETACHED


def ended(pid: int) -> bool:
    """Whether process `pid` has exited. Asked of the system: `Process.is_alive()` says True for
    a moment when the pool's own thread reaped the process first."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def run_script(script: str, cwd: Path, **pipes) -> subprocess.Popen:
    """`script` in a Python process of its own (its own session, so it can be killed whole),
    importing this sitegen; its output is piped back."""
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=cwd,
        stdout=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        **pipes,
    )


HALF_SENT = """
import multiprocessing, os, signal, struct, sys
from sitegen.engine.executor import Parallelism, beside

queues = {}
sent = multiprocessing.get_context("fork").Event()


def half_sent() -> None:
    # the first bytes of a 1 MiB result, then nothing: a worker stopped in the middle of a send
    os.write(queues["results"]._writer.fileno(), struct.pack("!i", 1 << 20) + b"partial")
    sent.set()
    signal.pause()


try:
    with beside(Parallelism(jobs=2), 10, 1) as pool:
        queues["results"] = pool._result_queue  # set before the first submit forks the worker
        pool.submit(half_sent)
        assert sent.wait(60)
        raise KeyboardInterrupt
except KeyboardInterrupt:
    print("stopped", flush=True)
"""


def test_a_worker_stopped_in_the_middle_of_sending_a_result_does_not_hang_the_exit(
    tmp_path,
) -> None:
    """A worker stopped while it sends a result left the pool's manager thread waiting for the
    rest of the message, and Python joins that thread at exit: `sitegen serve` stopped in the
    middle of its first build never ended. The process must end once the pool is stopped."""
    proc = run_script(HALF_SENT, tmp_path, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the process did not end after its pool was stopped")
    assert proc.returncode == 0, out.decode()
    assert b"stopped" in out


KILLED_OUTRIGHT = """
import os, sys
from sitegen.engine.executor import Parallelism, executor

blocked, _ = os.pipe()  # nothing is ever written: the tasks wait until their worker ends
with executor(Parallelism(jobs=2), 10, 1) as pool:
    pool.submit(os.read, blocked, 1)
    print(*pool._processes, flush=True)
    sys.stdin.read()  # until the test kills this process
"""


def test_workers_end_with_a_build_killed_outright(tmp_path) -> None:
    """A build killed with SIGKILL (the out-of-memory killer) cannot stop its pool; its workers
    must not stay behind waiting for work, each holding its share of the site's memory."""
    proc = run_script(KILLED_OUTRIGHT, tmp_path, stdin=subprocess.PIPE)
    workers = [int(pid) for pid in proc.stdout.readline().split()]
    try:
        assert len(workers) == 2 and not any(ended(pid) for pid in workers)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 30
        while not all(ended(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the outcome, not a timing assumption
        assert all(ended(pid) for pid in workers)
    finally:
        for pid in workers:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_a_pool_forks_its_workers_only_under_the_fork_lock(monkeypatch) -> None:
    """A thread rendering beside a build (the preview's page of a save made meanwhile) holds
    `FORK_LOCK`; a pool forks its workers, all at its first task, only while holding it, so
    no worker is copied from a moment that thread held a lock of the rendering code."""
    held: list[int] = []
    pools: list = []

    class Recording:
        def __enter__(self):
            held.append(len(pools[0]._processes))

        def __exit__(self, *exc):
            held.append(len(pools[0]._processes))

    monkeypatch.setattr(executor, "FORK_LOCK", Recording())
    with executor.executor(Parallelism(jobs=2, min_pages=1), 10, 1) as pool:
        pools.append(pool)
        assert list(pool.map(abs, [-1, -2, -3])) == [1, 2, 3]
        pool.submit(abs, -4).result()
    assert held == [0, 2]  # entered once, before any worker, left with both forked
