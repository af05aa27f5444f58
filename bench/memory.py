"""Where a build's memory goes, per article: builds SITE_FOLDER (as `sitegen build` does, so
a built site is a warm build) and sums the sizes of what the build holds at its end, each
object counted once, in the order below (an object shared by two is counted in the first).

Usage: python bench/memory.py SITE_FOLDER

Sizes are `sys.getsizeof` summed over each structure's objects: what Python holds, without the
allocator's overhead, so the process's resident size is somewhat larger. The search and
related indexes are not here: they are held only while their phase runs (and partly in a
forked process), then let go.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sitegen.build import BuildRequest, build
from sitegen.config import load_config
from sitegen.output.writer import Manifest


def deep_size(root: object, seen: set[int]) -> int:
    """Bytes of `root` and everything it reaches that is not in `seen` (which it extends)."""
    total, stack = 0, [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif hasattr(obj, "__dict__"):
            stack.append(obj.__dict__)
        elif hasattr(type(obj), "__slots__"):
            stack.extend(getattr(obj, name, None) for name in type(obj).__slots__)
    return total


def main() -> int:
    site = Path(sys.argv[1])
    held: list = []
    config = load_config(site)
    result = build(BuildRequest(config, run_import=False, hold=held))
    articles, model, planned, _state = held[0]
    plan = planned.plan
    n = max(1, len(articles))
    parts = [
        ("article metadata (Article)", articles),
        ("site model (terms, URLs, translations)", model),
        ("listing views", plan.views),
        ("pages of the plan (contexts, or what makes them)", plan.pages),
        ("page fingerprints", planned.fingerprints),
        ("copied files", plan.copies),
        ("link targets", plan.targets),
        ("output manifest", Manifest.load(result.output or config.output_path).files),
    ]
    seen: set[int] = set()
    total = 0
    print(f"{len(articles)} articles, {len(plan.pages)} pages\n")
    print("| what the build holds | MB | bytes per article |\n|---|---|---|")
    for name, value in parts:
        size = deep_size(value, seen)
        total += size
        print(f"| {name} | {size / 1e6:.1f} | {size / n:,.0f} |")
    print(f"| all of these | {total / 1e6:.1f} | {total / n:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
