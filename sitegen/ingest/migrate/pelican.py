"""Pelican sites -> a migration plan (`sitegen migrate`, ingest stage).

`pelicanconf.py` is read with `ast`: literal `NAME = value` assignments only; nothing in it is
run or imported (configfiles.py). From it: SITENAME, SITEURL, AUTHOR, TIMEZONE, DEFAULT_LANG,
DEFAULT_PAGINATION, PATH, ARTICLE_PATHS, PAGE_PATHS, STATIC_PATHS, ARTICLE_URL and
ARTICLE_LANG_URL. Markdown articles move with the address Pelican gave them; the files of
STATIC_PATHS move, and so do others the posts link (`{static}`, `{attach}`), as Pelican
publishes those too.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import (
    is_draft,
    is_markdown,
    made_by_its_layout,
    meta_date,
    read_meta,
    zone,
)
from sitegen.ingest.migrate.configfiles import read_python_settings
from sitegen.ingest.migrate.plan import (
    GENERATED_NAMES,
    NOT_MARKDOWN,
    Post,
    Setting,
    SourcePlan,
    ascii_slug,
    clean_url,
    walk_files,
)
from sitegen.text.bodyscan import scan_content_links, scan_images

CONFIG_NAME = "pelicanconf.py"
LOOKED_FOR = "pelicanconf.py"
_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^}]*))?\}")
_THEME_KEYS = (
    "THEME",
    "PLUGINS",
    "PLUGIN_PATHS",
    "LINKS",
    "SOCIAL",
    "MENUITEMS",
    "DISPLAY_PAGES_ON_MENU",
    "DISPLAY_CATEGORIES_ON_MENU",
    "JINJA_ENVIRONMENT",
    "MARKDOWN",
)
_HANDLED = {
    "SITENAME",
    "SITESUBTITLE",
    "SITEURL",
    "AUTHOR",
    "TIMEZONE",
    "DEFAULT_LANG",
    "DEFAULT_PAGINATION",
    "PATH",
    "ARTICLE_PATHS",
    "PAGE_PATHS",
    "STATIC_PATHS",
    "ARTICLE_URL",
    "PAGE_URL",
    "PAGE_SAVE_AS",
    "PAGE_LANG_URL",
    "PAGE_LANG_SAVE_AS",
    "ARTICLE_SAVE_AS",
    "ARTICLE_LANG_URL",
    "ARTICLE_LANG_SAVE_AS",
    "EXTRA_PATH_METADATA",
    "USE_FOLDER_AS_CATEGORY",
    "DEFAULT_CATEGORY",
    "SLUGIFY_SOURCE",
    "RELATIVE_URLS",
    "ARTICLE_EXCLUDES",
    "PAGE_EXCLUDES",
}


def detect(root: Path) -> bool:
    return (root / CONFIG_NAME).is_file()


def fill(pattern: str, values: dict[str, Any]) -> str | None:
    """Pelican's `{slug}`, `{date:%Y}`, `{lang}`, `{category}` placeholders, filled without
    str.format (a pattern must not reach attributes of the values)."""
    unknown = False

    def one(m: re.Match) -> str:
        nonlocal unknown
        name, spec = m.group(1), m.group(2)
        value = values.get(name)
        if value is None:
            unknown = True
            return ""
        if spec and hasattr(value, "strftime"):
            return value.strftime(spec)
        return str(value)

    out = _PLACEHOLDER.sub(one, pattern)
    return None if unknown or "{" in out else out


def read_site(root: Path) -> SourcePlan:
    path = root / CONFIG_NAME
    cfg = read_python_settings(path)
    conf = cfg.values
    plan = SourcePlan("Pelican", root, [path])
    for line, name, why in cfg.skipped:
        plan.not_carried(f"line {line}: {name}", "…", why)
    plan.carried("SITENAME", conf.get("SITENAME"), "title")
    plan.carried("SITESUBTITLE", conf.get("SITESUBTITLE"), "description")
    plan.carried("AUTHOR", conf.get("AUTHOR"), "author")
    siteurl = conf.get("SITEURL")
    if isinstance(siteurl, str) and siteurl.startswith(("http://", "https://")):
        plan.carried("SITEURL", siteurl.rstrip("/") + "/", "base_url")
    elif siteurl is not None:
        plan.not_carried(
            "SITEURL",
            siteurl,
            "not an absolute URL (publishconf.py usually sets it): set base_url by hand",
        )
    if conf.get("TIMEZONE"):
        plan.carried("TIMEZONE", conf["TIMEZONE"], "timezone")
        plan.timezone = str(conf["TIMEZONE"])
    default_lang = str(conf.get("DEFAULT_LANG") or "en")
    plan.carried("DEFAULT_LANG", default_lang, "language")
    # heading ids as Python-Markdown made them for Latin text (`#whats-new`), so links to a
    # section of a post keep working
    plan.carried("(heading ids)", "github", "heading_ids")
    if isinstance(conf.get("DEFAULT_PAGINATION"), int) and conf["DEFAULT_PAGINATION"] > 0:
        plan.carried("DEFAULT_PAGINATION", conf["DEFAULT_PAGINATION"], "per_page")
    for key in _THEME_KEYS:
        if key in conf:
            plan.not_carried(key, "…", "theme and plugin settings do not carry over")
    for key, value in conf.items():
        if key not in _HANDLED and key not in _THEME_KEYS:
            plan.not_carried(
                key, value if isinstance(value, (str, int, bool)) else "…", "no sitegen equivalent"
            )

    content = root / str(conf.get("PATH") or "content")
    if not content.is_dir():
        raise SiteError(
            f"no content folder {content.name}/ (PATH)",
            path,
            hint="the Pelican site's articles are expected there",
        )
    article_paths = [str(p).strip("/") for p in conf.get("ARTICLE_PATHS") or [""]]
    page_paths = [str(p).strip("/") for p in conf.get("PAGE_PATHS") or ["pages"]]
    static_paths = [str(p).strip("/") for p in conf.get("STATIC_PATHS") or ["images"]]
    extra = (
        conf.get("EXTRA_PATH_METADATA") if isinstance(conf.get("EXTRA_PATH_METADATA"), dict) else {}
    )
    article_url = str(conf.get("ARTICLE_URL") or "{slug}.html")
    lang_url = str(conf.get("ARTICLE_LANG_URL") or "{slug}-{lang}.html")
    page_url = str(conf.get("PAGE_URL") or "pages/{slug}.html")
    page_lang_url = str(conf.get("PAGE_LANG_URL") or "pages/{slug}-{lang}.html")
    folder_category = conf.get("USE_FOLDER_AS_CATEGORY", True) is not False
    slug_source = str(conf.get("SLUGIFY_SOURCE") or "title")
    tz = zone(conf.get("TIMEZONE"))
    plan.posts_folder = f"{content.name}/" + (", ".join(p + "/" for p in article_paths if p) or "")
    plan.old_pattern = f"ARTICLE_URL = {article_url!r}"
    simple = (
        article_url.replace("{date:%Y}", "{year}")
        .replace("{date:%m}", "{month}")
        .replace("{date:%d}", "{day}")
    )
    if not re.search(r"\{(?!year\}|month\}|day\}|slug\})", simple):
        simple = re.sub(r"\.html?$", "/", simple)
        plan.permalink = clean_url("/" + simple)
        note = (
            ""
            if not article_url.endswith((".html", ".htm"))
            else "the old .html addresses redirect to the new ones"
        )
        plan.report.append(Setting("ARTICLE_URL", article_url, "permalink", note))

    def under(rel: str, folders: list[str]) -> bool:
        return any(f == "" or rel == f or rel.startswith(f + "/") for f in folders)

    others: dict[str, Path] = {}
    for file in walk_files(content):
        rel = file.relative_to(content).as_posix()
        if under(rel, static_paths) and rel not in (str(k) for k in extra):
            plan.files.append((file, "static/" + rel))
            continue
        if rel in extra:
            target = extra[rel].get("path", rel) if isinstance(extra[rel], dict) else rel
            if str(target).strip("/") in GENERATED_NAMES:
                plan.leave(file, f"published as {target}, a file sitegen writes itself")
            else:
                plan.files.append((file, "static/" + str(target).strip("/")))
            continue
        if not is_markdown(file) and file.suffix.lower() not in _PAGE_SUFFIXES:
            others[rel] = file  # outside STATIC_PATHS: Pelican publishes it if a post links it
            continue
        # a page (PAGE_PATHS): About, Contact; moved as a page of its own (`listed: false`)
        page = under(rel, page_paths) and any(p for p in page_paths)
        if not page and not under(rel, article_paths):
            continue
        if not is_markdown(file):
            if file.suffix.lower() in _PAGE_SUFFIXES:
                plan.leave(
                    file,
                    f"{'a page' if page else 'an article'} in {file.suffix} ({NOT_MARKDOWN}): "
                    "convert it to Markdown first",
                )
            continue
        meta, body = read_meta(file)
        if page and made_by_its_layout(body):
            plan.leave(file, "a page made by its template (no text of its own): not moved")
            continue
        post = Post(file, rel)
        plan.posts.append(post)
        category = meta.get("category")
        parent = file.relative_to(content).parent.as_posix()
        if page:
            post.add_meta["listed"] = False
        elif not category and folder_category and parent not in ("", "."):
            category = Path(parent).name
            post.add_meta["category"] = category
        if is_draft(meta):
            continue
        title = str(meta.get("title") or file.stem)
        slug = str(meta.get("slug") or "") or ascii_slug(
            title if slug_source == "title" else file.stem
        )
        lang = str(meta.get("lang") or default_lang)
        values = {
            "slug": slug,
            "date": meta_date(meta, file.stem, tz),
            "lang": lang,
            "category": ascii_slug(str(category or conf.get("DEFAULT_CATEGORY") or "misc")),
            "author": ascii_slug(str(meta.get("author") or conf.get("AUTHOR") or "")),
        }
        if meta.get("url"):
            post.old_url = clean_url(str(meta["url"]))
            continue
        pattern = (page_lang_url, page_url) if page else (lang_url, article_url)
        url = fill(pattern[0] if lang != default_lang else pattern[1], values)
        if url is not None:
            post.old_url = clean_url("/" + url)
            post.old_slug = slug
    linked = _linked_files(plan.posts)
    for rel, file in others.items():
        if rel in linked:
            plan.files.append((file, "static/" + rel))
        else:
            plan.leave(file, "outside STATIC_PATHS and linked from no post: not published")
    return plan


# what Pelican reads as pages and articles besides Markdown (left behind, with the reason)
_PAGE_SUFFIXES = (".rst", ".html", ".htm", ".ipynb")
_FILE_LINK = re.compile(r"^(?:\{(?:static|attach|filename)\}|\|(?:static|attach|filename)\|)")


def _linked_files(posts: list[Post]) -> set[str]:
    """The files (paths below the content folder) the posts link with `{static}`, `{attach}`
    or `{filename}`: Pelican publishes those even outside STATIC_PATHS, so they move too."""
    linked: set[str] = set()
    for post in posts:
        _, body = read_meta(post.src)
        folder = posixpath.dirname(post.rel)
        refs = [*scan_content_links(body), *(ref.src for ref in scan_images(body, 1))]
        for ref in refs:
            path = unquote(ref.partition("#")[0].partition("?")[0])
            m = _FILE_LINK.match(path)
            if m is None:
                continue
            path = path[m.end() :]
            if path.startswith("/"):
                linked.add(posixpath.normpath(path.lstrip("/")))
            else:  # beside the post, else from the content folder
                linked.add(posixpath.normpath(posixpath.join(folder, path)))
                linked.add(posixpath.normpath(path))
    return linked
