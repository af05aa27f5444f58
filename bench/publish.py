"""What publishing costs: a new article (the newest) added to a built site, then built, as a
newsroom does many times a day. Every listing it is in gains an article at the top, so with
`pagination: newest` every numbered page of those listings changes, and with `stable` only
their first pages (README "Stable page numbers").

Usage: python bench/publish.py SITE [SITE ...] [--rounds N] [--keep]

Each round publishes one new article in each SITE in turn (so that sites built with different
settings are measured alternately on a busy machine), with `bench/sitegen_build.py`; then the
articles added are taken out again and each site built once more, unless `--keep`. Prints a
line per build and the medians per site: seconds, files written, largest process, phases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
from pathlib import Path

from run import SITEGEN_PY, run_measured

HERE = Path(__file__).resolve().parent


def published(n: int, when: dt.datetime) -> str:
    """New article `n`: two of the corpus's tags, a few paragraphs, dated `when`."""
    body = "\n\n".join(
        f"Paragraph {k} of the new article {n}: the council met and officials said so."
        for k in range(6)
    )
    return (
        f'---\ntitle: "Published article {n}"\ndate: {when.isoformat()}\n'
        f'tags: ["Hoho", "Hocosi"]\nsummary: "New article {n}."\n---\n\n{body}\n'
    )


def build(site: Path) -> dict:
    seconds, peak_kib, out, _ = run_measured(
        [SITEGEN_PY, HERE / "sitegen_build.py", site], cwd=site
    )
    line = json.loads(out.strip().splitlines()[-1])
    return {**line, "seconds": seconds, "peak_mib": peak_kib / 1024}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sites", nargs="+", type=Path)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--keep", action="store_true", help="leave the new articles in the sites")
    args = p.parse_args(argv)
    sites = [s.resolve() for s in args.sites]
    # dated a minute apart, the last just now: each the newest, none in the future
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=args.rounds)
    added: list[Path] = []
    results: dict[Path, list[dict]] = {s: [] for s in sites}
    try:
        for r in range(args.rounds):
            for site in sites:
                path = site / "content" / f"zz-published-{r}.md"
                path.write_text(published(r, start + dt.timedelta(minutes=r)), encoding="utf-8")
                added.append(path)
                b = build(site)
                results[site].append(b)
                print(
                    f"round {r + 1}: {site.name}: {b['seconds']:.2f} s, {b['written']} written, "
                    f"{b['peak_mib']:.0f} MiB, {b['timings']}",
                    flush=True,
                )
    finally:
        if not args.keep:
            for path in added:
                path.unlink(missing_ok=True)
            for site in sites:
                build(site)
    print("\n| site | median s | files written | largest process MiB | plan s | render s |")
    print("|---|---|---|---|---|---|")
    for site, builds in results.items():
        if not builds:
            continue

        def med(f, builds=builds) -> float:
            return statistics.median(f(b) for b in builds)

        print(
            f"| {site.name} | {med(lambda b: b['seconds']):.2f} | {med(lambda b: b['written']):.0f}"
            f" | {med(lambda b: b['peak_mib']):.0f} | {med(lambda b: b['timings']['plan']):.2f}"
            f" | {med(lambda b: b['timings']['render']):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
