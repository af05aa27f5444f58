"""The whole plan of one build: every file the output folder will hold, decided before anything
is rendered or written.

Two pure steps, with the engine's reading between them:
1. `copy_sources` lists the files to copy (theme and site `static/`, content files, page
   bundles) from the site model; the engine then stamps them (size, mtime) and measures the
   images among them, through its caches, and gathers the related lists and search files.
2. `plan_build` takes the site, the config and those `PlanInputs` and returns a frozen
   `BuildPlan`: the pages with complete template contexts (what each body's images and links
   resolve to included; an article's page, in a build that keeps no plan, with what makes its
   context where it is rendered), every copied and generated file with its fingerprint
   (search index, resized images), the resized images the engine must have made, and the link
   targets pages are rendered against. Two outputs on one path follow the rules of site/outputs.py.
`plan_edited` is the part of that plan an edit of what articles say reaches, for a build
whose last plan stands for the rest (engine/record.py).
Neither reads or writes a file. pipeline/steps.py compares the plan's fingerprints with the last
build's manifest and renders and writes only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from sitegen.config import SiteConfig
from sitegen.content.article import Article
from sitegen.errors import Diagnostics, SiteError
from sitegen.fsutil import is_inside, sha1_bytes
from sitegen.render.assets import Asset
from sitegen.render.images import ImageMap, Variant, plan_variants, variant_copies
from sitegen.render.localize import LinkTargets, add_reference_fingerprints
from sitegen.site.model import Site
from sitegen.site.outputs import (
    BUNDLE,
    CONTENT,
    GENERATED,
    STATIC,
    THEME,
    Copy,
    as_sources,
    check_pages_against_copies,
    merge_copies,
    pages_without,
    writable_pages,
)
from sitegen.site.plan import (
    ArticlePages,
    LazyViews,
    Listings,
    PageJob,
    Recall,
    feed_jobs,
    listings_showing,
    own_page_links,
    plan_listings,
    plan_pages,
)

# what a copied file's bytes come from: a file, bytes, or a function making them (search files
# the engine keeps as they were, read only if the output lacks them)
Source = Union[Path, bytes, Callable[[], bytes]]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True)
class SourceFile:
    """One file to copy as it is: where it goes, where it comes from, who asked for it."""

    out_path: str
    path: Path
    origin: str  # THEME, STATIC, CONTENT or BUNDLE (site/outputs.py)
    label: str  # the file as a message names it


@dataclass(frozen=True)
class PlanInputs:
    """What the engine read from disk and from its caches for the plan; the plan reads nothing
    else, so it is a pure function of these, the site and the config."""

    related: Mapping[str, Sequence[str]]  # article rel -> the rels of its related articles
    assets: Sequence[Asset]  # theme and site static/ (render/assets.py)
    files: Sequence[SourceFile]  # `copy_sources` of this site
    stamps: Mapping[Path, str]  # size and mtime of each file that still exists
    search: Mapping[str, tuple[Source, str]]  # search index files: path -> (bytes, fingerprint)
    measured: Mapping[str, tuple[str, int, int]]  # image output path -> (digest, width, height)
    image_key: str  # the key of the code that resizes images (engine/keys.py)
    unpublished: frozenset[str] = frozenset()  # content paths of drafts, future posts


@dataclass(frozen=True)
class BuildPlan:
    """Every output of one build. Pages are rendered by the engine from their contexts alone;
    copies are written as they are; `variants` must be in the image cache before copying."""

    pages: tuple[PageJob, ...]
    copies: Mapping[str, tuple[Source, str]]  # output path -> (source, fingerprint)
    variants: tuple[tuple[Path, Variant], ...]  # resized copies to make, with their original
    targets: LinkTargets
    problems: tuple[SiteError, ...]  # missing images (errors, or warnings with keep_going)
    views: Mapping[str, dict]  # listing views the page contexts share, by article (unchanged)
    # `plan_edited`'s: only the pages an edit reaches (the rest are the last build's)
    partial: bool = False


def bundle_home(site: Site, article: Article) -> Article:
    """The version of an article whose page a bundle's files are copied beside: the first (in
    the default language) of the versions sharing its folder. Translations in language folders
    (content/ja/post/) have bundles of their own."""
    versions = site.translations.get(article.translation_key, [article])
    return next((v for v in versions if v.bundle == article.bundle), article)


def copy_sources(
    site: Site, assets: Sequence[Asset], statics: Sequence[str], config: SiteConfig
) -> list[SourceFile]:
    """Every file copied as it is, in the order the collision rules read them: theme and site
    static/ (generated theme files are not files: see `plan_build`), content files, bundles."""
    site_static = config.path(config.static_dir)
    root = config.root.resolve()

    def label(path: Path) -> str:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)

    out: list[SourceFile] = []
    for asset in assets:
        if asset.source is not None:
            origin = STATIC if is_inside(asset.source, site_static) else THEME
            out.append(SourceFile(asset.url.lstrip("/"), asset.source, origin, label(asset.source)))
    content = config.content_path
    for rel in statics:
        out.append(SourceFile(rel, content / rel, CONTENT, label(content / rel)))
    done: set[str] = set()
    for article in site.pages:
        if article.bundle is None or article.bundle in done:
            continue
        done.add(article.bundle)
        base = site.url(bundle_home(site, article))
        for rel in article.resources:
            path = content / article.bundle / rel
            out.append(SourceFile((base + rel).lstrip("/"), path, BUNDLE, label(path)))
    return out


def plan_build(
    site: Site,
    config: SiteConfig,
    inputs: PlanInputs,
    diag: Diagnostics,
    listings: Listings | None = None,
    recall: Recall | None = None,
    lazy: bool = False,
    settled: Container[str] = (),
) -> BuildPlan:
    """The whole build, decided: see the module docstring. Errors and warnings (collisions,
    pages the plan cannot make) go to `diag`; missing images come back as `problems`.
    `listings` is this site's `site.plan.plan_listings`, when the engine made it already;
    `recall` hands back parts the last plan made from the same inputs (site/plan.py); with
    `lazy`, the articles' and listings' pages' contexts are made where they are rendered
    (site/plan.py's `ArticleContext` and `ListingContext`: a build that keeps no plan for the
    next need not hold them), and for the articles in `settled` (those whose pages keep their
    last fingerprint: engine/record.py) their inputs are gathered there too."""
    listings = plan_listings(site, lazy=lazy) if listings is None else listings
    views = listings.views
    pages = writable_pages(
        plan_pages(
            site,
            diag,
            related=inputs.related,
            listings=listings,
            recall=recall,
            lazy=lazy,
            settled=settled,
        ),
        diag,
    )
    return _with_copies(site, config, inputs, diag, pages, views)


def plan_edited(
    site: Site,
    config: SiteConfig,
    inputs: PlanInputs,
    diag: Diagnostics,
    redo: Collection[str],
    edited: Container[str],
    viewed: Collection[str] = (),
) -> BuildPlan:
    """The part of `plan_build`'s plan that an edit of what articles say (their bodies, and
    what listings show of them) can change, when the engine knows the rest is the last
    build's (engine/record.py): the own pages of the articles in `redo` (the `edited` ones,
    those whose related lists changed, and those showing a changed view), the feeds listing
    an edited article (an entry holds its body's hash), for the `viewed` (listed articles
    whose listing view changed) the listing and archive pages showing them and their redirect
    pages (which name their titles), and every copied and generated file; the link targets
    and the missing-image problems of every article, as `plan_build` gives them. Listing views
    are made for the articles these pages show (`LazyViews`)."""
    views = LazyViews(site)
    listings = Listings(views, [], own_page_links(site))
    made = ArticlePages(site, listings, inputs.related, lazy=True)
    pages = [made.job(article) for article in site.pages if article.rel in redo]
    if viewed:
        pages.extend(listings_showing(site, views, viewed))
        for article in site.pages:
            if article.rel in viewed:
                pages.extend(made.aliases(article))
    pages.extend(feed_jobs(site, views, edited))
    return _with_copies(site, config, inputs, diag, writable_pages(pages, diag), views, True)


def _with_copies(
    site: Site,
    config: SiteConfig,
    inputs: PlanInputs,
    diag: Diagnostics,
    pages: list[PageJob],
    views: Mapping[str, dict],
    partial: bool = False,
) -> BuildPlan:
    """The plan of `pages`: with the copied and generated files (those on a page's path
    reported), the link targets, and what each body's references resolve to."""
    candidates: list[tuple[str, Copy]] = []
    for asset in inputs.assets:
        if asset.source is None:  # made by the theme code (e.g. the search script's data)
            data, path = asset.data or b"", asset.url.lstrip("/")
            candidates.append((path, Copy(data, sha1_bytes(data), THEME, path)))
    for f in inputs.files:
        if f.path in inputs.stamps:
            candidates.append((f.out_path, Copy(f.path, inputs.stamps[f.path], f.origin, f.label)))
    for path, (data, fp) in inputs.search.items():
        candidates.append((path, Copy(data, fp, GENERATED, "the search index")))
    # resized images, beside every copied image and on no other output's path
    originals = {path: c.source for path, c in candidates if isinstance(c.source, Path)}
    measured = {path: m for path, m in inputs.measured.items() if path in originals}
    image_dir = config.cache_path / "images"
    info, variants = plan_variants(
        measured, originals, tuple(sorted({w for w in config.image_widths if w > 0}))
    )
    for path, (src, fp) in variant_copies(variants, image_dir, inputs.image_key).items():
        candidates.append((path, Copy(src, fp, GENERATED, "an image variant")))
    chosen, unwritable = check_pages_against_copies(
        pages, merge_copies(candidates, diag), diag, site.pages
    )
    pages = pages_without(pages, chosen, unwritable)
    targets = link_targets(site, config, chosen, ImageMap(info), inputs.unpublished)
    pages, problems = add_reference_fingerprints(pages, site.pages, targets)  # complete now
    return BuildPlan(
        pages=tuple(pages),
        copies=as_sources(chosen),
        variants=tuple((originals[v.source], v) for v in variants),
        targets=targets,
        problems=tuple(problems),
        views=views,
        partial=partial,
    )


def link_targets(
    site: Site,
    config: SiteConfig,
    copies: Mapping[str, Copy],
    images: ImageMap | None = None,
    unpublished: frozenset[str] = frozenset(),
) -> LinkTargets:
    """What a reference in a body may point at: every copied file and every article's page."""
    files = {"/" + path for path in copies}
    bundle_urls: dict[str, str] = {}
    for article in site.pages:
        if article.bundle is not None and article.bundle not in bundle_urls:
            bundle_urls[article.bundle] = site.url(bundle_home(site, article))
    return LinkTargets(
        files=files,
        articles={a.rel: site.url(a) for a in site.pages},
        bundle_urls=bundle_urls,
        file_urls=config.file_urls,
        base_url=config.base_url,
        images=images,
        figures=config.figures,
        broken_links=config.broken_links,
        unpublished=set(unpublished),
        terms={
            f"{kind}/{key}".casefold(): term.url
            for kind, terms in (("tags", site.tags), ("categories", site.categories))
            for term in terms
            for key in (term.slug, term.name)
        },
    )
