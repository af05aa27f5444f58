"""Eleventy (11ty) sites -> a migration plan (`sitegen migrate`, ingest stage).

What eleventy_config.py reads of the site (its configuration, global and directory data, as
text, never run) decides what moves: the Markdown files of the input folder, the folder whose
files are tagged `posts` (else the one with the most Markdown) as the articles, the others as
pages of their own; each keeps the address Eleventy gave it (eleventy_posts.py), through the
permalink that most posts fit, a `slug`, or a redirect. Passthrough copies become `static/`,
files beside the posts move with them; templates, layouts, data and code stay behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import (
    is_draft,
    made_by_its_layout,
    meta_date,
    nearest_bundle,
    read_meta,
)
from sitegen.ingest.migrate.configfiles import read_json
from sitegen.ingest.migrate.eleventy_config import (
    DataFile,
    EleventySettings,
    config_file,
    data_files,
    read_config,
    read_data_file,
    read_metadata,
)
from sitegen.ingest.migrate.eleventy_files import (
    MEDIA,
    is_data,
    is_directory_data,
    is_template,
    left_behind,
    static_files,
    why_template,
)
from sitegen.ingest.migrate.eleventy_posts import (
    article_tags,
    default_url,
    evaluate_permalink,
    js_front_matter,
    name_date,
    permalink_values,
    rewrite_body,
)
from sitegen.ingest.migrate.jsliterals import Code
from sitegen.ingest.migrate.plan import Post, Setting, SourcePlan, sitegen_makes, walk_files

LOOKED_FOR = (
    "eleventy.config.js (or .mjs, .cjs, .eleventy.js), or a package.json needing @11ty/eleventy"
)
RESERVED_DATES = {"last modified", "created", "git last modified", "git created"}


def _needs_eleventy(root: Path) -> bool:
    try:
        data = read_json(root / "package.json").values
    except SiteError:
        return False
    return any(
        isinstance(data.get(key), dict) and "@11ty/eleventy" in data[key]
        for key in ("dependencies", "devDependencies")
    )


def detect(root: Path) -> bool:
    return config_file(root) is not None or (
        (root / "package.json").is_file() and _needs_eleventy(root)
    )


class _Site:
    """One Eleventy site being read: its settings, data files and where files land."""

    def __init__(self, plan: SourcePlan, settings: EleventySettings) -> None:
        self.plan = plan
        self.s = settings
        self.data: dict[Path, list[DataFile]] = {}
        self.copied: dict[Path, str] = {}  # a file of the source -> its address on the new site
        self.collections: set[str] = set()
        self.reserved_dates = 0
        self.layouts = 0

    def rel(self, path: Path) -> str:
        return path.relative_to(self.s.input).as_posix()

    def cascade(self, file: Path) -> list[DataFile]:
        """The data files that apply to `file`, the input folder's first, its own last."""
        out: list[DataFile] = []
        below = [self.s.input / p for p in _prefixes(file.parent, self.s.input)]
        for folder in [self.s.input, *below]:
            out += self._data(folder, folder.name)
        own = [d for d in self._data(file.parent, file.name.split(".")[0]) if d not in out]
        return out + own

    def _data(self, folder: Path, stem: str) -> list[DataFile]:
        key = folder / (stem + ".*")
        if key not in self.data:
            self.data[key] = [read_data_file(p) for p in data_files(folder, stem)]
        return self.data[key]


def _prefixes(folder: Path, top: Path) -> list[str]:
    rel = folder.relative_to(top).parts
    return ["/".join(rel[: i + 1]) for i in range(len(rel))]


def read_site(root: Path) -> SourcePlan:
    path = config_file(root)
    plan = SourcePlan("Eleventy", root, [path] if path else [root / "package.json"])
    s = read_config(plan, root, path)
    site = _Site(plan, s)
    values = read_metadata(plan, s)
    if s.anchors:  # markdown-it-anchor gave the headings ids much as GitHub's
        plan.carried("(heading ids: markdown-it-anchor)", "github", "heading_ids")
    own = {s.includes, s.layouts, s.data, s.output, root / "node_modules"}
    files = [
        f
        for f in walk_files(root)
        if not any(f == d or d in f.parents for d in own)
        and not s.ignored(f.relative_to(root).as_posix())
    ]
    site.copied = static_files(plan, s, files)
    inside = [f for f in files if s.input in f.parents and f not in site.copied]
    for data_file in (f for f in inside if is_directory_data(f)):
        site.collections |= set(read_data_file(data_file).tags)
    markdown = [f for f in inside if f.suffix.lower() == ".md"]
    folder = _posts_folder(site, markdown)
    if folder is None:
        raise SiteError(
            f"no posts found: no Markdown files in the input folder {plan.display(s.input)}",
            path or root / "package.json",
            hint="sitegen migrate moves an Eleventy blog's Markdown posts",
        )
    plan.posts_folder = plan.display(s.input / folder) + "/"
    bundles = {f.parent for f in markdown if f.stem == "index" and f.parent != s.input}
    for file in markdown:
        _markdown(site, file, folder, bundles, values)
    _addresses(plan)
    for file in inside:
        if file.suffix.lower() == ".md":
            continue
        if is_template(file):
            plan.leave(file, why_template(s, file))
        elif is_data(file):
            plan.leave(file, "a data file of Eleventy's: read for the tags and addresses")
        elif file.suffix.lower() in MEDIA and nearest_bundle(file, bundles) is None:
            plan.files.append((file, f"content/{site.rel(file)}"))
    _report(site)
    left_behind(plan, root, s)
    return plan


def _posts_folder(site: _Site, markdown: list[Path]) -> str | None:
    """The folder below the input whose files the `posts` collection holds (a tag given by a
    directory data file or front matter); else the one with the most Markdown files."""
    tagged: Counter[str] = Counter()
    folders: Counter[str] = Counter()
    for file in markdown:
        parts = file.relative_to(site.s.input).parts
        top = parts[0] if len(parts) > 1 else ""
        folders[top] += bool(top)
        meta, _ = read_meta(file)
        tags = [t for d in site.cascade(file) for t in d.tags]
        if {t.lower() for t in tags + article_tags(meta.get("tags"), set())} & {"posts", "post"}:
            tagged[top] += 1
    if tagged:
        return tagged.most_common(1)[0][0]
    if folders and folders.most_common(1)[0][1]:
        return folders.most_common(1)[0][0]
    return "" if markdown else None


def _markdown(
    site: _Site, file: Path, folder: str, bundles: set[Path], values: dict[str, Any]
) -> None:
    """One Markdown file: a post of the posts folder, a page of its own, or left behind."""
    plan, s = site.plan, site.s
    rel = site.rel(file)
    try:
        text: str | None = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # the load of the moved file reports it
    converted = js_front_matter(text) if text is not None else None
    if converted is not None:  # `---js`: its literals as YAML, what the build reads
        text, js_found = converted
        meta, body = _meta(text, file)
    else:
        js_found = []
        meta, body = read_meta(file)
    cascade = site.cascade(file)
    in_posts = rel.startswith(folder + "/") if folder else True
    permalink = meta.get("permalink")
    from_front_matter = "permalink" in meta
    for data in cascade:
        if permalink is None and data.permalink is not None:
            permalink = data.permalink
    exclude = meta.get("eleventyexcludefromcollections") is True or any(d.exclude for d in cascade)
    if permalink is False:
        plan.leave(file, "`permalink: false`: Eleventy did not write it")
        return
    date, date_text = _date(site, file, meta)
    if isinstance(permalink, str) and permalink.strip():
        old = evaluate_permalink(permalink, permalink_values(rel, meta, date))
    else:
        old = default_url(rel) if permalink is None else None
    if not in_posts or rel in ("index.md", f"{folder}/index.md"):
        # a page where sitegen makes its own (404.md) is left behind with that reason
        machinery = exclude and not (old and sitegen_makes(old))
        why = _why_page_left(rel, meta, body, machinery)
        if why:
            plan.leave(file, why)
            return
    post = Post(file, rel)
    plan.posts.append(post)
    if not in_posts or exclude:
        post.add_meta["listed"] = False
    if file.stem == "index" and file.parent in bundles:
        post.bundle_files = [
            (f, site.rel(f))
            for f in walk_files(file.parent)
            if f.suffix.lower() in MEDIA
            and f not in site.copied
            and nearest_bundle(f, bundles) == file.parent
        ]
    if meta.get("layout") or any(d.layout for d in cascade):
        site.layouts += 1
    if date_text:
        post.add_meta["date"] = date_text
    tags = article_tags(meta.get("tags"), site.collections)
    if "tags" in meta and tags != meta.get("tags"):
        post.add_meta["tags"] = tags
    if text is not None:
        data_path = plan.display(plan.config_files[-1]) if values else ""
        moved, found = rewrite_body(text, s.engine, values, data_path, _image_src(site, file))
        if found or converted is not None:
            post.text, post.constructs = moved, sorted(js_found + found)
    draft = is_draft(meta) or any(d.draft for d in cascade)
    if from_front_matter:  # sitegen reads `permalink` as the post's own address
        post.add_meta["permalink"] = old or ""
        if old is None:
            post.add_meta["eleventy_permalink"] = str(permalink)
    if draft or old is None:
        return
    post.old_url = old
    last = old.rstrip("/").rsplit("/", 1)[-1]
    post.old_slug = last if old.endswith("/") and last else None


def _meta(text: str, file: Path) -> tuple[dict[str, Any], str]:
    """`common.read_meta` of a file's text as it moves (its JavaScript front matter as YAML)."""
    try:
        fm = split_front_matter(text, file)
    except SiteError:
        return {}, ""
    return {str(k).lower(): v for k, v in fm.meta.items()}, fm.body


def _date(site: _Site, file: Path, meta: dict[str, Any]) -> tuple[dt.datetime | None, str]:
    """The post's date as Eleventy read it, and the `date` sitegen is to be given when it
    would not read the same: Eleventy's reserved values (`Last Modified`, `Created`) as the
    file's time, a dated folder's date for its `index.md`."""
    raw = meta.get("date")
    if isinstance(raw, str) and raw.strip().lower() in RESERVED_DATES:
        site.reserved_dates += 1
        stat = file.stat()
        when = getattr(stat, "st_birthtime", None) if "created" in raw.lower() else None
        date = dt.datetime.fromtimestamp(when or stat.st_mtime, dt.UTC).replace(microsecond=0)
        return date, date.isoformat()
    date = meta_date(meta, "", dt.UTC)
    if date is None and file.stem == "index":
        date = name_date(site.rel(file))  # a dated folder: sitegen reads dated names only
        return date, date.date().isoformat() if date else ""
    return date or name_date(site.rel(file)), ""


def _image_src(site: _Site, file: Path) -> Callable[[str], str]:
    """How an `{% image %}` shortcode's path reads once moved: beside the post as written;
    one eleventy-img read from the project's root by the address it was copied to."""

    def src(path: str) -> str:
        if path.startswith(("/", "http:", "https:")) or (file.parent / path).is_file():
            return path
        target = (site.plan.root / path).resolve()
        if target in site.copied:
            return site.copied[target]
        if site.s.input in target.parents and target.is_file():
            return "/" + site.rel(target)
        return path

    return src


def _why_page_left(rel: str, meta: dict[str, Any], body: str, exclude: bool) -> str:
    """Why a Markdown page outside the posts stays behind; "" when it moves."""
    stem = rel.rsplit(".", 1)[0]
    if stem == "index":
        return "the home page: sitegen makes its own"
    if "pagination" in meta:
        return "a page Eleventy's pagination makes from data: sitegen makes its own listings"
    if made_by_its_layout(body) or re.search(r"collections\.\w+", body):
        return "a listing made by its layout or template code: sitegen makes its own listings"
    if exclude:
        return (
            "excluded from collections (`eleventyExcludeFromCollections`): a page of the "
            "site's machinery, not content"
        )
    return ""


def _addresses(plan: SourcePlan) -> None:
    """The permalink that keeps most posts' old addresses: each old address as a pattern (its
    last part the slug, parts equal to its date's the date's), the most common one."""
    patterns: Counter[str] = Counter()
    for post in plan.posts:
        if not post.old_url or post.add_meta.get("listed") is False:
            continue
        if not post.old_url.endswith("/"):
            continue
        meta, _ = read_meta(post.src)
        date = meta_date(meta, "", dt.UTC) or name_date(post.rel)
        parts = post.old_url.strip("/").split("/")
        parts[-1] = "{slug}"
        if date:
            wanted = [(f"{date.year:04d}", "{year}"), (f"{date.month:02d}", "{month}")]
            wanted.append((f"{date.day:02d}", "{day}"))
            for i, part in enumerate(parts[:-1]):
                if wanted and part == wanted[0][0]:
                    parts[i] = wanted.pop(0)[1]
        patterns["/" + "/".join(parts) + "/"] += 1
    if patterns:
        plan.permalink = patterns.most_common(1)[0][0]
    plan.old_pattern = "/<its path below the input folder>/, or its permalink"
    plan.report.append(Setting("(post addresses)", plan.old_pattern, "permalink"))


def _report(site: _Site) -> None:
    """The report's lines on feeds, dates, layouts and the code that was not run."""
    plan = site.plan
    feeds = {
        url.lstrip("/"): kind
        for url, kind in site.s.feeds.items()
        if url.lstrip("/") not in ("feed.xml", "rss.xml", "feed.json")
    }
    for url in site.s.feeds:
        if url.lstrip("/") not in feeds:
            plan.report.append(Setting("(feed)", url, "feeds", "sitegen writes it too"))
    if feeds:
        plan.carried("(feeds: the feed plugin or templates)", feeds, "old_feeds")
    if site.reserved_dates:
        plan.report.append(
            Setting(
                "date: Last Modified / Created (front matter)",
                f"{site.reserved_dates} file(s)",
                "date",
                "written as the source file's time (not read from git)",
            )
        )
    if site.layouts:
        plan.not_carried(
            "layout (front matter, directory data)",
            f"{site.layouts} file(s)",
            "Eleventy layouts: sitegen's theme is used instead",
        )
    computed = [d for files in site.data.values() for d in files if d.computed]
    for data in computed:
        plan.not_carried(
            f"eleventyComputed ({plan.display(data.path)})",
            "…",
            "code, not run: addresses and values are read as if it were not there",
        )
    for data in (d for files in site.data.values() for d in files):
        if isinstance(data.permalink, Code):
            plan.not_carried(
                f"permalink ({plan.display(data.path)})",
                data.permalink.text,
                "code, not run: its files' old addresses are not known",
            )
