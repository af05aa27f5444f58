"""Raw HTML in an article kept inside it (render/rawhtml.py, and its use by the Markdown
renderer): balanced HTML is left as written, what would break out of the article or swallow
the page is made right and reported at its line."""

from __future__ import annotations

import pytest

from sitegen.render import rawhtml
from sitegen.render.markdown import render_markdown
from sitegen.render.rawhtml import contain

BALANCED = [
    ["<div>", "</div>"],
    ["<div class='a>b'>x</DIV >"],
    ['<svg viewBox="0 0 1 1"><path d="M0 0"/><title>icon</title></svg>'],
    ["<ul><li>a<li>b</ul>"],  # an end tag closes what is open inside it
    ["<script>if (a < b) { document.write('</div>') }</script>"],  # text up to </script>
    ["<textarea>", "<b>text, not a tag", "</textarea>"],  # across fragments
    ["<!-- a <div> in a comment -->", "<!-->", "<br>", "</br>"],
    ["<p>an optional end tag"],
]


@pytest.mark.parametrize("fragments", BALANCED)
def test_balanced_raw_html_is_left_as_written(fragments):
    out = contain(fragments)
    assert out.fragments == fragments
    assert out.problems == []


def test_an_element_left_open_is_closed_at_the_end_innermost_first():
    out = contain(["<section>\n<div>", "<em>x"])
    assert out.fragments == ["<section>\n<div>", "<em>x"]
    assert out.closing == "</em></div></section>"
    assert [(i, line) for i, line, _, _ in out.problems] == [(0, 0), (0, 1), (1, 0)]
    assert "<section> is never closed" in out.problems[0][2]
    assert out.problems[0][3] == "close it with </section> where it should end"


def test_an_end_tag_closing_nothing_the_article_opened_is_left_out():
    out = contain(["text</div>\n</main>more", "<b>x</b></article>"])
    assert out.fragments == ["text\nmore", "<b>x</b>"]
    assert [p[2].split(" ")[0] for p in out.problems] == ["</div>", "</main>", "</article>"]
    assert [p[1] for p in out.problems] == [0, 1, 0]


@pytest.mark.parametrize(
    ("fragment", "shown"),
    [
        ("Hello <textarea>", "Hello &lt;textarea>"),
        ("<script>alert(1)", "&lt;script>alert(1)"),
        ("<STYLE>p { color: red }", "&lt;STYLE>p { color: red }"),
        ("<title>x", "&lt;title>x"),
        ("<plaintext>", "&lt;plaintext>"),
        ("<!-- a note never closed", "&lt;!-- a note never closed"),
        ("<script>a</script><script>b", "<script>a</script>&lt;script>b"),
        ("<xmp>a </xmpx", "&lt;xmp>a &lt;/xmpx"),  # not its end tag (and never finished)
    ],
)
def test_what_would_swallow_the_page_is_shown_as_text(fragment, shown):
    out = contain([fragment, "<p>the rest</p>"])
    assert out.fragments == [shown, "<p>the rest</p>"]
    assert out.problems and "shown as text" in out.problems[0][2]


def test_tags_of_names_html_lacks_or_of_the_page_are_shown_as_text():
    """Text a writer meant to show, which a browser would hide as a tag; custom elements,
    Word's `o:p` and names inside an SVG are elements."""
    out = contain(["vector<int>", "git add <pathspec>", "the <body> element", "</int>"])
    assert out.fragments == [
        "vector&lt;int>",
        "git add &lt;pathspec>",
        "the &lt;body> element",
        "&lt;/int>",
    ]
    assert [p[2].split(":")[0] for p in out.problems] == [
        "<int> is no HTML element, and would be hidden as a tag",
        "<pathspec> is no HTML element, and would be hidden as a tag",
        "<body> is the page's own, and would be hidden in an article",
        "</int> is no HTML element, and would be hidden as a tag",
    ]
    assert out.problems[0][3] == "write it in backticks (`<int>`) to show it as code"
    kept = ["<my-card>x</my-card>", "<o:p></o:p>", "<svg><linearGradient/><foo/></svg>"]
    assert contain(kept).fragments == kept and contain(kept).problems == []


def test_a_tag_never_finished_is_shown_as_text():
    """An embed with a blank line inside its tag: Markdown ends the HTML block there, and a
    browser would read on into the page for the tag's `>`."""
    out = contain(['<iframe\n  src="https://x"\n', '<p>title="W"</p>', "></iframe>"])
    assert out.fragments == ['&lt;iframe\n  src="https://x"\n', '<p>title="W"</p>', ">"]
    assert out.problems[0][2] == (
        '<iframe src="https://x" is a tag never finished with >: shown as text'
    )
    assert "</iframe> closes no element" in out.problems[1][2]


def test_a_custom_element_never_closed_is_a_placeholder_shown_as_text():
    """`cd <my-project-name>`: a name with a dash is a custom element, but one the article
    never closes is a writer's placeholder, which a browser would hide."""
    out = contain(["cd <my-project-name>", "<my-card>a card</my-card>", "</div>"])
    assert out.fragments == ["cd &lt;my-project-name>", "<my-card>a card</my-card>", ""]
    assert out.closing == ""
    assert [(i, p.split(":")[0]) for i, _, p, _ in out.problems] == [
        (0, "<my-project-name> is never closed, and would be hidden as a tag"),
        (2, "</div> closes no element the article opened"),
    ]


def test_thousands_of_problems_are_reported_as_a_few():
    out = contain(["</div>" * 5000])
    assert out.fragments == [""]
    assert len(out.problems) == rawhtml.MAX_PROBLEMS + 1
    assert "and 4990 more" in out.problems[-1][2]


def test_hostile_runs_are_read_in_linear_time(monkeypatch):
    """Thousands of unclosed `<textarea>` or `<!--` in one block do not each search the rest
    of the text for their end (counted: no timing)."""
    calls = []
    real = rawhtml._end_of_raw

    def counting(*args):
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(rawhtml, "_end_of_raw", counting)
    out = contain(["<textarea>" * 4000 + "</textareax>"])
    assert out.fragments[0].count("&lt;textarea>") == 4000
    assert len(calls) <= 10
    finds = []

    class Text(str):
        def find(self, *args):
            finds.append(args)
            return str.find(self, *args)

    out = contain([Text("<!--" * 4000)])
    assert out.fragments[0].count("&lt;!--") == 4000
    assert len(finds) <= 10

    class Stops:  # where each tag ends: the searches for its `>` or quotes
        searched = 0

        def search(self, text, start):
            found = real_stop.search(text, start)
            self.searched += (found.start() if found else len(text)) - start  # text crossed
            return found

    real_stop, stops = rawhtml._STOP, Stops()
    monkeypatch.setattr(rawhtml, "_STOP", stops)
    for text in ("<div>" + "<a" * 4000, '<a title="' * 4000, "<b x='y' " * 4000):
        stops.searched = 0
        contain([text])
        assert stops.searched <= 4 * len(text), text[:20]


def test_markdown_bodies_keep_their_raw_html_inside_with_lines_of_the_body():
    body = "Intro.\n\nHello <textarea>\n\n</div>\n\n<div>\n\n*inside*\n"
    rendered = render_markdown(body)
    assert "&lt;textarea>" in rendered.html
    assert "</div>\n\n<div>" not in rendered.html
    assert rendered.html.rstrip().endswith("</div>")
    assert rendered.html.count("<div>") == rendered.html.count("</div>") == 1
    assert [(line, message.split(" ")[0]) for line, message, _ in rendered.problems] == [
        (2, "<textarea>"),
        (4, "</div>"),
        (6, "<div>"),
    ]


def test_markdown_with_balanced_raw_html_renders_as_before():
    body = '<div class="note">\n\n**Note** this.\n\n</div>\n\nA <kbd>Ctrl</kbd> key.[^1]\n\n[^1]: <span>a</span>\n'
    rendered = render_markdown(body)
    assert rendered.problems == ()
    assert '<div class="note">' in rendered.html and "<kbd>Ctrl</kbd>" in rendered.html


def test_with_raw_html_off_nothing_is_looked_at():
    rendered = render_markdown("Hello <textarea>\n", raw_html=False)
    assert "&lt;textarea&gt;" in rendered.html and rendered.problems == ()
