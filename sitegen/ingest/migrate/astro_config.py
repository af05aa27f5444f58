"""The configuration of an Astro site, read as text and never run (`sitegen migrate`, ingest).

For astro.py: `astro.config.*` (site, base, trailingSlash, build.format, i18n, and what does
not carry over), the constants file where Astro themes keep the site's title and description
(`src/consts.ts`, `src/config.ts`), the content collections (`src/content.config.ts`, Astro 5's
glob loaders; `src/content/config.ts` or the folders of `src/content`, Astro 2-4) and the
dynamic routes of `src/pages`, which say at which address a collection's entries were.
Values count only when literal (jsliterals.py); code is named in the report as not read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.fsutil import is_inside
from sitegen.ingest.migrate.astro_posts import MARKDOWN
from sitegen.ingest.migrate.configfiles import read_text
from sitegen.ingest.migrate.jsliterals import (
    Code,
    Obj,
    config_object,
    constants,
    env_fallback_of,
    glob_regex,
    literal_at,
    matching,
    split_top,
    strip_comments,
    value,
)
from sitegen.ingest.migrate.plan import Setting, SourcePlan, walk_files

CONTENT_CONFIGS = tuple(
    f"src/{where}.{ext}"
    for where in ("content.config", "content/config")
    for ext in ("ts", "mjs", "js", "mts")
)
CONSTANT_FILES = tuple(
    f"src/{name}.{ext}"
    for name in ("consts", "config", "site.config", "site")
    for ext in ("ts", "js")
)
# route parameters that name a listing (tags, pages of a list), not one entry
_LISTING_PARAMS = {"page", "tag", "tags", "category", "categories", "lang", "locale", "year"}


@dataclass
class Collection:
    """A content collection whose entries are Markdown files below one folder."""

    name: str
    base: Path
    include: list[re.Pattern[str]] = field(default_factory=list)  # none: Astro 2-4's rule
    exclude: list[re.Pattern[str]] = field(default_factory=list)

    def holds(self, rel: str) -> bool:
        """Whether the file at `rel` (below the base) is an entry: the glob loader's pattern,
        else, for Astro 2-4, every Markdown file whose path has no `_` name in it."""
        if not rel.lower().endswith(MARKDOWN):
            return False
        if not self.include:
            return not any(part.startswith("_") for part in rel.split("/"))
        return any(p.match(rel) for p in self.include) and not self.excluded(rel)

    def excluded(self, rel: str) -> bool:
        """Whether a negated pattern (`'!**/about/**'`) leaves the file out: it matches the
        file or one of its folders, which the glob loader then does not enter (`'!drafts'`)."""
        parts = rel.split("/")
        paths = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        return any(p.match(path) for p in self.exclude for path in paths)

    def has(self, file: Path) -> bool:
        """Whether `file` (anywhere) is an entry of this collection."""
        try:
            rel = file.relative_to(self.base).as_posix()
        except ValueError:
            return False
        return self.holds(rel)

    def entries(self) -> list[Path]:
        return [f for f in walk_files(self.base) if self.holds(f.relative_to(self.base).as_posix())]


def read_collections(root: Path, plan: SourcePlan) -> list[Collection]:
    """The site's content collections of Markdown: declared in its content configuration, else
    (Astro 2-4 without one) every folder of `src/content`."""
    path = next((root / n for n in CONTENT_CONFIGS if (root / n).is_file()), None)
    if path is None:
        content = root / "src" / "content"
        folders = sorted(p for p in content.iterdir() if p.is_dir()) if content.is_dir() else []
        return [Collection(p.name, p) for p in folders if not p.name.startswith((".", "_"))]
    plan.config_files.append(path)
    text = strip_comments(read_text(path))
    names = constants(text)
    m = re.search(r"\bexport\s+const\s+collections\s*(?::[^=]+)?=\s*\{", text)
    end = matching(text, m.end() - 1) if m else -1
    if end < 0:
        raise SiteError(
            "no `export const collections = {...}`: the collections cannot be read",
            path,
            text.count("\n", 0, m.start()) + 1 if m else None,
            "Astro's content configuration exports its collections that way",
        )
    found: list[Collection] = []
    for item in split_top(text[m.end() : end - 1]):
        key, _, rest = item.partition(":")
        name = key.strip().strip("'\"`")
        ident = rest.strip() or name
        if "defineCollection" in ident:
            block = ident
        else:
            d = re.search(
                rf"\b(?:const|let|var)\s+{re.escape(ident)}\s*=\s*defineCollection\s*\(", text
            )
            close = matching(text, d.end() - 1) if d else -1
            block = text[d.end() : close] if d and close > 0 else ""
        collection = _declared(root, name, block, names)
        if isinstance(collection, Collection):
            found.append(collection)
        else:
            plan.not_carried(f"collection {name}", "…", collection)
    return found


def _declared(root: Path, name: str, block: str, names: dict[str, str]) -> Collection | str:
    """One `defineCollection(...)`, or why it is not moved."""
    loader = re.search(r"\bglob\s*\(\s*\{", block)
    if loader:
        close = matching(block, loader.end() - 1)
        args = block[loader.end() : close - 1] if close > 0 else ""
        base = value(args, "base", names)
        base = "." if base is None else base
        pattern = value(args, "pattern", names)
        patterns = [pattern] if isinstance(pattern, str) else pattern
        if not isinstance(base, str) or not isinstance(patterns, list):
            return "its glob loader's base or pattern is code, not a literal: not read"
        if base.startswith(("/", "file:")) or ".." in base.split("/"):
            return f"its glob base {base!r} is outside the site folder"
        include = [glob_regex(p) for p in patterns if isinstance(p, str) and not p.startswith("!")]
        exclude = [glob_regex(p[1:]) for p in patterns if isinstance(p, str) and p.startswith("!")]
        return Collection(name, Path(os.path.normpath(root / base)), include, exclude)
    if re.search(r"\bloader\s*:", block):
        return "its loader is not a glob of Markdown files (a file of data, or code)"
    if re.search(r"\btype\s*:\s*['\"]data['\"]", block):
        return "a data collection: read by the site's pages, no page of its own"
    return Collection(name, root / "src" / "content" / name)


@dataclass
class Route:
    """A page file of `src/pages` whose address has a `[param]` in it."""

    file: Path
    parts: list[str]  # the address's segments, a final `index` left out
    text: str
    helpers: str = ""  # the text of the site's own modules it imports (`~/utils`)

    @property
    def collections(self) -> list[str]:
        """The collections it reads (`getCollection('blog')`), itself or, when it reads none,
        through a module of the site it imports (`getSortedPosts()` of `~/utils`)."""
        return _COLLECTION.findall(self.text) or _COLLECTION.findall(self.helpers)

    @property
    def renders_entry(self) -> bool:
        """It shows one entry (Astro 5's `render(entry)`, 2-4's `entry.render()`), and is no
        list of them (`paginate`)."""
        return "paginate(" not in self.text and bool(
            re.search(r"\brender\s*\(|\.render\s*\(|<Content\b", self.text)
        )

    def prefix(self) -> str | None:
        """The folder of the address when the entry's id is its last part and the only one
        not fixed (`blog/[...slug]`, `posts/[slug]/index`); None otherwise."""
        dynamic = [i for i, p in enumerate(self.parts) if "[" in p]
        last = re.fullmatch(r"\[(?:\.\.\.)?([\w-]+)\]", self.parts[-1]) if self.parts else None
        if dynamic != [len(self.parts) - 1] or not last or last.group(1) in _LISTING_PARAMS:
            return None
        return "/".join(self.parts[:-1])


_COLLECTION = re.compile(r"\bgetCollection\s*\(\s*['\"`]([\w-]+)['\"`]")
_IMPORT_FROM = re.compile(r"""\bimport\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]""")
_SCRIPT = (".ts", ".js", ".mjs", ".mts")


def _aliases(root: Path) -> dict[str, Path]:
    """Import prefixes of tsconfig.json's `paths` (`~/*` -> src/), else the usual `~/` and
    `@/` for src/."""
    found = {"~/": root / "src", "@/": root / "src"}
    try:
        conf = json.loads(strip_comments(read_text(root / "tsconfig.json")))
        paths = conf.get("compilerOptions", {}).get("paths", {})
        base = root / str(conf.get("compilerOptions", {}).get("baseUrl", "."))
        for key, targets in paths.items():
            if key.endswith("/*") and isinstance(targets, list) and targets:
                found[key[:-1]] = base / str(targets[0]).removesuffix("*")
    except (SiteError, ValueError, AttributeError, TypeError):
        pass
    return found


def _module(root: Path, file: Path, spec: str, aliases: dict[str, Path]) -> Path | None:
    """The script file of the site that an import in `file` names (`./x`, `~/utils`); None
    for a package or what is not there."""
    prefix = next((a for a in aliases if spec.startswith(a)), None)
    if prefix is not None:
        base = aliases[prefix] / spec[len(prefix) :]
    elif spec.startswith("."):
        base = file.parent / spec
    else:
        return None  # a package
    names = [
        base,
        *(base.with_name(base.name + e) for e in _SCRIPT),
        *(base / f"index{e}" for e in _SCRIPT),
    ]
    module = next((f for f in names if f.suffix in _SCRIPT and f.is_file()), None)
    return module if module is not None and is_inside(module, root) else None


def _helpers(root: Path, file: Path, text: str, aliases: dict[str, Path]) -> str:
    """The text of the script modules of the site that `text` (of `file`) imports."""
    found: list[str] = []
    for spec in _IMPORT_FROM.findall(text):
        module = _module(root, file, spec, aliases)
        if module is not None:
            try:
                found.append(strip_comments(read_text(module)))
            except SiteError:
                continue
    return "\n".join(found)


def read_routes(pages: Path) -> list[Route]:
    """The `.astro` pages with a `[param]` in their address, the shortest addresses first."""
    root = pages.parent.parent
    aliases = _aliases(root)
    routes: list[Route] = []
    for file in walk_files(pages):
        rel = file.relative_to(pages)
        if file.suffix != ".astro" or any(p.startswith("_") for p in rel.parts):
            continue
        parts = [*rel.parts[:-1], file.stem]
        if parts[-1] == "index":
            parts.pop()
        if any("[" in p for p in parts):
            try:
                text = strip_comments(read_text(file))
            except SiteError:
                continue
            helpers = "" if _COLLECTION.search(text) else _helpers(root, file, text, aliases)
            routes.append(Route(file, parts, text, helpers))
    return sorted(routes, key=lambda r: (len(r.parts), r.parts))


@dataclass
class AstroSettings:
    """What the configuration says about addresses."""

    build_format: str = "directory"  # or "file", "preserve"
    locales: list[str] = field(default_factory=list)
    # the site's own modules the configuration imports (`import settings from './src/x'`)
    modules: list[Path] = field(default_factory=list)


def _constant_files(
    root: Path, more: list[Path] | None = None
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(name, text without comments, string constants) of each constants file the site has
    (`src/consts.ts`, `src/config.ts`...), where Astro themes keep their settings, then of
    `more` (the modules the configuration imports)."""
    paths = [root / rel for rel in CONSTANT_FILES]
    for path in [*paths, *(p for p in more or [] if p not in paths)]:
        if path.is_file():
            text = strip_comments(read_text(path))
            yield path.relative_to(root).as_posix(), text, constants(text)


def _constants_value(root: Path, expr: str, imports: dict[str, Path] | None = None) -> str | None:
    """`SITE.website` or `SITE_URL` in the configuration, looked up in the site's constants
    file (`src/config.ts`, `src/consts.ts`), where Astro themes keep them."""
    m = re.fullmatch(r"([A-Za-z_$][\w$]*)(?:\.([A-Za-z_$][\w$]*))?", expr.strip())
    if not m:
        return None
    for _, text, names in _constant_files(root):
        if m.group(2) is None and m.group(1) in names:
            return names[m.group(1)]
        obj = re.search(
            rf"\b(?:const|let|var)\s+{re.escape(m.group(1))}\s*(?::[^=]+)?=\s*\{{", text
        )
        if obj and m.group(2):
            found = literal_at(text, obj.end() - 1, names)
            inner = value(found.text, m.group(2), names) if isinstance(found, Obj) else None
            if isinstance(inner, str):
                return inner
    module = imports.get(m.group(1)) if imports else None
    if module is not None and m.group(2):  # `siteConfig.site`, the default export of a module
        try:
            text = strip_comments(read_text(module))
        except SiteError:
            return None
        found = _default_object(text, constants(text))
        inner = value(found.text, m.group(2), constants(text)) if found else None
        if isinstance(inner, str):
            return inner
    return None


def _default_object(text: str, names: dict[str, str]) -> Obj | None:
    """The object literal a module exports as its default (`export default {...}`, or
    `const config = {...}` and `export default config`)."""
    m = re.search(r"\bexport\s+default\s+(?:\{|([A-Za-z_$][\w$]*)\s*(?:;|$))", text, re.M)
    if m is None:
        return None
    start = m.end() - 1
    if m.group(1):
        obj = re.search(
            rf"\b(?:const|let|var)\s+{re.escape(m.group(1))}\s*(?::[^=]+)?=\s*\{{", text
        )
        if obj is None:
            return None
        start = obj.end() - 1
    found = literal_at(text, start, names)
    return found if isinstance(found, Obj) else None


def _default_imports(root: Path, path: Path, text: str) -> dict[str, Path]:
    """Name -> script file of each default import of the site's own modules in `text`
    (`import siteConfig from './src/site.config'`)."""
    aliases = _aliases(root)
    found: dict[str, Path] = {}
    for name, spec in re.findall(
        r"""\bimport\s+([A-Za-z_$][\w$]*)\s+from\s*['"]([^'"]+)['"]""", text
    ):
        module = _module(root, path, spec, aliases)
        if module is not None:
            found[name] = module
    return found


def _literal(root: Path, found: object, imports: dict[str, Path] | None = None) -> object:
    if isinstance(found, Code):
        return _constants_value(root, found.text, imports) or found
    return found


def read_config(plan: SourcePlan, root: Path, path: Path | None) -> AstroSettings:
    """The settings of `astro.config.*` that shape addresses and site.yaml."""
    site = AstroSettings()
    if path is None:
        plan.not_carried("(configuration)", "…", "no astro.config.*: set base_url by hand")
        return site
    text = strip_comments(read_text(path))
    names = constants(text)
    conf = config_object(text)
    if conf is None:
        plan.not_carried(
            "(configuration)",
            "…",
            f"{path.name} exports no object literal: its settings were not read; set base_url "
            "by hand",
        )
        return site
    imports = _default_imports(root, path, text)
    site.modules = list(imports.values())
    url = _literal(root, value(conf, "site", names), imports)
    base = _literal(root, value(conf, "base", names), imports)
    if isinstance(url, str) and url:
        full = url.rstrip("/") + "/"
        if isinstance(base, str) and base.strip("/"):
            full += base.strip("/") + "/"
        env = [
            f"`{key}` is the fallback of the environment variable {var}, which the old "
            "site's deploy may have set to another address"
            for key in ("site", "base")
            if (var := env_fallback_of(conf, key, names))
        ]
        plan.carried(
            "site + base" if isinstance(base, str) and base else "site",
            full,
            "base_url",
            "; ".join(env),
        )
    elif isinstance(url, Code):
        plan.not_carried("site", url.text, "code, not a literal: set base_url by hand")
    trailing = value(conf, "trailingSlash", names)
    if trailing in ("never", "always"):
        plan.not_carried(
            "trailingSlash",
            trailing,
            "sitegen's addresses end in a slash (a folder's index.html), which hosts also "
            "answer for the address without it"
            if trailing == "never"
            else "nothing to carry: sitegen's addresses end in a slash too",
        )
    build = value(conf, "build", names)
    fmt = value(build.text, "format", names) if isinstance(build, Obj) else None
    if fmt in ("file", "preserve"):
        site.build_format = str(fmt)
        plan.not_carried(
            "build.format",
            fmt,
            "sitegen writes folders (`/post/`): the old `.html` addresses redirect to them",
        )
    i18n = value(conf, "i18n", names)
    if isinstance(i18n, Obj):
        _languages(plan, i18n.text, names, site)
    integrations = value(conf, "integrations", names)
    if integrations is not None:
        raw = integrations.text.strip() if isinstance(integrations, Code) else ""
        calls = [re.match(r"([A-Za-z_$][\w$]*)\s*\(", item) for item in split_top(raw[1:-1])]
        used = [m.group(1) for m in calls if m]  # mdx(), sitemap({...})
        plan.not_carried(
            "integrations",
            ", ".join(used) or "…",
            "Astro integrations do not run; sitegen writes its own sitemap.xml and feeds",
        )
    for key, why in (
        ("markdown", "Markdown plugins do not run; sitegen's Markdown settings are fixed"),
        ("redirects", "add each old path to `aliases:` of the page it leads to"),
        ("output", "sitegen builds static pages only"),
        ("adapter", "sitegen builds static pages only"),
    ):
        if value(conf, key, names) is not None:
            plan.not_carried(key, "…", why)
    return site


def _languages(plan: SourcePlan, text: str, names: dict[str, str], site: AstroSettings) -> None:
    default = value(text, "defaultLocale", names)
    locales = value(text, "locales", names)
    codes: list[str] = []
    for item in locales if isinstance(locales, list) else []:
        code = value(item.text, "path", names) if isinstance(item, Obj) else item
        if isinstance(code, str) and code:
            codes.append(code)
    if not isinstance(default, str) or not default:
        return
    site.locales = [default, *(c for c in codes if c != default)]
    if len(site.locales) == 1:
        plan.carried("i18n.defaultLocale", default, "language")
        return
    plan.languages = [{"code": code} for code in site.locales]
    plan.report.append(Setting("i18n.defaultLocale, i18n.locales", site.locales, "languages"))
    routing = value(text, "routing", names)
    if isinstance(routing, Obj) and value(routing.text, "prefixDefaultLocale", names) is True:
        plan.not_carried(
            "i18n.routing.prefixDefaultLocale",
            True,
            "sitegen keeps the first language at the site root",
        )


def site_constants(plan: SourcePlan, root: Path, more: list[Path] | None = None) -> None:
    """Title, description, author and time zone from the constants file Astro themes keep
    them in (`SITE_TITLE` in the blog starter's src/consts.ts, `SITE = {title, desc, ...}`,
    or the object a module the configuration imports exports)."""
    for rel, text, names in _constant_files(root, more):
        values: dict[str, tuple[str, object]] = {}
        for target, name in (
            ("title", "SITE_TITLE"),
            ("description", "SITE_DESCRIPTION"),
            ("author", "SITE_AUTHOR"),
        ):
            if name in names:
                values[target] = (name, names[name])
        obj = re.search(r"\b(?:const|let|var)\s+(SITE\w*|site\w*)\s*(?::[^=]+)?=\s*\{", text)
        found = literal_at(text, obj.end() - 1, names) if obj else None
        label = obj.group(1) if obj else "default"
        if not isinstance(found, Obj):  # `const config = {...}; export default config`
            found = _default_object(text, names)
        if isinstance(found, Obj):
            for target, keys in (
                ("title", ("title",)),
                ("description", ("description", "desc")),
                ("author", ("author",)),
                ("timezone", ("timezone", "timeZone")),
            ):
                for key in keys:
                    got = value(found.text, key, names)
                    if isinstance(got, str) and got and target not in values:
                        values[target] = (f"{label}.{key}", got)
        for target, (key, got) in values.items():
            plan.carried(f"{rel} {key}", got, target)
            if target == "timezone":
                plan.timezone = str(got)
        if values:
            plan.config_files.append(root / rel)
            return
