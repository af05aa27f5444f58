"""site.yaml validation: every bad setting is named with its line and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import parse_config
from sitegen.errors import BuildFailed


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/?lang=en",
        "https://example.org/blog/#top",
        'https://example.org/"><script>alert(1)</script>/',
        "https://example.org/<b>/",
    ],
)
def test_a_base_url_every_page_address_cannot_follow_is_refused(tmp_path: Path, url: str):
    """base_url + path is every absolute address: a query or fragment would land in the middle
    of each one (https://example.org/?lang=en/post/), a quote could never be in one."""
    with pytest.raises(BuildFailed) as failed:
        parse_config(f"title: T\nbase_url: '{url}'\n", tmp_path)
    [error] = failed.value.errors
    assert error.line == 2 and "setting 'base_url'" in error.message
    assert "no ?query or #fragment" in error.hint


@pytest.mark.parametrize(
    "url", ["https://example.org", "https://example.org/blog", "http://café.example/a%20b/"]
)
def test_a_base_url_with_a_path_or_without_a_slash_is_kept(tmp_path: Path, url: str):
    assert parse_config(f"title: T\nbase_url: '{url}'\n", tmp_path).base_url.startswith(url)


def test_control_characters_in_text_settings_are_refused_at_their_line(tmp_path: Path):
    """The title and description are in every feed: a control character made each one
    XML no reader can parse, in a build that reported nothing."""
    with pytest.raises(BuildFailed) as failed:
        parse_config('title: "News\\x01"\ndescription: "a\\x85b"\nauthor: Ann\n', tmp_path)
    assert [(e.line, e.message.split(",")[0]) for e in failed.value.errors] == [
        (1, "setting 'title': no page or feed may hold control character U+0001"),
        (2, "setting 'description': no page or feed may hold control character U+0085"),
    ]


@pytest.mark.parametrize("setting", ["per_page", "max_file_size"])
def test_a_count_that_must_be_one_or_more_refuses_zero(tmp_path: Path, setting: str):
    """`max_file_size: 0` refused every content file, each with its own error."""
    with pytest.raises(BuildFailed) as failed:
        parse_config(f"title: T\n{setting}: 0\n", tmp_path)
    [error] = failed.value.errors
    assert error.line == 2 and f"setting '{setting}'" in error.message
    assert "expected a positive number" in error.message


def test_image_widths_must_be_positive(tmp_path: Path):
    """A copy 0 or -5 pixels wide was planned for every picture, with nothing said."""
    with pytest.raises(BuildFailed) as failed:
        parse_config("title: T\nimage_widths: [480, 0, -5]\n", tmp_path)
    [error] = failed.value.errors
    assert error.line == 2 and "setting 'image_widths'" in error.message
    assert "expected a list of positive numbers, got [480, 0, -5]" in error.message, error


def test_an_alias_bomb_in_the_settings_is_refused_at_its_key(tmp_path: Path):
    """Nine aliases of nine aliases under `extra:` (a template may walk it): the build hung."""
    levels = ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 7):
        levels.append(f"  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    with pytest.raises(BuildFailed) as failed:
        parse_config("title: T\nextra:\n" + "\n".join(levels) + "\n", tmp_path)
    [error] = failed.value.errors
    assert error.line == 2
    assert "setting 'extra' expands to more than 20000 values" in error.message


def test_pagination_names_the_two_ways_it_can_number_pages(tmp_path: Path):
    assert parse_config("title: T\npagination: stable\n", tmp_path).pagination == "stable"
    assert parse_config("title: T\n", tmp_path).pagination == "newest"
    with pytest.raises(BuildFailed) as failed:
        parse_config("title: T\npagination: oldest\n", tmp_path)
    [error] = failed.value.errors
    assert error.line == 2 and "setting 'pagination'" in error.message
    assert "expected newest or stable" in error.message
