"""Fuzz the front matter loader: whatever bytes a content file holds, loading it gives an
Article or sitegen's own error naming the file; never another exception, never a hang.

Runs SITEGEN_FUZZ_EXAMPLES examples (200 by default; `make fuzz` runs 20,000)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sitegen.content.article import Article, SourceFile, load_article
from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import Diagnostics, SiteError
from tests.unit.fuzzing import CONFIG, FUZZ, ROOT

SOURCE = SourceFile(ROOT / "content" / "post.md", "post.md", None, "post", None)
NAME = "content/post.md"

# Pieces of every front matter syntax we read, so examples get past the first parse often.
TOKENS = [
    "---",
    "+++",
    "\n",
    "\r\n",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "|",
    ">",
    "!!python/object/apply:os.system ['true']",
    "!!binary ",
    "!!timestamp ",
    "!!set ",
    "!!omap ",
    "%YAML 1.1\n",
    "'",
    '"',
    "#",
    "=",
    ",",
    "\t",
    "  ",
    "\ufeff",
    "null",
    "~",
    "true",
    "no",
    "1e999",
    "-0",
    "0x1F",
    "\\",
    "\\u0000",
    "title",
    "date",
    "tags",
    "draft",
    "slug",
    "summary",
    "author",
    "authors",
    "lang",
    "aliases",
    "categories",
    "taxonomies",
    "translationKey",
    "publishDate",
    "expiryDate",
    "status",
    "Title: ",
    "Date: ",
    "Tags: ",
    "2024-02-30",
    "2024-01-01T10:00:00+01:00",
    "9999-12-31",
    "0000-00-00",
    "<!--more-->",
    "# Heading\n",
    "=====\n",
    "```\n",
    "<script>",
    "{{ 7*7 }}",
    "{% raw %}",
    '"\\ud800"',
    "[[a]]",
    "a.b.c = 1",
]
piece = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
front_matter_text = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(["---\n", "+++\n", "{", '{"title": ', "Title: ", "", "\ufeff---\r\n"]),
    st.lists(piece, max_size=60),
)


def check_loads_or_names_file(data: bytes) -> None:
    diag = Diagnostics()
    article = load_article(SOURCE, CONFIG, diag, data)  # any other exception fails the test
    if article is None:
        assert diag.errors, "loading failed without saying why"
    else:
        assert isinstance(article, Article)
        assert isinstance(article.title, str) and article.slug
    for error in diag.errors:
        assert isinstance(error, SiteError)
        assert str(error.path) == NAME, error


@FUZZ
@given(front_matter_text)
def test_fuzz_frontmatter_structured(text):
    check_loads_or_names_file(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_frontmatter_bytes(data):
    check_loads_or_names_file(data)


@FUZZ
@given(front_matter_text)
def test_fuzz_split_front_matter(text):
    try:
        fm = split_front_matter(text, NAME)
    except SiteError as exc:
        assert str(exc.path) == NAME and (exc.line is None or exc.line >= 1)
        return
    assert isinstance(fm.meta, dict) and fm.body_line >= 1


def test_deep_nesting_and_alias_bombs_are_errors_naming_the_file():
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    cases = {
        "billion laughs": f"---\n{laughs}---\n",
        "recursive alias": "---\na: &a [*a]\n---\n",
        "deep YAML": "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n",
        "deep YAML blocks": "---\n"
        + "".join(" " * i + f"k{i}:\n" for i in range(0, 800, 2))
        + "---\n",
        "deep TOML": "+++\na = " + "[" * 50000 + "]" * 50000 + "\n+++\n",
        "deep TOML tables": "+++\na = " + "{b=" * 5000 + "1" + "}" * 5000 + "\n+++\n",
        "deep JSON": '{"a": ' + "[" * 50000 + "]" * 50000 + "}\n",
        "python tag": "---\na: !!python/object/apply:os.system ['true']\n---\n",
    }
    for name, text in cases.items():
        diag = Diagnostics()
        assert load_article(SOURCE, CONFIG, diag, text.encode()) is None, name
        assert diag.errors and str(diag.errors[0].path) == NAME, name
    diag = Diagnostics()
    load_article(SOURCE, CONFIG, diag, f"---\n{laughs}---\n".encode())
    assert "more than" in diag.errors[0].message


def test_brackets_and_indentation_inside_strings_are_not_nesting():
    for text in (
        "---\ntitle: '" + "[" * 200 + "'\n---\n",
        "---\ntitle: a " + "{[" * 100 + "\ndate: 2024-01-01\n---\n",
        "---\ntitle: x\nnote: |\n" + " " * 300 + "deeply indented text\n---\n",
        '+++\ntitle = "' + "[" * 200 + '"\n+++\n',
        '{"title": "' + "[" * 200 + '"}\n',
    ):
        diag = Diagnostics()
        article = load_article(SOURCE, CONFIG, diag, text.encode())
        assert article is not None, [str(e) for e in diag.errors]
