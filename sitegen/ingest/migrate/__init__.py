"""`sitegen migrate SOURCE DEST`: another generator's site folder -> a sitegen site.

Part of the ingest stage. Flow: detect the generator -> its reader (hugo.py, jekyll.py,
zola.py, mkdocs.py, pelican.py, astro.py, eleventy.py) fills a `SourcePlan` (plan.py) from the
source's own configuration -> articles.py reads every post as sitegen will and decides how its
old address survives -> writer.py writes DEST and `MIGRATION.md`. SOURCE is only ever read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.fsutil import is_inside, shown_path
from sitegen.ingest.migrate import astro, eleventy, hugo, jekyll, mkdocs, pelican, zola
from sitegen.ingest.migrate.articles import NO_OLD_ADDRESS, Outcome, plan_articles
from sitegen.ingest.migrate.plan import NOT_MARKDOWN, SourcePlan
from sitegen.ingest.migrate.writer import REPORT_NAME, Written, report, write_dest

# Detection order: the most specific file first (Zola and Hugo both may use config.toml).
READERS: list[tuple[str, Callable[[Path], bool], Callable[[Path], SourcePlan], str]] = [
    ("Astro", astro.detect, astro.read_site, astro.LOOKED_FOR),
    ("Eleventy", eleventy.detect, eleventy.read_site, eleventy.LOOKED_FOR),
    ("MkDocs", mkdocs.detect, mkdocs.read_site, mkdocs.LOOKED_FOR),
    ("Pelican", pelican.detect, pelican.read_site, pelican.LOOKED_FOR),
    ("Jekyll", jekyll.detect, jekyll.read_site, jekyll.LOOKED_FOR),
    ("Zola", zola.detect, zola.read_site, zola.LOOKED_FOR),
    ("Hugo", hugo.detect, hugo.read_site, hugo.LOOKED_FOR),
]


class UsageError(SiteError):
    """A wrong SOURCE or DEST: nothing was read or written (exit status 2)."""


@dataclass
class Migration:
    plan: SourcePlan
    outcomes: list[Outcome]
    written: Written
    report_path: Path

    @property
    def errors(self) -> int:
        return sum(len(o.errors) for o in self.outcomes) + len(self.written.conflicts)

    def summary(self) -> str:
        """The terminal's one line: what moved, and the counts to look up in the report."""
        kept = sum(1 for o in self.outcomes if o.how.startswith("same address"))
        redirects = sum(1 for o in self.outcomes if o.how.startswith("redirect"))
        carried = sum(1 for s in self.plan.report if s.target)
        constructs = sum(len(o.constructs) for o in self.outcomes)
        links = sum(len(o.outside_links) for o in self.outcomes)
        images = sum(len(o.missing_images) for o in self.outcomes)
        titles = sum(1 for o in self.outcomes if o.title_given)
        pages = sum(1 for o in self.outcomes if o.post.add_meta.get("listed") is False)
        unknown = sum(1 for o in self.outcomes if o.how == NO_OLD_ADDRESS)
        # posts in a markup sitegen does not read: a site of only those moves no post at all
        other = sum(1 for _, why in self.plan.left_behind if NOT_MARKDOWN in why)
        return (
            f"migrated {self.plan.generator} site: {len(self.outcomes) - pages} article(s)"
            + (f" and {pages} page(s) of their own" if pages else "")
            + " "
            f"({kept} at their old address, {redirects} with a redirect from it"
            + (f", {unknown} whose old address is not known: see MIGRATION.md" if unknown else "")
            + "), "
            f"{len(self.plan.files)} other file(s); {carried} setting(s) carried over, "
            f"{len(self.plan.report) - carried} not; {constructs} construct(s) not run; "
            f"{links} link(s) to pages not moved"
            + (" (broken_links: warn)" if links and not images else "")
            + f"; {images} image(s) not found"
            + (" (broken_links: warn)" if images else "")
            + (f"; {titles} title(s) given to posts without one" if titles else "")
            + f"; {len(self.plan.left_behind)} file(s) left behind"
            + (f" ({other} not in Markdown: convert them first)" if other else "")
            + f". Report: {self.report_path}"
        )


def detect(source: Path) -> tuple[str, Callable[[Path], SourcePlan]]:
    for name, found, read, what in READERS:
        if found(source):
            return name, _guarded(name, read, what)
    raise UsageError(
        f"{source} is not a site of a generator sitegen migrate knows",
        hint="looked for " + "; ".join(f"{name}: {what}" for name, _, _, what in READERS),
    )


def _guarded(
    name: str, read: Callable[[Path], SourcePlan], what: str
) -> Callable[[Path], SourcePlan]:
    """A reader whose surprise at a value of an unexpected type (a list where a mapping is
    usual...) becomes a message naming the configuration, not a traceback."""

    def guarded(root: Path) -> SourcePlan:
        try:
            return read(root)
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise SiteError(
                f"cannot read this {name} configuration: a setting has an unexpected value "
                f"({type(exc).__name__}: {exc})",
                root / what.split(",")[0].split(" ")[0],
                hint=f"check it with {name} itself, or report it as a sitegen bug",
            ) from None

    return guarded


def check_folders(source: Path, dest: Path) -> None:
    if not source.is_dir():
        raise UsageError(
            f"{source} is not a folder", hint="SOURCE is the other generator's site folder"
        )
    if is_inside(dest.resolve(), source.resolve()):
        raise UsageError(
            f"{dest} is inside the source folder {source}",
            hint="migrate never writes into SOURCE: pick a DEST outside it",
        )
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} is a file", hint="DEST is a folder for the new site")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / "site.yaml").is_file():
        raise UsageError(
            f"{dest} is not empty and not a sitegen site (no site.yaml)",
            hint="pick an empty or new folder for DEST",
        )


def migrate(source: Path, dest: Path) -> Migration:
    """Move the site in `source` into `dest`; raises UsageError or SiteError (bad config)."""
    check_folders(source, dest)
    _, read = detect(source)
    plan = read(source.resolve())
    outcomes = plan_articles(plan, dest.resolve())
    written = write_dest(plan, outcomes, dest)
    path = dest / REPORT_NAME
    # a file name that is not UTF-8 (copied as it is: the build names it, to be renamed)
    # shown with its bytes as \xe4, as every message shows it
    text = shown_path(report(plan, outcomes, written, dest))
    if not path.exists() or path.read_text(encoding="utf-8").startswith("# Moving "):
        path.write_text(text, encoding="utf-8")
    return Migration(plan, outcomes, written, path)
