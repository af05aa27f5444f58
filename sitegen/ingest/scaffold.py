"""`sitegen init DIR`: a new site with a site.yaml, a sample seed and a sample article.
Never overwrites: an existing site.yaml makes it refuse."""

from __future__ import annotations

from pathlib import Path

from sitegen.errors import SiteError
from sitegen.ingest.importer import dump_front_matter

SITE_YAML = """\
# sitegen settings: every key is described in sitegen's README.
title: {title}
description: News and stories.
author: ""
language: en
base_url: ""          # e.g. https://example.org/blog/ (needed for absolute feed and sitemap links)
per_page: 10
pagination: newest    # or stable: pages numbered from the oldest, so a new article changes only the first page
timezone: UTC
theme: default
"""

SAMPLE_SEED = """\
Welcome to your new site
Date: 2024-01-01
Tags: sitegen, welcome

This article was imported from seeds/welcome.txt. Seeds are plain text: the first line is the title, blank lines separate paragraphs.

Edit content/welcome-to-your-new-site.md to change it, or add more seeds and run sitegen build.
"""

SAMPLE_ARTICLE = {
    "title": "Writing in Markdown",
    "date": "2024-01-02",
    "tags": ["sitegen"],
    "summary": "Content files are Markdown with front matter.",
}

SAMPLE_BODY = """\
Content files live in `content/`. Each starts with front matter between `---` lines and then
Markdown: *emphasis*, **bold**, [links](https://example.org), lists, tables and code.

```python
print("hello")
```
"""


def create_site(folder: Path, title: str = "My news site") -> list[str]:
    if (folder / "site.yaml").exists():
        raise SiteError(
            f"{folder / 'site.yaml'} already exists; nothing was changed",
            hint="init makes new sites only",
        )
    created = []
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("seeds", "content", "static", "templates"):
        (folder / sub).mkdir(exist_ok=True)
    import json

    (folder / "site.yaml").write_text(SITE_YAML.format(title=json.dumps(title)), encoding="utf-8")
    created.append("site.yaml")
    seed = folder / "seeds" / "welcome.txt"
    if not seed.exists():
        seed.write_text(SAMPLE_SEED, encoding="utf-8")
        created.append("seeds/welcome.txt")
    article = folder / "content" / "writing-in-markdown.md"
    if not article.exists():
        article.write_text(
            f"---\n{dump_front_matter(SAMPLE_ARTICLE)}---\n\n{SAMPLE_BODY}", encoding="utf-8"
        )
        created.append("content/writing-in-markdown.md")
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("/build/\n/.sitegen/\n", encoding="utf-8")
        created.append(".gitignore")
    return created
