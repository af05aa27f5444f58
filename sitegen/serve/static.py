"""Static-host rules for the preview server, as pure functions: request path -> file, content
types, and adding the live-reload script to HTML.

A request can only ever read a file inside the served folder: `..` and `.` segments (plain or
percent-encoded), encoded slashes and backslashes, NUL bytes, and symlinks that resolve outside
the folder are refused. A folder answers with its index.html (and `/dir` is redirected to
`/dir/`, as static hosts do, so relative links keep working); folders are never listed.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

RESERVED_PREFIX = "/__sitegen/"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}
_FEEDS = {  # the feed files sitegen writes (site/feeds.py), by their registered types
    "feed.xml": "application/atom+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
_BAD_ESCAPES = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


def content_type(path: str | Path) -> str:
    name = Path(path).name.lower()
    if name in _FEEDS:
        return _FEEDS[name]
    ext = os.path.splitext(name)[1]
    if ext in _TYPES:
        return _TYPES[ext]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def is_html(path: str | Path) -> bool:
    return str(path).lower().endswith((".html", ".htm"))


@dataclass(frozen=True)
class Found:
    file: Path
    rel: str  # the output path it was served from, e.g. "a/index.html"


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class Refused:
    status: int  # 400 malformed, 403 outside the folder
    reason: str


@dataclass(frozen=True)
class NotFound:
    pass


Resolution = Found | Redirect | Refused | NotFound


def split_target(target: str) -> tuple[str, str]:
    """The path and query of an HTTP request target (origin form or absolute form)."""
    target = target.split("#", 1)[0]
    if target.lower().startswith(("http://", "https://")):
        rest = target.split("://", 1)[1]
        slash = rest.find("/")
        target = rest[slash:] if slash >= 0 else "/"
    path, _, query = target.partition("?")
    return path, query


def resolve(root: Path, target: str) -> Resolution:
    """What a request target answers with, when serving the folder `root`."""
    raw, query = split_target(target)
    if not raw.startswith("/"):
        return Refused(400, "the path must start with /")
    if _BAD_ESCAPES.search(raw):
        return Refused(400, "encoded slashes, backslashes and NUL are not allowed in paths")
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return Refused(400, "the path is not valid UTF-8")
    if "\\" in path or "\0" in path:
        return Refused(400, "backslashes and NUL are not allowed in paths")
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") for s in segments):
        return Refused(403, "paths may not climb out of the site")
    if any(s.startswith(".") and s != ".well-known" for s in segments):
        return NotFound()  # our manifest and staging folders are not part of the site
    base = os.path.realpath(root)
    real = os.path.realpath(os.path.join(base, *segments)) if segments else base
    if real != base and not real.startswith(base + os.sep):
        return Refused(403, "the path leads outside the site")
    if os.path.isdir(real):
        if not path.endswith("/"):
            # one leading slash: "//host/" would send the browser to another site
            return Redirect("/" + raw.lstrip("/") + "/" + (f"?{query}" if query else ""))
        index = os.path.join(real, "index.html")
        if os.path.isfile(index) and os.path.realpath(index).startswith(base + os.sep):
            return Found(Path(index), "/".join([*segments, "index.html"]))
        return NotFound()  # no listings
    if os.path.isfile(real):
        return Found(Path(real), "/".join(segments))
    return NotFound()


class RangeNotSatisfiable(ValueError):
    """A `Range` that no byte of the file meets (answered 416)."""


_BYTE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The bytes a `Range` header asks of a file of `size` bytes, (first, last) inclusive, as
    static hosts answer them (a video seeks with them); None to send the whole file: no header,
    several ranges or another unit, which a server may answer in full. RangeNotSatisfiable when
    it starts past the end."""
    m = _BYTE_RANGE.fullmatch(header.strip()) if header else None
    if m is None or not (m.group(1) or m.group(2)):
        return None
    if not m.group(1):  # the last N bytes
        suffix = int(m.group(2))
        if suffix == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - suffix), size - 1
    first = int(m.group(1))
    last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    if first >= size:
        raise RangeNotSatisfiable(header)
    if last < first:
        return None  # not a valid range: ignored, as the standard says
    return first, last


def live_script(client_js: str, version: str, served: str) -> bytes:
    """The `<script>` added to served HTML: the client plus what it needs to know about the page
    (the build version it shows, and the output file it came from; "" for a 404 answer)."""
    return (
        f'<script id="sitegen-live" data-version="{html.escape(version)}" '
        f'data-path="{html.escape(served)}">\n{client_js}</script>\n'
    ).encode()


def inject(page: bytes, script: bytes) -> bytes:
    """`page` with `script` before its last `</body>` (or at the end when there is none)."""
    at = page.lower().rfind(b"</body")
    if at < 0:
        return page + script
    return page[:at] + script + page[at:]
