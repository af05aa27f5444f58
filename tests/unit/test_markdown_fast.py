"""markdown-it-pyrs renders the bodies that need none of markdown-it-py's plugins, to the same
HTML and table of contents as markdown-it-py with them (render/markdown_fast.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.render import markdown_fast
from sitegen.render.markdown import render_markdown, render_markdown_it

pytestmark = pytest.mark.skipif(
    not markdown_fast.available(), reason="markdown-it-pyrs has no wheel for this platform"
)

ARTICLE = """\
Intro with *emphasis*, **strong**, ~~struck~~, `code`, a [link](https://example.org/a?b=1&c=2),
an ![image](photo.jpg) and an entity &copy; 2024.

## Results and `numbers`

| Team | Points | Share |
|:-----|-------:|:-----:|
| Red  | 10     | 50 %  |

- one
- two with a fence:
  ```python
  print("hi")
  ```
- three
  1. nested
  2. list

> A quote
> over two lines.

### Same

### Same

Setext heading
--------------

```nolang
x < y && z
```

```rust
fn main() {
    let v: Vec<String> = Vec::new();
}
```

A `<div>` and `x = {.class}` in code are text.

    indented code

***

1) ordered
2) items
"""

FRAGMENTS = [
    *("*", "_", "**", "__", "~~", "`", "``", "```", "```py\n", "```xyz\n", "~~~\n", "***"),
    *("\n", "\n", "\n\n", "  \n", "\\\n", "\r\n", "\t", "    ", "  ", " "),
    *("# ", "## ", "##### ", "Head\n===\n", "Sub\n---\n", "- ", "* ", "+ ", "1. ", "3) "),
    *("> ", "|", " | ", "|---|", ":--", "--:", "---", "- - -", "    - ", "\n- item\n"),
    *("[", "]", "(", ")", "![", "](", "]: ", "[r]", "[r]: /u\n", '"t"', "'t'", "<", "{"),
    *("http://example.org/p", "//☃.example/", "/a?b=1&c=2", "mailto:a@b.c", "%41"),
    *("&amp;", "&copy;", "&#35;", "&", "\\*", "\\`", "\\", "!", "?", ":", "~", "=", "#"),
    *("word ", "text", "snake_case", "a_b_c", "`code`", "`  `", "[TOC]", "[^1]", "!!! "),
    *("é", "ü", "日本", "£", "∇", "«", "\u00a0", "😀", "\x00"),
    *("\n\n## Same\n", "\n\n## Same\n", "### T `c` *e*\n", "```py\nx = 1\n```\n"),
]


def assert_alike(body: str, heading_ids: str = "sitegen") -> bool:
    """Whether the fast renderer took `body`; when it did, its output is markdown-it-py's."""
    fast = markdown_fast.render(body, heading_ids)
    if fast is None:
        return False
    for raw_html in (True, False):
        slow = render_markdown_it(body, raw_html, heading_ids)
        assert fast == (slow.html, slow.toc), body
        assert slow.problems == ()
    return True


@settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40).map("".join),
    st.sampled_from(["sitegen", "github"]),
)
def test_any_body_it_takes_renders_as_markdown_it_py_renders_it(body: str, heading_ids: str):
    assert_alike(body, heading_ids)


@pytest.mark.parametrize("heading_ids", ["sitegen", "github"])
def test_an_everyday_article_takes_the_fast_path_with_ids_toc_highlighting_and_focus(
    heading_ids: str,
):
    assert assert_alike(ARTICLE, heading_ids)
    html, toc = markdown_fast.render(ARTICLE, heading_ids)
    assert [level for level, _, _ in toc] == [2, 3, 3, 2]
    assert [ident for _, ident, _ in toc][1:3] == ["same", "same-1"]
    assert '<pre tabindex="0" class="highlight"><code class="language-python">' in html
    assert '<pre tabindex="0"><code class="language-nolang">x &lt; y &amp;&amp; z' in html
    assert '<table tabindex="0">' in html and '<th style="text-align:right">Points</th>' in html
    assert 'href="#same-1">#</a></h3>' in html


@pytest.mark.parametrize(
    "body",
    [
        "Costs *£*5 today\n",  # a symbol beside `*`: emphasis to markdown-it only
        "See [the site](https://bücher.example/) now\n",  # punycode against percent-encoding
        "> quoted\n- item\n",  # a list item after a quote's paragraph
        "> quoted\nlazy line\n2) item\n",
        "a heading?\n:---\n",  # a delimiter row under a line without a pipe
        "| a\n---\n",  # a pipe above dashes: a table to markdown-it-py
        "empty `   ` span\n",  # a code span of spaces alone
        "![a &amp; b](x.png)\n",  # an entity in an image's alt text
        "```\nleft open",  # a fence left open at the end of the body
        "[see `this\n",  # a link's text and an unclosed code span: markdown-it-pyrs panics
        "Texte\u00a0:\n\nfin\u00a0\n",  # Unicode spaces that markdown-it-py trims
        "- item\n\n  [label\n  ]: /url\n",  # a reference label across lines in a list
        "Raw <b>HTML</b>\n",
        "<div>\n\n*a block*\n\n</div>\n",
        "a <!-- comment --> b\n",
        "a <!-- comment -\n-- more -->\n",  # markdown-it-py's comments and declarations
        "<!declaration x>\n",
        "Mail <ed@example.org>\n",  # an autolink
        "## Title {#custom}\n",
        "Title {.wide}\n======\n",
        "![x](a.png){width=600}\n",
        "`code`{.lang}\n",
        "{.lead}\nA paragraph.\n",
        "A paragraph.\n{: .note}\n",
        "``` {.yaml}\nk: v\n```\n",
        "Note[^1]\n\n[^1]: text\n",
        "!!! note\n    body\n",
        "- [ ] task\n",
        "[TOC]\n\n## A\n",
        "Term\n: definition\n",
        '![caption](photo.jpg "A title")\n',  # a figure
        "> " * 70 + "deep\n",
    ],
)
def test_what_the_two_parsers_read_differently_is_left_to_markdown_it_py(body: str):
    assert markdown_fast.render(body) is None
    assert render_markdown(body) == render_markdown_it(body)


def test_a_code_block_after_a_tight_items_text_follows_it_without_a_line_break():
    body = "- item *em*\n  ```\n  code\n  ```\n- two\n\n1. x\n\n   ```\n   y\n   ```\n"
    assert assert_alike(body)
    html, _ = markdown_fast.render(body)
    assert '<li>item <em>em</em><pre tabindex="0"><code>code' in html
    assert '<p>x</p>\n<pre tabindex="0"><code>y' in html


def test_a_panic_in_the_rust_parser_falls_back_to_markdown_it_py(monkeypatch):
    class Panic(BaseException):  # pyo3's PanicException derives from BaseException
        pass

    class Panicking:
        def render(self, body: str) -> str:
            raise Panic("index out of bounds")

    monkeypatch.setattr(markdown_fast, "_PARSER", Panicking())
    assert markdown_fast.render("plain text\n") is None
    assert render_markdown("plain *text*\n").html == "<p>plain <em>text</em></p>\n"


def test_without_markdown_it_pyrs_markdown_it_py_renders_everything(monkeypatch):
    expected = render_markdown(ARTICLE, heading_ids="github")
    monkeypatch.setattr(markdown_fast, "_PARSER", None)
    assert markdown_fast.render(ARTICLE) is None
    assert render_markdown(ARTICLE, heading_ids="github") == expected


def test_line_endings_are_read_as_markdown_it_py_reads_them():
    body = ARTICLE.replace("\n", "\r\n")
    assert assert_alike(body)
    assert markdown_fast.render(body) == markdown_fast.render(ARTICLE)


def test_the_fast_parser_serves_any_thread():
    """The preview renders in threads of its own: the Rust parser made at import serves them."""
    import threading

    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(markdown_fast.render(ARTICLE)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [markdown_fast.render(ARTICLE)] * 3 and results[0] is not None
