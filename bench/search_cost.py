"""What search and related articles cost: build time, index size, and bytes a query downloads.

For each size, on the synthetic corpus of bench/corpus.py (written once under
bench/corpus/search/<size>/sitegen/, rewritten when bench/corpus.py changes):

1. Build time. Cold builds (`build/` and `.sitegen/` deleted before each), each one
   `bench/sitegen_build.py SITE` in its own process, timed from outside (wall clock), with
   site.yaml set to (a) search and related on, (b) search off, (c) related off, (d) both off.
   The four variants run interleaved within each repeat (in a rotated order, (a) last in the
   final repeat so its output is what parts 2 and 3 look at), and medians are reported.
   Search cost = (a) - (b), related cost = (a) - (c), in seconds and as a share of (a); plus the
   phase timings sitegen_build.py prints for (a). The corpus's own site.yaml is restored at the end.
2. Index size: files and bytes under build/search/ (manifest, shards, documents).
3. Bytes one query downloads: build/ is served by http.server on 127.0.0.1, /search/ is opened in
   headless Chromium (Debian's, never a downloaded one) in a fresh browser context per query
   (nothing cached), the query is typed into the search box key by key, and once the results
   (or "No articles match") are on the page every response under /search/ is summed, with its
   body size. Three queries, chosen from the built index: the most common word, the rarest term,
   and two words of an article title. The files the query needs by the index's own rules
   (manifest, the shards of its words, the documents shown) are worked out too, so extra
   downloads (e.g. from searches fired while typing) show up.

Prints a Markdown report per size and a machine line; `--json FILE` keeps the raw figures.

    .venv/bin/python bench/search_cost.py --sizes 1000,10000
    .venv/bin/python bench/search_cost.py --sizes 300 --repeat 1      # a smoke test
"""

from __future__ import annotations

import argparse
import bisect
import functools
import hashlib
import http.server
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from sitegen.config import SiteConfig  # noqa: E402
from sitegen.site.search import _sort_key, terms  # noqa: E402

CORPUS_OUT = HERE / "corpus" / "search"
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
PAGE_SIZE = 10  # results search.js shows at first (PAGE in search.js)
MAX_PREFIX_SHARDS = 3  # as in search.js
VARIANTS = {  # name -> (search, related on)
    "both on": (True, True),
    "search off": (False, True),
    "related off": (True, False),
    "both off": (False, False),
}
_SETTING_LINE = re.compile(r"^(search|related)\s*:")
_SCRIPT = re.compile(r"^sitegenSearch\.(\w+)\((.*)\);\s*$", re.S)


# ---------------------------------------------------------------------------------------------
# The corpus and its settings


def corpus_site(size: int) -> Path:
    """bench/corpus/search/<size>/sitegen, written by bench/corpus.py unless already there (a
    stamp holds a hash of corpus.py, so a changed generator rewrites the site)."""
    script = HERE / "corpus.py"
    root = CORPUS_OUT / str(size) / "sitegen"
    stamp = root / ".bench-search-cost"
    digest = hashlib.sha1(script.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return root
    print(
        f"writing a {size}-article corpus in {root.relative_to(REPO)} ...",
        file=sys.stderr,
        flush=True,
    )
    subprocess.run(
        [sys.executable, str(script), str(size), "--out", str(CORPUS_OUT), "--tools", "sitegen"],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(digest + "\n")
    return root


def with_settings(original: str, search: bool, related: int) -> str:
    """The corpus's site.yaml with its `search:` and `related:` lines replaced."""
    kept = [line for line in original.splitlines() if not _SETTING_LINE.match(line)]
    return "\n".join([*kept, f"search: {'true' if search else 'false'}", f"related: {related}", ""])


def tree_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) under `folder`."""
    files = size = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


# ---------------------------------------------------------------------------------------------
# 1. Build time


def cold_build(site: Path, jobs: int | None) -> dict[str, Any]:
    """One cold build in its own process: wall seconds plus sitegen_build.py's JSON line."""
    shutil.rmtree(site / "build", ignore_errors=True)
    shutil.rmtree(site / ".sitegen", ignore_errors=True)
    command = [sys.executable, str(HERE / "sitegen_build.py"), str(site)]
    if jobs is not None:
        command.append(str(jobs))
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"build of {site} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if report.get("errors"):
        raise SystemExit(
            f"build of {site} reported {report['errors']} errors:\n{proc.stderr[-3000:]}"
        )
    files, size = tree_size(site / "build")
    return {"seconds": seconds, "output_files": files, "output_bytes": size, **report}


def build_times(site: Path, repeat: int, related_limit: int, jobs: int | None) -> dict[str, list]:
    """`repeat` rounds of the four variants, interleaved; (a) runs last in the final round."""
    names = list(VARIANTS)
    runs: dict[str, list] = {name: [] for name in names}
    config = site / "site.yaml"
    original = config.read_text(encoding="utf-8")
    base = [*names[1:], names[0]]  # "both on" last
    try:
        for r in range(repeat):
            shift = (repeat - 1 - r) % len(base)
            order = base[shift:] + base[:shift]
            for name in order:
                search, related = VARIANTS[name]
                config.write_text(
                    with_settings(original, search, related_limit if related else 0),
                    encoding="utf-8",
                )
                run = cold_build(site, jobs)
                runs[name].append(run)
                print(
                    f"  round {r + 1}/{repeat} {name:11} {run['seconds']:7.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        config.write_text(original, encoding="utf-8")
    return runs


# ---------------------------------------------------------------------------------------------
# 2. The index on disk


def load_script(path: Path) -> list[Any]:
    """The arguments of one index file, `sitegenSearch.<kind>(args...);`."""
    m = _SCRIPT.match(path.read_text(encoding="utf-8"))
    if not m:
        raise ValueError(f"not a search index file: {path}")
    return json.loads(f"[{m.group(2)}]")


def index_parts(search_dir: Path) -> dict[str, dict[str, int]]:
    parts = {
        "manifest": [search_dir / "manifest.js"],
        "shards": sorted((search_dir / "s").glob("*.js")),
        "documents": sorted((search_dir / "d").glob("*.js")),
    }
    out = {
        name: {"files": len(paths), "bytes": sum(p.stat().st_size for p in paths)}
        for name, paths in parts.items()
    }
    out["total"] = {
        "files": sum(v["files"] for v in out.values()),
        "bytes": sum(v["bytes"] for v in out.values()),
    }
    return out


class Index:
    """The built index, read back: document frequency of each term, and search.js's plan()."""

    def __init__(self, search_dir: Path) -> None:
        manifest = load_script(search_dir / "manifest.js")[0]
        self.firsts: list[str] = manifest["shards"]
        self.number = {name: i for i, name in enumerate(manifest["files"])}  # file -> shard
        self.docs: int = manifest["docs"]
        self.stop = set(manifest["stopwords"])
        self.df: dict[str, int] = {}
        self.shard_of_term: dict[str, int] = {}
        for path in (search_dir / "s").glob("*.js"):
            name, shard = load_script(path)
            number = self.number[name]
            for term, flat in shard.items():
                self.df[term] = len(flat) // 2
                self.shard_of_term[term] = number
        self.first_doc = load_script(search_dir / "d" / "0.js")[1]

    def shard_of(self, term: str) -> int:
        """The last shard starting at or before `term` (shardOf() in search.js)."""
        return max(0, bisect.bisect_right(self.firsts, _sort_key(term), key=_sort_key) - 1)

    def needed_shards(self, query: str) -> set[int]:
        """The shards search.js loads for `query` typed as is (last word a prefix while typing)."""
        words = [w for w in terms(query) if w not in self.stop]
        typing = not query.endswith((" ", "\t", "\n"))
        needed: set[int] = set()
        for i, word in enumerate(words):
            first = last = self.shard_of(word)
            if typing and i == len(words) - 1 and len(word) > 1:
                last = self.shard_of(word + "\uffff")
                if last - first >= MAX_PREFIX_SHARDS:
                    last = first
            needed.update(range(first, last + 1))
        return needed

    def pick_queries(self) -> dict[str, str]:
        """A common word, the rarest term, and two words of the oldest article's title."""
        words = [t for t in self.df if t.isalpha() and t not in self.stop]
        common = min(words, key=lambda t: (-self.df[t], t))
        rare_words = sorted(words, key=lambda t: (self.df[t], t))
        rare = rare_words[0]
        if self.df[rare] > max(1, self.docs // 100):  # no rare word: take any rare term (a number)
            rare = min(self.df, key=lambda t: (self.df[t], t))
        title = [t for t in terms(self.first_doc["t"]) if t not in self.stop and t in self.df]
        pair = [title[0], next((t for t in title[1:] if t != title[0]), rare_words[-1])]
        return {"common word": common, "rare term": rare, "two words": " ".join(pair)}


# ---------------------------------------------------------------------------------------------
# 3. Bytes downloaded for one query


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) from a thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _kind(path: str) -> str:
    if path.startswith("/search/s/"):
        return "shards"
    if path.startswith("/search/d/"):
        return "documents"
    if path == "/search/manifest.js":
        return "manifest"
    return "page"  # the /search/ page itself


RESULTS_SHOWN = """q => {
  const status = document.getElementById('search-status').textContent;
  if (!status.includes('\\u201c' + q + '\\u201d')) return false;
  return /No articles match/.test(status) ||
    document.querySelectorAll('#search-results li').length > 0;
}"""


def query_cost(browser: Any, base: str, build: Path, index: Index, query: str) -> dict[str, Any]:
    """Type `query` on a fresh /search/ page; what was downloaded under /search/ until the
    results were on screen."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context()
    page = context.new_page()
    responses: list[Any] = []
    pending: set[Any] = set()
    problems: list[str] = []
    page.on("request", lambda r: pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: (pending.discard(r), problems.append(f"failed: {r.url}")))
    page.on(
        "response",
        lambda r: responses.append(r) if urlsplit(r.url).path.startswith("/search/") else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    try:
        page.goto(base + "search/")
        page.wait_for_function(
            "document.querySelector('form.search-ready') && "
            "!/Loading/.test(document.getElementById('search-status').textContent)",
            timeout=30_000,
        )
        started = time.perf_counter()
        page.locator("#search-input").press_sequentially(query, delay=30)
        page.wait_for_function(RESULTS_SHOWN, arg=query.strip(), timeout=30_000)
        shown_after = time.perf_counter() - started
        deadline = time.perf_counter() + 10
        while pending and time.perf_counter() < deadline:  # late loads (a superseded search's)
            page.wait_for_timeout(50)
        status = page.locator("#search-status").inner_text()
        shown = page.locator("#search-results li").count()
        by_kind: dict[str, dict[str, int]] = {}
        files: list[str] = []
        for response in responses:
            path = unquote(urlsplit(response.url).path)
            file = build / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
            on_disk = file.stat().st_size if file.is_file() else None
            if response.status >= 400:
                problems.append(f"{response.status}: {path}")
            try:
                size = len(response.body())
            except PlaywrightError as exc:  # counted from disk instead, and said
                problems.append(f"no body for {path} ({exc.message}); size from disk")
                size = on_disk or 0
            if size != on_disk:
                problems.append(f"{path}: {size} bytes downloaded, {on_disk} on disk")
            part = by_kind.setdefault(_kind(path), {"files": 0, "bytes": 0})
            part["files"] += 1
            part["bytes"] += size
            files.append(path)
    finally:
        context.close()
    m = re.search(r"(\d+) articles? match", status)
    hits = int(m.group(1)) if m else 0
    needed = index.needed_shards(query)
    got_shards = {index.number[Path(p).stem] for p in files if p.startswith("/search/s/")}
    got_docs = sum(1 for p in files if p.startswith("/search/d/"))
    index_bytes = sum(v["bytes"] for k, v in by_kind.items() if k != "page")
    words = [w for w in terms(query) if w not in index.stop]
    return {
        "query": query,
        "df": {w: index.df.get(w, 0) for w in words},
        "hits": hits,
        "shown": shown,
        "status": status,
        "seconds_first_key_to_results": shown_after,
        "parts": by_kind,
        "files": len(files),
        "bytes": sum(v["bytes"] for v in by_kind.values()),
        "index_files": sum(v["files"] for k, v in by_kind.items() if k != "page"),
        "index_bytes": index_bytes,
        "shards_needed": sorted(needed),
        "shards_loaded": sorted(got_shards),
        "extra_shards": sorted(got_shards - needed),
        "extra_documents": max(0, got_docs - shown),
        "paths": files,
        "problems": problems,
    }


def download_costs(build: Path, index: Index, queries: dict[str, str]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, serve(build) as base:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            version = browser.version
            costs = {
                label: query_cost(browser, base, build, index, q) for label, q in queries.items()
            }
        finally:
            browser.close()
    return {"chromium": version, "queries": costs}


# ---------------------------------------------------------------------------------------------
# Report


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def measure_size(size: int, repeat: int, related_limit: int, jobs: int | None) -> dict[str, Any]:
    site = corpus_site(size)
    print(f"{size} articles: cold builds ...", file=sys.stderr, flush=True)
    runs = build_times(site, repeat, related_limit, jobs)
    build = site / "build"
    search_dir = build / "search"
    if not (search_dir / "manifest.js").is_file():
        raise SystemExit(f"no search index in {search_dir} after the 'both on' build")
    index = Index(search_dir)
    parts = index_parts(search_dir)
    queries = index.pick_queries()
    print(f"{size} articles: queries {queries} in Chromium ...", file=sys.stderr, flush=True)
    downloads = download_costs(build, index, queries)
    medians = {name: _median([r["seconds"] for r in rs]) for name, rs in runs.items()}
    phases: dict[str, dict[str, float]] = {}  # variant -> phase -> median seconds
    for name, rs in runs.items():
        keys = dict.fromkeys(k for r in rs for k in r["timings"])
        phases[name] = {k: _median([r["timings"].get(k, 0.0) for r in rs]) for k in keys}
    on = medians["both on"]
    return {
        "size": size,
        "site": str(site.relative_to(REPO)),
        "repeat": repeat,
        "related_limit": related_limit,
        "median_seconds": medians,
        "search_cost": {
            "seconds": on - medians["search off"],
            "percent": 100 * (on - medians["search off"]) / on,
        },
        "related_cost": {
            "seconds": on - medians["related off"],
            "percent": 100 * (on - medians["related off"]) / on,
        },
        "phases": phases,
        "builds": runs,
        "index": parts,
        "terms": len(index.df),
        "shards_in_manifest": len(index.firsts),
        **downloads,
    }


def markdown(result: dict[str, Any]) -> str:
    size, med, runs = result["size"], result["median_seconds"], result["builds"]
    on = med["both on"]
    lines = [
        f"### {size:,} articles (median of {result['repeat']} cold builds each, "
        f"related = {result['related_limit']})",
        "",
        "| build | search | related | cold build | vs both on | files written | build/ size |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for name, (search, related) in VARIANTS.items():
        last = runs[name][-1]
        delta = (
            ""
            if name == "both on"
            else f"{med[name] - on:+.2f} s ({100 * (med[name] - on) / on:+.1f}%)"
        )
        lines.append(
            f"| {name} | {'on' if search else 'off'} | {'on' if related else 'off'} | "
            f"{med[name]:.2f} s | {delta} | {last['written']:,} | {_kb(last['output_bytes'])} |"
        )
    sc, rc = result["search_cost"], result["related_cost"]
    lines += [
        "",
        f"Search costs **{sc['seconds']:.2f} s** ({sc['percent']:.1f}% of the build with both on); "
        f"related articles cost **{rc['seconds']:.2f} s** ({rc['percent']:.1f}%).",
        "",
        "Phases (sitegen_build.py's timings, medians; wall time also holds process start "
        "and exit):",
        "",
        "| phase | " + " | ".join(VARIANTS) + " |",
        "|---|" + "---:|" * len(VARIANTS),
    ]
    phases = result["phases"]
    for phase in phases["both on"]:
        lines.append(
            f"| {phase} | "
            + " | ".join(f"{phases[name].get(phase, 0.0):.2f} s" for name in VARIANTS)
            + " |"
        )
    lines.append("| wall | " + " | ".join(f"{med[name]:.2f} s" for name in VARIANTS) + " |")
    lines += ["", "| search index | files | bytes |", "|---|---:|---:|"]
    for name, part in result["index"].items():
        lines.append(f"| {name} | {part['files']:,} | {_kb(part['bytes'])} |")
    total = result["index"]["total"]["bytes"]
    lines += [
        "",
        f"{result['terms']:,} terms in {result['shards_in_manifest']} shards.",
        "",
        "| query | typed | hits (shown) | files | manifest | shards | documents | index bytes | "
        "share of index | + page | as planned |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, q in result["queries"].items():
        parts = q["parts"]

        def cell(kind: str, parts: dict = parts) -> str:
            p = parts.get(kind, {"files": 0, "bytes": 0})
            return f"{p['files']} / {_kb(p['bytes'])}"

        df = ", ".join(f"{w}: df {n}" for w, n in q["df"].items())
        extra = []
        if q["extra_shards"]:
            extra.append(f"{len(q['extra_shards'])} extra shards")
        if q["extra_documents"]:
            extra.append(f"{q['extra_documents']} extra docs")
        planned = "yes" if not extra else ", ".join(extra)
        lines.append(
            f"| {label} ({df}) | `{q['query']}` | {q['hits']:,} ({q['shown']}) | "
            f"{q['index_files']} | {cell('manifest')} | {cell('shards')} | "
            f"{cell('documents')} | {_kb(q['index_bytes'])} | "
            f"{100 * q['index_bytes'] / total:.2f}% | {_kb(parts.get('page', {}).get('bytes', 0))} | "
            f"{planned} |"
        )
    problems = [f"{label}: {p}" for label, q in result["queries"].items() for p in q["problems"]]
    if problems:
        lines += ["", "Problems: " + "; ".join(problems)]
    return "\n".join(lines)


def machine_line(chromium: str) -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        rev = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip()
    except OSError:
        rev = "?"
    return (
        f"machine: {os.cpu_count()} cores ({usable} usable); {platform.system()} "
        f"{platform.machine()}; Python {platform.python_version()}; sitegen {rev or '?'}; "
        f"Chromium {chromium}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000", help="comma-separated article counts (default 1000)")
    p.add_argument("--repeat", type=int, default=3, help="cold builds of each variant (default 3)")
    p.add_argument(
        "--related",
        type=int,
        default=SiteConfig.related,
        help=f"related articles per page when on (default {SiteConfig.related})",
    )
    p.add_argument(
        "--jobs", type=int, help="passed to sitegen_build.py (default: its own, one per core)"
    )
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.related < 1:
        p.error("--repeat and --related must be at least 1")
    if not Path(CHROMIUM).exists():
        p.error(f"needs {CHROMIUM} (Debian's chromium)")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        result = measure_size(size, args.repeat, args.related, args.jobs)
        results.append(result)
        print(markdown(result) + "\n", flush=True)
    machine = machine_line(results[-1]["chromium"] if results else "?")
    print(machine)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"machine": machine, "repeat": args.repeat, "results": results}, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
