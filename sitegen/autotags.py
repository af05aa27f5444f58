"""Tags proposed for a seed that has no Tags: line (issue 7 fills this in)."""

from __future__ import annotations

from sitegen.config import SiteConfig
from sitegen.seeds import SeedArticle


def propose_tags(seed: SeedArticle, config: SiteConfig) -> list[str]:
    return []
