"""Markdown rendering of other generators' syntax, and the rewriting of their template code."""

from __future__ import annotations

import re

import pytest

from sitegen.content.foreign import convert, flatten_tabs, replace_shortcodes
from sitegen.render.markdown import render_markdown, render_markdown_it
from sitegen.render.markdown_plugins import parse_ial
from sitegen.text.bodyscan import code_spans, disk_links, scan_images, spaced_images


def test_heading_ids_and_attributes():
    html = render_markdown("## Title {#custom .wide}\n\n## Other\n\n![x](a.png){.big}\n").html
    assert '<h2 id="custom" class="wide">Title' in html
    assert "{#custom" not in html
    assert '<h2 id="other">' in html
    assert 'class="big"' in html


def test_admonitions_both_syntaxes():
    html = render_markdown('!!! warning "Careful"\n    Body one.\n\n:::note\nBody two.\n:::\n').html
    assert '<div class="admonition warning">' in html and "Careful" in html and "Body one." in html
    assert '<div class="admonition note">' in html and "Body two." in html
    assert "!!!" not in html and ":::" not in html


def test_toc_marker_is_replaced_by_the_list():
    rendered = render_markdown("[TOC]\n\n## One\n\n### Two\n")
    assert '<nav class="toc"' in rendered.html and 'href="#one"' in rendered.html
    assert "[TOC]" not in rendered.html
    assert rendered.toc == ((2, "one", "One"), (3, "two", "Two"))


def test_titled_image_alone_becomes_a_figure():
    html = render_markdown('![A cat](cat.png "The cat")\n\ntext ![b](b.png "inline") text\n').html
    assert (
        '<figure><img src="cat.png" alt="A cat" title="The cat" /><figcaption>The cat</figcaption></figure>'
        in html
    )
    assert '<p>text <img src="b.png" alt="b" title="inline" /> text</p>' in html


def test_figure_caption_is_markdown():
    """Hugo's figure reads its caption as Markdown: an autolink or link in it stays a link."""
    body = (
        '{{< figure src="a.png" alt="Plan" caption="From <https://example.org/p>" >}}\n\n'
        '{{< figure src="b.png" caption="The \\"new\\" [plan](https://example.org/q)" >}}\n'
    )
    out, _ = convert(body)
    html = render_markdown(out).html
    assert (
        '<figcaption>From <a href="https://example.org/p">https://example.org/p</a></figcaption>'
        in html
    )
    assert (
        '<figcaption>The &quot;new&quot; <a href="https://example.org/q">plan</a></figcaption>'
        in html
    )
    assert "&lt;https" not in html.split("<figcaption>", 1)[1]


HUGO = """Intro {{< youtube dQw4w9WgXcQ >}} and {{% notice info %}}Be **careful**{{% /notice %}}.

{{< highlight go >}}
func main() {}
{{< /highlight >}}

{{< figure src="photo.jpg" caption="A caption" >}}

See [other]({{< ref "other.md" >}}) and {{< param "x" >}}.

```
{{< shortcode "in code" >}} {{</* escaped */>}}
```

Inline `{{< code >}}` here.
"""


def test_hugo_shortcodes():
    out, found = convert(HUGO, 10)
    assert "[YouTube video](<https://www.youtube.com/watch?v=dQw4w9WgXcQ>)" in out
    assert "Be **careful**" in out
    assert "```go\nfunc main() {}\n```" in out
    assert '![A caption](<photo.jpg> "A caption")' in out
    assert "[other](other.md)" in out
    assert '{{< shortcode "in code" >}} {{< escaped >}}' in out  # code kept, escape unwrapped
    assert "Inline `{{< code >}}` here." in out
    names = [(c.line, c.name) for c in found]
    assert names == [
        (10, "youtube"),
        (10, "notice"),
        (12, "highlight"),
        (16, "figure"),
        (18, "ref"),
        (18, "param"),
    ]


LIQUID = """![logo]({{ site.baseurl }}/images/logo.png) [p]({% post_url 2010-07-21-name %})

{% highlight ruby %}
def foo; end
{% endhighlight %}

{% raw %}{{ literal }}{% endraw %} {% comment %}hidden{% endcomment %}{% include note.html %}
{% if page.x %}Shown{% endif %} {{ page.title }}

~~~liquid
{% raw %}{% if x %}{{ y }}{% endif %}{% endraw %}
~~~
"""


def test_liquid_tags_and_output():
    out, found = convert(LIQUID)
    assert "![logo](/images/logo.png)" in out
    assert "[p](2010-07-21-name.md)" in out
    assert "```ruby\ndef foo; end\n```" in out
    assert "`{{ literal }}`" in out
    assert "hidden" not in out and "include" not in out
    assert "Shown" in out
    assert "~~~liquid\n{% if x %}{{ y }}{% endif %}\n~~~" in out  # raw markers dropped in code
    assert {c.name for c in found} >= {
        "site.baseurl",
        "post_url",
        "highlight",
        "include",
        "if",
        "page.title",
    }
    assert all(c.name not in ("raw", "comment") for c in found)


def test_many_unclosed_hugo_shortcode_names_are_converted_in_one_pass_each() -> None:
    """Each opening tag looks for its closer: a pass over the body for each of many names
    opened without a closer (20,000 of them) took time growing with their square. Counted,
    not timed: patterns made and whole-body scans during the conversion."""
    import sys
    from collections import Counter

    names = 20_000
    body = "".join(f"{{{{< a{i} >}}}}" for i in range(names))
    body += "\n\n{{< details Open >}}Inside{{< /details >}} {{< a7 >}}\n"
    counts: Counter[str] = Counter()

    def count(frame, event, arg) -> None:
        if event == "call" and frame.f_globals.get("__name__") == "re":
            counts[f"re.{frame.f_code.co_name}"] += 1  # re.compile and what it calls
        elif event == "c_call" and type(getattr(arg, "__self__", None)) is re.Pattern:
            counts[arg.__name__] += 1

    sys.setprofile(count)
    try:
        out, found = convert(body)
    finally:
        sys.setprofile(None)
    assert len(found) == names + 2 and "Inside" in out and "{{<" not in out
    assert found[-1].line == 3 and found[0].line == 1
    # made per name, each read the whole body: 20,000 patterns and two scans per shortcode
    assert counts["re.compile"] + counts["re._compile"] <= 20, counts
    assert counts["finditer"] <= names + 20, counts  # a shortcode's own arguments: one each


def test_zola_shortcodes():
    out, found = convert(
        '{{ youtube(id="abc") }}\n\n{% quote(author="X") %}Quoted *text*{% end %}\n'
        '\n```\n{{/* gist(url="u") */}}\n```\n'
    )
    assert "[YouTube video](<https://www.youtube.com/watch?v=abc>)" in out
    assert "Quoted *text*" in out and "{% end %}" not in out
    assert '{{ gist(url="u") }}' in out
    assert [(c.generator, c.name) for c in found] == [("Zola", "youtube"), ("Zola", "quote")]


def test_hugo_refs_become_content_paths_the_links_resolve():
    """`ref "x"` and `ref "x/"` name the page x (x.md); an address from the root stays one."""
    out, _ = convert(
        '[a]({{< ref "x" >}}) [b]({{< relref "y/#part" >}}) [c]({{< ref "/posts/" >}})\n'
    )
    assert "[a](x.md) [b](y.md#part) [c](/posts/)" in out


def test_a_zola_shortcode_naming_an_image_in_one_line_shows_it():
    """The one-line form shows the image as the block form (`{% figure(...) %}`) does."""
    out, found = convert('Me:\n\n{{ resize_image(path="about/me.png", width=300, op="fit") }}\n')
    assert "![](<about/me.png>)" in out
    assert [(c.name, c.result) for c in found] == [("resize_image", "shown as an image")]


@pytest.mark.parametrize("body", [HUGO, LIQUID])
def test_no_template_syntax_outside_code_after_rendering(body):
    html = render_markdown(convert(body)[0]).html
    outside = re.sub(r"<pre.*?</pre>|<code>.*?</code>", "", html, flags=re.S)
    assert "{{" not in outside and "{%" not in outside


def test_text_without_template_syntax_is_untouched():
    text = "Plain { braces } and a % sign.\n"
    assert convert(text) == (text, [])


def test_code_spans_cover_fences_inline_and_pre():
    text = "a `x` b\n\n```\ncode\n```\n\n<pre>p</pre>\n"
    spans = code_spans(text)
    assert [text[s:e] for s, e in spans] == ["`x`", "```\ncode\n```", "<pre>p</pre>"]


def test_a_stray_backtick_opens_no_code_span_across_paragraphs():
    """CommonMark: a backtick string without a closer of its length in its paragraph is a
    backtick; the code spans after it are still code (their template syntax kept as written)."""
    text = "Run `hugo new x.md``\n\nCode: use `{{ .Site.Title }}` here.\n"
    assert [text[s:e] for s, e in code_spans(text)] == ["`{{ .Site.Title }}`"]
    out, _ = convert(text)
    assert "`{{ .Site.Title }}`" in out


def test_go_template_code_in_prose_stays_as_written():
    """Hugo shows `{{ .Site.BaseURL }}` in a post's prose as it is (content is no template)."""
    out, found = convert("Replace __{{ .Site.BaseURL }}__ with {{ .Site.BaseURL | relURL }}.\n")
    assert out == "Replace __{{ .Site.BaseURL }}__ with {{ .Site.BaseURL | relURL }}.\n"
    assert not found


def test_liquid_img_notebook_and_zola_figure_blocks_keep_their_content():
    out, found = convert(
        "{% img /figures/hist.png [Simple Histogram] %}\n\n"
        '{% img left /img/a.jpg 300 200 "A title" "An alt" %}\n\n'
        "{% notebook downloads/nb/XKCD.ipynb cells[2:] %}\n\n"
        '{% figure(alt="recent mail", url="chiffon.png") %}\nA reported mail\n{% end %}\n'
    )
    assert '![Simple Histogram](</figures/hist.png> "Simple Histogram")' in out
    assert '![An alt](</img/a.jpg> "A title")' in out
    assert "[XKCD.ipynb](</downloads/nb/XKCD.ipynb>)" in out
    assert '![recent mail](<chiffon.png> "A reported mail")' in out
    assert [c.result for c in found] == [
        "shown as an image",
        "shown as an image",
        "shown as a link to the notebook file",
        "shown as an image",
    ]


def test_liquid_video_becomes_a_player_of_the_posts_own_file():
    out, found = convert(
        "Before.\n\n{% video /media/spin.mp4 360 270 /media/spin.png %}\n\nAfter.\n"
    )
    assert (
        '<video controls width="360" height="270" poster="/media/spin.png">'
        '<source src="/media/spin.mp4" type="video/mp4"></video>'
    ) in out
    assert [c.result for c in found] == ["shown as a video player"]


def test_image_includes_and_custom_image_shortcodes_become_images():
    out, found = convert(
        '{% include image.html url="/img/a.png" description="A cat" %}\n\n'
        '{{< img src="b.jpg" alt="B" >}}\n\n[x]({% link _posts/2020-01-01-x.md %})\n'
    )
    assert '![A cat](</img/a.png> "A cat")' in out
    assert "![B](<b.jpg>)" in out
    assert "[x](/_posts/2020-01-01-x.md)" in out
    assert [c.result for c in found][:2] == ["shown as an image", "shown as an image"]


def test_hugo_notice_boxes_become_admonitions() -> None:
    body, found = convert(
        '{{% notice warning "Heads up" %}}\nSome **bold** text.\n{{% /notice %}}\n'
    )
    html = render_markdown(body).html
    assert '<div class="admonition warning">' in html and ">Heads up<" in html
    assert "<strong>bold</strong>" in html and "{{" not in html
    assert found[0].name == "notice" and "admonition" in found[0].result


def test_mkdocs_content_tabs_are_flattened_into_labelled_sections() -> None:
    text = (
        'Intro.\n\n=== "Python"\n\n    ```python\n    print("hi")\n    ```\n\n'
        '=== "Go"\n\n    Go *text*.\n\nAfter.\n\n```\n=== "not a tab in code"\n```\n'
    )
    flat = flatten_tabs(text)
    assert flat.count("\n") == text.count("\n")  # line numbers stay right
    html = render_markdown(flat).html
    assert "<strong>Python</strong>" in html and 'class="language-python"' in html
    assert "<em>text</em>" in html and "<p>After.</p>" in html
    assert '=== "not a tab in code"' in html.replace("&quot;", '"')


@pytest.mark.parametrize(
    "source, expected",
    [
        ("![a](x.png){.border-0}", '<img src="x.png" alt="a" class="border-0" />'),
        ("![a](x.png){: .left #pic}", '<img src="x.png" alt="a" id="pic" class="left" />'),
        ("[l](x.md){: .btn}", '<a href="x.md" class="btn">l</a>'),
        ("`code`{: .k}", '<code class="k">code</code>'),
        ("![a](x.png){width=600}", '<img src="x.png" alt="a" width="600" />'),
        ("para\n{: .note}", '<p class="note">para</p>'),
        ("para\n\n{: .note #n}\n", '<p id="n" class="note">para</p>'),
        ("> quote\n\n{: .aside}\n", '<blockquote class="aside">'),
        ("- a\n- b\n\n{: .list}\n", '<ul class="list">'),
        ("{.lead}\npara", '<p class="lead">para</p>'),
        ("## Title {: #chosen}", '<h2 id="chosen">'),
    ],
)
def test_attribute_lists_become_attributes(source, expected):
    html = render_markdown(source).html
    assert expected in html
    assert "{:" not in html and "{." not in html


@pytest.mark.parametrize(
    "source",
    [
        '![a](x.png){onclick="alert(1)" .a}',
        '![a](x.png){style="background:url(javascript:alert(1))" .a}',
        '[x](y){href="javascript:alert(1)" .a}',
        "![a](x.png){: .a onmouseover=alert(1)}",
        'para\n{: .a style="color:red"}',
        '{.a onload="x()"}\npara',
    ],
)
def test_attribute_lists_set_only_class_id_and_size(source):
    html = render_markdown(source, raw_html=False).html
    assert "onclick" not in html and "onmouseover" not in html and "onload" not in html
    assert "style=" not in html and "javascript" not in html
    assert 'class="a"' in html


def test_attribute_values_keep_only_safe_characters():
    html = render_markdown('![a](x.png){#"><script> .ok}', raw_html=False).html
    assert "<script>" not in html
    html = render_markdown("![a](x.png){: .ok .b\"ad #i'd}").html
    assert 'class="ok"' in html and "ad" not in html.split("alt")[1] and "id=" not in html


def test_kramdown_attribute_lines_inside_code_stay_as_written():
    html = render_markdown("```\npara\n{: .note}\n```\n\n`{: .x}`\n").html
    assert "{: .note}" in html and "<code>{: .x}</code>" in html


def test_every_code_block_can_be_scrolled_with_the_keyboard():
    html = render_markdown(
        "    indented\n\n```\nfenced\n```\n\n```python\nx = 1\n```\n\n<pre>raw</pre>\n"
    ).html
    assert html.count("<pre") == 4
    assert html.count('<pre tabindex="0"') == 4


def test_emoji_shortcodes_become_characters_and_icons_are_reported_once_per_kind():
    body = (
        "Thanks :heart: and :smile:\n\n"
        ":octicons-heart-fill-24: :octicons-star-16: :material-account:\n"
        "`:smile:` and 10:30:45 stay, so does :unknown_thing:\n"
    )
    out, found = replace_shortcodes(body, 5)
    assert "Thanks ❤️ and 😄" in out
    assert "octicons" not in out and "material-account" not in out
    assert found == {"octicons": 7, "material": 7}
    assert "`:smile:`" in out and "10:30:45" in out and ":unknown_thing:" in out
    # only in code, or none known: the body as it was (its code is not even looked for)
    for body in ("See `:smile:` and\n```\n:material-x:\n```\n", "At 10:30:45, :nope: :x-y:"):
        assert replace_shortcodes(body) == (body, {})


def test_parse_ial_keeps_only_safe_attributes():
    assert parse_ial(' .a .b #c width="600" style="x" onclick=y toc') == {
        "id": "c",
        "width": "600",
        "class": "a b",
    }


def test_kramdown_toc_list_becomes_the_table_of_contents():
    html = render_markdown("* TOC\n{:toc}\n\n## One\n\n## Two\n").html
    assert html.startswith('<nav class="toc"') and 'href="#two"' in html
    assert "TOC" not in html.split("</nav>")[1]


def test_the_tag_patterns_stop_at_the_next_less_than_sign():
    """`a< a< a< ...` with no `>`: a tag is looked for only up to the next `<`, so each `<` is
    looked at once (from every one the old pattern scanned to the end of the line: a 100 KB
    line took a minute to build)."""
    from sitegen.site.related import _MARKUP
    from sitegen.text.textstats import text_for_counting

    assert _MARKUP.search("x <a <b> y").group(0) == "<b>"
    assert text_for_counting("x <a <b> y").split() == ["x", "<a", "y"]
    text = "a< " * 100_000
    assert text_for_counting(text).count("a") == 100_000 and _MARKUP.sub(" ", text) == text


def test_heading_ids_in_both_styles():
    """`sitegen`: ASCII; `github`: GitHub's and Hugo's, so a moved post's #section links land."""
    from sitegen.config import HEADING_ID_STYLES
    from sitegen.render.headings import HEADING_SLUGS

    assert set(HEADING_SLUGS) == set(HEADING_ID_STYLES)
    body = "## What's new\n\n## 总结\n\n## C++ & Rust_2\n"
    ours = render_markdown(body).html
    theirs = render_markdown(body, heading_ids="github").html
    assert 'id="what-s-new"' in ours and 'id="zong-jie"' in ours
    assert 'id="whats-new"' in theirs and 'id="总结"' in theirs and 'id="c--rust_2"' in theirs


def test_a_quote_nested_25_deep_keeps_its_text():
    """A mailing-list thread quoted reply under reply: the preset's limit (20) dropped it."""
    assert "IMPORTANT TEXT" in render_markdown(">" * 25 + " IMPORTANT TEXT\n").html


def test_github_ids_that_start_with_a_hyphen_and_footnotes_as_hugo_names_them():
    html = render_markdown("## 🙏 Thanks\n\nA note[^1].\n\n[^1]: It.\n", heading_ids="github").html
    assert '<h2 id="-thanks">' in html and 'href="#-thanks"' in html
    assert 'href="#fn:1" id="fnref:1"' in html and '<li id="fn:1"' in html
    assert 'id="fn1"' in render_markdown("A[^1].\n\n[^1]: It.\n").html  # sitegen's own


def test_python_markdown_heading_attributes_with_values_set_the_id():
    """MkDocs: `{ #with-pip data-toc-label="with pip" }` was shown as text, its id lost."""
    rendered = render_markdown(
        '## with pip <small>new</small> { #with-pip data-toc-label="pip" }\n'
    )
    assert '<h2 id="with-pip">' in rendered.html and "data-toc-label" not in rendered.html
    assert rendered.toc == ((2, "with-pip", "with pip new"),)


def test_jekyll_site_values_are_filled_in_outside_code():
    from sitegen.content.foreign import fill_site_values

    values = {"repository": "https://github.com/x/y", "title": "T", "url": "https://e.org"}
    body = "[bug]({{ site.repository }}/issues/1) {{site.title}} `{{ site.title }}` {{ site.url }}"
    assert fill_site_values(body, values) == (
        "[bug](https://github.com/x/y/issues/1) T `{{ site.title }}` {{ site.url }}"
    )


def test_an_image_source_may_hold_parentheses_and_unclosed_images_are_not_images():
    found = scan_images('![a](photo(1).png "t") ![b][r] ![c\n\n[r]: /r.png', 3)
    assert [(i.src, i.alt, i.title, i.line) for i in found] == [
        ("photo(1).png", "a", "t", 3),
        ("/r.png", "b", "", 3),
    ]
    assert scan_images("![a](" * 5000 + "\n" + "![" * 5000, 1) == []


def test_a_text_of_unclosed_brackets_is_not_walked_from_each_bracket(monkeypatch):
    """markdown-it looks for the end of a link's text from every `[` and `![` to the end of the
    paragraph: quadratic. With no `]` after it, the search is not made at all."""
    import markdown_it.helpers

    calls = []
    real = markdown_it.helpers.parseLinkLabel

    def counted(state, start, disable_nested=False):
        calls.append(start)
        return real(state, start, disable_nested)

    monkeypatch.setattr(markdown_it.helpers, "parseLinkLabel", counted)
    assert render_markdown_it("[a](/x) " + "[ ![ " * 2000).html.startswith(
        '<p><a href="/x">a</a> [ !['
    )
    assert calls == [0]  # the one link's
    assert '<a href="/y">b [c] d</a>' in render_markdown_it("[b [c] d](/y)").html


def test_same_named_headings_are_numbered_without_trying_every_number(monkeypatch):
    """The anchors plugin tries `-1`, `-2`... from the start for each heading: quadratic in a
    body's same-named headings. sitegen gives the same ids itself, in one pass."""
    import mdit_py_plugins.anchors.index as anchors

    tried = []
    monkeypatch.setattr(anchors, "unique_slug", lambda slug, slugs: tried.append(slug) or slug)
    html = render_markdown("# Update {#update-2}\n\n" + "# Update\n\n" * 300).html
    ids = re.findall(r'<h1 id="([^"]+)"', html)
    assert ids == ["update-2", "update", "update-1"] + [f"update-{n}" for n in range(3, 301)]
    assert tried == []


def test_inline_footnotes_without_a_closing_bracket_are_not_looked_for(monkeypatch):
    """The footnote plugin's `^[note]` walks to the end of the paragraph from every `^[` when
    no `]` follows (100 KB of them took 9 s): with none after it, its rule fails at once."""
    import mdit_py_plugins.footnote.index as footnotes

    calls = []
    real = footnotes.parseLinkLabel

    def counted(state, start, disable_nested=False):
        calls.append(start)
        return real(state, start, disable_nested)

    monkeypatch.setattr(footnotes, "parseLinkLabel", counted)
    html = render_markdown("A note^[said once] and " + "^[ [^" * 2000).html
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert len(calls) == 1  # the one note's


def test_links_that_cannot_close_read_no_destination(monkeypatch):
    """An inline link needs a `)` after it and a reference link a definition: without either,
    the link rule fails before reading a destination (each read 32 parentheses deep before
    giving up: 400 KB of `[a](` took 9 s)."""
    from sitegen.render.markdown_plugins import make_parser

    helpers = make_parser(True, "sitegen").helpers  # markdown-it-py's, with sitegen's plugins
    calls = []
    real = helpers.parseLinkDestination

    def counted(text, start, end):
        calls.append(start)
        return real(text, start, end)

    monkeypatch.setattr(helpers, "parseLinkDestination", counted)
    assert render_markdown_it("[a](" * 3000 + " ![b](" * 3000).html.count("<a ") == 0
    assert calls == []
    html = render_markdown_it("[a](/x) ![b](/y.png) [c][r]\n\n[r]: /z").html
    assert '<a href="/x">a</a>' in html and 'src="/y.png"' in html and '<a href="/z">c</a>' in html


def test_a_picture_whose_address_has_a_space_is_found_as_the_text_it_shows():
    """`![a](my photo.png)` is text to CommonMark (editors such as Obsidian take it for a
    picture); the rendered page shows it so, and the scan finds it, outside code, where no
    title in quotes or angle brackets make it a picture."""
    body = "\n".join(
        [
            "![a](my photo.png)",
            "![ok](photo.png) ![t](photo.png 'Title') ![p]( photo.png ) ![w](<my photo.png>)",
            "`![code](my photo.png)` \\![escaped](my photo.png)",
            "text ![b](dir/my  holiday pic.jpg) more",
            "```",
            "![fenced](a b.png)",
            "```",
        ]
    )
    assert spaced_images(body, 5) == [(5, "my photo.png"), (8, "dir/my  holiday pic.jpg")]
    assert "![a](my photo.png)" in render_markdown(body).html  # shown as text indeed
    assert spaced_images("![a](" + "x " * 100_000, 1) == []  # no closing: scanned once


def test_a_link_to_a_file_on_the_writers_computer_is_found():
    """`[report](file:///C:/Users/me/report.pdf)` or a drive path: a file no reader has. Found
    outside code; pictures are not links (the build names those as errors)."""
    body = "\n".join(
        [
            "See [report](file:///C:/Users/me/report.pdf) and [w](C:\\Users\\me\\x.docx).",
            "![img](file:///x.png) [ok](https://e.org/file:x) [ok2](docs/file.pdf)",
            "`[code](file:///c.pdf)` [up](<FILE:///home/me/a.pdf>)",
        ]
    )
    assert disk_links(body, 3) == [
        (3, "file:///C:/Users/me/report.pdf"),
        (3, "C:\\Users\\me\\x.docx"),
        (5, "FILE:///home/me/a.pdf"),
    ]
    many = disk_links("[a](file:///x.pdf)\n" * 1000, 1)
    assert len(many) == 1000 and many[-1] == (1000, "file:///x.pdf")


def test_many_pictures_keep_their_lines():
    """The lines of a body's pictures, Markdown and raw tags in the order they come, each
    counted on from the one before."""
    body = "![a](x.png)\n" * 1000 + '<img src="y.png" alt="b">\n' + "![c](z.png 'T')"
    found = scan_images(body, 3)
    assert [r.line for r in found] == list(range(3, 1005))
    assert (found[1000].src, found[1000].raw, found[-1].title) == ("y.png", True, "T")
