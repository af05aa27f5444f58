"""What a build is asked to do and what it did: `BuildRequest`, `BuildResult`, and the build's
idea of now. Light on purpose: `sitegen/build.py` checks whether anything changed with these
alone, before the pipeline (steps.py) and its libraries are imported."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.config import SiteConfig
from sitegen.errors import BuildCancelled, Diagnostics

if TYPE_CHECKING:
    from sitegen.engine.executor import Parallelism


@dataclass
class BuildResult:
    articles: int = 0
    pages: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    seconds: float = 0.0
    left_out: dict[str, int] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    output: Path | None = None
    skipped_pages: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds (bench, --verbose)
    # the plan was the last one's with only what an edit reached made again (the preview:
    # engine/patch.py)
    patched: bool = False
    # pages whose fingerprints were worked out; the rest kept the last build's (engine/record.py)
    fingerprinted: int = 0
    # pages the plan made; fewer than `pages` when the rest were the last build's as they were
    # (a partial plan after an edit of bodies: plan.py `plan_edited`)
    planned: int = 0
    # the output's manifest as this build left it (path -> "SHA FP", output/writer.py
    # `manifest_entry`); None when the build wrote nothing
    files: dict[str, str] | None = None

    def mark(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now


@dataclass
class BuildRequest:
    """What to build: the settings and the flags of one `sitegen build` (or preview rebuild)."""

    config: SiteConfig
    output: Path | None = None
    drafts: bool = False
    future: bool = False
    keep_going: bool = False
    force: bool = False
    run_import: bool = True
    jobs: int = 0  # worker processes; 0: one per core, 1: everything in this process
    preview: bool = False  # `sitegen serve`: the output folder is sitegen's own, updated in place
    parallel: Parallelism | None = None  # pool thresholds (tests set them low); None: defaults
    # "local" (this machine's process pool) or a Dask scheduler, dask://HOST:PORT (cluster.py);
    # the preview always builds locally
    executor: str = "local"
    # told (phase, done, total) at each phase's start (0, 0) and as pages render; for the CLI
    progress: Callable[[str, int, int], None] | None = None
    # asked at each phase and as pages render: True calls the build off (BuildCancelled), so a
    # preview stopping mid-build does not start the phases still to come
    cancelled: Callable[[], bool] | None = None
    # when given, the build's large structures (articles, site, plan) go here instead of being
    # freed object by object as it returns: a command that exits right after skips that
    hold: list | None = None
    # the preview's batch: the files its watcher saw change since the last build (None: not
    # known, every file is looked at); see content/article.py::same_listing
    changed: frozenset[Path] | None = None
    # called before the output folder is read: the preview's may still be filling with
    # `sitegen build`'s files (output/seed.py) while this build loads and plans
    output_ready: Callable[[], None] | None = None

    def parallelism(self) -> Parallelism:
        from sitegen.engine.cluster import scheduler_address
        from sitegen.engine.executor import Parallelism

        jobs = self.jobs or self.config.jobs
        cluster = "" if self.preview else scheduler_address(self.executor)
        if self.parallel is None:
            return Parallelism(jobs=jobs, cluster=cluster)
        return dataclasses.replace(self.parallel, jobs=self.parallel.jobs or jobs, cluster=cluster)


def tell(request: BuildRequest, phase: str, done: int = 0, total: int = 0) -> None:
    if request.cancelled is not None and request.cancelled():
        raise BuildCancelled(f"the build was called off ({phase})")
    if request.progress is not None:
        request.progress(phase, done, total)


def build_now() -> dt.datetime:
    """The build's idea of now: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)
