"""content/ -> Article records: discovery, front matter mapping, validation.

Reads every convention a blog may arrive in: Jekyll, Hugo, Zola, Pelican and MkDocs key names
are mapped onto ours (the original keys stay in `meta` for templates), Jekyll's dated file
names, Hugo/Zola page bundles (`<name>/index.md` plus its files) and translations
(`name.<lang>.md`, `index.<lang>.md`). Pure apart from reading files.
"""

from __future__ import annotations

import datetime as dt
import operator
import os
import posixpath
import re
import sys
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, fields, replace
from difflib import get_close_matches
from itertools import repeat
from pathlib import Path
from stat import S_ISREG
from typing import Any, ClassVar

from sitegen.config import SiteConfig
from sitegen.content.foreign import convert as convert_foreign
from sitegen.content.foreign import (
    fill_site_values,
    flatten_tabs,
    has_template_syntax,
    replace_shortcodes,
    strip_block_attributes,
)
from sitegen.content.frontmatter import FrontMatter, split_front_matter
from sitegen.errors import Diagnostics, SiteError
from sitegen.fsutil import (
    NOT_UTF8_HINT,
    NOT_UTF8_NAME,
    child,
    from_site,
    is_inside,
    is_utf8,
    sha1_bytes,
    shown_path,
)
from sitegen.text.bodyscan import (
    ImageRef,
    code_spans,
    disk_links,
    scan_content_links,
    scan_images,
    spaced_images,
)
from sitegen.text.languages import is_language_code
from sitegen.text.slugs import is_slug, slugify, term_key
from sitegen.text.textstats import (
    NOT_TEXT,
    closed_bidi,
    first_paragraph,
    markdown_to_text,
    reading_minutes,
    summarize,
    text_for_counting,
    word_count,
)
from sitegen.text.urls import site_path

CONTENT_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd")
MORE_RE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.M | re.I)
# the warning for an article titled from its file name (sitegen migrate gives such a post that
# title in the front matter it adds, where a title is required)
TITLE_FROM_FILE_NAME = "no title in front matter and no # heading; using the file name"
# Jekyll's dated names: a month and a day of one digit are fine to it (`2016-11-5-dino.md`)
JEKYLL_NAME_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
H1_RE = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$")


@dataclass(frozen=True)
class SourceFile:
    """One content file found on disk, with what its place in the tree tells."""

    path: Path
    rel: str  # relative to content/, posix
    lang: str | None  # from a `.<lang>.md` suffix
    translation_key: str  # the same for all language versions of one article
    bundle: str | None  # bundle folder relative to content/, for index.md bundles
    resources: tuple[str, ...] = ()  # bundle files relative to the bundle folder
    folder_lang: str | None = None  # the language whose folder holds it (content/<lang>/...)


@dataclass(frozen=True, slots=True)
class StoredBody:
    """An article body that is not held in memory, and where it waits: the article's row in
    the engine's article cache, as of the file's stat key. Articles taken from the cache carry
    this instead of their bytes, so a site's bodies are never all in memory at once; only
    rendering (on a cache miss) and indexing read them, through `Article.body`.

    `reader` is installed by engine/sourcecache.py, which owns the cache's format."""

    database: str
    rel: str
    stat: tuple[int, int, int]
    reader: ClassVar[Callable[[StoredBody], bytes] | None] = None

    def read(self) -> bytes:
        if StoredBody.reader is None:
            raise RuntimeError(f"no reader for the stored body of {self.rel}")
        return StoredBody.reader(self)

    def __reduce__(self) -> tuple:
        """Pickled as its fields (see `_stored_body`)."""
        return (_stored_body, (self.database, self.rel, self.stat))


def _stored_body(database: str, rel: str, stat: tuple[int, int, int]) -> StoredBody:
    """`StoredBody(...)` with the cache file's name shared by every body of a build (each
    article is pickled alone, so each had its own copy), made faster than from the state
    dict of a slots dataclass."""
    return StoredBody(sys.intern(database), rel, stat)


@dataclass(frozen=True, slots=True)  # slots: ~1 KB less per article (100k-article sites)
class Article:
    """One content file, loaded: front matter resolved into typed fields, the Markdown body,
    and what the site model needs (tags, dates, language, translation key, bundle files).
    Made by `load_article`, cached between builds (engine/article_rows.py), never changed
    after loading."""

    source: str  # path relative to the site root, for messages
    rel: str  # path relative to content/
    title: str
    slug: str
    date: dt.datetime
    updated: dt.datetime | None
    summary: str
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    author: str
    authors: tuple[str, ...]
    draft: bool
    aliases: tuple[str, ...]
    lang: str
    translation_key: str
    # the Markdown body as UTF-8 (`body` gives the text): half the memory of a str holding
    # one non-Latin-1 character (a dash, a curly quote), which Python stores 2 bytes a char;
    # or, for an article taken from the cache, where the bytes wait (read when needed)
    body_utf8: bytes | StoredBody
    body_line: int
    content_hash: str
    meta: dict[str, Any] = field(hash=False, compare=False)
    bundle: str | None = None
    resources: tuple[str, ...] = ()
    publish_date: dt.datetime | None = None
    expiry_date: dt.datetime | None = None
    words: int = 0
    reading_minutes: int = 1
    has_date: bool = True
    image: str = ""  # the article's picture as written: front matter, else its first image
    images: tuple[ImageRef, ...] = ()  # every image the body shows, with lines
    links: tuple[str, ...] = ()  # links to other content files, as written
    url: str = ""  # the article's own site-root URL from front matter; "" means the permalink
    # False for a page of its own (About, Contact): built, but in no listing, feed or taxonomy
    listed: bool = True
    # (what, key as written, line) of the front matter keys later stages check and may have to
    # point at: "image" (a picture not found), "slug", "aliases", "url" (two pages at one
    # address); only the ones the front matter gives, so most articles hold ()
    key_lines: tuple[tuple[str, str, int], ...] = ()

    @property
    def body(self) -> str:
        """The Markdown body (decoded on each use: only rendering and indexing read it). An
        article from the cache reads it from there: this may read a file."""
        body = self.body_utf8
        return (body if type(body) is bytes else body.read()).decode()

    def key_line(self, what: str) -> tuple[str, int] | None:
        """(key as written, line) of the front matter key behind `what` (see `key_lines`)."""
        for name, key, line in self.key_lines:
            if name == what:
                return key, line
        return None

    def held(self) -> Article:
        """This article with its body in memory (to send it to another machine)."""
        if type(self.body_utf8) is bytes:
            return self
        return replace(self, body_utf8=self.body_utf8.read())

    def __reduce__(self) -> tuple:
        """Pickled as the field values in order: unpickling calls the constructor once, about
        twice as fast as the per-field state dict of a slots dataclass (the workers that parse
        a new site's files send every article back pickled)."""
        return (article_from_fields, tuple([getattr(self, name) for name in ARTICLE_FIELDS]))


ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
FIELD_INDEX = {name: i for i, name in enumerate(ARTICLE_FIELDS)}  # name -> place in the values
_ONE_NAME = (FIELD_INDEX["lang"], FIELD_INDEX["author"])
_NAMES = tuple(FIELD_INDEX[name] for name in ("tags", "categories", "authors"))
_META, _SLUG, _KEY = FIELD_INDEX["meta"], FIELD_INDEX["slug"], FIELD_INDEX["translation_key"]


def _shared(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


def shared_names(values: Sequence[Any]) -> list[Any]:
    """An article's field values with the short strings that many articles repeat (language,
    author, tag and category names, in the fields and in the front matter's lists) interned,
    one string for all articles instead of a copy in each, and the translation key the slug's
    string when they are equal (about 450 bytes an article less: all are held). The front
    matter is a new dict; `values` is left as it was."""
    v = list(values)
    for i in _ONE_NAME:
        v[i] = _shared(v[i])
    for i in _NAMES:
        v[i] = tuple([_shared(name) for name in v[i]])
    v[_META] = {  # the front matter's own lists of names (tags: [...])
        key: [_shared(item) for item in value] if type(value) is list else value
        for key, value in v[_META].items()
    }
    if v[_KEY] == v[_SLUG]:
        v[_KEY] = v[_SLUG]
    return v


# each field's slot descriptor, in field order: `article_from_values` sets them directly
_SLOT_SETTERS = tuple(Article.__dict__[name].__set__ for name in ARTICLE_FIELDS)


def article_from_values(values: Sequence[Any]) -> Article:
    """`Article(*values)` for a complete list of field values, in 0.6 times the time: a frozen
    dataclass's `__init__` sets each of the 31 fields by a Python call to
    `object.__setattr__`, this sets the slots in one pass of C calls. Every build makes every
    article of the site from its cache row, so the difference is a build's (35 ms at 10,000
    articles). No field has a default to fill in or a check to run (no `__post_init__`)."""
    if len(values) != len(_SLOT_SETTERS):
        raise TypeError(f"an article has {len(_SLOT_SETTERS)} fields, not {len(values)}")
    article = object.__new__(Article)
    deque(map(operator.call, _SLOT_SETTERS, repeat(article), values), 0)
    return article


def article_from_fields(*values: Any) -> Article:
    """`Article(*values)` with `shared_names`: every article a worker parsed comes through
    here (the cache's rows keep the names interned: engine/article_rows.py)."""
    return article_from_values(shared_names(values))


def discover(config: SiteConfig, diag: Diagnostics) -> tuple[list[SourceFile], list[str]]:
    """All content files and the other files under content/ (copied as they are)."""
    root = config.content_path
    sources: list[SourceFile] = []
    statics: list[str] = []
    if not root.is_dir():
        return sources, statics
    folders = language_folders(config)
    for here, dirs, files, links in _walk(root, diag):
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        folder_lang, key_dir = split_language_folder(rel_dir, folders)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in _not_utf8(dirs):
            diag.error(
                SiteError(
                    "folder name is not valid UTF-8; nothing in it is read",
                    shown_path(here / name),
                    hint=NOT_UTF8_HINT,
                )
            )
            dirs.remove(name)
        for d in list(dirs):
            link = here / d
            if d in links and not is_inside(link, config.root):
                diag.warn("symlink points outside the site; not followed", link)
                dirs.remove(d)
        for name in _not_utf8(files):
            _left_out_by_name(here / name, diag)
            files.remove(name)
        files = sorted(
            f
            for f in files
            if not f.startswith(".")
            and not _is_backup(f)
            and not (f in links and _outside_link(here / f, config, diag))
        )
        # a language folder's own index.md is a page, not a bundle owning the whole language
        index_files = [f for f in files if _is_index(f)] if key_dir else []
        if index_files:
            dirs_copy = list(dirs)
            dirs[:] = []  # a leaf bundle owns everything below it
            below = [f for f in files if f not in index_files]
            for d in dirs_copy:
                for sub, _, subfiles in os.walk(here / d):
                    for f in sorted(subfiles):
                        path = Path(sub) / f
                        if not is_utf8(str(path)):  # the file's name, or a folder's above it
                            _left_out_by_name(path, diag)
                        elif not f.startswith(".") and not _outside_link(path, config, diag):
                            below.append(path.relative_to(here).as_posix())
            # Markdown beside index.md is a page of its own (a guide's chapters), never a file
            # published as it is; Hugo does not publish it either
            resources = [f for f in below if not f.lower().endswith(CONTENT_EXTENSIONS)]
            for name in below:
                if name.lower().endswith(CONTENT_EXTENSIONS) and "/_index." not in f"/{name}":
                    folder = "/".join(p for p in (key_dir, posixpath.dirname(name)) if p)
                    sources.append(
                        _article_source(here / name, f"{rel_dir}/{name}", folder, folder_lang)
                    )
            for name in index_files:
                lang = _lang_suffix(name)
                sources.append(
                    SourceFile(
                        here / name,
                        f"{rel_dir}/{name}",
                        lang,
                        key_dir,
                        rel_dir,
                        tuple(sorted(resources)),
                        folder_lang,
                    )
                )
            continue
        for name in files:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not name.lower().endswith(CONTENT_EXTENSIONS):
                statics.append(rel)
                continue
            if name.startswith("_index."):
                continue  # Hugo/Zola section pages: our listings are generated
            sources.append(_article_source(child(here, name), rel, key_dir, folder_lang))
    return sources, statics


def same_listing(changed: Collection[Path], sources: Sequence[SourceFile]) -> frozenset[str] | None:
    """The rels of the `sources` not in `changed`, when `changed` (the preview watcher's
    batch) holds only content files that `sources` has and that are still regular files there:
    a walk of content/ would then find the same files, and only the changed ones can differ.
    None when it holds anything else (a file new, deleted or moved, a folder, a link, a theme
    or static file): the build walks content/ again.

    Hugo's and Zola's servers rebuild from their watcher's events alike; a walk of 100,000
    files and a stat of each would be about a second of every preview rebuild."""
    by_path = {str(s.path): s.rel for s in sources}
    edited: set[str] = set()
    for path in changed:
        rel = by_path.get(str(path))
        if rel is None:
            return None
        try:
            if not S_ISREG(os.lstat(path).st_mode):
                return None
        except OSError:
            return None
        edited.add(rel)
    return frozenset(by_path.values()) - edited


def _article_source(path: Path, rel: str, key_dir: str, folder_lang: str | None) -> SourceFile:
    """A content file that is an article of its own (not a bundle's index) in the folder
    `key_dir` below its language folder: its translation key is that folder and its name,
    without extension and language suffix."""
    name = path.name
    lang = _lang_suffix(name)
    stem = _strip_ext(name)
    if lang:
        stem = stem[: -len(lang) - 1]
    key = f"{key_dir}/{stem}" if key_dir else stem
    return SourceFile(path, rel, lang, key, None, (), folder_lang)


def language_folders(config: SiteConfig) -> dict[str, str]:
    """Folder below content/ -> language code, for the languages of `languages` that have one:
    their `folder`, else a folder named as the code when it exists (Hugo's content/en/, ja/)."""
    folders: dict[str, str] = {}
    for language in config.languages:
        if language.folder:
            folders[language.folder] = language.code
        elif (config.content_path / language.code).is_dir():
            folders[language.code] = language.code
    return folders


def split_language_folder(rel: str, folders: dict[str, str]) -> tuple[str | None, str]:
    """(language of the folder holding `rel`, `rel` below that folder); (None, rel) outside."""
    for folder, code in folders.items():
        if rel == folder:
            return code, ""
        if rel.startswith(folder + "/"):
            return code, rel[len(folder) + 1 :]
    return None, rel


def _walk(root: Path, diag: Diagnostics):
    """os.walk (top-down, the caller may prune `dirs`), plus the names that are symlinks, from
    the same scandir call: no extra stat per file. A folder that cannot be read is an error
    (its articles would vanish from the site); a link that cannot be followed (a loop, a
    missing target) is a warning, and nothing."""
    stack = [root]
    while stack:
        here = stack.pop()
        dirs: list[str] = []
        files: list[str] = []
        links: set[str] = set()
        try:
            with os.scandir(here) as it:
                for entry in it:
                    if entry.is_symlink():
                        links.add(entry.name)
                    try:
                        is_dir = entry.is_dir()  # follows links, like os.walk's listing
                        # a pipe, socket or device: reading one could wait forever
                        special = not is_dir and not entry.is_file() and entry.stat() is not None
                    except FileNotFoundError:  # a link to nothing: an error when read
                        is_dir = special = False
                    except OSError as exc:
                        diag.warn(f"cannot follow this link: {exc.strerror}; left out", entry.path)
                        continue
                    if special:
                        diag.warn(
                            "not a regular file (a pipe, socket or device); left out", entry.path
                        )
                        continue
                    (dirs if is_dir else files).append(entry.name)
        except OSError as exc:
            diag.error(
                SiteError(
                    f"cannot read this folder: {exc.strerror}",
                    here,
                    hint="give the folder read permission, or move it out of the content folder",
                )
            )
            continue
        yield here, dirs, files, links
        stack.extend(here / d for d in reversed(dirs) if d not in links)  # never into a link


def _not_utf8(names: list[str]) -> list[str]:
    """The `names` (of one folder's listing) that are not UTF-8: one encoding of them all
    tells there are none, as there almost never are."""
    if is_utf8("".join(names)):
        return []
    return [name for name in names if not is_utf8(name)]


def _left_out_by_name(path: Path, diag: Diagnostics) -> None:
    """A file whose name (or a folder's in its path) is not UTF-8 is left out: an error for a
    content file, whose article would be missing from the site, a warning for another (as
    for a file of static/)."""
    if path.name.lower().endswith(CONTENT_EXTENSIONS):
        diag.error(
            SiteError(
                "file name is not valid UTF-8; its article is left out",
                shown_path(path),
                hint=NOT_UTF8_HINT,
            )
        )
    else:
        diag.warn(NOT_UTF8_NAME, shown_path(path), hint=NOT_UTF8_HINT)


def _outside_link(path: Path, config: SiteConfig, diag: Diagnostics) -> bool:
    """A symlink leading out of the site is not followed: it could publish any file."""
    if path.is_symlink() and not is_inside(path, config.root):
        diag.warn("symlink points outside the site; not followed", path)
        return True
    return False


def _is_backup(name: str) -> bool:
    return name.endswith(("~", ".bak", ".swp", ".swx", ".tmp")) or ".bak" in name.rsplit(".", 1)[-1]


def _strip_ext(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _is_index(name: str) -> bool:
    if not name.lower().endswith(CONTENT_EXTENSIONS):
        return False
    stem = _strip_ext(name)
    return stem == "index" or (stem.startswith("index.") and is_language_code(stem[6:]))


def _lang_suffix(name: str) -> str | None:
    stem = _strip_ext(name)
    if "." not in stem:
        return None
    suffix = stem.rsplit(".", 1)[1]
    return suffix if is_language_code(suffix) else None


# --- values ---------------------------------------------------------------------------------

DATE_HINT = "use YYYY-MM-DD or ISO 8601 such as 2024-05-01T09:30:00+02:00"


def parse_date(value: Any, tz: dt.tzinfo) -> dt.datetime:
    """A front matter date (date, datetime or text) as an aware datetime; ValueError if not one."""
    return parse_date_zone(value, tz)[0]


def parse_date_zone(value: Any, tz: dt.tzinfo) -> tuple[dt.datetime, str | None]:
    """`parse_date`, and the time zone name the text gave that is not read (`CET`): the time
    was then taken in `tz`, which the caller should say. Only UTC, GMT and Z are read: other
    abbreviations are ambiguous (CST is three zones)."""
    zone_name = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s+[+-]\d{4}", text):
            text = re.sub(
                r"\s+([+-]\d{2})(\d{2})$", r"\1:\2", text
            )  # Jekyll: 2020-01-01 10:00 +0100
        text = re.sub(r"Z$", "+00:00", text)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed, zone_name = _other_date_formats(text)
    else:
        raise ValueError(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    if not 1000 <= parsed.year <= 9000:  # year 1 or 9999 overflow once moved to another zone
        raise ValueError(value)
    return parsed, zone_name


def _shown(value: Any) -> str:
    """A front matter value as the person wrote it, for messages (dates as ISO text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return repr(value.isoformat()) + (
            " (a year from 1000 to 9000 is expected)" if not 1000 <= value.year <= 9000 else ""
        )
    if isinstance(value, (list, dict)):  # Python's repr would show `datetime.date(2024, 1, 1)`
        return "a list" if isinstance(value, list) else "a mapping"
    return repr(value)


def _shown_type(value: Any) -> str:
    """What kind of value a front matter key holds, for messages: "a list", "a mapping"."""
    if isinstance(value, (list, dict)):
        return _shown(value)
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    return f"a {type(value).__name__}"


_OTHER_FORMATS = (
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%a, %d %b %Y %H:%M:%S %z",
    "%a, %d %b %Y %H:%M:%S",  # its zone name taken off by _other_date_formats
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
)


_LENIENT_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\.\d+)?([^+-]*?)(?:\s*([+-]\d{2}:?\d{2}))?\s*$"
)
# a zone name after the time: `10:00 CET`, `10:00 (UTC)`, `10:00 Europe/Paris`
_ZONE_NAME = re.compile(r"(?<=\d)\s*\(?([A-Za-z][A-Za-z_/]*)\)?\s*$")
_UTC_NAMES = frozenset({"UTC", "GMT", "Z"})


# `10:00 pm`, `10:00PM`, `10:00 p.m.`: read as 22:00 (not as a zone named "pm")
_MERIDIEM = re.compile(r"(?<=\d)\s*([AaPp])\.?[Mm]\.?(?=[\s(+-]|$)")


def _other_date_formats(text: str) -> tuple[dt.datetime, str | None]:
    """Other ways Pelican and Jekyll blogs write dates (2020/01/31, RFC 2822, January 31, 2020,
    a 12-hour time), and the zone name left unread (see `parse_date_zone`)."""
    meridiem = _MERIDIEM.search(text)
    if meridiem:
        text = text[: meridiem.start()] + text[meridiem.end() :]
        parsed, zone_name = _other_date_formats(text)
        if not 1 <= parsed.hour <= 12:
            raise ValueError(text)  # `15:00 pm`
        hour = parsed.hour % 12 + (12 if meridiem.group(1) in "Pp" else 0)
        return parsed.replace(hour=hour), zone_name
    zone_name = None
    named = _ZONE_NAME.search(text)
    if named:
        text = text[: named.start()]
        zone_name = named.group(1)
    tz = dt.UTC if zone_name and zone_name.upper() in _UTC_NAMES else None
    for fmt in _OTHER_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            return parsed, None  # a numeric offset: any name beside it is only a label
        return parsed.replace(tzinfo=tz), None if tz else zone_name
    # as lenient as Ruby's Time.parse: date, optional time, optional trailing offset, junk between
    m = _LENIENT_DATE.match(text)
    if not m:
        raise ValueError(text)
    year, month, day, hour, minute, second, between, offset = m.groups()
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
        zone_name = None
    elif re.search(r"[A-Za-z]", between):  # `10:00 CET (summer)`: every word is said
        words = " ".join(between.split()).strip("() ")
        zone_name = f"{words} {zone_name}" if zone_name else words
        tz = None
    parsed = dt.datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        tzinfo=tz,
    )
    return parsed, None if tz else zone_name


def _as_list(value: Any, split_spaces: bool = False) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = value.split(",") if "," in value or not split_spaces else value.split()
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                if str(item).strip():
                    out.append(str(item).strip())
            else:
                raise ValueError(item)
        return out
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    raise ValueError(value)


def _dedupe(items: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = term_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


_FLAG_WORDS = {"true": True, "yes": True, "on": True, "1": True}
_FLAG_WORDS |= {"false": False, "no": False, "off": False, "0": False}


def _published_flag(value: Any) -> bool | None:
    """Jekyll's `published: false` (or "no", "off", 0) as a flag; None when `published` is
    not a flag but a date (Hugo's, Pelican's): `published: "2020-01-01"` hides nothing."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return _FLAG_WORDS.get(value.strip().lower())
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return _FLAG_WORDS.get(value.strip().lower()) is True
    return bool(value)


# --- other generators' keys -------------------------------------------------------------------

# Our front matter key -> the names other generators give it, in the order they are tried after
# ours (keys are matched without regard to case). The README's "What carries over" table lists
# the same names; tests/unit/test_front_matter_keys.py checks the two agree. Keys that share a
# meaning only by their value (Jekyll's `published: false`, Pelican's `status: draft`) and
# nested spellings (Zola's `[taxonomies] tags`, MkDocs' `date: {created: ...}`) are read by the
# function of their concern below.
KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("publishdate", "pubdate", "published"),  # Hugo; `published` when not a flag
    "updated": ("lastmod", "modified", "last_modified_at"),  # Hugo, Pelican, Jekyll plugin
    "tags": ("keywords",),
    "categories": ("category",),  # Jekyll, Pelican: one name
    "summary": ("description", "excerpt"),
    "url": ("permalink", "path"),  # Jekyll, Zola; Pelican's `URL` is ours
    "aliases": ("redirect_from",),  # Jekyll
    "image": ("images", "cover", "featured_image", "og_image"),  # Hugo `images`, themes
    "expirydate": ("unpublishdate",),  # Hugo
    "translationkey": ("translation_key",),  # Hugo; Zola-style
}


def spellings(key: str) -> tuple[str, ...]:
    """Our key, then the other generators' names for it, in the order they are tried."""
    return (key, *KEY_ALIASES.get(key, ()))


def first_present(lower: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    """(key, value) of the first of `keys` present in `lower`, even with an empty value (as
    nested `dict.get` defaults read); (None, None) when none is."""
    for key in keys:
        if key in lower:
            return key, lower[key]
    return None, None


# --- one file -> Article ----------------------------------------------------------------------


_ASCII_TEXT = bytes(c for c in range(128) if not NOT_TEXT.match(chr(c)))


def _may_hold_control(text: str) -> bool:
    """False when `text` surely holds none of NOT_TEXT: ASCII text is checked by deleting
    every allowed byte (in C, a fifth of the regex's time on an article)."""
    return not text.isascii() or bool(text.encode("ascii").translate(None, _ASCII_TEXT))


def _utf16_without_mark(data: bytes) -> bool:
    """Whether `data` starts as UTF-16 text does without its mark: a NUL every other byte.
    Read as UTF-8, such a file lost its NULs with a warning about pasted binary data, and
    text beyond ASCII was refused as not UTF-8."""
    head = data[:512]
    even, odd = head[0::2], head[1::2]
    return len(head) >= 8 and (not any(even) and all(odd) or not any(odd) and all(even))


def load_article(
    source: SourceFile, config: SiteConfig, diag: Diagnostics, data: bytes | None = None
) -> Article | None:
    """Read and map one content file; errors and warnings go to `diag`, None on error."""
    path = source.path
    display = from_site(path, config.root)
    try:
        if data is None:
            size = path.stat().st_size
            if size > config.max_file_size:
                diag.error(
                    SiteError(
                        f"file is {size} bytes, over the limit of {config.max_file_size}",
                        display,
                        hint="raise max_file_size in site.yaml if intended",
                    )
                )
                return None
            data = path.read_bytes()
        # UTF-16 with its byte-order mark is what Windows editors save as "Unicode"; the seed
        # importer reads it too. Without the mark it is never guessed at.
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
        if encoding == "utf-8" and _utf16_without_mark(data):
            diag.error(
                SiteError(
                    "not UTF-8: this looks like UTF-16 without a byte-order mark",
                    display,
                    1,
                    "save the file as UTF-8",
                )
            )
            return None
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1 if encoding == "utf-8" else None
        diag.error(
            SiteError(
                f"not valid {encoding.upper()}: byte at offset {exc.start}",
                display,
                line,
                "save the file as UTF-8",
            )
        )
        return None
    except OSError as exc:
        diag.error(SiteError(f"cannot read: {exc.strerror}", display))
        return None
    bad = NOT_TEXT.search(text) if _may_hold_control(text) else None
    if bad is not None:
        diag.warn(
            f"control character U+{ord(bad.group()):04X} removed (with any others): no page or "
            "feed may hold it",
            display,
            text.count("\n", 0, bad.start()) + 1,
            "delete it; such characters come from pasted or binary data",
        )
        text = NOT_TEXT.sub("", text)
    try:
        fm = split_front_matter(text, display)
        return map_article(fm, source, config, diag, display, sha1_bytes(data))
    except SiteError as exc:
        diag.error(exc)
        return None


def _text_only(value: Any, key: str, report: _Report) -> Any:
    """A front matter value without the characters no page or feed may hold (a YAML escape
    such as "\\x01" makes them), with a warning at its key."""
    if isinstance(value, str):
        value = closed_bidi(value)
        if NOT_TEXT.search(value) is None:
            return value
        report.warn(
            f"'{key}': control characters removed: no page or feed may hold them",
            report.fm.line_of(key),
        )
        return NOT_TEXT.sub("", value)
    if isinstance(value, list):
        return [_text_only(v, key, report) for v in value]
    if isinstance(value, dict):
        return {k: _text_only(v, key, report) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class _Report:
    """Where mapping problems go: `diag`, naming the file and the line of the key at fault."""

    fm: FrontMatter
    diag: Diagnostics
    display: str

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        self.diag.error(SiteError(message, self.display, self.fm.line_of(key) or 1, hint))

    def warn(self, message: str, line: int | None, hint: str | None = None) -> None:
        self.diag.warn(message, self.display, line, hint)


def map_article(
    fm: FrontMatter,
    source: SourceFile,
    config: SiteConfig,
    diag: Diagnostics,
    display: str,
    content_hash: str,
) -> Article | None:
    """Map parsed front matter and body onto an Article: our keys, the other generators' names
    for them (`KEY_ALIASES`), then what the file name tells. Every problem goes to `diag`, all
    of them at once; None when there was an error. The original keys stay in `meta`."""
    report = _Report(fm, diag, display)
    for key, first, last in fm.repeated():
        report.warn(
            f"'{key}' is given twice (lines {first} and {last}): the last one is used",
            last,
            "remove the one you do not mean",
        )
    meta = {key: _text_only(value, key, report) for key, value in fm.meta.items()}
    lower = {k.lower(): v for k, v in meta.items()}
    errors_before = len(diag.errors)
    tz = config.tz

    body = _prepare_body(fm.body, fm.body_line, report, config)
    name_stem = _name_stem(source)
    jekyll = JEKYLL_NAME_RE.match(name_stem)
    title, body, body_line = _title(lower, body, fm.body_line, name_stem, jekyll, fm.format, report)
    raw_date, raw_updated = _raw_dates(lower)
    if isinstance(lower.get("date"), dict) and lower["date"].get("created") in (None, ""):
        report.error(  # read as no date at all: the article went out dated `default_date`
            "date",
            "date: a mapping without 'created' is not a date",
            "write date: 2024-05-01, or MkDocs' date: {created: 2024-05-01}",
        )
    date, has_date = _date(raw_date, jekyll, name_stem, config, report)
    updated = _updated(raw_updated, lower, tz, report)
    publish_date, expiry_date = _schedule(lower, tz, report)
    if isinstance(lower.get("slug"), (list, dict)):  # never `a-b` from `[a, b]`
        report.error("slug", f"slug: expected text, got {_shown(lower['slug'])}", "quote the slug")
    slug = _slug(lower, title, name_stem, jekyll, source.bundle, config.unicode_slugs)
    given_slug = lower.get("slug")
    if isinstance(given_slug, str) and given_slug and not any(map(str.isalnum, given_slug)):
        report.warn(  # `slug: /` or `slug: ..`: an address was meant, and this one is made up
            f"slug: {given_slug!r} has no letters or digits; the page is at {slug}/",
            fm.line_of("slug"),
            "write the slug as words, such as my-article (url: sets a whole address)",
        )
    tags, categories = _taxonomies(lower, fm.format == "yaml", report)
    author, authors = _people(lower, config.author, report)
    draft = _draft(lower, source.rel)
    for key in ("draft", "listed"):
        value = lower.get(key)
        if isinstance(value, str) and value.strip().lower() not in _FLAG_WORDS:
            report.warn(
                f"'{key}': {value!r} is neither true nor false; read as false",
                fm.line_of(key),
                f"write {key}: true or {key}: false",
            )
    listed = _listed(lower)
    aliases = _aliases(lower, report)
    own_url = _own_url(lower, slug, date, tz, categories, report)
    prose = strip_block_attributes(body)  # summaries and counts leave kramdown's `{: .x}` out
    summary = _summary(lower, prose, config.summary_length, report)
    lang = _language(lower, source, config, report)
    translation_key = _translation_key(lower, source.translation_key, fm.format, slug)
    images = _body_images(body, body_line, report)
    image_key, image = _front_matter_image(lower)
    key_lines = _key_lines(
        fm, image_key, lower, next((k for k in spellings("url") if lower.get(k)), None)
    )
    image = image or (images[0].src if images else "")

    if len(diag.errors) > errors_before:
        return None
    plain = text_for_counting(prose)
    words = word_count(plain)
    return Article(
        source=display,
        rel=source.rel,
        title=title,
        slug=slug,
        date=date,
        updated=updated,
        summary=summary,
        tags=tags,
        categories=categories,
        author=author,
        authors=authors,
        draft=draft,
        aliases=aliases,
        lang=lang,
        translation_key=translation_key,
        body_utf8=body.encode(),
        body_line=body_line,
        content_hash=content_hash,
        meta=meta,
        bundle=source.bundle,
        resources=source.resources,
        publish_date=publish_date,
        expiry_date=expiry_date,
        words=words,
        reading_minutes=reading_minutes(plain, words),
        has_date=has_date,
        image=image,
        images=images,
        links=tuple(scan_content_links(body)),
        url=own_url,
        listed=listed,
        key_lines=key_lines,
    )


def _site_values(config: SiteConfig) -> dict[str, str]:
    """What Jekyll's `{{ site.x }}` in a moved post reads: the site's title, description and
    author, and the text and number values of `extra:` (`sitegen migrate` carries the ones its
    posts use)."""
    values = {"title": config.title, "description": config.description, "author": config.author}
    for key, value in config.extra.items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            values[str(key)] = str(value)
    return values


def _prepare_body(body: str, body_line: int, report: _Report, config: SiteConfig) -> str:
    """The body with other generators' syntax rewritten (MkDocs tabs and shortcodes, Hugo,
    Jekyll and Zola template code), one warning per construct not carried over."""
    body = flatten_tabs(body)  # kramdown's `{: .x}` lines stay: the renderer attaches them
    if "site." in body:  # the values are gathered only for a body that may show them
        body = fill_site_values(body, _site_values(config))
    body, icons = replace_shortcodes(body, body_line)
    for kind, line in icons.items():
        report.warn(
            f"MkDocs icon shortcode ({kind}-...) needs MkDocs Material's icons; removed",
            line,
            "replace it with an image or an emoji such as :heart:",
        )
    if has_template_syntax(body):  # Hugo/Jekyll/Zola template code: rewritten, never shown raw
        body, constructs = convert_foreign(body, body_line)
        for construct in constructs:
            report.warn(
                construct.message(),
                construct.line,
                "see 'Moving from Hugo, Jekyll, Zola, Pelican, MkDocs, Astro or Eleventy' "
                "in the README",
            )
    return body


def _name_stem(source: SourceFile) -> str:
    """The file name (a bundle's folder name) without extension and language suffix."""
    name_stem = Path(source.bundle).name if source.bundle else _strip_ext(Path(source.rel).name)
    if source.lang and not source.bundle:
        name_stem = name_stem[: -len(source.lang) - 1]
    return name_stem


def _title(
    lower: dict[str, Any],
    body: str,
    body_line: int,
    name_stem: str,
    jekyll: re.Match[str] | None,
    fm_format: str,
    report: _Report,
) -> tuple[str, str, int]:
    """(title, body, body line): front matter, else the first `# heading` (then taken out of
    the body, as is a heading repeating the title), else the file name with a warning."""
    title = lower.get("title")
    wrong_type = title is not None and not isinstance(title, (str, int, float))
    if wrong_type:
        report.error(
            "title", f"title: expected text, got a {type(title).__name__}", "quote the title"
        )
        title = None
    title = str(title).strip() if title is not None else ""
    if title and body.lstrip().startswith("#"):  # `# Same title` again atop the body: shown once
        rest, rest_line, heading = _take_h1(body, body_line)
        if heading and markdown_to_text(heading).casefold() == title.casefold():
            body, body_line = rest, rest_line
    if not title:
        body, body_line, heading = _take_h1(body, body_line)
        if heading:
            title = markdown_to_text(heading)
        elif jekyll or fm_format == "none":  # Jekyll posts and MkDocs pages: from the file name
            title = (
                (jekyll.group(4) if jekyll else name_stem)
                .replace("-", " ")
                .replace("_", " ")
                .strip()
                .capitalize()
            )
            report.warn(
                TITLE_FROM_FILE_NAME,
                1,
                "add 'title: ...' to the front matter",
            )
        elif "title" in lower and not wrong_type:  # `title:` with nothing after it
            report.error("title", "title is empty", "write the title after 'title:'")
        elif not wrong_type:  # said once: the title is there, of the wrong type
            typo = next(iter(get_close_matches("title", [str(k) for k in lower], 1, 0.7)), None)
            report.error(
                typo or "title",  # the misspelt key's line
                "title is required"
                + (f" (the front matter has '{typo}': a misspelt 'title'?)" if typo else ""),
                f"rename '{typo}' to 'title'"
                if typo
                else "add a line such as 'title: My article' to the front matter",
            )
    return title, body, body_line


def _raw_dates(lower: dict[str, Any]) -> tuple[Any, Any]:
    """(date, updated) as written: our keys or their other names, or MkDocs blog's
    `date: {created: ..., updated: ...}`; `published` is a date only when it is not a flag."""
    raw_date = lower.get("date")
    _, raw_updated = first_present(lower, spellings("updated"))
    if isinstance(raw_date, dict):
        raw_updated = raw_updated or raw_date.get("updated")
        raw_date = raw_date.get("created")
    if raw_date is None:
        key, raw_date = first_present(lower, KEY_ALIASES["date"])
        if key == "published" and _published_flag(raw_date) is not None:  # Jekyll's flag
            raw_date = None
    return raw_date, raw_updated


def _date(
    raw_date: Any,
    jekyll: re.Match[str] | None,
    name_stem: str,
    config: SiteConfig,
    report: _Report,
) -> tuple[dt.datetime, bool]:
    """(date, whether the article gives one): front matter, else a Jekyll file name's date,
    else `default_date`."""
    tz = config.tz
    date = None
    if raw_date not in (None, ""):
        lower = report.fm.key_lines  # the line to point at: the key it was read from
        key = next((k for k in spellings("date") if k in lower), "date")
        try:
            date = _read_date(raw_date, key, tz, report)
        except ValueError:
            report.error(key, f"{key}: cannot read {_shown(raw_date)} as a date", DATE_HINT)
    elif jekyll:
        try:
            date = dt.datetime(
                int(jekyll.group(1)), int(jekyll.group(2)), int(jekyll.group(3)), tzinfo=tz
            )
        except ValueError:
            report.diag.error(
                SiteError(f"file name date {name_stem[:10]} is not a real date", report.display)
            )
    if date is None:
        return dt.datetime.combine(dt.date.fromisoformat(config.default_date), dt.time(), tz), False
    return date, True


def _read_date(raw: Any, key: str, tz: dt.tzinfo, report: _Report) -> dt.datetime:
    """`parse_date`, with a warning at `key` when a zone name was not understood."""
    parsed, zone_name = parse_date_zone(raw, tz)
    if zone_name is not None:
        report.warn(
            f"{key}: time zone {zone_name!r} is not understood; the time is read in {tz}",
            report.fm.line_of(key),
            "write an offset instead of a name, such as 2024-01-01 10:00 +01:00 "
            "(only UTC, GMT and Z are read as names)",
        )
    return parsed


def _updated(
    raw_updated: Any, lower: dict[str, Any], tz: dt.tzinfo, report: _Report
) -> dt.datetime | None:
    """The last change, when given."""
    if raw_updated in (None, ""):
        return None
    key = next(  # the line to point at: the key it was read from
        (k for k in (*spellings("updated"), "date") if k in lower), "updated"
    )
    try:
        return _read_date(raw_updated, key, tz, report)
    except ValueError:
        report.error(key, f"{key}: cannot read {_shown(raw_updated)} as a date", DATE_HINT)
        return None


def _schedule(
    lower: dict[str, Any], tz: dt.tzinfo, report: _Report
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(publish date, expiry date): Hugo's `publishDate` and `expiryDate` (or
    `unpublishDate`), which keep an article out of the site before and after."""
    dates: list[dt.datetime | None] = []
    for key in ("publishdate", "expirydate"):
        _, raw = first_present(lower, spellings(key))
        value = None
        if raw not in (None, ""):
            try:
                value = _read_date(raw, key, tz, report)
            except ValueError:
                report.error(key, f"{key}: cannot read {_shown(raw)} as a date", DATE_HINT)
        dates.append(value)
    return dates[0], dates[1]


def _slug(
    lower: dict[str, Any],
    title: str,
    name_stem: str,
    jekyll: re.Match[str] | None,
    bundle: str | None,
    unicode: bool,
) -> str:
    """The URL part: front matter (kept as written when already a slug), else the file name
    (without a Jekyll date; a loose `index.md` goes by its title). `unicode`: the site's
    `unicode_slugs`, letters of every script kept."""
    slug_value = lower.get("slug")
    if slug_value not in (None, ""):
        text = str(slug_value)
        return text if is_slug(text, unicode) else slugify(text, unicode=unicode)
    if jekyll:
        return slugify(jekyll.group(4), unicode=unicode)
    if name_stem.lower() == "index" and not bundle:
        return slugify(title, unicode=unicode) if title else "index"
    return slugify(name_stem, unicode=unicode)


def _taxonomies(
    lower: dict[str, Any], split_spaces: bool, report: _Report
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tags, categories), each name once. Zola's `[taxonomies]` table is read too; in YAML,
    text without commas is split at spaces as Jekyll does (Pelican separates with commas)."""
    taxonomies = lower.get("taxonomies") if isinstance(lower.get("taxonomies"), dict) else {}
    tags: list[str] = []
    categories: list[str] = []
    key: str | None = "tags"  # the key read, for the error's line: `keywords:`, `category:`
    try:
        if "tags" in lower:
            raw_tags = lower["tags"]
        elif "tags" in taxonomies:
            key, raw_tags = "taxonomies", taxonomies["tags"]
        else:
            key, raw_tags = first_present(lower, KEY_ALIASES["tags"])
        tags = _as_list(raw_tags, split_spaces)
    except ValueError:
        report.error(key or "tags", "tags: expected a list of names or a comma-separated string")
    tags_key, key = key or "tags", "categories"
    try:
        cats = lower["categories"] if "categories" in lower else taxonomies.get("categories")
        if cats is not None:
            key = key if "categories" in lower else "taxonomies"
            categories = _as_list(cats, split_spaces)
        else:
            key, category = first_present(lower, KEY_ALIASES["categories"])
            if category not in (None, ""):  # one name (Jekyll, Pelican), even with spaces
                categories = _as_list([category] if isinstance(category, str) else category)
    except ValueError:
        report.error(key or "categories", "categories: expected a list of names or a string")
    return (
        _capped(_dedupe(tags), tags_key, report),
        _capped(_dedupe(categories), key or "categories", report),
    )


MAX_TERMS = 100
"""Tags (and categories) one article may have. Each has a page and two feeds that list the
article with all of its terms: 10,000 tags on one article made 30,000 files of 10,000 links
each, gigabytes and minutes of build."""


def _capped(terms: tuple[str, ...], key: str, report: _Report) -> tuple[str, ...]:
    """The first `MAX_TERMS` of `terms`, with a warning at `key` when there were more."""
    if len(terms) <= MAX_TERMS:
        return terms
    report.warn(
        f"{key}: {len(terms)} names given; only the first {MAX_TERMS} are kept",
        report.fm.line_of(key),
        "keep the names that matter most: a page and feeds are written for each",
    )
    return terms[:MAX_TERMS]


def _people(
    lower: dict[str, Any], default_author: str, report: _Report
) -> tuple[str, tuple[str, ...]]:
    """(author, authors): either key fills the other; else the site's author. `author:` may
    be a list too (some Hugo themes): its first name is the author, never the list's repr."""
    author_value = lower.get("author")
    authors_value = lower.get("authors")
    key = "authors"
    try:
        authors = _as_list(authors_value) if authors_value is not None else []
        key = "author"
        if isinstance(author_value, dict):
            author_value = author_value.get("name")
        if isinstance(author_value, (list, tuple)):
            names = _as_list(author_value)
            authors = authors or names
            author_value = names[0] if names else None
        elif author_value is not None and not isinstance(author_value, (str, int, float)):
            raise ValueError(author_value)
        author = (
            str(author_value).strip()
            if author_value not in (None, "")
            else (authors[0] if authors else "")
        )
        if author and not authors:
            authors = [author]
    except ValueError:
        report.error(key, f"{key}: expected a name or a list of names")
        author, authors = "", []
    if not author:
        author = default_author
    return author, tuple(authors)


def _draft(lower: dict[str, Any], rel: str) -> bool:
    """`draft: true`, Jekyll's `published: false` and `_drafts/` folder, Pelican's `status`."""
    draft = _truthy(lower.get("draft", False)) or "_drafts/" in f"/{rel}"
    if _published_flag(lower.get("published")) is False:
        draft = True
    status = str(lower.get("status", "")).strip().lower()
    if status in ("draft", "skip"):
        draft = True
    return draft


def _listed(lower: dict[str, Any]) -> bool:
    """`listed: false`; Hugo's `build: {list: never}` (or `_build`), Pelican's `status: hidden`
    (published at its address, in no listing)."""
    if "listed" in lower:
        return _truthy(lower["listed"])
    if hugo_build_option(lower, "list") == "never":
        return False
    return str(lower.get("status", "")).strip().lower() != "hidden"


def hugo_build_option(lower: dict[str, Any], name: str) -> str:
    """Hugo's `build: {list: never, render: always}` option `name` (`_build` in older Hugo),
    lowercased; "" when not set."""
    for key in ("build", "_build"):
        options = lower.get(key)
        if isinstance(options, dict):
            options = {str(k).lower(): v for k, v in options.items()}
            if name in options:
                return str(options[name]).strip().lower()
    return ""


def _aliases(lower: dict[str, Any], report: _Report) -> tuple[str, ...]:
    """Old paths that redirect to the article (Hugo `aliases`, Jekyll `redirect_from`): kept,
    so moved sites keep their links."""
    key, value = first_present(lower, spellings("aliases"))
    try:
        return tuple(site_path(a) for a in _as_list(value))
    except ValueError as exc:
        key = key or "aliases"
        bad = exc.args[0] if exc.args else ""
        report.error(
            key,
            f"{key}: {bad!r} is not a path inside the site"
            if isinstance(bad, str)  # never Python's repr of a mapping or a date
            else f"{key}: expected a path or a list of paths, got {_shown_type(bad)}",
            "write paths such as /old/path/ (no '..', no http://)",
        )
        return ()


def _own_url(
    lower: dict[str, Any],
    slug: str,
    date: dt.datetime,
    tz: dt.tzinfo,
    categories: tuple[str, ...],
    report: _Report,
) -> str:
    """The article's own site-root URL (Hugo `url`, Jekyll `permalink` with its placeholders,
    Zola `path`, Pelican `URL`); "" for the site's permalink pattern."""
    url_key = next((k for k in spellings("url") if lower.get(k) not in (None, "")), None)
    if url_key is None:
        return ""
    raw_url = lower[url_key]
    try:
        if not isinstance(raw_url, str):
            raise ValueError(raw_url)
        return site_path(_expand_permalink(raw_url, slug, date, tz, categories))
    except ValueError:
        report.error(
            url_key,
            f"{url_key}: {raw_url!r} is not a path inside the site",
            "write a path such as /2020/my-post/ (no '..', no http://)",
        )
        return ""


def _summary(lower: dict[str, Any], prose: str, summary_length: int, report: _Report) -> str:
    """Front matter (or its other names), else the text before a `<!--more-->` line (or
    Jekyll's `excerpt_separator`), else the first paragraph; shortened when very long. A
    summary that is not text (a list, a mapping) is said, not passed over."""
    separator = lower.get("excerpt_separator")  # Jekyll's per-article divider
    more = MORE_RE.search(prose) if "<!--" in prose else None  # the regex tries every line
    if isinstance(separator, str) and separator.strip() and separator in prose:
        more = re.compile(re.escape(separator)).search(prose)
    key, summary_value = first_present(lower, spellings("summary"))
    if isinstance(summary_value, (int, float)) and not isinstance(summary_value, bool):
        summary_value = str(summary_value)  # as a title may be a number
    elif key is not None and summary_value is not None and not isinstance(summary_value, str):
        report.warn(
            f"{key} should be text, not {_shown_type(summary_value)}; "
            + ("the text before the more divider" if more else "the first paragraph")
            + " is used instead",
            report.fm.line_of(key),
            f"write {key}: followed by the text on the same line (quote it if it holds ': ')",
        )
    if isinstance(summary_value, str) and summary_value.strip():
        summary = markdown_to_text(summary_value)
    elif more:
        summary = markdown_to_text(first_paragraph(prose[: more.start()]) or prose[: more.start()])
    else:
        summary = first_paragraph(prose)
    if len(summary) > summary_length * 3:
        summary = summarize(summary, summary_length)
    return summary


def _language(
    lower: dict[str, Any], source: SourceFile, config: SiteConfig, report: _Report
) -> str:
    """A `.<lang>.md` name, else the language folder, else `lang`, else the site's language."""
    lang = source.lang or source.folder_lang or str(lower.get("lang") or config.language)
    if not is_language_code(lang):
        report.warn(
            f"lang {lang!r} is not a language code; using {config.language}",
            report.fm.line_of("lang"),
        )
        lang = config.language
    return lang


def _translation_key(lower: dict[str, Any], file_key: str, fm_format: str, slug: str) -> str:
    """What the language versions of one article share: Hugo's `translationKey`, else the file
    name's; Pelican pairs translations by an explicit `Slug` (its `Lang:` differs)."""
    own_key = next((lower[k] for k in spellings("translationkey") if lower.get(k)), None)
    if own_key:
        return str(own_key)
    if fm_format == "pelican" and lower.get("slug") not in (None, ""):
        return f"slug:{slug}"
    return file_key


def _body_images(body: str, body_line: int, report: _Report) -> tuple[ImageRef, ...]:
    """Every image the body shows, with a warning for each without alt text."""
    # the code the three scans skip, found once
    spans = (
        code_spans(body) if "![" in body or "](" in body or "<img" in body or "<IMG" in body else []
    )
    images = tuple(scan_images(body, body_line, spans))
    for line, href in disk_links(body, body_line, spans):
        report.warn(
            f"link to a file on the computer it was written on: {href}",
            line,
            "copy the file into the article's folder (a page bundle) or static/ and link it "
            "from there: no reader has this file",
        )
    for line, src in spaced_images(body, body_line, spans):
        report.warn(
            f"picture shown as text: its address has a space: {src}",
            line,
            f"write it as ![...](<{src}>), or with %20 for each space",
        )
    for ref in images:
        if ref.alt is None or (not ref.raw and not ref.alt.strip()):  # raw alt="": decorative
            report.warn(
                f"image without alt text: {ref.src}",
                ref.line,
                "describe the picture for readers who cannot see it: ![what it shows](...)",
            )
    return images


def _expand_permalink(
    pattern: str, slug: str, date: dt.datetime, tz: dt.tzinfo, categories: tuple[str, ...] = ()
) -> str:
    """Jekyll's per-post permalink placeholders (`/:year/:month/:title/`), filled in; as in
    Jekyll, `:categories` is the categories in lower case, one folder each, and the empty
    folders a post without categories leaves are closed up."""
    if ":" not in pattern:
        return pattern
    local = date.astimezone(tz)
    values = {
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
        "i_month": str(local.month),
        "day": f"{local.day:02d}",
        "i_day": str(local.day),
        "title": slug,
        "slug": slug,
        "categories": "/".join(c.lower().replace(" ", "-") for c in categories),
        "output_ext": ".html",
    }
    filled = re.sub(r":([a-z_]+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return re.sub(r"/{2,}", "/", filled) if ":categories" in pattern else filled


def _front_matter_image(lower: dict[str, Any]) -> tuple[str | None, str]:
    """(key, picture) named in front matter: Jekyll/Hugo `image`, Hugo `images`, `cover`,
    `featured_image`, Zola `[extra] image` (key "extra"); (None, "") when none is."""
    extra = lower.get("extra") if isinstance(lower.get("extra"), dict) else {}
    named = [(key, lower.get(key)) for key in spellings("image")]
    for key, value in (*named, ("extra", extra.get("image"))):
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = value.get("path") or value.get("image") or value.get("src")
        if isinstance(value, str) and value.strip():
            return key, value.strip()
    return None, ""


def _key_lines(
    fm: FrontMatter, image_key: str | None, lower: dict[str, Any], url_key: str | None
) -> tuple[tuple[str, str, int], ...]:
    """`Article.key_lines`: a few dictionary looks per article."""
    found = []
    alias_key, _ = first_present(lower, spellings("aliases"))
    for what, key in (("image", image_key), ("slug", "slug"), ("aliases", alias_key)):
        if key is not None and lower.get(key) not in (None, ""):
            found.append((what, key, fm.line_of(key) or 1))
    if url_key is not None:
        found.append(("url", url_key, fm.line_of(url_key) or 1))
    return tuple(found)


def _take_h1(body: str, body_line: int) -> tuple[str, int, str | None]:
    """Remove a leading `# Title` (or setext `Title\\n===`) from the body and return it."""
    lines = body.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index < len(lines):
        m = H1_RE.match(lines[index])
        if m:
            rest = "\n".join(lines[index + 1 :])
            return rest, body_line + index + 1, m.group(1)
        if (
            index + 1 < len(lines)
            and re.fullmatch(r"=+\s*", lines[index + 1])
            and lines[index].strip()
        ):
            return "\n".join(lines[index + 2 :]), body_line + index + 2, lines[index].strip()
    return body, body_line, None


def scan_slugs(config: SiteConfig) -> set[str]:
    """Slugs already used by content files (for the importer's collision check)."""
    diag = Diagnostics()
    sources, _ = discover(config, diag)
    slugs = set()
    for source in sources:
        article = load_article(source, config, Diagnostics())
        slugs.add(article.slug if article else _strip_ext(Path(source.rel).name))
    return slugs
