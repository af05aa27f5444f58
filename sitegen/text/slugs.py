"""URL slugs: readable, lower-case, stable, and unique within a collection.

By default slugs are ASCII: python-slugify transliterates any script (an Arabic or accented title
still gets a usable slug). With `unicode_slugs`, letters of every script are kept, lower-cased, so
a Korean or Russian blog keeps addresses in its own script (as Jekyll and Hugo make them). Either
way a title with nothing left to keep falls back to a stable hash, never to an empty slug.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from slugify import slugify as _slugify

MAX_SLUG_LENGTH = 80

_ASCII_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")


@functools.lru_cache(maxsize=1 << 16)  # a site's few thousand names, each looked up per article
def term_key(name: str) -> str:
    """What makes two tag or category names one: case, spacing and Unicode composition do not
    count (`Café` typed with an `é`, or with an `e` and a combining accent as macOS file names
    and some keyboards give it, look the same and are one tag)."""
    if not name.isascii():
        name = unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())
    return " ".join(name.casefold().split())


def slugify(text: str, fallback_prefix: str = "article", unicode: bool = False) -> str:
    """`text` as a slug; `unicode` keeps letters of every script instead of transliterating."""
    if unicode:
        # the modern rules keep a word's combining marks (Hindi, Thai vowels): the legacy ones
        # cut `हिंदी` into `ह-द`; ASCII slugs stay on the legacy rules that made today's URLs
        slug = _slugify(
            text,
            max_length=MAX_SLUG_LENGTH,
            word_boundary=True,
            save_order=True,
            allow_unicode=True,
            algorithm="modern",
        )
    else:
        slug = _slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{fallback_prefix}-{digest}"
    return slug


def is_slug(text: str, unicode: bool = False) -> bool:
    """Whether a slug given by hand is kept exactly as written (else it goes through
    `slugify`): lower-case letters (any script with `unicode`), digits, `.`, `_`, `-`, starting
    with a letter or digit. The build and `sitegen migrate` share this one rule."""
    if not unicode:
        return _ASCII_SLUG_RE.fullmatch(text) is not None
    if not text[:1].isalnum() or text != text.lower():
        return False
    return all(
        ch.isalnum() or ch in "._-" or unicodedata.category(ch).startswith("M") for ch in text
    )


def unique_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`... whichever is not taken yet."""
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"
