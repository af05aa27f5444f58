"""Markdown -> HTML: the markdown-it-py setup, highlighting, heading ids and the TOC. Pure.

CommonMark plus GFM tables, strikethrough and task lists, footnotes, definition lists,
admonitions (`!!! note` and `:::note`), heading ids (`## Title {#id}` or generated, unique),
`[TOC]`, Pygments highlighting with CSS classes, and an image with a title alone in its paragraph
as `<figure>` with a `<figcaption>` (`localize.py` turns it back when `figures: false`). The output is "portable" HTML: links are as
written; `localize.py` later makes them relative to the page that shows them.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from sitegen.content.foreign import ADMONITION_KINDS
from sitegen.text.slugs import slugify


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: tuple[tuple[int, str, str], ...]  # (level, id, text)


_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    name = (lang or "").strip().split()[0] if lang else ""
    if not name:
        return ""
    try:
        lexer = get_lexer_by_name(name.lower())
    except ClassNotFound:
        return ""  # markdown-it escapes it as plain code
    inner = highlight(code, lexer, _FORMATTER)
    return (
        f'<pre class="highlight"><code class="language-{html.escape(name)}">{inner}</code></pre>\n'
    )


_HEADING_ATTRS = re.compile(r"\s*\{:?((?:\s*[#.][\w:-]+)+)\s*\}\s*$")  # {#id} or kramdown {: #id}


def _heading_attrs(state: StateCore) -> None:
    """`## Title {#id .class}` (Hugo, Pandoc, Python-Markdown): set the id, drop the braces."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or i + 1 >= len(tokens):
            continue
        inline = tokens[i + 1]
        m = _HEADING_ATTRS.search(inline.content)
        if not m or not inline.children:
            continue
        last = inline.children[-1]
        if last.type != "text" or not _HEADING_ATTRS.search(last.content):
            continue
        last.content = _HEADING_ATTRS.sub("", last.content)
        inline.content = _HEADING_ATTRS.sub("", inline.content)
        classes = []
        for part in m.group(1).split():
            if part.startswith("#"):
                token.attrSet("id", part[1:])
            else:
                classes.append(part[1:])
        if classes:
            token.attrSet("class", " ".join(classes))


_FENCE_ATTRS = re.compile(r"^\s*\{([^}]*)\}")


def _fence_info(state: StateCore) -> None:
    """```` ``` { .yaml .annotate } ```` (Python-Markdown attr_list, kramdown): the first class
    is the language, as those generators read it."""
    for token in state.tokens:
        if token.type == "fence" and token.info.lstrip().startswith("{"):
            m = _FENCE_ATTRS.match(token.info)
            classes = re.findall(r"\.([\w+#-]+)", m.group(1)) if m else []
            token.info = classes[0] if classes else ""


def _figures(state: StateCore) -> None:
    """A paragraph holding only `![alt](src "title")` becomes a figure captioned by the title."""
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i : i + 3]
        if (
            opening.type != "paragraph_open"
            or opening.hidden
            or inline.type != "inline"
            or closing.type != "paragraph_close"
            or not inline.children
        ):
            continue
        children = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
        if len(children) != 1 or children[0].type != "image" or not children[0].attrGet("title"):
            continue
        opening.tag = closing.tag = "figure"
        caption = Token("html_inline", "", 0)
        caption.content = (
            f"<figcaption>{html.escape(str(children[0].attrGet('title')))}</figcaption>"
        )
        inline.children = [*children, caption]


def _toc_rule(state: StateCore) -> None:
    """Collect headings into env['toc'] and replace a `[TOC]` paragraph with the list."""
    tokens = state.tokens
    toc = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            text = "".join(
                c.content
                for c in (tokens[i + 1].children or [])
                if c.type in ("text", "code_inline")
            )
            toc.append((int(token.tag[1]), str(token.attrGet("id")), text.strip()))
    state.env["toc"] = toc
    for i, token in enumerate(tokens):
        if (
            token.type == "inline"
            and token.content.strip() in ("[TOC]", "[[_TOC_]]", "[toc]")
            and i > 0
            and tokens[i - 1].type == "paragraph_open"
        ):
            block = Token("html_block", "", 0)
            block.content = toc_html(toc)
            tokens[i - 1 : i + 2] = [block, Token("text", "", 0), Token("text", "", 0)]
            break


def toc_html(toc: list[tuple[int, str, str]] | tuple[tuple[int, str, str], ...]) -> str:
    if not toc:
        return ""
    items = "".join(
        f'<li class="toc-level-{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in toc
    )
    return f'<nav class="toc" aria-label="Contents"><ul>{items}</ul></nav>\n'


def _heading_slug(text: str) -> str:
    return slugify(text, fallback_prefix="section")


@functools.lru_cache(maxsize=4)
def make_parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": raw_html, "typographer": False, "linkify": False, "highlight": _highlight},
    )
    md.enable(["table", "strikethrough"])
    md.options["tasklists"] = True
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(admon_plugin)
    # one container rule for every kind: a rule per kind would test every line 14 times
    md.use(container_plugin, name="admonition", validate=_is_admonition, render=_container_render)
    md.use(attrs_block_plugin)
    md.use(attrs_plugin, after=("image", "link_close", "code_inline"))
    md.core.ruler.push("heading_attrs", _heading_attrs)
    md.core.ruler.push("figures", _figures)
    md.core.ruler.push("fence_info", _fence_info)
    md.use(
        anchors_plugin,
        min_level=1,
        max_level=4,
        permalink=True,
        permalinkSymbol="#",
        slug_func=_heading_slug,
    )
    md.core.ruler.push("toc", _toc_rule)
    _accessible_blocks(md)
    return md


def _accessible_blocks(md: MarkdownIt) -> None:
    """WCAG fixes (axe-core): code blocks and tables may scroll sideways, so keyboard users must
    be able to focus them; a task list checkbox needs an accessible name."""
    default_fence = md.renderer.rules["fence"]
    default_item = md.renderer.rules["list_item_open"]

    def fence(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return default_fence(tokens, idx, options, env).replace("<pre", '<pre tabindex="0"', 1)

    def table_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("tabindex", "0")
        return self.renderToken(tokens, idx, options, env)

    def list_item_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        out = default_item(tokens, idx, options, env)
        meta = tokens[idx].meta or {}
        if "checked" in meta:
            label = "done" if meta["checked"] else "not done"
            out = out.replace(
                '<input class="task-list-item-checkbox"',
                f'<input class="task-list-item-checkbox" aria-label="{label}"',
                1,
            )
        return out

    md.add_render_rule("fence", fence)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("list_item_open", list_item_open)


def _is_admonition(params: str, _markup: str) -> bool:
    words = params.split(None, 1)
    return bool(words) and words[0] in ADMONITION_KINDS


def _container_render(self, tokens, idx, _options, _env):  # type: ignore[no-untyped-def]
    """`:::note Title` -> the same markup as `!!! note "Title"` (the admon plugin's)."""
    token = tokens[idx]
    if token.nesting == 1:
        kind = token.info.split(None, 1)[0]
        title = token.info.strip()[len(kind) :].strip() or kind.capitalize()
        return (
            f'<div class="admonition {kind}">\n'
            f'<p class="admonition-title">{html.escape(title)}</p>\n'
        )
    return "</div>\n"


def render_markdown(body: str, raw_html: bool = True) -> RenderedBody:
    md = make_parser(raw_html)
    env: dict = {}
    out = md.render(body, env)
    return RenderedBody(out, tuple(env.get("toc", ())))
