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


# What cannot hold a reference or an id: comments, and the text of scripts and styles (whose
# start tags are kept). Taken out first, so that a `<` inside them is never read as a tag.
_OPAQUE = re.compile(
    r"<!--.*?-->|(<script\b[^>]*>).*?</script\s*>|(<style\b[^>]*>).*?</style\s*>", re.S | re.I
)
# a start tag, with quoted attribute values that may hold `>`; and the end of a script or style,
# without which the parser would take everything after it for script text
_START_TAG = re.compile(r"""<[a-zA-Z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>|</(?:script|style)>""")


def _matters(tag: str) -> bool:
    """A tag that can reference a file or hold an id (most tags of a page do neither)."""
    name = tag[1:].split(None, 1)[0].rstrip(">/").lower()
    return name in REF_ATTRS or name in ("/script", "/style") or "id=" in tag or "ID=" in tag


def _keep_start(m: re.Match) -> str:
    if m.group(1):
        return m.group(1) + "</script>"
    return m.group(2) + "</style>" if m.group(2) else ""


def scan_page(html: str) -> PageScan:
    """Ids, references and alt-less images of one page. Only start tags matter, so only they
    go through the parser (the text between them is most of a page and most of the time)."""
    scan = PageScan()
    parser = _Scanner(scan)
    plain = _OPAQUE.sub(_keep_start, html)
    parser.feed("".join(t for t in _START_TAG.findall(plain) if _matters(t)))
    parser.close()
    return scan
