"""The last good command-line build's record, and which pages the next one can leave alone.

A command-line build holds no plan for the next (the preview does: engine/patch.py), so an
edit would work out every page's fingerprint again although it changes few of them: a fifth of
a second at 10,000 articles, seconds at 100,000. After each good build a small record goes to
the cache folder (`BuildRecord`): the id of the manifest the output holds, a digest of what
every page's inputs share (settings, templates and theme, copied files, the pages and their
order, the search files a body names), the related lists' inputs, each content file's stat
key, and, when its plan may stand for the next (`reusable`), every page's output path. It is
kept under sitegen's code and the settings: another permalink or date format finds none.

The next build tells the content files changed, added and gone since (`files_since`, once)
and compares (`pages_to_redo`). When the output holds that manifest, all that is
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
gone) and every page is fingerprinted, as before.

Articles added since the record (a newsroom's most common build: one published, or one
scheduled for later) are followed too, when the site without them is the recorded one (the
shared digest with them left out equals the record's: no other article moved, no term was
renamed) and no link or footer may name them (`changes_since`). One not yet published (a
draft, dated in the future) shows on no page. One published is on its own page and its
redirect pages, its neighbours' pages and its other language versions' (`pages_to_redo`),
the related lists naming it, the feeds listing it, every page of each listing it is in (its
language's index, its tags and categories: with `pagination: newest` each of those pages
moves by one), the overviews of tags and categories, and the archive (`KeptPages`); every
other page keeps its fingerprint. An article the record left unpublished that is published now
with its file as it was (a scheduled article whose time came: `come_due`) is published the
same way; the record keeps the unpublished articles for that, apart from the digest.

When the record holds the pages' paths, the next build does not even plan the other pages
(`plan.plan_edited`): it plans the edited articles' pages, those whose related lists changed
or that show a changed listing view, the feeds listing an edited one, and the listing and
archive pages and redirect pages of the articles whose view changed, and takes every other
page's path and fingerprint from the manifest (pipeline/steps.py `_changes`; a manifest that
lost one of the recorded pages sends the build back to a whole plan). So does an article added
that shows on no page; one published is planned with every page (its sitemap entry, its
listings), the pages above keeping their fingerprints.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import unicodedata
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sitegen.content.article import Article, StoredBody
from sitegen.content.links import UNICODE_FORMS
from sitegen.engine.article_rows import from_row
from sitegen.engine.blobcache import read_blob, write_blob
from sitegen.engine.patch import PlanBasis, edit_kind, reached_by_views, views_in
from sitegen.engine.sourcecache import ReplacedRows, StatKey
from sitegen.errors import Diagnostics
from sitegen.site.model import Site, Term
from sitegen.site.outputs import BUNDLE
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
    # the rels of the articles it left unpublished (drafts, future, expired): one that is
    # published now without a change of its file has come due (`changes_since`)
    unpublished: frozenset[str] = frozenset()
    # the search files it wrote (output path, fingerprint): the next build's, when no
    # published article changed (`published_as_recorded`); the manifest's tells whether the
    # search index is the one this build left (`search.Untouched`)
    search: tuple[tuple[str, str], ...] = ()


def load_record(cache_dir: Path | None, key: str) -> BuildRecord | None:
    """The record kept under `key` (sitegen's code and the settings), or None."""
    data = read_blob(cache_dir / RECORD_FILE if cache_dir else None, key, Diagnostics())
    try:
        manifest, shared, related, rels, keys, pages, unpublished, search = data  # type: ignore[misc]
        if not all(isinstance(part, tuple) for part in (pages, unpublished, search)):
            return None
        keyed = dict(zip(rels, keys, strict=True))
        return BuildRecord(manifest, shared, related, keyed, pages, frozenset(unpublished), search)
    except (TypeError, ValueError):
        return None


def save_record(cache_dir: Path | None, key: str, record: BuildRecord) -> None:
    """Keep `record` for the next build (a cache folder that cannot be written costs the next
    build only time)."""
    rels = tuple(record.keys)
    keys = tuple(record.keys.values())  # in the order of `rels`
    unpublished = tuple(sorted(record.unpublished))
    data = (
        record.manifest,
        record.shared,
        record.related,
        rels,
        keys,
        record.pages,
        unpublished,
        record.search,
    )
    write_blob(cache_dir / RECORD_FILE if cache_dir else None, key, data)


@dataclass(frozen=True)
class FilesSince:
    """The content files changed, added and gone since the recorded build, by rel: worked out
    once a build (a pass over every file's stat key, 500,000 of them on a big site) for each
    question asked of the record."""

    changed: frozenset[str]  # read then and now, with another stat key
    added: frozenset[str]  # read now, not then
    gone: frozenset[str]  # read then, not now

    @property
    def touched(self) -> frozenset[str]:
        """Every file that is not as the recorded build read it (the gone aside)."""
        return self.changed | self.added


def files_since(record: BuildRecord | None, keys: Mapping[str, StatKey]) -> FilesSince | None:
    """How the content files (`keys`: each one's stat key now) differ from the `record`'s."""
    if record is None:
        return None
    was = record.keys
    # the stat keys compared in C (`map`, `compress`): a generator took a third of a second
    # at 500,000 files; a file gone compares equal here (its own key for a default)
    now = map(keys.get, was.keys(), was.values())
    return FilesSince(
        frozenset(itertools.compress(was.keys(), map(operator.ne, now, was.values()))),
        frozenset(keys.keys() - was.keys()),
        frozenset(was.keys() - keys.keys()),
    )


def published_as_recorded(
    record: BuildRecord | None, files: FilesSince | None, unpublished: Collection[str]
) -> bool:
    """Whether every article published now is one the `record`ed build published, from the
    same file, and the other way round: each content file changed, added or gone since
    (`files`) is of an article left unpublished then and now (a draft edited, a scheduled
    article added or withdrawn), and none came due or expired. The search index, made of the
    published articles alone, is then the recorded build's. `unpublished`: the rels of the
    articles this build leaves unpublished."""
    if record is None or files is None:
        return False
    was, now = record.unpublished, frozenset(unpublished)
    if not (files.gone <= was and files.changed <= was & now and files.added <= now):
        return False
    touched = files.touched
    # every other file's article: unpublished then if and only if unpublished now
    return was - files.gone - touched == now - touched


def shared_digest(
    basis: PlanBasis,
    options: tuple[bool, bool],
    site: Site,
    search: Iterable[str],
    left_out: Collection[str] = (),
    names: set[str] | None = None,
) -> str:
    """A digest of what the pages' inputs share besides the articles themselves: the settings,
    templates, theme files and sitegen's code (`basis.output_fp`), the files copied and their
    stamps, the build's options, the pages of the site in their order with their addresses,
    each language's listing order, tags and categories (names and addresses), and the paths of the search files a body or a front matter picture may point
    at (`_named`): a page's inputs include what its references resolve to, and the search
    index's shards are named by their first terms (a new word may start one), so a digest of
    all of their paths would change with many an edit and no page would be kept.

    `left_out`: rels of articles added or come due since the record, whose digest is that of
    the site without them (their pages and places left out, the terms only they have, and the
    files of page bundles only they have): equal to the record's when the rest of the site is
    as it was (`changes_since`). The articles left unpublished are in the record apart."""
    h = hashlib.sha1()

    def put(*parts: object) -> None:  # each part, then a NUL: one update for 100,000 names
        h.update("\0".join(map(str, parts)).encode() + b"\0")

    def kept(articles: Sequence[Article]) -> Iterable[Article]:
        return (a for a in articles if a.rel not in left_out) if left_out else articles

    put(basis.output_fp, *options)
    theirs = _bundle_files(site, left_out) if left_out else {}
    for f in basis.files:
        if f.origin == BUNDLE and theirs and _of_bundle(f.path, theirs):
            continue  # a file of an added article's page bundle, copied beside its page
        put(f.out_path, f.path, f.origin, basis.stamps.get(f.path, ""))
    urls = site.urls
    put("pages", *(f"{a.rel}>{urls[a.rel]}" for a in kept(site.pages)))
    put("listed", *(a.rel for a in kept(site.listed)))
    parts = [(s.lang, s.prefix, s.listed, s.tags, s.categories) for s in site.sections]
    for lang, prefix, listed, tags, categories in parts or [
        ("", "/", site.listed, site.tags, site.categories)
    ]:
        put("section", lang, prefix, *(a.rel for a in kept(listed)))
        for kind, terms in (("tags", tags), ("categories", categories)):
            held = (t for t in terms if not left_out or _held(t, listed, left_out))
            put(kind, *(f"{t.name}>{t.url}" for t in held))
    put("search", *sorted(_named(search, site, names)))
    return h.hexdigest()


def _added_bundles(site: Site, added: Collection[str]) -> dict[str, list[Article]]:
    """The page bundles (folders relative to content/) only `added` articles have, each with
    those articles (its files are copied beside the first's page; a translation shares it)."""
    bundles: dict[str, list[Article]] = {}
    for article in site.pages:
        if article.rel in added and article.bundle:
            bundles.setdefault(article.bundle, []).append(article)
    for article in site.pages:
        if article.rel not in added and article.bundle in bundles:
            del bundles[article.bundle]  # shared with an article there was (a translation)
    return bundles


def _bundle_files(site: Site, added: Collection[str]) -> dict[str, set[str]]:
    """The files of `_added_bundles`, by file name: the ends of their paths (`/story/a.png`),
    which `_of_bundle` tells a copied file by."""
    files: dict[str, set[str]] = {}
    for bundle, articles in _added_bundles(site, added).items():
        for rel in articles[0].resources:
            files.setdefault(rel.rsplit("/", 1)[-1], set()).add(f"/{bundle}/{rel}")
    return files


def _of_bundle(path: Path, files: Mapping[str, set[str]]) -> bool:
    ends = files.get(path.name)
    return ends is not None and any(path.as_posix().endswith(end) for end in ends)


def _held(term: Term, listed: Sequence[Article], left_out: Collection[str]) -> bool:
    """Whether an article not `left_out` has the term."""
    return any(listed[i].rel not in left_out for i in term.articles)


def link_names(site: Site) -> set[str]:
    """The last part, and the last two, of every address or path some article's images,
    content links or picture name (`a.md`, `a`, `pic.png`, `img/pic.png`): a superset of the
    names of what they resolve to."""
    names: set[str] = set()
    for article in site.pages:
        refs = [ref.src for ref in article.images]
        refs.extend(article.links)
        if article.image:
            refs.append(article.image)
        for ref in refs:
            parts = unquote(ref.split("#")[0].split("?")[0]).rstrip("/").rsplit("/", 2)
            names.add(parts[-1])
            if len(parts) > 1:
                names.add(f"{parts[-2]}/{parts[-1]}")
    # a name in either Unicode form: `links.resolve` finds a file named in the other
    names.update(
        unicodedata.normalize(form, name)
        for name in [n for n in names if not n.isascii()]
        for form in UNICODE_FORMS
    )
    return names


def _named(paths: Iterable[str], site: Site, names: set[str] | None = None) -> list[str]:
    """The `paths` whose file name some article's images, content links or picture end in (a
    superset of those they resolve to: telling which do takes the link targets); `names`: the
    site's `link_names`, when worked out already."""
    names = link_names(site) if names is None else names
    return [path for path in paths if path.rsplit("/", 1)[-1] in names]


def added_since(record: BuildRecord | None, files: FilesSince | None) -> frozenset[str]:
    """The content files read now that the `record`ed build did not have, when every file it
    had is still there or was an article it left unpublished (a draft deleted, a scheduled
    article withdrawn); else none: a page gone is not a change this record follows."""
    if record is None or files is None or not files.gone <= record.unpublished:
        return frozenset()
    return files.added


@dataclass(frozen=True)
class Changes:
    """What changed since the recorded build, when only what articles say did, or articles
    were added."""

    edited: frozenset[str]  # rels of the articles that may have changed at all
    viewed: dict[str, str]  # rel -> address, of the articles whose listing view changed
    titled: frozenset[str]  # of those, the ones whose title changed
    # rels of the articles added since that have pages (listed ones: `changes_since`)
    added: frozenset[str] = frozenset()


def changes_since(
    record: BuildRecord | None,
    shared: str,
    site: Site,
    articles: Sequence[Article],
    views: Mapping[str, dict[str, Any]],
    files: FilesSince | None,
    previous: Mapping[str, tuple[StatKey, bytes, str]],
    parsed: Iterable[str],
    replaced: ReplacedRows | None = None,
    added: frozenset[str] = frozenset(),
    unpublished: frozenset[str] = frozenset(),
    names: set[str] | None = None,
) -> Changes | None:
    """The articles that changed since the `record`ed build and how (None: in another way, or
    not known). `shared`: this build's `shared_digest`, with the `added` articles (the files
    the record did not have: `added_since`) left out; `files`: the content files changed,
    added and gone since the record (`files_since`); `previous`: the article cache's rows
    this build did not take, by rel (stat key, bytes, cache file); `parsed`: the rels read
    from their files this build; `replaced`: the rows builds replaced since the record was kept (a preview's, a failed build's), in the
    same form: the recorded version is whichever of the two has the record's stat key;
    `unpublished`: the rels of the articles this build leaves unpublished; `names`: the
    site's `link_names`, when worked out already.

    An added article may be a draft or dated in the future (no page shows it), or a listed
    page that no other article's link or picture may name (`link_names`), nor a file of its
    page bundle: one whose page stands in every footer of its language, or that a link may
    have named while it was missing, sends the build back to a whole plan. So may an article
    the record left unpublished and that is published now, its file as it was (`come_due`):
    a scheduled article whose time came is published as one added. A file gone may be one of
    an article the record left unpublished that no link may name (a draft deleted)."""
    if record is None or files is None or record.shared != shared:
        return None
    gone = files.gone
    if not gone <= record.unpublished or files.added != added:
        return None  # a page gone, or files added that `added` does not name
    edited = set(files.changed)
    edited.update(rel for rel in parsed if rel in record.keys)
    due = come_due(record, unpublished) - gone
    if not due.isdisjoint(edited) or not (unpublished - added) <= record.unpublished:
        return None  # edited as it came due, or another article left out now
    new = added | due
    shown = frozenset(rel for rel in new if rel in site.urls)
    if (new or gone) and not _may_add(site, new | gone, shown, names):
        return None
    if not edited:
        return Changes(frozenset(), {}, frozenset(), shown)
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
    return Changes(frozenset(edited), viewed, frozenset(titled), shown)


def come_due(record: BuildRecord | None, unpublished: Collection[str]) -> frozenset[str]:
    """The articles the `record`ed build left unpublished that this build does not (a
    scheduled article whose time came; one deleted meanwhile is not a content file any more,
    which `changes_since` sees first)."""
    if record is None:
        return frozenset()
    return frozenset(rel for rel in record.unpublished if rel not in unpublished)


def _may_add(
    site: Site, added: frozenset[str], shown: frozenset[str], names: set[str] | None = None
) -> bool:
    """Whether articles `added` (those `shown` with pages; the others have none, or are gone)
    reach only the pages `pages_to_redo` and `KeptPages` find: none is a page of its own (in
    every footer of its language), and no article's link or picture may name one (a link that
    named a missing file resolves now, or one to a draft deleted names nothing now).
    `names`: the site's `link_names`, when worked out already."""
    names = link_names(site) if names is None else names
    for article in site.pages:
        if article.rel in shown and not article.listed:
            return False
    for rel in added:
        name = rel.rsplit("/", 1)[-1]
        folder = rel.rsplit("/", 2)[-2] if rel.count("/") else ""
        stem = name.rsplit(".", 1)[0]
        if folder and stem in ("index", "_index"):  # a bundle's: named by its folder with it
            called = {folder, f"{folder}/{name}", f"{folder}/{stem}"}
        else:
            called = {name, stem, folder}
        if rel in shown:
            called.add(site.urls[rel].rstrip("/").rsplit("/", 1)[-1])
        if not names.isdisjoint(called - {""}):
            return False
    # the files of their page bundles: a picture another article showed missing is found now
    return names.isdisjoint(_bundle_names(site, shown))


def _bundle_names(site: Site, added: Collection[str]) -> set[str]:
    """What a reference from another article to a file of an `added` article's page bundle
    ends in: the bundle's folder or the page's address, then the file (`story/shot.png`;
    a file in a folder of the bundle: that folder and the file). A name alone (`shot.png`)
    reaches only a file beside the article naming it, or in its own bundle."""
    names: set[str] = set()
    for bundle, articles in _added_bundles(site, added).items():
        homes = {bundle.rsplit("/", 1)[-1]}  # and the addresses of the pages it is beside
        homes.update(site.urls[a.rel].rstrip("/").rsplit("/", 1)[-1] for a in articles)
        for rel in articles[0].resources:
            if "/" in rel:
                names.add("/".join(rel.rsplit("/", 2)[-2:]))
            else:
                names.update(f"{home}/{rel}" for home in homes)
    return names


def pages_to_redo(
    site: Site, changes: Changes, related: Mapping[str, Sequence[str]], relisted: Iterable[str]
) -> frozenset[str]:
    """The articles whose own pages may differ from the recorded build's: the edited ones,
    those whose related lists changed (`relisted`), those showing a listing view that
    changed (`patch.reached_by_views`, as the preview's patched plan finds them), and the
    added ones with their neighbours in the listing and their other language versions."""
    redo = set(changes.edited) | set(relisted) | set(changes.added)
    if changes.viewed:
        position = {a.rel: i for i, a in enumerate(site.listed)}
        titled = [a for a in site.pages if a.rel in changes.titled] if changes.titled else []
        redo |= reached_by_views(site, position, changes.viewed.keys(), related, titled)
    if changes.added:
        listed = site.listed
        for i, article in enumerate(listed):
            if article.rel in changes.added:
                redo.update(a.rel for a in listed[max(i - 1, 0) : i + 2])
        for article in site.pages:
            if article.rel in changes.added:
                versions = site.translations.get(article.translation_key, ())
                redo.update(v.rel for v in versions)
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


# the pages an added article leaves as they were, of those holding no listing (the others
# keep theirs unless they list it: `KeptPages`)
_NOT_LISTING = frozenset({"404", "search", "robots"})


class KeptPages:
    """Which pages keep the recorded build's fingerprint (see the module docstring): called with
    a page, True when none of its inputs changed. Article pages are told once `redo` is set
    (it needs the related lists); until then, and for redirect pages and sitemaps, False.
    With articles added, every page of the listings that hold one (`_holding`), the feeds
    listing one, the overviews of tags and categories and the archive are made again."""

    def __init__(self, site: Site, changes: Changes) -> None:
        self.changes = changes
        self.edited = changes.edited
        shown = changes.edited | changes.added
        self.urls = frozenset(site.urls[rel] for rel in shown if rel in site.urls)
        self.viewed = {url: rel for rel, url in changes.viewed.items()}  # address -> rel
        self.adding = bool(changes.added)
        self.holding = _holding(site, changes.added) if changes.added else frozenset()
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
            if maker.inputs[1] in self.holding:
                return False  # each page moves on by the articles added before it
            return not viewed or not any(v.get("url") in viewed for v in maker.inputs[0])
        if job.given is not None:
            if self.adding and kind not in _NOT_LISTING:
                return False  # counts, or the archive's months
            return not views_in(job.given, viewed)
        return False


def _holding(site: Site, added: Collection[str]) -> frozenset[str]:
    """The addresses of the listings (each language's index, its tags and categories) that
    hold one of the articles `added`."""
    bases: set[str] = set()
    parts = [(s.prefix, s.listed, s.tags, s.categories) for s in site.sections]
    for prefix, listed, tags, categories in parts or [
        ("/", site.listed, site.tags, site.categories)
    ]:
        places = {i for i, a in enumerate(listed) if a.rel in added}
        if places:
            bases.add(prefix)
            bases.update(t.url for t in (*tags, *categories) if not places.isdisjoint(t.articles))
    return frozenset(bases)


class _AllBut:
    """Every article but these (the ones to redo)."""

    __slots__ = ("but",)

    def __init__(self, but: frozenset[str]) -> None:
        self.but = but

    def __contains__(self, rel: object) -> bool:
        return rel not in self.but
