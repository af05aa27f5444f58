"""Responsive images: measuring, resized WebP copies, the content-hash cache, the <img> rewrite."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sitegen.render.images import (
    ImageInfo,
    ImageMap,
    ImageSet,
    Variant,
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
