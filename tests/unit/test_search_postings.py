"""A packed posting list changed in place (`_patched`) is the list packed from nothing."""

from __future__ import annotations

import random

import pytest

from sitegen.site import search
from sitegen.site.search import ANCHOR_EVERY, ANCHORED_FROM, _patched, _Postings, _sealed


def _packed(postings: dict[int, int]) -> tuple:
    p = _Postings()
    for doc in sorted(postings):
        p.docs.append(doc)
        p.tfs.append(postings[doc])
    return _sealed(p)


def _reference(postings: dict[int, int], doc: int, tf: int) -> dict[int, int]:
    out = dict(postings)
    if tf:
        out[doc] = tf
    else:
        out.pop(doc, None)
    return out


def _random_list(rng: random.Random, n: int, gap_top: int, tf_top: int) -> dict[int, int]:
    postings, doc = {}, rng.randint(0, 300)
    for _ in range(n):
        postings[doc] = rng.randint(1, tf_top)
        doc += rng.randint(1, gap_top)
    return postings


def _some_change(rng: random.Random, postings: dict[int, int]) -> tuple[int, int]:
    """A doc id and frequency: one in the list or not, near its ends or inside, taken out,
    changed or put in, sometimes with a frequency or a gap of another width."""
    docs = sorted(postings) or [0]
    where = rng.random()
    if where < 0.5:
        doc = rng.choice(docs)
    elif where < 0.6:
        doc = max(0, docs[0] - rng.choice((1, 2, 200, 300, 70_000)))
    elif where < 0.7:
        doc = docs[-1] + rng.choice((1, 2, 200, 300, 70_000))
    else:
        doc = rng.randint(docs[0], docs[-1] + 1)
    tf = rng.choice((0, 0, 1, 2, 3, 255, 256, 300, 65_535))
    return doc, tf


@pytest.mark.parametrize("seed", range(6))
def test_a_packed_list_changed_in_place_is_the_list_packed_from_nothing(seed) -> None:
    rng = random.Random(seed)
    sizes = (1, 2, 3, ANCHOR_EVERY + 1, ANCHORED_FROM - 1, ANCHORED_FROM, 700, 3000)
    patched = 0
    for n in sizes:
        for gap_top, tf_top in ((3, 3), (255, 255), (300, 300), (70_000, 2)):
            postings = _random_list(rng, n, gap_top, tf_top)
            entry = _packed(postings)
            for _ in range(60):  # a chain: anchors moved by one change serve the next
                doc, tf = _some_change(rng, postings)
                postings = _reference(postings, doc, tf)
                got = _patched(entry, doc, tf)
                expected = _packed(postings) if postings else (0, search.EMPTY)
                if got is None:  # another width: the caller unpacks; so does this test
                    entry = expected
                    continue
                patched += 1
                assert got[:2] == expected[:2], (n, gap_top, tf_top, doc, tf)
                if len(got) > 2:  # anchors name the doc ids at their positions
                    docs = sorted(postings)
                    at = _Postings.unpacked(got[1]).docs
                    assert at.tolist() == docs
                    anchors = search.array("i")
                    anchors.frombytes(got[2])
                    m = len(anchors) // 2
                    assert all(docs[p] == d for p, d in zip(anchors[:m], anchors[m:], strict=True))
                    assert list(anchors[:m]) == sorted(set(anchors[:m]))
                entry = got
    assert patched > 1000  # most changes are made in place


def test_a_list_grown_by_puts_between_anchors_is_anchored_anew() -> None:
    postings = {doc: 1 for doc in range(0, 4 * ANCHORED_FROM, 4)}
    entry = _packed(postings)
    for doc in range(4 * ANCHORED_FROM + 1, 4 * ANCHORED_FROM + 3 * ANCHOR_EVERY):
        postings[doc] = 2
        entry = _patched(entry, doc, 2)
        assert entry is not None
    assert entry[:2] == _packed(postings)[:2]
    anchors = search.array("i")
    anchors.frombytes(entry[2])
    m = len(anchors) // 2
    # no walk from the last anchor is much longer than the spacing
    assert len(postings) - anchors[m - 1] <= 2 * ANCHOR_EVERY + 1


def test_an_edit_of_long_lists_does_not_import_numpy(tmp_path) -> None:
    """What the in-place change is for: numpy's import was most of an edit's search update."""
    import subprocess
    import sys

    code = """
import sys
from sitegen.site import search
search.NUMPY_FROM = 10**9  # packed from nothing without numpy too
p = search._Postings()
p.docs.extend(range(0, 6000, 2))
p.tfs.extend([1] * 3000)
entry = search._sealed(p)
for doc, tf in ((3, 1), (4, 2), (5998, 0), (6100, 3), (0, 0)):
    entry = search._patched(entry, doc, tf)
    assert entry is not None, doc
print(entry[0], "numpy" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3000", "False"]


@pytest.mark.parametrize("seed", range(4))
def test_postings_grown_by_a_new_index_pack_as_the_lists_of_ints(seed) -> None:
    """A new index grows each list in arrays of the narrowest width so far (`_add_postings`),
    widened as gaps and frequencies outgrow it; packed, they are the lists of ints packed."""
    rng = random.Random(seed)
    sizes = (1, 2, ANCHORED_FROM - 1, ANCHORED_FROM, 700, search.NUMPY_FROM, 3000)
    wanted: dict[str, dict[int, int]] = {}
    for n in sizes:
        for gap_top, tf_top in ((1, 1), (3, 5), (300, 300), (70_000, 65_535)):
            postings = _random_list(rng, n, gap_top, tf_top)
            if rng.random() < 0.5 and n > 2:  # a wide value late, after many narrow ones
                last = max(postings)
                postings[last + rng.choice((256, 65_536))] = rng.choice((1, 256))
            wanted[f"t{n}-{gap_top}-{tf_top}"] = postings
    lists: dict[str, list] = {}
    for doc in sorted({d for postings in wanted.values() for d in postings}):
        search._add_postings(lists, doc, [(t, p[doc]) for t, p in wanted.items() if doc in p])
    index = search.SearchIndex()
    index._postings_from(lists)
    assert not lists  # let go as they were packed
    for term, postings in wanted.items():
        assert index.postings[term] == _packed(postings), term


@pytest.mark.parametrize("seed", range(4))
def test_a_renumbered_list_is_the_renumbered_list_packed_from_nothing(seed) -> None:
    """`_renumbered_list` maps a packed list's doc ids by a table whose new ids ascend as the
    old do (documents that came or went before others): the result, anchors and all, is what
    packing the mapped list gives."""
    import numpy as np

    rng = random.Random(seed)
    for n in (1, 2, 3, ANCHOR_EVERY + 1, ANCHORED_FROM, 700, 3000):
        gap_top = rng.choice((3, 300, 70_000) if n < 100 else (3, 300))
        postings = _random_list(rng, n, gap_top, rng.choice((3, 300)))
        top = max(postings) + 1
        # each id moved up by how many came before it, and all down by some that went before
        # the first: the new ids ascend as the old do, and gaps may change width either way
        came = np.cumsum([rng.choice((0, 0, 0, 1, 2, 300)) for _ in range(top)])
        table = np.arange(top) + came - min(postings) // 2
        entry = _packed(postings)
        got = search._renumbered_list(entry, table)
        want = _packed({int(table[doc]): tf for doc, tf in postings.items()})
        assert got == want, n
    identity = np.arange(top)
    assert search._renumbered_list(entry, identity) is entry


def test_a_table_that_would_disorder_a_list_is_refused() -> None:
    import numpy as np

    entry = _packed({1: 1, 2: 1, 3: 1})
    with pytest.raises(search._Unordered):
        search._renumbered_list(entry, np.array([0, 5, 4, 6]))
    with pytest.raises(search._Unordered):
        search._renumbered_list(entry, np.array([0, -1, 4, 6]))
