"""Site-root URLs -> the links a page writes: relative (works under any subpath and from
file://), or absolute from base_url (feeds, canonical links, sitemaps). Pure."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, urlsplit


def is_local(url: str) -> bool:
    """A reference into this site (not a scheme, protocol-relative URL, fragment or query)."""
    if not url or url.startswith(("#", "?", "//", "data:", "mailto:", "tel:", "javascript:")):
        return False
    return not urlsplit(url).scheme


def output_path(url: str) -> str:
    """The file a site-root URL is served from: /a/b/ -> a/b/index.html, /feed.xml -> feed.xml."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path


def relative_url(target: str, from_url: str, file_urls: bool = False) -> str:
    """The link from page `from_url` to `target` (both site-root URLs like /tags/x/)."""
    if not target.startswith("/"):
        return target
    path, sep, fragment = target.partition("#")
    base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath(path, base) if path != "/" else posixpath.relpath("/", base)
    if path.endswith("/") and rel != "." and not rel.endswith("/"):
        rel += "/"
    if rel == ".":
        rel = "./"
    if file_urls and rel.endswith("/"):
        rel += "index.html"
    return quote(rel, safe="/:@!$&'()*+,;=-._~%") + (sep + fragment if sep else "")


def absolute_url(target: str, base_url: str) -> str:
    """`target` under the site's base URL, or the site-root URL when there is no base URL."""
    if not base_url:
        return target
    return base_url.rstrip("/") + quote(target, safe="/:@!$&'()*+,;=-._~%#")
