"""MDX as Markdown: what becomes of an Astro `.mdx` post when `sitegen migrate` moves it.

Part of `sitegen migrate` (ingest stage), for astro.py. MDX is Markdown with JavaScript in it:
`import` and `export` lines, `{expressions}`, and JSX components (`<Chart data={d} />`,
`<Tabs>...</Tabs>`) that only the old site's build can run. sitegen reads Markdown, so the
moved post is a `.md` file in which none of that shows raw: import and export lines are
emptied, a component's tags are removed (the Markdown between them stays, unindented as MDX
reads it), an expression is removed (a `{/* comment */}` silently), and an HTML tag loses its
`attr={...}` attributes. Each is listed with its line for the report's "constructs sitegen does
not run". Lines are kept one for one, so every line sitegen reports is the source file's.
Code blocks and code spans are left as written. Pure.
"""

from __future__ import annotations

import html
import re

from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError
from sitegen.ingest.migrate.jsliterals import literal_at, matching, split_top, string_end
from sitegen.text.bodyscan import code_spans, escaped, in_spans

Found = tuple[int, str, str]  # (line, construct, what the page shows instead)

_ESM = re.compile(r"(import|export)(?=[\s{*])")
# a JSX name (`Chart`, `Tabs.Item`, `svg:rect`), then what may follow one in a tag
_TAG_NAME = re.compile(r"[A-Za-z][\w:-]*(?:\.[A-Za-z_$][\w$-]*)*(?=[\s/>])")
_EXPRESSION_ATTR = re.compile(r"\s+(?:[\w:.-]+\s*=\s*)?\{")
_SHOWN = 60  # characters of a construct quoted in the report


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _blank(text: str) -> str:
    """What replaces removed text: its line ends only."""
    return "\n" * text.count("\n")


def _esm_end(body: str, start: int) -> int:
    """The end of the import or export statement at `start`: MDX reads one up to a blank line
    (further while its brackets are open)."""
    pos = start
    while True:
        blank = re.compile(r"\n[ \t]*(?:\n|\Z)").search(body, pos)
        end = blank.start() if blank else len(body)
        chunk = body[start:end]
        opened = sum(chunk.count(c) for c in "([{") - sum(chunk.count(c) for c in ")]}")
        if opened <= 0 or blank is None:
            return end
        pos = end + 1


def _tag_end(body: str, start: int) -> int:
    """The index after the `>` closing the tag at `start`, skipping strings and `{...}`
    attribute values (which may hold `>`, as in `() => x`); -1 if it never closes before a
    blank line."""
    i = start + 1
    while i < len(body):
        c = body[i]
        if c in "'\"":
            i = string_end(body, i)
            continue
        if c == "{":
            end = matching(body, i)
            if end < 0:
                return -1
            i = end
            continue
        if c == ">":
            return i + 1
        if c == "\n" and re.match(r"\n[ \t]*\n", body[i:]):
            return -1
        i += 1
    return -1


def _html_tag(tag: str, name: str, line: int, found: list[Found]) -> str:
    """An HTML tag of an MDX body, as HTML: `className` and `htmlFor` as `class` and `for`,
    `style={{...}}` of literal values as CSS text, and other attributes whose value is an
    expression (`{...props}`, `onClick={...}`) left out. Never with a blank line inside: a
    blank line ends an HTML block in Markdown, which would leave the tag unfinished (lines of
    an attribute left out go, so later lines move up)."""
    tag = re.sub(r"(\s)className=", r"\1class=", tag)
    tag = re.sub(r"(\s)htmlFor=", r"\1for=", tag)
    if "{" not in tag:
        return tag
    out: list[str] = []
    i = 0
    while i < len(tag):
        c = tag[i]
        if c in "'\"":
            end = string_end(tag, i)
            out.append(tag[i:end])
            i = end
            continue
        m = _EXPRESSION_ATTR.match(tag, i)
        end = matching(tag, m.end() - 1) if m else -1
        if m is None or end < 0:
            out.append(c)
            i += 1
            continue
        css = _inline_style(tag[m.end() : end - 1]) if _is_style(m.group(0)) else None
        if css is not None:
            out.append(f' style="{html.escape(css)}"')
        else:
            found.append(
                (
                    line,
                    f"JSX attribute '{_quoted(tag[i:end].strip())}' on <{name}>",
                    "left out: the tag keeps its other attributes",
                )
            )
        i = end
    return _BLANK_LINES.sub("\n", "".join(out))


_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
# CSS properties React writes a number of without a unit (it adds px to the others)
# fmt: off
_UNITLESS = frozenset((
    "animationIterationCount", "aspectRatio", "columnCount", "columns", "fillOpacity", "flex",
    "flexGrow", "flexShrink", "fontWeight", "gridArea", "gridColumn", "gridRow", "lineClamp",
    "lineHeight", "opacity", "order", "orphans", "scale", "strokeOpacity", "strokeWidth",
    "tabSize", "widows", "zIndex", "zoom",
))
# fmt: on
_STYLE_ATTR = re.compile(r"\s+style\s*=\s*\{")  # what `_EXPRESSION_ATTR` matched, for style


def _is_style(attribute: str) -> bool:
    return _STYLE_ATTR.fullmatch(attribute) is not None


def _inline_style(expression: str) -> str | None:
    """A JSX style object (`{ width: "100%", borderRadius: 4 }`, the text inside the
    attribute's braces) as CSS text, as React writes it (`width: 100%; border-radius: 4px`);
    None unless it is an object of literal strings and numbers."""
    text = expression.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    rules = []
    for item in split_top(text[1:-1]):
        key, colon, rest = item.partition(":")
        key = key.strip().strip("'\"")
        value = literal_at(rest, 0, {})
        if not colon or not re.fullmatch(r"-?-?[A-Za-z][\w-]*", key):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        if not isinstance(value, str) and value != 0 and key not in _UNITLESS:
            value = f"{value}px"
        if not key.startswith("--"):  # a custom property keeps its name
            key = re.sub(r"[A-Z]", lambda c: "-" + c.group(0).lower(), key)
            key = "-" + key if key.startswith(("webkit-", "moz-", "ms-")) else key
        rules.append(f"{key}: {value}")
    return "; ".join(rules)


def _dedent(lines: list[str], first: int, last: int) -> None:
    """Lines first..last-1 without the indentation they share: the content of a component
    (MDX reads no indented code blocks, Markdown would)."""
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines[first:last] if line.strip()]
    cut = min(indents, default=0)
    if cut:
        for k in range(first, last):
            lines[k] = lines[k][cut:] if lines[k].strip() else lines[k].strip(" \t")


def convert_body(body: str) -> tuple[str, list[Found]]:
    """An MDX body as Markdown, and what was not run in it (lines counted from 1)."""
    spans = code_spans(body)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    found: list[Found] = []

    def line(pos: int) -> int:
        return body.count("\n", 0, pos) + 1

    def at_line_start(pos: int) -> bool:
        return pos == 0 or body[pos - 1] == "\n"

    regions: list[tuple[int, int]] = []  # (first, last) line indexes inside a block component
    stack: list[tuple[str, int, int, bool]] = []  # (name, tag start, tag end, alone on its line)

    def alone(start: int, end: int) -> bool:
        before = body[body.rfind("\n", 0, start) + 1 : start]
        after_end = body.find("\n", end)
        after = body[end : len(body) if after_end < 0 else after_end]
        return not before.strip() and not after.strip()

    def opened(name: str, start: int, end: int) -> None:
        stack.append((name, start, end, alone(start, end)))

    def closed(name: str, start: int, end: int) -> None:
        while stack:
            open_name, _, open_end, open_alone = stack.pop()
            if open_name == name:
                if open_alone and alone(start, end):
                    regions.append((line(open_end), line(start) - 1))
                return

    i = 0
    previous_blank = True  # an import or export opens a block: the start, or after a blank line
    while i < len(body):
        inside = in_spans(i, spans)
        if inside is not None:
            i = inside
            previous_blank = False
            continue
        c = body[i]
        if at_line_start(i):
            m = _ESM.match(body, i)
            if m and previous_blank:
                end = _esm_end(body, i)
                statement = body[i:end]
                edits.append((i, end, _blank(statement)))
                for n, text in enumerate(statement.split("\n")):
                    if text.startswith("export"):  # an import only names a component
                        found.append(
                            (
                                line(i) + n,
                                f"MDX export '{_quoted(text)}'",
                                "left out: what it defines is not shown",
                            )
                        )
                i = end
                continue
            line_end = body.find("\n", i)
            previous_blank = not body[i : len(body) if line_end < 0 else line_end].strip()
        if c == "\\":
            i += 2
            continue
        if c == "{" and not escaped(body, i):
            end = matching(body, i)
            if end < 0:
                i += 1
                continue
            inner = body[i + 1 : end - 1].strip()
            if not (inner.startswith("/*") and inner.endswith("*/")):
                found.append((line(i), f"MDX expression '{{{_quoted(inner)}}}'", "left out"))
            edits.append((i, end, _blank(body[i:end])))
            i = end
            continue
        if c == "<" and not escaped(body, i):
            closing = body.startswith("</", i)
            name_at = i + (2 if closing else 1)
            if body.startswith(">", name_at):  # a fragment, <> or </>
                edits.append((i, name_at + 1, ""))
                if closing:
                    closed("", i, name_at + 1)
                else:
                    opened("", i, name_at + 1)
                i = name_at + 1
                continue
            m = _TAG_NAME.match(body, name_at)
            if not m:
                i += 1
                continue  # no tag: `a < b`, an autolink, a comment
            end = _tag_end(body, i)
            if end < 0:
                i += 1
                continue
            name = m.group(0)
            tag = body[i:end]
            if name[0].isupper() or "." in name:  # a component
                edits.append((i, end, _blank(tag)))
                if closing:
                    closed(name, i, end)
                elif tag.rstrip(">").rstrip().endswith("/"):
                    found.append(
                        (
                            line(i),
                            f"MDX component <{name} />",
                            "left out: sitegen runs no components",
                        )
                    )
                else:
                    found.append(
                        (
                            line(i),
                            f"MDX component <{name}>",
                            "its content, without the component around it",
                        )
                    )
                    opened(name, i, end)
            else:
                html = _html_tag(tag, name, line(i), found)
                if html != tag:
                    edits.append((i, end, html))
            i = end
            continue
        i += 1

    out: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        out.append(body[pos:start] + replacement)
        pos = end
    out.append(body[pos:])
    lines = "".join(out).split("\n")
    for first, last in sorted(regions, key=lambda r: (r[0], -r[1])):
        _dedent(lines, first, last)
    return "\n".join(lines), found


def to_markdown(text: str) -> tuple[str, list[Found]]:
    """An `.mdx` file as a Markdown file: front matter as it was, the body converted; what was
    not run, with the file's own line numbers."""
    try:
        body_line = split_front_matter(text, "").body_line
    except SiteError:
        body_line = 1  # the loader reports the front matter's error with its line
    lines = text.split("\n")
    head = lines[: body_line - 1]
    body, found = convert_body("\n".join(lines[body_line - 1 :]))
    moved = "\n".join([*head, body])
    return moved, [(n + body_line - 1, what, instead) for n, what, instead in found]
