"""bench/chart.py: the medians it draws, and (with matplotlib, the bench extra) the SVG."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import chart  # noqa: E402

FIGURES = {
    "machine": "test machine",
    "sizes": {
        "300": {
            "sitegen": {"cold": [{"seconds": 3.0}, {"seconds": 9.0}, {"seconds": 4.0}]},
            "hugo": {"cold": [{"seconds": 1.0}], "edit": [{"seconds": 1.0}]},
        },
        "100": {
            "sitegen": {"cold": [{"seconds": 2.0}], "warm": [{"seconds": 0.5}], "edit": []},
            "hugo": {"cold": [{"seconds": 0.4}]},
        },
    },
}


def test_series_are_medians_by_size_per_tool():
    lines = chart.series(FIGURES)
    assert lines[("sitegen", "cold")] == [(100, 2.0), (300, 4.0)]
    assert lines[("hugo", "cold")] == [(100, 0.4), (300, 1.0)]
    assert lines[("sitegen", "warm")] == [(100, 0.5)]
    assert ("hugo", "edit") not in lines  # Hugo's "edit" is a full rebuild: its cold line says it


def test_plot_writes_an_svg(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "chart.svg"
    chart.plot(FIGURES, out, "a small test run")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text
