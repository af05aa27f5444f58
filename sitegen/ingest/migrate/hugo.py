"""Hugo sites -> a migration plan (`sitegen migrate`, ingest stage).

Reads `hugo.toml|yaml|json`, `config.*` and `config/_default/` (one file per top-level key
besides the main one), languages with their content folders, `[permalinks]`, taxonomies,
pagination, time zone and static folders; finds the pages of the main sections and what
address Hugo gave each.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from sitegen.content.article import hugo_build_option
from sitegen.errors import SiteError
from sitegen.ingest.migrate.common import (
    date_values,
    fill,
    is_draft,
    is_markdown,
    lang_suffix,
    lifted_front_matter,
    made_by_its_layout,
    meta_date,
    nearest_bundle,
    read_meta,
    sitegen_pattern,
    strip_lang,
    zone,
)
from sitegen.ingest.migrate.configfiles import ConfigFile, read_any
from sitegen.ingest.migrate.plan import Post, SourcePlan, clean_url, title_slug, walk_files

MAIN_NAMES = ("hugo", "config")
EXTENSIONS = (".toml", ".yaml", ".yml", ".json")
LOOKED_FOR = "hugo.toml, hugo.yaml, hugo.json, config.toml, config.yaml, config/_default/"


def config_files(root: Path) -> list[Path]:
    """Hugo's configuration files in the order they are merged (later ones add keys)."""
    found = [
        root / f"{n}{e}" for n in MAIN_NAMES for e in EXTENSIONS if (root / f"{n}{e}").is_file()
    ]
    default = root / "config" / "_default"
    if default.is_dir():
        found += sorted(p for p in default.iterdir() if p.suffix.lower() in EXTENSIONS)
    return found


def detect(root: Path) -> bool:
    return bool(config_files(root))


def _lower(data: Any) -> Any:
    """Hugo's configuration keys are case-insensitive."""
    if isinstance(data, dict):
        return {str(k).lower(): _lower(v) for k, v in data.items()}
    return data


def _merged(files: list[Path]) -> tuple[dict[str, Any], list[ConfigFile]]:
    merged: dict[str, Any] = {}
    read: list[ConfigFile] = []
    for path in files:
        cfg = read_any(path)
        read.append(cfg)
        values = _lower(cfg.values)
        stem = path.stem.lower()
        if path.parent.name == "_default" and stem not in MAIN_NAMES:
            key, _, lang = stem.partition(".")  # params.toml holds [params]
            if lang and key == "languages":  # languages.fr.toml holds [languages.fr]
                values = {key: {lang: values}}
            elif lang:  # params.en.toml, menus.en.toml: one language's, not read
                continue
            else:
                values = {key: values}
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged.setdefault(key, value)
    return merged, read


def read_site(root: Path) -> SourcePlan:
    files = config_files(root)
    conf, _ = _merged(files)
    plan = SourcePlan("Hugo", root, files)
    plan.resources_any_case = True  # a page's resources are matched without letter case
    params = conf.get("params") if isinstance(conf.get("params"), dict) else {}
    plan.carried("title", conf.get("title"), "title")
    plan.carried(
        "params.description", conf.get("description") or params.get("description"), "description"
    )
    author = params.get("author") or conf.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if isinstance(author, str):
        plan.carried("params.author", author, "author")
    plan.carried("baseURL", conf.get("baseurl"), "base_url")
    tz = conf.get("timezone") or "UTC"
    if conf.get("timezone"):
        plan.carried("timeZone", tz, "timezone")
    plan.timezone = str(tz)
    pagination = conf.get("pagination") if isinstance(conf.get("pagination"), dict) else {}
    size = pagination.get("pagersize") or conf.get("paginate")
    if isinstance(size, int) and size > 0:
        plan.carried("pagination.pagerSize" if pagination else "paginate", size, "per_page")

    # languages: [languages.<code>] with weight and (optionally) contentDir
    default_lang = str(conf.get("defaultcontentlanguage") or conf.get("languagecode") or "en")
    default_lang = default_lang.lower()
    langs = conf.get("languages") if isinstance(conf.get("languages"), dict) else {}
    langs = {str(code).lower(): spec for code, spec in langs.items()}
    own = langs.get(default_lang) if isinstance(langs.get(default_lang), dict) else {}
    if not conf.get("title") and own.get("title"):
        plan.carried(f"languages.{default_lang}.title", own["title"], "title")
    if len(langs) <= 1 and (conf.get("defaultcontentlanguage") or conf.get("languagecode")):
        # one language: the site's `language` (its pages' lang, dates, the theme's words)
        key = "defaultContentLanguage" if conf.get("defaultcontentlanguage") else "languageCode"
        plan.carried(key, default_lang, "language")
    content_dir = str(conf.get("contentdir") or "content")
    folders: dict[str, str] = {}
    if langs:
        order = sorted(
            langs.items(),
            key=lambda kv: (kv[0] != default_lang, (kv[1] or {}).get("weight", 0), kv[0]),
        )
        for code, spec in order:
            spec = spec if isinstance(spec, dict) else {}
            entry = {"code": code}
            name = spec.get("languagename") or spec.get("label")  # `label` since Hugo 0.158
            if name:  # else sitegen's own name of the language (CLDR's)
                entry["name"] = str(name)
            cdir = spec.get("contentdir")
            if cdir:
                cdir = str(cdir).strip("/")
                folders[code] = cdir
                prefix = content_dir.strip("/") + "/"
                entry["folder"] = cdir[len(prefix) :] if cdir.startswith(prefix) else cdir
            plan.languages.append(entry)
    in_subdir = bool(conf.get("defaultcontentlanguageinsubdir"))
    if in_subdir:
        plan.not_carried(
            "defaultContentLanguageInSubdir",
            True,
            "sitegen keeps the first language at the site root; its old /<lang>/ addresses "
            "become redirects",
        )
    if conf.get("taxonomies") is not None:
        taxes = conf["taxonomies"] if isinstance(conf["taxonomies"], dict) else {}
        for singular, plural in taxes.items():
            if plural in ("tags", "categories"):
                plan.report.append(_setting(f"taxonomies.{singular}", plural, plural))
            else:
                plan.not_carried(
                    f"taxonomies.{singular}",
                    plural,
                    "sitegen has tags and categories only; the values stay in front matter",
                )
    markup = conf.get("markup") if isinstance(conf.get("markup"), dict) else {}
    goldmark = markup.get("goldmark") if isinstance(markup.get("goldmark"), dict) else {}
    parser = goldmark.get("parser") if isinstance(goldmark.get("parser"), dict) else {}
    plan.not_carried(
        "(section feeds, /posts/index.xml)",
        "…",
        "sitegen has a feed per language, tag and category, not per section",
    )
    id_type = str(parser.get("autoheadingidtype") or "github")
    if id_type == "github":  # links to a section of a post (#whats-new) keep working
        plan.carried("markup.goldmark.parser.autoHeadingIDType", "github", "heading_ids")
    # Hugo's RSS feed is index.xml beside every list page; subscribers keep that address
    plan.carried(
        "(RSS output, index.xml)",
        {"index.xml": "rss"},
        "old_feeds",
        "the RSS feed stays at index.xml beside the home, tag and category pages",
    )
    for key, why in (
        ("theme", "themes do not carry over; sitegen's default theme is used"),
        ("menus", "sitegen's theme makes its own navigation"),
        ("markup", "sitegen's Markdown settings are fixed"),
        ("outputs", "sitegen makes its own pages and feeds"),
        ("module", "Hugo modules do not carry over"),
    ):
        if key in conf:
            plan.not_carried(key, "…", why)

    # permalinks: [permalinks] posts = "..." or [permalinks.page] posts = "..."
    permalinks = conf.get("permalinks") if isinstance(conf.get("permalinks"), dict) else {}
    if isinstance(permalinks.get("page"), dict):
        permalinks = permalinks["page"]
    lower_path = not conf.get("disablepathtolower")
    ugly = bool(conf.get("uglyurls"))

    # pages, per language folder (or the one content folder)
    roots: list[tuple[str | None, Path]] = (
        [(code, root / d) for code, d in folders.items()]
        if folders
        else [(None, root / content_dir)]
    )
    if not any(r.is_dir() for _, r in roots):
        raise SiteError(
            f"no content folder ({', '.join(str(r.relative_to(root)) for _, r in roots)})",
            files[0],
            hint="the Hugo site's pages are expected there",
        )
    pages: list[tuple[str | None, Path, Path]] = []
    for code, croot in roots:
        for path in walk_files(croot):
            pages.append((code, croot, path))
    sections = Counter(
        p.relative_to(c).parts[0]
        for _, c, p in pages
        if is_markdown(p) and len(p.relative_to(c).parts) > 1 and not p.name.startswith("_index.")
    )
    mains = params.get("mainsections")
    if isinstance(mains, list) and mains:
        main_sections = [str(s) for s in mains]
    else:
        main_sections = [sections.most_common(1)[0][0]] if sections else []
    plan.posts_folder = ", ".join(f"{content_dir}/{s}/" for s in main_sections)
    pattern_source = next((permalinks[s] for s in main_sections if s in permalinks), None)
    plan.old_pattern = (
        str(pattern_source) if pattern_source else "/:sections/:slug/ (Hugo's default)"
    )
    if pattern_source:
        carried = sitegen_pattern(str(pattern_source))
        if carried:
            plan.permalink = carried[0]
    elif len(main_sections) == 1:
        plan.permalink = f"/{main_sections[0]}/{{slug}}/"
    if plan.permalink:
        plan.report.append(
            _setting(
                f"permalinks.{main_sections[0]}" if pattern_source else "(default addresses)",
                plan.old_pattern,
                "permalink",
            )
        )
    tzinfo = zone(tz)
    bundles = {p.parent for _, _, p in pages if is_markdown(p) and strip_lang(p.stem) == "index"}
    for code, croot, path in pages:
        rel = path.relative_to(croot)
        dest_prefix = next((e.get("folder", "") for e in plan.languages if e["code"] == code), "")
        dest_rel = f"{dest_prefix}/{rel.as_posix()}" if dest_prefix else rel.as_posix()
        in_bundle = nearest_bundle(path, bundles)
        if in_bundle is not None and not (
            is_markdown(path) and path.parent == in_bundle and strip_lang(path.stem) == "index"
        ):
            continue  # a bundle's file: copied with its page
        if not is_markdown(path):
            plan.files.append((path, f"content/{dest_rel}"))
            continue
        if path.name.startswith("_index."):
            plan.leave(path, "a section page: sitegen makes its own listings")
            continue
        parts = rel.parts
        section = parts[0] if len(parts) > 1 else ""
        meta, body = read_meta(path)
        own_page = section not in main_sections  # About, Contact: a page of its own
        if own_page and made_by_its_layout(body):
            plan.leave(
                path, "a page made by its layout (no text of its own): sitegen makes its own"
            )
            continue
        if own_page and _unrendered(meta):
            plan.leave(path, "not a page on the old site (headless, or build: render never)")
            continue
        # the file's own `.en.md` wins over its language folder, as Hugo reads it (a
        # translation kept beside the original in that folder)
        named = (lang_suffix(path.name) or "").lower()
        lang = named if named and (not code or named in folders or named in langs) else code
        stem = strip_lang(path.stem)
        bundle = path.parent if stem == "index" else None
        filename = bundle.name if bundle else stem
        title = str(meta.get("title") or "")
        slug = str(meta.get("slug") or "") or None
        post = Post(path, dest_rel, lang=lang if code else None)
        lifted_front_matter(post)
        if own_page:
            post.add_meta["listed"] = False
        if bundle is not None:
            post.bundle_files = [
                (f, f"{dest_prefix + '/' if dest_prefix else ''}{f.relative_to(croot).as_posix()}")
                for f in walk_files(bundle)
                if f != path
                and not (is_markdown(f) and f.parent == bundle and strip_lang(f.stem) == "index")
            ]
        if is_draft(meta):
            plan.posts.append(post)
            continue
        date = meta_date(meta, filename, tzinfo)
        if meta.get("url"):
            post.old_url = clean_url(str(meta["url"]))
        else:
            perm = permalinks.get(section)
            if perm:
                values = {
                    **date_values(date),
                    "section": section,
                    "sections": "/".join(parts[:-1] if bundle is None else parts[:-2]),
                    "title": title_slug(title),
                    "slug": slug or title_slug(title),
                    "filename": filename,
                    "slugorfilename": slug or filename,
                    "contentbasename": filename,
                    "slugorcontentbasename": slug or filename,  # Hugo 0.144+
                }
                url = fill(str(perm), values)
            else:
                dirs = parts[:-1] if bundle is None else parts[:-2]
                url = "/" + "/".join([*dirs, slug or filename]) + "/"
            if url is not None:
                url = hugo_path(url)
                if lower_path:
                    url = url.lower()
                if ugly and url.endswith("/"):
                    url = url.rstrip("/") + ".html"
                if lang and (lang != default_lang or in_subdir) and plan.languages:
                    url = f"/{lang}{url}"
                post.old_url = clean_url(url)
                post.old_slug = hugo_path(_slug_part(str(perm or ""), slug, title, filename))
                if post.old_slug and lower_path:
                    post.old_slug = post.old_slug.lower()
        plan.posts.append(post)
    static = conf.get("staticdir") or "static"
    for sdir in static if isinstance(static, list) else [static]:
        for path in walk_files(root / str(sdir)):
            plan.files.append((path, "static/" + path.relative_to(root / str(sdir)).as_posix()))
    if (root / "assets").is_dir():
        plan.leave(root / "assets", "Hugo Pipes assets (processed by Hugo): not copied")
    if (root / "layouts").is_dir():
        plan.leave(root / "layouts", "templates: sitegen's theme is used instead")
    return plan


def _unrendered(meta: dict[str, Any]) -> bool:
    """Content Hugo made no page of: a headless bundle (data for a theme's home page), or
    `build: {render: never}` (`_build: {render: false}` in older Hugo)."""
    if str(meta.get("headless", "")).strip().lower() == "true":
        return True
    return hugo_build_option(meta, "render") in ("never", "false")


_PATH_MARKS = set("./\\_#+~-@")


def hugo_path(path: str) -> str:
    """A page's path as Hugo writes it (what its old address was): letters, digits, marks and
    `./\\_#+~-@` kept, as is a `%XX` escape; white space becomes one hyphen, anything else
    is dropped (`Reference、Doc` -> `ReferenceDoc`, `my post (v2)` -> `my-post-v2`)."""
    out: list[str] = []
    space = False
    for i, ch in enumerate(path):
        category = unicodedata.category(ch)
        kept = (
            ch in _PATH_MARKS
            or category[0] in "LM"
            or category == "Nd"
            or (ch == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", path[i + 1 : i + 3]) is not None)
        )
        if kept:
            if space and ch != "-":
                out.append("-")
            space = False
            out.append(ch)
        elif ch.isspace() and out and out[-1] != "-":
            space = True
    return "".join(out)


def _slug_part(perm: str, slug: str | None, title: str, filename: str) -> str:
    """What Hugo put where sitegen puts the slug."""
    for name, value in (  # the longer names first: `:slug` is the start of two others
        (":slugorcontentbasename", slug or filename),
        (":slugorfilename", slug or filename),
        (":slug", slug or title_slug(title)),
        (":title", title_slug(title)),
        (":filename", filename),
        (":contentbasename", filename),
    ):
        if name in perm:
            return value
    return slug or filename


def _setting(key: str, value: Any, target: str):
    from sitegen.ingest.migrate.plan import Setting

    return Setting(key, value, target)
