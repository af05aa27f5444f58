"""`unicode_slugs`: slugs that keep letters of every script, the one rule for a slug kept as
written (the build and `sitegen migrate` share it), the cache keys that cover the setting, and
the preview server finding files at such paths."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.config import SiteConfig
from sitegen.content.article import JEKYLL_NAME_RE, _slug
from sitegen.engine.sourcecache import loader_fingerprint
from sitegen.serve.static import Found, resolve
from sitegen.text.slugs import is_slug, slugify


@pytest.mark.parametrize(
    ("title", "ascii_slug", "unicode_slug"),
    [
        (
            "네트워크 기본 구조와 원리",
            "neteuweokeu-gibon-gujowa-weonri",
            "네트워크-기본-구조와-원리",
        ),
        ("日本語のタイトル", "ri-ben-yu-notaitoru", "日本語のタイトル"),
        ("Привет, Мир!", "privet-mir", "привет-мир"),
        ("Hello World", "hello-world", "hello-world"),
        ("हिंदी भाषा", "hindii-bhaassaa", "हिंदी-भाषा"),  # vowel signs stay in their word
    ],
)
def test_slugify_with_and_without_unicode(title: str, ascii_slug: str, unicode_slug: str):
    assert slugify(title) == ascii_slug
    assert slugify(title, unicode=True) == unicode_slug


def test_only_punctuation_still_gets_the_fallback():
    for unicode in (False, True):
        slug = slugify("!!! ???", unicode=unicode)
        assert slug.startswith("article-") and len(slug) == len("article-") + 8
        assert slugify("!!! ???", unicode=unicode) == slug  # stable
        assert slugify("…", fallback_prefix="tag", unicode=unicode).startswith("tag-")


def test_unicode_slugs_keep_the_length_limit():
    slug = slugify("네트워크 " * 40, unicode=True)
    assert 0 < len(slug) <= 80 and not slug.endswith("-")


def test_is_slug():
    assert is_slug("kept-as-is") and is_slug("v1.2_notes")
    assert not is_slug("네트워크-기본")
    assert is_slug("네트워크-기본", unicode=True)
    assert is_slug("01_네트워크-기본", unicode=True)
    assert is_slug("привет-мир", unicode=True)
    assert is_slug("हिंदी-भाषा", unicode=True)  # combining vowel signs are part of a word
    for not_kept in ("Привет", "-네트워크", "_x", "네트워크 기본", "a/b", "네트워크?", ""):
        assert not is_slug(not_kept, unicode=True), not_kept


def test_explicit_slug_kept_or_normalised():
    jekyll = JEKYLL_NAME_RE.match("2020-01-02-01_네트워크 기본")
    assert _slug({"slug": "네트워크-기본"}, "T", "n", None, None, False) == "neteuweokeu-gibon"
    assert _slug({"slug": "네트워크-기본"}, "T", "n", None, None, True) == "네트워크-기본"
    assert _slug({"slug": "01_네트워크-기본"}, "T", "n", None, None, True) == "01_네트워크-기본"
    assert _slug({"slug": "Привет Мир"}, "T", "n", None, None, True) == "привет-мир"
    assert _slug({}, "T", "2020-01-02-01_네트워크 기본", jekyll, None, True) == "01-네트워크-기본"
    assert _slug({}, "T", "2020-01-02-01_네트워크 기본", jekyll, None, False) == (
        "01-neteuweokeu-gibon"
    )
    assert _slug({}, "東京の夜", "index", None, None, True) == "東京の夜"


def test_setting_is_part_of_the_cache_keys(tmp_path: Path):
    off, on = SiteConfig(root=tmp_path), SiteConfig(root=tmp_path, unicode_slugs=True)
    assert off.output_fingerprint() != on.output_fingerprint()
    assert loader_fingerprint(off) != loader_fingerprint(on)


def test_preview_server_finds_a_percent_encoded_unicode_path(tmp_path: Path):
    page = tmp_path / "2020-01-02" / "01_네트워크-기본" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>x</p>", encoding="utf-8")
    found = resolve(tmp_path, "/2020-01-02/01_" + quote("네트워크-기본") + "/")
    assert isinstance(found, Found) and found.file == page
    assert found.rel == "2020-01-02/01_네트워크-기본/index.html"
