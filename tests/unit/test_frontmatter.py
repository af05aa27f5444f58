"""Front matter detection and errors in every format (YAML, TOML, JSON, Pelican headers)."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError


def test_yaml_is_detected_and_body_line_counted():
    fm = split_front_matter("---\ntitle: Hello\ntags: [a, b]\n---\n\nBody\n", "p.md")
    assert fm.format == "yaml"
    assert fm.meta == {"title": "Hello", "tags": ["a", "b"]}
    assert fm.body_line == 5
    assert fm.body.strip() == "Body"
    assert fm.line_of("tags") == 3


def test_first_key_on_the_fence_line_as_hugo_reads_it():
    """`---title: x` opens front matter in Hugo (its reader takes what follows the fence on
    that line as the first line of it); lines are those of the file."""
    fm = split_front_matter("---title: Tides\ntags:\n- sea\ntitle: Again\n---\nBody\n", "p.md")
    assert fm.format == "yaml" and fm.meta["tags"] == ["sea"]
    assert fm.line_of("title") == 1 and fm.line_of("tags") == 2 and fm.body_line == 6
    assert fm.repeated() == [("title", 1, 4)]
    toml = split_front_matter('+++title = "Tides"\ndate = 2021-02-03\n+++\nBody\n', "p.md")
    assert toml.meta["title"] == "Tides" and toml.line_of("date") == 2
    with pytest.raises(SiteError) as info:
        split_front_matter("---title: A\nbad: x: y\nok: 1\n---\n", "p.md")
    assert info.value.line == 2  # the line that holds `bad`
    # not closed, or no key after the fence: text, as before
    assert split_front_matter("---note: a dash line\nText.\n", "p.md").format == "none"
    assert split_front_matter("----\nText.\n---\n", "p.md").format == "none"


def test_toml_is_detected_with_tables_and_dates():
    text = '+++\ntitle = "Zola post"\ndate = 2024-03-01T10:00:00+05:00\n[taxonomies]\ntags = ["x"]\n+++\nBody\n'
    fm = split_front_matter(text, "p.md")
    assert fm.format == "toml"
    assert fm.meta["taxonomies"] == {"tags": ["x"]}
    assert fm.meta["date"] == dt.datetime(2024, 3, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert fm.body == "Body\n"
    assert fm.line_of("date") == 3


def test_json_front_matter_as_hugo_allows():
    text = '{\n  "title": "JSON post",\n  "tags": ["a"]\n}\n\nBody text\n'
    fm = split_front_matter(text, "p.md")
    assert fm.format == "json"
    assert fm.meta["title"] == "JSON post"
    assert fm.body.strip() == "Body text"
    assert fm.line_of("tags") == 3
    assert fm.body_line == 5


def test_pelican_headers_with_continuation_lines_and_status():
    text = (
        "Title: Pelican post\nDate: 2022-01-02 10:20\nTags: a, b\nSummary: First line\n"
        "    second line\nStatus: draft\n\nBody here.\n"
    )
    fm = split_front_matter(text, "p.md")
    assert fm.format == "pelican"
    assert fm.meta["summary"] == "First line second line"
    assert fm.meta["status"] == "draft"
    assert fm.body == "Body here.\n"
    assert fm.body_line == 8
    assert fm.line_of("tags") == 3


def test_plain_markdown_has_no_front_matter():
    fm = split_front_matter("# Title\n\nNote: this is prose, not a header.\n", "p.md")
    assert fm.format == "none"
    assert fm.meta == {}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: ok\nbad: [unclosed\n---\nBody\n", 3, "YAML"),
        ("---\ntitle: [not closed\ndate: 2024-01-01\n---\nBody\n", 2, "YAML"),  # where it opened
        ("---\ntitle: ok\n", 1, "never closed"),
        ('+++\ntitle = "ok"\ndate = nonsense\n+++\nBody\n', 3, "TOML"),
        ('+++\ntitle = "ok"\n', 1, "never closed"),
        ('{\n  "title": "ok",\n  "tags": [1,]\n}\nBody\n', 3, "JSON"),
    ],
)
def test_errors_name_file_and_line_in_every_format(text, line, words):
    with pytest.raises(SiteError) as info:
        split_front_matter(text, "content/post.md")
    assert info.value.path == "content/post.md"
    assert info.value.line == line
    assert words in info.value.message


def test_windows_line_endings_and_bom():
    fm = split_front_matter("\ufeff---\r\ntitle: Hi\r\n---\r\nBody\r\n", "p.md")
    assert fm.meta == {"title": "Hi"}
    assert fm.body == "Body\n"


def test_a_body_starting_with_a_shortcode_is_not_json():
    fm = split_front_matter("{{< youtube abc >}}\n\nText\n", "p.md")
    assert fm.format == "none" and fm.body.startswith("{{<")


def test_an_impossible_date_is_read_as_text_for_the_content_checks() -> None:
    """PyYAML raises ValueError (not YAMLError) building `2024-02-30`: never a traceback; the
    text goes on to content.py, which names the line."""
    fm = split_front_matter("---\ntitle: ok\ndate: 2024-02-30\n---\nBody\n", "content/x.md")
    assert fm.meta["date"] == "2024-02-30"


def test_a_value_yaml_cannot_build_is_an_error_naming_the_file() -> None:
    with pytest.raises(SiteError, match="invalid value in YAML front matter") as info:
        split_front_matter('---\ntitle: ok\nn: !!float "zz"\n---\nBody\n', "content/x.md")
    assert str(info.value.path) == "content/x.md"


def test_a_tab_in_yaml_indentation_is_named_with_its_line_and_the_fix():
    with pytest.raises(SiteError) as caught:
        split_front_matter("---\ntitle: Tabs\ntags:\n\t- a\n---\nx\n", "t.md")
    assert caught.value.line == 4 and "tabs" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\ntitle: Tabs\n\tdate: 2024-01-01\n---\nx\n", 3),  # the last line: its own
        ("---\ntitle: Tabs\n\tdate: 2024-01-01\nmore: 1\n---\nx\n", 3),
    ],
)
def test_a_tab_on_the_last_line_of_yaml_is_named_with_that_line(text, line):
    """A problem on the front matter's last line was taken for one at its end (an unclosed
    bracket), and the line where the value before it began was named, with the wrong hint."""
    with pytest.raises(SiteError) as caught:
        split_front_matter(text, "t.md")
    assert caught.value.line == line and "tabs" in caught.value.hint


def test_old_mac_line_endings_keep_the_front_matter():
    fm = split_front_matter("---\rtitle: Hi\rtags: [a]\r---\rBody\rmore\r", "p.md")
    assert fm.meta == {"title": "Hi", "tags": ["a"]}
    assert fm.body == "Body\nmore\n" and fm.body_line == 5
