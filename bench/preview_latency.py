"""Save-to-visible latency of `sitegen serve`, measured in headless Chromium.

For each site size: write (or reuse) a synthetic site with bench/corpus.py, start
`sitegen serve --port 0` as a separate process (as a writer runs it), open one article, then
repeatedly edit that article's content file and time how long until the new text is on screen.
Saves alternate between a plain write and an atomic one (temp file renamed over the original).

Timing: Python takes `time.time()` just before the save; a script installed in every document
(before the page's own scripts) watches the DOM with a MutationObserver and, once the new text
is in the page, waits for the next animation frame and records `performance.timeOrigin +
performance.now()`. Both clocks are the system's wall clock, so the difference is the time from
the save to the first frame that can show the change. The serve process's own "built in N ms"
lines give the build share of it. The start (from the command to the server answering) is
reported with what it started from: the preview's own folder, `build/`'s files (a built site
whose preview folder is empty: output/seed.py), or nothing.

    .venv/bin/python bench/preview_latency.py --sizes 1000,10000 --repeat 10
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402  (bench/corpus.py, the shared synthetic corpus)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs in every document before its own scripts: report when the awaited text first shows,
# in a new document (a reload) or in this one (an edited page put in place).
PROBE = """
(() => {
  const seen = () => {
    const want = sessionStorage.getItem("bench:want");
    if (!want || window.__benchSeen) return;
    const root = document.documentElement;
    if (root && root.textContent.includes(want)) {
      window.__benchSeen = true;
      const dom = performance.timeOrigin + performance.now();
      requestAnimationFrame(() => {
        window.__benchAt = { dom, frame: performance.timeOrigin + performance.now() };
      });
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener("DOMContentLoaded", seen);
})();
"""


def make_site(work: Path, size: int) -> Path:
    root = work / str(size) / "sitegen"
    stamp = root / ".bench-complete"
    if not stamp.exists():
        print(f"writing a {size}-article site in {root} ...", flush=True)
        corpus.write_site(root.parent, size, ["sitegen"])
        stamp.write_text("ok\n")
    return root


REBUILD_TIMEOUT = 300.0  # seconds a save's full build may take before the next save


class ServeProcess:
    """`sitegen serve` in its own process; collects its "built in N ms" lines."""

    def __init__(self, root: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--site", str(root), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=str(HERE.parent),
        )
        self.url: str | None = None
        self.build_ms: list[float] = []
        self.lines: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if line.startswith("serving http://"):
                self.url = line.split()[1]
                self._ready.set()
            m = re.match(r"built in (\d+) ms", line)
            if m:
                self.build_ms.append(float(m.group(1)))
        self._ready.set()

    def wait_ready(self, timeout: float) -> str:
        if not self._ready.wait(timeout) or self.url is None:
            raise SystemExit("sitegen serve did not start:\n" + "\n".join(self.lines[-20:]))
        return self.url

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def article_text(index: int, probe: str) -> str:
    """Article `index` with `probe` as the first paragraph of its body."""
    head, body = corpus.sitegen_text(corpus.article(index)).split("\n---\n\n", 1)
    return f"{head}\n---\n\n{probe}\n\n{body}"


def save(path: Path, text: str, atomic: bool) -> None:
    if atomic:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    else:
        path.write_text(text, encoding="utf-8")


def measure(root: Path, size: int, repeat: int, start_timeout: float) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    index = size // 2
    path = root / "content" / f"{corpus.article(index).slug}.md"
    save(path, corpus.sitegen_text(corpus.article(index)), atomic=False)
    # the start's kind: from the preview's own folder, from build/'s files, or from nothing
    own = (root / ".sitegen" / "preview" / ".sitegen-manifest.json").exists()
    serve = ServeProcess(root)
    results: dict[str, list[float]] = {"plain": [], "atomic": []}
    frames: dict[str, list[float]] = {"plain": [], "atomic": []}
    overhead: list[float] = []  # visible minus the build it waited for: watch + notify + reload
    try:
        t0 = time.time()
        url = serve.wait_ready(start_timeout)
        start = time.time() - t0
        seeded = any(line.startswith("started from the") for line in serve.lines)
        start_from = "its own folder" if own else "build/" if seeded else "nothing"
        print(f"  server ready in {start:.1f} s at {url} (started from {start_from})", flush=True)
        slug = corpus.article(index).slug
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.add_init_script(PROBE)
            page.goto(f"{url}{slug}/")
            page.wait_for_function("document.readyState === 'complete'")
            time.sleep(0.5)  # let the event stream connect and the server settle
            for n in range(repeat * 2):
                kind = "atomic" if n % 2 else "plain"
                probe = f"Latency probe {n} {time.time_ns()}"
                page.evaluate(
                    "w => { sessionStorage.setItem('bench:want', w); "
                    "window.__benchSeen = false; window.__benchAt = null; }",
                    probe,
                )
                builds_before = len(serve.build_ms)
                started = time.time()
                save(path, article_text(index, probe), atomic=kind == "atomic")
                page.wait_for_function("window.__benchAt", timeout=60_000, polling=5)
                at = page.evaluate("window.__benchAt")
                results[kind].append(at["frame"] - started * 1000)
                frames[kind].append(at["dom"] - started * 1000)
                # the next save once this one's full build is reported: at 500,000 articles
                # it takes 20 s, and a save made before its end waits for it (a 10 s limit
                # here measured that wait, not the save's own way to the screen)
                deadline = time.time() + REBUILD_TIMEOUT
                while len(serve.build_ms) == builds_before and time.time() < deadline:
                    time.sleep(0.01)
                if len(serve.build_ms) == builds_before + 1:
                    overhead.append(results[kind][-1] - serve.build_ms[builds_before])
                time.sleep(0.3)  # quiet gap between saves
            browser.close()
    finally:
        serve.stop()
    builds = serve.build_ms[1:]  # the first is the initial build
    return {
        **results,
        "start": [start],
        "start_from": start_from,
        "dom_plain": frames["plain"],
        "dom_atomic": frames["atomic"],
        "build": builds,
        "overhead": overhead,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    p.add_argument("--repeat", type=int, default=10, help="saves of each kind per size")
    p.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "sitegen-preview-latency",
        help="where the synthetic sites are kept between runs",
    )
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    args = p.parse_args(argv)
    report = {}
    for size in (int(s) for s in args.sizes.split(",")):
        root = make_site(args.work, size)
        print(f"{size} articles:", flush=True)
        figures = measure(root, size, args.repeat, start_timeout=600)
        report[size] = figures
        for kind in ("plain", "atomic"):
            vals = figures[kind]
            print(
                f"  {kind:6} save -> visible: median {statistics.median(vals):6.0f} ms  "
                f"(min {min(vals):.0f}, max {max(vals):.0f}, n={len(vals)}; "
                f"DOM has it at {statistics.median(figures['dom_' + kind]):.0f} ms)",
                flush=True,
            )
        if figures["build"]:
            print(
                f"  rebuild (server's own timing): median {statistics.median(figures['build']):.0f} ms",
                flush=True,
            )
        if figures["overhead"]:
            print(
                f"  save -> visible minus rebuild (watch, notify, reload, paint): median "
                f"{statistics.median(figures['overhead']):.0f} ms",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
