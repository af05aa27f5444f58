"""A title for a moved post that has none, so that the migrated site builds.

Part of `sitegen migrate` (ingest stage), used by articles.py. Hugo, Zola and Astro build a
page without a title (an About page, a `tilte = ...` typo); sitegen needs one, and says so
with an error. The migrated copy gets a `title` instead: the value of a key that is a close
misspelling of `title` (the rule content/article.py uses to name the typo), else the file name
made readable. The report lists each one, so the writer can check it. Pure.
"""

from __future__ import annotations

import posixpath
import re
from difflib import get_close_matches
from typing import Any

from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import strip_lang

# the start of the content reader's error for a file with no title at all
TITLE_REQUIRED = "title is required"
_DATE_PREFIX = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[-_ ]+|$)")
# `index.md`, and `index-en.md` or `index_ja.md`: a folder's page (in one language)
_INDEX = re.compile(r"index(?:[-_.][a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)?")


def needs_title(errors: list[SiteError]) -> bool:
    """Whether the content reader refused a post only because it has no title (it may have
    other errors too: those stay)."""
    return any(e.message.startswith(TITLE_REQUIRED) for e in errors)


def readable_name(rel: str, lang: str = "") -> str:
    """A title from a content path: the file name (a folder's for its index page), without
    extension, language suffix (`.ja`, or `-ja` when the post is in `lang`) or date prefix,
    dashes and underscores as spaces, the first letter capitalised
    (`2020-01-31-first-steps.md` -> `First steps`)."""
    folder, name = posixpath.split(rel)
    stem = strip_lang(name.rsplit(".", 1)[0] if "." in name else name)
    if lang and stem.lower().endswith((f"-{lang.lower()}", f"_{lang.lower()}")):
        stem = stem[: -len(lang) - 1] or stem
    if _INDEX.fullmatch(stem) and folder:
        stem = posixpath.basename(folder)
    words = " ".join(re.sub(r"[-_]+", " ", _DATE_PREFIX.sub("", stem)).split())
    if not words:  # a name that is only a date
        words = stem
    return words[:1].upper() + words[1:]


def misspelt_title(meta: dict[str, Any]) -> tuple[str, str] | None:
    """(key, value) of a front matter key that is a close misspelling of `title` and holds
    text; None when there is none."""
    keys = {str(k).lower(): k for k in meta if str(k).lower() != "title"}  # as the build
    close = get_close_matches("title", list(keys), 1, 0.7)
    if not close:
        return None
    key = keys[close[0]]
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    return (str(key), text) if text else None


def title_for(text: str, rel: str) -> tuple[str, str]:
    """(title, why) for a post with no title: a misspelt key's value, else its file name."""
    try:
        meta = split_front_matter(text, rel).meta
    except SiteError:
        meta = {}
    typo = misspelt_title(meta)
    if typo:
        return typo[1], f"no `title`; the value of '{typo[0]}', a misspelt 'title'"
    lang = next((v for k, v in meta.items() if str(k).lower() in ("lang", "language")), "")
    return (
        readable_name(rel, lang if isinstance(lang, str) else ""),
        "no `title` and no `# heading`: from the file name",
    )
