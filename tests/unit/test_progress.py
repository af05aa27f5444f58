"""The build's progress display, with a fake console and a fake clock: shown on a terminal
only after the delay, never on a non-terminal or with -q, gone when the build ends, and
without colours under NO_COLOR."""

from __future__ import annotations

import io
import re

from rich.console import Console

from sitegen.progress import BuildProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def reporter(terminal: bool, quiet: bool = False) -> tuple[BuildProgress, io.StringIO, Clock]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=80)
    clock = Clock()
    return BuildProgress(console, quiet=quiet, clock=clock, auto_refresh=False), out, clock


def feed(progress: BuildProgress, clock: Clock) -> None:
    progress("load", 0, 0)
    clock.now += 0.5
    progress("plan", 0, 0)  # still within the first second: nothing yet
    clock.now += 1.0
    progress("render", 0, 200)
    progress("render", 48, 200)
    progress("render", 96, 200)


def visible(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_terminal_shows_phase_and_pages_after_a_second_then_clears():
    progress, out, clock = reporter(terminal=True)
    progress("load", 0, 0)
    assert out.getvalue() == "" and not progress.shown
    feed(progress, clock)
    shown = visible(out.getvalue())
    assert "render" in shown and "96/200" in shown and "48/200" in shown
    assert "load" not in shown and "plan" not in shown  # over before the delay ran out
    progress.close()
    assert not progress.shown
    assert "\x1b[2K" in out.getvalue()[-40:]  # the bar line is erased


def test_a_quick_build_shows_nothing():
    progress, out, clock = reporter(terminal=True)
    progress("load", 0, 0)
    clock.now += 0.3
    progress("render", 10, 10)
    progress.close()
    assert out.getvalue() == ""


def test_nothing_on_a_non_terminal():
    progress, out, clock = reporter(terminal=False)
    feed(progress, clock)
    progress.close()
    assert out.getvalue() == ""


def test_quiet_shows_nothing():
    progress, out, clock = reporter(terminal=True, quiet=True)
    feed(progress, clock)
    progress.close()
    assert out.getvalue() == ""


def test_no_color_is_honoured(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    progress, out, clock = reporter(terminal=True)
    feed(progress, clock)
    progress.close()
    assert "96/200" in visible(out.getvalue())
    assert not re.search(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m", out.getvalue())  # no colour codes
    monkeypatch.delenv("NO_COLOR")
    progress, out, clock = reporter(terminal=True)
    feed(progress, clock)
    assert re.search(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m", out.getvalue())  # colours otherwise


def test_build_to_a_non_terminal_prints_only_the_summary(site, capsys):
    from sitegen.cli import main

    site.article("a.md", "A", "2024-01-01", "Text.")
    assert main(["--site", str(site.root), "build"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert len(out.out.splitlines()) == 1 and out.out.startswith("built 1 articles")


def test_the_build_reports_phases_and_every_rendered_page(site):
    site.article("a.md", "A", "2024-01-01", "Text.", tags="[x]")
    site.article("b.md", "B", "2024-01-02", "Text.")
    calls: list[tuple[str, int, int]] = []
    result = site.build(progress=lambda *call: calls.append(call))
    phases = [c[0] for c in calls]
    assert phases[:4] == ["import", "load", "plan", "render"] and phases[-1] == "render"
    render = [c for c in calls if c[0] == "render"]
    assert render[0][1] == 0 and render[-1][1] == render[-1][2] == result.pages
