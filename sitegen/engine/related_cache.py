"""Related lists kept between builds: Site -> {article rel: [related rels]} for plan.py.

The I/O around site/related.py (which is pure). In the cache folder:
`related-lists.marshal`, the last lists under a digest of every input (an unchanged site reads
only this small file); `related-index.marshal`, the `RelatedIndex` that lets an edit redo
only what it reaches (and beside it what changed since it was written: engine/journal.py);
and `related-counts.sqlite`, each article's term counts as one row, read only for the
articles an edit reaches (kept in the index file, they were most of its bytes, read and
written whole on every edit). All are keyed by sitegen's code hash and the `related`
setting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sitegen.engine.blobcache import damaged, read_blob, write_blob
from sitegen.engine.cache import StoredCounts
from sitegen.engine.journal import kept_and_updated, write_kept
from sitegen.engine.keys import cache_key
from sitegen.errors import Diagnostics
from sitegen.heap import pauses_collector
from sitegen.site.model import Site
from sitegen.site.related import RelatedIndex, related_inputs, vector_keys

LISTS_FILE = "related-lists.marshal"
INDEX_FILE = "related-index.marshal"  # not a format-2 index: those held every article's counts
COUNTS_FILE = "related-counts.sqlite"


@pauses_collector
def related_lists(
    site: Site,
    cache_dir: Path | None,
    diag: Diagnostics,
    later: Callable[[Callable[[], None]], None] | None = None,
    before: list[tuple[str, dict[str, list[str]]]] | None = None,
    keep_lists: bool = True,
    keep_index: bool = True,
) -> dict[str, list[str]]:
    """Up to `related` similar articles for each article of the site (see site/related.py),
    the same as a build without caches would give. With `later`, writing the files is handed
    to it (the build does it once the lists are on their way) instead of done before return.
    With `before`, appended to it: (inputs digest, lists) of the lists kept from the last
    build that wrote them, then (inputs digest, lists) of these ("" and {} for none). With
    `keep_lists` False, only the index is written: the preview leaves the lists' file to the
    command-line builds, whose next compares its lists with those of the build it recorded
    (pipeline/steps.py). With `keep_index` False (a build that has failed already), nothing
    is written: the next build starts from the last good build's files."""
    limit = site.config.related
    articles = [a for a in site.pages if a.listed]  # an About page is nobody's related article
    tell = before.append if before is not None else _ignore
    if limit <= 0 or len(articles) < 2:
        tell(("", {}))
        tell(("", {}))
        return {}
    key = cache_key("related", limit)
    digest = hashlib.sha1(key.encode())
    keys = vector_keys(articles)
    for item in related_inputs(articles, keys):
        digest.update(item.encode())
    inputs = digest.hexdigest()
    lists_path = cache_dir / LISTS_FILE if cache_dir else None
    index_path = cache_dir / INDEX_FILE if cache_dir else None
    known = read_blob(lists_path, key, diag)
    if known is not None:
        if isinstance(known, tuple) and len(known) == 2 and isinstance(known[1], dict):
            tell(known)
            if known[0] == inputs:
                tell(known)
                return known[1]
        else:
            damaged(lists_path, diag)
            tell(("", {}))
    else:
        tell(("", {}))
    counts = StoredCounts(cache_dir / COUNTS_FILE if cache_dir else None, key, diag.warn)

    def put(fresh: dict) -> None:
        counts.put(fresh, [])

    # else the counts are held: nowhere to read them from, or (a build that has failed
    # already) the kept ones must stay the last good build's, which the next build reads
    keep = put if counts.usable and (keep_index or not _there(index_path)) else None
    try:
        index, result, journal = kept_and_updated(
            index_path,
            key,
            diag,
            RelatedIndex.from_data,
            lambda: RelatedIndex(limit),
            lambda index: index.update(articles, counts.get, keep, keys),
        )
        if keep_index:
            counts.put(index.fresh, index.dropped)
        index.fresh = {}  # kept now: not held while the index is written
    finally:
        counts.close()

    def write() -> None:
        if keep_index:
            write_kept(index_path, key, index.to_data(), journal)
        if keep_lists and keep_index:
            write_blob(lists_path, key, (inputs, result))

    (later or _now)(write)
    tell((inputs, result))
    return result


def _there(path: Path | None) -> bool:
    return path is not None and path.exists()


def _now(write: Callable[[], None]) -> None:
    write()


def _ignore(_: object) -> None:
    pass
