"""Deterministic synthetic news corpus for the benchmark, written as three equivalent sites.

`python bench/corpus.py 10000 [--out bench/corpus] [--tools sitegen,hugo,pelican]` writes
`<out>/<size>/{sitegen,hugo,pelican}/`: the same articles (about 9 KB of Markdown each, with
headings, quotes, lists, code, links, 1-4 of 150 tags, dates over ten years), 10 per listing
page, tag pages and feeds in each generator's own conventions. Article `i` depends only on
`i`, so any article can be regenerated (or edited) alone with `article(i)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {"1k": 1000, "10k": 10_000, "100k": 100_000}
PER_PAGE = 10

_WORDS_RNG = random.Random(1234)
_SYLLABLES = [
    "ta",
    "ren",
    "mo",
    "li",
    "sar",
    "ve",
    "kon",
    "da",
    "pri",
    "lo",
    "mes",
    "tu",
    "gan",
    "vi",
    "por",
    "ne",
    "sta",
    "ri",
    "bel",
    "co",
    "fan",
    "du",
    "mar",
    "si",
    "tel",
    "ho",
]
WORDS = sorted(
    {
        "".join(_WORDS_RNG.choice(_SYLLABLES) for _ in range(_WORDS_RNG.randint(1, 3)))
        for _ in range(900)
    }
)
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "said",
    "it",
    "from",
    "at",
    "officials",
    "government",
    "report",
    "city",
    "people",
    "year",
]
TAGS = sorted(
    {
        " ".join(_WORDS_RNG.choice(WORDS).capitalize() for _ in range(_WORDS_RNG.randint(1, 2)))
        for _ in range(400)
    }
)[:150]
START = dt.datetime(2014, 1, 1, 6, 0, tzinfo=dt.UTC)
FOLD = 142_000  # the last article dated after START: 37 minutes apart, the end of 2023
CODE = '''```python
def {name}(items, limit={n}):
    """Count the {word} entries."""
    total = 0
    for item in items[:limit]:
        if item.{word}:
            total += len(item.{word})
    return total
```'''


@dataclass(frozen=True)
class Article:
    index: int
    slug: str
    title: str
    date: dt.datetime
    tags: tuple[str, ...]
    summary: str
    body: str


def _sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = [
        rng.choice(COMMON) if rng.random() < 0.45 else rng.choice(WORDS)
        for _ in range(rng.randint(low, high))
    ]
    r = rng.random()
    if r < 0.08:
        k = rng.randrange(len(words))
        words[k] = f"*{words[k]}*"
    elif r < 0.14:
        k = rng.randrange(len(words))
        words[k] = f"**{words[k]}**"
    elif r < 0.18:
        k = rng.randrange(len(words))
        words[k] = f"[{words[k]}](https://example.com/{words[k]}/{rng.randint(1, 999)})"
    elif r < 0.21:
        k = rng.randrange(len(words))
        words[k] = f"`{words[k]}()`"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def article(i: int, revision: int = 0) -> Article:
    """Article number `i`; `revision` > 0 gives an edited body (same title, date and tags)."""
    rng = random.Random(i * 7919 + 17)
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
    slug = f"a{i:06d}-" + "-".join(title.lower().split()[:4])
    # 37 minutes apart from START up to FOLD (the end of 2023), then back from START, so no
    # article of even a million is dated in the future (a build leaves those out)
    step = i if i <= FOLD else FOLD - i
    date = START + dt.timedelta(minutes=step * 37 + rng.randint(0, 30))
    tags = tuple(sorted(rng.sample(TAGS, rng.randint(1, 4))))
    summary = _sentence(rng, 12, 24)
    body_rng = random.Random((i * 7919 + 17) ^ (revision * 104729))
    parts = [_paragraph(body_rng) for _ in range(2)]
    while sum(len(p) for p in parts) < 8600:
        parts.append(f"## {_sentence(body_rng, 3, 7)[:-1]}")
        for _ in range(body_rng.randint(2, 4)):
            r = body_rng.random()
            if r < 0.12:
                parts.append("> " + _sentence(body_rng) + " " + _sentence(body_rng))
            elif r < 0.22:
                parts.append(
                    "\n".join(
                        f"- {_sentence(body_rng, 4, 10)}" for _ in range(body_rng.randint(3, 6))
                    )
                )
            elif r < 0.27:
                parts.append(
                    "\n".join(
                        f"{n}. {_sentence(body_rng, 4, 10)}"
                        for n in range(1, body_rng.randint(3, 5))
                    )
                )
            elif r < 0.31:
                w = body_rng.choice(WORDS)
                parts.append(CODE.format(name=f"count_{w}", n=body_rng.randint(5, 50), word=w))
            elif r < 0.33:
                parts.append("### " + _sentence(body_rng, 2, 5)[:-1])
            else:
                parts.append(_paragraph(body_rng))
    return Article(i, slug, title, date, tags, summary, "\n\n".join(parts) + "\n")


def _yaml_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{t}"' for t in items) + "]"


def sitegen_text(a: Article) -> str:
    return (
        f'---\ntitle: "{a.title}"\ndate: {a.date.isoformat()}\ntags: {_yaml_list(a.tags)}\n'
        f'summary: "{a.summary}"\n---\n\n{a.body}'
    )


def hugo_text(a: Article) -> str:
    return (
        f'---\ntitle: "{a.title}"\ndate: {a.date.isoformat()}\nslug: "{a.slug}"\n'
        f'tags: {_yaml_list(a.tags)}\nsummary: "{a.summary}"\n---\n\n{a.body}'
    )


def pelican_text(a: Article) -> str:
    return (
        f"Title: {a.title}\nDate: {a.date.strftime('%Y-%m-%d %H:%M')}\nSlug: {a.slug}\n"
        f"Tags: {', '.join(a.tags)}\nSummary: {a.summary}\n\n{a.body}"
    )


SITEGEN_CONFIG = """title: Benchmark News
description: A synthetic news site
base_url: https://example.org/
author: Bench
per_page: 10
feed_limit: 20
# search and related articles as `sitegen init` leaves them: on (compared with hugo-full)
"""

# sitegen with search and related off, compared with plain Hugo and Pelican (neither has them)
SITEGEN_PLAIN_CONFIG = SITEGEN_CONFIG + "search: false\nrelated: 0\n"

# What Hugo users add for the same features: five related articles per page from Hugo's own
# `.Site.RegularPages.Related` (its default related config: keywords, date, tags), then a
# Pagefind index over the output (bench/run.py runs `pagefind --site public` after Hugo).
HUGO_RELATED = """<aside class="related"><h2>Related</h2><ul>
{{ range first 5 (.Site.RegularPages.Related .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></aside>"""

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Benchmark News"
locale = "en"  # languageCode before Hugo 0.158
disableKinds = ["section"]
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[permalinks]
  posts = "/:slug/"
[services.rss]
  limit = 20
"""

# A minimal theme comparable to sitegen's default pages (base, single, list, taxonomy, terms).
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="alternate" type="application/rss+xml" href="{{ "index.xml" | absURL }}"></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "/tags/" | relURL }}">Tags</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ .Site.Title }}</footer></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav></article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time>{{ .Date.Format "January 2, 2006" }}</time><p>{{ .Summary }}</p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></article>{{ end }}
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}
</ul>{{ end }}
""",
    "index.html": """{{ define "main" }}{{ $p := .Paginate (where .Site.RegularPages "Type" "posts") }}
{{ range $p.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time>{{ .Date.Format "January 2, 2006" }}</time><p>{{ .Summary }}</p></article>{{ end }}
{{ template "_internal/pagination.html" . }}{{ end }}
""",
}

PELICAN_CONFIG = """AUTHOR = "Bench"
SITENAME = "Benchmark News"
SITEURL = "https://example.org"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
DEFAULT_PAGINATION = 10
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/{slug}.atom.xml"
FEED_MAX_ITEMS = 20
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"), (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
MARKDOWN = {"extension_configs": {"markdown.extensions.codehilite": {"css_class": "highlight"},
            "markdown.extensions.extra": {}, "markdown.extensions.toc": {}}, "output_format": "html5"}
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
# Articles have no category (none is written, as the other sites have none), and the default
# theme's article footer links to one: templates/ holds a footer without that link.
THEME_TEMPLATES_OVERRIDES = ["templates"]
"""

PELICAN_TEMPLATES = {
    "article_infos.html": """<footer class="post-info">
        <abbr class="published" title="{{ article.date.isoformat() }}">
                Published: {{ article.locale_date }}
        </abbr>
        {% include 'taglist.html' %}
</footer><!-- /.post-info -->
""",
}


def write_site(root: Path, size: int, tools: list[str]) -> None:
    for tool in tools:
        shutil.rmtree(root / tool, ignore_errors=True)
    for tool, config in (("sitegen", SITEGEN_CONFIG), ("sitegen-plain", SITEGEN_PLAIN_CONFIG)):
        if tool in tools:
            (root / tool / "content").mkdir(parents=True)
            (root / tool / "seeds").mkdir()
            (root / tool / "site.yaml").write_text(config)
    for tool in ("hugo", "hugo-full"):
        if tool not in tools:
            continue
        (root / tool / "content" / "posts").mkdir(parents=True)
        (root / tool / "hugo.toml").write_text(HUGO_CONFIG)
        for rel, text in HUGO_LAYOUTS.items():
            if tool == "hugo-full" and rel == "_default/single.html":
                text = text.replace("</article>{{ end }}", HUGO_RELATED + "</article>{{ end }}")
            path = root / tool / "layouts" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if "pelican" in tools:
        (root / "pelican" / "content").mkdir(parents=True)
        (root / "pelican" / "pelicanconf.py").write_text(PELICAN_CONFIG)
        (root / "pelican" / "templates").mkdir()
        for name, text in PELICAN_TEMPLATES.items():
            (root / "pelican" / "templates" / name).write_text(text)
    for i in range(size):
        a = article(i)
        for tool in ("sitegen", "sitegen-plain"):
            if tool in tools:
                (root / tool / "content" / f"{a.slug}.md").write_text(sitegen_text(a))
        for tool in ("hugo", "hugo-full"):
            if tool in tools:
                (root / tool / "content" / "posts" / f"{a.slug}.md").write_text(hugo_text(a))
        if "pelican" in tools:
            (root / "pelican" / "content" / f"{a.slug}.md").write_text(pelican_text(a))


def edit_paths(root: Path, i: int) -> dict[str, tuple[Path, str]]:
    """For each tool, the file of article `i` and an edited text of it (body changed only)."""
    a = article(i, revision=1)
    return {
        "sitegen": (root / "sitegen" / "content" / f"{a.slug}.md", sitegen_text(a)),
        "sitegen-plain": (root / "sitegen-plain" / "content" / f"{a.slug}.md", sitegen_text(a)),
        "hugo": (root / "hugo" / "content" / "posts" / f"{a.slug}.md", hugo_text(a)),
        "hugo-full": (root / "hugo-full" / "content" / "posts" / f"{a.slug}.md", hugo_text(a)),
        "pelican": (root / "pelican" / "content" / f"{a.slug}.md", pelican_text(a)),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("size", help="1k, 10k, 100k or a number of articles")
    p.add_argument("--out", type=Path, default=HERE / "corpus")
    p.add_argument("--tools", default="sitegen,hugo,pelican")
    args = p.parse_args(argv)
    size = SIZES.get(args.size) or int(args.size)
    root = args.out / str(size)
    write_site(root, size, args.tools.split(","))
    print(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
