"""Static files: the theme's `static/`, overlaid by the site's `static/`, both copied to the root
of the output as Hugo and Zola do (`static/images/x.png` is served at `/images/x.png`).

CSS and JS files get a content hash in their name (`style.1a2b3c4d.css`) so browsers and CDNs
may cache them forever; templates refer to them through `asset('style.css')`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pygments.formatters import HtmlFormatter

from sitegen.config import SiteConfig
from sitegen.errors import Diagnostics
from sitegen.fsutil import NOT_UTF8_HINT, NOT_UTF8_NAME, is_inside, is_utf8, shown_path

HASHED_EXTENSIONS = (".css", ".js")


@dataclass(frozen=True)
class Asset:
    url: str  # site-root URL of the output file
    source: Path | None  # file to copy, or None when `data` is generated
    data: bytes | None = None


def _walk(
    folder: Path, roots: tuple[Path, ...], diag: Diagnostics | None
) -> list[tuple[str, Path]]:
    """Files below `folder`; a symlink leading out of every one of `roots` is not followed
    (it could publish any file on the machine), nor is a pipe, socket or device, a link to
    nothing or a name that is not UTF-8 (each said in a warning)."""
    found = []
    if not folder.is_dir():
        return found
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and _utf8_name(Path(here) / d, diag)
        )
        for name in sorted(files):
            if name.startswith(".") or name.endswith("~"):
                continue
            path = Path(here) / name
            if not _utf8_name(path, diag):
                continue
            if path.is_symlink() and not path.exists():  # nothing to copy
                if diag is not None:
                    diag.warn(
                        "symlink leads nowhere (its target is missing, or links loop); left out",
                        path,
                    )
                continue
            if path.is_symlink() and not any(is_inside(path, root) for root in roots):
                if diag is not None:
                    diag.warn("symlink points outside the site; not followed", path)
                continue
            if not path.is_file() and path.exists():  # a pipe: copying it would wait forever
                if diag is not None:
                    diag.warn("not a regular file (a pipe, socket or device); left out", path)
                continue
            found.append((path.relative_to(folder).as_posix(), path))
    return found


def _utf8_name(path: Path, diag: Diagnostics | None) -> bool:
    """Whether the file name is UTF-8, as every URL and output path is; one that is not (its
    bytes undecodable) is left out with a warning."""
    if is_utf8(path.name):
        return True
    if diag is not None:
        diag.warn(NOT_UTF8_NAME, shown_path(path), hint=NOT_UTF8_HINT)
    return False


def pygments_css(config: SiteConfig) -> bytes:
    light = HtmlFormatter(style=config.highlight_style).get_style_defs(".highlight")
    dark = HtmlFormatter(style=config.highlight_style_dark).get_style_defs(".highlight")
    return (
        f"/* code highlighting: {config.highlight_style} / {config.highlight_style_dark} */\n"
        f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    ).encode()


def _hashed_name(rel: str, data: bytes) -> str:
    stem, dot, ext = rel.rpartition(".")
    digest = hashlib.sha1(data).hexdigest()[:10]
    return f"{stem}.{digest}.{ext}"


def collect_static(
    config: SiteConfig, diag: Diagnostics | None = None
) -> tuple[list[Asset], dict[str, str]]:
    """Theme then site static files (site wins), and the map name -> hashed site-root URL."""
    chosen: dict[str, Path] = {}
    roots = (config.root, config.theme_path())
    for folder in (config.theme_path() / "static", config.path(config.static_dir)):
        for rel, path in _walk(folder, roots, diag):
            chosen[rel] = path
    assets: list[Asset] = []
    names: dict[str, str] = {}
    generated = {"pygments.css": pygments_css(config)}
    for rel, data in generated.items():
        if rel not in chosen:
            hashed = _hashed_name(rel, data)
            assets.append(Asset(f"/{hashed}", None, data))
            names[rel] = f"/{hashed}"
    for rel, path in sorted(chosen.items()):
        assets.append(Asset(f"/{rel}", path))
        names[rel] = f"/{rel}"
        if rel.endswith(HASHED_EXTENSIONS):
            data = path.read_bytes()
            hashed = _hashed_name(rel, data)
            assets.append(Asset(f"/{hashed}", None, data))
            names[rel] = f"/{hashed}"
    return assets, names


def static_fingerprint(assets: list[Asset]) -> str:
    """Changes whenever any asset's name, size or modification time does."""
    h = hashlib.sha1()
    for asset in assets:
        h.update(asset.url.encode())
        if asset.source is not None:
            st = asset.source.stat()
            h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
        else:
            h.update(hashlib.sha1(asset.data or b"").digest())
    return h.hexdigest()
