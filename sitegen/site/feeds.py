"""Feed pages of the plan: Atom, RSS 2.0 and JSON Feed 1.1 for the site and each tag and
category, in the formats `feeds` in site.yaml names. Pure, like plan.py, which calls it.

Each format has a fixed file name beside the listing it follows (`/feed.xml`, `/rss.xml`,
`/feed.json`; `/tags/<tag>/feed.xml`...), so choosing formats never moves an existing feed.
An entry's id is `entry_id`: it does not change when the article's title or URL does.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.text.slugs import slugify

# format -> (file name, template, media type, label shown to readers)
FORMATS: dict[str, tuple[str, str, str, str]] = {
    "atom": ("feed.xml", "feed.xml", "application/atom+xml", "Atom"),
    "rss": ("rss.xml", "rss.xml", "application/rss+xml", "RSS"),
    "json": ("feed.json", "feed.json", "application/feed+json", "JSON"),
}
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def feed_links(base: str, config: SiteConfig) -> list[dict[str, str]]:
    """The feeds that follow the listing at `base` ("/" or a term URL), in the order
    `feeds` names them: what autodiscovery links and "subscribe" links show."""
    return [
        {
            "format": name,
            "url": base + FORMATS[name][0],
            "type": FORMATS[name][2],
            "label": FORMATS[name][3],
        }
        for name in config.feeds
    ]


def entry_id(article: Article, config: SiteConfig) -> str:
    """A feed entry's id, which readers use to tell new entries from seen ones.

    Front matter `id` (also `uuid`, `guid`) wins: a URI as written, a UUID as `urn:uuid:...`.
    Else `tag:<host>,<date>:<base path><content file>`, e.g.
    `tag:example.org,2024-03-01:/blog/2024/story.md`: it survives edits of the title, the slug
    and the permalink pattern, and changes only when the file is renamed or moved or its date
    changes (set `id:` to keep it then)."""
    for key in ("id", "uuid", "guid"):
        value = article.meta.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            text = str(value).strip()
            try:
                return uuid.UUID(text).urn
            except ValueError:
                pass
            if _URI.match(text):
                return text
            return _tag_uri(config, article, text)
    return _tag_uri(config, article, article.rel)


def _tag_uri(config: SiteConfig, article: Article, specific: str) -> str:
    host, base_path = _tag_authority(config.base_url, config.title)
    day = article.date.date().isoformat() if article.has_date else config.default_date
    return f"tag:{host},{day}:{_iri_part(base_path)}/{_iri_part(specific.lstrip('/'))}"


# what an IRI may not hold as written (RFC 3987): spaces, controls, `"<>\^`{|}` and a `%` that
# starts no escape; letters of any script may stay as they are
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}]|%(?![0-9A-Fa-f]{2})')


def _iri_part(text: str) -> str:
    """`text` percent-encoded where an IRI cannot hold it as written: a content file named
    `my story.md` gives `my%20story.md`. Atom readers and validators reject an id with a
    space; a name without such characters keeps the id it always had."""
    return _NOT_IN_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text)


@functools.lru_cache(maxsize=16)  # one site, thousands of entries
def _tag_authority(base_url: str, title: str) -> tuple[str, str]:
    """(host, path without the trailing slash) of the site's tag URIs."""
    parts = urlsplit(base_url)
    # without base_url no host is ours: a name from the site title, in a domain that is never
    # registered (set base_url for ids that are unique on the web)
    host = (parts.hostname or f"{slugify(title) or 'site'}.invalid").lower()
    return host, parts.path.rstrip("/")


def feed_entry(view: dict[str, Any], entry_id: str, content_hash: str, body: str = "") -> dict:
    """One entry of a feed: the article's listing view, its id and body hash, and the body's
    rel when the feed carries whole articles (render_job puts the body, localized, in
    `content`)."""
    entry = dict(view, id=entry_id, content_hash=content_hash)
    if body:
        entry["body"] = body
    return entry


def with_new_articles(
    context: dict[str, Any], changed: Mapping[str, tuple[dict[str, Any], str]]
) -> dict[str, Any]:
    """A feed's context (from `feed_contexts`) once the articles at the addresses in `changed`
    have these listing views and body hashes, and nothing else of theirs changed (the
    preview's patched plan, engine/patch.py). The context given is not changed; one naming
    none of them is returned as it is."""
    feed = context["feed"]
    entries = feed["entries"]
    if not any(entry["url"] in changed for entry in entries):
        return context
    out = []
    for entry in entries:
        if entry["url"] in changed:
            view, content_hash = changed[entry["url"]]
            entry = feed_entry(view, entry["id"], content_hash, entry.get("body", ""))
        out.append(entry)
    return {**context, "feed": {**feed, "entries": out}}


def feed_contexts(
    title: str,
    base: str,
    articles: list[Article],
    views: dict[str, dict[str, Any]],
    config: SiteConfig,
    lang: str = "",
) -> list[tuple[str, str, dict[str, Any], tuple[str, ...]]]:
    """(url, template, context, bodies shown) of each feed of the listing at `base`, whose
    articles are in language `lang` (the site's default when empty)."""
    chosen = articles[: config.feed_limit]
    full = config.feed_content == "full"
    entries = []
    for a in chosen:
        entries.append(
            feed_entry(views[a.rel], entry_id(a, config), a.content_hash, a.rel if full else "")
        )
    updated = max((a.updated or a.date for a in chosen), default=None)
    bodies = tuple(a.rel for a in chosen) if full else ()
    # each format's own address, then the old addresses `old_feeds` keeps (a moved site's
    # index.xml): the same feed, naming the format's own address when there is one, so a
    # reader that follows it moves its subscription there
    addresses = [(link["url"], link["format"]) for link in feed_links(base, config)]
    addresses += [
        (base + name, fmt)
        for name, fmt in config.old_feeds.items()
        if not (fmt in config.feeds and name == FORMATS[fmt][0])  # that very file already
    ]
    out = []
    for url, fmt in addresses:
        own = base + FORMATS[fmt][0] if fmt in config.feeds else url
        context = {
            "feed": {
                "title": title,
                "url": own,
                "home": base,
                "lang": lang or config.language,
                "format": fmt,
                "updated": updated.isoformat()
                if updated
                else f"{config.default_date}T00:00:00+00:00",
                "content": config.feed_content,
                "entries": entries,
            }
        }
        out.append((url, FORMATS[fmt][1], context, bodies))
    return out
