"""The article cache's rows (engine/article_rows.py): marshal where the values allow, a pickle
where they do not, and the same article back either way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.content.article import ARTICLE_FIELDS, Article, StoredBody, article_from_values
from sitegen.engine.article_rows import from_row, to_row
from sitegen.errors import SiteError
from sitegen.text.bodyscan import ImageRef
from tests.unit.fuzzing import FUZZ
from tests.unit.test_article_storage import loaded

BODY = StoredBody("/site/.sitegen/cache.sqlite", "post.md", (10, 20, 30))
TEXT = (
    "---\ntitle: Ünïcode — “quoted”\ntags: [a, b]\ndate: 2024-03-01T08:30:00+05:30\n"
    "updated: 2024-03-02 10:00:00\nevent: 2024-05-06\nimage: x.png\nzeta: 1\n"
    "extra: {nested: [1, 2.5, true, null]}\nalpha: [x, y]\n---\n\n"
    'A body — 日本語.\n\n![pic](pic.png "T") <img src=raw.png>\n\n[other](other.md)\n'
)


@pytest.fixture
def article(tmp_path: Path) -> Article:
    return dataclasses.replace(loaded(tmp_path, TEXT), body_utf8=BODY)


def assert_same(again: Article, article: Article) -> None:
    for field in dataclasses.fields(Article):  # meta is left out of ==: compare every field
        a, b = getattr(again, field.name), getattr(article, field.name)
        assert a == b, field.name
        assert type(a) is type(b), field.name
    assert list(again.meta) == list(article.meta)  # the front matter's order, for templates
    for key, value in article.meta.items():
        assert type(again.meta[key]) is type(value), key
        if isinstance(value, dt.datetime):
            assert again.meta[key].utcoffset() == value.utcoffset(), key


def test_an_article_comes_back_from_its_marshal_row_as_it_was(article):
    row = to_row(article, [])
    assert row[:1] != b"\x80"  # not a pickle
    again, warnings = from_row(row, BODY)
    assert warnings == []
    assert_same(again, article)
    assert again.date.utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert again.images and all(type(i) is ImageRef for i in again.images)
    assert again.meta["event"] == dt.date(2024, 5, 6)
    assert again.meta["date"] is again.date  # one object, as the article had
    assert again.updated.tzinfo is zoneinfo.ZoneInfo("UTC")  # the site's zone, by its name
    paris = dataclasses.replace(
        article, updated=dt.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    )
    again, _ = from_row(to_row(paris, []), BODY)
    assert_same(again, paris)
    assert again.updated.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    "change",
    [
        {"updated": dt.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo.no_cache("Europe/Paris"))},
        {"updated": dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1), "CET"))},
        {"meta": {"when": dt.time(10, 30)}},
        {"meta": {"pair": (1, 2)}},  # no front matter gives a tuple; one is not read as a date
        {"meta": {"list": [dt.date(2024, 1, 1)]}},
    ],
    ids=["uncached-zone", "named-offset", "a-time", "a-tuple", "nested-date"],
)
def test_what_marshal_cannot_hold_is_pickled_and_comes_back(article, change):
    changed = dataclasses.replace(article, **change)
    row = to_row(changed, [])
    assert row[:1] == b"\x80"
    again, _ = from_row(row, BODY)
    assert_same(again, changed)
    assert again.meta == changed.meta


def test_warnings_come_back_with_the_article(article):
    warning = SiteError("an odd key", "content/post.md", 3, "rename it", warning=True)
    again, warnings = from_row(to_row(article, [warning]), BODY)
    assert_same(again, article)
    assert [(w.message, w.line, w.hint) for w in warnings] == [("an odd key", 3, "rename it")]


def test_rows_of_two_articles_share_their_offsets_and_names(article):
    first, _ = from_row(to_row(article, []), BODY)
    other, _ = from_row(to_row(dataclasses.replace(article, rel="b.md"), []), BODY)
    assert first.date.tzinfo is other.date.tzinfo
    assert first.lang is other.lang and first.tags[0] is other.tags[0]
    assert first.meta["tags"][0] is other.meta["tags"][0] is first.tags[0]
    assert first.translation_key == first.slug and first.translation_key is first.slug
    summary = dataclasses.replace(article, meta={**article.meta, "summary": "Said once."})
    again, _ = from_row(to_row(dataclasses.replace(summary, summary="Said once."), []), BODY)
    assert again.meta["summary"] is again.summary  # one string for the two


def test_a_row_of_another_shape_is_an_error(article):
    import marshal

    with pytest.raises(ValueError):
        from_row(marshal.dumps((1, 2, 3)), BODY)


def test_an_article_made_from_its_values_is_the_one_its_constructor_makes(article):
    values = [getattr(article, name) for name in ARTICLE_FIELDS]
    made = article_from_values(values)
    assert type(made) is Article and made == Article(*values)
    assert_same(made, article)
    assert hash(made) == hash(article)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        article_from_values(values[:-1])  # a value short: never an article with a hole
    assert_same(pickle.loads(pickle.dumps(made)), article)  # what workers send back


# what front matter parsers give (YAML, TOML, JSON): no tuples, times with fixed offsets,
# zones by name (the site's `timezone`), dates, and every plain type nested
_ZONES = st.sampled_from(
    [None, dt.UTC, zoneinfo.ZoneInfo("Europe/Paris"), zoneinfo.ZoneInfo("Asia/Kolkata")]
    + [dt.timezone(dt.timedelta(minutes=m)) for m in (-570, -60, 330, 345, 840)]
)
_TIMES = st.builds(
    lambda when, zone, fold: when.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    _ZONES,
    st.integers(0, 1),
)
_SCALARS = (
    st.text(max_size=20)
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.binary(max_size=8)
)
_PLAIN = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_META = st.dictionaries(
    st.text(max_size=12) | st.sampled_from(["title", "summary", "date", "tags"]),
    _PLAIN | _TIMES | st.dates() | st.lists(_TIMES | st.dates(), max_size=2),
    max_size=8,
)


@settings(  # the article is only read: one for every example
    parent=FUZZ,
    suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture],
)
@given(meta=_META, when=_TIMES, updated=st.none() | _TIMES, summary=st.text(max_size=30))
def test_any_front_matter_comes_back_from_its_row_as_it_was(article, meta, when, updated, summary):
    changed = dataclasses.replace(article, meta=meta, date=when, updated=updated, summary=summary)
    again, _ = from_row(to_row(changed, []), BODY)
    assert_same(again, changed)
    assert again.meta == changed.meta
    for ours, theirs in ((again.date, when), (again.updated, updated)):
        assert ours == theirs and (ours is None or ours.tzinfo == theirs.tzinfo)
        assert ours is None or (ours.utcoffset(), ours.fold) == (theirs.utcoffset(), theirs.fold)
