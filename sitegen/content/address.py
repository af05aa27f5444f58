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
    pattern = config.permalink
    fields = {"slug": slug or article.slug, "lang": article.lang}
    # every build works out every article's address: the date in the site's zone and the
    # section only when the pattern asks for them
    if "{year}" in pattern or "{month}" in pattern or "{day}" in pattern:
        local = article.date.astimezone(config.tz)
        fields["year"] = f"{local.year:04d}"
        fields["month"] = f"{local.month:02d}"
        fields["day"] = f"{local.day:02d}"
    if "{section}" in pattern:
        rel = article.rel
        fields["section"] = rel.split("/")[0] if "/" in rel else ""
    url = pattern.format_map(fields)
    if "//" in url or not url.endswith("/"):  # an empty part, or no slash at the end
        url = "/" + "/".join(p for p in url.split("/") if p) + "/"
    if article.lang != config.language and "{lang}" not in pattern:
        url = f"/{article.lang}{url}"
    return url
