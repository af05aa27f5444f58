"""Cheap scans of a Markdown body, done once when an article is loaded. Pure.

Finds where code is (fenced blocks, inline code spans, raw <pre>/<code>), so that nothing
inside code is taken for an image, a link or another generator's template syntax, and lists
the images (Markdown and raw <img>) and links to other content files that a body refers to,
with their lines. The build checks these references before rendering (a missing image is
reported even when its page is not rendered again) and folds them into page fingerprints.
Regex only, with substring pre-checks, because it runs for every article of every build.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})", re.M)
# a code span ends at a backtick string of its opening's length, within its paragraph: a
# stray backtick opens nothing (CommonMark), so the code spans after it stay where they are
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
_RAW_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1\s*>", re.S | re.I)

# Each part stops at the bracket or parenthesis that would open another image, so a body of
# unclosed `![a](` or `![` is scanned once, not from every one of them to its end (quadratic):
# alt text holds no brackets (CommonMark pairs a `]` with the nearest `[`), a source at most one
# level of parentheses (`photo(1).png`).
_MD_IMAGE = re.compile(
    r"!\[((?:[^\[\]\\\n]|\\.)*)\]"  # alt
    r"(?:\(\s*(<[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))+)"  # (src
    r"(?:\s+(\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"  # "title")
    r"|\[([^\[\]\n]*)\])"  # [ref] or []
)
_REF_DEF = re.compile(
    r"^ {0,3}\[([^\]\n]+)\]:\s*(<[^>\n]*>|\S+)(?:\s+(\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*$", re.M
)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""\s([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
_MD_LINK = re.compile(r"\]\(\s*<?([^\s)>]+)")
CONTENT_LINK_HINTS = (
    ".md",
    ".markdown",
    ".mdown",
    ".mkd",
    "@/",
    "{filename}",
    "|filename|",
    "{static}",
    "|static|",
    "{attach}",
    "|attach|",
)


@dataclass(frozen=True)
class ImageRef:
    """One image a body shows: its source as written, the line, and its alt text."""

    src: str
    line: int
    alt: str | None  # None: a raw <img> with no alt attribute at all
    title: str = ""
    raw: bool = False  # written as an HTML <img> tag


def code_spans(text: str) -> list[tuple[int, int]]:
    """Sorted (start, end) offsets of fenced code blocks, inline code and raw <pre>/<code>."""
    spans: list[tuple[int, int]] = []
    if "```" in text or "~~~" in text:
        pos = 0
        while True:
            m = _FENCE.search(text, pos)
            if not m:
                break
            fence = m.group(1)
            closing = re.compile(
                r"^[ \t>]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M
            )
            line_end = text.find("\n", m.end())
            if line_end < 0:
                spans.append((m.start(), len(text)))
                break
            close = closing.search(text, line_end + 1)
            end = close.end() if close else len(text)
            spans.append((m.start(), end))
            pos = end
    if "`" in text:
        spans.extend(_outside(_INLINE_CODE, text, spans))
    if "<pre" in text or "<code" in text or "<PRE" in text:
        spans.extend(_outside(_RAW_CODE, text, spans))
    spans.sort()
    return spans


def _outside(pattern: re.Pattern, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    starts = sorted(spans)
    found = []
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if not m:
            return found
        inside = in_spans(m.start(), starts)
        if inside is not None:
            pos = inside
            continue
        found.append((m.start(), m.end()))
        pos = m.end()


def in_spans(offset: int, spans: list[tuple[int, int]]) -> int | None:
    """The end of the span holding `offset`, or None when it is outside every span."""
    i = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return spans[i][1]
    return None


def escaped(text: str, offset: int) -> bool:
    """True when a backslash escapes the character at `offset`: `\\<img ...>` is text, not a tag."""
    count = 0
    while offset - count > 0 and text[offset - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _strip_title(raw: str | None) -> str:
    return raw[1:-1] if raw else ""


def tag_attrs(tag: str) -> dict[str, str | None]:
    """Attributes of one HTML start tag (names lower-cased, values unescaped)."""
    inner = re.sub(r"^<\w+", "", tag).rstrip(">").rstrip("/")
    attrs: dict[str, str | None] = {}
    for m in _ATTR.finditer(inner):
        value = next((v for v in m.group(2, 3, 4) if v is not None), None)
        attrs.setdefault(m.group(1).lower(), html.unescape(value) if value is not None else None)
    return attrs


# `![a](my photo.png)`: CommonMark ends an address at a space, so this is text, not a picture
# (editors such as Obsidian and Typora take it as one); a title in quotes makes it a picture
_SPACED_IMAGE = re.compile(
    r"!\[((?:[^\[\]\\\n]|\\.)*)\]\(\s*([^\s()<>\"']+(?:[ \t]+[^\s()<>\"']+)+)\s*\)"
)


def spaced_images(
    body: str, first_line: int, spans: list[tuple[int, int]] | None = None
) -> list[tuple[int, str]]:
    """(line, address) of each picture outside code whose address holds a space, which
    Markdown shows as the text it is written as; `spans`: the body's `code_spans`, when
    worked out already."""
    if "![" not in body:
        return []
    return _found(_SPACED_IMAGE, 2, body, first_line, spans)


# a link's address on the writer's own disk: a `file:` URL, a Windows drive or network path
_DISK_LINK = re.compile(r"(?<!!)\[[^\[\]\n]*\]\(\s*<?((?i:file:)[^\s)>]*|[A-Za-z]:\\[^\s)>]*)")
_DISK_HINT = re.compile(r"(?i)file:|:\\")  # no copy of the body lowered to look for one


def disk_links(
    body: str, first_line: int, spans: list[tuple[int, int]] | None = None
) -> list[tuple[int, str]]:
    """(line, address) of each link outside code to a file on the computer the body was
    written on (`[report](file:///C:/Users/me/report.pdf)`), which no reader has; `spans`:
    the body's `code_spans`, when worked out already."""
    if "](" not in body or not _DISK_HINT.search(body):
        return []
    return _found(_DISK_LINK, 1, body, first_line, spans)


def _found(
    pattern: re.Pattern,
    group: int,
    body: str,
    first_line: int,
    spans: list[tuple[int, int]] | None,
) -> list[tuple[int, str]]:
    """(line, `group`) of each match of `pattern` outside code, not escaped."""
    if spans is None:
        spans = code_spans(body)
    matches = [
        m
        for m in pattern.finditer(body)
        if in_spans(m.start(), spans) is None and not escaped(body, m.start())
    ]
    lines = _lines_at(body, first_line, [m.start() for m in matches])
    return [(line, m.group(group)) for line, m in zip(lines, matches, strict=True)]


def _lines_at(body: str, first_line: int, starts: list[int]) -> Iterator[int]:
    """The line of each of the ascending offsets `starts`, counted on from one to the next
    (counted from the start of the body for each, 50,000 pictures took seconds)."""
    line, at = first_line, 0
    for start in starts:
        line += body.count("\n", at, start)
        at = start
        yield line


def scan_images(
    body: str, first_line: int, spans: list[tuple[int, int]] | None = None
) -> list[ImageRef]:
    """Every image the body shows outside code, in order; `spans`: the body's `code_spans`,
    when worked out already."""
    has_md = "![" in body
    has_tag = "<img" in body or "<IMG" in body
    if not has_md and not has_tag:
        return []
    if spans is None:
        spans = code_spans(body)
    found: list[tuple[int, str, str | None, str, bool]] = []  # where, src, alt, title, raw
    if has_md:
        defs = None
        for m in _MD_IMAGE.finditer(body):
            if in_spans(m.start(), spans) is not None or escaped(body, m.start()):
                continue
            alt = m.group(1)
            if m.group(2) is not None:
                src, title = m.group(2), _strip_title(m.group(3))
            else:
                if defs is None:
                    defs = {
                        d.group(1).strip().casefold(): (d.group(2), _strip_title(d.group(3)))
                        for d in _REF_DEF.finditer(body)
                    }
                label = (m.group(4) or alt).strip().casefold()
                if label not in defs:
                    continue
                src, title = defs[label]
            src = src[1:-1] if src.startswith("<") and src.endswith(">") else src
            found.append((m.start(), src, alt, title, False))
    if has_tag:
        for m in _IMG_TAG.finditer(body):
            if in_spans(m.start(), spans) is not None or escaped(body, m.start()):
                continue
            attrs = tag_attrs(m.group(0))
            src = attrs.get("src")
            if src:
                found.append((m.start(), src, attrs.get("alt"), attrs.get("title") or "", True))
    found.sort(key=lambda item: item[0])
    lines = _lines_at(body, first_line, [item[0] for item in found])
    return [
        ImageRef(src, line, alt, title, raw)
        for line, (_, src, alt, title, raw) in zip(lines, found, strict=True)
    ]


def scan_content_links(body: str) -> list[str]:
    """Link targets that name another content file (`other.md`, `@/other.md`, `{filename}x`)."""
    if not any(hint in body for hint in CONTENT_LINK_HINTS):
        return []
    links = []
    targets = [
        m.group(1) for m in _MD_LINK.finditer(body) if not escaped(body, m.start())
    ]  # `\[text\](x.md)` is literal text, not a link
    if "]:" in body:  # reference definitions: [label]: other.md
        targets += [d.group(2).strip("<>") for d in _REF_DEF.finditer(body)]
    for target in targets:
        if _SCHEME.match(target):
            continue  # https://github.com/x/History.md is not one of ours
        path = target.split("#")[0].split("?")[0].lower()
        if path.endswith(CONTENT_LINK_HINTS[:4]) or target.startswith(CONTENT_LINK_HINTS[4:]):
            links.append(target)
    return links
