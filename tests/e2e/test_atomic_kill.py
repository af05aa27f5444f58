"""A build killed with SIGKILL at any moment leaves build/ exactly as the last complete build
left it, and the next build cleans up what the killed one left behind.

A 2,000-article site is built once, then rebuilt with every page changed while the build is
killed at seeded random moments: some measured from the start (during loading and planning),
most from the moment its staging folder appears (rendering, writing, swapping). After each kill
the output tree (names, bytes, modification times, a user's CNAME file) must be unchanged, or,
if the build got as far as the atomic swap, be the complete new build."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.output.writer import entry_sha

ARTICLES = 2000
KILLS = 6
FALLBACK = (
    "import sitegen.output.writer as w, sys; w._exchange = lambda a, b: False; "
    "from sitegen.cli import main; sys.exit(main())"
)


def make_site(root: Path) -> None:
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: Kill test v0\nbase_url: https://example.org/\n"
        "auto_tags: false\nrelated: 0\nsearch: false\n"
    )
    for i in range(ARTICLES):
        (root / "content" / f"a{i:04d}.md").write_text(
            f"---\ntitle: Article {i}\ndate: 2020-01-{i % 28 + 1:02d}\ntags: [t{i % 20}]\n---\n\n"
            f"Body of article {i}.\n"
        )


def tree_state(folder: Path) -> dict[str, tuple]:
    """Every entry below `folder`: file bytes hash and mtime, or a symlink's target."""
    state = {}
    for here, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(here) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                state[rel] = ("link", os.readlink(path))
            elif path.is_file():
                st = path.stat()
                state[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns)
            else:
                state[rel] = ("dir",)
    return state


def complete_build_of(folder: Path, title: str) -> bool:
    """True if `folder` is a whole build of the site titled `title`: every file the manifest
    lists is there with the bytes it records, and every article page exists."""
    manifest = json.loads((folder / ".sitegen-manifest.json").read_text())["files"]
    for rel, entry in manifest.items():
        path = folder / rel
        if not path.is_file():
            return False
        sha = entry_sha(entry)
        if sha and hashlib.sha1(path.read_bytes()).hexdigest() != sha:
            return False
    pages = [p for p in manifest if re.fullmatch(r"a\d{4}/index.html", p)]
    return (
        len(pages) == ARTICLES and f"<title>{title}</title>" in (folder / "index.html").read_text()
    )


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".build.sitegen-"))


def count_entries(folder: Path) -> int:
    try:
        return len(os.listdir(folder))
    except FileNotFoundError:
        return 0


def start_build(root: Path, fallback: bool) -> subprocess.Popen:
    code = ["-c", FALLBACK] if fallback else ["-m", "sitegen"]
    return subprocess.Popen(
        [sys.executable, *code, "build", "--site", str(root), "-q"],
        cwd=root,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(proc: subprocess.Popen, condition, limit: float) -> None:
    """Poll until `condition()` holds, the build exits, or `limit` seconds pass."""
    deadline = time.monotonic() + limit
    while proc.poll() is None and not condition() and time.monotonic() < deadline:
        time.sleep(0.002)


@pytest.mark.slow
def test_sigkill_at_random_moments_never_damages_build(tmp_path):
    root = tmp_path / "site"
    make_site(root)
    output = root / "build"
    started = time.monotonic()
    first = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--site", str(root), "-q"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    full_build = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    (output / "CNAME").write_text("news.example.org\n")  # the user's file, not sitegen's
    expected = tree_state(output)
    title = "Kill test v0"
    assert complete_build_of(output, title)

    rng = random.Random(20240601)
    entries = len(os.listdir(output))  # top-level entries: one folder per article, mostly
    killed_while_staging = 0
    for attempt in range(KILLS):
        new_title = f"Kill test v{attempt + 1}"  # in every page: the whole site is rebuilt
        (root / "site.yaml").write_text((root / "site.yaml").read_text().replace(title, new_title))
        fallback = attempt % 3 == 2
        proc = start_build(root, fallback)
        staging = root / f".build.sitegen-staging-{proc.pid}"
        moment = "staging" if attempt == 0 else rng.choice(["early", "files", "files", "manifest"])
        try:
            if moment == "early":  # loading, parsing, planning: a random delay from the start
                delay, begin = rng.uniform(0, min(full_build, 2.0)), time.monotonic()
                wait_until(proc, lambda: time.monotonic() - begin > delay, 60)  # noqa: B023
            elif moment == "staging":  # the staging folder was just made
                wait_until(proc, staging.exists, 60)
            elif moment == "files":  # part way through writing the staged pages
                wanted = rng.randint(1, entries)
                wait_until(proc, lambda: count_entries(staging) >= wanted, 60)  # noqa: B023
            else:  # the manifest is written last, just before the swap
                wait_until(proc, (staging / ".sitegen-manifest.json").exists, 60)
            had_staging = staging.exists()
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            proc.stderr.close()
        state = tree_state(output)
        if proc.returncode == 0 or state != expected:
            # Only a build that reached the swap may change build/, and then it is whole.
            assert complete_build_of(output, new_title), (
                f"attempt {attempt} ({moment}): damaged build/"
            )
            assert state["CNAME"] == expected["CNAME"]
            expected, title = state, new_title
        else:
            config = root / "site.yaml"
            config.write_text(config.read_text().replace(new_title, title))
            killed_while_staging += had_staging and proc.returncode == -signal.SIGKILL
    assert killed_while_staging >= 1, "no kill landed while a build was being staged"

    # The next build finishes, removes the killed builds' staging folders, keeps the CNAME.
    (root / "site.yaml").write_text(
        (root / "site.yaml").read_text().replace(title, "Kill test final")
    )
    final = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--site", str(root), "-q"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert final.returncode == 0, final.stderr
    assert leftovers(root) == []
    assert complete_build_of(output, "Kill test final")
    assert (output / "CNAME").read_text() == "news.example.org\n"
