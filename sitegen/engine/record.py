"""The last good command-line build's record, and which pages the next one can leave alone.

A command-line build holds no plan for the next (the preview does: engine/patch.py), so an
edit would work out every page's fingerprint again although it changes few of them: a fifth of
a second at 10,000 articles, seconds at 100,000. After each good build a small record goes to
the cache folder (`BuildRecord`): the id of the manifest the output holds, a digest of what
every page's inputs share (settings, templates and theme, copied files, the pages and their
order, the search files a body names), the related lists' inputs, each content file's stat
key, and, when its plan may stand for the next (`reusable`), every page's output path.

The next build compares (`pages_to_redo`). When the output holds that manifest, all that is
shared is the same, and the only content files that changed changed in what they say (their
bodies, titles, summaries, reading times: `patch.edit_kind` against their versions in the
article cache, which are the record's when the stat keys are), the pages are those of the last
build, and a page whose inputs include none of the changes keeps its fingerprint from the
manifest (`KeptPages`). The pages worked out again are the ones the preview's patched plan
makes again: the edited articles' own pages, the feeds listing them, the pages holding a
listing view that changed (listings, archive, neighbours, related lists, translations), the
articles whose related lists changed; and the redirect pages and sitemaps, always. The old
versions are the cache's rows this build did not take, or, where the preview or a failed build
read an edited file since the record, the rows they replaced (`ArticleCache.replaced`). Any
doubt (another manifest, a changed file whose old version the cache no longer has, a file
added or gone) and every page is fingerprinted, as before.

When the record holds the pages' paths, the next build does not even plan the other pages
(`plan.plan_edited`): it plans the edited articles' pages, those whose related lists changed
or that show a changed listing view, the feeds listing an edited one, and the listing and
archive pages and redirect pages of the articles whose view changed, and takes every other
page's path and fingerprint from the manifest (pipeline/steps.py `_changes`; a manifest that
lost one of the recorded pages sends the build back to a whole plan).
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.content.article import Article, StoredBody
from sitegen.engine.article_rows import from_row
from sitegen.engine.blobcache import read_blob, write_blob
from sitegen.engine.patch import PlanBasis, edit_kind, reached_by_views, views_in
from sitegen.engine.sourcecache import ReplacedRows, StatKey
from sitegen.errors import Diagnostics
from sitegen.site.model import Site
from sitegen.site.plan import ListingContext, PageJob, listing_view

RECORD_FILE = "build-record.marshal"


@dataclass(frozen=True)
class BuildRecord:
    """What the next command-line build needs to know of this one (see the module docstring)."""

    manifest: str  # the id of the manifest the output held when the build ended
    shared: str  # `shared_digest` of the build
    related: str  # the inputs digest of the related lists it used ("" without any)
    keys: dict[str, StatKey]  # content rel -> stat key of the file the build read
    # every page's output path, when the next build may plan only what a body edit reaches
    # (`reusable`); else empty
    pages: tuple[str, ...] = ()


def load_record(cache_dir: Path | None, key: str) -> BuildRecord | None:
    """The record kept under `key` (sitegen's code and the settings), or None."""
    data = read_blob(cache_dir / RECORD_FILE if cache_dir else None, key, Diagnostics())
    try:
        manifest, shared, related, rels, keys, pages = data  # type: ignore[misc]
        if not isinstance(pages, tuple):
            return None
        return BuildRecord(manifest, shared, related, dict(zip(rels, keys, strict=True)), pages)
    except (TypeError, ValueError):
        return None


def save_record(cache_dir: Path | None, key: str, record: BuildRecord) -> None:
    """Keep `record` for the next build (a cache folder that cannot be written costs the next
    build only time)."""
    rels = tuple(record.keys)
    keys = tuple(record.keys[rel] for rel in rels)
    data = (record.manifest, record.shared, record.related, rels, keys, record.pages)
    write_blob(cache_dir / RECORD_FILE if cache_dir else None, key, data)


def shared_digest(
    basis: PlanBasis, options: tuple[bool, bool], site: Site, search: Iterable[str]
) -> str:
    """A digest of what the pages' inputs share besides the articles themselves: the settings,
    templates, theme files and sitegen's code (`basis.output_fp`), the files copied and their
    stamps, the articles left unpublished, the build's options, the pages of the site in their
    order, each language's listing order, and the paths of the search files a body or a front
    matter picture may point at (`_named`): a page's inputs include what its references
    resolve to, and the search index's shards are named by their first terms (a new word may
    start one), so a digest of all of their paths would change with many an edit and no page
    would be kept."""
    h = hashlib.sha1()

    def put(*parts: object) -> None:  # each part, then a NUL: one update for 100,000 names
        h.update("\0".join(map(str, parts)).encode() + b"\0")

    put(basis.output_fp, *options)
    for f in basis.files:
        put(f.out_path, f.path, f.origin, basis.stamps.get(f.path, ""))
    put("unpublished", *sorted(basis.unpublished))
    put("pages", *(a.rel for a in site.pages))
    put("listed", *(a.rel for a in site.listed))
    for section in site.sections:
        put("section", section.lang, section.prefix, *(a.rel for a in section.listed))
    put("search", *sorted(_named(search, site)))
    return h.hexdigest()


def _named(paths: Iterable[str], site: Site) -> list[str]:
    """The `paths` whose file name some article's images, content links or picture end in (a
    superset of those they resolve to: telling which do takes the link targets)."""
    names: set[str] = set()
    for article in site.pages:
        refs = [ref.src for ref in article.images]
        refs.extend(article.links)
        if article.image:
            refs.append(article.image)
        for ref in refs:
            names.add(ref.split("#")[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    return [path for path in paths if path.rsplit("/", 1)[-1] in names]


@dataclass(frozen=True)
class Changes:
    """What changed since the recorded build, when only what articles say did."""

    edited: frozenset[str]  # rels of the articles that may have changed at all
    viewed: dict[str, str]  # rel -> address, of the articles whose listing view changed
    titled: frozenset[str]  # of those, the ones whose title changed


def changes_since(
    record: BuildRecord | None,
    shared: str,
    site: Site,
    articles: Sequence[Article],
    views: Mapping[str, dict[str, Any]],
    keys: Mapping[str, StatKey],
    previous: Mapping[str, tuple[StatKey, bytes, str]],
    parsed: Iterable[str],
    replaced: ReplacedRows | None = None,
) -> Changes | None:
    """The articles that changed since the `record`ed build and how (None: in another way, or
    not known). `keys`: each content file's stat key now; `previous`: the article cache's rows
    this build did not take, by rel (stat key, bytes, cache file); `parsed`: the rels read from
    their files this build; `replaced`: the rows builds replaced since the record was kept
    (a preview's, a failed build's), in the same form: the recorded version is whichever of
    the two has the record's stat key."""
    if record is None or record.shared != shared or record.keys.keys() != keys.keys():
        return None
    edited = {rel for rel, key in keys.items() if record.keys[rel] != key}
    edited.update(rel for rel in parsed if rel in keys)
    if not edited:
        return Changes(frozenset(), {}, frozenset())
    by_rel = {a.rel: a for a in articles if a.rel in edited}
    viewed: dict[str, str] = {}
    titled: set[str] = set()
    for rel in edited:
        row = previous.get(rel)
        if replaced is not None and (row is None or row[0] != record.keys[rel]):
            row = replaced.get(rel, row)
        new = by_rel.get(rel)
        if row is None or new is None or row[0] != record.keys[rel]:
            return None  # its version of the recorded build is not in the cache any more
        try:
            old, _ = from_row(row[1], StoredBody(row[2], rel, row[0]))
        except Exception:  # noqa: BLE001 - a row it cannot read: not known, so every page
            return None
        if edit_kind(old, new) is None:
            return None
        if rel not in site.urls:
            continue  # a draft or a future article: no page shows it
        if listing_view(old, site) != views[rel]:
            if not new.listed:
                return None  # every footer of its language names a page of its own
            viewed[rel] = site.url(new)
            if old.title != new.title:
                titled.add(rel)
    return Changes(frozenset(edited), viewed, frozenset(titled))


def pages_to_redo(
    site: Site, changes: Changes, related: Mapping[str, Sequence[str]], relisted: Iterable[str]
) -> frozenset[str]:
    """The articles whose own pages may differ from the recorded build's: the edited ones,
    those whose related lists changed (`relisted`), and those showing a listing view that
    changed (`patch.reached_by_views`, as the preview's patched plan finds them)."""
    redo = set(changes.edited) | set(relisted)
    if changes.viewed:
        position = {a.rel: i for i, a in enumerate(site.listed)}
        titled = [a for a in site.pages if a.rel in changes.titled] if changes.titled else []
        redo |= reached_by_views(site, position, changes.viewed.keys(), related, titled)
    return frozenset(redo)


def reusable(pages: Iterable[PageJob], quiet: bool) -> bool:
    """Whether the next build may plan only what an edit reaches and take every
    other page from this plan (`plan.plan_edited`): the plan reported nothing (a build that
    plans less would not report it again), no page but an article's own and the feeds shows
    a body, and no page is where a search file may come to be (search/, but for the search
    page): the next build checks its new files against the pages it plans alone."""
    if not quiet:
        return False
    for job in pages:
        if job.bodies and job.kind not in ("article", "feed"):
            return False
        path = job.path
        if path == "search" or (path.startswith("search/") and path != "search/index.html"):
            return False
    return True


class KeptPages:
    """Which pages keep the recorded build's fingerprint (see the module docstring): called with
    a page, True when none of its inputs changed. Article pages are told once `redo` is set
    (it needs the related lists); until then, and for redirect pages and sitemaps, False."""

    def __init__(self, site: Site, changes: Changes) -> None:
        self.changes = changes
        self.edited = changes.edited
        self.urls = frozenset(site.urls[rel] for rel in changes.edited if rel in site.urls)
        self.viewed = {url: rel for rel, url in changes.viewed.items()}  # address -> rel
        self.redo: frozenset[str] | None = None

    def settled(self) -> Container[str]:
        """The articles whose own pages keep their last fingerprint (none until `redo` is set):
        the plan need not gather their pages' inputs."""
        return _AllBut(self.redo) if self.redo is not None else ()

    def __call__(self, job: PageJob) -> bool:
        kind = job.kind
        if kind == "article":
            return self.redo is not None and job.bodies[0] not in self.redo
        if kind == "alias" or kind == "sitemap":
            return False
        if job.bodies and not self.edited.isdisjoint(job.bodies):
            return False
        if kind == "feed":  # each entry holds its article's view and body hash
            entries = (job.given or {}).get("feed", {}).get("entries")
            return entries is not None and not any(e.get("url") in self.urls for e in entries)
        viewed = self.viewed
        maker = job.maker
        if type(maker) is ListingContext:
            return not viewed or not any(v.get("url") in viewed for v in maker.inputs[0])
        if job.given is not None:
            return not views_in(job.given, viewed)
        return False


class _AllBut:
    """Every article but these (the ones to redo)."""

    __slots__ = ("but",)

    def __init__(self, but: frozenset[str]) -> None:
        self.but = but

    def __contains__(self, rel: object) -> bool:
        return rel not in self.but
