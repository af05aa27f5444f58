"""Markdown -> HTML: which parser renders a body, and what a rendering holds. Pure.

markdown-it-pyrs renders a body that needs none of sitegen's Markdown plugins
(`markdown_fast.py`); markdown-it-py with them renders the rest (`markdown_plugins.py`: what
they are). Both give the same HTML. `markdown_plugins` is imported when a body first needs
it, so a build whose bodies need none (an edit of one, say) does not import markdown-it-py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.errors import SiteError
from sitegen.render import markdown_fast


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: tuple[tuple[int, str, str], ...]  # (level, id, text)
    # what was wrong with its raw HTML, and made right: (line in the body from 0, message, hint)
    problems: tuple[tuple[int, str, str], ...] = ()


def body_warnings(body: RenderedBody, source: str, body_line: int) -> list[SiteError]:
    """What was made right in `body`'s raw HTML, as warnings at their lines of the file
    `source` (whose body starts at `body_line`)."""
    return [
        SiteError(message, source, body_line + line, hint or None, warning=True)
        for line, message, hint in body.problems
    ]


def render_markdown(body: str, raw_html: bool = True, heading_ids: str = "sitegen") -> RenderedBody:
    """`body` as HTML: by markdown-it-pyrs when it needs none of markdown-it-py's plugins
    (ten times sooner), else by markdown-it-py."""
    fast = markdown_fast.render(body, heading_ids)
    if fast is not None:
        return RenderedBody(*fast)
    return render_markdown_it(body, raw_html, heading_ids)


def render_markdown_it(
    body: str, raw_html: bool = True, heading_ids: str = "sitegen"
) -> RenderedBody:
    """`body` as HTML by markdown-it-py with every plugin sitegen uses."""
    from sitegen.render import markdown_plugins  # its first use pays for markdown-it-py

    return RenderedBody(*markdown_plugins.render(body, raw_html, heading_ids))
