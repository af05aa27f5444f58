"""Related articles by content similarity: Site articles -> {article.rel: [related rels]}. Pure.

Called by plan.py; the related lists end up in each article page's context, so an article that
changes re-renders every page whose related list changes (incremental builds stay correct).

TF-IDF cosine over title, tags and body, made cheap enough for 10,000+ articles in pure Python:
each article keeps only its `TERMS_PER_DOC` strongest terms (a sparse, normalised vector), an
inverted index maps each term to the articles weighting it most (`POSTINGS_PER_TERM`), the
articles sharing most strong terms with an article are counted (in C, by Counter) and only the
best `CANDIDATES` of them get an exact cosine. That is O(articles x terms x postings) with small
constants, never the O(n^2) all-pairs product.
Ties are broken by listing order, so the result is deterministic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from pathlib import Path

from sitegen.content.article import Article
from sitegen.fsutil import atomic_write

RELATED_VERSION = "2"  # bump when the algorithm changes: invalidates the cached lists
TERMS_PER_DOC = 24  # strongest terms kept per article
POSTINGS_PER_TERM = 50  # articles kept per term (those weighting it most)
TITLE_WEIGHT = 3  # a title or tag word counts like this many body words
CANDIDATES = 30  # articles sharing most strong terms, scored exactly
MIN_SCORE = 0.15  # below this cosine two articles share little more than common words

_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can cannot could did do does doing don down during each few for from
further had has have having he her here hers herself him himself his how if in into is it its
itself me more most my myself no nor not of off on once only or other ought our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves said says say just like one two three
new many much may might us via per get got make made even still yet however since within without
around among across according told isn wasn aren weren doesn didn won wouldn shouldn couldn ll ve re
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_TOKEN = re.compile(r"[^\W\d_][^\W_]+")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MARKUP = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>\n]+>")  # link targets, URLs, HTML tags


def terms_of(text: str) -> list[str]:
    """Content words of `text`: lowercased words of 2+ characters without stopwords; runs of
    CJK characters (written without spaces) become overlapping character pairs."""
    if "](" in text or "://" in text or "<" in text:
        text = _MARKUP.sub(" ", text)
    tokens = _TOKEN.findall(text.lower())
    if text.isascii() or not _CJK_RUN.search(text):
        return [t for t in tokens if t not in STOPWORDS]
    words = []
    for token in tokens:
        if token in STOPWORDS:
            continue
        if not _CJK_RUN.search(token):
            words.append(token)
            continue
        for run in _CJK_RUN.findall(token):
            words.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return words


def _vector(article: Article) -> Counter:
    counts = Counter(terms_of(article.body))
    for word in terms_of(article.title):
        counts[word] += TITLE_WEIGHT
    for tag in article.tags:
        counts["#" + " ".join(tag.casefold().split())] += TITLE_WEIGHT  # a tag as one term
        for word in terms_of(tag):
            counts[word] += TITLE_WEIGHT
    return counts


def _vector_key(article: Article) -> str:
    """What an article's term counts depend on."""
    return "\0".join((article.content_hash, article.title, *article.tags))


TermTable = dict[str, tuple[str, str, tuple[int, ...]]]  # rel -> (key, terms, their counts)


def pack_counts(counts: dict[str, int]) -> tuple[str, tuple[int, ...]]:
    """Term counts in a compact form to keep between builds: one string and a tuple of ints
    (a dict per article would cost ~20 KB each in memory)."""
    return "\n".join(counts), tuple(counts.values())


def unpack_counts(terms: str, values: tuple[int, ...]) -> Counter:
    # the order is the dict's (first occurrence in the text), so weight ties break alike
    return Counter(dict(zip(terms.split("\n"), values, strict=True))) if terms else Counter()


def term_counts(
    articles: Sequence[Article], known: TermTable | None = None
) -> tuple[list[Counter], TermTable]:
    """Each article's term counts, taken from `known` (the last build's table) where the
    article is unchanged; and the table to keep for the next build."""
    known = known or {}
    counts: list[Counter] = []
    table: TermTable = {}
    for a in articles:
        key = _vector_key(a)
        entry = known.get(a.rel)
        if entry is not None and entry[0] == key:
            c = unpack_counts(entry[1], entry[2])
            table[a.rel] = entry
        else:
            c = _vector(a)
            table[a.rel] = (key, *pack_counts(c))
        counts.append(c)
    return counts, table


def related_articles(
    articles: Sequence[Article], limit: int, counts: list[Counter] | None = None
) -> dict[str, list[str]]:
    """Up to `limit` most similar articles (same language) for each article, best first."""
    if limit <= 0 or len(articles) < 2:
        return {}
    if counts is None:
        counts = [_vector(a) for a in articles]
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(articles)
    idf = {
        t: math.log(1 + n / f) for t, f in df.items() if f > 1
    }  # a term in one article links nothing

    log = math.log
    vectors: list[dict[str, float]] = []
    postings: dict[str, list[tuple[float, int]]] = {}
    for doc, c in enumerate(counts):
        weighted = [(t, (1.0 + log(tf)) * idf[t]) for t, tf in c.items() if t in idf]
        # stable C sort: equal weights keep text order, so the choice is deterministic
        top = sorted(weighted, key=itemgetter(1), reverse=True)[:TERMS_PER_DOC]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vectors.append({t: w / norm for t, w in top})
        for t, w in top:
            postings.setdefault(t, []).append((w, doc))
    ids: dict[str, list[int]] = {}
    for t, plist in postings.items():
        if len(plist) > POSTINGS_PER_TERM:
            plist.sort(key=lambda wd: (-wd[0], wd[1]))
            del plist[POSTINGS_PER_TERM:]
        ids[t] = [doc for _, doc in plist]

    langs = [a.lang for a in articles]
    shortlist = max(CANDIDATES, 4 * limit)
    result: dict[str, list[str]] = {}
    for doc, vector in enumerate(vectors):
        # Candidates sharing the most strong terms (counted in C by Counter), then exact cosine.
        shared = Counter(chain.from_iterable(ids[t] for t in vector))
        shared.pop(doc, None)
        if not shared:
            continue
        # most_common(n) is heapq.nlargest: the same as a stable sort then [:n] (equal counts
        # keep first-seen order, deterministic), without sorting every candidate
        ranked = shared.most_common(shortlist)
        lang = langs[doc]
        scored = []
        for other, _ in ranked:
            if langs[other] != lang:
                continue
            theirs = vectors[other]
            score = sum(vector[t] * theirs[t] for t in vector.keys() & theirs.keys())
            if score >= MIN_SCORE:
                scored.append((-round(score, 9), other))
        scored.sort()
        if scored:
            result[articles[doc].rel] = [articles[other].rel for _, other in scored[:limit]]
    return result


def cached_related_articles(
    articles: Sequence[Article], limit: int, cache_dir: Path | None
) -> dict[str, list[str]]:
    """related_articles(), kept in `cache_dir` under a hash of all it depends on (each article's
    path, file hash and language): an unchanged site skips the work, any edit redoes it all."""
    if cache_dir is None or limit <= 0 or len(articles) < 2:
        return related_articles(articles, limit)
    digest = hashlib.sha1(f"{RELATED_VERSION}:{limit}".encode())
    for a in articles:
        digest.update(f"\0{a.rel}\0{a.content_hash}\0{a.lang}".encode())
    key = digest.hexdigest()
    path = cache_dir / "related.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("key") == key:
            return data["related"]
    except (OSError, ValueError):
        pass
    # each article's term counts are kept too: after an edit only that article is re-read
    terms_path = cache_dir / "related-terms.marshal"
    try:
        known = marshal.loads(terms_path.read_bytes())
        if not isinstance(known, dict) or known.get("version") != RELATED_VERSION:
            known = {}
    except (OSError, ValueError, EOFError, TypeError):
        known = {}
    counts, table = term_counts(articles, known.get("terms"))
    result = related_articles(articles, limit, counts)
    with contextlib.suppress(OSError):  # a read-only cache folder only costs time
        atomic_write(path, json.dumps({"key": key, "related": result}).encode())
        atomic_write(terms_path, marshal.dumps({"version": RELATED_VERSION, "terms": table}))
    return result
