"""Zola sites -> a migration plan (`sitegen migrate`, ingest stage).

Reads `config.toml` (or `zola.toml`): title, description, base_url, default_language and
`[languages.*]`, taxonomies; a section's `_index.md` gives `paginate_by`. The pages of every
section move (the largest section gives the permalink); each keeps the address Zola gave it
(`/<section>/<slug>/`, `/<lang>/...` for a translation, `path` from front matter). Pages of
the root section beside a blog section (About) move as pages of their own (`listed: false`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import (
    is_draft,
    is_markdown,
    lang_suffix,
    lifted_front_matter,
    made_by_its_layout,
    nearest_bundle,
    read_meta,
    strip_lang,
)
from sitegen.ingest.migrate.configfiles import read_toml
from sitegen.ingest.migrate.plan import Post, Setting, SourcePlan, ascii_slug, clean_url, walk_files

CONFIG_NAMES = ("config.toml", "zola.toml")
LOOKED_FOR = "config.toml with base_url (Zola)"
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?[_-]")


def config_file(root: Path) -> Path | None:
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file():
            try:
                head = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            if name == "zola.toml" or re.search(r"^\s*base_url\s*=", head, re.M):
                return path
    return None


def detect(root: Path) -> bool:
    return config_file(root) is not None


def language_name(code: str) -> str:
    """The language's own name, from CLDR when Babel is installed; else its code."""
    try:
        from babel import Locale

        return Locale.parse(code).get_display_name() or code
    except Exception:  # Babel missing, or a code CLDR does not know
        return code


def read_site(root: Path) -> SourcePlan:
    path = config_file(root)
    assert path is not None
    conf = read_toml(path).values
    plan = SourcePlan("Zola", root, [path])
    plan.carried("title", conf.get("title"), "title")
    plan.carried("description", conf.get("description"), "description")
    plan.carried("base_url", conf.get("base_url"), "base_url")
    extra = conf.get("extra") if isinstance(conf.get("extra"), dict) else {}
    if isinstance(extra.get("author"), str):
        plan.carried("extra.author", extra["author"], "author")
    if conf.get("author"):
        plan.carried("author", conf["author"], "author")
    default_lang = str(conf.get("default_language") or "en")
    langs = conf.get("languages") if isinstance(conf.get("languages"), dict) else {}
    plan.languages.append({"code": default_lang, "name": language_name(default_lang)})
    for code in langs:
        if code != default_lang:
            plan.languages.append({"code": code, "name": language_name(code)})
    for tax in conf.get("taxonomies") or []:
        name = tax.get("name") if isinstance(tax, dict) else None
        if name in ("tags", "categories"):
            plan.report.append(Setting(f"taxonomies {name}", name, name))
        elif name:
            plan.not_carried(f"taxonomies {name}", name, "sitegen has tags and categories only")
    # the feeds Zola wrote (generate_feeds and feed_filenames since 0.19; before, the
    # singular names), kept at their addresses for subscribers
    generate = conf.get("generate_feeds", conf.get("generate_feed", False))
    names = conf.get("feed_filenames", conf.get("feed_filename", "atom.xml"))
    names = [names] if isinstance(names, str) else names if isinstance(names, list) else []
    formats = {"atom.xml": "atom", "rss.xml": "rss"}
    old_feeds = {str(n): formats[str(n)] for n in names if str(n) in formats}
    if generate is True and old_feeds:
        plan.carried("generate_feeds, feed_filenames", old_feeds, "old_feeds")
    slug_mode = "on"
    if isinstance(conf.get("slugify"), dict):
        slug_mode = str(conf["slugify"].get("paths", "on"))
    for key, why in (
        ("theme", "themes do not carry over; sitegen's default theme is used"),
        ("markdown", "sitegen's Markdown settings are fixed"),
        ("compile_sass", "Sass is not compiled; write CSS in static/"),
        ("extra", "free-form theme values: copy what your templates need under extra:"),
    ):
        if key in conf:
            plan.not_carried(key, "…", why)
    plan.not_carried("(time zone)", "UTC", "Zola dates without an offset are UTC; so are sitegen's")

    content = root / "content"
    if not content.is_dir():
        raise SiteError("no content/ folder", path, hint="the Zola site's pages are expected there")
    files = walk_files(content)
    bundles = {
        p.parent
        for p in files
        if is_markdown(p) and strip_lang(p.stem) == "index" and p.parent != content
    }
    # every page of every section moves; the section with the most pages (the root counts as
    # one) gives the permalink, the others keep their addresses through `url:` or aliases
    sections = Counter(
        (p.relative_to(content).parts[0] if len(p.relative_to(content).parts) > 1 else "")
        for p in files
        if is_markdown(p)
        and not p.name.startswith("_index.")
        and p.parent not in bundles
        or (is_markdown(p) and strip_lang(p.stem) == "index" and p.parent in bundles)
    )
    main = sections.most_common(1)[0][0] if sections else ""
    plan.posts_folder = f"content/{main}/" if main else "content/"
    index_meta, _ = read_meta(content / main / "_index.md") if main else ({}, "")
    if isinstance(index_meta.get("paginate_by"), int) and index_meta["paginate_by"] > 0:
        plan.carried(f"content/{main}/_index.md paginate_by", index_meta["paginate_by"], "per_page")
    plan.old_pattern = f"/{main}/<slug>/ (Zola's address of a page in content/{main}/)"
    plan.permalink = f"/{main}/{{slug}}/" if main else "/{slug}/"
    plan.report.append(Setting("(page addresses)", plan.old_pattern, "permalink"))

    def slug_of(text: str) -> str:
        return ascii_slug(text) if slug_mode == "on" else text

    def bundle_of(file: Path) -> Path | None:
        """The nearest page folder holding `file`: a page's folder may hold others' (a
        section with a page of its own and pages in subfolders)."""
        return nearest_bundle(file, bundles)

    for file in files:
        rel = file.relative_to(content)
        bundle = bundle_of(file)
        is_index = is_markdown(file) and strip_lang(file.stem) == "index" and file.parent == bundle
        if bundle is not None and not is_index:
            continue  # a colocated file: copied with its page
        if not is_markdown(file):
            plan.files.append((file, "content/" + rel.as_posix()))
            continue
        if file.name.startswith("_index."):
            plan.leave(file, "a section page: sitegen makes its own listings")
            continue
        meta, body = read_meta(file)
        if not meta.get("title") and meta.get("template"):
            plan.leave(file, f"a page of its own template ({meta['template']}), not an article")
            continue
        # a page of the root section beside a blog section (About, CV): a page of its own
        own_page = bool(main) and (bundle or file).parent == content
        if own_page and made_by_its_layout(body):
            plan.leave(file, "a page made by its template (no text of its own)")
            continue
        lang = lang_suffix(file.name)
        post = Post(file, rel.as_posix())
        lifted_front_matter(post)
        if own_page:
            post.add_meta["listed"] = False
        if bundle is not None:
            post.bundle_files = [
                (f, f.relative_to(content).as_posix())
                for f in walk_files(bundle)
                if bundle_of(f) == bundle
                and not (is_markdown(f) and f.parent == bundle and strip_lang(f.stem) == "index")
            ]
        plan.posts.append(post)
        if is_draft(meta):
            continue
        if meta.get("path"):
            post.old_url = clean_url(str(meta["path"]))
            continue
        stem = bundle.name if bundle is not None else strip_lang(file.stem)
        stem = _DATE_PREFIX.sub("", stem)
        slug = slug_of(str(meta["slug"])) if meta.get("slug") else slug_of(stem)
        dirs = [slug_of(p) for p in (rel.parts[:-2] if bundle is not None else rel.parts[:-1])]
        prefix = [lang] if lang and lang != default_lang else []
        post.old_url = clean_url("/" + "/".join([*prefix, *dirs, slug]) + "/")
        post.old_slug = slug
    for file in walk_files(root / "static"):
        plan.files.append((file, "static/" + file.relative_to(root / "static").as_posix()))
    for folder, why in (
        ("templates", "templates: sitegen's theme is used instead"),
        ("sass", "Sass is not compiled"),
        ("themes", "themes do not carry over"),
    ):
        if (root / folder).is_dir():
            plan.leave(root / folder, why)
    return plan
