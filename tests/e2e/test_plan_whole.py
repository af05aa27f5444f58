"""The plan a build renders from is complete before rendering and unchanged by it: the page
contexts are byte for byte the same after the pages are written, and broken links found while
rendering are reported without being written into the plan."""

from __future__ import annotations

import marshal

import pytest

from sitegen.build import Builder, BuildRequest, build
from sitegen.config import load_config
from sitegen.engine.executor import Parallelism
from sitegen.engine.pages import PageRenderer


def test_rendering_leaves_the_plan_as_it_was_made(site, monkeypatch):
    site.configure("title: T\nbroken_links: warn\nsearch: true\nrelated: 3\n")
    site.article("a.md", "Alpha", body="See [the missing page](nowhere.md).\n\n![a](pic.png)")
    site.article("b.md", "Beta", date="2024-02-01", body="Body of beta.")
    site.write("content/pic.png", b"not really a png")
    before: list[bytes] = []
    run = PageRenderer.run

    def snapshot_then_run(self, to_render, parallel, alongside=None):
        before.append(marshal.dumps([job.context for job, _ in to_render], 2))
        rendered.extend(job for job, _ in to_render)
        return run(self, to_render, parallel, alongside)

    rendered: list = []
    monkeypatch.setattr(PageRenderer, "run", snapshot_then_run)
    builder = Builder(BuildRequest(load_config(site.root), preview=True))
    result = builder.run()
    plan = builder.state.last.plan
    assert any("nowhere.md" in str(w) for w in result.diagnostics.warnings)
    assert plan.targets.missing == []  # reported, not written into the plan
    assert len(rendered) == len(plan.pages)
    assert before == [marshal.dumps([job.context for job in rendered], 2)]
    article = next(job for job in plan.pages if job.path == "a/index.html")
    assert "content" not in article.context["article"]  # the body goes into a copy
    assert "references" in article.context  # what its links resolve to: put in by the plan


def test_article_pages_made_where_they_are_rendered_match_the_preview_plan(site, monkeypatch):
    """`sitegen build` makes an article page's context where it renders it (with what the
    page's links and picture resolve to); the preview plans it whole. Both give one context."""
    site.configure("title: T\nsearch: true\nrelated: 3\nbroken_links: warn\n")
    site.article(
        "a.md",
        "Alpha",
        image="pic.png",
        body="See [beta](b.md) and [gone](nowhere.md).\n\n![a](pic.png)",
    )
    site.article("b.md", "Beta", date="2024-02-01", body="Body of beta, see [alpha](a.md).")
    site.write("content/pic.png", b"not really a png")
    seen: dict[bool, dict[str, bytes]] = {}
    run = PageRenderer.run

    def record(self, to_render, parallel, alongside=None):
        contexts = {job.path: marshal.dumps(job.context, 2) for job, _ in to_render}
        seen[any(job.given is None for job, _ in to_render)] = contexts
        return run(self, to_render, parallel, alongside)

    monkeypatch.setattr(PageRenderer, "run", record)
    config = load_config(site.root)
    Builder(BuildRequest(config, preview=True, output=site.root / ".sitegen" / "preview")).run()
    build(BuildRequest(config))
    assert set(seen) == {False, True}  # the preview's plan whole, the build's made on use
    assert seen[True] == seen[False]
    assert b"references" in seen[True]["a/index.html"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_bodies_the_feeds_needed_are_let_go_once_shown(site, monkeypatch, jobs):
    """A feed for every tag shows most articles' bodies: the build process holds each only
    until no page still to render shows it, rendered fresh or taken from the cache, with
    workers or without, and every feed still has every body."""
    site.configure("title: T\nsearch: false\nrelated: 0\nfeed_limit: 3\n")
    for i in range(12):
        body = f"Body number {i} *emphasis*."
        site.article(
            f"a{i}.md",
            f"Story {i}",
            date=f"2024-01-{i + 1:02d}",
            body=body,
            tags=f"[t{i % 4}, u{i}]",
        )
    held: list[dict] = []
    run = PageRenderer.run

    def keep_what_is_held(self, to_render, parallel, alongside=None):
        run(self, to_render, parallel, alongside)
        held.append(dict(self.bodies))

    monkeypatch.setattr(PageRenderer, "run", keep_what_is_held)
    parallel = Parallelism(jobs=jobs, min_pages=1, min_loads=1)
    site.build(parallel=parallel)
    first = {rel: site.out(rel) for rel in ("feed.xml", "tags/t1/feed.xml", "tags/u7/feed.xml")}
    assert "Body number 7" in first["tags/u7/feed.xml"]
    assert all(f"Body number {i}" in first["tags/t1/feed.xml"] for i in (5, 9))
    (site.root / "build").rename(site.root / "first")
    site.build(parallel=parallel)  # every page again, the bodies from the cache
    assert {rel: site.out(rel) for rel in first} == first
    assert held == [{}, {}]
