"""The alias table of other generators' front matter keys, checked against the README's tables,
and the small pure steps `map_article` is made of."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sitegen.content.article import (
    JEKYLL_NAME_RE,
    KEY_ALIASES,
    SourceFile,
    _draft,
    _front_matter_image,
    _name_stem,
    _raw_dates,
    _Report,
    _slug,
    _summary,
    _translation_key,
    first_present,
    spellings,
)
from sitegen.content.frontmatter import FrontMatter
from sitegen.errors import Diagnostics

README = Path(__file__).resolve().parents[2] / "README.md"

# Names the "also read" table shows in backticks that are not other names for the row's key.
NOT_ALIASES = {
    ("summary", "excerpt_separator"),  # a divider in the body: the summary is the text before it
    ("draft", "skip"),
}


def markdown_table(text: str, header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row is `header`, as lists of cells."""
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index(header)
    assert re.fullmatch(r"\|(\s*-+\s*\|)+", lines[start + 1]), "a separator row follows"
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def key_names(cell: str) -> set[str]:
    """Front matter key names a cell shows in backticks (`publishDate`), lowercased. Values
    (`published: false`), nested spellings (`[taxonomies] tags`) and examples are left out."""
    return {
        token.lower()
        for token in re.findall(r"`([^`]+)`", cell)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token)
    }


def row_key(cell: str) -> str | None:
    """`title` -> "title"; a row about something else ("translations") -> None."""
    m = re.fullmatch(r"`([a-z_]+)`", cell)
    return m.group(1) if m else None


def test_markdown_table_parsing():
    text = "intro\n\n  | a | b |\n  |---|---|\n  | `x` | `y`, `z: 1` |\n  | t | u |\n\nafter | x |"
    assert markdown_table(text, "| a | b |") == [["`x`", "`y`, `z: 1`"], ["t", "u"]]
    assert key_names("Hugo's `publishDate`, `date: {created: ...}`, `[extra] image`") == {
        "publishdate"
    }
    assert row_key("`url`") == "url" and row_key("translations") is None


@pytest.fixture(scope="module")
def also_read() -> list[list[str]]:
    return markdown_table(README.read_text(encoding="utf-8"), "| sitegen | also read |")


def test_readme_rows_name_exactly_the_aliases_of_their_key(also_read):
    keyed = [(row_key(ours), theirs) for ours, theirs in also_read if row_key(ours)]
    assert len(keyed) >= 10
    for key, cell in keyed:
        shown = {name for name in key_names(cell) - {key} if (key, name) not in NOT_ALIASES}
        assert shown == set(KEY_ALIASES.get(key, ())), key


def test_every_alias_in_the_table_is_in_the_readme(also_read):
    for key, aliases in KEY_ALIASES.items():
        rows = [theirs for ours, theirs in also_read if row_key(ours) == key]
        rows = rows or [theirs for _, theirs in also_read if key in key_names(theirs)]
        assert rows, f"no README row for {key}"
        assert set(aliases) <= key_names(rows[0]), key


def test_front_matter_keys_table_mentions_only_known_aliases():
    rows = markdown_table(README.read_text(encoding="utf-8"), "| key | meaning |")
    checked = 0
    for ours, meaning in rows:
        for also in re.findall(r"\(also ([^)]*)\)", meaning):
            key = row_key(ours)
            assert key is not None, ours
            assert key_names(also) <= set(KEY_ALIASES.get(key, ())), key
            checked += 1
    assert checked >= 4


def test_aliases_are_lowercase_and_used_once_per_key():
    for key, aliases in KEY_ALIASES.items():
        assert key == key.lower() and all(a == a.lower() for a in aliases)
        assert len(set(spellings(key))) == len(spellings(key))


def test_spellings_and_first_present():
    assert spellings("updated") == ("updated", "lastmod", "modified", "last_modified_at")
    assert spellings("title") == ("title",)
    lower = {"modified": "m", "lastmod": None}
    assert first_present(lower, spellings("updated")) == ("lastmod", None)  # present, empty
    assert first_present({}, spellings("updated")) == (None, None)


def test_raw_dates():
    assert _raw_dates({"date": "d", "lastmod": "u"}) == ("d", "u")
    assert _raw_dates({"date": {"created": "c", "updated": "u"}}) == ("c", "u")
    assert _raw_dates({"date": {"created": "c", "updated": "u"}, "updated": "x"}) == ("c", "x")
    assert _raw_dates({"pubdate": "p", "published": "q"}) == ("p", None)
    assert _raw_dates({"published": "2020-01-01"}) == ("2020-01-01", None)
    assert _raw_dates({"published": False}) == (None, None)  # Jekyll's flag
    assert _raw_dates({"published": "true"}) == (None, None)  # a quoted flag is no date
    assert _raw_dates({"date": None, "publishdate": "p"}) == ("p", None)


def test_slug():
    jekyll = JEKYLL_NAME_RE.match("2020-01-02-Hello-World")
    assert _slug({"slug": "kept-as-is"}, "T", "name", None, None, False) == "kept-as-is"
    assert _slug({"slug": "Not A Slug"}, "T", "name", None, None, False) == "not-a-slug"
    assert _slug({}, "T", "2020-01-02-Hello-World", jekyll, None, False) == "hello-world"
    assert _slug({}, "Front Page", "index", None, None, False) == "front-page"
    assert _slug({}, "", "index", None, None, False) == "index"
    assert _slug({}, "T", "index", None, "a/bundle", False) == "index"
    assert _slug({"slug": ""}, "T", "My_Name", None, None, False) == "my-name"


def test_name_stem():
    def source(rel: str, lang: str | None = None, bundle: str | None = None) -> SourceFile:
        return SourceFile(Path("/s/content") / rel, rel, lang, "k", bundle)

    assert _name_stem(source("a/post.md")) == "post"
    assert _name_stem(source("a/post.fr.md", "fr")) == "post"
    assert _name_stem(source("trip/index.fr.md", "fr", "trip")) == "trip"


def test_draft():
    assert not _draft({}, "post.md")
    assert _draft({"draft": "yes"}, "post.md")
    assert _draft({}, "_drafts/post.md")
    assert _draft({"published": False}, "post.md")
    assert not _draft({"published": dt.date(2020, 1, 1)}, "post.md")
    assert not _draft({"published": "2020-01-01"}, "post.md")  # a quoted date is no flag
    assert not _draft({"published": "2020-01-01T10:00:00+02:00"}, "post.md")
    assert _draft({"published": "false"}, "post.md") and _draft({"published": " No"}, "post.md")
    assert _draft({"published": 0}, "post.md") and not _draft({"published": "yes"}, "post.md")
    assert _draft({"status": " Skip "}, "post.md")
    assert not _draft({"status": " Hidden "}, "post.md")  # published, in no listing (`listed`)
    assert not _draft({"status": "published"}, "post.md")


def _summary_of(lower: dict, prose: str, length: int) -> str:
    diag = Diagnostics()
    summary = _summary(
        lower, prose, length, _Report(FrontMatter(lower, prose, 1, "yaml"), diag, "a.md")
    )
    assert not diag.warnings
    return summary


def test_summary():
    prose = "First para.\n\nSecond.\n\n<!--more-->\n\nRest."
    assert _summary_of({}, prose, 100) == "First para."
    assert _summary_of({"description": "From *front* matter"}, prose, 100) == "From front matter"
    assert _summary_of({"summary": "", "description": "d"}, prose, 100) == "First para."
    assert _summary_of({}, "Only this. CUT after", 100) == "Only this. CUT after"
    assert _summary_of({"excerpt_separator": "CUT"}, "Only this. CUT after", 100) == "Only this."
    long = _summary_of({}, "word " * 400, 10)
    assert len(long) < 100


def test_translation_key():
    assert _translation_key({}, "posts/a", "yaml", "a") == "posts/a"
    assert _translation_key({"translationkey": "k"}, "posts/a", "yaml", "a") == "k"
    assert _translation_key({"translation_key": 7}, "posts/a", "yaml", "a") == "7"
    assert _translation_key({"slug": "s"}, "posts/a", "pelican", "s") == "slug:s"
    assert _translation_key({"slug": "s"}, "posts/a", "yaml", "s") == "posts/a"


def test_front_matter_image():
    assert _front_matter_image({}) == (None, "")
    assert _front_matter_image({"images": ["a.png", "b.png"], "cover": "c.png"}) == (
        "images",
        "a.png",
    )
    assert _front_matter_image({"cover": {"src": " c.png "}}) == ("cover", "c.png")
    assert _front_matter_image({"extra": {"image": "z.png"}}) == ("extra", "z.png")
    assert _front_matter_image({"image": "", "og_image": "o.png"}) == ("og_image", "o.png")


def test_dates_in_the_table_are_reached_through_it():
    """A date written under each other name of `date` is the article's date."""
    for alias in KEY_ALIASES["date"]:
        raw, _ = _raw_dates({alias: dt.date(2020, 1, 2)})
        assert raw == dt.date(2020, 1, 2), alias
