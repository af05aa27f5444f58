"""The preview as a new user runs it: `sitegen serve` on a 1,200-article site with the settings
`sitegen init` writes (search and related articles on), in its own process. The page answers,
an edit reloads it, and SIGTERM ends the server and every process it started within 10 s,
also when it arrives in the middle of the first build."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.config import load_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTICLES = 1200
WORDS = [
    "river",
    "town",
    "harbour",
    "council",
    "school",
    "market",
    "railway",
    "festival",
    "museum",
    "bridge",
    "election",
]


def make_site(root: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "sitegen", "init", str(root)], check=True, capture_output=True
    )
    for old in (root / "content").glob("*.md"):
        old.unlink()
    for old in (root / "seeds").glob("*"):
        old.unlink()
    config = load_config(root)
    assert config.search and config.related > 0  # the defaults a new site gets
    for i in range(ARTICLES):
        a, b = WORDS[i % len(WORDS)], WORDS[(i * 7 + 3) % len(WORDS)]
        body = "\n\n".join(
            f"Paragraph {p} of story {i}: the {a} and the {b} met again in spring. " * 4
            for p in range(6)
        )
        (root / "content" / f"story-{i:04d}.md").write_text(
            f"---\ntitle: Story {i} about the {a}\ndate: 2024-01-{i % 28 + 1:02d}\n"
            f"tags: [{a}, {b}]\n---\n\n{body}\n",
            encoding="utf-8",
        )


def session_processes(sid: int) -> list[int]:
    """Every live process of the session `sid` (the server was started as its leader)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_until(predicate, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)  # polling interval, not a timing assumption
    return predicate()


def start_serve(root: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    log = root.parent / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", "0", *extra],
        cwd=root,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return proc, log


def served_url(log: Path) -> str | None:
    match = re.search(r"http://127\.0\.0\.1:\d+/", log.read_text(errors="replace"))
    return match.group(0) if match else None


def stop_and_check(proc: subprocess.Popen) -> None:
    sid = proc.pid
    proc.send_signal(signal.SIGTERM)  # to the server alone: it must end its own children
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(sid, signal.SIGKILL)
        pytest.fail("sitegen serve still running 10 s after SIGTERM")
    assert wait_until(lambda: not session_processes(sid), 10), (
        f"processes left after SIGTERM: {session_processes(sid)}"
    )


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("preview") / "site"
    make_site(root)
    return root


@pytest.mark.parametrize("jobs", [[], ["--jobs", "1"]], ids=["pool", "jobs-1"])
def test_preview_at_scale_answers_reloads_and_stops(big_site: Path, browser, jobs) -> None:
    proc, log = start_serve(big_site, *jobs)
    try:
        assert wait_until(lambda: served_url(log) is not None or proc.poll() is not None, 240)
        url = served_url(log)
        assert url, log.read_text()
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "story-0005/", wait_until="load")
        assert "Story 5 about" in page.text_content("h1")
        target = big_site / "content" / "story-0005.md"
        text = target.read_text(encoding="utf-8")
        target.write_text(
            text.replace("Paragraph 0 of story 5", "Edited in the preview"), encoding="utf-8"
        )
        page.wait_for_function(
            "() => document.body && document.body.innerText.includes('Edited in the preview')",
            timeout=60_000,
        )
        context.close()
        target.write_text(text, encoding="utf-8")
    finally:
        if proc.poll() is None:
            stop_and_check(proc)
    assert proc.returncode == 0, log.read_text()


def test_sigterm_during_the_first_build_ends_every_process(big_site: Path) -> None:
    import shutil

    shutil.rmtree(big_site / ".sitegen", ignore_errors=True)  # a cold first build
    proc, log = start_serve(big_site)
    try:
        # a worker process exists: the first build is under way
        assert wait_until(lambda: bool(children(proc.pid)) or proc.poll() is not None, 120), (
            log.read_text()
        )
    finally:
        if proc.poll() is None:
            stop_and_check(proc)
