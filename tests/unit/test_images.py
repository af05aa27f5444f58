"""Responsive images: measuring, resized WebP copies, the content-hash cache, the <img> rewrite."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from sitegen.errors import SiteError
from sitegen.render.images import (
    MAX_DECODED_PIXELS,
    ImageInfo,
    ImageMap,
    ImageSet,
    Variant,
    _decoded_pixels,
    plan_variants,
    responsive_img,
)
from sitegen.text.bodyscan import tag_attrs


def make(path: Path, size: tuple[int, int], fmt: str = "PNG", **save) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path, fmt, **save)
    return path


def test_variants_at_smaller_widths_only_and_cached(tmp_path):
    src = make(tmp_path / "src" / "photo.jpg", (1000, 500), "JPEG")
    small = make(tmp_path / "src" / "icon.png", (300, 300))
    files = {"trip/photo.jpg": src, "icon.png": small, "logo.svg": tmp_path / "x.svg"}
    images = ImageSet(tmp_path / "cache", (480, 960, 1600), jobs=2)
    copies = images.prepare(files)
    assert sorted(copies) == ["trip/photo-480w.webp", "trip/photo-960w.webp"]  # 1600 > 1000
    for out_path, (cached, _fp) in copies.items():
        with Image.open(cached) as img:
            assert img.format == "WEBP"
            width = int(out_path.rsplit("-", 1)[1][:-6])
            assert img.size == (width, width // 2)
    assert images.resized == 2
    assert images.info["/icon.png"].variants == ()  # never upscaled
    assert (images.info["/icon.png"].width, images.info["/icon.png"].height) == (300, 300)
    assert "/logo.svg" not in images.info

    warm = ImageSet(tmp_path / "cache", (480, 960, 1600))
    assert warm.prepare(files) == copies
    assert warm.resized == 0  # a warm build resizes nothing

    renamed = tmp_path / "src" / "renamed.jpg"
    renamed.write_bytes(src.read_bytes())
    again = ImageSet(tmp_path / "cache", (480, 960, 1600))
    again.prepare({"renamed.jpg": renamed})
    assert again.resized == 0  # same content, same cached copies


def test_gif_is_measured_but_not_resized(tmp_path):
    gif = make(tmp_path / "anim.gif", (800, 600), "GIF")
    images = ImageSet(tmp_path / "cache", (480,))
    assert images.prepare({"anim.gif": gif}) == {}
    assert (images.info["/anim.gif"].width, images.info["/anim.gif"].height) == (800, 600)


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A PNG of a few hundred bytes whose header declares `width` x `height` pixels (its data
    holds only the first rows): what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + width * 3) * 4, 9)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    return path


def test_unreadable_images_are_copied_as_they_are_with_a_warning_each(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "text.png"
    text.write_text("not a picture\n")
    bomb = png_declaring(tmp_path / "bomb.png", 50_000, 50_000)
    good = make(tmp_path / "good.png", (100, 100))
    images = ImageSet(tmp_path / "cache", (480,), jobs=2)
    files = {"empty.png": empty, "text.png": text, "bomb.png": bomb, "good.png": good}
    assert images.prepare(files) == {}
    assert sorted(images.info) == ["/good.png"]
    said = {Path(str(e.path)).name: e.message for e in images.problems}
    assert all(e.warning for e in images.problems)
    assert "the file is empty" in said["empty.png"]
    assert "no image format" in said["text.png"] and str(tmp_path) not in said["text.png"]
    assert "decompression bomb" in said["bomb.png"]
    assert "good.png" not in said


def test_an_image_too_large_to_decode_keeps_its_size_but_gets_no_copies(tmp_path):
    huge = png_declaring(tmp_path / "huge.png", 12_000, 12_000)  # 144 million pixels
    images = ImageSet(tmp_path / "cache", (480, 960))
    assert images.prepare({"huge.png": huge}) == {}  # not decoded: no gigabyte of memory
    info = images.info["/huge.png"]
    assert (info.width, info.height, info.variants) == (12_000, 12_000, ())
    [warning] = images.problems
    assert warning.warning and "too large to resize (12000 x 12000" in warning.message
    # the same from the index, on the next build
    again = ImageSet(tmp_path / "cache", (480, 960))
    assert again.prepare({"huge.png": huge}) == {}
    assert [e.message for e in again.problems] == [warning.message]


def test_decoded_pixels_count_a_jpegs_reduced_decoding():
    assert _decoded_pixels("PNG", 12_000, 12_000, (480, 1600)) == 144_000_000
    # a JPEG resized to 1600 at most is decoded at 1/4 of its width: small enough
    assert _decoded_pixels("JPEG", 12_000, 12_000, (480, 1600)) == 3_000 * 3_000
    assert _decoded_pixels("JPEG", 12_000, 12_000, (480, 1600)) < MAX_DECODED_PIXELS
    assert _decoded_pixels("PNG", 400, 300_000, (480,)) == 0  # no copy narrower: not decoded


def test_a_truncated_jpeg_is_an_error_naming_it(tmp_path):
    whole = make(tmp_path / "whole.jpg", (800, 600), "JPEG").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 3])  # its header says 800 x 600
    images = ImageSet(tmp_path / "cache", (480,))
    with pytest.raises(SiteError) as caught:
        images.prepare({"cut.jpg": cut})
    assert caught.value.path == cut and not caught.value.warning
    assert "cannot be decoded: image file is truncated" in caught.value.message


def test_exif_rotation_swaps_the_size(tmp_path):
    img = Image.new("RGB", (600, 400), "blue")
    exif = img.getexif()
    exif[0x0112] = 6  # rotated 90 degrees: shown 400 x 600
    path = tmp_path / "rot.jpg"
    img.save(path, "JPEG", exif=exif)
    images = ImageSet(tmp_path / "cache", (200,))
    copies = images.prepare({"rot.jpg": path})
    assert (images.info["/rot.jpg"].width, images.info["/rot.jpg"].height) == (400, 600)
    with Image.open(copies["rot-200w.webp"][0]) as small:
        assert small.size == (200, 300)


def test_img_tag_is_responsive_and_lazy_after_the_first(tmp_path):
    src = make(tmp_path / "p.png", (1200, 900))
    images = ImageSet(tmp_path / "cache", (480, 960))
    images.prepare({"post/p.png": src})
    first = tag_attrs(
        ImageMap(images.info).img_tag(
            '<img src="p.png" alt="A">', "/post/p.png", "/post/", False, True
        )
    )
    assert first["width"] == "1200" and first["height"] == "900"
    assert first["srcset"] == "p-480w.webp 480w, p-960w.webp 960w, p.png 1200w"
    assert first["sizes"] and first["loading"] == "eager" and "decoding" not in first
    later = tag_attrs(
        ImageMap(images.info).img_tag(
            '<img src="../post/p.png" alt="A" />', "/post/p.png", "/other/", False, False
        )
    )
    assert later["loading"] == "lazy" and later["decoding"] == "async"
    assert later["srcset"].startswith("../post/p-480w.webp 480w")
    remote = tag_attrs(
        ImageMap(images.info).img_tag(
            '<img src="https://x.org/a.png" alt="r">', None, "/", False, False
        )
    )
    assert remote["src"] == "https://x.org/a.png" and "srcset" not in remote
    assert remote["loading"] == "lazy"
    own = tag_attrs(
        ImageMap(images.info).img_tag(
            '<img src="p.png" width="10" alt="A">', "/post/p.png", "/post/", False, False
        )
    )
    assert own["width"] == "10" and "height" not in own  # the author's size wins


def test_changed_image_changes_its_token(tmp_path):
    path = make(tmp_path / "p.png", (100, 100))
    images = ImageSet(tmp_path / "cache", (50,))
    images.prepare({"p.png": path})
    before = ImageMap(images.info).token("/p.png")
    make(path, (120, 100))
    images = ImageSet(tmp_path / "cache", (50,))
    images.prepare({"p.png": path})
    assert ImageMap(images.info).token("/p.png") != before and "120x100" in ImageMap(
        images.info
    ).token("/p.png")


def test_same_name_different_formats_do_not_collide(tmp_path):
    jpg = make(tmp_path / "photo.jpg", (1000, 500), "JPEG")
    png = make(tmp_path / "photo.png", (1000, 800))
    images = ImageSet(tmp_path / "cache", (480,))
    copies = images.prepare({"photo.jpg": jpg, "photo.png": png})
    assert sorted(copies) == ["photo-480w.webp", "photo-png-480w.webp"]
    assert images.info["/photo.png"].variants == ((480, "/photo-png-480w.webp"),)


def test_plan_variants_narrower_only_no_clashes_none_for_animated():
    measured = {
        "a/photo.jpg": ("d1", 1000, 500),
        "a/photo.png": ("d2", 800, 800),
        "anim.webp": ("animated", 900, 900),
        "logo.gif": ("d3", 900, 90),
    }
    info, variants = plan_variants(measured, {"a/photo.jpg", "a/photo.png"}, (480, 960))
    assert variants == [
        Variant("a/photo-480w.webp", "a/photo.jpg", "d1", 480),
        Variant("a/photo-960w.webp", "a/photo.jpg", "d1", 960),
        Variant("a/photo-png-480w.webp", "a/photo.png", "d2", 480),  # its own name
    ]
    assert info["/a/photo.png"] == ImageInfo(800, 800, "d2", ((480, "/a/photo-png-480w.webp"),))
    assert info["/anim.webp"].variants == () and info["/logo.gif"].variants == ()
    _, none = plan_variants(measured, {"a/photo-480w.webp", "a/photo-jpg-480w.webp"}, (480,))
    assert [v.out_path for v in none] == ["a/photo-png-480w.webp"]  # both names taken: none


def test_responsive_img_without_info_only_sets_loading():
    assert responsive_img('<img src="x.png">', None, None, "/", False, False) == (
        '<img src="x.png" loading="lazy" decoding="async">'
    )
    assert responsive_img('<img src="x.png" loading="eager" />', None, None, "/", False, True) == (
        '<img src="x.png" loading="eager" fetchpriority="high" />'
    )
    info = ImageInfo(800, 400, "d", ((480, "/p/x-480w.webp"),))
    tag = responsive_img('<img src="x.png" width="10">', info, "/p/x.png", "/p/", False, True)
    attrs = tag_attrs(tag)
    assert attrs["width"] == "10" and "height" not in attrs  # the author's size wins
    assert attrs["srcset"] == "x-480w.webp 480w, x.png 800w"
