"""Responsive images: every local raster image measured, and written at a few smaller widths.

For each JPEG/PNG/WebP file the site copies (static/, content files, page bundles), the build
writes WebP copies beside it at `config.image_widths` (never wider than the original), named
`photo-480w.webp`. Pages then show `<img>` with `srcset`/`sizes` and the real `width`/`height`
(no layout shift). GIF and SVG are copied as they are (GIF still gets its size).

An image that cannot be read (empty, not an image, a decompression bomb) is copied as it is
with a warning; one too large to decode in reasonable memory is shown at its size but gets no
smaller copies (a warning too); one that opens but cannot be decoded (a truncated JPEG) is an
error naming it, since the pages planned its copies.

Work is cached in `.sitegen/images/`: `index.json` maps a file's (path, size, mtime) to its
content hash and size, and each resized copy is stored once under its content hash and width,
so a warm build opens no image at all and a renamed or copied photo is not resized again.
"""

from __future__ import annotations

import html
import json
import os
import re
import warnings
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sitegen.content.links import escaped_path, target_path
from sitegen.errors import SiteError
from sitegen.fsutil import sha1_bytes
from sitegen.text.bodyscan import tag_attrs
from sitegen.text.urls import relative_url

RASTER_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
MEASURED_EXTENSIONS = (*RASTER_EXTENSIONS, ".gif")
SIZES = "(max-width: 68ch) 100vw, 68ch"  # the default theme's text column
WEBP_QUALITY = 80
# an image decoded larger than this is not resized: Pillow's own limit (its default
# MAX_IMAGE_PIXELS), past which it warns of a decompression bomb; a 12,000 x 12,000 PNG would
# take over a gigabyte of memory
MAX_DECODED_PIXELS = 89_478_485
# digests of measured images that get no resized copies
NOT_RESIZED = ("animated", "large")


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    digest: str
    variants: tuple[tuple[int, str], ...] = ()  # (width, site-root URL) of each resized copy


def variant_url(url: str, width: int) -> str:
    stem = url.rsplit(".", 1)[0]
    return f"{stem}-{width}w.webp"


@dataclass(frozen=True)
class Variant:
    """One resized copy to publish: where, of which image (its output path and content hash),
    at which width."""

    out_path: str
    source: str
    digest: str
    width: int


def plan_variants(
    measured: dict[str, tuple[str, int, int]], taken: Collection[str], widths: tuple[int, ...]
) -> tuple[dict[str, ImageInfo], list[Variant]]:
    """From each measured image (output path -> (digest, width, height)): its `ImageInfo` by
    site-root URL, and the resized copies to publish, narrower than the original and on no
    path of `taken` (the site's other files) or of another copy. Animated images get none."""
    info: dict[str, ImageInfo] = {}
    variants: list[Variant] = []
    planned: set[str] = set()
    for out_path, (digest, width, height) in sorted(measured.items()):
        shown = []
        if out_path.lower().endswith(RASTER_EXTENSIONS) and digest not in NOT_RESIZED:
            for w in widths:
                target = variant_url(out_path, w)
                if target in taken or target in planned:  # photo.jpg and photo.png side by side
                    ext = out_path.rsplit(".", 1)[-1].lower()
                    target = variant_url(out_path, w).replace(f"-{w}w.webp", f"-{ext}-{w}w.webp")
                if w >= width or target in taken or target in planned:
                    continue
                variants.append(Variant(target, out_path, digest, w))
                planned.add(target)
                shown.append((w, "/" + target))
        info["/" + out_path] = ImageInfo(width, height, digest, tuple(shown))
    return info, variants


def responsive_img(
    tag: str,
    info: ImageInfo | None,
    target: str | None,
    page_url: str,
    file_urls: bool,
    eager: bool,
) -> str:
    """The `<img>` tag (its source already localized to `target`) made responsive: size,
    srcset and sizes from `info` for a local raster image, lazy loading unless `eager` (the
    first image of the page)."""
    attrs = tag_attrs(tag)
    extra: list[tuple[str, str]] = []
    if info is not None and target:
        if "width" not in attrs and "height" not in attrs:
            extra += [("width", str(info.width)), ("height", str(info.height))]
        if info.variants and "srcset" not in attrs:
            candidates = [
                f"{relative_url(escaped_path(u), page_url, file_urls)} {w}w"
                for w, u in info.variants
            ]
            candidates.append(f"{relative_url(target, page_url, file_urls)} {info.width}w")
            extra += [("srcset", ", ".join(candidates)), ("sizes", SIZES)]
    if "loading" not in attrs:
        extra.append(("loading", "eager" if eager else "lazy"))
    if "decoding" not in attrs and not eager:
        extra.append(("decoding", "async"))
    if eager and "fetchpriority" not in attrs:
        extra.append(("fetchpriority", "high"))
    if not extra:
        return tag
    added = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in extra)
    closing = " />" if tag.rstrip(">").rstrip().endswith("/") else ">"
    head = re.sub(r"\s*/?>$", "", tag)
    return f"{head}{added}{closing}"


def variant_file(cache_dir: Path, digest: str, width: int, key: str) -> Path:
    """Where the cache keeps the copy of an image (by content hash) at one width."""
    return cache_dir / f"{digest}-{width}-{key[:12]}.webp"


def variant_copies(
    variants: list[Variant], cache_dir: Path, key: str
) -> dict[str, tuple[Path, str]]:
    """The resized copies as output files: output path -> (cached file, fingerprint)."""
    return {
        v.out_path: (
            variant_file(cache_dir, v.digest, v.width, key),
            f"img:{v.digest}:{v.width}:{key}",
        )
        for v in variants
    }


@dataclass(frozen=True)
class ImageMap:
    """The measured images of one build, by site-root URL: what pages need to show them."""

    info: Mapping[str, ImageInfo]

    def token(self, url: str) -> str:
        """What about the image at `url` shapes a page showing it (for page fingerprints)."""
        info = self.info.get(target_path(url))
        if info is None:
            return ""
        return f"{info.digest}:{info.width}x{info.height}:" + ",".join(
            str(w) for w, _ in info.variants
        )

    def img_tag(
        self, tag: str, target: str | None, page_url: str, file_urls: bool, eager: bool
    ) -> str:
        """The `<img>` tag with its source already localized, made responsive: size, srcset
        and sizes for local raster images, lazy loading after the first image of the page."""
        info = self.info.get(target_path(target)) if target else None
        return responsive_img(tag, info, target, page_url, file_urls, eager)


class ImageIndex:
    """The measuring cache, `index.json`: a file's (path, size, mtime) -> its content hash and
    size, under the key of the code that measured it. A damaged index is dropped with a
    warning and the images are measured again."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.warnings: list[str] = []
        self._entries: dict[str, list] = {}
        self._changed = False

    @staticmethod
    def _key(src: Path, st: os.stat_result) -> str:
        return f"{src}|{st.st_size}|{st.st_mtime_ns}"

    def load(self) -> None:
        try:
            data = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            self._entries = data
        except FileNotFoundError:
            self._entries = {}
        except (OSError, ValueError) as exc:
            self.warnings.append(
                f"the image cache index was damaged ({exc}); images measured again"
            )
            self._entries = {}

    def get(self, src: Path, st: os.stat_result) -> tuple[str, int, int] | None:
        """(digest, width, height) measured before for this file as it is now, if any."""
        hit = self._entries.get(self._key(src, st))
        if hit and hit[0] == self.key:
            return (hit[1], hit[2], hit[3])
        return None

    def put(self, src: Path, st: os.stat_result, measured: tuple[str, int, int]) -> None:
        self._entries[self._key(src, st)] = [self.key, *measured]
        self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".index.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self._entries, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.folder / "index.json")
        self._changed = False


class ImageSet:
    """The site's local images for one build: measured (through `ImageIndex`), resized copies
    planned (`plan_variants`) and made, and the responsive `<img>` (`responsive_img`)."""

    def __init__(
        self, cache_dir: Path, widths: tuple[int, ...], jobs: int = 0, key: str = "webp"
    ) -> None:
        # `key` names the code that makes the copies (the engine's code hash): new code, new copies
        self.key = key
        self.dir = cache_dir / "images"
        self.widths = tuple(sorted({w for w in widths if w > 0}))
        self.jobs = jobs or os.cpu_count() or 1
        self.info: dict[str, ImageInfo] = {}  # site-root URL -> info
        self.resized = 0  # copies made by this build (0 on a warm build)
        self.problems: list[SiteError] = []  # warnings: images unreadable or too large
        self._index = ImageIndex(self.dir, key)

    @property
    def warnings(self) -> list[str]:
        """A damaged index, for the build to report."""
        return self._index.warnings

    # --- preparing: measure every image, make the missing copies -----------------------------

    def prepare(self, files: dict[str, Path]) -> dict[str, tuple[Path, str]]:
        """Given every copied file (output path -> source), measure the images, make the
        resized copies and return them: output path -> (cached file, fingerprint). The build
        does the same in its steps (`measure`, the plan's `plan_variants`, `make`)."""
        info, variants = plan_variants(self.measure(files), files, self.widths)
        self.info.update(info)
        copies = variant_copies(variants, self.dir, self.key)
        for error in self.make([(files[v.source], v) for v in variants]):
            raise error
        return copies

    def measure(self, files: dict[str, Path]) -> dict[str, tuple[str, int, int]]:
        """Output path -> (digest, width, height) of each image among `files` (output path ->
        source file), from the index or measured (and indexed)."""
        images = {
            p: src
            for p, src in files.items()
            if isinstance(src, Path) and p.lower().endswith(MEASURED_EXTENSIONS)
        }
        if not images:
            return {}
        self._index.load()
        measured = self._measure_all(images)
        self._index.save()
        return measured

    def make(self, variants: list[tuple[Path, Variant]]) -> list[SiteError]:
        """Write the resized copies (of the source file given with each) not yet in the cache;
        returns an error for each image that could not be decoded."""
        return self._make(
            [
                (src, v.digest, v.width)
                for src, v in variants
                if not self._cached(v.digest, v.width).exists()
            ]
        )

    def _measure_all(self, images: dict[str, Path]) -> dict[str, tuple[str, int, int]]:
        """Output path -> (digest, width, height) of each readable image: from the index, else
        measured (and added to the index)."""
        measured: dict[str, tuple[str, int, int]] = {}
        todo: list[tuple[str, Path]] = []
        for out_path, src in images.items():
            try:
                st = src.stat()
            except OSError:
                continue
            hit = self._index.get(src, st)
            if hit:
                measured[out_path] = hit
            else:
                todo.append((out_path, src))
        measure = lambda item: self._measure(item[1], self.widths)  # noqa: E731
        for (out_path, src), result in self._map(measure, todo):
            if isinstance(result, str):  # not indexed: said again on every build
                self.problems.append(
                    SiteError(
                        f"not a readable image: {result}; copied as it is, without its size "
                        "or smaller copies",
                        src,
                        hint="replace it with a valid JPEG, PNG, WebP or GIF file",
                        warning=True,
                    )
                )
                continue
            self._index.put(src, src.stat(), result)
            measured[out_path] = result
        for out_path, (digest, width, height) in sorted(measured.items()):
            if digest == "large" and out_path.lower().endswith(RASTER_EXTENSIONS):
                self.problems.append(
                    SiteError(
                        f"image too large to resize ({width} x {height} pixels, more than "
                        f"{MAX_DECODED_PIXELS:,} decoded); copied as it is, without smaller "
                        "copies",
                        images[out_path],
                        hint="save it at a smaller size",
                        warning=True,
                    )
                )
        return measured

    def _make(self, wanted: list[tuple[Path, str, int]]) -> list[SiteError]:
        """Write the missing resized copies into the cache, one task per image (decoded once);
        an error for each image that could not be decoded."""
        failed: list[SiteError] = []
        by_image: dict[str, tuple[Path, set[int]]] = {}
        for src, digest, w in wanted:
            by_image.setdefault(digest, (src, set()))[1].add(w)
        if by_image:
            self.dir.mkdir(parents=True, exist_ok=True)
            tasks = [
                (src, digest, tuple(sorted(ws, reverse=True)))
                for digest, (src, ws) in by_image.items()
            ]
            for (src, _, _), made in self._map(lambda task: self._resize(*task), tasks):
                if isinstance(made, str):
                    failed.append(
                        SiteError(
                            f"the image cannot be decoded: {made}",
                            src,
                            hint="replace it with a complete, valid copy, or remove it",
                        )
                    )
                else:
                    self.resized += made
        return failed

    def _map(self, fn, items: list) -> list:
        """[(item, fn(item))], in threads when there are several (Pillow releases the GIL)."""
        if len(items) <= 1 or self.jobs == 1:
            return [(item, fn(item)) for item in items]
        with ThreadPoolExecutor(min(self.jobs, len(items))) as pool:
            return list(zip(items, pool.map(fn, items), strict=True))

    def _cached(self, digest: str, width: int) -> Path:
        return variant_file(self.dir, digest, width, self.key)

    @staticmethod
    def _measure(src: Path, widths: tuple[int, ...] = ()) -> tuple[str, int, int] | str:
        """(digest, width, height) of the image, the digest "animated" or "large" (too large
        to decode, given the `widths` it would be resized to) for one to get no resized
        copies; or why it cannot be read."""
        Image = _pillow()
        try:
            data = src.read_bytes()
            if not data:
                return "the file is empty"
            with Image.open(src) as img:
                width, height = img.size
                too_large = _decoded_pixels(img.format, width, height, widths) > MAX_DECODED_PIXELS
                if img.getexif().get(0x0112) in (5, 6, 7, 8):  # EXIF rotation: shown turned
                    width, height = height, width
                animated = getattr(img, "is_animated", False) and img.format != "GIF"
        except Image.DecompressionBombError:
            return f"more than {2 * MAX_DECODED_PIXELS:,} pixels: a decompression bomb"
        except Exception as exc:  # noqa: BLE001  any file at all: Pillow's readers raise many kinds
            return _reason(exc)
        if animated:
            return ("animated", width, height)
        return ("large" if too_large else sha1_bytes(data), width, height)

    def _resize(self, src: Path, digest: str, widths: tuple[int, ...]) -> int | str:
        """Write the copies of one image at `widths` (widest first); returns how many, or why
        the image cannot be decoded."""
        try:
            return self._resize_or_raise(src, digest, widths)
        except Exception as exc:  # noqa: BLE001  a damaged file: Pillow's decoders raise many kinds
            return _reason(exc)

    def _resize_or_raise(self, src: Path, digest: str, widths: tuple[int, ...]) -> int:
        Image = _pillow()
        from PIL import ImageOps

        with Image.open(src) as opened:
            if opened.format == "JPEG":  # decode at a fraction of the size when that is enough
                opened.draft("RGB", (widths[0], max(1, opened.height * widths[0] // opened.width)))
            img = ImageOps.exif_transpose(opened)
            has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
            img = img.convert("RGBA" if has_alpha else "RGB")
        original_width, original_height = img.size
        for width in widths:
            height = max(1, round(original_height * width / original_width))
            img = img.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            target = self._cached(digest, width)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            img.save(tmp, "WEBP", quality=WEBP_QUALITY, method=4)
            os.replace(tmp, target)
        return len(widths)


def _pillow():
    """Pillow's `Image` module (imported when first needed), its decompression bomb warnings
    silenced: the build measures sizes itself and warns in its own words."""
    from PIL import Image

    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    return Image


def _decoded_pixels(fmt: str | None, width: int, height: int, widths: tuple[int, ...]) -> int:
    """How many pixels resizing decodes: none when no copy is narrower; a JPEG is decoded at
    1/2, 1/4 or 1/8 of its size when its widest copy is small enough (Pillow's `draft`, as
    `_resize` asks)."""
    wanted = [w for w in widths if w < width]
    if not wanted:
        return 0
    if fmt == "JPEG" and height > 0:
        target = max(wanted)
        scale = min(width // target, height // max(1, height * target // width))
        for s in (8, 4, 2, 1):
            if scale >= s:
                return -(-width // s) * -(-height // s)
    return width * height


def _reason(exc: Exception) -> str:
    """A Pillow error in a few words (not its own, which names the file by its whole path)."""
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "its content is in no image format sitegen reads"
    return str(exc) or type(exc).__name__
