"""SiteConfig: load and validate `site.yaml`, with every default in one place.

Errors name the file, the line of the bad key, and what was expected; all of them are reported
at once. Unknown keys get a "did you mean" hint.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib.resources
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from sitegen.errors import Diagnostics, SiteError
from sitegen.text.languages import Language, is_language_code, language_name
from sitegen.text.textstats import NOT_TEXT
from sitegen.text.yamlload import SafeLoader, TextDatesLoader, check_size, yaml_error

CONFIG_NAME = "site.yaml"
FEED_FORMATS = ("atom", "rss", "json")  # site/feeds.py says how each is written

DEFAULT_TEASERS = [
    r"^(NOW WATCH|WATCH|SEE ALSO|READ MORE|READ NEXT|MORE|RELATED|DON'T MISS|SEE ALSO|CHECK OUT)\s*:",
]


PAGINATIONS = ("newest", "stable")  # `pagination`: what page 1 of a listing holds


@dataclass(frozen=True)
class SiteConfig:
    """Every setting of a site. Field comments are the user documentation in README.md."""

    root: Path = Path(".")
    title: str = "My sitegen site"
    description: str = ""
    author: str = ""
    language: str = "en"  # the default language: the first of `languages` when those are given
    languages: tuple[Language, ...] = ()  # every language of the site (README "Languages")
    base_url: str = ""  # absolute URL of the site, e.g. https://example.org/blog/
    per_page: int = 10
    # listing pages numbered from the newest ("newest": page 2 holds the next ten, as every
    # generator does) or from the oldest ("stable": a numbered page keeps its articles for good,
    # and a new article changes only the first page; README "Pages a build makes")
    pagination: str = "newest"
    timezone: str = "UTC"
    theme: str = "default"
    permalink: str = "/{slug}/"
    # slugs keep letters of every script (`/네트워크-기본/`) instead of making them ASCII
    unicode_slugs: bool = False
    file_urls: bool = False  # links end in index.html so the site browses from disk
    raw_html: bool = True  # raw HTML in content files passes through
    feed_limit: int = 20
    # the archive lists every dated article of a language on one page up to this many; beyond,
    # /archive/ lists years and months and each month has a page of its own (0: always)
    archive_limit: int = 1000
    feeds: tuple[str, ...] = ("atom", "rss")  # any of atom, rss, json (see README)
    feed_content: str = "full"  # full: the whole article in feeds; summary: its summary
    # file name -> format: that feed written under this name too, beside every listing (a
    # moved site's old feed address: Hugo's index.xml, Zola's atom.xml)
    old_feeds: dict[str, str] = field(default_factory=dict)
    summary_length: int = 200
    date_format: str = "long"  # CLDR short/medium/long/full or pattern; strftime when it has %
    content_dir: str = "content"
    seeds_dir: str = "seeds"
    output_dir: str = "build"
    static_dir: str = "static"
    templates_dir: str = "templates"
    max_file_size: int = 10 * 1024 * 1024
    teasers: tuple[str, ...] = tuple(DEFAULT_TEASERS)
    default_date: str = "2000-01-01"  # date of a seed with no Date: line (see README)
    auto_tags: bool = True
    max_auto_tags: int = 5
    related: int = 5
    search: bool = True
    image_widths: tuple[int, ...] = (480, 960, 1600)
    figures: bool = True  # a Markdown image with a title becomes <figure>
    highlight_style: str = "xcode"  # WCAG AA contrast on every token (see README)
    highlight_style_dark: str = "github-dark"
    jobs: int = 0  # 0: one worker per core
    broken_links: str = "error"  # or "warn": links to pages outside the site are warnings
    # heading anchors: "sitegen" (ASCII, transliterated: `zong-jie`, `what-s-new`) or "github"
    # (GitHub's and Hugo's: letters of every script kept, punctuation dropped: `总结`, `whats-new`)
    heading_ids: str = "sitegen"
    extra: dict[str, Any] = field(default_factory=dict)  # free-form values for templates

    @property
    def site_languages(self) -> tuple[Language, ...]:
        """The site's languages, the default first, each with a name (one when none are set)."""
        if not self.languages:
            return (Language(self.language, language_name(self.language)),)
        return self.languages

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, name: str) -> Path:
        return (self.root / name).resolve()

    @property
    def content_path(self) -> Path:
        return self.path(self.content_dir)

    @property
    def seeds_path(self) -> Path:
        return self.path(self.seeds_dir)

    @property
    def output_path(self) -> Path:
        return self.path(self.output_dir)

    @property
    def cache_path(self) -> Path:
        return self.path(".sitegen")

    def theme_path(self) -> Path:
        """The theme folder: the site's own `themes/<name>`, else the one shipped with sitegen."""
        own = self.root / "themes" / self.theme
        if own.is_dir():
            return own.resolve()
        return (bundled_themes_dir() / self.theme).resolve()

    def output_fingerprint(self) -> str:
        """A hash of every setting that shapes the output (for caches and incremental builds)."""
        data = dataclasses.asdict(self)
        for key in ("root", "jobs", "seeds_dir", "output_dir", "max_file_size"):
            data.pop(key, None)
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha1(blob).hexdigest()


def bundled_themes_dir() -> Path:
    """Themes shipped inside the package (package data, so a wheel carries them too)."""
    return Path(str(importlib.resources.files("sitegen") / "themes"))


_FIELDS = {f.name: f for f in dataclasses.fields(SiteConfig) if f.name != "root"}
# Every page's address is base_url + path: a query or fragment would sit in the middle of it,
# and a quote or angle bracket cannot be in a URL at all.
_URL_RE = re.compile(r"^https?://[^\s/?#\"'<>\\]+(/[^\s?#\"'<>\\]*)?$")
_PERMALINK_FIELDS = {"slug", "year", "month", "day", "lang", "section"}


def key_lines(text: str) -> dict[str, int]:
    """The line of each top-level `key:` of a YAML text, for messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = number
    return lines


_LANGUAGE_KEYS = {"code", "name", "dir", "folder"}


def _languages(value: Any) -> tuple[Language, ...]:
    """`languages:` as a list of codes or of {code, name, dir, folder} mappings."""
    if not isinstance(value, list) or not value:
        raise ValueError("expected a list of languages such as [{code: en, name: English}]")
    out: list[Language] = []
    for item in value:
        if isinstance(item, str):
            item = {"code": item}
        if not isinstance(item, dict):
            raise ValueError(f"expected {{code: ..., name: ...}} for each language, got {item!r}")
        unknown = set(map(str, item)) - _LANGUAGE_KEYS
        if unknown:
            raise ValueError(
                f"unknown key {sorted(unknown)[0]!r} in a language (use code, name, dir, folder)"
            )
        code = str(item.get("code") or "")
        if not is_language_code(code):
            raise ValueError(f"{code!r} is not a language code like en or pt-br")
        direction = str(item.get("dir") or "")
        if direction not in ("", "ltr", "rtl"):
            raise ValueError(f"dir of {code}: expected ltr or rtl, got {direction!r}")
        folder = str(item.get("folder") or "").strip("/")
        if folder and (".." in folder.split("/") or "\\" in folder):
            raise ValueError(f"folder of {code}: {folder!r} must be a folder inside content/")
        if any(lang.code == code for lang in out):
            raise ValueError(f"language {code!r} is listed twice")
        name = str(item.get("name") or "") or language_name(code)
        out.append(Language(code, name, direction, folder))
    return tuple(out)


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Check one value against the type of its default; raise ValueError with what is expected."""
    if name == "languages":
        return _languages(value)
    if name == "broken_links":
        if value not in ("error", "warn"):
            raise ValueError("expected error or warn")
        return value
    if name == "pagination":
        if value not in PAGINATIONS:
            raise ValueError("expected " + " or ".join(PAGINATIONS))
        return value
    if name == "old_feeds":
        return _old_feeds(value)
    if name == "heading_ids":
        if value not in HEADING_ID_STYLES:
            raise ValueError("expected " + " or ".join(HEADING_ID_STYLES))
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("expected a whole number")
        if value < 0 or (name in ("per_page", "max_file_size") and value < 1):
            raise ValueError("expected a positive number")
        return value
    if isinstance(default, str):
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ValueError("expected text")
        bad = NOT_TEXT.search(value)
        if bad is not None:  # the title and description are in every feed: XML refuses them
            raise ValueError(f"no page or feed may hold control character U+{ord(bad.group()):04X}")
        return value
    if isinstance(default, tuple):
        if isinstance(value, (str, int)):
            value = [value]
        if not isinstance(value, list):
            raise ValueError("expected a list")
        kind = type(default[0]) if default else str
        if not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
            raise ValueError(f"expected a list of {'numbers' if kind is int else 'text'}")
        if kind is int and any(v < 1 for v in value):  # image widths: a copy 0 pixels wide
            raise ValueError("expected a list of positive numbers")
        return tuple(value)
    if isinstance(default, dict) or name == "extra":
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of names to values")
        return value
    return value


HEADING_ID_STYLES = ("sitegen", "github")  # render/headings.py makes each

_FEED_NAME = re.compile(r"[\w.-]+(/[\w.-]+)*\.(xml|rss|atom|json)", re.ASCII)


def _old_feeds(value: Any) -> dict[str, str]:
    """`old_feeds`: file names (a path below each listing) -> a format of FEED_FORMATS."""
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of file names to formats, e.g. {index.xml: rss}")
    out = {}
    for name, fmt in value.items():
        name = str(name)
        if not _FEED_NAME.fullmatch(name) or ".." in name.split("/"):
            raise ValueError(f"{name!r} is not a feed file name (index.xml, atom.xml)")
        if fmt not in FEED_FORMATS:
            raise ValueError(f"{name}: {fmt!r} is not one of " + ", ".join(FEED_FORMATS))
        out[name] = str(fmt)
    return out


def parse_config(text: str, root: Path, path: Path | str = CONFIG_NAME) -> SiteConfig:
    """Validate the text of a site.yaml; raises BuildFailed listing every bad key."""
    diag = Diagnostics()
    try:
        try:
            raw = yaml.load(text, Loader=SafeLoader) if text.strip() else {}  # noqa: S506
        except (ValueError, TypeError, OverflowError):
            # a value YAML cannot make (`default_date: 2024-13-45`): dates read as text, so
            # the setting's own check names its line
            raw = yaml.load(text, Loader=TextDatesLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        hint = (
            "check indentation and quote values that contain ': ' or start with a special character"
        )
        raise yaml_error(exc, path, "invalid YAML", hint, text) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SiteError("expected a mapping of settings (key: value lines)", path, 1)
    lines = key_lines(text)
    for key, value in list(raw.items()):  # before anything walks them (`extra:` is free-form)
        try:
            check_size(value, f"setting '{key}'", path, lines.get(str(key)))
        except SiteError as error:
            diag.error(error)
            del raw[key]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        key = str(key)
        name = key.replace("-", "_")
        if name not in _FIELDS:
            close = difflib.get_close_matches(name, list(_FIELDS), n=1)
            diag.error(
                SiteError(
                    f"unknown setting '{key}'",
                    path,
                    lines.get(key),
                    f"did you mean '{close[0]}'?"
                    if close
                    else "put free-form values under 'extra:'",
                )
            )
            continue
        default = _FIELDS[name].default
        if default is dataclasses.MISSING:
            default = _FIELDS[name].default_factory()  # type: ignore[misc]
        try:
            values[name] = _coerce(name, value, default)
        except ValueError as exc:
            diag.error(SiteError(f"setting '{key}': {exc}, got {value!r}", path, lines.get(key)))
    if values.get("languages"):
        first = values["languages"][0].code
        if "language" in values and values["language"] != first:
            diag.error(
                SiteError(
                    f"setting 'language' ({values['language']}) is not the first of 'languages' "
                    f"({first})",
                    path,
                    lines.get("language"),
                    "the first of 'languages' is the default language; remove 'language'",
                )
            )
        values["language"] = first
    config = SiteConfig(root=root, **values)
    for err in _check_semantics(config, lines, path):
        diag.error(err)
    diag.raise_if_errors()
    return config


def _check_semantics(
    config: SiteConfig, lines: dict[str, int], path: Path | str
) -> list[SiteError]:
    errors = []
    if not config.theme_path().is_dir() or "/" in config.theme or "\\" in config.theme:
        folders = [f for f in (config.root / "themes", bundled_themes_dir()) if f.is_dir()]
        names = sorted({t.name for f in folders for t in f.iterdir() if t.is_dir()})
        close = difflib.get_close_matches(config.theme, names, n=1)
        errors.append(
            SiteError(
                f"setting 'theme': no theme {config.theme!r} in themes/ or among sitegen's own",
                path,
                lines.get("theme"),
                (f"did you mean {close[0]!r}? " if close else "")
                + "themes there: "
                + ", ".join(names),
            )
        )
    if config.base_url and not _URL_RE.match(config.base_url):
        errors.append(
            SiteError(
                f"setting 'base_url': expected an absolute http(s) URL, got {config.base_url!r}",
                path,
                lines.get("base_url"),
                "for example https://example.org/blog/: no ?query or #fragment, spaces or quotes",
            )
        )
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            SiteError(
                f"setting 'timezone': unknown time zone {config.timezone!r}",
                path,
                lines.get("timezone"),
                "use an IANA name such as UTC or Europe/Berlin",
            )
        )
    fields = set(re.findall(r"{(\w+)}", config.permalink))
    if not config.permalink.startswith("/") or "slug" not in fields or fields - _PERMALINK_FIELDS:
        errors.append(
            SiteError(
                f"setting 'permalink': {config.permalink!r} must start with / and contain {{slug}}",
                path,
                lines.get("permalink"),
                "allowed fields: " + ", ".join(sorted(f"{{{f}}}" for f in _PERMALINK_FIELDS)),
            )
        )
    try:
        import datetime as _dt

        _dt.date.fromisoformat(config.default_date)
    except ValueError:
        errors.append(
            SiteError(
                f"setting 'default_date': expected YYYY-MM-DD, got {config.default_date!r}",
                path,
                lines.get("default_date"),
            )
        )
    for pattern in config.teasers:
        try:
            re.compile(pattern)
        except re.error as exc:
            errors.append(
                SiteError(
                    f"setting 'teasers': bad pattern {pattern!r}: {exc}", path, lines.get("teasers")
                )
            )
    unknown = [f for f in config.feeds if f not in FEED_FORMATS]
    if unknown or len(set(config.feeds)) != len(config.feeds):
        errors.append(
            SiteError(
                f"setting 'feeds': expected a list of distinct formats, got {list(config.feeds)!r}",
                path,
                lines.get("feeds"),
                "choose from " + ", ".join(FEED_FORMATS) + " ([] for no feeds)",
            )
        )
    if config.feed_content not in ("full", "summary"):
        errors.append(
            SiteError(
                f"setting 'feed_content': expected full or summary, got {config.feed_content!r}",
                path,
                lines.get("feed_content"),
            )
        )
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", config.language):
        errors.append(
            SiteError(
                f"setting 'language': expected a language code like en or pt-BR, got {config.language!r}",
                path,
                lines.get("language"),
            )
        )
    return errors


def find_site_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding a site.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> SiteConfig:
    """Read `root/site.yaml` (a missing file means all defaults) and apply CLI overrides."""
    path = root / CONFIG_NAME
    data = path.read_bytes() if path.is_file() else b""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteError(
            f"not valid UTF-8: byte at offset {exc.start}",
            path,
            data.count(b"\n", 0, exc.start) + 1,
            "save site.yaml as UTF-8",
        ) from None
    config = parse_config(text, root.resolve(), path)
    if overrides:
        config = dataclasses.replace(
            config, **{k: v for k, v in overrides.items() if v is not None}
        )
        errors = _check_semantics(config, {}, "command line")
        if errors:
            from sitegen.errors import BuildFailed

            raise BuildFailed(errors)
    return config
