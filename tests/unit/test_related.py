"""Related articles by content similarity (sitegen/related.py)."""

from __future__ import annotations

import datetime as dt
import random
from array import array

import pytest

from sitegen.content.article import Article
from sitegen.site.related import RelatedIndex, related_articles, term_counts, terms_of

TOPICS = {
    "war": "siege artillery frontline troops offensive ceasefire militia airstrike shelling brigade",
    "sport": "striker goalkeeper league penalty midfielder stadium tournament referee coach trophy",
    "money": "inflation bond currency lender interest deficit tariff investor mortgage recession",
    "space": "orbit rocket telescope astronaut lunar satellite probe galaxy launchpad comet",
}
FILLER = [
    "the",
    "of",
    "and",
    "a",
    "in",
    "to",
    "was",
    "for",
    "on",
    "with",
    "that",
    "people",
    "city",
    "week",
    "officials",
]


def article(
    rel: str, title: str, body: str, tags: tuple[str, ...] = (), lang: str = "en"
) -> Article:
    return Article(
        source=f"content/{rel}",
        rel=rel,
        title=title,
        slug=rel[:-3],
        date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        updated=None,
        summary="",
        tags=tags,
        categories=(),
        author="",
        authors=(),
        draft=False,
        aliases=(),
        lang=lang,
        translation_key=rel,
        body_utf8=body.encode(),
        body_line=1,
        content_hash=rel,
        meta={},
    )


def topic_articles(per_topic: int = 6, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for name, words in TOPICS.items():
        vocab = words.split()
        for i in range(per_topic):
            body = " ".join(
                rng.choice(vocab) if rng.random() < 0.4 else rng.choice(FILLER) for _ in range(120)
            )
            out.append(article(f"{name}-{i}.md", f"Report {name} {i}", body))
    return out


def test_related_come_from_the_same_topic():
    articles = topic_articles()
    related = related_articles(articles, 5)
    assert set(related) == {a.rel for a in articles}
    for rel, others in related.items():
        assert len(others) == 5
        assert rel not in others
        assert all(o.split("-")[0] == rel.split("-")[0] for o in others), (rel, others)


def test_untagged_reports_on_the_same_battle_are_related():
    articles = [
        article(
            "a.md",
            "Troops enter Mosul",
            "Iraqi troops pushed into western Mosul under artillery fire.",
        ),
        article(
            "b.md",
            "Battle for Mosul",
            "Artillery shelled western Mosul as troops advanced.",
            ("Iraq",),
        ),
        article(
            "c.md", "Cup final", "The striker scored a penalty in the cup final at the stadium."
        ),
        article(
            "d.md", "League news", "A penalty decided the league match; the striker celebrated."
        ),
    ]
    related = related_articles(articles, 5)
    assert related["a.md"][0] == "b.md"
    assert related["c.md"] == ["d.md"]  # nothing shared with the war reports


def test_deterministic_limited_and_off():
    articles = topic_articles()
    assert related_articles(articles, 3) == related_articles(list(articles), 3)
    assert all(len(v) <= 3 for v in related_articles(articles, 3).values())
    assert related_articles(articles, 0) == {}
    assert related_articles(articles[:1], 5) == {}


def test_only_articles_in_the_same_language():
    articles = [
        article(
            "en1.md", "Rocket launch", "The rocket reached orbit after launch from the launchpad."
        ),
        article("en2.md", "Second launch", "Another rocket launch put a satellite in orbit."),
        article("fr1.md", "Lancement", "The rocket launch orbit satellite launchpad.", lang="fr"),
    ]
    related = related_articles(articles, 5)
    assert related["en1.md"] == ["en2.md"]
    assert "fr1.md" not in related


def test_terms_skip_stopwords_and_markup_and_pair_cjk():
    assert terms_of("The [Mosul](https://example.org/x) offensive, and <b>troops</b>") == [
        "mosul",
        "offensive",
        "troops",
    ]
    assert terms_of("北京大学") == ["北京", "京大", "大学"]


def test_a_link_target_with_parentheses_is_markup_and_an_unclosed_one_is_text():
    # the target ends at its closing parenthesis, not at the first `)` inside it
    assert set(term_counts("siege [x](/img/photo(1).png) troops")) == {"siege", "troops"}
    # a text of links never closed: every word counted once, each `](` looked at once
    assert term_counts("[siege](" * 5000) == {"siege": 5000}


def _site(articles, tmp_path, limit=5):
    """A stand-in for the Site model: related_lists reads only `pages` and `config`."""
    from types import SimpleNamespace

    return SimpleNamespace(pages=articles, config=SimpleNamespace(related=limit))


def test_cached_lists_follow_an_edit_and_equal_a_fresh_run(tmp_path):
    """After an edit the kept index redoes only what the edit reaches; lists equal a fresh run."""
    import dataclasses

    from sitegen.engine.related_cache import related_lists
    from sitegen.errors import Diagnostics

    articles = topic_articles()
    diag = Diagnostics()
    assert related_lists(_site(articles, tmp_path), tmp_path, diag) == related_articles(articles, 5)
    edited = list(articles)
    edited[3] = dataclasses.replace(
        edited[3],
        body_utf8=(edited[3].body + " orbit rocket telescope").encode(),
        content_hash="changed",
    )
    assert related_lists(_site(edited, tmp_path), tmp_path, diag) == related_articles(edited, 5)
    assert related_lists(_site(edited, tmp_path, 3), tmp_path, diag) == related_articles(edited, 3)
    assert not diag.warnings


@pytest.mark.parametrize("name", ["related-lists.marshal", "related-index.marshal"])
@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "empty", "bad marshal", "wrong shape"],
)
def test_a_damaged_cache_file_is_dropped_with_one_warning(tmp_path, name, damage):
    import dataclasses
    import marshal
    import zlib

    from sitegen.engine import keys
    from sitegen.engine.blobcache import _HEAD, _MAGIC, write_blob
    from sitegen.engine.related_cache import related_lists
    from sitegen.errors import Diagnostics

    articles = topic_articles()
    related_lists(_site(articles, tmp_path), tmp_path, Diagnostics())
    path = tmp_path / name
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage" * 50)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "bad marshal":  # the right key, then a valid checksum over bytes marshal refuses
        records = [marshal.dumps(keys.cache_key("related", 5)), b"\xff\xfe not marshal"]
        path.write_bytes(
            _MAGIC
            + b"".join(_HEAD.pack(len(r), zlib.crc32(r)) + r for r in records)
            + _HEAD.pack(0, 0)
        )
    else:  # readable, right key, but not what this code stores
        write_blob(path, keys.cache_key("related", 5), ("not", "an", "index"))
    edited = list(articles)
    edited[0] = dataclasses.replace(edited[0], title="Rocket orbit", content_hash="x")
    diag = Diagnostics()
    assert related_lists(_site(edited, tmp_path), tmp_path, diag) == related_articles(edited, 5)
    assert len(diag.warnings) == 1 and "damaged cache" in str(diag.warnings[0])
    diag = Diagnostics()
    assert related_lists(_site(edited, tmp_path), tmp_path, diag) == related_articles(edited, 5)
    assert not diag.warnings  # made anew


def _random_edit(rng: random.Random, articles: list[Article], step: int) -> list[Article]:
    """One random edit: a body, title, tags or language change, an added or a deleted article,
    or an article moved in the listing order."""
    import dataclasses

    articles = list(articles)
    kind = rng.choice(["body", "body", "title", "tags", "lang", "add", "delete", "move"])
    i = rng.randrange(len(articles))
    a = articles[i]
    if kind == "body":
        words = rng.choice(list(TOPICS.values())).split()
        extra = " ".join(rng.choice(words + FILLER) for _ in range(rng.randint(5, 60)))
        articles[i] = dataclasses.replace(
            a,
            body_utf8=(a.body[: rng.randint(0, 400)] + " " + extra).encode(),
            content_hash=f"{a.rel}:{step}",
        )
    elif kind == "title":
        articles[i] = dataclasses.replace(
            a, title=f"{a.title} {rng.choice(FILLER)} rocket", content_hash=f"{a.rel}:{step}"
        )
    elif kind == "tags":
        articles[i] = dataclasses.replace(
            a, tags=(rng.choice(list(TOPICS)),), content_hash=f"{a.rel}:{step}"
        )
    elif kind == "lang":
        articles[i] = dataclasses.replace(a, lang="fr" if a.lang == "en" else "en")
    elif kind == "add":
        name = rng.choice(list(TOPICS))
        vocab = TOPICS[name].split()
        body = " ".join(rng.choice(vocab + FILLER) for _ in range(rng.randint(20, 150)))
        articles.insert(i, article(f"new-{step}.md", f"Added {name} {step}", body))
    elif kind == "delete" and len(articles) > 3:
        del articles[i]
    elif kind == "move":
        articles.insert(rng.randrange(len(articles)), articles.pop(i))
    return articles


class KeptCounts:
    """What the engine's StoredCounts does, in a dict: the counts of an index's `fresh`, by rel,
    handed back only under the same key."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, tuple[str, bytes]]] = {}

    def get(self, wanted: dict[str, str]) -> dict[str, tuple[str, bytes]]:
        return {r: self.rows[r][1] for r, k in wanted.items() if self.rows.get(r, ("",))[0] == k}

    def keep(self, index) -> None:
        self.rows.update(index.fresh)
        for rel in index.dropped:
            self.rows.pop(rel, None)

    def put(self, fresh: dict) -> None:
        """`keep` as the update's own argument: counts handed over while it runs."""
        self.handed += len(fresh)
        self.rows.update(fresh)

    handed = 0


@pytest.mark.parametrize(("seed", "handed"), [(1, False), (2, False), (3, True), (4, True)])
def test_incremental_lists_equal_a_fresh_run_after_20_random_edits(seed, handed, monkeypatch):
    """The index kept between builds redoes only what an edit reaches, and after each of 20
    random edits (through a round trip of its stored form, the counts kept apart as the
    engine keeps them) gives a fresh run's lists; it works out only the edited article's
    counts, taking every other article's from those kept."""
    import marshal

    from sitegen.site.related import RelatedIndex

    if handed:  # counts handed over in batches while the update runs, not held
        monkeypatch.setattr("sitegen.site.related.KEEP_BATCH", 3)
    rng = random.Random(seed)
    articles = topic_articles(per_topic=8, seed=seed)
    kept = KeptCounts()
    put = kept.put if handed else None
    index = RelatedIndex(4)
    index.update(articles, kept.get, put)
    kept.keep(index)
    assert len(kept.rows) == len(articles)
    assert kept.handed == (len(articles) if handed else 0)
    assert not handed or not index.fresh
    for step in range(20):
        articles = _random_edit(rng, articles, step)
        index = RelatedIndex.from_data(marshal.loads(marshal.dumps(index.to_data())))
        got = index.update(articles, kept.get, put)
        assert len(index.fresh) <= 1, f"step {step}: counted again {sorted(index.fresh)}"
        kept.keep(index)
        assert set(kept.rows) == {a.rel for a in articles}
        assert got == related_articles(articles, 4), f"step {step}"
        assert got == RelatedIndex(4).update(articles)


@pytest.mark.parametrize("lose", ["all", "edited", "others"])
def test_lost_counts_are_worked_out_again_to_the_same_lists(lose):
    """Counts the engine lost (a deleted or damaged cache database): those of an edited
    article make the index start from nothing, those of others are counted again; the lists
    are a fresh run's either way."""
    import marshal

    from sitegen.site.related import RelatedIndex

    rng = random.Random(7)
    articles = topic_articles(per_topic=8, seed=7)
    kept = KeptCounts()
    index = RelatedIndex(4)
    index.update(articles, kept.get)
    kept.keep(index)
    for step in range(6):
        edited = _random_edit(rng, list(articles), step)
        changed = {a.rel for a in edited} ^ {a.rel for a in articles}
        changed |= {a.rel for a, b in zip(articles, edited, strict=False) if a != b}
        if lose == "all":
            kept.rows.clear()
        else:
            for rel in list(kept.rows):
                if (rel in changed) == (lose == "edited"):
                    del kept.rows[rel]
        index = RelatedIndex.from_data(marshal.loads(marshal.dumps(index.to_data())))
        assert index.update(edited, kept.get) == related_articles(edited, 4), f"step {step}"
        kept.keep(index)
        articles = edited


def test_terms_of_ascii_text_are_the_regex_words() -> None:
    """The ASCII path of terms_of (bytes operations) finds the words the regex finds."""
    import re

    from sitegen.site.related import _MARKUP, STOPWORDS, terms_of
    from tests.unit.test_textstats import random_ascii_texts

    def by_regex(text: str) -> list[str]:
        text = _MARKUP.sub(" ", text)
        words = re.findall(r"[^\W\d_][^\W_]+", text.lower())
        return [w for w in words if w not in STOPWORDS]

    for text in random_ascii_texts(20_000, seed=12):
        assert terms_of(text) == by_regex(text), repr(text)
    assert terms_of("In 2024 the 3rd harbour x 42nd") == ["rd", "harbour", "nd"]


def test_term_counts_are_the_terms_counted_in_order() -> None:
    """term_counts (count every word, then drop stopwords and one-letter words) gives what
    counting terms_of gives, in the same order: ties between equal weights depend on it."""
    from collections import Counter

    from sitegen.site.related import term_counts
    from tests.unit.test_textstats import random_ascii_texts

    texts = [*random_ascii_texts(20_000, seed=15)]
    texts += [
        "Ça, c'est l'été à Paris: the 2ème été",
        "Der Bürgermeister und die Stadt",
        "北京大学 and 大学",
    ]
    texts += ["See [the 3rd report](https://example.org/3) or <b>42nd</b> 7 x y z it's"]
    for text in texts:
        assert list(term_counts(text).items()) == list(Counter(terms_of(text)).items()), text


def test_packed_counts_hold_a_huge_count_as_the_largest_16_bit_one() -> None:
    from sitegen.site.related import pack_counts, unpack_counts

    assert unpack_counts(*pack_counts({"a": 3, "b": 70_000, "c": 65_535})) == [
        ("a", 3),
        ("b", 65_535),
        ("c", 65_535),
    ]


@pytest.mark.parametrize("seed", range(3))
def test_a_slot_table_entry_grown_as_gaps_holds_its_slots(seed) -> None:
    """A table's entry grown in slot order by a new index (`_Growing`, widened as gaps outgrow
    a byte, then two) gives back its slots and their number, short or long (numpy), and is
    kept between builds as the bytes of its ints, as any entry is."""
    from array import array

    from sitegen.site import related

    rng = random.Random(seed)
    for n in (1, 2, 3, 200, 1025, 3000):
        slots, slot = [], rng.randint(0, 500)
        for _ in range(n):
            slots.append(slot)
            slot += rng.choice((1, 1, 2, 7, 255, 256, 300, 65_535, 65_536, 100_000))
        grown = related._Growing(slots[0])
        for s in slots[1:]:
            grown.add(s)
        assert related._size(grown) == n
        assert grown.ints() == array("i", slots)
        table = {"t": grown}
        assert related._ints(table, "t") == array("i", slots) and table["t"] == array("i", slots)
        assert related._size(array("i", slots).tobytes()) == n


def test_a_new_index_grows_its_slot_table_as_gaps() -> None:
    """What a new index counts is held as gaps (about a byte a slot), not arrays of ints, and
    kept between builds as every entry is: read back, it gives the same lists."""
    import marshal

    from sitegen.site import related

    words = " ".join(TOPICS.values()).split()
    arts = [
        article(f"{i}.md", f"Story {i}", " ".join(random.Random(i).choices(words, k=60)))
        for i in range(40)
    ]
    index = related.RelatedIndex(3)
    lists = index.update(arts)
    assert index.inverted and all(type(v) is not related.array for v in index.inverted.values())
    again = related.RelatedIndex.from_data(marshal.loads(marshal.dumps(index.to_data())))
    assert again.update(arts) == lists
    assert related.related_articles(arts, 3) == lists


@pytest.mark.parametrize("count", [1, 2, 50, 1023, 1024, 5000])
@pytest.mark.parametrize("spread", [3, 300, 100_000])
def test_a_terms_slots_are_kept_as_gaps_and_read_back(count, spread):
    """The index's largest table keeps each term's slots as the gaps between them, in the
    narrowest width that holds them: read back they are the same slots (sorted), whether they
    were an edit's array in any order or a new index's growing list, short or long (numpy)."""
    from sitegen.site import related

    rng = random.Random(count * spread)
    slots = sorted(rng.sample(range(count * spread), count))
    growing = related._Growing(slots[0])
    for slot in slots[1:]:
        growing.add(slot)
    shuffled = slots[:]
    rng.shuffle(shuffled)
    for value in (related.array("i", shuffled), growing):
        packed = related._pack_slots(value)
        assert related._df(packed) == count
        table = {"term": packed}
        assert list(related._slots(table, "term")) == slots
        assert table["term"] == related.array("i", slots)  # the entry, unpacked for the update
    top = max((b - a for a, b in zip(slots, slots[1:], strict=False)), default=0)
    width = 1 if top < 256 else 2 if top < 65536 else 4
    assert packed[related._PACKED_HEAD.size - 1] == width
    assert len(packed) == related._PACKED_HEAD.size + width * (count - 1)


def test_members_moved_at_once_equal_moved_one_slot_at_a_time():
    """`_move_members` (one pass over each term's members) leaves the members the slot-by-slot
    way left them: the same slots, in the same order, a term with none left gone."""
    rng = random.Random(7)
    terms = [f"t{i}" for i in range(12)]
    for _ in range(200):
        start = {t: rng.sample(range(60), rng.randint(0, 20)) for t in terms}
        start = {t: slots for t, slots in start.items() if slots}
        # each moved slot leaves the terms it had and joins its new ones, in turn
        moves = []
        for slot in rng.sample(range(60), rng.randint(0, 30)):
            had = [t for t, slots in start.items() if slot in slots]
            moves.append((slot, had, rng.sample(terms, rng.randint(0, 4))))
        one_by_one = {t: list(slots) for t, slots in start.items()}
        for slot, had, now in moves:
            for t in had:
                one_by_one[t].remove(slot)
                if not one_by_one[t]:
                    del one_by_one[t]
            for t in now:
                one_by_one.setdefault(t, []).append(slot)
        index = RelatedIndex(3)
        index.members = {t: array("i", slots).tobytes() for t, slots in start.items()}
        leaving: dict[str, array] = {}
        joining: dict[str, array] = {}
        for slot, had, now in moves:
            for t in had:
                leaving.setdefault(t, array("i")).append(slot)
            for t in now:
                joining.setdefault(t, array("i")).append(slot)
        index._move_members(leaving, joining)
        got = {t: list(v if type(v) is array else array("i", v)) for t, v in index.members.items()}
        assert got == one_by_one
