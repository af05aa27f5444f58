"""Astro sites -> a migration plan (`sitegen migrate`, ingest stage).

What astro_config.py reads of the site (its settings, collections and routes, as text, never
run) decides what moves: the collection with the most Markdown entries as the articles, other
collections a page of the old site showed entry by entry beside them; each entry keeps the
address its route gave it: the route's folder, then the entry's id (its path, slugified per
segment as Astro does, or its front matter `slug`). Markdown pages of `src/pages` move as
pages of their own, or as the posts of an older blog without collections; `public/` becomes
`static/`. What each post needs besides (an `.mdx` as Markdown, front matter keys sitegen
reads, images outside its collection) is astro_posts.py's.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.ingest.migrate.astro_config import (
    AstroSettings,
    Collection,
    Route,
    read_collections,
    read_config,
    read_routes,
    site_constants,
)
from sitegen.ingest.migrate.astro_posts import MARKDOWN, PostReader
from sitegen.ingest.migrate.common import (
    is_draft,
    made_by_its_layout,
    nearest_bundle,
    read_meta,
)
from sitegen.ingest.migrate.configfiles import read_json
from sitegen.ingest.migrate.plan import (
    GENERATED_NAMES,
    Setting,
    SourcePlan,
    clean_url,
    walk_files,
)

CONFIG_NAMES = tuple(f"astro.config.{ext}" for ext in ("mjs", "ts", "js", "mts", "cjs"))
LOOKED_FOR = "astro.config.mjs (or .ts, .js, .mts, .cjs), or a package.json needing astro"
# symbols github-slugger keeps because Unicode counts them as letters: circled and squared Latin
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


def config_file(root: Path) -> Path | None:
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def _needs_astro(root: Path) -> bool:
    """package.json lists `astro` among its dependencies (a site whose config is elsewhere)."""
    try:
        data = read_json(root / "package.json").values
    except SiteError:
        return False
    return any(
        isinstance(data.get(key), dict) and "astro" in data[key]
        for key in ("dependencies", "devDependencies")
    )


def detect(root: Path) -> bool:
    return config_file(root) is not None or (
        (root / "package.json").is_file() and (root / "src").is_dir() and _needs_astro(root)
    )


def github_slug(text: str) -> str:
    """A path segment as Astro makes an entry's id of it (github-slugger's `slug`): lower
    case, each space a `-`, and only letters, marks, digits, `_` and `-` kept (`My First
    Post!` -> `my-first-post`, `C++ tips` -> `c-tips`, `初めての光` as it is)."""
    out: list[str] = []
    for ch in text.lower():
        category = unicodedata.category(ch)
        if ch == " ":
            out.append("-")
        elif (
            ch == "-"
            or category[0] in "LM"
            or category in ("Nd", "Nl", "Pc")
            or any(low <= ord(ch) <= high for low, high in _ALPHABETIC_SYMBOLS)
        ):
            out.append(ch)
    return "".join(out)


def entry_slug(rel: str) -> str:
    """An entry's id from its path below the collection's base (Astro's default): extension
    dropped, each segment slugified, a final `/index` dropped (`Travel/Day One.md` ->
    `travel/day-one`, `guide/index.md` -> `guide`)."""
    name = posixpath.basename(rel)
    stem = rel[: -len(posixpath.splitext(name)[1])] if "." in name else rel
    slug = "/".join(github_slug(part) for part in stem.split("/"))
    return re.sub(r"/index$", "", slug)


def _page_url(rel: str, build_format: str) -> str:
    """The address Astro gave a Markdown page of `src/pages` (`about.md` -> `/about/`, or
    `/about.html` with `build.format: 'file'`)."""
    stem = rel.rsplit(".", 1)[0]
    if stem == "404":
        return "/404.html"
    index = stem == "index" or stem.endswith("/index")
    folder = stem[: -len("index")].rstrip("/") if index else stem
    if build_format == "directory" or (index and build_format == "preserve"):
        return clean_url(f"/{folder}/")
    return clean_url(f"/{folder}.html" if folder else "/")


def _entry_url(prefix: str, slug: str, build_format: str) -> str:
    path = "/".join(p for p in (prefix, slug) if p)
    return clean_url(f"/{path}.html" if build_format == "file" else f"/{path}/")


def read_site(root: Path) -> SourcePlan:
    path = config_file(root)
    plan = SourcePlan("Astro", root, [path] if path else [root / "package.json"])
    site = read_config(plan, root, path)
    site_constants(plan, root, site.modules)
    # heading ids as Astro's Markdown makes them (github-slugger), so links to a section of a
    # post keep working
    plan.carried("(heading ids)", "github", "heading_ids")
    pages = root / "src" / "pages"
    collections = read_collections(root, plan)
    entries = {c.name: c.entries() for c in collections}
    routes = read_routes(pages)
    posts = PostReader(plan, root)
    main = max(collections, key=lambda c: len(entries[c.name]), default=None)
    if main is not None and not entries[main.name]:
        main = None
    page_files = [
        f
        for f in walk_files(pages)
        if f.name.lower().endswith(MARKDOWN)
        and not any(p.startswith("_") for p in f.relative_to(pages).parts)
    ]
    posts_folder = None  # an older blog's posts: pages of their own in src/pages/<folder>/
    if main is None:
        folders = Counter(
            f.relative_to(pages).parts[0] for f in page_files if len(f.relative_to(pages).parts) > 1
        )
        posts_folder = folders.most_common(1)[0][0] if folders else None
    if main is None and posts_folder is None:
        raise SiteError(
            "no posts found: no content collection of Markdown entries "
            "(src/content.config.ts, src/content/) and no Markdown pages in src/pages/",
            path or root / "package.json",
            hint="sitegen migrate moves an Astro blog's Markdown posts",
        )
    moved: list[Path] = []
    for collection in sorted(collections, key=lambda c: c is not main):
        routed = [r for r in routes if collection.name in r.collections and r.renders_entry]
        if collection is main:
            _main_addresses(plan, collection, routed)
            _page_size(plan, [r for r in routes if collection.name in r.collections])
        elif not routed or not entries[collection.name]:
            if collection.base.is_dir():
                plan.leave(
                    collection.base,
                    f"the collection {collection.name}: no page of the old site shows its "
                    "entries one by one (the theme's pages read it)",
                )
            continue
        moved.append(collection.base)
        prefix = next((r.prefix() for r in routed if r.prefix() is not None), None)
        others = [c for c in collections if c is not collection]
        _move_collection(plan, posts, collection, prefix, site, others)
    pages_dest = "pages" if all(c.name != "pages" for c in collections) else "astro-pages"
    for file in page_files:
        _move_page(plan, posts, file, pages, posts_folder, pages_dest, site)
    _static_files(plan, root)
    posts.finish()
    _left_behind(plan, root, routes, moved, posts)
    return plan


def _main_addresses(plan: SourcePlan, collection: Collection, routed: list[Route]) -> None:
    """The permalink that keeps the posts' addresses: their route's folder, then the slug."""
    prefix = next((r.prefix() for r in routed if r.prefix() is not None), None)
    plan.posts_folder = f"{plan.display(collection.base)}/"
    route = plan.display(routed[0].file) if routed else "no page renders them"
    if prefix is None:
        plan.permalink = f"/{collection.name}/{{slug}}/"
        plan.old_pattern = f"unknown ({route}: its addresses are made by code)"
    else:
        plan.permalink = f"/{prefix}/{{slug}}/" if prefix else "/{slug}/"
        where = f"/{prefix}/<id>/" if prefix else "/<id>/"
        plan.old_pattern = f"{where} ({route}: the entry's id, or its `slug`)"
    plan.report.append(Setting("(post addresses)", plan.old_pattern, "permalink"))


def _page_size(plan: SourcePlan, routes: list[Route]) -> None:
    """`per_page` from the route that lists the posts: `paginate(posts, { pageSize: 4 })`."""
    for route in routes:
        m = re.search(r"\bpaginate\s*\(.*?\bpageSize\s*:\s*(\d+)", route.text, re.S)
        if m and int(m.group(1)) > 0:
            plan.carried(f"{plan.display(route.file)} pageSize", int(m.group(1)), "per_page")
            return


def _move_collection(
    plan: SourcePlan,
    posts: PostReader,
    collection: Collection,
    prefix: str | None,
    site: AstroSettings,
    others: list[Collection],
) -> None:
    """Every entry of `collection` as a post under content/<name>/, at the address its route
    gave it (`prefix` then its id); its other files (images) beside it, a bundle's with it.
    A Markdown file its pattern leaves out stays behind, unless one of the `others` (moved
    or left behind as a whole) holds it."""
    base = collection.base
    files = walk_files(base)
    bundles = {
        f.parent
        for f in files
        if collection.holds(f.relative_to(base).as_posix())
        and f.stem == "index"
        and f.parent != base
    }

    owner: dict[Path, Path | None] = {}  # each file's bundle, found once
    in_bundle: dict[Path, list[Path]] = {}  # each bundle's files but its Markdown
    for file in files:
        owner[file] = nearest_bundle(file, bundles)
        if owner[file] is not None and not file.name.lower().endswith(MARKDOWN):
            in_bundle.setdefault(owner[file], []).append(file)

    for file in files:
        rel = file.relative_to(base).as_posix()
        if not collection.holds(rel):
            if file.name.lower().endswith(MARKDOWN):
                if not any(other.has(file) for other in others):
                    plan.leave(
                        file, "not an entry of its collection (its glob pattern, or a `_` name)"
                    )
            elif owner[file] is None:
                plan.files.append((file, f"content/{collection.name}/{rel}"))
            continue
        post = posts.read(file, f"{collection.name}/{rel}", base)
        if file.stem == "index" and file.parent in bundles:
            post.bundle_files = [
                (f, f"{collection.name}/{f.relative_to(base).as_posix()}")
                for f in in_bundle.get(file.parent, [])
            ]
        first, _, rest = rel.partition("/")
        if site.locales[1:] and first in site.locales and rest:
            post.add_meta["lang"] = first  # Astro's i18n recipe: blog/en/..., blog/es/...
            post.add_meta["translationKey"] = entry_slug(rest)
        meta, _ = read_meta(file)
        if is_draft(meta) or prefix is None:
            continue
        slug = str(meta["slug"]) if meta.get("slug") else entry_slug(rel)
        post.old_url = _entry_url(prefix, slug, site.build_format)
        post.old_slug = slug if "/" not in slug else None


def _move_page(
    plan: SourcePlan,
    posts: PostReader,
    file: Path,
    pages: Path,
    posts_folder: str | None,
    pages_dest: str,
    site: AstroSettings,
) -> None:
    """A Markdown page of `src/pages`: a post of an older blog (`src/pages/posts/x.md`), else
    a page of its own at its address, unless sitegen makes that page itself."""
    rel = file.relative_to(pages).as_posix()
    meta, body = read_meta(file)
    if posts_folder is not None and rel.startswith(f"{posts_folder}/"):
        post = posts.read(file, rel, None)
        if not plan.old_pattern:
            plan.posts_folder = f"src/pages/{posts_folder}/"
            plan.permalink = f"/{posts_folder}/{{slug}}/"
            plan.old_pattern = f"/{posts_folder}/<file name>/ (pages of src/pages/{posts_folder}/)"
            plan.report.append(Setting("(post addresses)", plan.old_pattern, "permalink"))
        if not is_draft(meta):
            post.old_url = _page_url(rel, site.build_format)
            post.old_slug = post.old_url.strip("/").rsplit("/", 1)[-1].removesuffix(".html")
        return
    if rel.rsplit(".", 1)[0] == "index":
        plan.leave(file, "the home page: sitegen makes its own")
        return
    if made_by_its_layout(body):
        plan.leave(file, "a page with no text of its own: made by its layout")
        return
    post = posts.read(file, f"{pages_dest}/{rel}", None)
    post.add_meta["listed"] = False
    if not is_draft(meta):
        post.old_url = _page_url(rel, site.build_format)


def _static_files(plan: SourcePlan, root: Path) -> None:
    public = root / "public"
    old_feeds: dict[str, str] = {}
    for file in walk_files(public):
        rel = file.relative_to(public).as_posix()
        if rel in GENERATED_NAMES:
            plan.leave(file, "sitegen writes its own file of this name")
        else:
            plan.files.append((file, f"static/{rel}"))
    pages = root / "src" / "pages"
    for file in sorted(pages.glob("*.xml.*")) if pages.is_dir() else []:
        name = file.name.rsplit(".", 1)[0]
        if name.startswith("sitemap"):
            continue
        if name in ("rss.xml", "feed.xml"):
            plan.report.append(
                Setting(plan.display(file), f"/{name}", "feeds", f"sitegen writes /{name} too")
            )
        elif re.fullmatch(r"[\w.-]+\.xml", name):
            old_feeds[name] = "rss"
    if old_feeds:
        plan.carried("(feed endpoints in src/pages)", old_feeds, "old_feeds")


def _why_left(file: Path, rel: str, renders_posts: bool) -> str:
    """Why a page file of `src/pages` that is not Markdown stays behind."""
    stem = rel.split(".", 1)[0]
    text = file.read_text(encoding="utf-8", errors="replace") if file.suffix == ".astro" else ""
    if renders_posts:
        return "renders the posts: sitegen's theme does"
    if stem == "index":
        return "the home page: sitegen makes its own"
    if "paginate(" in text or "getCollection(" in text:
        return "a list of posts: sitegen lists them on its home page, tag and archive pages"
    if stem in ("404", "search") or stem.startswith(("tags", "categories", "archive")):
        return "sitegen makes its own page here"
    if ".xml" in file.name:
        return "a feed or sitemap made by code: sitegen makes its own"
    if file.suffix == ".astro":
        return "an Astro page (code, not run): no page at its address until you write one"
    return "an endpoint (code, not run)"


def _left_behind(
    plan: SourcePlan, root: Path, routes: list[Route], moved: list[Path], posts: PostReader
) -> None:
    """What stays: code (layouts, components, .astro pages, endpoints), build output and
    installed packages, each with the reason."""
    pages = root / "src" / "pages"
    routed = {r.file for r in routes if r.renders_entry}
    for file in walk_files(pages):
        rel = file.relative_to(pages).as_posix()
        if file.name.lower().endswith(MARKDOWN) or any(p.startswith("_") for p in rel.split("/")):
            continue
        plan.leave(file, _why_left(file, rel, file in routed))
    src = root / "src"
    listed = {path for path, _ in plan.left_behind}  # a collection left behind, with its reason
    for folder in sorted(p for p in src.iterdir() if p.is_dir()) if src.is_dir() else []:
        if (
            folder.name in ("pages", "content")
            or plan.display(folder) in listed
            or any(folder == b or folder in b.parents for b in moved)
        ):
            continue
        if folder == src / "assets":
            why = (
                "only the files the posts show were copied (to static/)"
                if posts.copied_from(folder)
                else "files the site's components import: not copied"
            )
        else:
            why = "code and styles of the Astro site: sitegen's theme is used instead"
        plan.leave(folder, why)
    for name, why in (
        ("node_modules", "installed packages: not needed"),
        ("dist", "the old build's output: sitegen builds its own"),
    ):
        if (root / name).is_dir():
            plan.leave(root / name, why)
