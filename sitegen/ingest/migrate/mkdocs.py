"""MkDocs sites with Material's blog plugin -> a migration plan (`sitegen migrate`, ingest).

Reads `mkdocs.yml` with a safe loader that tolerates its `!!python/name:` and `!ENV` tags:
site name, URL, description, author, language, the blog plugin's folders, post address
format and pagination. Posts under the blog's post folder move as articles; the other
documentation pages (About, a guide) move as pages of their own at the addresses MkDocs gave
them; the home page and the blog's index stay behind, since sitegen makes its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import (
    is_draft,
    is_markdown,
    made_by_its_layout,
    meta_date,
    own_page,
    read_meta,
    zone,
)
from sitegen.ingest.migrate.configfiles import read_yaml
from sitegen.ingest.migrate.plan import (
    GENERATED_NAMES,
    Post,
    Setting,
    SourcePlan,
    clean_url,
    title_slug,
    walk_files,
)

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
LOOKED_FOR = "mkdocs.yml"
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
# Babel date pattern letters the blog plugin's post_url_date_format uses -> strftime
_BABEL = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "M": "%-m",
    "dd": "%d",
    "d": "%-d",
}


def config_file(root: Path) -> Path | None:
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def detect(root: Path) -> bool:
    return config_file(root) is not None


def _plugins(conf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`plugins:` as a list of names or one-key mappings, or a mapping: name -> options."""
    raw = conf.get("plugins") or []
    out: dict[str, dict[str, Any]] = {}
    items = (
        raw.items()
        if isinstance(raw, dict)
        else [next(iter(i.items())) if isinstance(i, dict) and i else (i, {}) for i in raw]
    )
    for name, options in items:
        out[str(name).removeprefix("material/")] = options if isinstance(options, dict) else {}
    return out


def _strftime(babel: str) -> str:
    return re.sub(r"yyyy|yy|MMMM|MMM|MM|M|dd|d", lambda m: _BABEL[m.group(0)], babel)


def read_site(root: Path) -> SourcePlan:
    path = config_file(root)
    assert path is not None
    conf = read_yaml(path).values
    plan = SourcePlan("MkDocs", root, [path])
    plan.carried("site_name", conf.get("site_name"), "title")
    plan.carried("site_description", conf.get("site_description"), "description")
    plan.carried("site_author", conf.get("site_author"), "author")
    plan.carried("site_url", conf.get("site_url"), "base_url")
    theme = conf.get("theme") if isinstance(conf.get("theme"), dict) else {}
    lang = theme.get("language") or theme.get("locale")
    if isinstance(lang, str) and lang:
        plan.carried("theme.language", lang.replace("_", "-").split("-")[0], "language")
    plugins = _plugins(conf)
    if "blog" not in plugins:
        raise SiteError(
            "no blog plugin in plugins:",
            path,
            hint="sitegen migrate moves the posts of Material for MkDocs' blog plugin",
        )
    blog = plugins["blog"]
    for name in plugins:
        if name not in ("blog", "search", "tags"):
            plan.not_carried(f"plugins: {name}", "…", "MkDocs plugins do not run")
    for key, why in (
        ("theme", "themes do not carry over; sitegen's default theme is used"),
        (
            "markdown_extensions",
            "sitegen's Markdown is fixed: admonitions, attribute lists, tabs and footnotes are read, other extensions are not",
        ),
        (
            "nav",
            "the pages are moved at their addresses; a site with up to 12 links them from "
            "the footer, not from a navigation tree",
        ),
    ):
        if key in conf:
            plan.not_carried(key, "…", why)
    if isinstance(theme.get("custom_dir"), str) and (root / theme["custom_dir"]).is_dir():
        plan.leave(root / theme["custom_dir"], "theme overrides: sitegen's theme is used instead")
    # heading ids as the old Markdown made them for Latin text (`#whats-new`), so links to a
    # section of a post keep working
    plan.carried("(heading ids)", "github", "heading_ids")
    docs = root / str(conf.get("docs_dir") or "docs")
    blog_dir = str(blog.get("blog_dir", "blog")).strip("/")
    blog_dir = "" if blog_dir == "." else blog_dir
    post_dir = str(blog.get("post_dir", "{blog}/posts")).replace("{blog}", blog_dir).strip("/")
    url_format = str(blog.get("post_url_format", "{date}/{slug}"))
    date_format = _strftime(str(blog.get("post_url_date_format", "yyyy/MM/dd")))
    separator = str(blog.get("post_slugify_separator", "-"))
    max_cats = int(blog.get("post_url_max_categories", 1) or 1)
    directory_urls = conf.get("use_directory_urls", True) is not False
    per_page = blog.get("pagination_per_page", 10)
    if isinstance(per_page, int) and per_page > 0:
        plan.carried("blog: pagination_per_page", per_page, "per_page")
    plan.posts_folder = f"{docs.name}/{post_dir}/"
    plan.old_pattern = f"{blog_dir + '/' if blog_dir else ''}{url_format} (post_url_date_format {blog.get('post_url_date_format', 'yyyy/MM/dd')})"
    if "{categories}" not in url_format and "{file}" not in url_format:
        pattern = url_format.replace(
            "{date}",
            date_format.replace("%Y", "{year}").replace("%m", "{month}").replace("%d", "{day}"),
        )
        if "%" not in pattern:
            plan.permalink = (
                clean_url(f"/{blog_dir}/{pattern}/") if blog_dir else clean_url(f"/{pattern}/")
            )
            plan.report.append(Setting("blog: post_url_format", url_format, "permalink"))
    tz = zone("UTC")
    post_root = docs / post_dir
    for file in walk_files(docs):
        rel = file.relative_to(docs)
        if not is_markdown(file):
            if rel.as_posix() in GENERATED_NAMES:
                plan.leave(file, "sitegen writes its own file of this name")
            else:
                plan.files.append((file, "static/" + rel.as_posix()))
            continue
        if post_root not in file.parents:
            _page(plan, file, rel, blog_dir, directory_urls)
            continue
        post = Post(file, rel.as_posix())
        plan.posts.append(post)
        meta, body = read_meta(file)
        if is_draft(meta):
            continue
        title = str(meta.get("title") or "")
        if not title:
            m = _H1.search(body)
            title = m.group(1) if m else file.stem
        slug = str(meta.get("slug") or "") or title_slug(title, separator)
        date = meta_date(meta, file.stem, tz)
        if date is None:
            continue
        cats = meta.get("categories") if isinstance(meta.get("categories"), list) else []
        values = {
            "date": date.strftime(date_format),
            "slug": slug,
            "file": file.stem,
            "categories": "/".join(title_slug(str(c), separator) for c in cats[:max_cats]),
        }
        url = re.sub(r"\{(\w+)\}", lambda m, v=values: v.get(m.group(1), m.group(0)), url_format)
        url = f"/{blog_dir}/{url}" if blog_dir else f"/{url}"
        post.old_url = clean_url(url + ("/" if directory_urls else ".html"))
        post.old_slug = slug
    return plan


_INDEX_NAMES = ("index.md", "README.md")  # MkDocs makes either the folder's index page


def _page(plan: SourcePlan, file: Path, rel: Path, blog_dir: str, directory_urls: bool) -> None:
    """A documentation page beside the blog (About, a guide): moved as a page of its own
    (`listed: false`) at the address MkDocs gave it, unless sitegen makes that page itself:
    the home page, the blog's index, or a page with no text (made by its template)."""
    folder = "" if rel.parent == Path(".") else rel.parent.as_posix()
    index = rel.name in _INDEX_NAMES
    if index and not folder:
        plan.leave(file, "the home page: sitegen makes its own")
        return
    if index and folder == blog_dir:
        plan.leave(file, "the blog's index: sitegen makes its own listings")
        return
    meta, body = read_meta(file)
    if made_by_its_layout(body):
        plan.leave(file, "a page with no text of its own: made by its template")
        return
    post = own_page(plan, file, rel, meta)
    if post is None:
        return
    path = folder if index else "/".join(p for p in (folder, rel.stem) if p)
    if directory_urls or index:
        post.old_url = clean_url(f"/{path}/")
    else:
        post.old_url = clean_url(f"/{path}.html")
