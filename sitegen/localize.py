"""Portable body HTML -> the HTML one page shows. Pure apart from the image hook.

Rewrites every local reference in an article body so it works wherever the page lands:
site-root paths (`/images/x.png`) become relative (subpath hosting, file://); references to a
bundle's files, to files beside the content, or to `static/` resolve in that order; links to
other content files (`other.md`, Zola `@/other.md`, Pelican `{filename}`) become article URLs.
Feeds get absolute URLs instead. A missing local image is an error naming file and line.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from sitegen.content import CONTENT_EXTENSIONS, Article
from sitegen.errors import SiteError
from sitegen.urls import absolute_url, is_local, relative_url

_ATTR = re.compile(r"""(\s(?:src|href|poster)=)(?:"([^"]*)"|'([^']*)')""")
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_PELICAN = re.compile(r"^\{(static|attach|filename)\}")


@dataclass
class LinkTargets:
    """What a reference may point at, for one build."""

    files: set[str]  # site-root URLs of every copied file (static, content files, bundles)
    articles: dict[str, str]  # content-relative path of a content file -> its page URL
    bundle_urls: dict[str, str]  # bundle folder -> URL where its files are copied
    file_urls: bool = False
    base_url: str = ""
    # optional: turns a resolved <img> tag into its responsive form (images.py)
    image_hook: Callable[[str, str, str, str], str] | None = None
    missing: list[SiteError] = field(default_factory=list)


def resolve(ref: str, article: Article, targets: LinkTargets) -> str | None:
    """The site-root URL a local reference in `article` points at, or None if nothing."""
    path, hashmark, fragment = ref.partition("#")
    path, q, query = path.partition("?")
    path = unquote(path)
    suffix = (("?" + query) if q else "") + (("#" + fragment) if hashmark else "")
    pelican = _PELICAN.match(path)
    article_dir = posixpath.dirname(article.rel)
    if path.startswith("@/"):
        path = "/" + path[2:]
        candidates_md = [path.lstrip("/")]
    elif pelican:
        path = path[pelican.end():]
        candidates_md = [posixpath.normpath(posixpath.join(article_dir, path.lstrip("/")))
                         if not path.startswith("/") else path.lstrip("/")]
    else:
        candidates_md = [posixpath.normpath(posixpath.join(article_dir, path)) if not path.startswith("/")
                         else path.lstrip("/")]
    if path.lower().endswith(CONTENT_EXTENSIONS):
        for cand in candidates_md:
            if cand in targets.articles:
                return targets.articles[cand] + suffix
        return None
    if path.startswith("/"):
        clean = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
        return clean + suffix
    if article.bundle is not None:
        base = targets.bundle_urls.get(article.bundle)
        rel = posixpath.normpath(path)
        if base and rel in article.resources:
            return base + rel + suffix
    for cand in (posixpath.normpath(posixpath.join(article_dir, path)), posixpath.normpath(path)):
        if "/" + cand in targets.files:
            return "/" + cand + suffix
    return None


def _line_of(article: Article, ref: str) -> int:
    pos = article.body.find(ref)
    return article.body_line + article.body.count("\n", 0, pos) if pos >= 0 else article.body_line


def localize_html(html: str, article: Article, page_url: str, targets: LinkTargets,
                  display_path: str) -> str:
    """Rewrite the body's references for a page at `page_url` ("" means absolute, for feeds)."""

    def link(url: str) -> str:
        if not page_url:
            return absolute_url(url, targets.base_url) if targets.base_url else url
        return relative_url(url, page_url, targets.file_urls)

    def replace_attr(m: re.Match) -> str:
        value = m.group(2) if m.group(2) is not None else m.group(3)
        is_src = not m.group(1).strip().startswith("href")
        if not is_local(value) and not value.startswith(("{", "@/")):
            return m.group(0)
        import html as htmllib

        ref = htmllib.unescape(value)
        target = resolve(ref, article, targets)
        if target is None:
            if is_src:
                targets.missing.append(SiteError(
                    f"image not found: {ref}", display_path, _line_of(article, value),
                    "put the file in the article's folder (page bundle) or in static/"))
                return m.group(0)
            if ref.lower().split("#")[0].endswith(CONTENT_EXTENSIONS):
                targets.missing.append(SiteError(
                    f"link to a content file that does not exist: {ref}", display_path,
                    _line_of(article, value)))
            return m.group(0)
        if is_src and target.split("?")[0].split("#")[0] not in targets.files:
            targets.missing.append(SiteError(
                f"image not found: {ref}", display_path, _line_of(article, value),
                "put the file in the article's folder (page bundle) or in static/"))
            return m.group(0)
        return f'{m.group(1)}"{htmllib.escape(link(target), quote=True)}"'

    out = _ATTR.sub(replace_attr, html)
    if targets.image_hook is not None and page_url:
        first = [True]

        def hook(m: re.Match) -> str:
            tag = targets.image_hook(m.group(0), page_url, display_path, "eager" if first[0] else "lazy")
            first[0] = False
            return tag

        out = _IMG_TAG.sub(hook, out)
    return out
