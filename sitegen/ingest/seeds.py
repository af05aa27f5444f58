"""Seed text -> SeedArticle: title, optional headers, paragraphs and trailing teasers. Pure.

A seed is plain text: UTF-8 (with or without BOM), LF or CRLF line ends. The first non-empty
line is the title; `Date:`, `Author:` and `Tags:` lines may follow it; blank lines separate
paragraphs and line breaks inside a paragraph are joined with a space. Lines at the end that
match a teaser pattern (promos such as `NOW WATCH: ...`) are kept apart from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.text.textstats import NOT_TEXT

MAX_TITLE_LENGTH = 200
HEADER_RE = re.compile(r"^(date|author|tags)\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class SeedArticle:
    title: str
    paragraphs: tuple[str, ...]
    teasers: tuple[str, ...] = ()
    date: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def decode_seed(data: bytes, path: Path | str) -> str:
    """Bytes -> text. UTF-8 (a BOM is dropped), or UTF-16 when it starts with a UTF-16 BOM;
    anything else is refused with the offset of the first bad byte, never guessed at."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SiteError(
                f"not valid UTF-16: bad data at offset {exc.start}",
                path,
                hint="save the file as UTF-8",
            ) from None
        # A binary file can start with those two bytes too: its "text" is full of NULs
        if "\x00" in text[:4096] or _looks_binary(text[:4096].encode("utf-8", "replace")):
            raise SiteError(
                "not a text file (binary data after a UTF-16 byte-order mark)",
                path,
                hint="seeds must be plain UTF-8 or UTF-16 text",
            )
        return text
    if b"\x00" in data[:8192] or _looks_binary(data[:8192]):
        raise SiteError(
            "not a text file (binary data)", path, hint="seeds must be plain UTF-8 text"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SiteError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            path,
            line,
            "save the file as UTF-8 (for example: iconv -f latin1 -t utf-8)",
        ) from None
    return text.removeprefix("\ufeff")


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control / len(head) > 0.05


def _clean(line: str) -> str:
    # Control characters other than tab have no place in an article and break YAML and HTML;
    # nor have surrogates and noncharacters (U+FDD0): the loader drops the same (NOT_TEXT), so
    # a title keeps every character it is written with
    return NOT_TEXT.sub(" ", line).strip()


def parse_seed(text: str, path: Path | str, teaser_patterns: tuple[str, ...] = ()) -> SeedArticle:
    """Split seed text into its parts; raises SiteError for a seed that has no usable title."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines) and not _clean(lines[index]):  # a line of control characters is blank
        index += 1
    if index == len(lines):
        raise SiteError(
            "empty seed: no title line", path, hint="the first non-empty line is the title"
        )
    title = re.sub(r"\s+", " ", _clean(lines[index]))
    title_line = index + 1
    if len(title) > MAX_TITLE_LENGTH:
        raise SiteError(
            f"title is {len(title)} characters long (at most {MAX_TITLE_LENGTH})",
            path,
            title_line,
            "the first non-empty line is the title; put a short title on its own line",
        )
    index += 1
    headers: dict[str, str] = {}
    while index < len(lines):
        m = HEADER_RE.match(lines[index].strip())
        if not m or m.group(1).lower() in headers:
            break
        headers[m.group(1).lower()] = _clean(m.group(2))
        index += 1
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines[index:]:
        cleaned = _clean(line)
        if cleaned:
            current.append(cleaned)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    paragraphs = [re.sub(r"[ \t]+", " ", p) for p in paragraphs]
    teasers: list[str] = []
    compiled = [re.compile(p) for p in teaser_patterns]
    while paragraphs and any(rx.search(paragraphs[-1]) for rx in compiled):
        teasers.insert(0, paragraphs.pop())
    warnings = ()
    if not paragraphs:
        warnings = ("seed has a title but no body text",)
    tags = tuple(t for t in (s.strip() for s in headers.get("tags", "").split(",")) if t)
    return SeedArticle(
        title=title,
        paragraphs=tuple(paragraphs),
        teasers=tuple(teasers),
        date=headers.get("date") or None,
        author=headers.get("author") or None,
        tags=tags,
        warnings=warnings,
    )


# --- Plain text -> Markdown that renders to exactly that text -------------------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<~{}])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START = re.compile(r"^([#>+=!:\-]|\d{1,9}(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Escape one paragraph of plain text so Markdown shows every character literally."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    m = _BLOCK_START.match(text)
    if m:
        if m.group(1)[0].isdigit():
            end = m.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = "\\" + text
    return text
