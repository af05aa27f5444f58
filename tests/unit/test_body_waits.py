"""The parent's pages (feeds) are ready exactly when every body they wait for has come back."""

from __future__ import annotations

import random

from sitegen.engine.pages import BodyWaits


def test_a_page_waiting_for_nothing_is_ready_at_once():
    waits = BodyWaits([(), ("a",), ()])
    assert waits.ready() == [0, 2]
    assert waits.ready() == []


def test_ready_when_the_last_body_comes_and_only_once():
    waits = BodyWaits([("a", "b"), ("b",), ("c", "a", "a")])
    assert waits.ready() == []
    waits.arrived(["b"])
    assert waits.ready() == [1]
    waits.arrived(["b", "x"])  # again, and one nobody waits for: nothing changes
    assert waits.ready() == []
    waits.arrived(["a"])
    assert waits.ready() == [0]  # page 2 still waits for c (its a counted once)
    waits.arrived(["c"])
    assert waits.ready() == [2]


def test_random_arrivals_match_looking_at_every_page():
    rng = random.Random(7)
    names = [f"r{i}" for i in range(30)]
    for _ in range(200):
        pages = [tuple(rng.choices(names, k=rng.randint(0, 5))) for _ in range(rng.randint(0, 25))]
        waits = BodyWaits(pages)
        here: set[str] = set()
        told: list[int] = []
        order = names[:]
        rng.shuffle(order)
        for start in range(0, len(order), 3):
            batch = order[start : start + 3]
            waits.arrived(batch)
            here.update(batch)
            got = waits.ready()
            assert got == sorted(got)
            told += got
            expected = [p for p, rels in enumerate(pages) if set(rels) <= here]
            assert sorted(told) == expected  # every page ready is told, and told once
        assert sorted(told) == list(range(len(pages)))
