"""Related articles by content similarity: Site articles -> {article.rel: [related rels]}.
No I/O of its own; the bodies of the articles it counts come through `Article.body`, which
reads an article's body from the article cache when the article does not hold it.

engine/related_cache.py keeps a `RelatedIndex` between builds and hands the lists to plan.py;
they end up in each article page's context, so an article whose list changes is rendered again.

TF-IDF cosine over title, tags and body, made cheap enough for 10,000+ articles in pure Python:
each article keeps only its `TERMS_PER_DOC` strongest terms (a sparse, normalised vector), an
inverted index maps each term to the articles weighting it most (`POSTINGS_PER_TERM`), the
articles sharing most strong terms with an article are counted (in C, by Counter) and only the
best `CANDIDATES` of them get an exact cosine. That is O(articles x terms x postings) with small
constants, never the O(n^2) all-pairs product.
Ties are broken by listing order, so the result is deterministic.

Incremental and exact: `RelatedIndex.update` recomputes only what an edit can change and gives
the same lists as a run from nothing (tests/unit/test_related.py proves it on random edit
chains). Two choices make that cheap: the inverse document frequency is quantised (to 1/16 of a
nat, from the article count rounded to a quarter octave), so one edit changes the weight of a
term only when its document frequency crosses a step; and every later stage records what it
read, so a change is followed exactly as far as it reaches:
counts -> document frequency -> weight vectors -> postings -> candidate shortlists -> lists.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain, pairwise
from operator import itemgetter

from sitegen.content.article import Article
from sitegen.text.slugs import term_key
from sitegen.text.textstats import ascii_words

TERMS_PER_DOC = 24  # strongest terms kept per article
POSTINGS_PER_TERM = 50  # articles kept per term (those weighting it most)
TITLE_WEIGHT = 3  # a title or tag word counts like this many body words
KEEP_BATCH = 1000  # counts handed to `keep` at once
CANDIDATES = 30  # articles sharing most strong terms, scored exactly
MIN_SCORE = 0.15  # below this cosine two articles share little more than common words
IDF_STEPS = 16  # inverse document frequency in steps of 1/16 nat: one edit rarely moves it
COUNT_STEPS = 4  # the article count in idf, rounded to a quarter octave

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
# a link target holds at most one level of parentheses (`photo(1).png`) and no line end: `[^)]*`
# scanned to the text's end from every `](` of a text that never closes one (quadratic)
_MARKUP = re.compile(
    r"\]\((?:[^()\n]|\([^()\n]*\))*\)|https?://\S+|<[^<>\n]+>"  # link targets, URLs, tags
)
_SHORT_OR_STOP = STOPWORDS | frozenset("abcdefghijklmnopqrstuvwxyz")


def terms_of(text: str) -> list[str]:
    """Content words of `text`: lowercased words of 2+ characters without stopwords; runs of
    CJK characters (written without spaces) become overlapping character pairs."""
    if "](" in text or "://" in text or "<" in text:
        text = _MARKUP.sub(" ", text)
    if text.isascii():  # the same words as _TOKEN finds: runs without their leading digits
        words = ascii_words(text, leading_digits=False)
        return [w for w in words if w not in _SHORT_OR_STOP]
    tokens = _TOKEN.findall(text.lower())
    if not _CJK_RUN.search(text):
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


def term_counts(text: str) -> Counter:
    """`Counter(terms_of(text))`, in the same order (first occurrence), counted before it is
    filtered: every word is counted in C, then the few distinct stopwords and one-letter words
    are dropped, instead of each of thousands of words being tested in Python."""
    if "](" in text or "://" in text or "<" in text:
        text = _MARKUP.sub(" ", text)
    if text.isascii():
        counts = Counter(ascii_words(text, leading_digits=False))
        for word in _SHORT_OR_STOP.intersection(counts):
            del counts[word]
        return counts
    if _CJK_RUN.search(text):
        return Counter(terms_of(text))
    counts = Counter(_TOKEN.findall(text.lower()))  # words of two characters or more
    for word in STOPWORDS.intersection(counts):
        del counts[word]
    return counts


def _vector(article: Article) -> Counter:
    counts = term_counts(article.body)
    for word in terms_of(article.title):
        counts[word] += TITLE_WEIGHT
    for tag in article.tags:
        counts["#" + term_key(tag)] += TITLE_WEIGHT  # a tag as one term
        for word in terms_of(tag):
            counts[word] += TITLE_WEIGHT
    return counts


def _vector_key(article: Article) -> str:
    """What an article's term counts depend on, as a digest: the index keeps one for every
    article (the text itself was most of what it keeps of each beside its vector)."""
    text = "\0".join((article.content_hash, article.title, *article.tags))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def vector_keys(articles: Sequence[Article]) -> list[str]:
    """What each article's term counts depend on, in order (worked out once per build: the
    cache digest and `RelatedIndex.update` both read them)."""
    return [_vector_key(a) for a in articles]


def related_inputs(articles: Sequence[Article], keys: Sequence[str] | None = None) -> list[str]:
    """Everything of `articles` the lists depend on, in order (for a cache digest); `keys`
    are their `vector_keys`, when known."""
    keys = vector_keys(articles) if keys is None else keys
    return [f"{a.rel}\0{key}\0{a.lang}\n" for a, key in zip(articles, keys, strict=True)]


# an article's term counts, packed: the terms as one string and the counts as 16-bit integers
Counts = tuple[str, bytes]
# {rel: key} -> {rel: its counts} for the rels whose counts were kept under that very key (the
# engine keeps them, one row per article: engine/cache.py::StoredCounts)
Stored = Callable[[dict[str, str]], dict[str, Counts]]


def none_stored(wanted: dict[str, str]) -> dict[str, Counts]:
    """A `Stored` that has kept nothing."""
    return {}


def pack_counts(counts: dict[str, int], values: array | None = None) -> Counts:
    """Term counts in a compact form to keep between builds: the terms as one string and the
    counts as 16-bit integers (a dict per article would cost ~20 KB each in memory); `values`
    are its `count_values` when the caller has them already."""
    return "\n".join(counts), (count_values(counts) if values is None else values).tobytes()


def count_values(counts: dict[str, int]) -> array:
    """The counts as 16-bit integers, in order (a count above 65,535 is held as 65,535)."""
    try:
        return array("H", counts.values())  # in C; only a rare huge count needs the clamp
    except OverflowError:
        return array("H", [min(v, 65535) for v in counts.values()])


def unpack_counts(terms: str, values: bytes) -> list[tuple[str, int]]:
    """(term, count) in the packed order (first occurrence in the text: weight ties break alike)."""
    if not terms:
        return []
    counts = array("H")
    counts.frombytes(values)
    return list(zip(terms.split("\n"), counts, strict=True))


def _ints(table: dict, key) -> array:
    """table[key] as an array of ints, made the table's entry: kept as bytes between builds
    (and grown as gaps while a new index counts), unpacked when an update touches it."""
    value = table.get(key)
    if value is None:
        value = table[key] = array("i")
    elif type(value) is bytes:
        ints = array("i")
        ints.frombytes(value)
        value = table[key] = ints
    elif type(value) is _Growing:
        value = table[key] = value.ints()
    return value


def _size(value) -> int:
    if value is None:
        return 0
    if type(value) is bytes:
        return len(value) // 4
    if type(value) is _Growing:
        return len(value.gaps) + 1
    return len(value)


# An `inverted` entry as kept between builds: its slots sorted (their order there means
# nothing), as the first and the gaps between them in the narrowest unsigned width that holds
# them all, after a header of the first (int32) and the width (a byte). A common term's gaps fit
# in a byte: about a quarter of the int32 slots it replaced, the index's largest table (180 of
# 340 MB held by an edit's update at 100,000 articles).
_PACKED_HEAD = struct.Struct("=iB")
_NUMPY_FROM = 1024  # slots: fewer are packed and unpacked without numpy (its import is slow)


def _pack_slots(value: array | _Growing) -> bytes:
    """An `inverted` entry (at least one slot) as kept (see `_PACKED_HEAD`)."""
    if type(value) is _Growing:  # ascending already, gaps in the narrowest width
        first, gaps = value.first, value.gaps
    elif len(value) < _NUMPY_FROM:
        ordered = sorted(value)
        first = ordered[0]
        steps = [b - a for a, b in pairwise(ordered)]
        top = max(steps, default=0)
        gaps = array(UNSIGNED[width_of(top)], steps)
    else:
        import numpy as np

        ordered = np.sort(np.frombuffer(value, dtype=np.int32))
        first = int(ordered[0])
        steps = np.diff(ordered)
        top = int(steps.max())
        width = width_of(top)
        return _PACKED_HEAD.pack(first, width) + steps.astype(f"=u{width}").tobytes()
    return _PACKED_HEAD.pack(first, gaps.itemsize) + gaps.tobytes()


def _slots(table: dict[str, array | bytes | _Growing], term: str) -> array:
    """`inverted[term]` as an array of ints, made the table's entry (`_ints` for a packed
    entry)."""
    value = table.get(term)
    if type(value) is not bytes:
        return _ints(table, term)
    first, width = _PACKED_HEAD.unpack_from(value)
    ints = table[term] = _summed(first, memoryview(value)[_PACKED_HEAD.size :], width)
    return ints


def _df(value: array | bytes | _Growing | None) -> int:
    """How many slots an `inverted` entry holds."""
    if type(value) is bytes:
        return (len(value) - _PACKED_HEAD.size) // value[_PACKED_HEAD.size - 1] + 1
    return _size(value)


# array typecodes of unsigned integers by width in bytes
UNSIGNED = {size: next(c for c in "BHILQ" if array(c).itemsize == size) for size in (1, 2, 4)}


def width_of(top: int, sizes: Iterable[int] = (1, 2, 4)) -> int:
    """The first of `sizes` (bytes) whose unsigned integers hold `top`."""
    return next(s for s in sizes if top < 256**s)


def appended(values: array, value: int) -> array:
    """`values` (unsigned integers in the narrowest of 1, 2 or 4 bytes that held them so far)
    with `value` (below 2**32) appended: in a wider array when theirs cannot hold it. How the
    search index and the related lists grow the gaps of a new index's lists."""
    try:
        values.append(value)
        return values
    except OverflowError:
        wider = array(UNSIGNED[width_of(value)], values)
        wider.append(value)
        return wider


class _Growing:
    """A table's entry while a new index counts, its slots appended in ascending order: the
    first and last slot and the gaps between them, in an array of the narrowest unsigned width
    that holds them so far (widened when one outgrows it). Most gaps of a common term fit in a
    byte: about 1 byte a slot where an array of ints takes 4 (the largest table of a new
    index holds one slot for each distinct term of each article). Kept between builds as the
    ints' bytes, as every entry is: an edit unpacks the few it touches at C speed."""

    __slots__ = ("first", "last", "gaps")

    def __init__(self, slot: int) -> None:
        self.first = self.last = slot
        self.gaps = array("B")

    def add(self, slot: int) -> None:
        self.gaps = appended(self.gaps, slot - self.last)
        self.last = slot

    def ints(self) -> array:
        return _summed(self.first, memoryview(self.gaps).cast("B"), self.gaps.itemsize)


def _summed(first: int, gaps: memoryview, width: int) -> array:
    """`first` and its running sums with `gaps` (bytes of unsigned integers `width` bytes
    wide), as an array of ints: by numpy for a long list, which is slow to import."""
    if len(gaps) // width < _NUMPY_FROM:
        return array("i", accumulate(gaps.cast(UNSIGNED[width]), initial=first))
    out = array("i")
    sums = running_sums(first, gaps, f"=u{width}")
    out.frombytes(sums.astype(f"=i{out.itemsize}").tobytes())
    return out


def running_sums(first: int, gaps, dtype: str):
    """`first` and its running sums with `gaps` (a buffer of unsigned integers of numpy type
    `dtype`), as a numpy int64 array: a long list's numbers from its gaps without a Python
    step each (the search index's postings and the related lists' slots). numpy is imported
    here, not at the top: most builds never need it."""
    import numpy as np

    steps = np.frombuffer(gaps, dtype=dtype)
    out = np.empty(len(steps) + 1, dtype=np.int64)
    out[0] = first
    np.cumsum(steps, out=out[1:])
    out[1:] += first
    return out


class _TfWeights(dict):
    """count -> 1 + ln(count), each worked out the first time it is asked for (articles share
    a few hundred distinct counts; a table of all 65,536 took longer than an edit's update)."""

    def __missing__(self, tf: int) -> float:
        weight = self[tf] = 1.0 + math.log(tf)
        return weight


_TF_WEIGHTS = _TfWeights()


def _count_step(n: int) -> int:
    return round(COUNT_STEPS * math.log2(n)) if n > 0 else 0


class _Idf(dict):
    """term -> integer idf weight (0: in fewer than two articles, so it links nothing), worked
    out on first use from the document frequency in `inverted`."""

    def __init__(self, inverted: dict, step: int, delta: dict[str, int] | None = None) -> None:
        super().__init__()
        self.inverted = inverted
        self.n = 2 ** (step / COUNT_STEPS)
        self.delta = delta or {}  # subtracted from the frequency: the last build's idf

    def __missing__(self, term: str) -> int:
        df = _df(self.inverted.get(term)) - self.delta.get(term, 0)
        value = round(IDF_STEPS * math.log(1 + self.n / df)) if df > 1 else 0
        self[term] = value
        return value


# strongest terms (interned: one string per term for the whole index), their raw weights as
# native doubles: 24 float objects and a string per term cost about 2.5 KB an article
Vector = tuple[tuple[str, ...], bytes]
_WEIGHT = struct.Struct("d")


class RelatedIndex:
    """Everything the related lists depend on, by stage, so that `update` can redo only what
    changed. Articles have fixed slot numbers (their order in the listing decides ties); the
    integer tables are arrays, kept as bytes between builds. `to_data`/`from_data` give the
    marshal-able form engine/related_cache.py stores."""

    # 4: weights as packed doubles; 5: `inverted` entries as gaps (`_pack_slots`); 6: keys as
    # digests (`_vector_key`)
    FORMAT = 6

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.step: int | None = None
        self.next_slot = 0
        self.slot_of: dict[str, int] = {}
        self.docs: dict[int, tuple[str, str]] = {}  # slot -> its key (`_vector_key`), language
        self.inverted: dict[str, array | bytes] = {}  # term -> slots containing it
        self.vectors: dict[int, Vector] = {}
        self.members: dict[str, array | bytes] = {}  # term -> slots whose vector has it
        self.ids: dict[str, tuple[int, ...]] = {}  # term -> its postings (best first)
        # candidates scored for each slot, as int32 bytes: 10,000 tuples of 30 ints cost 11 MB
        self.shortlists: dict[int, bytes] = {}
        self.lists: dict[int, tuple[int, ...]] = {}
        self.order: list[int] = []
        self.rescored = 0  # articles whose list was worked out by the last update (tests, bench)
        # the term counts the last update worked out (rel -> (key, counts)) and the rels it
        # dropped: the engine keeps them, one row per article; this index holds no counts
        self.fresh: dict[str, tuple[str, Counts]] = {}
        self.dropped: list[str] = []

    # -- keeping between builds --------------------------------------------------------------

    def to_data(self) -> tuple:
        # packed in place, not copied: `_slots` and `_ints` unpack an entry again when needed
        emptied = []
        for term, slots in self.inverted.items():
            if type(slots) is not bytes:
                if _df(slots):
                    self.inverted[term] = _pack_slots(slots)
                else:  # none left (the update deletes those: this is only a guard)
                    emptied.append(term)
        for term in emptied:
            del self.inverted[term]
        for term, slots in self.members.items():
            if type(slots) is not bytes:
                self.members[term] = _ints(self.members, term).tobytes()
        return (
            self.FORMAT,
            self.limit,
            self.step,
            self.next_slot,
            self.slot_of,
            self.docs,
            self.inverted,
            self.vectors,
            self.members,
            self.ids,
            self.shortlists,
            self.lists,
            array("i", self.order).tobytes(),
        )

    @classmethod
    def from_data(cls, data: tuple) -> RelatedIndex:
        """The index kept by `to_data`; ValueError if `data` is not one."""
        if not isinstance(data, tuple) or len(data) != 13 or data[0] != cls.FORMAT:
            raise ValueError("not a related-articles index")
        index = cls(data[1])
        (index.step, index.next_slot, index.slot_of, index.docs, index.inverted) = data[2:7]
        (index.vectors, index.members, index.ids, index.shortlists, index.lists) = data[7:12]
        order = array("i")
        order.frombytes(data[12])
        index.order = order.tolist()
        tables = (index.slot_of, index.docs, index.inverted, index.vectors, index.members)
        if not all(isinstance(t, dict) for t in (*tables, index.ids, index.lists)):
            raise ValueError("not a related-articles index")
        return index

    # -- the update --------------------------------------------------------------------------

    @staticmethod
    def _weights(counts: Counts, idf: dict[str, int]) -> Vector:
        terms, counts = counts
        tf_weight = _TF_WEIGHTS
        weighted = [
            (t, tf_weight[tf] * w) for t, tf in unpack_counts(terms, counts) if (w := idf[t])
        ]
        # stable C sort: equal weights keep text order, so the choice is deterministic
        top = sorted(weighted, key=itemgetter(1), reverse=True)[:TERMS_PER_DOC]
        return tuple(sys.intern(t) for t, _ in top), array("d", [w for _, w in top]).tobytes()

    def update(
        self,
        articles: Sequence[Article],
        stored: Stored | None = None,
        keep: Callable[[dict[str, tuple[str, Counts]]], None] | None = None,
        keys: Sequence[str] | None = None,
    ) -> dict[str, list[str]]:
        """The lists for `articles` (in listing order), redoing only what differs from the
        articles this index saw last; the same result as a new index would give. `stored`
        gives the counts kept from earlier updates' `fresh`: those of edited and removed
        articles are needed (which terms they held); when any is missing, all is redone.
        `keep`, when given, is handed the counts worked out, a batch at a time, to keep
        where `stored` reads them back: then they are not all held at once (a new site's are
        about 4 KB an article); what it was not handed is left in `fresh`."""
        self.rescored = 0
        self.fresh, self.dropped = {}, []
        if self.limit <= 0 or len(articles) < 2:
            return {}
        stored = stored or none_stored
        keys = vector_keys(articles) if keys is None else keys
        wanted = self._replaced(articles, keys)
        known = stored(wanted) if wanted else {}
        if len(known) < len(wanted):
            self.__init__(self.limit)  # counts lost: from nothing, to the same lists
            known = {}
        return self._update(articles, keys, stored, known, keep)

    def _replaced(self, articles: Sequence[Article], keys: Sequence[str]) -> dict[str, str]:
        """{rel: key} of the articles kept whose key changed or which are gone."""
        gone = dict.fromkeys(self.slot_of)
        out: dict[str, str] = {}
        for a, key in zip(articles, keys, strict=True):
            gone.pop(a.rel, None)
            slot = self.slot_of.get(a.rel)
            old = self.docs.get(slot) if slot is not None else None
            if old is not None and old[0] != key:
                out[a.rel] = old[0]
        for rel in gone:
            old = self.docs.get(self.slot_of[rel])
            if old is not None:
                out[rel] = old[0]
        return out

    def _update(
        self,
        articles: Sequence[Article],
        keys: Sequence[str],
        stored: Stored,
        known: dict[str, Counts],
        keep: Callable[[dict[str, tuple[str, Counts]]], None] | None,
    ) -> dict[str, list[str]]:
        pos: dict[int, int] = {}
        counts: dict[int, Counts] = {}  # slot -> counts in hand (recounted ones)
        recounted: list[int] = []  # slots with new term counts (added or edited)
        moved: set[int] = set()  # slots to follow through every stage (new, edited, language)
        delta: dict[str, int] = {}  # term -> change of its document frequency
        for i, (a, key) in enumerate(zip(articles, keys, strict=True)):
            slot = self.slot_of.get(a.rel)
            if slot is None:
                slot = self.slot_of[a.rel] = self.next_slot
                self.next_slot += 1
            if slot in pos:
                continue  # one rel twice: cannot happen for a valid site
            pos[slot] = i
            old = self.docs.get(slot)
            if old is None or old[0] != key:
                got = self._recount(slot, key, a, known.get(a.rel), delta)
                if keep is None:
                    counts[slot] = got
                elif len(self.fresh) >= KEEP_BATCH:
                    keep(self.fresh)
                    self.fresh = {}
                recounted.append(slot)
                moved.add(slot)
            elif old[1] != a.lang:
                self.docs[slot] = (key, a.lang)
                moved.add(slot)
        if keep is not None and self.fresh:
            keep(self.fresh)  # before any is read back
            self.fresh = {}
        removed = set(self.docs) - set(pos)
        rel_of = {slot: rel for rel, slot in self.slot_of.items()}
        for slot in removed:
            del self.docs[slot]
            rel = rel_of[slot]
            terms = known[rel][0]
            for t in terms.split("\n") if terms else ():
                _slots(self.inverted, t).remove(slot)
                delta[t] = delta.get(t, 0) - 1
                if not _df(self.inverted[t]):
                    del self.inverted[t]
            del self.slot_of[rel]
            self.dropped.append(rel)
        # articles that did not change keep their order among themselves, or all is redone
        new_order = sorted(pos, key=pos.__getitem__)
        kept = [s for s in self.order if s in pos and s not in moved]
        known_slots = set(kept)
        everything = kept != [s for s in new_order if s in known_slots]
        self.order = new_order

        # document frequency -> idf -> weight vectors
        step = _count_step(len(articles))
        idf = _Idf(self.inverted, step)
        if step != self.step or everything:
            revector: set[int] = set(pos)
        else:
            before = _Idf(self.inverted, step, delta)
            revector = set(recounted)
            for t in delta:
                if idf[t] != before[t] and t in self.inverted:
                    revector.update(_slots(self.inverted, t))
        self.step = step
        touched: set[str] = set()  # terms whose postings may change
        # term -> slots leaving its members, and joining them (at the end, in this order)
        leaving: dict[str, array] = {}
        joining: dict[str, array] = {}
        for slot in removed:
            old_terms = self.vectors.pop(slot, ((), b""))[0]
            for t in old_terms:
                _ints(leaving, t).append(slot)
            touched.update(old_terms)
            self.shortlists.pop(slot, None)
            self.lists.pop(slot, None)
        for slot, slot_counts in self._counts_of(revector, counts, articles, pos, rel_of, stored):
            new = self._weights(slot_counts, idf)
            old = self.vectors.get(slot)
            if new != old:
                old_terms = old[0] if old else ()
                for t in old_terms:
                    _ints(leaving, t).append(slot)
                for t in new[0]:
                    _ints(joining, t).append(slot)
                self.vectors[slot] = new
                touched.update(old_terms, new[0])
                moved.add(slot)
        self._move_members(leaving, joining)
        for slot in moved:
            touched.update(self.vectors[slot][0])  # its place among equal weights may move
        if everything:
            moved = set(pos)
            touched = set(self.members) | set(self.ids)
        moved |= removed

        # postings -> shortlists -> lists
        changed_terms = []
        for t in touched:
            ids = self._postings(t, pos, None if everything else moved)
            if ids != self.ids.get(t, ()):
                changed_terms.append(t)
                if ids:
                    self.ids[t] = ids
                else:
                    self.ids.pop(t, None)
        rescore = set(moved)
        for t in changed_terms:
            rescore.update(_ints(self.members, t) if t in self.members else ())
        for slot, shortlist in self.shortlists.items():
            if not moved.isdisjoint(memoryview(shortlist).cast("i")):
                rescore.add(slot)
        rescore -= removed
        self._rescore(rescore, pos)
        self.rescored = len(rescore)
        return {rel_of[s]: [rel_of[o] for o in self.lists[s]] for s in new_order if self.lists[s]}

    def _counts_of(
        self,
        slots: set[int],
        counts: dict[int, Counts],
        articles: Sequence[Article],
        pos: dict[int, int],
        rel_of: dict[int, str],
        stored: Stored,
        batch: int = 2000,
    ) -> Iterator[tuple[int, Counts]]:
        """Each of `slots` with its term counts: in hand, kept by the engine (read a batch at a
        time, so that re-weighting every article does not hold every article's counts), or
        worked out again from the article (then kept as fresh)."""
        ordered = sorted(slots)
        for start in range(0, len(ordered), batch):
            chunk = ordered[start : start + batch]
            wanted = {rel_of[s]: self.docs[s][0] for s in chunk if s not in counts}
            found = stored(wanted) if wanted else {}
            for slot in chunk:
                got = counts.get(slot) or found.get(rel_of[slot])
                if got is None:
                    article = articles[pos[slot]]
                    got = pack_counts(_vector(article))
                    self.fresh[article.rel] = (self.docs[slot][0], got)
                yield slot, got

    def _recount(
        self, slot: int, key: str, article: Article, old: Counts | None, delta: dict[str, int]
    ) -> Counts:
        counts = pack_counts(_vector(article))
        terms = counts[0]
        added: Iterable[str] = terms.split("\n") if terms else ()  # distinct: a dict's keys
        if old and old[0]:
            old_terms, new_terms = set(old[0].split("\n")), set(added)
            for t in old_terms - new_terms:
                _slots(self.inverted, t).remove(slot)
                delta[t] = delta.get(t, 0) - 1
                if not _df(self.inverted[t]):
                    del self.inverted[t]
            added = new_terms - old_terms
        inverted, get = self.inverted, delta.get
        for t in added:  # every term of every article of a new site: kept to the fewest steps
            slots = inverted.get(t)
            if slots is None:
                inverted[t] = _Growing(slot)
            elif type(slots) is _Growing and slot > slots.last:  # a new site's: in slot order
                slots.add(slot)
            elif type(slots) is array:
                slots.append(slot)
            else:
                _slots(inverted, t).append(slot)
            delta[t] = get(t, 0) + 1
        self.docs[slot] = (key, article.lang)
        self.fresh[article.rel] = (key, counts)
        return counts

    def _move_members(self, leaving: dict[str, array], joining: dict[str, array]) -> None:
        """Take the `leaving` slots out of each term's members and add the `joining` ones at
        the end, in one pass over each term's members: the same members, in the same order, as
        taking each slot out and adding it back in turn, which was a scan of the term's members
        for each slot (when a common term's weight changed, every article holding it moved: 19 s
        of an edit's build at 100,000 articles)."""
        for t in leaving.keys() | joining.keys():
            members = _ints(self.members, t)
            gone = leaving.get(t)
            if gone:
                out = set(gone)
                members = self.members[t] = array("i", [s for s in members if s not in out])
            members.extend(joining.get(t, ()))
            if not members:
                del self.members[t]

    def _postings(self, term: str, pos: dict[int, int], moved: set[int] | None) -> tuple[int, ...]:
        """The articles weighting `term` most, best first (ties: listing order). When only the
        `moved` articles changed and none of them was among the last best, the new best are
        the last best and the moved ones that hold the term now, ranked together."""
        if term not in self.members:
            return ()
        vectors, weight = self.vectors, _WEIGHT.unpack_from

        def rank(slot: int) -> tuple[float, int]:
            terms, weights = vectors[slot]
            return -weight(weights, _WEIGHT.size * terms.index(term))[0], pos[slot]

        old = self.ids.get(term, ())
        members = self.members[term]
        # the shortcut walks `moved`; sorting the members is cheaper when more moved (a new site)
        if moved is not None and len(moved) < _size(members) and moved.isdisjoint(old):
            fresh = [s for s in moved if s in vectors and term in vectors[s][0]]
            if not fresh:
                return old
            if len(old) >= POSTINGS_PER_TERM or len(old) + len(fresh) == _size(members):
                return tuple(sorted((*old, *fresh), key=rank)[:POSTINGS_PER_TERM])
        return tuple(sorted(_ints(self.members, term), key=rank)[:POSTINGS_PER_TERM])

    def _rescore(self, slots: set[int], pos: dict[int, int]) -> None:
        vectors = self.vectors
        # slot -> its vector's length: a float an article, where a dict of each candidate's
        # normalised weights, kept for its next use, was about 1.2 KB an article (a new site's)
        lengths: dict[int, float] = {}

        def length(slot: int) -> float:
            got = lengths.get(slot)
            if got is None:
                weights = memoryview(vectors[slot][1]).cast("d")
                got = lengths[slot] = math.sqrt(sum(w * w for w in weights)) or 1.0
            return got

        shortlist_size = max(CANDIDATES, 4 * self.limit)
        ids, docs, limit = self.ids, self.docs, self.limit
        for slot in slots:
            terms, packed = vectors[slot]
            norm = length(slot)
            vector = {t: w / norm for t, w in zip(terms, memoryview(packed).cast("d"), strict=True)}
            # candidates sharing the most strong terms (counted in C by Counter), then cosine
            shared = Counter(chain.from_iterable(ids[t] for t in vector))
            shared.pop(slot, None)
            # what most_common(n) gives (equal counts keep first-seen order: a stable sort),
            # sorted in C rather than through heapq.nlargest's loop in Python
            ranked = sorted(shared.items(), key=itemgetter(1), reverse=True)
            shortlist = tuple(other for other, _ in ranked[:shortlist_size])
            self.shortlists[slot] = array("i", shortlist).tobytes()
            lang = docs[slot][1]
            scored = []
            for other in shortlist:
                if docs[other][1] != lang:
                    continue
                their_terms, their_weights = vectors[other]
                their_norm = length(other)
                # the shared terms' products (their weights normalised as this one's are);
                # fsum is exact, so their order does not matter
                score = math.fsum(
                    [
                        vector[t] * (w / their_norm)
                        for t, w in zip(
                            their_terms, memoryview(their_weights).cast("d"), strict=True
                        )
                        if t in vector
                    ]
                )
                if score >= MIN_SCORE:
                    scored.append((-round(score, 9), pos[other], other))
            scored.sort()
            self.lists[slot] = tuple(other for _, _, other in scored[:limit])


def related_articles(articles: Sequence[Article], limit: int) -> dict[str, list[str]]:
    """Up to `limit` most similar articles (same language) for each article, best first."""
    return RelatedIndex(limit).update(articles)
