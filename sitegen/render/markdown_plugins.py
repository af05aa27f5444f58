"""Markdown -> HTML by markdown-it-py with sitegen's plugins, heading ids and the TOC. Pure.

CommonMark plus GFM tables, strikethrough and task lists, footnotes, definition lists,
admonitions (`!!! note` and `:::note`), heading ids (`## Title {#id}` or generated, unique),
`[TOC]`, Pygments highlighting with CSS classes, and an image with a title alone in its paragraph
as `<figure>` with a `<figcaption>` (`localize.py` turns it back when `figures: false`), and raw
HTML kept inside the article (`rawhtml.py`). The output is "portable" HTML: links are as
written; `localize.py` later makes them relative to the page that shows them. `markdown.py`
imports this module only for a body that markdown_fast.py leaves to it.
"""

from __future__ import annotations

import functools
import html
import re
import types
from collections.abc import Callable

from markdown_it import MarkdownIt, helpers
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.content.foreign import ADMONITION_KINDS
from sitegen.render.headings import ANCHORED, HEADING_SLUGS, toc_html, unique_ids
from sitegen.render.highlight import highlight
from sitegen.render.rawhtml import contain

# `{#id .class}`, kramdown's `{: #id}`, and Python-Markdown's `{ #id key="a value" }` (MkDocs:
# data-toc-label), whose key=value parts are read past: a heading sets only its id and class
_ATTR_PART = r"""[#.][\w:-]+|[\w-]+=(?:"[^"\n]*"|'[^'\n]*'|[^\s}"']+)"""
_HEADING_ATTRS = re.compile(r"\s*\{:?((?:\s*(?:" + _ATTR_PART + r"))+)\s*\}\s*$")


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
        for part in re.findall(_ATTR_PART, m.group(1)):
            if part.startswith("#"):
                token.attrSet("id", part[1:])
            elif part.startswith("."):
                classes.append(part[1:])
        if classes:
            token.attrSet("class", " ".join(classes))


# Attribute lists ({.class}, {#id}, {width=600}, kramdown's {: ...}) may set only these: no
# event handlers, no style, nothing that changes where a link goes.
SAFE_ATTRIBUTES = ("class", "id", "width", "height")
_SAFE_VALUE = {
    "class": re.compile(r"^[\w-]+$"),
    "id": re.compile(r"^[\w-][\w:.-]*$"),  # GitHub's ids may start with "-" (`## 🙏 Thanks`)
    "width": re.compile(r"^\d{1,5}%?$"),
    "height": re.compile(r"^\d{1,5}%?$"),
}
_IAL_LINE = re.compile(r"^[ \t]*\{:([^}\n]*)\}[ \t]*$")  # kramdown: `{: .note #x}`


def parse_ial(text: str) -> dict[str, str]:
    """The safe attributes of a kramdown attribute list (`.a .b #id width="600"`); references
    to attribute definitions (`{:toc}`, `{: refname}`) and anything else are left out."""
    attrs: dict[str, str] = {}
    classes = []
    for part in re.findall(r"""[^\s=]+=(?:"[^"]*"|'[^']*'|\S+)|\S+""", text):
        if part.startswith(".") and _SAFE_VALUE["class"].match(part[1:]):
            classes.append(part[1:])
        elif part.startswith("#") and _SAFE_VALUE["id"].match(part[1:]):
            attrs["id"] = part[1:]
        elif "=" in part:
            key, value = part.split("=", 1)
            value = value.strip("\"'")
            if key in ("width", "height") and _SAFE_VALUE[key].match(value):
                attrs[key] = value
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs


def _kramdown_inline_attrs(state, silent: bool) -> bool:  # type: ignore[no-untyped-def]
    """kramdown's `{: .class}` right after an image, link or inline code: as `{.class}`."""
    if state.src[state.pos] != "{" or not state.src.startswith("{:", state.pos) or not state.tokens:
        return False
    if state.pending or state.tokens[-1].type not in ("image", "link_close", "code_inline"):
        return False
    end = state.src.find("}", state.pos)
    if end < 0 or "\n" in state.src[state.pos : end]:
        return False
    attrs = parse_ial(state.src[state.pos + 2 : end])
    target = len(state.tokens) - 1
    if state.tokens[target].type == "link_close":
        while target > 0 and state.tokens[target].type != "link_open":
            target -= 1
    if not silent:
        _merge_attrs(state.tokens[target], attrs)
    state.pos = end + 1
    return True


def _merge_attrs(token: Token, attrs: dict[str, str]) -> None:
    for key, value in attrs.items():
        if key == "class" and token.attrGet("class"):
            value = f"{token.attrGet('class')} {value}"
        token.attrSet(key, value)


def _kramdown_block_attrs(state: StateCore) -> None:
    """kramdown's `{: .note}` on the line below a block (or alone, after a blank line) gives
    that block its attributes, as Jekyll themes expect; the line itself is never shown."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not (
            token.type == "inline"
            and "{:" in token.content
            and i > 0
            and tokens[i - 1].type == "paragraph_open"
        ):
            i += 1
            continue
        lines = token.content.split("\n")
        m = _IAL_LINE.match(lines[-1])
        if not m:
            i += 1
            continue
        if m.group(1).strip() == "toc" and _kramdown_toc(tokens, i):
            continue
        attrs = parse_ial(m.group(1))
        if len(lines) > 1:  # the last line of a paragraph: the paragraph's own attributes
            token.content = "\n".join(lines[:-1])
            children = token.children or []
            cut = max((k for k, c in enumerate(children) if c.type == "softbreak"), default=0)
            token.children = children[:cut]
            hidden = tokens[i - 1].hidden and tokens[i - 2].type == "list_item_open"
            _merge_attrs(tokens[i - 2] if hidden else tokens[i - 1], attrs)  # tight list: the item
            i += 1
            continue
        # a paragraph of its own: it belongs to the block before it
        target = _block_before(tokens, i - 1)
        if target is not None:
            _merge_attrs(tokens[target], attrs)
        del tokens[i - 1 : i + 2]
        i -= 1


def _kramdown_toc(tokens: list[Token], i: int) -> bool:
    """kramdown's `* TOC` list followed by `{:toc}`: the list becomes the `[TOC]` marker."""
    start = i - 3  # list open, item open, paragraph open, inline
    if start < 0 or tokens[start].type not in ("bullet_list_open", "ordered_list_open"):
        return False
    if tokens[start + 1].type != "list_item_open" or i + 3 >= len(tokens):
        return False
    if tokens[i + 2].type != "list_item_close" or not tokens[i + 3].type.endswith("list_close"):
        return False
    marker = Token("inline", "", 0)
    marker.content = "[TOC]"
    marker.children = []
    opening, closing = Token("paragraph_open", "p", 1), Token("paragraph_close", "p", -1)
    tokens[start : i + 4] = [opening, marker, closing]
    return True


def _block_before(tokens: list[Token], index: int) -> int | None:
    """The opening token of the block that ends just before `index` (a closed block, or a
    self-contained one such as a fence), at the same nesting level."""
    if index == 0:
        return None
    prev = tokens[index - 1]
    if prev.nesting == 0:
        return index - 1 if prev.type != "inline" else None
    if prev.nesting == 1:
        return None  # first block inside a container: nothing before it
    depth = 0
    for k in range(index - 1, -1, -1):
        depth += tokens[k].nesting
        if depth == 0:
            return k
    return None


def _safe_attribute_values(state: StateCore) -> None:
    """Class and id values from attribute lists keep only safe characters."""
    for token in state.tokens:
        for tok in (token, *(token.children or ())):
            if not tok.attrs:
                continue
            cls = tok.attrs.get("class")
            if isinstance(cls, str) and not all(_SAFE_VALUE["class"].match(c) for c in cls.split()):
                kept = " ".join(c for c in cls.split() if _SAFE_VALUE["class"].match(c))
                if kept:
                    tok.attrs["class"] = kept
                else:
                    del tok.attrs["class"]
            ident = tok.attrs.get("id")
            if isinstance(ident, str) and not _SAFE_VALUE["id"].match(ident):
                del tok.attrs["id"]


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
    """A paragraph holding only `![alt](src "title")` becomes a figure captioned by the title,
    read as inline Markdown: a caption's links stay links (Hugo's figure caption is Markdown,
    `caption="<https://...>"`), as do its emphasis and code."""
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
        start, end = Token("html_inline", "", 0), Token("html_inline", "", 0)
        start.content, end.content = "<figcaption>", "</figcaption>"
        parsed = state.md.parseInline(str(children[0].attrGet("title")), state.env)
        inline.children = [*children, start, *(parsed[0].children or []), end]


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


def _unique_heading_ids(slug: Callable[[str], str], max_level: int) -> Callable[[StateCore], None]:
    """The ids the anchors plugin gives headings (the slug of the text, made unique), given
    first: the plugin tries every suffix from `-1` up for each heading, quadratic in a body's
    same-named headings."""

    def rule(state: StateCore) -> None:
        tokens = state.tokens
        taken = {
            str(t.attrGet("id")) for t in tokens if t.type == "heading_open" and t.attrGet("id")
        }
        unnamed = [
            i
            for i, token in enumerate(tokens)
            if token.type == "heading_open"
            and not token.attrGet("id")
            and int(token.tag[1]) <= max_level
        ]
        bases = (
            slug(
                "".join(
                    c.content
                    for c in (tokens[i + 1].children or ())
                    if c.type in ("text", "code_inline")
                )
            )
            for i in unnamed
        )
        for i, ident in zip(unnamed, unique_ids(bases, taken), strict=True):
            tokens[i].attrSet("id", ident)

    return rule


def _closed_after(state: StateInline, start: int, closer: str = "]") -> bool:
    """Whether `closer` follows `start` in the text being parsed (the last one before each end
    the text is parsed up to is found once per text)."""
    ends = state.__dict__.setdefault("_last_close", {})
    last = ends.get((closer, state.posMax))
    if last is None:
        last = ends[closer, state.posMax] = state.src.rfind(closer, 0, state.posMax)
    return last > start


def _link_label(state: StateInline, start: int, disable_nested: bool = False) -> int:
    """markdown-it's `parseLinkLabel`, which gives up at once when no `]` follows the `[` at
    `start`: it walks to the text's end otherwise, from every `[` and `![` of a text that never
    closes one (quadratic: 400 KB of `[` took half a minute)."""
    if not _closed_after(state, start):
        return -1
    return helpers.parseLinkLabel(state, start, disable_nested)


def _needs(
    closer: str, rule: Callable[[StateInline, bool], bool]
) -> Callable[[StateInline, bool], bool]:
    """`rule`, failing at once where it cannot succeed, with no `closer` after where it starts:
    the footnote plugin's `^[note]` and `[^ref]` need a `]` (they look for it their own way:
    100 KB of `^[` took 9 s, each walking to the end of the text); an inline link or image a
    `)`, unless the body defines references (markdown-it records them in `env`): 400 KB of
    `[a](` took 9 s, each reading a destination 32 parentheses deep before giving up."""

    def rule_or_none(state: StateInline, silent: bool) -> bool:
        if closer == ")" and "references" in state.env:
            return rule(state, silent)
        return _closed_after(state, state.pos, closer) and rule(state, silent)

    return rule_or_none


def _colon_footnote_name(self, tokens, idx, options, env) -> str:  # noqa: ANN001 - a render rule
    """`fn:1` and `fnref:1` (goldmark's, kramdown's, Python-Markdown's) for `fn1`, `fnref1`."""
    return ":" + str(tokens[idx].meta["id"] + 1)


@functools.lru_cache(maxsize=4)
def make_parser(raw_html: bool, heading_ids: str = "sitegen") -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {
            "html": raw_html,
            "typographer": False,
            "linkify": False,
            "highlight": highlight,
            # what is nested deeper is left out: 20 (the preset's) dropped the text of a
            # mailing-list thread quoted 25 replies deep
            "maxNesting": 100,
        },
    )
    md.enable(["table", "strikethrough"])
    # this parser's own helpers: the link and image rules look `parseLinkLabel` up there
    md.helpers = types.SimpleNamespace(
        parseLinkDestination=helpers.parseLinkDestination,
        parseLinkLabel=_link_label,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    md.options["tasklists"] = True
    md.use(footnote_plugin)
    closers = {"footnote_inline": "]", "footnote_ref": "]", "link": ")", "image": ")"}
    for rule in md.inline.ruler.__rules__:
        if rule.name in closers:
            md.inline.ruler.at(rule.name, _needs(closers[rule.name], rule.fn))
    md.use(deflist_plugin)
    md.use(admon_plugin)
    # one container rule for every kind: a rule per kind would test every line 14 times
    md.use(container_plugin, name="admonition", validate=_is_admonition, render=_container_render)
    md.use(attrs_block_plugin, allowed=SAFE_ATTRIBUTES)
    md.use(attrs_plugin, after=("image", "link_close", "code_inline"), allowed=SAFE_ATTRIBUTES)
    md.inline.ruler.before("attr", "kramdown_inline_attrs", _kramdown_inline_attrs)
    md.core.ruler.push("kramdown_attrs", _kramdown_block_attrs)
    md.core.ruler.push("heading_attrs", _heading_attrs)
    md.core.ruler.push("figures", _figures)
    md.core.ruler.push("fence_info", _fence_info)
    md.core.ruler.push("heading_ids", _unique_heading_ids(HEADING_SLUGS[heading_ids], ANCHORED))
    md.use(  # the permalinks: every heading it links has its id by now
        anchors_plugin,
        min_level=1,
        max_level=ANCHORED,
        permalink=True,
        permalinkSymbol="#",
        slug_func=HEADING_SLUGS[heading_ids],
    )
    if heading_ids == "github":  # footnotes as Hugo, Jekyll and Python-Markdown name them
        md.add_render_rule("footnote_anchor_name", _colon_footnote_name)
    md.core.ruler.push("toc", _toc_rule)
    md.core.ruler.push("safe_attributes", _safe_attribute_values)
    if raw_html:  # last: the footnotes are where they are shown
        md.core.ruler.push("contain_raw_html", _contain_raw_html)
    _accessible_blocks(md)
    return md


def _contain_raw_html(state: StateCore) -> None:
    """The article's raw HTML kept inside it (render/rawhtml.py); what was wrong goes to
    `env["raw_html"]` as (line in the body, 0-based; message; hint)."""
    found: list[tuple[Token, int]] = []  # each raw HTML token and its line
    for token in state.tokens:
        if token.type == "html_block":
            found.append((token, token.map[0] if token.map else 0))
        elif token.type == "inline" and token.children and "<" in token.content:
            line = token.map[0] if token.map else 0
            for child in token.children:
                if child.type == "html_inline":
                    found.append((child, line))
                elif child.type in ("softbreak", "hardbreak"):
                    line += 1
    if not found:
        return
    contained = contain([token.content for token, _ in found])
    for (token, _), text in zip(found, contained.fragments, strict=True):
        token.content = text
    if contained.closing:
        closing = Token("html_block", "", 0)
        closing.content = contained.closing + "\n"
        state.tokens.append(closing)
    state.env["raw_html"] = [
        (found[i][1] + line, message, hint) for i, line, message, hint in contained.problems
    ]


def _accessible_blocks(md: MarkdownIt) -> None:
    """WCAG fixes (axe-core): code blocks and tables may scroll sideways, so keyboard users must
    be able to focus them; a task list checkbox needs an accessible name."""
    default_fence = md.renderer.rules["fence"]
    default_item = md.renderer.rules["list_item_open"]

    default_code_block = md.renderer.rules["code_block"]
    default_html_block = md.renderer.rules["html_block"]

    def fence(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return default_fence(tokens, idx, options, env).replace("<pre", '<pre tabindex="0"', 1)

    def code_block(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return default_code_block(tokens, idx, options, env).replace("<pre", '<pre tabindex="0"', 1)

    def html_block(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        out = default_html_block(tokens, idx, options, env)
        if "<pre" in out:  # raw <pre> blocks scroll too
            out = _RAW_PRE.sub(r'<pre tabindex="0"\1>', out)
        return out

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
    md.add_render_rule("code_block", code_block)
    md.add_render_rule("html_block", html_block)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("list_item_open", list_item_open)


_RAW_PRE = re.compile(r"<pre\b(?![^>]*\btabindex=)([^>]*)>", re.I)


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


def render(
    body: str, raw_html: bool = True, heading_ids: str = "sitegen"
) -> tuple[str, tuple[tuple[int, str, str], ...], tuple[tuple[int, str, str], ...]]:
    """`body`'s HTML, table of contents and what was made right in its raw HTML (line in the
    body from 0, message, hint)."""
    md = make_parser(raw_html, heading_ids)
    env: dict = {}
    out = md.render(body, env)
    return out, tuple(env.get("toc", ())), tuple(env.get("raw_html", ()))
