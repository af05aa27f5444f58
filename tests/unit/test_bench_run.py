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


def test_publish_measures_each_site_and_takes_the_articles_out_again(tmp_path, monkeypatch, capsys):
    """bench/publish.py on a newest and a stable copy of a small site: one build each, the
    stable one writing fewer files, and both sites left with the articles they had."""
    import publish

    from tests.sample_site import write_sample_site

    monkeypatch.setattr(publish, "SITEGEN_PY", Path(sys.executable))
    sites = [
        write_sample_site(tmp_path / name, 40, f"pagination: {name}\nper_page: 3\n")
        for name in ("newest", "stable")
    ]
    for site in sites:
        publish.build(site)
    before = [sorted(p.name for p in (s / "content").iterdir()) for s in sites]
    assert publish.main([*map(str, sites), "--rounds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    written = {
        name: int(line.split(", ")[1].split()[0])
        for line in lines
        for name in ("newest", "stable")
        if line.startswith(f"round 1: {name}:")
    }
    assert written["stable"] < written["newest"]
    assert [sorted(p.name for p in (s / "content").iterdir()) for s in sites] == before
