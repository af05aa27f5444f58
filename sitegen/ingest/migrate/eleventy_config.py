"""The configuration of an Eleventy site, read as text and never run (`sitegen migrate`, ingest).

For eleventy.py: the configuration file (`eleventy.config.js`, `.mjs`, `.cjs` or the older
`.eleventy.js`) gives the folders (`dir: {input, includes, layouts, data, output}`, Eleventy
3's `export const config` or `setInputDirectory()`), `pathPrefix`, the template engine of
Markdown, the passthrough copies and the feed plugin's addresses; the global data folder gives
the site's title, address, language, description and author (`_data/metadata.js` or `.json`);
directory data files (`blog/blog.11tydata.js`, `blog/blog.json`) give the tags, `permalink`
and `layout` of a folder's files. A value counts only when literal (jsliterals.py); code is
named in the report as not read, and nothing here is ever run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.errors import SiteError
from sitegen.ingest.migrate.configfiles import read_json, read_text
from sitegen.ingest.migrate.jsliterals import (
    Code,
    Obj,
    config_object,
    constants,
    glob_regex,
    literal_at,
    matching,
    shallowest_key,
    split_top,
    strip_comments,
    value,
)
from sitegen.ingest.migrate.plan import Setting, SourcePlan

CONFIG_NAMES = (
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    "eleventy.config.ts",
    ".eleventy.js",
)
DATA_SUFFIXES = (".11tydata.js", ".11tydata.cjs", ".11tydata.mjs", ".11tydata.json")
METADATA_NAMES = tuple(
    f"{name}.{ext}" for name in ("metadata", "site", "meta") for ext in ("js", "mjs", "cjs", "json")
)
_DIR_SETTERS = {
    "setInputDirectory": "input",
    "setIncludesDirectory": "includes",
    "setLayoutsDirectory": "layouts",
    "setDataDirectory": "data",
    "setOutputDirectory": "output",
}


@dataclass
class EleventySettings:
    """What the configuration file says, as paths on the disk."""

    input: Path
    includes: Path
    layouts: Path
    data: Path
    output: Path
    path_prefix: str = ""  # "" or "blog" (no slashes)
    engine: Any = "liquid"  # what runs over Markdown first: "liquid", "njk", False
    # passthrough copies: (a file or folder, or a glob, below the root; its address prefix)
    passthrough: list[tuple[str, str]] = field(default_factory=list)
    ignores: list[re.Pattern[str]] = field(default_factory=list)
    feeds: dict[str, str] = field(default_factory=dict)  # "/feed/feed.xml" -> "atom"
    anchors: bool = False  # markdown-it-anchor: headings had ids

    def ignored(self, rel: str) -> bool:
        return any(p.match(rel) or p.match(rel + "/") for p in self.ignores)


@dataclass
class DataFile:
    """A directory (or template) data file: the values it gives the files below it."""

    path: Path
    tags: list[str] = field(default_factory=list)
    permalink: Any = None  # a string, False, Code, or None when it gives none
    layout: str = ""
    exclude: bool = False  # eleventyExcludeFromCollections
    draft: bool = False
    computed: bool = False  # eleventyComputed: code, not run


def config_file(root: Path) -> Path | None:
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _key_value(text: str, key: str, names: dict[str, str]) -> tuple[Any, int]:
    """The value of `key:` in the configuration (the returned object, the exported `config`,
    or the default export), and its offset; (None, -1) when absent. The least nested one
    counts: a helper function may build an object with the same key before the return."""
    found = shallowest_key(text, key)
    return (literal_at(text, found[1], names), found[0]) if found else (None, -1)


def _object_named(text: str, name: str) -> Obj | None:
    """`const NAME = {...}` of the same file, for `dir: NAME`."""
    m = re.search(rf"\b(?:const|let|var)\s+{re.escape(name)}\s*=\s*\{{", text)
    end = matching(text, m.end() - 1) if m else -1
    return Obj(text[m.end() : end - 1]) if m and end > 0 else None


def read_config(plan: SourcePlan, root: Path, path: Path | None) -> EleventySettings:
    """The folders and settings of the configuration at `path` (none: Eleventy's defaults)."""
    text = strip_comments(read_text(path)) if path else ""
    names = constants(text)
    folders = {"input": ".", "includes": "_includes", "layouts": "", "data": "_data"}
    folders["output"] = "_site"
    dirs, at = _key_value(text, "dir", names)
    if isinstance(dirs, Code) and re.fullmatch(r"[A-Za-z_$][\w$]*", dirs.text):
        dirs = _object_named(text, dirs.text) or dirs
    if isinstance(dirs, Obj):
        for key in folders:
            found = value(dirs.text, key, names)
            if isinstance(found, str) and found.strip():
                folders[key] = found.strip()
            elif found is not None:
                plan.not_carried(f"dir.{key}", _shown(found), "code, not run: Eleventy's default")
    elif dirs is not None:
        plan.not_carried("dir", _shown(dirs), "code, not run: Eleventy's default folders")
    for setter, key in _DIR_SETTERS.items():
        for m in re.finditer(rf"\.{setter}\s*\(", text):
            found = literal_at(text, m.end(), names)
            if isinstance(found, str) and found.strip():
                folders[key] = found.strip()
    root_input = Path(os.path.normpath(root / folders["input"]))
    if not root_input.is_dir() or not _inside(root_input, root):
        raise SiteError(
            f"the input folder {folders['input']!r} is not a folder of this site",
            path,
            _line(text, at) if at >= 0 else None,
            "migrate from the folder that holds the Eleventy configuration and its input",
        )

    def below_input(rel: str) -> Path:
        return Path(os.path.normpath(root_input / rel))

    settings = EleventySettings(
        input=root_input,
        includes=below_input(folders["includes"]),
        layouts=below_input(folders["layouts"] or folders["includes"]),
        data=below_input(folders["data"]),
        output=Path(os.path.normpath(root / folders["output"])),
    )
    if folders["input"] not in (".", "./"):
        plan.report.append(
            Setting("dir.input", folders["input"], None, "its files are below content/ now")
        )
    prefix, _ = _key_value(text, "pathPrefix", names)
    if isinstance(prefix, str):
        settings.path_prefix = prefix.strip("/")
    engine, _ = _key_value(text, "markdownTemplateEngine", names)
    if engine is not None and not isinstance(engine, Code):
        settings.engine = engine
    if settings.engine is False:
        plan.not_carried(
            "markdownTemplateEngine",
            "false",
            "Markdown was not run through templates: `{{` and `{%` in posts were shown as text, "
            "which sitegen reads as template code (check the constructs below)",
        )
    settings.anchors = "markdown-it-anchor" in text or "markdownItAnchor" in text
    _passthrough(plan, text, names, settings)
    _ignores(root, text, names, settings)
    _feeds(text, names, settings)
    for label, call, why in (
        ("addShortcode()", r"\.add(?:Paired)?Shortcode\s*\(", "not run: see the constructs below"),
        ("addCollection()", r"\.addCollection\s*\(", "code: sitegen makes its own listings"),
        ("addPlugin()", r"\.addPlugin\s*\(", "plugins do not run"),
        ("addFilter()", r"\.addFilter\s*\(", "filters do not run"),
    ):
        count = len(re.findall(call, text))
        if count:
            plan.not_carried(label, f"{count} call(s)", why)
    return settings


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _shown(found: Any) -> str:
    return found.text if isinstance(found, (Code, Obj)) else str(found)


def _passthrough(
    plan: SourcePlan, text: str, names: dict[str, str], site: EleventySettings
) -> None:
    """`addPassthroughCopy("img")`, `("**/*.jpg")`, `({"./public/": "/"})`: what is copied
    where, as (path or glob below the root, address it lands at)."""
    for m in re.finditer(r"\.addPassthroughCopy\s*\(", text):
        end = matching(text, m.end() - 1)
        args = split_top(text[m.end() : end - 1]) if end > 0 else []
        first = literal_at(args[0], 0, names) if args else Code("")
        items: list[tuple[Any, Any]] = []
        if isinstance(first, str):
            items.append((first, None))
        elif isinstance(first, list):
            items += [(item, None) for item in first]
        elif isinstance(first, Obj):
            for item in split_top(first.text):
                key, colon, rest = item.partition(":")
                key = key.strip()
                key = names.get(key, key.strip("'\"`"))
                items.append((key, literal_at(rest, 0, names) if colon else Code(item)))
        else:
            plan.not_carried("addPassthroughCopy", _shown(first), "code, not run: not copied")
            continue
        for source, target in items:
            if not isinstance(source, str) or (target is not None and not isinstance(target, str)):
                plan.not_carried("addPassthroughCopy", _shown(target), "code, not run: not copied")
                continue
            source = os.path.normpath(source).replace("\\", "/")
            if target is None:  # the same path, the input folder dropped from its front
                rel_input = site.input.relative_to(plan.root).as_posix()
                target = source
                if rel_input != "." and (source + "/").startswith(rel_input + "/"):
                    target = source[len(rel_input) :]
            site.passthrough.append((source.removeprefix("./"), "/" + target.strip("/")))


def _ignores(root: Path, text: str, names: dict[str, str], site: EleventySettings) -> None:
    """`.eleventyignore` lines and `ignores.add("README.md")`, as patterns of root paths."""
    patterns: list[str] = []
    ignore_file = root / ".eleventyignore"
    if ignore_file.is_file():
        patterns += [
            line.strip()
            for line in read_text(ignore_file).splitlines()
            if line.strip() and not line.startswith(("#", "!"))
        ]
    for m in re.finditer(r"\.ignores\.add\s*\(", text):
        found = literal_at(text, m.end(), names)
        if isinstance(found, str):
            patterns.append(found)
    for pattern in patterns:
        pattern = pattern.removeprefix("./").rstrip("/")
        site.ignores.append(glob_regex(pattern))
        site.ignores.append(glob_regex(pattern + "/**"))


def _feeds(text: str, names: dict[str, str], site: EleventySettings) -> None:
    """The feed plugin's addresses: `addPlugin(feedPlugin, {type: "atom", outputPath: ...})`."""
    for m in re.finditer(r"\.addPlugin\s*\(", text):
        end = matching(text, m.end() - 1)
        args = split_top(text[m.end() : end - 1]) if end > 0 else []
        options = literal_at(args[1], 0, names) if len(args) > 1 else None
        if not isinstance(options, Obj):
            continue
        output = value(options.text, "outputPath", names)
        kind = value(options.text, "type", names)
        if isinstance(output, str) and kind in ("atom", "rss", "json"):
            site.feeds["/" + output.lstrip("/")] = str(kind)


def read_metadata(plan: SourcePlan, site: EleventySettings) -> dict[str, Any]:
    """The site's own values from the global data folder (`_data/metadata.js` or `.json`,
    `site.json`...), carried into site.yaml; all of that file's literal values, for the posts
    that show them (`{{ metadata.title }}`), by the file's name."""
    path = next((site.data / n for n in METADATA_NAMES if (site.data / n).is_file()), None)
    if path is None:
        return {}
    plan.config_files.append(path)
    values = read_data_values(path)
    name = path.name.split(".")[0]

    def text_of(*keys: str) -> str:
        for key in keys:
            found = values.get(key)
            if isinstance(found, dict):
                found = found.get("name")
            if isinstance(found, str) and found.strip():
                return found.strip()
        return ""

    plan.carried(f"{name}.title", text_of("title", "name", "siteName"), "title")
    plan.carried(f"{name}.description", text_of("description", "subtitle"), "description")
    plan.carried(f"{name}.author", text_of("author"), "author")
    language = text_of("language", "lang", "locale")
    plan.carried(f"{name}.language", language.replace("_", "-").split("-")[0], "language")
    url = text_of("url", "baseUrl", "baseURL", "base_url", "siteUrl")
    if url:
        base = url.rstrip("/") + "/" + (site.path_prefix + "/" if site.path_prefix else "")
        plan.carried(
            f"{name}.url" + (" + pathPrefix" if site.path_prefix else ""), base, "base_url"
        )
    elif site.path_prefix:
        plan.not_carried(
            "pathPrefix", site.path_prefix, "no site address: set base_url by hand with it"
        )
    return {name: values}


def read_data_values(path: Path) -> dict[str, Any]:
    """A data file's literal values: JSON as it is; JavaScript's exported object, its keys
    read when literal (nested objects as mappings), code left out."""
    if path.suffix == ".json":
        return read_json(path).values
    text = strip_comments(read_text(path))
    inner = config_object(text)
    return _object_values(inner, constants(text)) if inner is not None else {}


def _object_values(text: str, names: dict[str, str], depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in split_top(text):
        key, colon, rest = item.partition(":")
        key = key.strip().strip("'\"`")
        if not colon or not re.fullmatch(r"[\w$-]+", key):
            continue
        found = literal_at(rest, 0, names)
        if isinstance(found, Obj) and depth < 3:
            out[key] = _object_values(found.text, names, depth + 1)
        elif isinstance(found, Code) or not isinstance(found, Obj):
            out[key] = found
    return out


def data_files(folder: Path, stem: str) -> list[Path]:
    """The data files named `stem` in `folder` (`blog.11tydata.js`, `blog.json`)."""
    names = [stem + suffix for suffix in DATA_SUFFIXES] + [stem + ".json"]
    return [folder / n for n in names if (folder / n).is_file()]


def read_data_file(path: Path) -> DataFile:
    """A directory or template data file: what it gives the files it applies to. A file that
    is code (`module.exports = async function ...`) gives nothing that can be read."""
    values = read_data_values(path)
    data = DataFile(path)
    tags = values.get("tags")
    if isinstance(tags, str):
        data.tags = [tags]
    elif isinstance(tags, list):
        data.tags = [str(t) for t in tags if t]
    data.permalink = values.get("permalink")
    data.layout = str(values.get("layout") or "")
    data.exclude = values.get("eleventyExcludeFromCollections") is True
    data.draft = values.get("draft") is True
    data.computed = "eleventyComputed" in values or "eleventyComputed" in read_text(path)
    return data
