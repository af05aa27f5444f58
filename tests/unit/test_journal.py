"""A kept value as a base file and the changes since (engine/journal.py)."""

from __future__ import annotations

import random
from pathlib import Path

from sitegen.engine import journal
from sitegen.engine.journal import changes_path, kept_and_updated, read_kept, write_kept
from sitegen.errors import Diagnostics


def _value(n: int = 200) -> tuple:
    return (
        3,
        {f"t{i}": (i, f"text {i}".encode()) for i in range(n)},
        {i: f"rel-{i}" for i in range(n)},
        b"order",
        [1, 2, 3],
    )


def _edited(value: tuple, journaled: tuple) -> tuple:
    """`value` as an update leaves it: the dicts read (journaled) changed in a few entries."""
    terms, rels = journaled[1], journaled[2]
    terms["t5"] = (5, b"replaced")
    terms["new"] = (1, b"added")
    del terms["t7"]
    rels[3] = "rel-3"  # equal to the old value, another object: not a change
    del rels[9]
    return (4, terms, rels, b"order 2", [1, 2])


def test_an_edit_writes_only_its_changes_and_reads_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "index.marshal"
    assert write_kept(path, "key", _value(), None)
    base = path.read_bytes()
    assert not changes_path(path).exists()
    got, kept = read_kept(path, "key", Diagnostics())
    assert got == _value() and kept is not None
    edited = _edited(_value(), got)
    assert write_kept(path, "key", edited, kept)
    assert path.read_bytes() == base  # the base is not written again
    assert 0 < changes_path(path).stat().st_size < len(base) // 4
    again, _ = read_kept(path, "key", Diagnostics())
    assert again == edited
    assert read_kept(path, "another key", Diagnostics()) == (None, None)


def test_a_chain_of_edits_keeps_every_change_since_the_base(tmp_path: Path) -> None:
    """Random edits, each read back from the last: the value is always the one written, and
    the base is written again only when the changes outgrow a share of it."""
    rng = random.Random(7)
    path = tmp_path / "index.marshal"
    truth = _value(400)
    write_kept(path, "key", truth, None)
    bases = 0
    for step in range(60):
        before = path.read_bytes()
        got, kept = read_kept(path, "key", Diagnostics())
        assert got == truth, step
        terms = got[1]
        for _ in range(rng.randrange(1, 6)):
            key = f"t{rng.randrange(420)}"
            if key in terms and rng.random() < 0.4:
                del terms[key]
            else:
                terms[key] = (step, f"{step} {key}".encode())
        truth = (got[0], dict(terms), dict(got[2]), got[3], [step])
        assert write_kept(path, "key", (got[0], terms, got[2], got[3], [step]), kept)
        bases += path.read_bytes() != before
    assert read_kept(path, "key", Diagnostics())[0] == truth
    assert 1 <= bases <= 10


def test_many_changes_make_a_new_base(tmp_path: Path) -> None:
    path = tmp_path / "index.marshal"
    write_kept(path, "key", _value(), None)
    got, kept = read_kept(path, "key", Diagnostics())
    for key in list(got[1])[:100]:
        got[1][key] = (0, b"all new")
    assert write_kept(path, "key", got, kept)
    assert not changes_path(path).exists()
    assert read_kept(path, "key", Diagnostics())[0] == got


def test_changes_left_beside_another_base_are_not_applied(tmp_path: Path) -> None:
    """A stop between writing a new base and removing the old changes leaves changes that
    name another base: the new base is read as it is."""
    path = tmp_path / "index.marshal"
    write_kept(path, "key", _value(), None)
    got, kept = read_kept(path, "key", Diagnostics())
    write_kept(path, "key", _edited(_value(), got), kept)
    left = changes_path(path).read_bytes()
    write_kept(path, "key", _value(50), None)  # a new base
    changes_path(path).write_bytes(left)
    diag = Diagnostics()
    assert read_kept(path, "key", diag)[0] == _value(50) and not diag.warnings


def test_damaged_changes_cost_the_value_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "index.marshal"
    write_kept(path, "key", _value(), None)
    got, kept = read_kept(path, "key", Diagnostics())
    write_kept(path, "key", _edited(_value(), got), kept)
    data = changes_path(path).read_bytes()
    changes_path(path).write_bytes(data[: len(data) // 2])
    diag = Diagnostics()
    assert read_kept(path, "key", diag) == (None, None)
    assert len(diag.warnings) == 1 and "damaged cache file" in str(diag.warnings[0])
    assert not path.exists()  # made anew by the next build


def test_a_value_changed_in_place_is_written(tmp_path: Path) -> None:
    """Identity says what changed; a mutable value is written whatever it says."""
    path = tmp_path / "index.marshal"
    write_kept(path, "key", (1, {"a": [1], "b": (2,)}), None)
    got, kept = read_kept(path, "key", Diagnostics())
    got[1]["a"].append(5)
    assert write_kept(path, "key", got, kept)
    assert read_kept(path, "key", Diagnostics())[0] == (1, {"a": [1, 5], "b": (2,)})


def test_a_kept_value_that_is_no_index_is_dropped_with_its_changes(tmp_path: Path) -> None:
    path = tmp_path / "index.marshal"
    write_kept(path, "key", _value(), None)
    got, kept = read_kept(path, "key", Diagnostics())
    write_kept(path, "key", _edited(_value(), got), kept)

    def load(data: tuple) -> tuple:
        raise ValueError("not an index")

    diag = Diagnostics()
    index, result, kept = kept_and_updated(path, "key", diag, load, lambda: "new", len)
    assert (index, result, kept) == ("new", 3, None)
    assert len(diag.warnings) == 1
    assert not path.exists() and not changes_path(path).exists()


def test_share_bounds_the_changes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(journal, "SHARE", 1000)  # any change is too many
    path = tmp_path / "index.marshal"
    write_kept(path, "key", _value(), None)
    got, kept = read_kept(path, "key", Diagnostics())
    write_kept(path, "key", _edited(_value(), got), kept)
    assert not changes_path(path).exists()


def test_a_base_written_by_someone_else_is_written_whole(tmp_path: Path) -> None:
    """Changes are written only beside the base they follow: after another build (or a hand)
    wrote the file, the value is written as a new base."""
    path = tmp_path / "index.marshal"
    write_kept(path, "key", _value(), None)
    got, kept = read_kept(path, "key", Diagnostics())
    write_kept(path, "key", _value(60), None)  # another build's
    assert write_kept(path, "key", _edited(_value(), got), kept)
    assert not changes_path(path).exists()
    assert read_kept(path, "key", Diagnostics())[0] == _edited(_value(), _value())


def test_a_value_held_between_writes_follows_its_files(tmp_path: Path) -> None:
    """`write_and_follow` gives what the next write of the same value, changed in memory,
    compares with: each write after the first is changes, and reads back whole."""
    path = tmp_path / "index.marshal"
    value = _value(300)
    kept = journal.write_and_follow(path, "key", value, None)
    base = path.read_bytes()
    for step in range(5):
        terms = dict(value[1])
        terms[f"t{step}"] = (step, b"edited")
        terms.pop(f"t{step + 100}")
        value = (value[0], terms, value[2], value[3], [step])
        kept = journal.write_and_follow(path, "key", value, kept)
        assert kept is not None and path.read_bytes() == base
        assert read_kept(path, "key", Diagnostics())[0] == value


def _lists(n: int, rng: random.Random) -> dict:
    """Terms -> (count, packed list, anchors), as the search index keeps them: long bytes."""
    return {
        f"w{i}": (i, rng.randbytes(rng.choice([40, 3000, 20_000])), rng.randbytes(64))
        for i in range(n)
    }


def _touched(blob: bytes, rng: random.Random) -> bytes:
    """A packed list as an edit leaves it: a byte put in at two places, or one changed."""
    if rng.random() < 0.5:
        k = rng.randrange(len(blob))
        return blob[:k] + bytes([(blob[k] + 1) % 256]) + blob[k + 1 :]
    i, j = sorted(rng.randrange(len(blob) + 1) for _ in range(2))
    return blob[:i] + b"\x01" + blob[i:j] + b"\x02" + blob[j:]


def test_long_values_changed_in_place_are_written_as_splices(tmp_path: Path) -> None:
    """An edit touching most long lists by a byte or two writes changes a small share of the
    base; through a chain of such edits (the splices always of the base's values, the lists
    touched again and again) the base is seldom written again, and every read gives the value
    written; with the preview's `write_and_follow` too. Written whole, each edit's changes
    would be most of the base."""
    rng = random.Random(11)
    for follow in (False, True):
        path = tmp_path / f"lists-{follow}.marshal"
        truth = (1, _lists(60, rng), {i: str(i) for i in range(1000)})
        kept = journal.write_and_follow(path, "key", truth, None)
        base, bases = path.read_bytes(), 0
        for step in range(25):
            if not follow:
                got, kept = read_kept(path, "key", Diagnostics())
                assert got == truth, step
                lists = got[1]
            else:
                lists = dict(truth[1])
            for term in rng.sample(sorted(lists), 40):
                count, blob, anchors = lists[term]
                lists[term] = (count + 1, _touched(blob, rng), anchors)
            if rng.random() < 0.2:
                lists[f"new{step}"] = (1, rng.randbytes(500), b"")
            if rng.random() < 0.2:
                lists.pop(rng.choice(sorted(lists)))
            truth = (1, dict(lists), truth[2])
            kept = journal.write_and_follow(path, "key", (1, lists, truth[2]), kept)
            assert kept is not None
            if path.read_bytes() != base:
                bases += 1
                base = path.read_bytes()
            if step == 0:  # 40 lists touched, each a few bytes
                assert changes_path(path).stat().st_size * 100 < len(base)
        assert read_kept(path, "key", Diagnostics())[0] == truth
        assert bases <= 1  # 40 of 60 lists touched each time: the changes outgrow an eighth once


def test_splices_that_do_not_fit_their_base_cost_the_value_with_one_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index.marshal"
    rng = random.Random(5)
    value = (1, {"w": (1, rng.randbytes(5000)), **{i: i for i in range(100)}})
    write_kept(path, "key", value, None)
    got, kept = read_kept(path, "key", Diagnostics())
    got[1]["w"] = (2, _touched(got[1]["w"][1], rng))
    write_kept(path, "key", got, kept)
    assert read_kept(path, "key", Diagnostics())[0] == got
    assert changes_path(path).exists()
    # a base of the same id in which no splice fits (its lists shorter)
    journal.write_blob(path, "key", (kept.base, 1, {"w": (1, b"short")}))
    diag = Diagnostics()
    assert read_kept(path, "key", diag) == (None, None)
    assert len(diag.warnings) == 1 and "damaged cache file" in str(diag.warnings[0])


def test_a_value_changed_back_is_a_few_bytes_of_splices(tmp_path: Path) -> None:
    """An edit undone (an article saved back as it was) leaves the long values it had changed
    as a few bytes of splices (those since the base composed with those undoing them: a byte
    put back where it was is still a splice); written whole, they outgrew the base."""
    rng = random.Random(9)
    path = tmp_path / "index.marshal"
    original = (1, _lists(40, rng), {i: i for i in range(1000)})
    write_kept(path, "key", original, None)
    got, kept = read_kept(path, "key", Diagnostics())
    for term in list(got[1])[:30]:
        count, blob, anchors = got[1][term]
        got[1][term] = (count, _touched(blob, rng), anchors)
    write_kept(path, "key", got, kept)
    got, kept = read_kept(path, "key", Diagnostics())
    lists = dict(got[1])
    lists.update(original[1])  # copies, not the base's objects: equal to them
    lists = {k: (v[0], bytes(bytearray(v[1])), v[2]) for k, v in lists.items()}
    base = path.read_bytes()
    write_kept(path, "key", (1, lists, got[2]), kept)
    assert path.read_bytes() == base
    changes = journal.read_blob(changes_path(path), "key", Diagnostics())
    assert changes[5] == []  # the lists' part: nothing cut, no long list whole
    assert all(len(v[1]) < journal.SPLICED_FROM for v in changes[4].values())
    assert all(len(repr(patch)) < 60 for patch in changes[6].values())
    assert read_kept(path, "key", Diagnostics())[0] == original


def test_a_list_or_bytes_part_is_written_as_splices_of_the_bases(tmp_path: Path) -> None:
    """Parts that are not dicts (the search index's sorted terms, the related lists' order
    of articles as bytes) go into the changes file as splices of the base's part, not whole,
    through a chain of edits that change the list in place; each read gives the value."""
    import bisect

    rng = random.Random(4)
    path = tmp_path / "index.marshal"
    words = sorted({rng.randbytes(6).hex() for _ in range(20_000)})
    order = rng.randbytes(80_000)
    truth = (1, {i: i for i in range(100)}, words, order)
    write_kept(path, "key", truth, None)
    base = path.read_bytes()
    for step in range(6):
        got, kept = read_kept(path, "key", Diagnostics())
        assert got == truth, step
        terms = got[2]  # changed in place, as the index changes its terms
        bisect.insort(terms, rng.randbytes(6).hex())
        if step % 2:
            terms.pop(rng.randrange(len(terms)))
        k = rng.randrange(len(order))
        order = got[3][:k] + b"\x07\x00\x00\x00" + got[3][k:]
        truth = (1, dict(got[1]), list(terms), order)
        assert write_kept(path, "key", (1, got[1], terms, order), kept)
        assert path.read_bytes() == base, step
        assert changes_path(path).stat().st_size < 2_000, step
    assert read_kept(path, "key", Diagnostics())[0] == truth
    follow = journal.write_and_follow(path, "key", truth, None)  # a new base, then followed
    terms = list(truth[2])
    terms.insert(0, "0")
    value = (1, truth[1], terms, truth[3] + b"\x01")
    assert journal.write_and_follow(path, "key", value, follow) is not None
    assert changes_path(path).stat().st_size < 2_000
    assert read_kept(path, "key", Diagnostics())[0] == value


def test_changed_keys_are_the_entries_not_left_as_read() -> None:
    """The keys whose values an update replaced with unequal ones, added (None among them) or
    holds mutable: picked out by identity first, with the same answer as `_changed` on each."""
    shared = (1, b"kept")
    listed = [1, 2]
    read = {"same": shared, "equal": (2, b"x"), "other": (3, b"y"), "gone": (4, b"z")}
    part = dict(read)
    part["equal"] = (2, b"x")  # another object, equal: not a change
    part["other"] = (3, b"y2")
    part["none"] = None  # new, and None as `read.get` would give for a missing key
    del part["gone"]
    assert journal._changed_keys(part, read) == {"other", "none"}
    # a part holding a mutable value: that value is always a change, even the object read
    read_lists = {"a": listed, "b": shared}
    assert journal._changed_keys(dict(read_lists), read_lists) == {"a"}
    for now, was in ((part, read), (dict(read_lists), read_lists)):
        expected = {k for k, v in now.items() if journal._changed(was.get(k, journal._ABSENT), v)}
        assert journal._changed_keys(now, was) == expected
