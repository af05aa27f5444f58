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
