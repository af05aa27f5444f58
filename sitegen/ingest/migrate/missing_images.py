"""The pictures moved posts show that no moved file provides.

Part of `sitegen migrate` (ingest stage), after articles.py has read every post: real blogs
name pictures that never were in their repository (they stayed on the old server). The build
would stop at each one; the report lists them and site.yaml gets `broken_links: warn`, so the
page shows the picture's description until the file is added. An image is found as the build
finds it: content/links.py's `resolve`, against the files the migration moves.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Collection
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
from sitegen.ingest.migrate.plan import SourcePlan
from sitegen.text.urls import is_local

if TYPE_CHECKING:
    from sitegen.ingest.migrate.articles import Outcome


def published_url(rel: str) -> str | None:
    """The site-root address of a file the migration writes at `rel` in DEST (`static/x.png`
    and `content/x.png` are both published at `/x.png`); None for what is not published as it
    is (an article, site.yaml)."""
    top, _, rest = rel.partition("/")
    if top not in ("static", "content") or not rest:
        return None
    if top == "content" and rest.lower().endswith(CONTENT_EXTENSIONS):
        return None
    return "/" + rest


def image_found(
    src: str,
    article: Article,
    page_url: str,
    published: Collection[str],
    old_url: str | None = None,
) -> bool:
    """Whether the image `src` of a moved post (`article`, at `page_url` after the move) names
    a file the build will publish (`published`: their site-root addresses), found as the build
    finds it (content/links.py), with `old_url` among its aliases when it redirects from there.
    Remote and `data:` images count as found: nothing to move; one on the computer the post
    was written on (`file:///...`) does not: the build names it."""
    if on_this_computer(src):
        return False
    if not src or (not is_local(src) and not src.startswith(("{", "|", "@/"))):
        return True
    path = unquote(src.partition("#")[0].partition("?")[0]).removeprefix("@/")
    named = PELICAN_LINK.match(path)
    if not (path[named.end() :] if named else path):
        return True  # `{static}` alone names nothing
    if old_url and old_url != page_url:
        article = dataclasses.replace(article, aliases=(*article.aliases, old_url))
    pages = {article.rel: page_url} if page_url else {}
    bundles = {article.bundle: page_url} if article.bundle is not None and page_url else {}
    target = resolve(src, article, LinkTargets(set(published), pages, bundles))
    return target is not None and target_path(target) in published


def published_files(plan: SourcePlan, outcomes: list[Outcome]) -> set[str]:
    """The site-root address of every file the migration moves that the build publishes as it
    is: the reader's files (static/, content/) and the posts' own files (a bundle's below its
    page's new address, others at their path below content/)."""
    published = {url for _, rel in plan.files if (url := published_url(rel)) is not None}
    for out in outcomes:
        bundle = out.article.bundle if out.article is not None else None
        for _, rel in out.post.bundle_files:
            if bundle is None:
                published.add("/" + rel)
            elif out.new_url:
                published.add(out.new_url.rstrip("/") + "/" + posixpath.relpath(rel, bundle))
    return published


def find_missing_images(plan: SourcePlan, outcomes: list[Outcome]) -> None:
    """Fill each outcome's `missing_images` (line in the source file, image as written)."""
    published = published_files(plan, outcomes)
    for out in outcomes:
        article = out.article
        if article is None:
            continue
        for ref in article.images:
            if not image_found(ref.src, article, out.new_url or "", published, out.post.old_url):
                out.missing_images.append((out.source_line(ref.line) or ref.line, ref.src))
