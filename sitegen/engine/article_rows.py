"""The bytes of an article's row in the article cache (engine/sourcecache.py), and back.

Every build reads every article's row, so a row is read in the time a build takes to begin:
it is `marshal` of the article's field values, with what marshal cannot hold written as
tuples of their parts (the dates, the dates among the front matter's values, the images) and
the names many articles repeat (language, author, tags, categories) interned, which marshal
keeps: read back, they are one string for all articles without a pass over them. About 1.4
times as fast to read as the pickle it replaced, which made a time zone for each article and
interned the names in Python. The body is not in the row (it waits in the cache's `texts`
table, and the row's own stat key says where). An article with anything else marshal cannot
hold (a time zone from a file, a front matter value of another type, a warning to repeat) is
pickled whole, as before: the first byte tells the two apart (a pickle's is 0x80, a marshalled
tuple's never is).
"""

from __future__ import annotations

import datetime as dt
import marshal
import pickle
import zoneinfo

from sitegen.content.article import (
    ARTICLE_FIELDS,
    FIELD_INDEX,
    Article,
    StoredBody,
    article_from_values,
    shared_names,
)
from sitegen.errors import SiteError
from sitegen.text.bodyscan import ImageRef

_AT = FIELD_INDEX
_DATES = tuple(_AT[name] for name in ("date", "updated", "publish_date", "expiry_date"))
_BODY, _META, _IMAGES, _REL = _AT["body_utf8"], _AT["meta"], _AT["images"], _AT["rel"]
_PICKLE = 0x80  # the first byte of a pickle of protocol 2 or later


class _NotPlain(Exception):
    """A value the marshal row cannot hold: the article is pickled instead."""


def to_row(article: Article, warnings: list[SiteError]) -> bytes:
    """The row of `article` (whose body waits in the cache) and the warnings it gave."""
    if not warnings:
        try:
            return marshal.dumps(_plain(article))
        except (_NotPlain, ValueError):  # ValueError: marshal met a type it cannot write
            pass
    return pickle.dumps((article, warnings), protocol=5)


def from_row(data: bytes, body: StoredBody) -> tuple[Article, list[SiteError]]:
    """The article and its warnings from `to_row`'s bytes; `body` is where its body waits. The
    article's `rel` is the body's own string when they are equal (one string held, not two)."""
    if data[:1] == bytes((_PICKLE,)):
        article, warnings = pickle.loads(data)
        if not isinstance(article, Article):
            raise TypeError(type(article).__name__)
        return article, warnings
    values = list(marshal.loads(data))
    if len(values) != len(ARTICLE_FIELDS):
        raise ValueError("a row of another shape")
    made: dict[tuple, dt.datetime | dt.date] = {}  # the front matter's date is the field's
    for i in _DATES:
        if values[i] is not None:
            values[i] = _when(values[i], made)
    meta = values[_META]
    for key, value in meta.items():
        if type(value) is tuple:  # front matter never gives a tuple: these are dates
            meta[key] = _when(value, made)
    values[_BODY] = body
    if values[_REL] == body.rel:
        values[_REL] = body.rel
    if values[_IMAGES]:
        values[_IMAGES] = tuple(ImageRef(*image) for image in values[_IMAGES])
    return article_from_values(values), []


def _plain(article: Article) -> tuple:
    # the names many articles repeat, interned (and the translation key the slug's string):
    # marshal writes them so and reads them back so, one string for every article, with no
    # pass over them when read
    values = shared_names([getattr(article, name) for name in ARTICLE_FIELDS])
    for i in _DATES:
        values[i] = _parts(values[i])
    meta = {}
    for key, value in values[_META].items():
        kind = type(value)
        if kind is dt.datetime or kind is dt.date:
            value = _parts(value)
        elif kind is tuple:
            raise _NotPlain  # would read back as a date
        elif kind is str and key in _AT and value == values[_AT[key]]:
            value = values[_AT[key]]  # the field's own string (a summary): one copy, held
        meta[key] = value
    values[_META] = meta
    values[_BODY] = None
    values[_IMAGES] = tuple(
        (i.src, i.line, i.alt, i.title, i.raw) for i in article.images if type(i) is ImageRef
    )
    if len(values[_IMAGES]) != len(article.images):
        raise _NotPlain
    return tuple(values)


def _parts(value: dt.datetime | dt.date | None) -> tuple | None:
    """A date or time as a tuple: (y, m, d) or (y, m, d, H, M, S, us, fold, zone) with the zone
    as the name of a `zoneinfo` zone, a fixed offset as (days, seconds, microseconds), or
    None for none."""
    if value is None:
        return None
    if type(value) is dt.date:
        return (value.year, value.month, value.day)
    if type(value) is not dt.datetime:
        raise _NotPlain
    zone = value.tzinfo
    where: tuple | str | None = None
    if type(zone) is zoneinfo.ZoneInfo and zone.key is not None:
        if zoneinfo.ZoneInfo(zone.key) is not zone:
            raise _NotPlain  # not the cached zone of that name (made from a file, or anew)
        where = zone.key  # the site's `timezone` setting, given to times written without one
    elif type(zone) is dt.timezone:
        delta = zone.utcoffset(None)
        if zone.tzname(None) != dt.timezone(delta).tzname(None):
            raise _NotPlain  # a fixed offset with a name of its own
        where = (delta.days, delta.seconds, delta.microseconds)
    elif zone is not None:
        raise _NotPlain
    return (*value.timetuple()[:6], value.microsecond, value.fold, where)


_ZONES: dict[tuple[int, int, int], dt.timezone] = {}  # one object per offset, shared


def _when(parts: tuple | None, made: dict) -> dt.datetime | dt.date | None:
    if parts is None:
        return None
    value = made.get(parts)
    if value is not None:
        return value
    if len(parts) == 3:
        value = dt.date(*parts)
    else:
        y, m, d, hh, mm, ss, us, fold, where = parts
        zone: dt.tzinfo | None = None
        if type(where) is str:
            zone = zoneinfo.ZoneInfo(where)  # one object per name: ZoneInfo keeps them
        elif where is not None:
            zone = _ZONES.get(where)
            if zone is None:
                zone = _ZONES[where] = dt.timezone(dt.timedelta(*where))
        value = dt.datetime(y, m, d, hh, mm, ss, us, tzinfo=zone, fold=fold)
    made[parts] = value
    return value
