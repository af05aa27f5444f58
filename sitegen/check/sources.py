"""Which content file an output page comes from, and the line in it behind a problem.

The page plan is a pure function of the content and the settings, so the map is made again
from the loaded articles (served from the article cache after a build) rather than stored in
the output. A line is found by searching the article's body for what the problem is about (the
link as written, its fragment, the last part of its path): good enough to send a person to
the right place, and it never guesses outside the body.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.errors import Diagnostics
from sitegen.pipeline.request import build_now
from sitegen.pipeline.steps import load_articles
from sitegen.site.model import BuildOptions, build_site
from sitegen.text.urls import output_path

# a Markdown link or image `](address`, an HTML `href=`/`src=`, a reference definition `[x]: address`
_TARGET = re.compile(
    r"\]\(\s*<?([^\s)>]+)"
    r"|\b(?:href|src|poster|srcset)\s*=\s*[\"']?([^\"'\s>]+)"
    r"|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)",
    re.I,
)


@dataclass
class SourceMap:
    pages: dict[str, Article]  # output path (a/b/index.html) -> the article shown there

    def article(self, page: str) -> Article | None:
        return self.pages.get(page)


def source_map(config: SiteConfig, drafts: bool = False, future: bool = False) -> SourceMap:
    """Output path -> article, for every article page the build makes with these options.
    Problems in the content are the build's to report: they are not repeated here."""
    diag = Diagnostics()
    articles, _ = load_articles(config, diag)
    site = build_site(articles, config, BuildOptions(drafts, future, build_now()), diag)
    return SourceMap({output_path(site.url(a)): a for a in site.pages})


def needles(reference: str) -> list[str]:
    """What to look for in the source, most telling first: the reference as written, its
    #fragment, its path without ../ and index.html, and the last part of that path."""
    out = [reference] if reference else []
    path, _, fragment = reference.partition("#")
    if fragment:
        out.append("#" + fragment)
    parts = [p for p in unquote(path).split("?")[0].split("/") if p not in ("", ".", "..")]
    if parts and parts[-1] == "index.html":
        parts.pop()
    if parts:
        out.append("/".join(parts))
        last = parts[-1]
        out.append(last)
        stem = posixpath.splitext(last)[0]
        if stem and stem != last:
            out.append(stem)
    return list(dict.fromkeys(out))


class SourceLines:
    """The body lines of content files, read once each."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self._lines: dict[str, list[str]] = {}
        self._targets: dict[str, list[tuple[int, str]]] = {}

    def body(self, article: Article) -> list[tuple[int, str]]:
        lines = self._lines.get(article.source)
        if lines is None:
            try:
                text = (self.config.root / article.source).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = self._lines[article.source] = text.splitlines()
        first = max(article.body_line, 1)
        return [(n, lines[n - 1]) for n in range(first, len(lines) + 1)]

    def targets(self, article: Article) -> list[tuple[int, str]]:
        """(line, address) of every link, image and reference definition in the body."""
        found = self._targets.get(article.source)
        if found is None:
            found = self._targets[article.source] = [
                (number, m.group(1) or m.group(2) or m.group(3) or "")
                for number, text in self.body(article)
                for m in _TARGET.finditer(text)
            ]
        return found

    def find(self, article: Article, reference: str) -> int | None:
        """The first body line whose link or image address holds the reference (see
        `needles`), or None: then the problem is not in the body (a template made it)."""
        targets = self.targets(article)
        for needle in needles(reference):
            for number, address in targets:
                if needle in address:
                    return number
        return None
