"""What a migration will do, as data: the common shape every generator's reader fills in.

Part of `sitegen migrate` (ingest stage): a reader (hugo.py, jekyll.py...) turns a source
folder into a `SourcePlan` (settings for site.yaml, posts with their old addresses, files to
copy, what is left behind and why); `addresses.py` decides how each old address survives;
`writer.py` writes DEST and the report. Nothing here touches the disk.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.text.slugs import slugify

# why a post in another markup (Pelican's reStructuredText) is left behind
NOT_MARKDOWN = "sitegen reads Markdown only"


@dataclass
class Post:
    """One article of the source site and where it goes."""

    src: Path  # the content file in SOURCE
    rel: str  # its path under DEST/content/, posix
    old_url: str | None = None  # site-root address on the old site; None: not published there
    lang: str | None = None  # from a language folder (Hugo contentDir)
    bundle_files: list[tuple[Path, str]] = field(default_factory=list)  # (src, rel in content/)
    old_slug: str | None = None  # the slug the old generator gave it, when known
    add_meta: dict[str, Any] = field(default_factory=dict)  # keys the old site implied
    # the file's text as it moves, when the reader had to change its body (an MDX post as
    # Markdown), line for line; None: the file's bytes as they are
    text: str | None = None
    # what the reader found that sitegen does not run: (line, construct, what shows instead)
    constructs: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Setting:
    """One line of the report's settings table."""

    source_key: str  # as written in the source's configuration
    value: Any
    target: str | None  # the site.yaml key it became; None: not carried over
    note: str = ""


@dataclass
class SourcePlan:
    generator: str  # "Hugo", "Jekyll", "Zola", "MkDocs", "Pelican", "Astro", "Eleventy"
    root: Path
    config_files: list[Path]
    settings: dict[str, Any] = field(default_factory=dict)  # site.yaml keys
    languages: list[dict[str, str]] = field(default_factory=list)  # [{code, name, folder?}]
    old_pattern: str = ""  # the source's article address pattern, as written
    permalink: str | None = None  # sitegen's pattern that carries it over; None: default
    posts: list[Post] = field(default_factory=list)
    files: list[tuple[Path, str]] = field(default_factory=list)  # (src, rel in DEST)
    report: list[Setting] = field(default_factory=list)
    left_behind: list[tuple[str, str]] = field(default_factory=list)  # (source rel, why)
    timezone: str = "UTC"
    posts_folder: str = ""  # where the source keeps its posts, for the report
    # the old generator found a page bundle's files in any letter case (Hugo's resources)
    resources_any_case: bool = False

    def carried(self, source_key: str, value: Any, target: str, note: str = "") -> None:
        """Record a setting carried over into site.yaml under `target`."""
        if value in (None, ""):
            return
        self.settings[target] = value
        self.report.append(Setting(source_key, value, target, note))

    def not_carried(self, source_key: str, value: Any, why: str) -> None:
        self.report.append(Setting(source_key, value, None, why))

    def leave(self, path: Path, why: str) -> None:
        self.left_behind.append((self.display(path), why))

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


# Files sitegen writes itself at the site root: a copied file of that name would collide.
GENERATED_NAMES = {"index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "atom.xml"}
# addresses at which sitegen makes pages of its own, under a language's prefix too: a page of
# the old site there (Jekyll's 404.md with `permalink: /404.html`) is left behind, not moved
_SITEGEN_ADDRESS = re.compile(
    r"/|(/[a-z]{2,3}(-[a-z0-9]+)*)?/(404\.html|search/|tags/|categories/|archive/|"
    r"(feed|atom|rss)\.xml|feed\.json|sitemap\.xml|robots\.txt)",
    re.IGNORECASE,
)


def sitegen_makes(url: str) -> bool:
    """Whether sitegen makes a page of its own at `url` (a site-root address)."""
    return _SITEGEN_ADDRESS.fullmatch(url) is not None


STATIC_SKIP_DIRS = {".git", ".github", "node_modules", "__pycache__", ".venv", "venv"}


def walk_files(folder: Path) -> list[Path]:
    """Every file below `folder`, sorted, hidden files and folders left out; symlinks are not
    followed (a link could lead anywhere on the disk)."""
    found: list[Path] = []
    if not folder.is_dir():
        return found
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            entries = sorted(here.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in STATIC_SKIP_DIRS:
                    stack.append(entry)
            elif entry.is_file():
                found.append(entry)
    return sorted(found)


def clean_url(url: str) -> str:
    """An address as a site-root URL: leading slash, no doubled slashes, `index.html` dropped."""
    parts = [p for p in url.split("/") if p not in ("", ".")]
    out = "/" + "/".join(parts)
    if out.endswith("/index.html"):
        return out[: -len("index.html")]
    if parts and not re.search(r"\.(html?|xml|php)$", parts[-1], re.I):
        out += "/"
    return out


def title_slug(title: str, separator: str = "-") -> str:
    """Unicode-keeping slug as Hugo's urlize and Python-Markdown's toc slugify make it:
    lower case, punctuation dropped, spaces joined with `separator`."""
    text = re.sub(r"<[^>]+>", "", title).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s]+", separator, text).strip(separator)


def ascii_slug(title: str) -> str:
    """Transliterated slug (Zola's and Pelican's default), as sitegen's own."""
    return slugify(title)


def content_path(rel_dir: str, target: str) -> str:
    """A relative link target from a file in `rel_dir`, as a path from the content root."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(rel_dir, target))
