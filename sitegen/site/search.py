"""Search index: Site -> {output path: bytes} under /search/, read in the browser by
themes/default/static/search.js. No I/O of its own (the bodies it indexes come through
`Article.body`, which may read the article cache); engine/search_cache.py keeps a `SearchIndex` between
builds and the pipeline (pipeline/steps.py) writes its files beside the pages.

Made for static hosts and big sites: the browser loads a small manifest, then only the shards
holding the query's terms and the few documents it shows, never the whole index.

    search/manifest.js     first term and file name of each shard, each document's length,
                           stopwords, document count, version
    search/s/<name>.js     one shard: a sorted range of terms -> postings (doc id gaps and
                           frequencies, packed: see `_Postings.packed`)
    search/d/<id>.js       one document: title, URL, date and plain text for the excerpt

Incremental by construction: the shards hold term frequencies, not scores, and the browser
works out BM25 from them, the document frequency (a posting list's length) and the lengths in
the manifest; so an edit changes the bytes of the edited document, of the shards holding the
terms whose frequency in it changed, and of the manifest, nothing else. Shard boundaries
depend on the terms themselves (a hash picks about one term in M as a boundary; a long
posting list gets a shard of its own; a run that grows too long is cut), so a change in one
shard never moves the boundaries of the others. Document ids number the articles oldest
first, so publishing a new article adds an id instead of moving all of them.

Every file is a script calling `sitegenSearch.<kind>(...)`, so pages load them with <script>
tags, which browsers allow from file:// where fetch() of local files is refused. Terms are cut
into shards by sorted range (not by prefix), so a prefix search ("mos" for "Mosul") touches a
contiguous run of them. The tokenizer below and `terms()` in
search.js must agree: lowercase, NFKD, marks removed, runs of letters/digits, CJK one per char.
"""

from __future__ import annotations

import base64
import bisect
import functools
import hashlib
import json
import math
import re
import struct
import sys
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice, pairwise
from typing import TYPE_CHECKING, Any

from sitegen.site.model import Site
from sitegen.site.related import (
    KEEP_BATCH,
    UNSIGNED,
    Counts,
    Stored,
    appended,
    count_values,
    none_stored,
    pack_counts,
    running_sums,
    unpack_counts,
    width_of,
)
from sitegen.text.i18n import format_date
from sitegen.text.textstats import ascii_words, markdown_to_text

if TYPE_CHECKING:
    from sitegen.content.article import Article

MANIFEST_FILE = "search/manifest.js"
SHARD_BYTES = 24_000  # target (mean) size of one shard file
MAX_SHARD_BYTES = 2 * SHARD_BYTES  # a run of terms longer than this is cut
LENGTH_STEPS = 16  # document lengths in the manifest: one byte, 2^(1/16) apart (about 4%)
TEXT_LIMIT = 4_000  # characters of plain text kept per document for excerpts (~650 words)
FIELD_WEIGHT = 3  # a title or tag word counts like this many body words
K1, B = 1.2, 0.75  # BM25 (search.js uses the same)
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


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match) -> str:
    """A run of non-ASCII characters without its combining marks (general category M, as
    JavaScript's /\\p{M}/u sees them): the cost follows the non-ASCII text, not all of it."""
    return "".join(c for c in run.group() if unicodedata.category(c)[0] != "M")


def normalize(text: str) -> str:
    """Lowercase, compatibility-decomposed, without accents: 'Café' and 'cafe' search alike."""
    text = text.lower()
    if text.isascii():
        return text
    return _NON_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", text))


def terms(text: str) -> list[str]:
    """Search terms of `text`, in order; CJK characters (no spaces between words) one by one."""
    if text.isascii():
        return ascii_words(text)  # normalize() is lower() here; the same runs as _TOKEN finds
    tokens = _TOKEN.findall(normalize(text))
    if not _CJK.search(text):
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


def _json_key(term: str) -> str:
    """`_json(term)`; a term of letters and digits only (every term the tokenizer makes) is
    written as it is, which is what JSON does with it, without a call per term."""
    return f'"{term}"' if term.isalnum() else _json(term)


def _script(call: str, *args: Any) -> bytes:
    return f"sitegenSearch.{call}({','.join(_json(a) for a in args)});\n".encode()


def plain_text(markdown: str) -> str:
    return markdown_to_text(_HEADING.sub("", markdown))


def _document(article, url: str, shown_date: str) -> tuple[str, str]:
    """An article's doc JSON, and its body's plain text (which `_analyse` counts)."""
    text = plain_text(article.body)
    doc = _json(
        {"t": article.title, "u": url, "l": article.lang, "d": shown_date, "x": text[:TEXT_LIMIT]}
    )
    return doc, text


def _analyse(article, url: str, shown_date: str) -> tuple[str, dict, int]:
    """One article's part of the index: its doc JSON, term counts and body length."""
    doc, text = _document(article, url, shown_date)
    body = terms(text)
    count = Counter(body)
    for word in terms(" ".join((article.title, *article.tags))):
        count[word] += FIELD_WEIGHT
    for stop in _STOP.intersection(count):
        del count[stop]
    return doc, dict(count), len(body)


def length_code(length: int) -> int:
    """A document length in one byte (lengthOf() in search.js reads it back)."""
    return min(255, round(LENGTH_STEPS * math.log2(1 + length)))


def _sha(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


# rel -> (digest of what its document and counts are made of, doc id, fingerprint of its file,
# body length as length_code)
Entry = tuple[str, int, str, int]
# output path -> (its bytes, or a function making them; a fingerprint of them)
Files = dict[str, tuple[bytes | Callable[[], bytes], str]]
# (shard name, its terms, its fingerprint) -> what makes the unchanged shard's bytes again
Remake = Callable[[str, tuple[str, ...], str], Callable[[], bytes]]


@dataclass(frozen=True)
class Untouched:
    """Which articles an update may take as the index last saw them: every article but those
    in `touched` has the file some build read, under the settings of now (its caller keeps a
    record of the build, keyed by them). That holds for the index only when it is the one that
    build left: `manifest`, the fingerprint of the search manifest the build made, is the
    index's (the manifest's version is a digest of every document's key)."""

    manifest: str
    touched: Container[str]


class _Postings:
    """One term's postings: doc ids (ascending) and term frequencies, as two arrays. Between
    builds a term's postings are kept packed (the bytes of what the shard holds), unpacked
    only when an edit touches the term."""

    __slots__ = ("docs", "tfs")

    def __init__(self, docs: bytes = b"", tfs: bytes = b"") -> None:
        self.docs = array("i")
        self.docs.frombytes(docs)
        self.tfs = array("H")
        self.tfs.frombytes(tfs)

    def put(self, doc: int, tf: int) -> None:
        i = bisect.bisect_left(self.docs, doc)
        if i < len(self.docs) and self.docs[i] == doc:
            self.tfs[i] = tf
        else:
            self.docs.insert(i, doc)
            self.tfs.insert(i, tf)

    def drop(self, doc: int) -> None:
        i = bisect.bisect_left(self.docs, doc)
        if i < len(self.docs) and self.docs[i] == doc:
            del self.docs[i]
            del self.tfs[i]

    def packed(self) -> bytes:
        """The postings packed (`_blob`): the gaps between the doc ids after the first, `g`
        bytes each, and every frequency, `t` bytes each, little-endian; each the narrowest of
        1, 2 or 4 bytes that holds them. A long list's gaps and frequencies mostly fit in a
        byte, so this is smaller than the same numbers in JSON. numpy makes a long list's
        without a Python step per posting; a short one is made with arrays, so an edit
        touching only short lists (most words of a real text) does not import numpy."""
        if not self.docs:
            return EMPTY
        if len(self.docs) < NUMPY_FROM:
            gaps = array("l", [b - a for a, b in pairwise(self.docs)])
            g, t = width_of(max(gaps, default=0), (1, 2, 4)), width_of(max(self.tfs), (1, 2))
            return _blob(g, t, self.docs[0], _little(gaps, g) + _little(self.tfs, t))
        import numpy as np  # here, not at the top: most builds never need it

        docs = np.frombuffer(self.docs, dtype=f"={self.docs.typecode}{self.docs.itemsize}")
        gaps = _narrowest(np.diff(docs), (1, 2, 4))
        tfs = _narrowest(np.frombuffer(self.tfs, dtype=f"=u{self.tfs.itemsize}"), (1, 2))
        raw = gaps.tobytes() + tfs.tobytes()
        return _blob(gaps.itemsize, tfs.itemsize, int(docs[0]), raw)

    @classmethod
    def unpacked(cls, blob: bytes) -> _Postings:
        """The postings `packed` gave `blob` for."""
        g, t, first = _HEAD.unpack_from(blob)
        out = cls()
        if first < 0:
            return out
        raw = memoryview(blob)[_HEAD.size :]
        n = (len(raw) + g) // (g + t)
        if n < NUMPY_FROM:
            out.docs.extend(accumulate(_from_little(raw[: (n - 1) * g], g), initial=first))
            out.tfs.extend(_from_little(raw[(n - 1) * g :], t).tolist())
            return out
        import numpy as np

        docs = running_sums(first, raw[: (n - 1) * g], f"<u{g}")
        out.docs.frombytes(docs.astype(f"={out.docs.typecode}{out.docs.itemsize}").tobytes())
        tfs = np.frombuffer(raw, dtype=f"<u{t}", offset=(n - 1) * g, count=n)
        out.tfs.frombytes(tfs.astype(f"=u{out.tfs.itemsize}").tobytes())
        return out


NUMPY_FROM = 1024  # postings from which numpy packs and unpacks a list
ANCHOR_EVERY = 128  # postings between the anchors an edit walks a packed list from
ANCHORED_FROM = 2 * ANCHOR_EVERY  # a shorter list is walked from its start


# A packed list starts with the widths of its gaps and frequencies and its first doc id (-1:
# none), then its gaps and frequencies (`_Postings.packed`); a shard holds it as text
# (`_text`). Kept as bytes, not as that text: three quarters of the size, and an edit changes
# its bytes where they are instead of decoding and encoding base64 around them.
_HEAD = struct.Struct("<BBi")
EMPTY = _HEAD.pack(1, 1, -1)

# A term's postings as the kept index holds them: (how many, packed) or, for a long list,
# (how many, packed, anchors): `_anchor_bytes` of some of its doc ids
Packed = tuple[int, bytes] | tuple[int, bytes, bytes]


def _sealed(p: _Postings) -> Packed:
    n = len(p.docs)
    if n < ANCHORED_FROM:
        return (n, p.packed())
    return (n, p.packed(), _every_anchor(p.docs))


def _every_anchor(docs: Sequence[int]) -> bytes:
    return _anchor_bytes((i, docs[i]) for i in range(ANCHOR_EVERY, len(docs), ANCHOR_EVERY))


def _anchor_bytes(pairs: Iterable[tuple[int, int]]) -> bytes:
    """Where an edit starts walking a packed list: (position, doc id there) pairs, positions
    ascending, as one array of ints (the positions, then the ids)."""
    positions, docs = array("i"), array("i")
    for i, doc in pairs:
        positions.append(i)
        docs.append(doc)
    return (positions + docs).tobytes()


def _patched(entry: Packed, doc: int, tf: int) -> Packed | None:
    """`entry` with `doc`'s frequency set to `tf` (0: taken out), packed as `_Postings.packed`
    packs the result, without unpacking the list: a walk from the nearest anchor, over the
    few gaps there, finds where the doc goes, and only the bytes there change. None where the
    result needs gaps or frequencies of another width (then the caller unpacks): a change
    that takes numpy's import and a pass over every posting of each long list otherwise,
    which was most of an edit's search update."""
    count, blob = entry[0], entry[1]
    g, t, first = _HEAD.unpack_from(blob)
    if first < 0 or (sys.byteorder != "little" and (g > 1 or t > 1)):
        return None
    n, glen, head = count, (count - 1) * g, _HEAD.size
    anchors = array("i")
    anchors.frombytes(entry[2] if len(entry) > 2 else b"")
    m = len(anchors) // 2
    j = bisect.bisect_right(anchors, doc, m, 2 * m) - m - 1
    i, at = (anchors[j], anchors[m + j]) if j >= 0 else (0, first)
    end = anchors[j + 1] if j + 1 < m else n - 1  # the doc at the next anchor is past `doc`
    start = i
    segment = blob[head + i * g : head + end * g]
    steps = memoryview(segment).cast(UNSIGNED[g]) if g > 1 else segment
    while at < doc and i < end:
        at += steps[i - start]
        i += 1
    walked = i - start
    if at < doc:  # after the last posting
        i = n
    present = i < n and at == doc
    if present and tf:
        if tf >= 256**t:
            return None
        k = head + glen + i * t
        old = int.from_bytes(blob[k : k + t], "little")
        blob = blob[:k] + tf.to_bytes(t, "little") + blob[k + t :]
        narrower = t > 1 and old >= 256 and tf < 256  # the largest may fit a byte now
        if narrower and _narrowest_width(blob[head + glen :], t, (1, 2)) != t:
            return None
        return (count, blob, *entry[2:])
    if not present and not tf:
        return entry
    gaps = memoryview(blob)[head : head + glen].cast(UNSIGNED[g])
    gb, tb = blob[head : head + glen], blob[head + glen :]
    if present:  # taken out
        if n == 1:
            return (0, EMPTY)
        if i == 0:
            first, gb = first + gaps[0], gb[g:]
        elif i == n - 1:
            gb = gb[: (i - 1) * g]
        else:
            merged = gaps[i - 1] + gaps[i]
            if merged >= 256**g:
                return None
            gb = gb[: (i - 1) * g] + merged.to_bytes(g, "little") + gb[(i + 1) * g :]
        tb = tb[: i * t] + tb[(i + 1) * t :]
        if (g > 1 and _narrowest_width(gb, g, (1, 2, 4)) != g) or (
            t > 1 and _narrowest_width(tb, t, (1, 2)) != t
        ):
            return None
        after = doc + gaps[i] if i < n - 1 else None  # now at i
        moved = {p - (p > i): d if p != i else after for p, d in _pairs(anchors, m)}
        pairs = [(p, d) for p, d in moved.items() if d is not None]
        count -= 1
    else:  # put in at i
        if tf >= 256**t:
            return None
        if i == 0:
            gap = first - doc
            if gap >= 256**g:
                return None
            first, gb = doc, gap.to_bytes(g, "little") + gb
        elif i == n:
            if doc - at >= 256**g:
                return None
            gb = gb + (doc - at).to_bytes(g, "little")
        else:  # between the doc before (at - gaps[i - 1]) and `at`
            before = at - gaps[i - 1]
            gb = (
                gb[: (i - 1) * g]
                + (doc - before).to_bytes(g, "little")
                + (at - doc).to_bytes(g, "little")
                + gb[i * g :]
            )
            if g > 1 and _narrowest_width(gb, g, (1, 2, 4)) != g:
                return None
        tb = tb[: i * t] + tf.to_bytes(t, "little") + tb[i * t :]
        pairs = [(p + (p >= i), d) for p, d in _pairs(anchors, m)]
        count += 1
    raw = gb + tb
    new = _blob(g, t, first, raw)
    if count < ANCHORED_FROM:
        return (count, new)
    if walked > 2 * ANCHOR_EVERY or len(pairs) * ANCHOR_EVERY * 2 < count:
        # grown by puts between two anchors, or never anchored: anchored anew, in one pass
        gaps = memoryview(raw)[: (count - 1) * g].cast(UNSIGNED[g])
        return (count, new, _every_anchor(list(accumulate(gaps, initial=first))))
    return (count, new, _anchor_bytes(pairs))


def _pairs(anchors: array, m: int) -> Iterable[tuple[int, int]]:
    return zip(anchors[:m], anchors[m:], strict=True)


class _Unordered(Exception):
    """Renumbered, a list's ids would not ascend (or one has no new id): made from the
    counts instead."""


def _renumbered_list(entry: Packed, table) -> Packed:
    """A packed list with each doc id `table[id]` (a numpy array; the new ids ascending as the
    old are), its frequencies' bytes as they were; `entry` itself when no id changes."""
    import numpy as np

    count, blob = entry[0], entry[1]
    g, t, first = _HEAD.unpack_from(blob)
    if first < 0:
        return entry
    raw = memoryview(blob)[_HEAD.size :]
    docs = running_sums(first, raw[: (count - 1) * g], f"<u{g}")
    new = table[docs]
    if np.array_equal(new, docs):
        return entry
    gaps = _narrowest(_ascending(new), (1, 2, 4))
    packed = _blob(gaps.itemsize, t, int(new[0]), gaps.tobytes() + raw[(count - 1) * g :])
    return (count, packed) if len(entry) < 3 else (count, packed, _every_anchor(new))


def _ascending(docs):  # a numpy array in, its gaps out
    """The gaps between `docs`, which must be doc ids (not negative), ascending."""
    import numpy as np

    steps = np.diff(docs)
    if len(docs) and (docs[0] < 0 or (len(steps) and int(steps.min()) <= 0)):
        raise _Unordered
    return steps


def _blob(g: int, t: int, first: int, raw: bytes) -> bytes:
    return _HEAD.pack(g, t, first) + raw


def _text(blob: bytes) -> str:
    """A packed list as a shard holds it, which search.js's unpack() reads:
    `<g><t><first doc id>:` and base64 of the gaps and frequencies."""
    g, t, first = _HEAD.unpack_from(blob)
    return f"{g}{t}{first}:" + base64.b64encode(memoryview(blob)[_HEAD.size :]).decode()


def _narrowest_width(raw: bytes, size: int, sizes: tuple[int, ...]) -> int:
    """The first of `sizes` (in bytes) that holds every value of `raw`, little-endian
    unsigned integers of `size` bytes each: what `width_of` gives for their largest."""
    for s in sizes:
        if s >= size or all(not raw[o::size].strip(b"\0") for o in range(s, size)):
            return s
    return size


def _little(values: array, size: int) -> bytes:
    """`values` as little-endian unsigned integers of `size` bytes (their own bytes when they
    are those already: a new index's postings, grown in the narrowest width)."""
    if values.typecode == UNSIGNED[size] and (size == 1 or sys.byteorder == "little"):
        return values.tobytes()
    out = array(UNSIGNED[size], values)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def _from_little(raw: bytes, size: int) -> array:
    out = array(UNSIGNED[size])
    out.frombytes(raw)
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _narrowest(values, sizes: tuple[int, ...]):  # numpy arrays in and out
    """`values` (not negative) as little-endian unsigned integers of the first of `sizes`
    (in bytes) that holds them all."""
    top = int(values.max()) if len(values) else 0
    return values.astype(f"<u{width_of(top, sizes)}")


def _doc_file(doc_id: int, doc: str) -> bytes:
    return f"sitegenSearch.doc({doc_id},{doc});\n".encode()


class SearchIndex:
    """The search index and what it was made from, kept between builds so that `update` redoes
    only what changed: the documents of edited articles, the postings of the terms whose
    frequency changed, the shards holding those terms, and the manifest. The bytes of the
    files are not kept: an unchanged file is given as a function that makes it again (the
    writer calls it only when the output folder lacks the file), with the same fingerprint."""

    FORMAT = 8

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        # term -> its postings being changed, or packed as the shard holds them (`Packed`)
        self.postings: dict[str, _Postings | Packed] = {}
        self.vocab: list[str] = []  # every term, in search.js's order
        self.shards: dict[str, tuple[tuple[str, ...], str]] = {}  # name -> terms, sha1 of file
        self.redone: list[str] = []  # output paths whose bytes were made anew by the last update
        # the counts the last update worked out (rel -> (key, counts)) and the rels it dropped:
        # the engine keeps them (one row per article), this index holds no article's counts
        self.fresh: dict[str, tuple[str, Counts]] = {}
        self.dropped: list[str] = []
        self.changed = True  # whether the last update changed what `to_data` gives
        # the fingerprint of the manifest the last update made: whether a build's record
        # speaks of this index (`Untouched`)
        self.manifest_fp = ""

    def to_data(self) -> tuple:
        self._seal(self.postings)
        return (
            self.FORMAT,
            self.entries,
            self.postings,
            self.vocab,
            self.shards,
            self.manifest_fp,
        )

    @classmethod
    def from_data(cls, data: tuple) -> SearchIndex:
        """The index kept by `to_data`; ValueError if `data` is not one."""
        if not isinstance(data, tuple) or len(data) != 6 or data[0] != cls.FORMAT:
            raise ValueError("not a search index")
        index = cls()
        _, index.entries, index.postings, index.vocab, index.shards, index.manifest_fp = data
        if not all(isinstance(x, dict) for x in (index.entries, index.postings, index.shards)):
            raise ValueError("not a search index")
        if not isinstance(index.manifest_fp, str):
            raise ValueError("not a search index")
        if not isinstance(index.vocab, list):
            raise ValueError("not a search index")
        return index

    def _term(self, term: str) -> _Postings:
        got = self.postings.get(term)
        if not isinstance(got, _Postings):
            got = self.postings[term] = _Postings.unpacked(got[1]) if got else _Postings()
        return got

    def _set(self, term: str, doc: int, tf: int) -> None:
        """`doc`'s frequency of `term` set to `tf` (0: taken out): in the packed list where
        `_patched` can, else in the unpacked one."""
        got = self.postings.get(term)
        if type(got) is tuple:
            patched = _patched(got, doc, tf)
            if patched is not None:
                self.postings[term] = patched
                return
        p = self._term(term)
        if tf:
            p.put(doc, tf)
        else:
            p.drop(doc)

    def _count(self, term: str) -> int:
        got = self.postings[term]
        return len(got.docs) if isinstance(got, _Postings) else got[0]

    def _seal(self, terms: Iterable[str]) -> None:
        """The postings of `terms` that were changed, packed: the form shards and the kept
        index hold (each is packed once, however many files need it)."""
        postings = self.postings
        for t in terms:
            p = postings.get(t)
            if isinstance(p, _Postings):
                postings[t] = _sealed(p)

    def update(
        self,
        site: Site,
        salt: str = "",
        stored: Stored | None = None,
        hold: Callable[[bytes], Callable[[], bytes]] | None = None,
        keep: Callable[[dict[str, tuple[str, Counts]]], None] | None = None,
        remake: Remake | None = None,
        untouched: Untouched | None = None,
    ) -> Files:
        """Every file of the search index: output path -> (bytes or a function making them,
        fingerprint). `salt` (the cache key: code and settings) is part of every fingerprint.
        `stored` gives the counts of unchanged articles as the engine kept them from `fresh`;
        an article whose counts it lacks is analysed again. `hold`, when given, takes each new
        document's and shard's bytes as they are made and gives what hands them back (the
        engine keeps them on disk: a new site's would otherwise all wait in memory). `keep`,
        when given, takes a new index's counts a batch at a time as they are worked out (what
        it was not handed is left in `fresh`): a new index makes its postings as it goes and
        holds no article's counts (about 4 KB an article) for the whole update. `remake(name,
        terms, fingerprint)` gives what makes an unchanged shard again (by default, this
        index: then the files hold it for as long as they live). `untouched` names the
        articles known to be as this index last saw them (`Untouched`): their documents are
        taken as they are, without working out what they are made of."""
        config = site.config
        stored = stored or none_stored
        held = hold or _as_is
        self.redone = []
        self.fresh = {}
        docs = site.pages[::-1]  # oldest first: a new article takes the next id
        files: Files = {}
        entries: dict[str, Entry] = {}
        edited: list[tuple[str, Entry | None]] = []
        renumbered = False
        # a new index: every article is analysed, in doc id order, and its postings made then
        lists: dict[str, list] | None = None if self.entries else {}
        urls, date_format = site.urls, config.date_format
        touched = (
            untouched.touched
            if untouched is not None and self.entries and self.manifest_fp == untouched.manifest
            else None
        )
        for doc_id, article in enumerate(docs):
            rel = article.rel
            old = self.entries.get(rel)
            path = f"search/d/{doc_id}.js"
            if touched is not None and old is not None and old[1] == doc_id and rel not in touched:
                # its file as the build that left this index read it: its key is the same
                entries[rel] = old
                files[path] = (_RemadeDoc(article, urls, date_format, doc_id), old[2])
                continue
            url = urls[rel]
            shown_date = _shown_date(article, date_format)
            # what the article's document and counts are made of, as a digest: the index keeps
            # one for every article (the text itself was most of an entry's bytes)
            key = hashlib.blake2b(
                "\0".join(
                    (
                        article.content_hash,
                        article.title,
                        url,
                        article.lang,
                        shown_date,
                        *article.tags,
                    )
                ).encode(),
                digest_size=16,
            ).hexdigest()
            if old is not None and old[0] == key:
                if old[1] != doc_id:
                    renumbered = True
                    old = (key, doc_id, _sha(f"{salt}\0{key}\0{doc_id}".encode()), *old[3:])
                    self.redone.append(path)
                entries[rel] = old
                files[path] = (_RemadeDoc(article, urls, date_format, doc_id), old[2])
                continue
            doc, count, length = _analyse(article, url, shown_date)
            fp = _sha(f"{salt}\0{key}\0{doc_id}".encode())
            entries[article.rel] = (key, doc_id, fp, length_code(length))
            values = count_values(count)
            self.fresh[article.rel] = (key, pack_counts(count, values))
            if lists is not None:
                _add_postings(lists, doc_id, zip(count, values, strict=True))
                if keep is not None and len(self.fresh) >= KEEP_BATCH:
                    keep(self.fresh)
                    self.fresh = {}
            edited.append((article.rel, old))
            files[path] = (held(_doc_file(doc_id, doc)), fp)
            self.redone.append(path)
        self.dropped = sorted(self.entries.keys() - entries.keys())
        before = {rel: old[0] for rel, old in edited if old is not None}
        before.update((rel, self.entries[rel][0]) for rel in self.dropped)
        known = stored(before) if self.entries else {}
        dirty: set[str] | None = None
        if lists is not None:
            if keep is not None and self.fresh:
                keep(self.fresh)
                self.fresh = {}
            dirty = self._postings_from(lists)  # packed, each list let go as it is
        elif renumbered and len(known) == len(before):
            # an article came or went before others (a backdated one, one deleted): the ids
            # after it moved by as many, and every list is renumbered where it is
            dirty = self._moved(entries, edited, known)  # None: made from the counts below
        if dirty is None and (renumbered or len(known) < len(before)):
            # from every article's counts: kept ones, or worked out again where none were kept
            unchanged = {rel: e[0] for rel, e in entries.items() if rel not in self.fresh}
            counts = {rel: c for rel, (_, c) in self.fresh.items()}
            counts.update(stored(unchanged) if unchanged else {})
            by_rel = {a.rel: a for a in docs}
            for rel in unchanged.keys() - counts.keys():
                article = by_rel[rel]
                counts[rel] = pack_counts(
                    _analyse(article, urls[rel], _shown_date(article, date_format))[1]
                )
                self.fresh[rel] = (unchanged[rel], counts[rel])
            dirty = self._rebuild(entries, counts)
        elif dirty is None:
            changes = [
                (old and old[1], known.get(rel), entries[rel][1], self.fresh[rel][1])
                for rel, old in edited
            ]
            changes += [(self.entries[rel][1], known[rel], None, None) for rel in self.dropped]
            dirty = self._apply(changes)
        self.entries = entries
        self._seal(dirty)

        by_id = sorted(entries.values(), key=lambda e: e[1])
        shards = {}
        firsts, names = [], []
        for run in self._runs():
            first = run[0]
            name = hashlib.sha1(first.encode()).hexdigest()[:10]
            old_shard = self.shards.get(name)
            if old_shard is None or old_shard[0] != run or not dirty.isdisjoint(run):
                data = self.shard_file(name, run)
                old_shard = (run, _sha(data))
                self.redone.append(f"search/s/{name}.js")
                files[f"search/s/{name}.js"] = (held(data), old_shard[1])
            else:
                files[f"search/s/{name}.js"] = (
                    remake(name, run, old_shard[1])
                    if remake is not None
                    else functools.partial(self.shard_file, name, run),
                    old_shard[1],
                )
            shards[name] = old_shard
            firsts.append(first)
            names.append(name)
        self.changed = bool(self.redone or self.dropped or len(shards) != len(self.shards))
        self.shards = shards
        version = hashlib.sha1("".join(fp for _, fp in files.values()).encode())
        lengths = bytes(e[3] for e in by_id)
        manifest = _script(
            "manifest",
            {
                "version": version.hexdigest()[:12],
                "docs": len(by_id),
                "lengths": base64.b64encode(lengths).decode(),
                "shards": firsts,
                "files": names,
                "stopwords": list(STOPWORDS),
                "fileUrls": config.file_urls,
            },
        )
        self.manifest_fp = _sha(manifest)
        files[MANIFEST_FILE] = (manifest, self.manifest_fp)
        return files

    def shard_file(self, name: str, run: tuple[str, ...]) -> bytes:
        """`_script("shard", name, {term: packed})`, joined from the packed lists kept."""
        postings = self.postings
        items = ",".join(
            f'{_json_key(t)}:"{_text(p[1] if type(p) is tuple else p.packed())}"'
            for t in run
            for p in (postings[t],)
        )
        return f"sitegenSearch.shard({_json(name)},{{{items}}});\n".encode()

    def _moved(
        self,
        entries: dict[str, Entry],
        edited: list[tuple[str, Entry | None]],
        known: dict[str, Counts],
    ) -> set[str] | None:
        """The postings of an update that renumbered documents: the edited and dropped ones
        taken out under their old ids, every list's ids renumbered (`_renumbered`), then the
        edited and new ones put in under their new ids; returns the terms changed (None where
        a list's ids would not ascend: the caller makes every list from the counts). What
        `_rebuild` gives from every article's counts, at the cost of a pass over the packed
        lists instead of one over every posting."""
        fresh = self.fresh
        out = [(self.entries[rel][1], known[rel], None, None) for rel in self.dropped]
        out += [(old[1], known[rel], None, None) for rel, old in edited if old is not None]
        dirty = self._apply(out)
        moved = {
            old[1]: entries[rel][1]
            for rel, old in self.entries.items()
            if rel in entries and rel not in fresh
        }
        try:
            dirty |= self._renumbered(moved)
        except _Unordered:
            return None
        dirty |= self._apply([(None, None, entries[rel][1], fresh[rel][1]) for rel, _ in edited])
        return dirty

    def _renumbered(self, moved: dict[int, int]) -> set[str]:
        """Every list's doc ids mapped by `moved` (old id -> new id: every id the lists hold,
        in the same order, as the unchanged documents keep theirs); the frequencies stay as
        they are. Returns the terms whose lists changed."""
        import numpy as np

        if all(old == new for old, new in moved.items()):
            return set()
        table = np.full(max(moved, default=-1) + 1, -1, dtype=np.int64)
        table[np.fromiter(moved.keys(), np.int64, len(moved))] = np.fromiter(
            moved.values(), np.int64, len(moved)
        )
        dirty: set[str] = set()
        for term, got in self.postings.items():
            if isinstance(got, _Postings):
                docs = table[np.frombuffer(got.docs, dtype=f"=i{got.docs.itemsize}")]
                _ascending(docs)
                got.docs = array("i", docs.astype(f"=i{got.docs.itemsize}").tobytes())
                dirty.add(term)
                continue
            renumbered = _renumbered_list(got, table)
            if renumbered is not got:
                self.postings[term] = renumbered
                dirty.add(term)
        return dirty

    def _rebuild(self, entries: dict[str, Entry], counts: dict[str, Counts]) -> set[str]:
        """Every posting list from the documents' counts; returns the terms (all dirty)."""
        lists: dict[str, list] = {}
        for rel, entry in sorted(entries.items(), key=lambda item: item[1][1]):
            _add_postings(lists, entry[1], unpack_counts(*counts[rel]))
        return self._postings_from(lists)

    def _postings_from(self, lists: dict[str, list]) -> set[str]:
        """The postings `_add_postings` grew as the whole index's, packed (each term's arrays
        let go as it is: `lists` is left empty); returns the terms."""
        self.postings = {}
        for t in list(lists):
            first, _, gaps, tfs = lists.pop(t)
            self.postings[t] = _sealed_growth(first, gaps, tfs)
        self.vocab = sorted(self.postings, key=_sort_key)
        self.shards = {}
        return set(self.postings)

    def _apply(
        self, changes: list[tuple[int | None, Counts | None, int | None, Counts | None]]
    ) -> set[str]:
        """Change the postings of the terms whose frequency changed, from (doc id and counts
        before, doc id and counts after) per changed document; returns those terms. Every
        posting is taken out before any is put in: two edited documents may swap ids."""
        dirty: set[str] = set()
        added: set[str] = set()
        moves = []
        for old_doc, old, doc, new in changes:
            before = dict(unpack_counts(*old)) if old else {}
            after = dict(unpack_counts(*new)) if new else {}
            moved = old_doc != doc
            moves.append((doc, before, after, moved))
            for t in before:
                if moved or t not in after:
                    self._set(t, old_doc, 0)
                    dirty.add(t)
        for doc, before, after, moved in moves:
            for t, tf in after.items():
                if before.get(t) != tf or moved:
                    if t not in self.postings:
                        added.add(t)
                    self._set(t, doc, tf)
                    dirty.add(t)
        emptied = {t for t in dirty if not self._count(t)}
        for t in emptied:
            del self.postings[t]
        if emptied:
            self.vocab = [t for t in self.vocab if t not in emptied]
        for t in sorted(added - emptied, key=_sort_key):
            bisect.insort(self.vocab, t, key=_sort_key)
        return dirty

    def _runs(self) -> list[tuple[str, ...]]:
        """The terms cut into shards. A term starts a shard when its hash is 0 modulo M (M, a
        power of two, makes shards of about SHARD_BYTES on average and changes only when the
        index doubles or halves), when its postings fill half a shard or more, after such a
        term, and when the run since the last boundary would exceed MAX_SHARD_BYTES."""
        postings = self.postings
        costs = [
            len(t) + 6 + 6 * (len(p.docs) if isinstance(p, _Postings) else p[0])
            for t in self.vocab
            for p in (postings[t],)
        ]
        total = sum(costs) or 1
        per_shard = max(1.0, len(costs) * SHARD_BYTES / total)
        spread = 2 ** round(math.log2(per_shard))
        runs: list[tuple[str, ...]] = []
        run: list[str] = []
        size = 0
        big_before = False
        for t, cost in zip(self.vocab, costs, strict=True):
            big = cost >= SHARD_BYTES // 2
            if run and (
                big
                or big_before
                or size + cost > MAX_SHARD_BYTES
                or zlib.crc32(t.encode()) % spread == 0
            ):
                runs.append(tuple(run))
                run, size = [], 0
            run.append(t)
            size += cost
            big_before = big
        if run:
            runs.append(tuple(run))
        return runs


def _add_postings(lists: dict[str, list], doc: int, counts: Iterable[tuple[str, int]]) -> None:
    """One document's (term, count) pairs added to `lists` (called in ascending doc id order):
    the step taken for every term of every article of a new index, so kept to the fewest.
    A term's entry is [first doc id, last doc id, gaps between the doc ids, frequencies]: the
    gaps and frequencies in arrays of the narrowest unsigned width that holds them so far,
    widened when one outgrows it, as the packed text holds them (`_sealed_growth`). Most
    gaps and frequencies fit in a byte: about 2 bytes a posting, where two int arrays of doc
    ids and frequencies took 6 (most of a new index's memory)."""
    get = lists.get
    for t, tf in counts:
        got = get(t)
        if got is None:
            lists[t] = [doc, doc, array("B"), appended(array("B"), tf)]
            continue
        gaps, tfs = got[2], got[3]
        try:
            gaps.append(doc - got[1])
        except OverflowError:
            got[2] = appended(gaps, doc - got[1])
        got[1] = doc
        try:
            tfs.append(tf)
        except OverflowError:  # at most 65,535 (`count_values`): two bytes at most
            got[3] = appended(tfs, tf)


def _sealed_growth(first: int, gaps: array, tfs: array) -> Packed:
    """A term's postings as `_add_postings` grew them, packed as `_sealed` packs the same
    postings: the arrays are already of the narrowest widths, so their bytes are the text's."""
    n = len(tfs)
    raw = _little(gaps, gaps.itemsize) + _little(tfs, tfs.itemsize)
    blob = _blob(gaps.itemsize, tfs.itemsize, first, raw)
    if n < ANCHORED_FROM:
        return (n, blob)
    if n < NUMPY_FROM:
        at = islice(accumulate(gaps, initial=first), ANCHOR_EVERY, None, ANCHOR_EVERY)
    else:
        docs = running_sums(first, gaps, f"=u{gaps.itemsize}")
        at = docs[ANCHOR_EVERY::ANCHOR_EVERY].tolist()
    return (n, blob, _anchor_bytes(zip(range(ANCHOR_EVERY, n, ANCHOR_EVERY), at, strict=True)))


def _as_is(data: bytes) -> bytes:
    return data


def _shown_date(article: Article, date_format: str) -> str:
    """The day a document shows. format_date keeps the days it wrote: a dict by the time
    itself would hash every article's aware datetime (a call of its zone) to find none again."""
    return format_date(article.date, article.lang, date_format) if article.has_date else ""


class _RemadeDoc:
    """What makes an unchanged document's file again, should the output have lost it: one is
    held for every article, and this holds about a third of the bytes of a `functools.partial`
    with its arguments (which makes an empty keywords dict for each). Its address and day are
    worked out when it is called: most never are."""

    __slots__ = ("article", "urls", "date_format", "doc_id")

    def __init__(
        self, article: Article, urls: dict[str, str], date_format: str, doc_id: int
    ) -> None:
        self.article, self.urls, self.date_format, self.doc_id = article, urls, date_format, doc_id

    def __call__(self) -> bytes:
        # the document alone: its terms and counts are in the index already (counting them
        # again was a third of the time of remaking an output folder's documents)
        article = self.article
        url, shown = self.urls[article.rel], _shown_date(article, self.date_format)
        return _doc_file(self.doc_id, _document(article, url, shown)[0])


def search_files(site: Site) -> dict[str, bytes]:
    """Every file of the search index, by output path, made from nothing."""
    files = SearchIndex().update(site).items()
    return {path: data if isinstance(data, bytes) else data() for path, (data, _) in files}
