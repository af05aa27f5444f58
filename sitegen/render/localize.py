"""Portable body HTML -> the HTML one page shows. Pure apart from the image hook.

Rewrites every local reference in an article body so it works wherever the page lands:
site-root paths (`/images/x.png`) become relative (subpath hosting, file://); references to a
bundle's files, to files beside the content, or to `static/` resolve in that order; links to
other content files (`other.md`, Zola `@/other.md`, Pelican `{filename}`) become article URLs.
Feeds get absolute URLs instead. `<img>` tags also get their size, `srcset` and lazy loading
from images.py. `check_references` runs for every article before pages are rendered: it reports
missing images (file and line) and gives what the article's references resolve to, which
the build folds into the page fingerprint so a changed image or moved target re-renders it.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import html as htmllib
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sitegen.content.article import CONTENT_EXTENSIONS, Article
from sitegen.content.links import (
    PELICAN_LINK,
    LinkTargets,
    on_this_computer,
    resolve,
    target_path,
)
from sitegen.errors import SiteError
from sitegen.site.plan import with_references
from sitegen.text.urls import absolute_url, is_local, relative_url

if TYPE_CHECKING:
    pass

_ATTR = re.compile(r"""(\s(?:src|href|poster)=)(?:"([^"]*)"|'([^']*)')""", re.I)
# An <img> tag, or the quoted value after `src=`, `href=` or `poster=` (case-insensitive,
# after white space). Every match starts with `<` or `=`, which the regex engine looks for
# with a fast scan of the text; a pattern that may start at any white space (as `_ATTR` does)
# tried every position of a body and took four times as long. The attribute's name is left
# before the match.
_IMG_OR_VALUE = re.compile(
    r"<(?P<img>[iI][mM][gG]\b[^>]*>)"
    r"|=(?:(?<=\s[sS][rR][cC]=)|(?<=\s[hH][rR][eE][fF]=)|(?<=\s[pP][oO][sS][tT][eE][rR]=))"
    r"""(?:"([^"]*)"|'([^']*)')"""
)
# an attribute that may hold a local reference: no scheme, fragment or protocol-relative URL
# (matched on lower-cased HTML; starting at `=` for the same fast scan: most bodies have none,
# and a pattern starting at the attribute's name read the whole body ten times slower)
_LOCAL_REF = re.compile(
    r"""=(?:(?<=src=)|(?<=href=)|(?<=poster=))["'](?![a-z][a-z0-9+.-]*:|#|//)"""
)
_FIGURE = re.compile(r"<figure>(<img\b[^>]*>)<figcaption>.*?</figcaption></figure>", re.S)
MISSING_IMAGE_HINT = "put the file in the article's folder (page bundle) or in static/"
BROKEN_LINK_HINT = (
    "copy that page into content/ (as Markdown), or set 'broken_links: warn' in site.yaml to "
    "build without it: the link is then shown as plain text"
)


def _is_unpublished(link: str, article: Article, targets: LinkTargets) -> bool:
    """Whether a link that found no page names a content file left out of this build."""
    if not targets.unpublished:
        return False
    probe = LinkTargets(set(), {rel: "/" for rel in targets.unpublished}, {})
    return resolve(link, article, probe) is not None


def _missing_static(ref: str, target: str, targets: LinkTargets) -> bool:
    """Pelican's `{static}/files/x.pdf` names a file: one that is not published is missing."""
    m = PELICAN_LINK.match(unquote(ref))
    if not m or (m.group(1) or m.group(2)) == "filename":
        return False
    return target_path(target) not in targets.files


def _names_content(ref: str) -> bool:
    """Whether a link names a content file or page (`x.md`, `@/x.md`, Pelican's `{filename}`)
    rather than an address: when it finds nothing, it is not written as a link at all."""
    path = unquote(ref.partition("#")[0].partition("?")[0])
    return (
        path.lower().endswith(CONTENT_EXTENSIONS)
        or path.startswith("@/")
        or bool(PELICAN_LINK.match(path))
    )


class _Lines:
    """The line a link of an article's body is on, for its message: the body read (from the
    article cache) once, and its line ends found once, when the first message needs them (read
    again for each broken link, a long article with 40,000 of them took half a minute)."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.body: str | None = None
        self.ends: list[int] = []

    def of(self, ref: str) -> int:
        if self.body is None:
            self.body = self.article.body
            self.ends = [m.start() for m in re.finditer("\n", self.body)]
        pos = self.body.find(ref)
        return self.article.body_line + (bisect.bisect_left(self.ends, pos) if pos >= 0 else 0)


def _is_remote(ref: str) -> bool:
    return not is_local(ref) and not ref.startswith(("{", "@/"))


def check_references(article: Article, targets: LinkTargets) -> tuple[str, list[SiteError]]:
    """(what the article's images and content links resolve to, errors for missing ones).
    The front matter's picture (Open Graph, JSON-LD) is held to the body's rule.

    Cheap enough to run for every article of every build: no file is opened."""
    cover = article.key_line("image") if article.key_lines else None
    if not article.images and not article.links and cover is None:
        return "", []
    parts: list[str] = []
    errors: list[SiteError] = []
    shown = [(ref.src, ref.line, "") for ref in article.images]
    if cover is not None:
        shown.append((article.image, cover[1], f" (front matter '{cover[0]}')"))
    for src, line, where in shown:
        if on_this_computer(src):
            errors.append(
                SiteError(
                    f"image names a file on the computer it was written on: {src}{where}",
                    article.source,
                    line,
                    "copy the picture into the article's folder (a page bundle) or static/ "
                    "and name it from there, as ![...](photo.png): no reader has this file",
                    warning=targets.broken_links == "warn",
                )
            )
            parts.append(f"{src}>elsewhere")
            continue
        if _is_remote(src) or src.startswith("data:"):
            continue
        target = resolve(src, article, targets)
        path = target_path(target) if target else None
        if path is None or path not in targets.files:
            warn = targets.broken_links == "warn"  # a site moved in stages, pictures to come
            near = targets.same_but_case(src)
            if "\\" in src and not near:  # a Windows path's separators
                slashed = resolve(src.replace("\\", "/"), article, targets)
                if slashed is not None and target_path(slashed) in targets.files:
                    near = [target_path(slashed)]
            errors.append(
                SiteError(
                    f"image not found: {src}{where}"
                    + (
                        "; the page shows its description instead"
                        if warn and not where
                        else "; the page is built without it"
                        if warn
                        else ""
                    ),
                    article.source,
                    line,
                    (
                        f"write the path with / as a web address has it: {near[0]} is there"
                        if near and "\\" in src
                        else f"a file differs from it only in letter case: {', '.join(near)} "
                        "(a Mac's disk ignores case, a static host does not): write its "
                        "name as the file has it"
                        if near
                        else MISSING_IMAGE_HINT
                    )
                    + (
                        ""
                        if warn
                        else "; or set 'broken_links: warn' in site.yaml to build without it"
                    ),
                    warning=warn,
                )
            )
            parts.append(f"{src}>missing")
            continue
        token = targets.images.token(path) if targets.images is not None else ""
        parts.append(f"{src}>{target}:{token}")
    lines = _Lines(article)
    for link in article.links:
        target = resolve(link, article, targets)
        if target is not None and _missing_static(link, target, targets):
            target = None
        parts.append(f"{link}>{target}")
        if target is None:
            if _is_unpublished(link, article, targets):
                error = SiteError(
                    f"link to an article that is not published (a draft, or dated in "
                    f"the future): {link}",
                    article.source,
                    lines.of(link),
                    "the link works once that article is published",
                    warning=True,
                )
                errors.append(error)
                continue
            page = not PELICAN_LINK.match(link) or "filename" in link[:10]
            errors.append(
                SiteError(
                    f"link to a {'page' if page else 'file'} that is not part of the site: {link}",
                    article.source,
                    lines.of(link),
                    "check the file name (links are relative to the article's folder)"
                    + ("" if targets.broken_links == "warn" else "; or " + BROKEN_LINK_HINT),
                    warning=targets.broken_links == "warn",
                )
            )
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16], errors


def localize_html(
    html: str, article: Article, page_url: str, targets: LinkTargets, display_path: str
) -> str:
    """Rewrite the body's references for a page at `page_url` ("" means absolute, for feeds)."""

    def link(url: str) -> str:
        if not page_url:
            return absolute_url(url, targets.base_url) if targets.base_url else url
        return relative_url(url, page_url, targets.file_urls)

    def localized(value: str, is_src: bool) -> tuple[str | None, str | None]:
        """(site-root target, written value) of one attribute value; target None if unresolved."""
        if _is_remote(value):
            return None, None
        ref = htmllib.unescape(value)
        # a reference its page's fingerprint holds (check_references: a picture, a content
        # file) may name a file in the other Unicode form
        target = resolve(ref, article, targets, is_src or _names_content(ref))
        if target is None:  # missing images and content files: reported by check_references
            return None, None
        if not is_src and _missing_static(ref, target, targets):
            return None, None  # `{static}missing.pdf`: reported by check_references
        if is_src and target_path(target) not in targets.files:
            return None, None  # a missing image: reported by check_references
        return target, htmllib.escape(link(target), quote=True)

    first_image = [True]

    def replace_img(tag: str) -> str:
        m = _ATTR.search(tag)
        while m and not m.group(1).strip().lower().startswith("src"):
            m = _ATTR.search(tag, m.end())
        target = None
        if m:
            value = m.group(2) if m.group(2) is not None else m.group(3)
            target, written = localized(value, True)
            if written is not None:
                tag = f'{tag[: m.start()]}{m.group(1)}"{written}"{tag[m.end() :]}'
            elif targets.broken_links == "warn" and _missing_local(value):
                # reported as a warning (check_references): its description, never a broken
                # picture, as a link to a page not moved yet shows as plain text
                return _alt_text(tag)
        if targets.images is not None and page_url:
            tag = targets.images.img_tag(tag, target, page_url, targets.file_urls, first_image[0])
        first_image[0] = False
        return tag

    def replaced(m: re.Match) -> tuple[int, str]:
        """Where the text `m` stands for starts, and what replaces it."""
        start = m.start()
        if m.group("img") is not None:
            return start, replace_img(m.group(0))
        value = m.group(2) if m.group(2) is not None else m.group(3)
        is_src = html[start - 4 : start].lower() != "href"
        _, written = localized(value, is_src)
        if written is None:
            ref = htmllib.unescape(value)
            if not is_src and not _is_remote(ref) and _names_content(ref):
                # `<a>text</a>`: unpublished or not part of the site, never a broken href;
                # the attribute goes whole, with its name and the white space before it (an
                # address elsewhere ending in .md, a README on a forge, stays as it is)
                return start - 5, ""
            return start, m.group(0)
        return start, f'="{written}"'

    low = html.lower()
    if "<img" not in low and not _LOCAL_REF.search(low):
        return html  # nothing local to rewrite (most bodies): skip the slower full pass
    if not targets.figures and "<figure><img" in html:
        html = _FIGURE.sub(r"<p>\1</p>", html)
    parts, done = [], 0
    for m in _IMG_OR_VALUE.finditer(html):
        start, text = replaced(m)
        parts += (html[done:start], text)
        done = m.end()
    parts.append(html[done:])
    return "".join(parts)


def _missing_local(value: str) -> bool:
    """An `src` value that is a reference into the site (not a remote or data: address): one
    that `localized` left as it was is then a missing image."""
    ref = htmllib.unescape(value)
    return not _is_remote(ref) and not ref.startswith("data:")


_ALT = re.compile(r"""\salt=(?:"([^"]*)"|'([^']*)')""", re.I)


def _alt_text(tag: str) -> str:
    """What an `<img>` tag says to a reader who cannot see it: its alt text, as text."""
    m = _ALT.search(tag)
    alt = (m.group(1) if m.group(1) is not None else m.group(2)) if m else ""
    return f'<span class="missing-image">{alt}</span>' if alt else ""


def add_reference_fingerprints(
    jobs: list, pages: list[Article], targets: LinkTargets
) -> tuple[list, list[SiteError]]:
    """`jobs` with what the images and links of each body a page shows resolve to put into
    its context (so its fingerprint changes with them: an article page, and a feed showing
    that body), and the missing-image errors of every article. A context that gains anything
    is a new dict: the ones given may be shared with the last plan (engine/state.py); a job's
    maker (whether its context is made yet or not) gets them too."""
    by_rel = {a.rel: a for a in pages}
    digests: dict[str, str] = {}
    errors: list[SiteError] = []
    for article in pages:
        if article.images or article.links or article.key_lines:
            digests[article.rel], missing = check_references(article, targets)
            errors.extend(missing)
    out = []
    for job in jobs:
        if job.bodies:
            shown = [digests[rel] for rel in job.bodies if rel in digests]
            references = "".join(shown)
            image = ""
            if job.kind == "article":
                article = by_rel.get(job.bodies[0])
                if article is not None:
                    image = page_image_url(article, targets)
            given, maker = job.given, job.maker
            if given is not None:
                given = with_references(given, references, image)
            if maker is not None and (references or image):
                maker = dataclasses.replace(maker, references=references, image=image)
            if given is not job.given or maker is not job.maker:
                job = dataclasses.replace(job, given=given, maker=maker)
        out.append(job)
    return out, errors


def page_image_url(article: Article, targets: LinkTargets) -> str:
    """The article's picture (front matter, else its first image) as a site-root URL, for
    Open Graph and structured data; a remote picture stays as it is; "" when it has none that
    resolves."""
    if not article.image:
        return ""
    if _is_remote(article.image):
        return article.image if article.image.startswith(("http://", "https://")) else ""
    target = resolve(article.image, article, targets)
    return target if target and target_path(target) in targets.files else ""
