"""Chart of bench/run.py figures: build time against article count, one line per tool (cold
builds), plus sitegen's warm and one-edit builds. matplotlib (the `bench` extra):

    .venv/bin/python bench/run.py --sizes 1000,10000 --plot bench/results/builds.svg
    .venv/bin/python bench/chart.py bench/results/run.json bench/results/builds.svg  # redraw
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

KINDS = {  # run.py's kinds of build -> how the chart shows them
    "cold": ("cold build", "-"),
    "warm": ("nothing changed", ":"),
    "edit": ("one article edited", "--"),
}


def series(figures: dict) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(tool, kind) -> [(articles, median seconds)] from run.py's --json figures."""
    out: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for size, tools in sorted(figures["sizes"].items(), key=lambda kv: int(kv[0])):
        for tool, kinds in tools.items():
            for kind, builds in kinds.items():
                if kind in KINDS and builds and (kind == "cold" or tool == "sitegen"):
                    seconds = statistics.median(b["seconds"] for b in builds)
                    out.setdefault((tool, kind), []).append((int(size), seconds))
    return out


def plot(figures: dict, path: Path, note: str = "") -> None:
    """Write the chart to `path` (SVG, PNG... by its suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "sitegen-bench"  # the same figures, the same file
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
    lines = series(figures)
    colours = {}
    for (tool, kind), points in sorted(
        lines.items(), key=lambda kv: (kv[0][0], kv[0][1] != "cold")
    ):
        label, style = KINDS[kind]
        colour = colours.setdefault(tool, f"C{len(colours)}")
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, style, marker="o", color=colour, label=f"{tool}: {label}")
    sizes = sorted({x for points in lines.values() for x, _ in points})
    if sizes and sizes[-1] / max(sizes[0], 1) >= 10:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
    ax.set_xlabel("articles")
    ax.set_ylabel("build time, seconds (median)")
    title = "Build time against article count"
    ax.set_title(title + (f"\n{note}" if note else ""), fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.text(0.01, 0.01, figures.get("machine", ""), fontsize=6, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: chart.py RESULTS.json OUT.svg")
    plot(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
