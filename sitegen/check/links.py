"""Check a built output folder: every internal link and `#fragment`, images and their alt text,
and the feeds and sitemap. Reads the folder as a host would serve it; no network.

One page at a time (pass 1: parse, resolve each reference, check the file exists, keep the
page's ids and the fragments it asks of other pages), then the fragments are checked against
the ids kept (pass 2). Memory grows with the number of ids, not with the size of the pages.
A problem in an article's body names its content file and line; a problem in a template is
reported once with the number of pages that show it.
"""

from __future__ import annotations

import json
import os
import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sitegen.check.pages import scan_page
from sitegen.check.sources import SourceLines, SourceMap
from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.errors import SiteError

SKIP_SCHEMES = ("mailto:", "tel:", "data:", "javascript:", "sms:", "geo:")
HIDDEN_PREFIX = "."  # staging folders, the manifest: sitegen's own, never served as pages


@dataclass
class CheckReport:
    pages: int = 0  # HTML pages read
    references: int = 0  # internal references checked
    problems: list[SiteError] = field(default_factory=list)
    external: dict[str, str] = field(default_factory=dict)  # URL -> first page linking to it

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Where:
    """Where a problem shows: the page, and its source when an article body holds it."""

    page: str
    article: Article | None


class _Problems:
    """Problems as they are found; the ones a template makes (no source line) are merged
    into one per message, counting the pages."""

    def __init__(self, lines: SourceLines) -> None:
        self.lines = lines
        self.found: dict[tuple, list] = {}

    def add(
        self,
        where: _Where,
        message: str,
        reference: str,
        hint: str | None = None,
        group: str | None = None,
    ) -> None:
        """`group` names the problem apart from the page (its kind and target), so that a
        template's problem on many pages is reported once."""
        line = None
        if where.article is not None:
            line = self.lines.find(where.article, reference)
        if line is not None:
            assert where.article is not None
            key: tuple = (where.article.source, line, message)
            self.found.setdefault(key, [SiteError(message, where.article.source, line, hint), 0])
        else:
            key = (None, None, group or message)
            entry = self.found.setdefault(key, [SiteError(message, None, None, hint), 0])
            entry[1] += 1

    def errors(self) -> list[SiteError]:
        out = []
        for error, count in self.found.values():
            if count > 1:
                error.message += f" (and on {count - 1} other page{'s' if count > 2 else ''})"
            out.append(error)
        return sorted(out, key=lambda e: (str(e.path), e.line or 0, e.message))


def _walk(output: str) -> list[str]:
    """Every file of the output as a posix path relative to it, hidden ones left out."""
    found = []
    for folder, dirs, files in os.walk(output):
        dirs[:] = sorted(d for d in dirs if not d.startswith(HIDDEN_PREFIX))
        rel = os.path.relpath(folder, output)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.extend(prefix + f for f in sorted(files) if not f.startswith(HIDDEN_PREFIX))
    return found


class _Resolver:
    """A reference on a page -> the output file it names, or why it names none."""

    def __init__(self, files: set[str], base_url: str) -> None:
        self.files = files
        self.dirs = {posixpath.dirname(f) for f in files}
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else ""
        self.base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self._split: dict[str, tuple[str, str, str]] = {}
        self._target: dict[tuple[str, str, str], tuple[str | None, str]] = {}

    def resolve(self, page: str, ref: str) -> tuple[str, str | None, str, str]:
        """(kind, target, looked for, fragment) of a reference on a page, remembered: the same
        template links come back on every page, from a few folder depths."""
        split = self._split.get(ref)
        if split is None:
            split = self._split[ref] = self.split(ref)
        kind, path, fragment = split
        if kind in ("skip", "external"):
            return kind, None, path, fragment
        folder = posixpath.dirname(page) if path else page  # "#id" names the page itself
        key = (kind, folder, path)
        found = self._target.get(key)
        if found is None:
            found = self._target[key] = self.target(page, kind, path)
        return kind, found[0], found[1], fragment

    def split(self, ref: str) -> tuple[str, str, str] | None:
        """(kind, path, fragment): kind is "internal", "external" or "skip"."""
        if ref.startswith(SKIP_SCHEMES) or not ref:
            return ("skip", "", "")
        parts = urlsplit(ref)
        fragment = unquote(parts.fragment)
        if parts.scheme or ref.startswith("//"):
            url = ref if parts.scheme else "https:" + ref
            if self.origin and url.lower().startswith(self.origin + self.base_path):
                rest = url[len(self.origin) :]
                return ("site", urlsplit(rest).path, fragment)
            if parts.scheme in ("http", "https", "") or ref.startswith("//"):
                return ("external", url.split("#")[0], "")
            return ("skip", "", "")
        return ("relative", parts.path, fragment)

    def target(self, page: str, kind: str, path: str) -> tuple[str | None, str]:
        """The output file a path names (None when there is none), and the path looked for."""
        path = unquote(path)
        if kind == "site" or path.startswith("/"):
            if not path.startswith(self.base_path) and path + "/" != self.base_path:
                return None, path  # a site-root path outside the site's own folder
            joined = path[len(self.base_path) :]
        elif not path:
            return page, page  # "#id" or "?q": this page
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        wanted = posixpath.normpath(joined) if joined else "."
        if wanted.startswith("../") or wanted == "..":
            return None, wanted
        if wanted == ".":
            wanted = ""
        if joined.endswith("/") or wanted == "" or wanted in self.dirs:
            index = (wanted + "/" if wanted else "") + "index.html"
            return (index if index in self.files else None), index
        return (wanted if wanted in self.files else None), wanted


def check_output(
    config: SiteConfig,
    output: os.PathLike | str,
    sources: SourceMap,
    progress: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check every page, feed and sitemap of `output`; see the module docstring."""
    output = os.fspath(output)
    report = CheckReport()
    lines = SourceLines(config)
    problems = _Problems(lines)
    files = _walk(output)
    file_set = set(files)
    resolver = _Resolver(file_set, config.base_url)
    ids: dict[str, set[str]] = {}
    wanted_ids: dict[tuple[str, str], list[tuple[_Where, str]]] = {}
    html = [f for f in files if f.endswith((".html", ".htm"))]

    for number, page in enumerate(html, 1):
        try:
            with open(os.path.join(output, page), encoding="utf-8", errors="replace") as fh:
                scan = scan_page(fh.read())
        except OSError as exc:
            report.problems.append(SiteError(f"cannot read: {exc.strerror}", page))
            continue
        report.pages += 1
        ids[page] = scan.ids
        where = _Where(page, sources.article(page))
        for tag, ref in scan.refs:
            kind, target, looked_for, fragment = resolver.resolve(page, ref)
            if kind == "skip":
                continue
            if kind == "external":
                report.external.setdefault(looked_for, page)
                continue
            report.references += 1
            if target is None:
                what = "image" if tag in ("img", "source") else "link"
                problems.add(
                    where,
                    f"broken {what} {ref!r} on {page}: no file {_shown(looked_for)} in the output",
                    ref,
                    group=f"{what} {looked_for}",
                )
            elif fragment and fragment != "top" and target.endswith((".html", ".htm")):
                if target == page:
                    if fragment not in scan.ids:
                        problems.add(
                            where,
                            f"broken anchor {ref!r} on {page}: no such id",
                            ref,
                            group=f"anchor #{fragment} on its own page",
                        )
                else:
                    wanted_ids.setdefault((target, fragment), []).append((where, ref))
        for src in scan.images_without_alt:
            problems.add(
                where,
                f"image without alt text on {page}: {src}",
                src,
                hint='write alt="" for a decorative picture',
                group=f"alt {src}",
            )
        if progress is not None:
            progress(number, len(html))

    for (target, fragment), referrers in wanted_ids.items():
        if fragment in ids.get(target, ()):
            continue
        for where, ref in referrers:
            problems.add(
                where,
                f"broken anchor {ref!r} on {where.page}: no id on {target}",
                ref,
                group=f"anchor {target}#{fragment}",
            )

    _check_markdown_images(sources, lines, problems)
    report.problems.extend(problems.errors())
    report.problems.extend(_check_feeds_and_sitemap(output, files, resolver))
    return report


def _check_markdown_images(sources: SourceMap, lines: SourceLines, problems: _Problems) -> None:
    """`![](x.png)` renders as alt="", which the output cannot tell from a decorative picture:
    the body says which it was."""
    for page, article in sources.pages.items():
        for ref in article.images:
            if not ref.raw and ref.alt is not None and not ref.alt.strip():
                key = (article.source, ref.line, None)
                if key in problems.found:
                    continue
                problems.found[key] = [
                    SiteError(
                        f"image without alt text on {page}: {ref.src}",
                        article.source,
                        ref.line,
                        "describe the picture: ![what it shows](...)",
                    ),
                    0,
                ]


def _check_feeds_and_sitemap(output: str, files: list[str], resolver: _Resolver) -> list[SiteError]:
    """Every XML file parses; feeds and the sitemap link to pages that exist; JSON feeds parse
    and carry what JSON Feed 1.1 requires."""
    problems: list[SiteError] = []
    for rel in files:
        path = os.path.join(output, rel)
        if rel.endswith(".xml"):
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as exc:
                problems.append(SiteError(f"not well-formed XML: {exc}", rel, exc.position[0]))
                continue
            links = []
            if root.tag.endswith("urlset") or root.tag.endswith("sitemapindex"):
                links = [
                    e.text or ""
                    for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
                ]
            elif root.tag == "{http://www.w3.org/2005/Atom}feed":
                links = [
                    e.get("href", "")
                    for e in root.iter("{http://www.w3.org/2005/Atom}link")
                    if e.get("rel", "alternate") == "alternate"
                ]
            elif root.tag == "rss":
                links = [e.text or "" for e in root.iter("link")]
            for link in links:
                problems.extend(_feed_link(rel, link.strip(), resolver))
        elif rel.endswith("feed.json"):
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (ValueError, OSError) as exc:
                problems.append(SiteError(f"not valid JSON: {exc}", rel))
                continue
            missing = [k for k in ("version", "title", "items") if k not in data]
            bad_items = [
                i
                for i, item in enumerate(data.get("items", []))
                if not isinstance(item, dict)
                or "id" not in item
                or not ("content_html" in item or "content_text" in item)
            ]
            if (
                missing
                or bad_items
                or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/")
            ):
                problems.append(
                    SiteError(
                        f"not a JSON Feed: missing {', '.join(missing) or 'version'}"
                        if missing or not bad_items
                        else f"not a JSON Feed: item {bad_items[0]} lacks id or content",
                        rel,
                    )
                )
            links = [data.get("home_page_url", "")] + [
                item.get("url", "") for item in data.get("items", []) if isinstance(item, dict)
            ]
            for link in links:
                if link:
                    problems.extend(_feed_link(rel, link, resolver))
    return problems


def _shown(path: str) -> str:
    """A path as a message shows it: one holding a control character (`java%09script:` names
    a file with a tab) quoted with its escapes, not printed raw."""
    return repr(path) if any(ord(c) < 32 or ord(c) == 127 for c in path) else path


def _feed_link(rel: str, link: str, resolver: _Resolver) -> list[SiteError]:
    kind, path, _ = resolver.split(link)
    if kind in ("skip", "external"):
        return []
    target, looked_for = resolver.target(rel, kind, path)
    if target is None:
        return [SiteError(f"links to {link!r}: no file {_shown(looked_for)} in the output", rel)]
    return []
