"""The whole of `sitegen check` on one output folder: map pages to content, check the output,
and (only with `external`) fetch the external links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitegen.check.external import check_external
from sitegen.check.links import CheckReport, check_output
from sitegen.check.sources import source_map
from sitegen.config import SiteConfig
from sitegen.errors import SiteError


def check_site(
    config: SiteConfig,
    output: Path,
    drafts: bool = False,
    future: bool = False,
    external: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check `output` (a build of `config` made with `drafts`/`future`); never raises for
    what it finds: the report lists it."""
    if not output.is_dir():
        raise SiteError(
            f"no output folder {output} to check",
            hint="run `sitegen build` first, or `sitegen check` without --no-build",
        )
    report = check_output(config, output, source_map(config, drafts, future), progress)
    if external and report.external:
        for url, (status, why) in check_external(report.external).items():
            if status is None or status >= 400:
                answer = f"status {status}" if status else why
                page = report.external[url]
                report.problems.append(SiteError(f"external link {url} on {page}: {answer}"))
    return report
