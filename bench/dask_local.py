"""Cold builds on this machine's process pool vs. a Dask `LocalCluster` on the same machine.

What `--executor dask://...` costs when it brings no extra cores: the same generated site is
built cold (no output, no caches) alternately with `--executor local` and with a LocalCluster
of N worker processes (one thread each), and the median of each is printed as JSON.

Usage: python bench/dask_local.py [ARTICLES] [REPEAT] [WORKERS]   (needs sitegen[dask])
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.build import BuildRequest, build  # noqa: E402
from sitegen.config import load_config  # noqa: E402
from tests.sample_site import write_sample_site  # noqa: E402


def cold(root: Path, executor: str) -> tuple[float, dict[str, float]]:
    shutil.rmtree(root / "build", ignore_errors=True)
    shutil.rmtree(root / ".sitegen", ignore_errors=True)
    started = time.perf_counter()
    result = build(BuildRequest(load_config(root), executor=executor))
    return time.perf_counter() - started, result.timings


def main() -> int:
    from distributed import LocalCluster

    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1900000000")
    with tempfile.TemporaryDirectory() as tmp:
        root = write_sample_site(Path(tmp) / "site", articles)
        with LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            local_directory=tmp,
        ) as cluster:
            runs: dict[str, list[float]] = {"local": [], "dask": []}
            phases: dict[str, dict[str, float]] = {}
            cold(root, "local")  # warm the file system cache and imports once
            for _ in range(repeat):
                for name, executor in (("local", "local"), ("dask", cluster.scheduler_address)):
                    seconds, timings = cold(root, executor)
                    runs[name].append(round(seconds, 2))
                    phases[name] = {k: round(v, 2) for k, v in timings.items()}
    print(
        json.dumps(
            {
                "articles": articles,
                "cores": os.cpu_count(),
                "dask_workers": workers,
                "seconds": runs,
                "median": {k: statistics.median(v) for k, v in runs.items()},
                "last_phases": phases,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
