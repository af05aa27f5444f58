"""Related lists kept between builds: Site -> {article rel: [related rels]} for plan.py.

The I/O around site/related.py (which is pure). Two files in the cache folder:
`related-lists.marshal`, the last lists under a digest of every input (an unchanged site reads
only this small file), and `related-index.marshal`, the `RelatedIndex` that lets an edit redo
only what it reaches. Both are keyed by sitegen's code hash and the `related` setting.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sitegen.engine.blobcache import damaged, read_blob, write_blob
from sitegen.engine.cache import cache_key
from sitegen.errors import Diagnostics
from sitegen.heap import pauses_collector
from sitegen.site.model import Site
from sitegen.site.related import RelatedIndex, related_inputs

LISTS_FILE = "related-lists.marshal"
INDEX_FILE = "related-index.marshal"


@pauses_collector
def related_lists(site: Site, cache_dir: Path | None, diag: Diagnostics) -> dict[str, list[str]]:
    """Up to `related` similar articles for each article of the site (see site/related.py),
    the same as a build without caches would give."""
    limit = site.config.related
    articles = site.pages
    if limit <= 0 or len(articles) < 2:
        return {}
    key = cache_key("related", limit)
    digest = hashlib.sha1(key.encode())
    for item in related_inputs(articles):
        digest.update(item.encode())
    inputs = digest.hexdigest()
    lists_path = cache_dir / LISTS_FILE if cache_dir else None
    index_path = cache_dir / INDEX_FILE if cache_dir else None
    known = read_blob(lists_path, key, diag)
    if known is not None:
        if isinstance(known, tuple) and len(known) == 2 and isinstance(known[1], dict):
            if known[0] == inputs:
                return known[1]
        else:
            damaged(lists_path, diag)
    data = read_blob(index_path, key, diag)
    result = None
    if data is not None:
        try:
            index = RelatedIndex.from_data(data)
            result = index.update(articles)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            damaged(index_path, diag)  # readable, but not an index this code made
    if result is None:
        index = RelatedIndex(limit)
        result = index.update(articles)
    write_blob(index_path, key, index.to_data())
    write_blob(lists_path, key, (inputs, result))
    return result
