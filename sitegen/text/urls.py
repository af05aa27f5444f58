"""Site-root URLs -> the links a page writes: relative (works under any subpath and from
file://), or absolute from base_url (feeds, canonical links, sitemaps). Pure."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote, urlsplit


def is_local(url: str) -> bool:
    """A reference into this site (not a scheme, protocol-relative URL, fragment or query)."""
    if not url or url.startswith(("#", "?", "//", "data:", "mailto:", "tel:", "javascript:")):
        return False
    return not urlsplit(url).scheme


def site_path(value: str) -> str:
    """A path written by a person (alias, custom URL) as a clean site-root URL: `old/post` ->
    `/old/post/`, `/a.html` stays. Raises ValueError for what could leave the site or is no
    path at all: `..` segments, backslashes, control characters, a scheme or `?`/`#`.
    Percent-escapes are decoded first, as a host decodes the request: `/caf%C3%A9/` is the
    folder `café/` (a folder named `caf%C3%A9` is never served), and `%2e%2e` is `..`."""
    text = value.strip()
    if "%" in text:
        text = unquote(text, errors="strict")
    if (
        not text
        or any(ord(ch) < 32 or ch in "\\?#" for ch in text)
        or urlsplit(text).scheme
        or text.startswith("//")
    ):
        raise ValueError(value)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(value)
    url = "/" + "/".join(parts)
    if parts and not parts[-1].lower().endswith((".html", ".htm", ".xml")):
        url += "/"
    return url


def output_path(url: str) -> str:
    """The file a site-root URL is served from: /a/b/ -> a/b/index.html, /feed.xml -> feed.xml.
    `..` segments are dropped, so no URL can name a file outside the output folder."""
    parts = [p for p in url.split("/") if p not in ("", ".", "..")]
    path = "/".join(parts) + ("/" if url.endswith("/") and parts else "")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path


def relative_url(target: str, from_url: str, file_urls: bool = False) -> str:
    """The link from page `from_url` to `target` (both site-root URLs like /tags/x/)."""
    if not target.startswith("/"):
        return target
    path, sep, fragment = target.partition("#")
    path, qsep, query = path.partition("?")  # a query stays a query (`x/?h=code`), not `%3F`
    base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    rel = _relpath(path, base)
    if path.endswith("/") and rel != "." and not rel.endswith("/"):
        rel += "/"
    if rel == ".":
        rel = "./"
    if file_urls and rel.endswith("/"):
        rel += "index.html"
    query = qsep + quote(query, safe="/:@!$&'()*+,;=-._~%?") if qsep else ""
    return quote(rel, safe="/:@!$&'()*+,;=-._~%") + query + (sep + fragment if sep else "")


def _relpath(path: str, base: str) -> str:
    """posixpath.relpath for two site-root paths, by splitting once (pages call `url()` dozens
    of times each); paths that need normalising go to posixpath."""
    if "//" in path or "/." in path or "//" in base or "/." in base:
        return posixpath.relpath(path, base)
    here = base.strip("/").split("/") if base != "/" else []
    there = path.strip("/").split("/") if path != "/" else []
    common = 0
    for a, b in zip(here, there, strict=False):  # the shorter one ends the common part
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."


def absolute_url(target: str, base_url: str) -> str:
    """`target` under the site's base URL, or the site-root URL when there is no base URL."""
    if not base_url:
        return target
    return base_url.rstrip("/") + quote(target, safe="/:@!$&'()*+,;=-._~%#?")
