"""Markdown -> HTML for bodies that use only CommonMark, tables and strikethrough, by
markdown-it-pyrs (markdown-it in Rust, 10 to 20 times faster than markdown-it-py): the HTML
`markdown_plugins.py` makes of them, with heading ids and permalinks, the table of contents,
highlighting and the focusable code blocks and tables added to its output. Pure.

A body that may use anything else (raw HTML and autolinks, attribute lists, footnotes,
admonitions, definition and task lists, `[TOC]`, a captioned figure, Unicode spaces where
markdown-it-py trims them, nesting deeper than its limit), or a construct the two parsers read
differently, is left to markdown-it-py: `render` answers None for it. The test in
tests/unit/test_markdown_fast.py holds the two to the same output.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from sitegen.render.headings import ANCHORED, HEADING_SLUGS, unique_ids
from sitegen.render.highlight import highlight

try:
    from markdown_it_pyrs import MarkdownIt as _RustMarkdownIt
except ImportError:  # no wheel for this platform: markdown-it-py renders everything
    _RustMarkdownIt = None

# What only markdown-it-py with sitegen's plugins reads as markdown-it-py does. Cheap to look
# for, and wider than needed: a body with any of it is still rendered, by the slower parser.
_NEEDS_PLUGINS = (
    "<!",  # comments and declarations, which markdown-it-py reads as HTML in more forms
    "<?",
    "[^",  # footnotes
    "^[",
    "!!!",  # admonitions and containers
    "???",
    ":::",
    "[ ]",  # task lists
    "[x]",
    "[X]",
    "[TOC]",
    "[toc]",
    "[[_TOC_]]",
    "\x00",  # markdown-it-py reads it as U+FFFD before its emphasis rules
)
# At a line's start (the body is searched with a line break before it): a definition (and a
# `~~~` fence), nesting that may pass markdown-it-py's limit (maxNesting), a line of a
# backslash (markdown-it ends a reference's title there)
_NEEDS_PLUGINS_LINE = re.compile(
    r"\n[ \t>*+\-\d.)]*(?:[:~](?:[ \t\n]|$)|\\(?:\n|$))|\n[ \t>*+\-\d.)]{60}"
)
# markdown-it-py trims Python's Unicode whitespace where markdown-it trims spaces and tabs
_UNICODE_SPACE = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
# a `]:` with no `[` before it on its line (a reference label that spans lines), or before a
# destination that starts with a backslash
_ODD_REFERENCE = re.compile(r"^[^\[\n]*\]:|\]:[ \t]*\n?[ \t]*\\", re.MULTILINE)
# Where a `{` may open an attribute list (anywhere else, in code say, it is text to both):
# after an image, link or code span; kramdown's `{:`; at a line's start; in a fence's info;
# on a heading's line (`## Title {#id}`, also a setext heading's text)
_ATTRIBUTES = re.compile(
    r"[)\]`]\{|\{:|^[ \t>*+\-\d.)]*\{|`[ \t]+\{|^[ \t>]*#.*\{"
    r"|\{[^{\n]*\n[ \t>]*(?:=+|-+)[ \t]*$",
    re.MULTILINE,
)
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_MARK = re.compile(r"[*_~]")
# A link's or image's host outside ASCII: markdown-it-py writes it in punycode, markdown-it
# percent-encodes it.
_ENCODED_HOST = re.compile(r'(?:href|src)="(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/"?#]*%')

# a table's delimiter row (or a setext heading's underline), searched with a line break before
_DELIMITER_ROW = re.compile(r"\n([ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-*:?[ \t]*)*)(?=\n|$)")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_FENCE = re.compile(r'<pre><code class="language-([^"]*)">(.*?)</code></pre>\n', re.DOTALL)
_FIGURE = re.compile(r"<p>\s*<img [^>]*\btitle=[^>]*>\s*</p>")


def available() -> bool:
    return _RustMarkdownIt is not None


_PARSER = (
    _RustMarkdownIt("commonmark").enable_many(["table", "strikethrough"])
    if _RustMarkdownIt
    else None
)


# the same without raw HTML and autolinks, to tell where a `<` is text
_NO_HTML_PARSER = (
    _RustMarkdownIt("zero").enable_many(
        [
            *("blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"),
            *("reference", "backticks", "emphasis", "entity", "escape", "image", "link"),
            *("newline", "table", "strikethrough"),
        ]
    )
    if _RustMarkdownIt
    else None
)


def render(body: str, heading_ids: str = "sitegen") -> tuple[str, tuple] | None:
    """`body`'s HTML and table of contents ((level, id, text) of its h1 to h4), or None when
    it needs markdown-it-py."""
    if "\r" in body:  # as markdown-it-py reads it
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if _PARSER is None or any(text in body for text in _NEEDS_PLUGINS):
        return None
    if _NEEDS_PLUGINS_LINE.search("\n" + body):
        return None
    if "{" in body and _ATTRIBUTES.search(body):
        return None
    if not body.isascii() and (_UNICODE_SPACE.search(body) or _unicode_flanking(body)):
        return None
    if "![" in body and _alt_text_differs(body):
        return None
    if "`" in body:
        if "[" in body and ("\\`" in body or _unclosed_code(body)):
            return None
        if _BLANK_CODE.search(body):
            return None  # markdown-it trims a code span of spaces alone
    if "-" in body and _table_differs(body):
        return None
    if ">" in body and _quote_then_list(body):
        return None  # markdown-it reads the list item as the quote's lazy continuation
    if not body.endswith("\n") and ("```" in body or "~~~" in body):
        return None  # markdown-it ends a fence left open at the end with a line break
    if "]:" in body and _ODD_REFERENCE.search(body):
        return None  # markdown-it reads neither as a reference definition
    try:
        out = _PARSER.render(body)
        # a `<` that may open a tag: the body is taken only when it is text (in code, say),
        # as raw HTML is kept inside its article by markdown_plugins.py (rawhtml.py), and an
        # autolink is written differently
        if "<" in body and _TAG_START.search(body) and _NO_HTML_PARSER.render(body) != out:
            return None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # a panic in the Rust parser (pyo3's PanicException)
        return None
    if "<img " in out and _FIGURE.search(out):
        return None  # an image with a title alone in its paragraph: a figure (markdown.py)
    if "%" in out and _ENCODED_HOST.search(out):
        return None
    if "<blockquote>\n</blockquote>" in out:  # an empty quote, as markdown-it-py closes it
        out = out.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    toc: list[tuple[int, str, str]] = []
    if "<h" in out:
        out = _anchor_headings(out, HEADING_SLUGS[heading_ids], toc)
    if "<pre>" in out:
        out = _FENCE.sub(_highlighted, out).replace("<pre>", '<pre tabindex="0">')
    if "<li>" in out and "\n<pre" in out:
        out = _tight_code(out)
    if "<table>" in out:
        out = out.replace("<table>", '<table tabindex="0">')
    return out, tuple(toc)


def _table_differs(body: str) -> bool:
    """Whether the two parsers may disagree on a table: markdown-it makes one of a delimiter
    row with a pipe or colon below a line without a pipe, markdown-it-py a paragraph; a line
    with a pipe above a row of dashes alone is a table to markdown-it-py, a heading to
    markdown-it."""
    text = "\n" + body
    for m in _DELIMITER_ROW.finditer(text):
        above = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        row = m.group(1)
        if ("|" in row or ":" in row) != ("|" in above):
            return True
    return False


def _quote_then_list(body: str) -> bool:
    """Whether a list item follows a quote's paragraph (or its lazy lines) with no blank line
    between: markdown-it-py starts the list, markdown-it may read the line as the paragraph's."""
    in_quote = False
    for line in body.split("\n"):
        text = line.lstrip(" \t")
        if not text:
            in_quote = False
        elif text.startswith(">"):
            in_quote = True
        elif in_quote and _LIST_ITEM.match(text):
            return True
    return False


def _unicode_flanking(body: str) -> bool:
    """Whether an emphasis or strikethrough mark stands beside a Unicode punctuation mark or
    symbol: markdown-it counts symbols (`£`, `∇`) as punctuation there, markdown-it-py not."""
    last = len(body) - 1
    for m in _MARK.finditer(body):
        i = m.start()
        for char in (body[i - 1] if i else "a", body[i + 1] if i < last else "a"):
            if not char.isascii() and unicodedata.category(char)[0] in "PS":
                return True
    return False


_BACKTICKS = re.compile(r"`+")
_BLANK_CODE = re.compile(r"` +`")
_FENCE_LINE = re.compile(r"^(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t]))*[ \t]*```")


def _unclosed_code(body: str) -> bool:
    """Whether a line (or a table cell) of `body` has a run of backticks that no run of the
    same length after it closes. markdown-it-pyrs panics on some of them when a link's text is
    read again (its cache of backtick runs indexed past its end); fences' own lines aside."""
    for line in body.split("\n"):
        if "`" not in line or _FENCE_LINE.match(line):
            continue
        for cell in line.split("|"):
            runs = [len(run) for run in _BACKTICKS.findall(cell)]
            i = 0
            while i < len(runs):
                closer = next((k for k in range(i + 1, len(runs)) if runs[k] == runs[i]), None)
                if closer is None:
                    return True
                i = closer + 1
    return False


def _anchor_headings(out: str, slug: Callable[[str], str], toc: list) -> str:
    """Ids and permalinks for h1 to h4, as the anchors plugin gives them: the id is the slug of
    the heading's text and inline code (an image's alt text and line breaks left out)."""
    found = [m for m in _HEADING.finditer(out) if int(m.group(1)) <= ANCHORED]
    if not found:
        return out
    texts = [html.unescape(_TAG.sub("", m.group(2))).replace("\n", "") for m in found]
    ids = unique_ids((slug(text) for text in texts), set())
    parts, last = [], 0
    for m, text, ident in zip(found, texts, ids, strict=True):
        level, inner, attr = m.group(1), m.group(2), _escape(ident)
        parts += [
            out[last : m.start()],
            f'<h{level} id="{attr}">{inner} <a class="header-anchor" href="#{attr}">#</a></h{level}>',
        ]
        last = m.end()
        toc.append((int(level), ident, text.strip()))
    parts.append(out[last:])
    return "".join(parts)


# where a line break before a code block is one between blocks
_BLOCK_ENDS = ("\n", "</p>", "<li>", "</li>", "</ul>", "</ol>", "<blockquote>", "</blockquote>")
_BLOCK_ENDS += ("</pre>", "</table>", "<hr />", *(f"</h{level}>" for level in range(1, 7)))


def _tight_code(out: str) -> str:
    """A code block right after a tight list item's text follows it with no line break, as
    markdown-it-py writes it (its fence rules do not add the break its other blocks get)."""
    parts, last = [], 0
    for m in re.finditer("\n<pre", out):
        if not out.endswith(_BLOCK_ENDS, 0, m.start()):
            parts.append(out[last : m.start()])
            last = m.start() + 1
    parts.append(out[last:])
    return "".join(parts)


def _alt_text_differs(body: str) -> bool:
    """Whether an image's text may hold an entity, an escape or a line break, which
    markdown-it leaves out of its alt text (read to the next `](` or blank line). Each text's
    next position is found once for all the images before it: linear in `![` runs."""
    found: dict[str, int] = {}

    def after(text: str, i: int) -> int:
        at = found.get(text, -2)
        if at != -1 and at < i:
            at = found[text] = body.find(text, i)
        return at if at >= 0 else len(body)

    for m in re.finditer(r"!\[", body):
        end = min(after("](", m.end()), after("\n\n", m.end()))
        if min(after("&", m.end()), after("\\", m.end()), after("  \n", m.end())) < end:
            return True
    return False


def _escape(text: str) -> str:
    """markdown-it's escaping of an attribute's value (`'` is left as it is)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _highlighted(m: re.Match) -> str:
    """A fence with a language Pygments knows, highlighted (markdown-it's `highlight` option)."""
    code = highlight(html.unescape(m.group(2)), html.unescape(m.group(1)))
    return code.replace("<pre", '<pre tabindex="0"', 1) + "\n" if code else m.group(0)
