"""bench/run.py's checks made before it builds anything."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import preview_latency  # noqa: E402
import run  # noqa: E402


def test_preview_without_chromium_stops_before_building(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "SITEGEN_PY", Path(sys.executable))
    monkeypatch.setattr(preview_latency, "CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "sites"
    with pytest.raises(SystemExit, match="--preview needs Chromium at .*apt-get install chromium"):
        run.main(["--preview", "--sizes", "10", "--tools", "sitegen", "--out", str(out)])
    assert not out.exists()
