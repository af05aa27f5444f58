"""The one way sitegen runs work in parallel (engine/executor.py)."""

from __future__ import annotations

import os

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
    assert not any(p.is_alive() for p in processes)
    assert not executor._LIVE
