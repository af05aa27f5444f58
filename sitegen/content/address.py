"""An article's address on the site: used by the site model, and by `sitegen migrate` to tell
whether a moved post keeps its old address."""

from __future__ import annotations

from sitegen.config import SiteConfig
from sitegen.content.article import Article


def article_url(article: Article, config: SiteConfig, slug: str | None = None) -> str:
    """The address of an article: its own `url`, else the permalink filled in from its date,
    slug and language, with `/<lang>` before it for a language other than the first."""
    if article.url:  # its own, from front matter (validated by content.py)
        return article.url
    local = article.date.astimezone(config.tz)
    url = config.permalink.format(
        slug=slug or article.slug,
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
        lang=article.lang,
        section=article.rel.split("/")[0] if "/" in article.rel else "",
    )
    url = "/" + "/".join(p for p in url.split("/") if p) + "/"
    if article.lang != config.language and "{lang}" not in config.permalink:
        url = f"/{article.lang}{url}"
    return url
