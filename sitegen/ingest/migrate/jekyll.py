"""Jekyll sites -> a migration plan (`sitegen migrate`, ingest stage).

Reads `_config.yml` (title, url and baseurl, timezone, permalink style or pattern, paginate,
front matter defaults for posts), finds `_posts/` and `_drafts/` anywhere in the source, and
the files Jekyll copies as they are (those without front matter, outside `_` folders). A post's
own `permalink` may be a pattern too; a jekyll-polyglot site's languages become `languages`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sitegen.config import key_lines
from sitegen.content.article import JEKYLL_NAME_RE
from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import (
    date_values,
    fill,
    is_draft,
    is_markdown,
    made_by_its_layout,
    meta_date,
    own_page,
    read_meta,
    sitegen_pattern,
    zone,
)
from sitegen.ingest.migrate.configfiles import read_any
from sitegen.ingest.migrate.plan import GENERATED_NAMES, Post, SourcePlan, clean_url, walk_files
from sitegen.text.languages import is_language_code

CONFIG_NAMES = ("_config.yml", "_config.yaml", "_config.toml")
LOOKED_FOR = "_config.yml"
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DEFAULT_EXCLUDE = {"Gemfile", "Gemfile.lock", "node_modules", "vendor", "_site", ".jekyll-cache"}


def config_file(root: Path) -> Path | None:
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def detect(root: Path) -> bool:
    return config_file(root) is not None or (root / "_posts").is_dir()


def _posts_pattern(conf: dict[str, Any]) -> str:
    pattern = conf.get("permalink") or "date"
    collections = conf.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    if isinstance(posts, dict) and posts.get("permalink"):
        pattern = posts["permalink"]  # the posts collection's own, over the site's
    for default in conf.get("defaults") or []:
        if not isinstance(default, dict):
            continue
        scope = default.get("scope") if isinstance(default.get("scope"), dict) else {}
        values = default.get("values") if isinstance(default.get("values"), dict) else {}
        # a scope names a path and a type, and both must fit the posts (an absent one fits
        # all): `{path: "", type: tabs}` is another collection's
        if (
            values.get("permalink")
            and scope.get("type", "posts") == "posts"
            and str(scope.get("path", "") or "").strip("/") in ("", "_posts")
        ):
            pattern = values["permalink"]
    pattern = str(pattern)
    return STYLES.get(pattern, pattern)


def read_site(root: Path) -> SourcePlan:
    path = config_file(root)
    conf = read_any(path).values if path else {}
    plan = SourcePlan("Jekyll", root, [path] if path else [])
    plan.carried("title", conf.get("title"), "title")
    plan.carried("description", conf.get("description"), "description")
    author = conf.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if isinstance(author, str):
        plan.carried("author", author, "author")
    url = str(conf.get("url") or "").rstrip("/")
    baseurl = str(conf.get("baseurl") or "").strip("/")
    if url:
        base = url + "/" + (baseurl + "/" if baseurl else "")
        plan.carried("url + baseurl", base, "base_url")
    elif baseurl:
        plan.not_carried(
            "baseurl", baseurl, "no url: set base_url by hand (links are relative anyway)"
        )
    if conf.get("timezone"):
        plan.carried("timezone", conf["timezone"], "timezone")
        plan.timezone = str(conf["timezone"])
    lang = conf.get("lang") or conf.get("locale")
    if isinstance(lang, str) and lang:
        plan.carried("lang", lang.replace("_", "-").split("-")[0], "language")
    if isinstance(conf.get("paginate"), int) and conf["paginate"] > 0:
        plan.carried("paginate", conf["paginate"], "per_page")
    for key, why in (
        ("theme", "themes do not carry over; sitegen's default theme is used"),
        ("remote_theme", "themes do not carry over; sitegen's default theme is used"),
        ("plugins", "Jekyll plugins do not run; see the constructs below"),
        ("kramdown", "sitegen's Markdown settings are fixed"),
        ("sass", "Sass is not compiled; write CSS in static/"),
        (
            "collections",
            "posts move (with the posts collection's permalink); other collections do not",
        ),
    ):
        if key in conf:
            plan.not_carried(key, "…", why)

    # heading ids as the old Markdown made them for Latin text (`#whats-new`), so links to a
    # section of a post keep working
    plan.carried("(heading ids)", "github", "heading_ids")
    pattern = _posts_pattern(conf)
    plan.old_pattern = pattern
    carried = sitegen_pattern(pattern.replace("/:categories", ""))
    if carried and ":categories" not in pattern:
        plan.permalink = carried[0]
        from sitegen.ingest.migrate.plan import Setting

        note = "" if carried[1] else "the old .html addresses redirect to the new ones"
        plan.report.append(Setting("permalink", conf.get("permalink") or "date", "permalink", note))
    tz = zone(conf.get("timezone"))
    langs = _polyglot_languages(conf)
    lang_folders: set[str] = set()
    exclude = set(DEFAULT_EXCLUDE) | {str(x).strip("/") for x in conf.get("exclude") or []}
    # `_pages` and such, read as any other folder when `include:` names them
    include = {str(x).strip("/") for x in conf.get("include") or [] if str(x).startswith("_")}
    plan.posts_folder = "_posts/ (and _drafts/)"
    used: set[str] = set()  # the `{{ site.x }}` names the posts show
    source = root / str(conf.get("source") or ".")  # where Jekyll reads the site from
    if not source.is_dir():
        raise SiteError(
            f"source: {conf.get('source')} names a folder that is not there",
            path,
            key_lines(path.read_text(encoding="utf-8", errors="replace")).get("source")
            if path
            else None,
            "it may be made by the site's own build script: run that first, or migrate "
            "from the folder Jekyll reads",
        )
    for file in walk_files(source):
        rel = file.relative_to(source)
        top = rel.parts[0]
        if top in exclude or rel.as_posix() in exclude or file.name in CONFIG_NAMES:
            continue
        if "_posts" in rel.parts[:-1] or "_drafts" in rel.parts[:-1]:
            folder = "_posts" if "_posts" in rel.parts[:-1] else "_drafts"
            if not is_markdown(file):
                plan.files.append((file, "static/" + rel.as_posix()))
                continue
            dated = JEKYLL_NAME_RE.match(file.stem)
            if folder == "_posts" and not dated:
                # Jekyll reads a post only by a dated name: this one it never published
                plan.leave(file, "not a post to Jekyll: its name has no date (YYYY-MM-DD-title)")
                continue
            post = Post(file, rel.as_posix())
            plan.posts.append(post)
            meta, body = read_meta(file)
            used |= set(_SITE_NAME.findall(body))
            if langs:
                post.lang = _post_language(meta, rel, folder, langs, conf)
                if rel.as_posix().startswith(f"_posts/{post.lang}/"):
                    lang_folders.add(post.lang)  # `folder:` of that language in site.yaml
                elif not meta.get("lang"):
                    post.add_meta["lang"] = post.lang  # as the build reads it
                _localize_redirects(post, meta, langs)
            if folder == "_drafts" or is_draft(meta):
                continue
            own = str(meta["permalink"]) if meta.get("permalink") else None
            if own is not None and not _PLACEHOLDER.search(own):
                post.old_url = clean_url(_localized(own, post.lang, langs))
                if post.old_url != clean_url(own):
                    post.add_meta["permalink"] = post.old_url
                continue
            stem = file.stem
            name = dated.group(4) if dated else stem
            title = str(meta["slug"]) if meta.get("slug") else name.replace(" ", "-")
            cats = list(rel.parts[: rel.parts.index(folder)])
            raw = meta.get("categories", meta.get("category"))
            if isinstance(raw, str):
                cats += raw.split()
            elif isinstance(raw, list):
                cats += [str(c) for c in raw]
            values = {
                **date_values(meta_date(meta, stem, tz)),
                "title": title,
                "slug": title.lower(),
                "categories": "/".join(c.lower().replace(" ", "-") for c in cats),
                "output_ext": ".html",
            }
            url = fill(own or pattern, values)
            if url is not None:
                post.old_url = clean_url(_localized(url, post.lang, langs))
                post.old_slug = title.lower()
                if own is not None:
                    # its own pattern (`/:categories/:year/:title/`), filled in as Jekyll did:
                    # the build reads a permalink as the post's address
                    post.add_meta["permalink"] = post.old_url
            continue
        if any(p.startswith("_") for p in rel.parts) and top not in include:
            continue  # _layouts, _includes, _sass, _data...: Jekyll's own
        if _has_front_matter(file):
            if is_markdown(file):
                _page(plan, file, rel, str(conf.get("permalink") or ""))
            else:
                plan.leave(file, "a processed file (front matter): sitegen makes its own pages")
            continue
        if rel.as_posix() in GENERATED_NAMES:
            plan.leave(file, "sitegen writes its own file of this name")
            continue
        plan.files.append((file, "static/" + rel.as_posix()))
    # values of _config.yml that posts show (`{{ site.repository }}`): into `extra:`, where the
    # build reads them; the site's own (title, its address) are carried as settings already
    values = {
        name: conf[name]
        for name in sorted(used - {"title", "description", "author", "url", "baseurl"})
        if isinstance(conf.get(name), (str, int, float)) and not isinstance(conf[name], bool)
    }
    if values:
        plan.carried("(values the posts show as {{ site.x }})", values, "extra")
    if langs:
        plan.languages = [
            {"code": code, **({"folder": f"_posts/{code}"} if code in lang_folders else {})}
            for code in langs
        ]
    for folder in ("_layouts", "_includes", "_sass", "_data"):
        if (source / folder).is_dir():
            plan.leave(
                source / folder, "Jekyll's templates and data: sitegen's theme is used instead"
            )
    return plan


def _polyglot_languages(conf: dict[str, Any]) -> list[str]:
    """The languages of a site made with jekyll-polyglot (`languages:`), its default first;
    [] for a site of one language."""
    plugins = [str(p) for key in ("plugins", "gems") for p in conf.get(key) or []]
    codes = conf.get("languages")
    if "jekyll-polyglot" not in plugins or not isinstance(codes, list) or len(codes) < 2:
        return []
    codes = [str(c) for c in codes if is_language_code(str(c))]
    default = str(conf.get("default_lang") or (codes[0] if codes else ""))
    return [default, *(c for c in codes if c != default)] if default in codes else []


def _post_language(
    meta: dict[str, Any], rel: Path, folder: str, langs: list[str], conf: dict[str, Any]
) -> str:
    """A post's language as polyglot reads it: its `lang`, else (`lang_from_path`) the
    language folder it is in (`_posts/ko/...`), else the default."""
    if str(meta.get("lang") or "") in langs:
        return str(meta["lang"])
    if conf.get("lang_from_path"):
        for part in rel.parts[rel.parts.index(folder) + 1 : -1]:
            if part in langs:
                return part
    return langs[0]


def _localized(url: str, lang: str | None, langs: list[str]) -> str:
    """Where polyglot wrote a page of `lang`: the other languages' below `/<lang>/`."""
    return f"/{lang}/{url.lstrip('/')}" if lang and langs and lang != langs[0] else url


def _localize_redirects(post: Post, meta: dict[str, Any], langs: list[str]) -> None:
    """`redirect_from` of a post in another language than the default: polyglot wrote those
    redirect pages below `/<lang>/` too (else every translation would claim one address)."""
    raw = meta.get("redirect_from")
    olds = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    moved = [_localized(str(old), post.lang, langs) for old in olds]
    if moved != olds:
        post.add_meta["redirect_from"] = moved


# a placeholder of Jekyll's permalinks: a post's own `permalink` may be a pattern too
_PLACEHOLDER = re.compile(r":[a-z_]+")
_SITE_NAME = re.compile(r"\{\{-?\s*site\.(\w+)\s*-?\}\}")  # as content/foreign.py fills them

# Liquid that makes a listing of posts, tags or categories: such a page is one sitegen makes
_LISTING_LIQUID = ("site.posts", "paginator.", "site.tags", "site.categories")


def _page(plan: SourcePlan, file: Path, rel: Path, style: str) -> None:
    """A Markdown page beside the posts (About): moved as a page of its own at the address
    Jekyll gave it (its `permalink`, else its path, as a folder with `permalink: pretty`),
    unless it is the home page or a listing its Liquid makes, which sitegen makes itself."""
    meta, body = read_meta(file)
    folder = "" if rel.parent == Path(".") else rel.parent.as_posix()
    if rel.stem == "index" and not folder:
        plan.leave(file, "the home page: sitegen makes its own")
        return
    if made_by_its_layout(body) or any(name in body for name in _LISTING_LIQUID):
        plan.leave(file, "a listing made by its layout or Liquid: sitegen makes its own listings")
        return
    post = own_page(plan, file, rel, meta)
    if post is None:
        return
    if meta.get("permalink"):
        post.old_url = clean_url(str(meta["permalink"]))
        return
    path = "/".join(p for p in (folder, "" if rel.stem == "index" else rel.stem) if p)
    pretty = style == "pretty" or rel.stem == "index"
    post.old_url = clean_url(f"/{path}/" if pretty else f"/{path}.html")


def _has_front_matter(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4).rstrip(b"\r\n") == b"---"
    except OSError:
        return False
