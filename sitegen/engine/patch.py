"""The preview's short way to a plan when only article bodies changed.

Between two builds in one process (the preview keeps the last plan: engine/state.py), an edit
that changes what an article says but nothing that another page shows of it (its title, date,
summary, tags, address, picture, place in the listings: everything but the fields of
`BODY_FIELDS`) leaves the plan as it was except for:
- the pages of the edited articles (their contexts carry the body's hash, words, references);
- the feeds listing them (each entry carries its body's hash);
- the article pages whose related lists changed with the new words;
- the search files (new bytes, and new files, where words came or went).
`patched_plan` makes those parts again with the functions the full plan makes them with, and
takes every other page from the last plan as it was (the same objects, so their fingerprints
are known without hashing). When anything else may have changed (an article more or less,
another title or date, a setting, template or copied file, a new search file on another
output's path, a plan that reported something), it returns None and the build plans in full. The incremental tests
hold both ways to the same output and the same contexts through chains of edits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.content.article import Article
from sitegen.plan import BuildPlan, Source, SourceFile
from sitegen.render.localize import add_reference_fingerprints
from sitegen.site.feeds import with_new_bodies
from sitegen.site.model import Site
from sitegen.site.plan import ArticlePages, Listings, PageJob, own_page_links

# what only an article's own page, the feeds showing it, the related lists and the search index
# read of an article (site/plan.py, site/feeds.py, render/localize.py)
BODY_FIELDS = ("body_utf8", "content_hash", "words", "images", "links")


@dataclass(frozen=True)
class PlanBasis:
    """What a plan was made from besides the site, kept with the preview's last plan so that
    the next build can tell whether only bodies changed."""

    output_fp: str  # settings, templates and theme files (engine/cache.py)
    files: tuple[SourceFile, ...]  # the files copied as they are
    stamps: Mapping[Path, str]  # their sizes and modification times
    unpublished: frozenset[str]  # drafts and future articles, by content path
    search: Mapping[str, str]  # each search file's path -> fingerprint
    related: Mapping[str, Sequence[str]] | None = None  # known once they are worked out
    quiet: bool = False  # the plan reported no error or warning

    def same_inputs(self, other: PlanBasis) -> bool:
        """Everything but the related lists and the search files is as in `other`."""
        return (
            self.output_fp == other.output_fp
            and self.files == other.files
            and self.stamps == other.stamps
            and self.unpublished == other.unpublished
        )


def body_edits(last: Site, site: Site) -> dict[str, Article] | None:
    """The articles of `site` whose bodies alone differ from their versions in `last`, by
    content path; None when anything else differs (an article more or less, or another
    version of a field that other pages show)."""
    if len(last.pages) != len(site.pages) or len(last.listed) != len(site.listed):
        return None
    edited: dict[str, Article] = {}
    for old, new in zip(last.pages, site.pages, strict=True):
        if old is new:  # the loader hands back the same object for an unchanged file
            continue
        if old.rel != new.rel or old.meta != new.meta:  # `meta` is left out of ==
            return None
        if dataclasses.replace(new, **{name: getattr(old, name) for name in BODY_FIELDS}) != old:
            return None
        edited[new.rel] = new
    if [a.rel for a in last.listed] != [a.rel for a in site.listed]:
        return None
    return edited


def patched_plan(
    last_site: Site,
    last_plan: BuildPlan,
    last_basis: PlanBasis,
    site: Site,
    basis: PlanBasis,
    search: Mapping[str, tuple[Source, str]],
) -> BuildPlan | None:
    """The plan `plan.plan_build` would make for `site` and `basis` (with the `search` files),
    made from the last plan when only article bodies changed since; None otherwise."""
    if not last_basis.quiet or last_plan.problems or not basis.same_inputs(last_basis):
        return None
    # every search file was the search index's in the last plan, not a file over its path
    if any(last_plan.copies.get(p, (None, ""))[1] != fp for p, fp in last_basis.search.items()):
        return None
    edited = body_edits(last_site, site)
    if edited is None:
        return None
    related, old_related = basis.related or {}, last_basis.related or {}
    relisted = {
        rel
        for rel in related.keys() | old_related.keys()
        if related.get(rel) != old_related.get(rel)
    }
    by_rel = {a.rel: a for a in site.pages}
    pages = ArticlePages(site, Listings(last_plan.views, [], own_page_links(site)), related)
    hashes = {site.url(a): a.content_hash for a in edited.values()}
    redo: dict[int, PageJob] = {}
    for i, job in enumerate(last_plan.pages):
        if job.kind == "article":
            rel = job.bodies[0]
            if rel in edited or rel in relisted:
                redo[i] = pages.job(by_rel[rel])
        elif job.kind == "feed":
            context = with_new_bodies(job.context, hashes)
            if context is not job.context:  # its references are worked out again below
                context = {key: value for key, value in context.items() if key != "references"}
                redo[i] = dataclasses.replace(job, context=context)
        elif not edited.keys().isdisjoint(job.bodies):
            return None  # a page of another kind showing a body: the full plan knows it
    # search files come and go with words (their names are their contents' digests): a new
    # one must be on no other output's path, as the full plan's collision rules would have it
    copies = dict(last_plan.copies)
    gone = last_basis.search.keys() - search.keys()
    new = search.keys() - last_basis.search.keys()
    if new:
        taken = {job.path for job in last_plan.pages} | (copies.keys() - gone)
        if any(_clashes(path, taken) for path in new):
            return None
    for path in gone:
        del copies[path]
    copies.update(search)
    files = last_plan.targets.files
    if new or gone:
        files = (files - {"/" + p for p in gone}) | {"/" + p for p in new}
    targets = dataclasses.replace(last_plan.targets, files=files, missing=[])
    shown = {rel for job in redo.values() for rel in job.bodies}
    jobs, problems = add_reference_fingerprints(
        list(redo.values()), [by_rel[rel] for rel in shown], targets
    )
    if problems:
        return None
    new_pages = list(last_plan.pages)
    for i, job in zip(redo, jobs, strict=True):
        if job.path != new_pages[i].path:
            return None
        new_pages[i] = job
    return dataclasses.replace(last_plan, pages=tuple(new_pages), copies=copies, targets=targets)


def _clashes(path: str, taken: set[str]) -> bool:
    """`path` is another output's, a folder of it is a file, or it is a folder of another."""
    if path in taken:
        return True
    parts = path.split("/")
    if any("/".join(parts[:i]) in taken for i in range(1, len(parts))):
        return True
    below = path + "/"
    return any(other.startswith(below) for other in taken)
