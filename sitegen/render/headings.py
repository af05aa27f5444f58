"""Heading ids and the table of contents: what both Markdown renderers give headings. Pure."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from sitegen.text.slugs import slugify

ANCHORED = 4  # headings h1 to h4 get an id and a permalink


def _heading_slug(text: str) -> str:
    return slugify(text, fallback_prefix="section")


_NOT_IN_GITHUB_IDS = re.compile(r"[^\w\- ]")


def _github_heading_slug(text: str) -> str:
    """GitHub's and Hugo's heading ids (goldmark's `github`): lower case, letters and digits of
    every script kept, other punctuation dropped, each space a hyphen: `What's new` ->
    `whats-new`, `总结` -> `总结`. What a site moved in had, so old links to a section work."""
    return _NOT_IN_GITHUB_IDS.sub("", text.strip().lower()).replace(" ", "-") or "section"


HEADING_SLUGS: dict[str, Callable[[str], str]] = {
    "sitegen": _heading_slug,
    "github": _github_heading_slug,
}


def unique_ids(bases: Iterable[str], taken: set[str]) -> list[str]:
    """Each of `bases` made unique in order (`-1`, `-2`... after the first; never one of
    `taken`, the ids headings name themselves), as the anchors plugin numbers them. `taken`
    gains the ids given. Each slug's next suffix is remembered: trying every suffix from `-1`
    for each heading was quadratic in a body's same-named headings (50,000 took minutes)."""
    next_suffix: dict[str, int] = {}  # slug -> the first suffix not yet tried
    ids = []
    for base in bases:
        uniq, n = base, next_suffix.get(base, 1)
        while uniq in taken:
            uniq, n = f"{base}-{n}", n + 1
        next_suffix[base] = n
        taken.add(uniq)
        ids.append(uniq)
    return ids


def toc_html(toc: list[tuple[int, str, str]] | tuple[tuple[int, str, str], ...]) -> str:
    if not toc:
        return ""
    items = "".join(
        f'<li class="toc-level-{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in toc
    )
    return f'<nav class="toc" aria-label="Contents"><ul>{items}</ul></nav>\n'
