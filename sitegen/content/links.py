"""What a reference in an article points at: `resolve` reads a link or image as the build
does (a page bundle's files, then beside the article, then from the site root, then as read from
the page's address; content files by name as Hugo, Zola, Jekyll and Pelican name them), against
`LinkTargets`, what one build publishes. Pure. The build's localize.py writes the result into
pages; `sitegen migrate` asks the same question of the files it moves.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from sitegen.content.article import CONTENT_EXTENSIONS, Article
from sitegen.errors import SiteError

PELICAN_LINK = re.compile(
    r"^(?:\{(static|attach|filename)\}|\|(static|attach|filename)\|)"
)  # {x} or |x|
# what Pelican reads as pages besides Markdown: a `{filename}` link to one names a page that
# sitegen does not build (convert it to Markdown), never the source file itself
_PELICAN_PAGE_EXTENSIONS = (".rst", ".html", ".htm", ".ipynb", ".txt")


def names_file(ref: str) -> bool:
    """Whether a Pelican link names a file rather than a page: `{static}` and `{attach}`
    always do, `{filename}` unless the path ends as a page Pelican reads (`x.md`, `x.rst`)."""
    path = unquote(ref.partition("#")[0].partition("?")[0])
    m = PELICAN_LINK.match(path)
    if m is None:
        return False
    pages = (*CONTENT_EXTENSIONS, *_PELICAN_PAGE_EXTENSIONS)
    return (m.group(1) or m.group(2)) != "filename" or not path.lower().endswith(pages)


@dataclass
class LinkTargets:
    """What a reference may point at, for one build."""

    files: set[str]  # site-root URLs of every copied file (static, content files, bundles)
    articles: dict[str, str]  # content-relative path of a content file -> its page URL
    bundle_urls: dict[str, str]  # bundle folder -> URL where its files are copied
    file_urls: bool = False
    base_url: str = ""
    # render/images.py's ImageMap (sizes, resized copies), a later stage's; None: plain <img>
    images: Any = None
    figures: bool = True  # config.figures: titled images stay <figure>
    missing: list[SiteError] = field(default_factory=list)
    unpublished: set[str] = field(default_factory=set)  # content paths of drafts, future posts
    broken_links: str = "error"  # config.broken_links: "warn" makes missing pages warnings
    # "tags/<slug or name>", "categories/...", in lower case -> the term page's URL (Hugo's
    # `ref "tags/s3"` names the taxonomy's page)
    terms: dict[str, str] = field(default_factory=dict)
    # page name -> [(content path without extension, URL)], made the first time one is asked
    _by_name: dict[str, list[tuple[str, str]]] | None = field(
        default=None, repr=False, compare=False
    )
    # page URL -> the bundle folder of the page there, made the first time one is asked
    _bundle_at: dict[str, str] | None = field(default=None, repr=False, compare=False)
    # a file's name, case-folded -> the files of that name, made the first time one is asked
    _by_folded: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def same_but_case(self, ref: str) -> list[str]:
        """The published files whose name differs from the one `ref` ends in only in letter
        case (or Unicode form): on a Mac, whose disks ignore case, `Photo.JPG` finds
        `photo.jpg`, so a site written there fails where it is built on Linux."""
        if self._by_folded is None:
            self._by_folded = {}
            for path in self.files:
                key = _folded(path.rsplit("/", 1)[-1])
                self._by_folded.setdefault(key, []).append(path)
        name = unquote(ref.partition("#")[0].partition("?")[0]).rstrip("/").rsplit("/", 1)[-1]
        return sorted(self._by_folded.get(_folded(name), ()))[:3]

    def bundle_file(self, content_path: str, url: str) -> str | None:
        """Where a bundle's file is published when named as a content path (`post/img/a.png`,
        from a page below the bundle's folder) or by an address below a page of the bundle
        (`/ja/post/a.png`, a translation's): the files are copied once, beside the bundle's
        first version. None when no bundle has that file."""
        if self._bundle_at is None:
            self._bundle_at = {}
            for rel, page in self.articles.items():
                folder, name = posixpath.split(rel)
                if folder in self.bundle_urls and name.split(".", 1)[0] == "index":
                    self._bundle_at.setdefault(page, folder)
        parts = content_path.split("/")
        for n in range(len(parts) - 1, 0, -1):  # the nearest enclosing bundle folder first
            base = self.bundle_urls.get("/".join(parts[:n]))
            if base is not None and base + "/".join(parts[n:]) in self.files:
                return base + "/".join(parts[n:])
        parts = url.strip("/").split("/") if url else []
        for n in range(len(parts) - 1, 0, -1):
            folder = self._bundle_at.get("/" + "/".join(parts[:n]) + "/")
            if folder is not None:
                found = self.bundle_urls[folder] + "/".join(parts[n:])
                if found in self.files:
                    return found
        return None

    def by_name(self, stem: str) -> str | None:
        """The URL of the one page whose content path ends with `stem` (`4-ec2`,
        `aws/4-ec2`: a file `4-ec2.md` or a bundle `4-ec2/index.md`, in any folder), as
        Hugo's `ref` finds a page named without its folder, in any letter case; None if none
        or several do."""
        if self._by_name is None:
            self._by_name = {}
            for rel, url in self.articles.items():
                path = rel.rsplit(".", 1)[0]
                if path.rsplit("/", 1)[-1] in ("index", "_index"):
                    path = path.rsplit("/", 1)[0] if "/" in path else ""
                if path:
                    path = path.casefold()
                    self._by_name.setdefault(path.rsplit("/", 1)[-1], []).append((path, url))
        stem = stem.casefold()
        found = {
            url
            for path, url in self._by_name.get(stem.rsplit("/", 1)[-1], ())
            if path == stem or path.endswith("/" + stem)
        }
        return found.pop() if len(found) == 1 else None


# a picture on the writer's own disk (an editor's pasted image): a `file:` URL, a Windows
# drive or network path
_ON_THIS_COMPUTER = re.compile(r"(?i)file:|[a-z]:[\\/]|\\\\")


def on_this_computer(ref: str) -> bool:
    """Whether a reference names a file on the computer it was written on, which no reader
    of the site has (`file:///C:/Users/me/photo.png`, `C:\\photos\\a.png`)."""
    return _ON_THIS_COMPUTER.match(ref) is not None


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def target_path(target: str) -> str:
    """The site-root path of a `resolve` target as `LinkTargets.files` holds it: without its
    query and fragment, a `#`, `?` or `%` of a file's name unescaped."""
    return unquote(target.partition("#")[0].partition("?")[0])


def escaped_path(path: str) -> str:
    """A site-root path as a URL's path: a `%`, `#` or `?` in a file's name (`photo #1.png`)
    escaped, so that nothing that reads the target takes it for a query or a fragment."""
    if "%" in path or "#" in path or "?" in path:
        return path.replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    return path


def resolve(
    ref: str, article: Article, targets: LinkTargets, other_forms: bool = True
) -> str | None:
    """The site-root URL a local reference in `article` points at, or None if nothing (a
    `#`, `?` or `%` of a file's name escaped in it: `target_path` gives the file's path).
    `other_forms`: a file named in the other Unicode form is found too; not for a plain link
    to a file (`<a href>` to a PDF), which is no input of its page's fingerprint: the page is
    not made again when such a file comes, and must not read differently then."""
    found = _resolved(ref, article, targets)
    if (
        other_forms
        and (found is None or found[0] not in targets.files)
        and (not ref.isascii() or "%" in ref)
    ):
        # the name typed in one Unicode form, the file's in the other: a Mac writes names
        # decomposed (an "é" as "e" and its accent), a keyboard types them composed, and the
        # build on Linux compared them as different names (a path from the site root is
        # given back whether a file is there or not: another form's file is taken first)
        for form in UNICODE_FORMS:
            other = _resolved(ref, article, targets, form)
            if other is not None and (found is None or other[0] in targets.files):
                found = other
                break
    if found is None:
        return None
    path, suffix = found
    return escaped_path(path) + suffix


UNICODE_FORMS = ("NFC", "NFD")


def _resolved(
    ref: str, article: Article, targets: LinkTargets, form: str | None = None
) -> tuple[str, str] | None:
    """`resolve`'s target as (site-root path, the reference's query and fragment); `form`:
    the Unicode normalization the path is put in first."""
    path, hashmark, fragment = ref.partition("#")
    path, q, query = path.partition("?")
    path = unquote(path)
    if form is not None:
        path = unicodedata.normalize(form, path)
    suffix = (("?" + query) if q else "") + (("#" + fragment) if hashmark else "")
    pelican = PELICAN_LINK.match(path)
    article_dir = posixpath.dirname(article.rel)
    if path.startswith("@/"):
        path = "/" + path[2:]
        candidates_md = [path.lstrip("/")]
    elif pelican:
        path = path[pelican.end() :]
        if (pelican.group(1) or pelican.group(2)) == "filename" and path.lower().endswith(
            _PELICAN_PAGE_EXTENSIONS
        ):
            return None
        candidates_md = [
            posixpath.normpath(posixpath.join(article_dir, path.lstrip("/")))
            if not path.startswith("/")
            else path.lstrip("/")
        ]
    elif path.startswith("/"):
        candidates_md = [path.lstrip("/")]
    else:
        # beside the article, else from content/ (Hugo's ref "posts/x.md" looks in both)
        candidates_md = [posixpath.normpath(posixpath.join(article_dir, path)), path]
    if path.lower().endswith(CONTENT_EXTENSIONS):
        for cand in candidates_md:
            for name in _content_names(cand):
                if name in targets.articles:
                    return targets.articles[name], suffix
        stem = posixpath.normpath(path.lstrip("/")).rsplit(".", 1)[0]
        if stem.casefold() in targets.terms:
            return targets.terms[stem.casefold()], suffix
        if not path.startswith(("/", ".")) and not pelican and not stem.startswith(".."):
            # Hugo's ref "4-ec2" (or "aws/4-ec2") finds the one page of that name anywhere
            found = targets.by_name(stem)
            return (found, suffix) if found is not None else None
        return None
    if path.startswith("/"):
        clean = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
        return clean, suffix
    if article.bundle is not None:
        base = targets.bundle_urls.get(article.bundle)
        rel = posixpath.normpath(path)
        if base and rel in article.resources:
            return base + rel, suffix
    for cand in (posixpath.normpath(posixpath.join(article_dir, path)), posixpath.normpath(path)):
        if "/" + cand in targets.files:
            return "/" + cand, suffix
    # as a browser reads it on the old site: relative to the page's address (Zola, Hugo and
    # Jekyll pass such links through, so moved posts often point at each other's files this way)
    page_url = targets.articles.get(article.rel)
    by_url = posixpath.normpath(posixpath.join(_folder(page_url), path)) if page_url else ""
    if by_url in targets.files:
        return by_url, suffix
    for alias in article.aliases:  # an old address, now a redirect: the link was written there
        by_alias = posixpath.normpath(posixpath.join(_folder(unquote(alias)), path))
        if by_alias in targets.files:
            return by_alias, suffix
    # a bundle's file from a page below its folder (Zola's section with a page of its own and
    # pages in subfolders), or by the address of a translation, whose page is elsewhere
    found = targets.bundle_file(posixpath.normpath(posixpath.join(article_dir, path)), by_url)
    return (found, suffix) if found is not None else None


def _folder(url: str) -> str:
    """The folder a browser reads a relative link from at `url`: itself for `/a/b/`, its
    parent for `/a/b.html`."""
    return url if url.endswith("/") else posixpath.dirname(url) + "/"


def _content_names(path: str) -> list[str]:
    """`x.md` also finds `x.markdown` (any content extension) and the bundle `x/index.md`;
    Jekyll's `_posts/x.md` also finds `x.md` (posts copied without their folder)."""
    names = []
    for where in (path, re.sub(r"^(_posts|_drafts|content)/", "", path)):  # Jekyll's folders
        stem = where.rsplit(".", 1)[0]
        names += [
            where,
            *(stem + ext for ext in CONTENT_EXTENSIONS),
            *(f"{stem}/index{ext}" for ext in CONTENT_EXTENSIONS),
        ]
    return names
