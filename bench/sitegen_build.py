"""`sitegen build` for the benchmark: the same build, plus its phase timings as one JSON line,
ending as the command does (sitegen/cli.py::run: the build's structures are held, not freed,
and the process exits at once).

Usage: python bench/sitegen_build.py SITE_FOLDER [JOBS]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

started = time.perf_counter()

from sitegen.build import BuildRequest, build  # noqa: E402  (import time is part of the figure)
from sitegen.config import load_config  # noqa: E402
from sitegen.errors import BuildFailed  # noqa: E402


def main() -> int:
    site = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    imported = time.perf_counter()
    try:
        result = build(BuildRequest(load_config(Path(site)), jobs=jobs, hold=HELD))
    except BuildFailed as exc:
        for error in exc.errors[:10]:
            print(f"error: {error}", file=sys.stderr)
        return 1
    timings = {"python+imports": imported - started, **result.timings}
    print(
        json.dumps(
            {
                "articles": result.articles,
                "pages": result.pages,
                "written": result.written,
                "kept": result.kept,
                "removed": result.removed,
                "errors": len(result.diagnostics.errors),
                "timings": {k: round(v, 3) for k, v in timings.items()},
            }
        )
    )
    return 0


HELD: list = []

if __name__ == "__main__":
    code = main()
    if not HELD:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
