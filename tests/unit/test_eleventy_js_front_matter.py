"""Eleventy's JavaScript front matter (`---js`) read as literals, never run (migrate)."""

from __future__ import annotations

import yaml

from sitegen.content.frontmatter import split_front_matter
from sitegen.ingest.migrate.eleventy_posts import js_front_matter


def _moved(text: str) -> tuple[dict, str, int, list]:
    converted = js_front_matter(text)
    assert converted is not None
    moved, found = converted
    fm = split_front_matter(moved, "post.md")
    return fm.meta, fm.body, fm.body_line, found


def test_constants_become_front_matter_and_the_body_keeps_its_lines() -> None:
    text = (
        '---js\nconst title = "A fifth post";\nconst date = "2023-01-23";\n'
        'const draft = true;\nconst tags = ["lamps", "oil"];\n---\nBody on line 7.\n'
    )
    meta, body, body_line, found = _moved(text)
    assert meta == {
        "title": "A fifth post",
        "date": "2023-01-23",
        "draft": True,
        "tags": ["lamps", "oil"],
    }
    assert body == "Body on line 7.\n" and body_line == 7 and found == []


def test_the_older_object_form_and_nested_objects() -> None:
    text = '---js\n{\n  title: "Old form",\n  "nav": { key: "About", order: 3 },\n}\n---\nx\n'
    meta, _, body_line, found = _moved(text)
    assert meta == {"title": "Old form", "nav": {"key": "About", "order": 3}}
    assert body_line == 7 and found == []


def test_code_is_left_out_and_reported_with_its_line() -> None:
    text = (
        '---js\nconst title = "Computed";\n// a comment: const nope = 1;\n'
        "const words = body.split(' ').length;\nfunction helper() {\n  return 1;\n}\n---\nx\n"
    )
    meta, _, body_line, found = _moved(text)
    assert meta == {"title": "Computed"} and body_line == 9
    assert found == [
        (4, "Eleventy JavaScript front matter 'words'", "left out: code"),
        (5, "Eleventy JavaScript front matter 'helper'", "left out: code"),
    ]


def test_yaml_front_matter_and_files_without_any_are_not_touched() -> None:
    assert js_front_matter("---\ntitle: A\n---\nx\n") is None
    assert js_front_matter("# Just a heading\n") is None
    assert js_front_matter("---js\nconst title = 'never closed';\n") is None


def test_values_are_written_as_yaml_the_build_reads_back() -> None:
    text = '---js\nconst title = "Quotes \\" and: colons";\nconst n = 3.5;\n---\nx\n'
    moved, _ = js_front_matter(text)
    head = moved.split("---\n")[1]
    assert yaml.safe_load(head) == {"title": 'Quotes " and: colons', "n": 3.5}
