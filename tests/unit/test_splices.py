"""The splices that make one bytes value from another (engine/splices.py)."""

from __future__ import annotations

import random

import pytest

from sitegen.engine.splices import composed, list_splices, size, spliced, splices


def _edited(rng: random.Random, old: bytes, alphabet: int, edits: int) -> bytes:
    new = bytearray(old)
    for _ in range(edits):
        k = rng.randrange(len(new) + 1)
        kind = rng.random()
        if kind < 0.35:
            new[k:k] = bytes(rng.randrange(alphabet) for _ in range(rng.randrange(1, 6)))
        elif kind < 0.7:
            del new[k : k + rng.randrange(1, 6)]
        elif k < len(new):
            new[k] = rng.randrange(alphabet)
    return bytes(new)


@pytest.mark.parametrize("alphabet", [2, 5, 256])
def test_the_splices_make_the_new_value_from_the_old(alphabet: int) -> None:
    """Random values (few distinct bytes repeat, as packed gaps do) and a few random edits
    each: the splices always make the new value, and stay small for long values."""
    rng = random.Random(alphabet)
    for trial in range(1500):
        n = rng.choice([0, 1, 7, 95, 96, 97, 400, 5000])
        old = bytes(rng.choices(range(alphabet), k=n))
        new = _edited(rng, old, alphabet, rng.randrange(4))
        ops = splices(old, new)
        assert spliced(old, ops) == new, trial
        if n == 5000 and alphabet == 256:
            assert size(ops) < 200, trial


def test_a_packed_list_with_a_posting_put_in_is_two_small_splices() -> None:
    """What an edit does to a packed list: a gap put in among the gaps and a frequency among
    the frequencies (or one taken out of each, the gap around it merged)."""
    rng = random.Random(3)
    gaps, tfs = bytes(rng.choices(range(1, 6), k=100_000)), bytes(rng.choices((1, 2), k=100_000))
    old = b"head" + gaps + tfs
    put = b"head" + gaps[:40_000] + b"\x02" + gaps[40_000:] + tfs[:40_000] + b"\x01" + tfs[40_000:]
    ops = splices(old, put)
    assert spliced(old, ops) == put and size(ops) <= 2 * 12 + 2
    merged = gaps[:39_999] + bytes([gaps[39_999] + gaps[40_000]]) + gaps[40_001:]
    taken = b"head" + merged + tfs[:40_000] + tfs[40_001:]
    ops = splices(old, taken)
    assert spliced(old, ops) == taken and size(ops) < 100


def test_an_unchanged_value_needs_no_splice_and_a_new_one_is_one() -> None:
    assert splices(b"same" * 100, b"same" * 100) == ()
    assert splices(b"", b"new") == (0, 0, b"new")
    assert splices(b"old", b"") == (0, 3, b"")


@pytest.mark.parametrize(
    "ops", [(0, 1), (5, 0, b"x"), (0, -1, b""), (2, 0, b"", 1, 0, b""), (0, 0, "text")]
)
def test_splices_that_do_not_fit_are_refused(ops: tuple) -> None:
    with pytest.raises(ValueError):
        spliced(b"abc", ops)


def test_list_splices_make_the_new_list_from_the_old() -> None:
    """Lists with repeated items and random edits: always the new list. A sorted list of
    distinct terms with a few put in and taken out here and there: as many short splices."""
    rng = random.Random(8)
    for trial in range(1500):
        old = rng.choices(range(rng.choice([2, 50, 10**6])), k=rng.choice([0, 1, 3, 40, 900]))
        new = list(old)
        for _ in range(rng.randrange(5)):
            k = rng.randrange(len(new) + 1)
            if rng.random() < 0.5:
                new[k:k] = [rng.randrange(50)]
            else:
                del new[k : k + rng.randrange(1, 3)]
        assert spliced(old, list_splices(old, new)) == new, trial
    terms = sorted({rng.randbytes(5).hex() for _ in range(50_000)})
    new = sorted({*terms, "00new", "7fnew", "ffnew"} - {terms[1000], terms[30_000]})
    ops = list_splices(terms, new)
    assert spliced(terms, ops) == new
    assert sum(len(ops[i]) for i in range(2, len(ops), 3)) <= 5 and len(ops) // 3 <= 6


@pytest.mark.parametrize("kind", [bytes, list])
def test_splices_composed_do_both_without_the_first_value(kind: type) -> None:
    """Splices of a value and splices of what they made, composed (without the value): the
    same as applying both; random edits of random values, as bytes and as lists."""
    rng = random.Random(12)
    find = splices if kind is bytes else list_splices
    for trial in range(2000):
        a = kind(rng.choices(range(rng.choice([2, 256])), k=rng.choice([0, 1, 20, 300, 3000])))
        b = kind(_edited(rng, bytes(a), 4, rng.randrange(4)))
        c = kind(_edited(rng, bytes(b), 4, rng.randrange(4)))
        assert spliced(a, composed(find(a, b), find(b, c))) == c, trial
    assert composed((), ()) == ()
    assert composed((3, 1, b"x"), (3, 1, b"")) == (3, 1, b"")  # put in, then cut
    assert composed((3, 0, b"x"), (3, 1, b"")) == ()  # what was put in, cut: nothing
