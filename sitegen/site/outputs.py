"""Every file a build puts in the output folder, and who asked for it: the plan's last check.

Pages come from the plan; copies from the theme's and the site's `static/`, static files in
`content/`, page bundles, and generated files (search index, image variants). Two outputs on
one path are an error naming both sources, with two deliberate exceptions:
- the site's `static/` overrides a file of the theme's `static/` (that is how a theme is
  customised), silently;
- the site's `static/` overrides a generated file that is not a page of content (robots.txt,
  the sitemap, a feed, a search index file), with a warning, so nobody is surprised by it.
Nothing here touches the disk: it decides, the pipeline (pipeline/steps.py) acts.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.content.article import Article
from sitegen.errors import Diagnostics, SiteError
from sitegen.site.plan import PageJob, content_file, placing_key

# who a copied file comes from, in the order the user would name them
THEME, STATIC, CONTENT, BUNDLE, GENERATED = "theme", "static", "content", "bundle", "generated"
# generated pages a file of the site's own static/ may replace (with a warning)
OVERRIDABLE_PAGES = frozenset({"robots", "sitemap", "feed", "urls"})


@dataclass(frozen=True)
class Copy:
    """One copied or generated file: its source (a path, or bytes), fingerprint and origin."""

    source: Path | bytes
    fp: str
    origin: str
    label: str  # what to name in a message: a file path, or "the search index"


def _describe_page(job: PageJob) -> str:
    return f"the {job.kind} page ({job.source})" if job.kind != "article" else str(job.source)


def _describe(output: PageJob | Copy) -> str:
    return _describe_page(output) if isinstance(output, PageJob) else _describe_copy(output)


def _describe_copy(copy: Copy) -> str:
    return f"{copy.label}" if copy.origin != GENERATED else f"{copy.label}, which sitegen makes"


def merge_copies(candidates: list[tuple[str, Copy]], diag: Diagnostics) -> dict[str, Copy]:
    """Output path -> the copy that wins, given every candidate in the order they were found."""
    chosen: dict[str, Copy] = {}
    for path, copy in candidates:
        old = chosen.get(path)
        if old is None:
            chosen[path] = copy
            continue
        winner = _override(old, copy, path, diag)
        if winner is not None:
            chosen[path] = winner
    return chosen


def _override(old: Copy, new: Copy, path: str, diag: Diagnostics) -> Copy | None:
    pair = {old.origin, new.origin}
    if pair == {THEME, STATIC}:
        return old if old.origin == STATIC else new
    if old.origin == new.origin == THEME:
        return old
    if STATIC in pair and GENERATED in pair:
        mine = old if old.origin == STATIC else new
        other = new if mine is old else old
        diag.warn(
            f"static/{path} replaces the {_describe_copy(other)} sitegen makes at /{path}",
            mine.label,
            hint="remove or rename it to use sitegen's own",
        )
        return mine
    diag.error(
        SiteError(
            f"two files would be written to /{path}: {_describe_copy(old)} and "
            f"{_describe_copy(new)}",
            new.label if new.origin != GENERATED else old.label,
            hint="rename or move one of them",
        )
    )
    return None


# sitegen's own files in the output folder (its manifest) are named so: no output may be
RESERVED_PREFIX = ".sitegen"
NAME_LIMIT = 255  # bytes in one file or folder name, on every common file system


def writable_pages(pages: list[PageJob], diag: Diagnostics) -> list[PageJob]:
    """The pages that can be written: not on a name sitegen keeps for itself, and no part of
    the address longer than a file name may be. Each other one is an error naming its source,
    found before anything is written (the writer would fail on the first, in its staging
    folder); a page where another output needs a folder is `check_pages_against_copies`'s."""
    kept: list[PageJob] = []
    for job in pages:
        reserved = job.path.startswith(RESERVED_PREFIX)
        if not reserved and len(job.path.encode()) <= NAME_LIMIT:  # no part can be too long
            kept.append(job)
            continue
        longest = max(job.path.split("/"), key=lambda part: len(part.encode()))
        if reserved:
            problem = f"/{job.path} is a name sitegen keeps for its own files"
        elif len(longest.encode()) > NAME_LIMIT:
            problem = (
                f"the address {job.url} has a part of {len(longest.encode())} bytes; file "
                f"systems allow {NAME_LIMIT}"
            )
        else:
            kept.append(job)
            continue
        diag.error(
            SiteError(
                problem,
                content_file(job),
                hint="change the page's address (a shorter slug or url:, another alias)",
            )
        )
    return kept


def check_pages_against_copies(
    pages: list[PageJob],
    copies: dict[str, Copy],
    diag: Diagnostics,
    articles: Sequence[Article] = (),
) -> tuple[dict[str, Copy], set[str]]:
    """Copies that may be written beside the pages: a copy on a page's path is an error, except
    a file of the site's static/ over an overridable generated page (then the page goes); and
    the paths of pages that cannot be written, where another output needs a folder. The
    `articles` tell which front matter line placed a page (for the error)."""
    kept = dict(copies)
    by_source: dict[str, Article] | None = None  # made at the first collision: most have none
    for job in pages:
        copy = kept.get(job.path)
        if copy is None:
            continue
        if copy.origin == STATIC and job.kind in OVERRIDABLE_PAGES:
            diag.warn(
                f"static/{job.path} replaces the {job.kind} page sitegen makes at /{job.path}",
                copy.label,
                hint="remove or rename it to use sitegen's own",
            )
            continue
        if by_source is None:
            by_source = {a.source: a for a in articles}
        at = placing_key(job, by_source)
        page = _describe_page(job)
        if copy.origin != GENERATED:  # said at the file; the page by the key that placed it
            where, line = copy.label, None
            page += f" ({at[0]}: at line {at[1]})" if at else ""
        else:
            where, line = (content_file(job), at[1]) if at else (job.source, None)
        diag.error(
            SiteError(
                f"two files would be written to /{job.path}: {_describe_copy(copy)} and {page}",
                where,
                line,
                hint="rename or move the file, or change the page's URL (slug, url, permalink)",
            )
        )
        del kept[job.path]
    return kept, _check_file_against_folder(pages, kept, diag, articles)


def _check_file_against_folder(
    pages: list[PageJob], copies: dict[str, Copy], diag: Diagnostics, articles: Sequence[Article]
) -> set[str]:
    """A file whose path is a folder another output needs (`a.png` and `a.png/index.html`,
    a page `/robots.txt` and an alias `/robots.txt/`): an error; such a copy leaves `copies`,
    and the paths of such pages are returned (they are not written)."""
    # folder -> the first output inside it (described only for an error: most sites have none)
    owners: dict[str, PageJob | Copy] = {}
    for path, output in itertools.chain(((job.path, job) for job in pages), copies.items()):
        # a folder already known has its parents known too: most outputs stop at the first
        folder = path.rpartition("/")[0]
        while folder and folder not in owners:
            owners[folder] = output
            folder = folder.rpartition("/")[0]
    by_source: dict[str, Article] | None = None  # made at the first error: most sites have none
    for path, copy in list(copies.items()):
        if path in owners:
            owner = owners[path]
            where, line = copy.label if copy.origin != GENERATED else None, None
            if where is None and isinstance(owner, PageJob):  # the page's side: it can move
                by_source = by_source if by_source is not None else {a.source: a for a in articles}
                at = placing_key(owner, by_source)
                where, line = content_file(owner), at[1] if at else None
            diag.error(
                SiteError(
                    f"/{path} would be both a file ({_describe_copy(copy)}) and a folder "
                    f"(for {_describe(owner)})",
                    where,
                    line,
                    hint="rename or move one of them",
                )
            )
            del copies[path]
    unwritable = set()
    for job in pages:
        owner = owners.get(job.path)
        if owner is None:
            continue
        diag.error(
            SiteError(
                f"/{job.path} would be both a file ({_describe_page(job)}) and a folder "
                f"(for {_describe(owner)})",
                (content_file(owner) if isinstance(owner, PageJob) else None) or content_file(job),
                hint="change one of the addresses (slug, url:, aliases)",
            )
        )
        unwritable.add(job.path)
    return unwritable


def pages_without(
    pages: list[PageJob], copies: dict[str, Copy], unwritable: set[str]
) -> list[PageJob]:
    """The pages left once a static file has replaced an overridable one, and without those
    that cannot be written."""
    return [
        job
        for job in pages
        if job.path not in unwritable
        and not (job.path in copies and copies[job.path].origin == STATIC)
    ]


def as_sources(copies: dict[str, Copy]) -> dict[str, tuple[Any, str]]:
    return {path: (c.source, c.fp) for path, c in copies.items()}
