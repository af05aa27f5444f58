"""heap.give_back: memory a stage let go of leaves the process's resident size."""

from __future__ import annotations

import pytest

from sitegen.heap import _malloc_trim, give_back


def _resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(_malloc_trim() is None, reason="the C library is not glibc")
def test_freed_search_sized_objects_leave_the_resident_size():
    held = [bytes(4000) + i.to_bytes(4, "little") for i in range(50_000)]  # ~200 MB
    keep = held[::1000]  # a few survivors, as a stage keeps some of what it made
    with_all = _resident_mib()
    del held
    give_back()
    after = _resident_mib()
    assert len(keep) == 50
    assert with_all - after > 100, (with_all, after)


def test_the_search_spool_gives_back_each_file_as_held(tmp_path):
    """New search files wait on disk, in the cache folder and under no name, until the writer
    reads them, in any order."""
    import random

    from sitegen.engine.search_cache import _Spool

    spool = _Spool(tmp_path / "cache")
    rng = random.Random(3)
    datas = [rng.randbytes(rng.randint(0, 9000)) for _ in range(200)]
    readers = [spool.hold(d) for d in datas[:100]]
    assert readers[7]() == datas[7]  # read while more is still to come
    readers += [spool.hold(d) for d in datas[100:]]
    order = list(range(200))
    rng.shuffle(order)
    assert all(readers[i]() == datas[i] for i in order)
    assert list((tmp_path / "cache").iterdir()) == []  # nothing left behind by name
