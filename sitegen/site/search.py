"""Search index: Site -> {output path: bytes} under /search/, read in the browser by
themes/default/static/search.js. Pure; build.py writes the files beside the pages.

Made for static hosts and big sites: the browser loads a small manifest, then only the shards
holding the query's terms and the few documents it shows, never the whole index.

    search/manifest.js   first term of each shard, stopwords, document count, version
    search/s/<n>.js      one shard: a sorted range of terms -> postings [doc delta, score, ...]
    search/d/<id>.js     one document: title, URL, date and plain text for the excerpt

Every file is a script calling `sitegenSearch.<kind>(...)`, so pages load them with <script>
tags, which browsers allow from file:// where fetch() of local files is refused. Terms are cut
into shards by sorted range (not by prefix), so shards are evenly sized and a prefix search
("mos" for "Mosul") touches a contiguous run of them. The tokenizer below and `terms()` in
search.js must agree: lowercase, NFKD, marks removed, runs of letters/digits, CJK one per char.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import math
import re
import sys
import unicodedata
from collections import Counter
from typing import Any

from sitegen.fsutil import atomic_write
from sitegen.site.model import Site
from sitegen.site.related import pack_counts, unpack_counts
from sitegen.text.i18n import format_date
from sitegen.text.textstats import markdown_to_text

SEARCH_VERSION = "3"  # bump when the index format changes: invalidates the cached index
SHARD_BYTES = 24_000  # target size of one shard file
TEXT_LIMIT = 4_000  # characters of plain text kept per document for excerpts (~650 words)
FIELD_WEIGHT = 3  # a title or tag word counts like this many body words
K1, B = 1.2, 0.75  # BM25
SCORE_SCALE = 20  # scores are stored as small integers
STOPWORDS = (
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "in",
    "is",
    "it",
    "of",
    "on",
    "or",
    "that",
    "the",
    "to",
    "was",
    "were",
    "with",
)
_STOP = frozenset(STOPWORDS)
_TOKEN = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_HEADING = re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+", re.M)


@functools.cache
def _marks() -> re.Pattern:
    """Every combining mark (general category M), as JavaScript's /\\p{M}/u sees them."""
    ranges: list[list[int]] = []
    for cp in range(0x300, sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return re.compile(
        "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]+"
    )


def normalize(text: str) -> str:
    """Lowercase, compatibility-decomposed, without accents: 'Café' and 'cafe' search alike."""
    text = text.lower()
    if text.isascii():
        return text
    return _marks().sub("", unicodedata.normalize("NFKD", text))


def terms(text: str) -> list[str]:
    """Search terms of `text`, in order; CJK characters (no spaces between words) one by one."""
    tokens = _TOKEN.findall(normalize(text))
    if text.isascii() or not _CJK.search(text):
        return tokens
    out = []
    for token in tokens:
        if token.isascii() or not _CJK.search(token):
            out.append(token)
        else:
            out.extend(_CJK.sub(lambda m: f" {m.group()} ", token).split())
    return out


def _sort_key(term: str) -> bytes:
    return term.encode("utf-16-be")  # JavaScript compares strings by UTF-16 code units


def _json(value: Any) -> str:
    """JSON that is also safe inside a <script> file (no line separators, no `</`)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")


def _script(call: str, *args: Any) -> bytes:
    return f"sitegenSearch.{call}({','.join(_json(a) for a in args)});\n".encode()


def plain_text(markdown: str) -> str:
    return markdown_to_text(_HEADING.sub("", markdown))


DocEntry = tuple[str, str, str, tuple[int, ...], int]  # key, doc JSON, terms, counts, length


def _analyse(article, url: str, shown_date: str) -> tuple[str, dict, int]:
    """One article's part of the index: its doc JSON, term counts and body length."""
    text = plain_text(article.body)
    doc = _json(
        {"t": article.title, "u": url, "l": article.lang, "d": shown_date, "x": text[:TEXT_LIMIT]}
    )
    body = terms(text)
    count = Counter(body)
    for word in terms(" ".join((article.title, *article.tags))):
        count[word] += FIELD_WEIGHT
    for stop in _STOP.intersection(count):
        del count[stop]
    return doc, dict(count), len(body)


def search_files(
    site: Site, known: dict[str, DocEntry] | None = None, table: dict[str, DocEntry] | None = None
) -> dict[str, bytes]:
    """Every file of the search index, by output path. Articles whose entry in `known` (the
    last build's `table`) has the same key are not read again; `table` receives this build's."""
    config = site.config
    docs = site.pages
    known = known or {}
    files: dict[str, bytes] = {}
    postings: dict[str, list[int]] = {}  # term -> [doc, score, doc, score, ...]
    counts: list[dict] = []
    lengths: list[int] = []
    for doc_id, article in enumerate(docs):
        url = site.url(article)
        shown_date = (
            format_date(article.date, article.lang, config.date_format) if article.has_date else ""
        )
        key = "\0".join(
            (article.content_hash, article.title, url, article.lang, shown_date, *article.tags)
        )
        entry = known.get(article.rel)
        if entry is None or entry[0] != key:
            doc, count, length = _analyse(article, url, shown_date)
            entry = (key, doc, *pack_counts(count), length)
        else:
            count = unpack_counts(entry[2], entry[3])
        if table is not None:
            table[article.rel] = entry
        files[f"search/d/{doc_id}.js"] = f"sitegenSearch.doc({doc_id},{entry[1]});\n".encode()
        counts.append(count)
        lengths.append(entry[4])
    n = len(docs)
    average = (sum(lengths) / n) if n else 1.0
    df: Counter = Counter()
    for count in counts:
        df.update(count.keys())
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    for t in df:
        postings[t] = []
    for doc_id, count in enumerate(counts):
        norm = K1 * (1 - B + B * lengths[doc_id] / (average or 1.0))
        for t, tf in count.items():
            score = int(idf[t] * tf * (K1 + 1) / (tf + norm) * SCORE_SCALE + 0.5) or 1
            postings[t] += (doc_id, score)

    shards: list[dict[str, list[int]]] = [{}]
    firsts: list[str] = []
    size = 0
    for t in sorted(postings, key=_sort_key):
        flat = postings[t]
        flat[2::2] = [b - a for a, b in zip(flat[0:-2:2], flat[2::2], strict=True)]  # doc deltas
        cost = len(t) + 6 + 4 * len(flat)
        if size and size + cost > SHARD_BYTES:
            shards.append({})
            size = 0
        if not shards[-1]:
            firsts.append(t)
        shards[-1][t] = flat
        size += cost
    version = hashlib.sha1()
    for number, shard in enumerate(s for s in shards if s):
        data = _script("shard", number, shard)
        version.update(data)
        files[f"search/s/{number}.js"] = data
    for path in sorted(f for f in files if f.startswith("search/d/")):
        version.update(files[path])
    files["search/manifest.js"] = _script(
        "manifest",
        {
            "version": version.hexdigest()[:12],
            "docs": n,
            "shards": firsts,
            "stopwords": list(STOPWORDS),
            "fileUrls": config.file_urls,
        },
    )
    return files


def prepare_search_index(site: Site) -> None:
    """Build the index into the cache (run in a background process by build.py, so only a
    flag crosses the pipe: `search_copies` then reads the files from the cache)."""
    search_copies(site, want=False)


def search_copies(site: Site, want: bool = True) -> dict[str, tuple[bytes, str]]:
    """The index files as build.py's generated copies: output path -> (bytes, fingerprint).
    Kept in the cache folder under a hash of all they depend on, so an unchanged site skips
    the work (about 0.5 ms an article) and any change redoes it all."""
    config = site.config
    digest = hashlib.sha1(f"{SEARCH_VERSION}:{config.date_format}:{config.file_urls}".encode())
    for a in site.pages:
        digest.update(
            f"\0{a.rel}\0{a.content_hash}\0{site.url(a)}\0{a.lang}\0{a.date.isoformat()}"
            f"\0{a.has_date}".encode()
        )
    key = digest.hexdigest()
    path = config.cache_path / "search-index.marshal"
    files = None
    try:
        cached_key, cached = marshal.loads(path.read_bytes())
        if cached_key == key:
            files = cached
    except (OSError, ValueError, EOFError, TypeError):
        pass
    if files is None:
        # each article's part is kept too: after an edit only that article is read again
        terms_path = config.cache_path / "search-terms.marshal"
        try:
            version, known = marshal.loads(terms_path.read_bytes())
            if version != SEARCH_VERSION or not isinstance(known, dict):
                known = {}
        except (OSError, ValueError, EOFError, TypeError):
            known = {}
        table: dict[str, DocEntry] = {}
        files = search_files(site, known, table)
        with contextlib.suppress(OSError):  # a read-only cache folder only costs time
            atomic_write(path, marshal.dumps((key, files)))
            atomic_write(terms_path, marshal.dumps((SEARCH_VERSION, table)))
    if not want:
        return {}
    return {p: (data, hashlib.sha1(data).hexdigest()) for p, data in files.items()}
