"""URL slugs: readable, lower-case, ASCII, stable, and unique within a collection.

python-slugify transliterates any script (an Arabic or accented title still gets a usable slug);
a title with nothing to transliterate falls back to a stable hash, never to an empty slug.
"""

from __future__ import annotations

import hashlib

from slugify import slugify as _slugify

MAX_SLUG_LENGTH = 80


def slugify(text: str, fallback_prefix: str = "article") -> str:
    slug = _slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{fallback_prefix}-{digest}"
    return slug


def unique_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`... whichever is not taken yet."""
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"
