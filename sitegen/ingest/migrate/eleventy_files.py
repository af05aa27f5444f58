"""The files of an Eleventy site that are not its Markdown: where each goes, or why it stays.

Part of `sitegen migrate` (ingest stage), for eleventy.py. Passthrough copies
(`addPassthroughCopy`) move to `static/` at the address Eleventy copied them to; pictures and
media beside the posts move with them under `content/`; templates (`.njk`, `.liquid`,
`.11ty.js`...), data files and Eleventy's own folders stay behind, each with its reason. A feed
template's address is noted for `old_feeds`.
"""

from __future__ import annotations

import re
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.ingest.migrate.configfiles import read_text
from sitegen.ingest.migrate.eleventy_config import DATA_SUFFIXES, EleventySettings
from sitegen.ingest.migrate.jsliterals import glob_regex
from sitegen.ingest.migrate.plan import GENERATED_NAMES, SourcePlan

TEMPLATE_EXTENSIONS = (
    ".njk",
    ".liquid",
    ".html",
    ".11ty.js",
    ".11ty.cjs",
    ".11ty.mjs",
    ".webc",
    ".hbs",
    ".ejs",
    ".pug",
    ".mustache",
    ".haml",
)
MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".mp4", ".webm", ".mp3")
MEDIA += (".ogg", ".pdf")
_FEED_KIND = (("<feed", "atom"), ("<rss", "rss"), ("jsonfeed.org", "json"))


def is_template(file: Path) -> bool:
    return file.name.lower().endswith(TEMPLATE_EXTENSIONS)


def is_data(file: Path) -> bool:
    """A template or directory data file (`post.11tydata.js`, `blog/blog.json`)."""
    stem, _, suffix = file.name.partition(".")
    return ".11tydata." in file.name or (stem == file.parent.name and suffix == "json")


def is_directory_data(file: Path) -> bool:
    """`blog/blog.11tydata.js` or `blog/blog.json`: data for every file below `blog/`."""
    stem, _, suffix = file.name.partition(".")
    return stem == file.parent.name and suffix in ("json", *(s[1:] for s in DATA_SUFFIXES))


def static_files(plan: SourcePlan, site: EleventySettings, files: list[Path]) -> dict[Path, str]:
    """The passthrough copies into `static/`, at the address Eleventy copied each to (a file
    or folder's path, its input folder dropped; an object's target; a glob's match): which
    file went where, so that the posts' references can follow."""
    root = plan.root
    input_rel = site.input.relative_to(root).as_posix()
    copied: dict[Path, str] = {}
    for source, target in site.passthrough:
        pattern = glob_regex(source) if any(c in source for c in "*?{[") else None
        base = root / source
        for file in files:
            rel = file.relative_to(root).as_posix()
            if pattern is not None:
                if not pattern.match(rel):
                    continue
                where = rel if target == "/" + source.strip("/") else f"{target}/{file.name}"
                if input_rel != "." and where.startswith(input_rel + "/"):
                    where = where[len(input_rel) :]
            elif file == base:
                where = target
            elif base in file.parents:
                where = target + "/" + file.relative_to(base).as_posix()
            else:
                continue
            where = "/" + where.strip("/")
            if where.lstrip("/") in GENERATED_NAMES:
                plan.leave(file, "sitegen writes its own file of this name")
            elif file not in copied:
                copied[file] = where
                plan.files.append((file, "static" + where))
    return copied


def why_template(site: EleventySettings, file: Path) -> str:
    """Why a template page (`.njk`, `.liquid`, `.11ty.js`...) stays behind; a feed's address
    goes into `site.feeds`."""
    rel = file.relative_to(site.input).as_posix()
    stem = rel.split(".", 1)[0]
    name = stem.rsplit("/", 1)[-1]
    try:
        text = read_text(file) if file.stat().st_size < 200_000 else ""
    except SiteError:
        text = ""
    if stem == "index":
        return "the home page: sitegen makes its own"
    kind = next((k for mark, k in _FEED_KIND if mark in text), None)
    if kind:
        m = re.search(r"(?m)^permalink:\s*[\"']?(/?[\w./-]+\.(?:xml|json))", text)
        if m:
            site.feeds.setdefault("/" + m.group(1).lstrip("/"), kind)
        return "a feed made by a template: sitegen writes its own feeds"
    if name.startswith(("sitemap", "robots")) or "sitemap" in rel:
        return "a sitemap made by a template: sitegen writes its own"
    if name in ("404", "search") or name.startswith(("tag", "categor", "archive")):
        return "sitegen makes its own page here"
    if "pagination" in text or re.search(r"collections\.\w+", text):
        return "a list of posts: sitegen lists them on its home page, tag and archive pages"
    return "an Eleventy template (code, not run): no page at its address until you write one"


def left_behind(plan: SourcePlan, root: Path, site: EleventySettings) -> None:
    """Eleventy's own folders, each with the reason it stays."""
    for folder, why in (
        (site.includes, "Eleventy's templates: sitegen's theme is used instead"),
        (site.layouts, "Eleventy's layouts: sitegen's theme is used instead"),
        (site.data, "global data, read for the site's settings: templates used the rest"),
        (site.output, "the old build's output: sitegen builds its own"),
        (root / "node_modules", "installed packages: not needed"),
    ):
        if folder.is_dir() and plan.display(folder) not in {p for p, _ in plan.left_behind}:
            plan.leave(folder, why)
