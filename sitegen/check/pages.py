"""One output page, parsed once: its ids, the references it makes, and its images without alt
text. html.parser from the standard library, streaming: only start tags are looked at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# tag -> attributes that reference another file
REF_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


@dataclass
class PageScan:
    ids: set[str] = field(default_factory=set)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (tag, reference as written)
    images_without_alt: list[str] = field(default_factory=list)  # src of each <img> with no alt


class _Scanner(HTMLParser):
    def __init__(self, scan: PageScan) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = scan

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        scan = self.scan
        names = REF_ATTRS.get(tag, ())
        alt_seen = False
        src = ""
        for name, value in attrs:
            if name == "alt":
                alt_seen = True  # alt="" (or a bare alt) marks a decorative picture
            elif name == "id" or (name == "name" and tag == "a"):
                if value:
                    scan.ids.add(value)
            elif value is None:
                continue
            elif name in names:
                if name == "srcset":
                    scan.refs.extend(
                        (tag, part.split()[0]) for part in value.split(",") if part.strip()
                    )
                else:
                    scan.refs.append((tag, value.strip()))
                    if name == "src":
                        src = value
        if tag == "img" and not alt_seen:
            scan.images_without_alt.append(src)

    handle_startendtag = handle_starttag


# One pass over the page: comments (dropped), scripts and styles (their start tags kept, their
# text dropped, so that a `<` inside them is never read as a tag), and start tags, whose quoted
# attribute values may hold `>`.
_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(script|style)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>.*?</\1\s*>"
    r"|<[a-zA-Z][^\s/>]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.S | re.I,
)
_NAME = re.compile(r"<([a-zA-Z][^\s/>]*)")


def _tags(html: str):
    """The start tags that can reference a file or hold an id (most tags of a page do neither),
    with a script's or style's end tag after its start tag, as the parser needs."""
    for m in _TOKEN.finditer(html):
        kind = m.group(1)
        if kind:
            yield f"<{kind}{m.group(2)}></{kind}>"
            continue
        tag = m.group(0)
        if tag.startswith("<!--"):
            continue
        name = _NAME.match(tag)
        if (name and name.group(1).lower() in REF_ATTRS) or "id=" in tag or "ID=" in tag:
            yield tag


def scan_page(html: str) -> PageScan:
    """Ids, references and alt-less images of one page. Only start tags matter, so only they
    go through the parser (the text between them is most of a page and most of the time)."""
    scan = PageScan()
    parser = _Scanner(scan)
    parser.feed("".join(_tags(html)))
    parser.close()
    return scan
