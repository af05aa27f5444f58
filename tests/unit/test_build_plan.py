"""The whole plan (sitegen/plan.py): every output of a build from the site, the config and what
the engine read, without touching the disk (every path here names a folder that does not
exist, so a read would fail)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sitegen.config import SiteConfig
from sitegen.errors import Diagnostics
from sitegen.plan import BuildPlan, PlanInputs, copy_sources, plan_build
from sitegen.render.assets import Asset
from sitegen.site.model import BuildOptions, build_site
from sitegen.text.bodyscan import ImageRef
from tests.unit.test_plan import NOW, make_article

ROOT = Path("/nonexistent/site")


def make_plan(articles, assets=(), statics=(), search=None, measured=None, **settings):
    config = dataclasses.replace(SiteConfig(root=ROOT), **settings)
    diag = Diagnostics()
    site = build_site(articles, config, BuildOptions(now=NOW), diag)
    files = copy_sources(site, list(assets), list(statics), config)
    inputs = PlanInputs(
        related={},
        assets=list(assets),
        files=files,
        stamps={f.path: f"stamp:{f.out_path}" for f in files},
        search=search or {},
        measured=measured or {},
        image_key="k" * 40,
    )
    return plan_build(site, config, inputs, diag), diag, config


def test_every_output_is_in_the_plan():
    bundle = make_article(
        1,
        rel="post/index.md",
        slug="post",
        bundle="post",
        resources=("photo.jpg",),
        images=(ImageRef("photo.jpg", 5, "A photo"),),
    )
    plan, diag, config = make_plan(
        [bundle, make_article(2)],
        assets=[Asset("/style.css", ROOT / "static/style.css"), Asset("/gen.css", None, b"x{}")],
        statics=["files/report.pdf"],
        search={"search/index.json": (b"{}", "search-fp")},
        measured={"post/photo.jpg": ("d1", 2000, 1000)},
        image_widths=(480, 960),
    )
    assert not diag.errors
    assert isinstance(plan, BuildPlan)
    paths = {job.path for job in plan.pages}
    assert {"index.html", "post/index.html", "a2/index.html", "sitemap.xml"} <= paths
    copies = plan.copies
    assert copies["style.css"] == (ROOT / "static/style.css", "stamp:style.css")
    assert copies["gen.css"][0] == b"x{}"
    assert copies["files/report.pdf"][0] == config.content_path / "files/report.pdf"
    assert copies["post/photo.jpg"][0] == config.content_path / "post/photo.jpg"
    assert copies["search/index.json"] == (b"{}", "search-fp")
    # the resized copies: outputs of the plan, and work for the engine
    assert {"post/photo-480w.webp", "post/photo-960w.webp"} <= set(copies)
    assert [v.out_path for _, v in plan.variants] == [
        "post/photo-480w.webp",
        "post/photo-960w.webp",
    ]
    assert all(src == config.content_path / "post/photo.jpg" for src, _ in plan.variants)
    assert "/post/photo.jpg" in plan.targets.files
    assert plan.targets.images.info["/post/photo.jpg"].width == 2000
    # the page's context already holds what its image resolves to: another size, another page
    resized, _, _ = make_plan(
        [bundle, make_article(2)],
        measured={"post/photo.jpg": ("d1", 1600, 800)},
        image_widths=(480, 960),
    )

    def references(p: BuildPlan) -> str:
        return next(job for job in p.pages if job.path == "post/index.html").context["references"]

    assert references(plan) != references(resized)


def test_a_missing_image_is_a_problem_of_the_plan_naming_file_and_line():
    article = make_article(1, images=(ImageRef("gone.png", 7, "x"),))
    plan, diag, _ = make_plan([article])
    assert [(p.path, p.line) for p in plan.problems] == [("content/a1.md", 7)]
    assert "gone.png" in plan.problems[0].message


def test_a_copy_on_a_page_path_is_an_error_naming_both():
    plan, diag, _ = make_plan(
        [make_article(1)], assets=[Asset("/a1/index.html", ROOT / "static/a1/index.html")]
    )
    assert len(diag.errors) == 1
    message = diag.errors[0].message
    assert "/a1/index.html" in message and "content/a1.md" in message
    assert "a1/index.html" not in plan.copies


def test_the_plan_is_frozen():
    plan, _, _ = make_plan([make_article(1)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.pages = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.pages[0].url = "/elsewhere/"  # type: ignore[misc]


def test_a_file_gone_before_it_was_stamped_is_not_copied():
    config = SiteConfig(root=ROOT)
    diag = Diagnostics()
    site = build_site([make_article(1)], config, BuildOptions(now=NOW), diag)
    files = copy_sources(site, [], ["a.pdf", "b.pdf"], config)
    stamps = {f.path: "s" for f in files if f.out_path == "a.pdf"}
    inputs = PlanInputs({}, [], files, stamps, {}, {}, "k")
    plan = plan_build(site, config, inputs, diag)
    assert "a.pdf" in plan.copies and "b.pdf" not in plan.copies
