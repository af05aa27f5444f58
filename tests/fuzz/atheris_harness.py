"""Coverage-guided fuzzing of the seed importer and the front matter loader with atheris
(libFuzzer for Python). Not part of `make test`: the Hypothesis tests in tests/unit/test_fuzz_*.py
run there. Use this for long runs that explore by coverage rather than by strategy:

    .venv/bin/pip install atheris     # a binary wheel exists for CPython 3.11 on x86-64 Linux
    .venv/bin/python tests/fuzz/atheris_harness.py -max_total_time=600 -rss_limit_mb=1024

The first input byte picks the target (even: a seed file, odd: a content file); the rest is
the file. Any exception other than SiteError, a hang (-timeout, default 20 s) or running out of
memory (-rss_limit_mb) is a finding, saved by libFuzzer as crash-*/timeout-*/oom-* files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from sitegen.config import SiteConfig
    from sitegen.content.article import SourceFile, load_article
    from sitegen.errors import Diagnostics, SiteError
    from sitegen.ingest.importer import render_content
    from sitegen.ingest.seeds import decode_seed, parse_seed
    from sitegen.text.slugs import slugify

ROOT = Path("/fuzz-site")
CONFIG = SiteConfig(root=ROOT)
CONTENT = SourceFile(ROOT / "content" / "post.md", "post.md", None, "post", None)


def load(source: SourceFile, data: bytes) -> None:
    diag = Diagnostics()
    article = load_article(source, CONFIG, diag, data)
    if article is None and not diag.errors:
        raise AssertionError("load failed without an error")
    for error in diag.errors:
        if not error.path:
            raise AssertionError(f"error names no file: {error}")


def one_input(data: bytes) -> None:
    if not data:
        return
    if data[0] % 2:
        load(CONTENT, data[1:])
        return
    try:
        seed = parse_seed(decode_seed(data[1:], "seeds/x.txt"), "seeds/x.txt", CONFIG.teasers)
    except SiteError as exc:
        if not exc.path:
            raise AssertionError(f"error names no file: {exc}") from None
        return
    slug = slugify(seed.title)
    text = render_content(seed, slug, "2024-01-01", "seeds/x.txt", list(seed.tags), CONFIG)
    source = SourceFile(ROOT / "content" / f"{slug}.md", f"{slug}.md", None, slug, None)
    diag = Diagnostics()
    article = load_article(source, CONFIG, diag, text.encode("utf-8"))
    if article is None or article.title != seed.title:
        raise AssertionError(
            f"an imported seed does not read back: {[str(e) for e in diag.errors]}"
        )


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
