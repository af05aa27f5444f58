"""Each moved post, read as sitegen will read it: its new address and how the old one
survives, the constructs sitegen does not run, its links to pages that were not moved, the
pictures it shows that were not moved (missing_images.py), and a title when it has none
(titles.py).

Part of `sitegen migrate` (ingest stage), between the generator readers and writer.py. The
posts are loaded with sitegen's own content reader (`load_article`), so what the report says
is what a build will do: the template constructs come from content/foreign.py's detection.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import count
from pathlib import Path
from typing import Any
from unicodedata import normalize
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.config import SiteConfig
from sitegen.content.address import article_url
from sitegen.content.article import TITLE_FROM_FILE_NAME, Article, SourceFile, load_article
from sitegen.content.frontmatter import split_front_matter
from sitegen.content.links import LinkTargets, names_file, resolve
from sitegen.errors import Diagnostics, SiteError
from sitegen.ingest.migrate.common import lang_suffix, strip_lang
from sitegen.ingest.migrate.frontmatter_edit import add_keys
from sitegen.ingest.migrate.missing_images import (
    find_missing_images,
    image_found,
    published_files,
)
from sitegen.ingest.migrate.plan import Post, Setting, SourcePlan, sitegen_makes
from sitegen.ingest.migrate.titles import needs_title, title_for
from sitegen.text.bodyscan import code_spans, in_spans
from sitegen.text.slugs import is_slug
from sitegen.text.urls import is_local


@dataclass
class Construct:
    line: int
    construct: str
    instead: str


@dataclass
class Outcome:
    """One post after planning: where it lands and what its file needs added."""

    post: Post
    article: Article | None
    new_url: str | None = None
    how: str = ""
    edits: dict[str, Any] = field(default_factory=dict)  # front matter keys to add or replace
    constructs: list[Construct] = field(default_factory=list)
    outside_links: list[tuple[int, str]] = field(default_factory=list)
    missing_images: list[tuple[int, str]] = field(default_factory=list)  # (line, image)
    title_given: tuple[str, str] | None = None  # (title, why): the post had none
    errors: list[SiteError] = field(default_factory=list)
    # a line of the file as the build reads it -> that line in the source file
    source_line: Callable[[int | None], int | None] = lambda n: n


def site_config(plan: SourcePlan, dest: Path) -> SiteConfig:
    """The settings the posts are read with: what site.yaml will say about language, time
    zone, permalink and `extra:` (built directly: `languages` may be newer than this
    sitegen)."""
    language = (
        plan.languages[0]["code"] if plan.languages else str(plan.settings.get("language", "en"))
    )
    timezone = str(plan.settings.get("timezone", "UTC"))
    if not _valid_zone(timezone):
        timezone = "UTC"
    extra = plan.settings.get("extra")
    return SiteConfig(
        root=dest,
        language=language,
        timezone=timezone,
        permalink=plan.permalink or "/{slug}/",
        unicode_slugs=plan.settings.get("unicode_slugs") is True,
        extra=extra if isinstance(extra, dict) else {},  # `{{ site.x }}` values posts show
    )


def _carry_unicode_slugs(plan: SourcePlan) -> None:
    """`unicode_slugs: true` when a moved post's old address holds letters beyond ASCII
    (`/2020-01-02/01_네트워크-기본/`): sitegen's slugs then keep them, so such a post keeps its
    address (by its own slug) instead of getting a transliterated one and a redirect."""
    old = next(
        (
            post.old_url
            for post in plan.posts
            if post.old_url
            and post.add_meta.get("listed") is not False  # a page of its own keeps its `url`
            and not unquote(post.old_url).isascii()
        ),
        None,
    )
    if old is None or "unicode_slugs" in plan.settings:
        return
    plan.settings["unicode_slugs"] = True
    plan.report.append(
        Setting(
            "post addresses", unquote(old), "unicode_slugs", "true: letters of every script kept"
        )
    )


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def predicted_url(article: Article, config: SiteConfig, slug: str | None = None) -> str:
    """The address sitegen gives an article (the site model's own rule)."""
    return article_url(article, config, slug)


def _same(a: str, b: str) -> bool:
    return normalize("NFC", unquote(a)) == normalize("NFC", unquote(b))


def _source_file(post: Post, dest: Path) -> SourceFile:
    name = Path(post.rel).name
    lang = lang_suffix(name)  # a folder's language is set on the article afterwards
    stem = strip_lang(name.rsplit(".", 1)[0])
    folder = posixpath.dirname(post.rel)
    bundle = folder if stem == "index" and folder else None
    resources = (
        tuple(sorted(posixpath.relpath(rel, folder) for _, rel in post.bundle_files))
        if bundle
        else ()
    )
    key = bundle or (f"{folder}/{stem}" if folder else stem)
    return SourceFile(dest / "content" / post.rel, post.rel, lang, key, bundle, resources)


NO_OLD_ADDRESS = "no old address known"


def plan_articles(plan: SourcePlan, dest: Path) -> list[Outcome]:
    _carry_unicode_slugs(plan)
    config = site_config(plan, dest)
    outcomes: list[Outcome] = []
    named: list[Outcome] = []
    for post in list(plan.posts):
        if post.add_meta.get("listed") is False and post.old_url and sitegen_makes(post.old_url):
            plan.posts.remove(post)
            plan.leave(post.src, f"a page at {post.old_url}, where sitegen makes its own")
            continue
        diag = Diagnostics()
        try:
            data = post.text.encode("utf-8") if post.text is not None else post.src.read_bytes()
        except OSError as exc:
            outcomes.append(
                Outcome(
                    post,
                    None,
                    errors=[SiteError(f"cannot read: {exc.strerror}", plan.display(post.src))],
                )
            )
            continue
        moved = _with_keys(data, post.add_meta)  # as the build will read it
        article = load_article(_source_file(post, dest), config, diag, data=moved)
        given = None
        if article is None and needs_title(diag.errors):  # Hugo, Zola, Astro build it untitled
            given = title_for(moved.decode("utf-8", "replace"), post.rel)
            post.add_meta["title"] = given[0]
            diag = Diagnostics()
            moved = _with_keys(data, post.add_meta)
            article = load_article(_source_file(post, dest), config, diag, data=moved)
        if article is not None and plan.resources_any_case:
            renamed = _resource_names(data, article)
            if renamed is not None:  # the file as it moves names its pictures as they are
                post.text, data = renamed.decode("utf-8"), renamed
                moved = _with_keys(data, post.add_meta)
                article = load_article(_source_file(post, dest), config, diag, data=moved)
        if article is not None and post.lang:
            article = dataclasses.replace(article, lang=post.lang)
        source_line = _line_map(data, moved)  # lines as the source file numbers them
        out = Outcome(post, article, title_given=given, source_line=source_line)
        if article is not None and any(w.message == TITLE_FROM_FILE_NAME for w in diag.warnings):
            named.append(out)  # titled from its file name: as long as it has no front matter
        shown = plan.display(post.src)
        out.errors = [
            dataclasses.replace(e, path=shown, line=source_line(e.line)) for e in diag.errors
        ]
        for w in diag.warnings:
            if w.line is not None and " is not run by sitegen; " in w.message:
                construct, instead = w.message.split(" is not run by sitegen; ", 1)
                out.constructs.append(Construct(source_line(w.line), construct, instead))
        out.constructs += [Construct(*found) for found in post.constructs]
        out.constructs += _more_constructs(data, plan.generator)
        out.constructs.sort(key=lambda c: c.line)
        outcomes.append(out)
        if article is None:
            out.how = "not read: see the errors"
            continue
        # an undated post's address is known when the permalink has no date in it
        dated = re.search(r"\{(year|month|day)\}", config.permalink)
        known = article.has_date or article.url or not dated
        out.new_url = predicted_url(article, config) if known else ""
        if article.draft or post.old_url is None:
            out.how = "a draft: not published on the old site" if article.draft else NO_OLD_ADDRESS
            continue
        if post.add_meta.get("listed") is False:  # a page of its own keeps its very address
            if not (article.url and _same(article.url, post.old_url)):
                out.edits["url"] = post.old_url
            out.new_url = post.old_url
            out.how = "same address (a page of its own: `listed: false`, its own `url`)"
        elif _same(out.new_url, post.old_url):
            out.how = "same address"
        elif _same(out.new_url.casefold(), post.old_url.casefold()):
            # `/blog/XKCD-plots/` lowercased: a redirect there would be the page itself on a
            # case-insensitive host, so the article keeps its old address as it was written
            out.edits["url"] = post.old_url
            out.new_url = post.old_url
            out.how = "same address (own url: its letter case kept)"
        elif (
            post.old_slug
            and is_slug(post.old_slug, config.unicode_slugs)
            and not article.url
            and _same(predicted_url(article, config, post.old_slug), post.old_url)
        ):
            out.edits["slug"] = post.old_slug
            out.new_url = post.old_url
            out.how = "same address (slug carried over)"
        else:
            out.how = "redirect page at the old address"
            out.edits["aliases"] = _merged_aliases(article, post.old_url)
    _resolve_collisions(outcomes)
    _keep_names_as_titles(named)
    _outside_links(outcomes, published_files(plan, outcomes))
    find_missing_images(plan, outcomes)
    return outcomes


def _resource_names(data: bytes, article: Article) -> bytes | None:
    """The file with each picture that names a file of its page bundle in another letter case
    (`diagram.svg` for `Diagram.svg`) renamed as the file is; None when none does. Hugo found
    a page's resources in any case, a static host finds only the name as it is."""
    if article.bundle is None or not article.resources:
        return None
    real: dict[str, list[str]] = {}
    for name in article.resources:
        real.setdefault(name.casefold(), []).append(name)
    renames: dict[str, str] = {}
    for src in {*(ref.src for ref in article.images), article.image}:
        cut = len(re.split(r"[?#]", src, maxsplit=1)[0])
        path, tail = src[:cut], src[cut:]
        plain = unquote(path)
        if not plain or plain.startswith("/") or not is_local(plain):
            continue
        rel = posixpath.normpath(plain)
        names = real.get(rel.casefold(), [])
        if rel in article.resources or len(names) != 1:
            continue  # found as it is, or not a file of the bundle (or two in other cases)
        name = quote(names[0]) if plain != path else names[0]
        renames[src] = ("./" if path.startswith("./") else "") + name + tail
    if not renames:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # each reference as written where a Markdown image, an HTML attribute, a shortcode
    # parameter or a front matter value has it (the name in a sentence is left as it is)
    pattern = re.compile(
        r"(?:(?<=[(<\"'=])|(?<=[:=][ \t]))("
        + "|".join(re.escape(s) for s in sorted(renames, key=len, reverse=True))
        + r")(?![^\s)\"'>])"
    )
    return pattern.sub(lambda m: renames[m.group(1)], text).encode("utf-8")


def _keep_names_as_titles(named: list[Outcome]) -> None:
    """A post with no front matter and no `# heading` is titled from its file name; the keys
    the migration adds (`aliases`) give it front matter, where a title is required: that title
    goes in with them, or the build would stop at the post."""
    for out in named:
        if out.article is None or not out.edits or out.post.add_meta or out.article.meta:
            continue  # it has front matter, or was read with the keys it gets (add_meta)
        out.edits = {"title": out.article.title, **out.edits}
        out.title_given = (out.article.title, "no front matter: from the file name, as before")


def _with_keys(data: bytes, keys: dict[str, Any]) -> bytes:
    """The file's bytes with the keys the old site implied added to its front matter, as the
    writer adds them: what the build reads (an Astro post's `date` that sitegen can read)."""
    if not keys:
        return data
    try:
        return add_keys(data.decode("utf-8"), keys).encode("utf-8")
    except (UnicodeDecodeError, SiteError, StopIteration, ValueError):
        return data  # the load reports what is wrong with the file


def _line_map(before: bytes, after: bytes) -> Callable[[int | None], int | None]:
    """Line numbers of `after` (a file with front matter keys added) as lines of `before`:
    the body moves by the lines added; a line that was added counts as where it went in."""
    if before is after:
        return lambda n: n
    old = before.decode("utf-8", "replace").split("\n")
    new = after.decode("utf-8", "replace").split("\n")
    same_end = 0  # the body: the same lines at the end of both
    while same_end < min(len(old), len(new)) and old[-1 - same_end] == new[-1 - same_end]:
        same_end += 1
    head_old, head_new = len(old) - same_end, len(new) - same_end
    mapping: dict[int, int] = {}
    matcher = SequenceMatcher(None, old[:head_old], new[:head_new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(j2 - j1):
            mapping[j1 + k + 1] = i1 + (k if tag == "equal" else min(k, max(i2 - i1 - 1, 0))) + 1

    def line(n: int | None) -> int | None:
        if n is None:
            return None
        return n - (head_new - head_old) if n > head_new else mapping.get(n, n)

    return line


def _merged_aliases(article: Article, old: str) -> list[str]:
    """The article's aliases (or Jekyll redirect_from, which sitegen reads only when there is no
    `aliases` key) plus the old address, which replaces one differing from it only in letter
    case (a Hugo site's `/post/UOJ-Backup` beside the `/post/uoj-backup/` Hugo served): of two
    such, a case-insensitive host keeps one file."""
    key = old.strip("/").casefold()
    return [a for a in article.aliases if a.strip("/").casefold() != key] + [old]


def _resolve_collisions(outcomes: list[Outcome]) -> None:
    """Two posts the new permalink would put on one address keep their old ones (`url:`).
    Two that shared one old address too (the old generator wrote one over the other: Jekyll
    warns of a conflict and goes on) cannot both: the first by source path keeps it, each
    other gets the next free address beside it (`-2`, `-3`), and the report says so. Addresses
    are compared without letter case, as the build compares them, redirect pages included."""
    live = [o for o in outcomes if o.new_url and o.article and not o.article.draft]
    counts = Counter(o.new_url.casefold() for o in live)
    for out in live:
        if counts[out.new_url.casefold()] > 1 and out.post.old_url:
            out.edits.pop("aliases", None)
            out.edits.pop("slug", None)
            out.edits["url"] = out.post.old_url
            out.new_url = out.post.old_url
            out.how = "same address (own url: the permalink would give two posts one address)"
    # what each post's page and redirect page stand at, told apart as the build tells them:
    # without letter case (`/ETC/` and `/etc/` are one folder on many hosts)
    used = {o.new_url.casefold() for o in live} | {
        o.post.old_url.casefold() for o in live if o.post.old_url and "aliases" in o.edits
    }
    claimed: dict[str, Outcome] = {}
    for out in sorted(live, key=lambda o: o.post.rel):
        url, old = out.new_url, out.post.old_url
        owner = claimed.setdefault(url.casefold(), out)
        if owner is not out:
            new = _beside(url, used)
            used.add(new.casefold())
            out.edits.pop("aliases", None)
            out.edits.pop("slug", None)
            out.edits["url"] = new
            out.new_url = new
            claimed[new.casefold()] = out
            out.how = (
                f"new address: its old one (or one differing only in letter case) was also "
                f"{owner.post.rel}'s, which keeps it (the old site showed one of them there)"
            )
        elif old and "aliases" in out.edits and claimed.setdefault(old.casefold(), out) is not out:
            # its old address differs from another post's only in letter case: that post's
            # page stands there now
            rest = [a for a in out.edits["aliases"] if a != old]
            if rest:
                out.edits["aliases"] = rest
            else:
                del out.edits["aliases"]
            out.how = (
                f"no redirect: its old address is {claimed[old.casefold()].post.rel}'s page "
                "now (the two differ only in letter case)"
            )


def _beside(url: str, used: set[str]) -> str:
    """The first free address numbered beside `url`: `/a/b/` -> `/a/b-2/`, `/a/b.html` ->
    `/a/b-2.html`."""
    head, dot, tail = url.rpartition(".")
    if url.endswith("/"):
        stem, end = url.rstrip("/"), "/"
    elif dot and "/" not in tail:
        stem, end = head, "." + tail
    else:
        stem, end = url, ""
    return next(f"{stem}-{n}{end}" for n in count(2) if f"{stem}-{n}{end}".casefold() not in used)


def _outside_links(outcomes: list[Outcome], published: set[str]) -> None:
    """Fill each outcome's `outside_links`: links to content files that did not move, and
    Pelican file links to files no moved file provides (`published`: their site-root URLs),
    each found as the build finds it (content/links.py)."""
    moved = LinkTargets(set(published), {o.post.rel: o.new_url or "/" for o in outcomes}, {})
    for out in outcomes:
        article = out.article
        if article is None:
            continue
        for link in article.links:
            if names_file(link):
                if image_found(link, article, out.new_url or "", published, out.post.old_url):
                    continue  # a file the migration publishes, where the link finds it
            elif resolve(link, article, moved) is not None:
                continue
            pos = article.body.find(link)
            line = article.body_line + (article.body.count("\n", 0, pos) if pos >= 0 else 0)
            out.outside_links.append((out.source_line(line) or line, link))


_BLOCK_IAL = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$", re.M)
_INLINE_IAL = re.compile(r"(?<=[)\]])\{:[^}\n]*\}")
_ICON = re.compile(r"(?<![\w:]):((?:material|fontawesome|octicons|simple)-[a-z0-9-]+):(?![\w:])")
_EMOJI = re.compile(r"(?<![\w:/]):([a-z0-9_+]+(?:-[a-z0-9_+]+)*):(?![\w:/])")


def _more_constructs(data: bytes, generator: str) -> list[Construct]:
    """Syntax the content reader passes over without a warning: kramdown attribute lists and
    Material for MkDocs icon and emoji shortcodes."""
    try:
        fm = split_front_matter(data.decode("utf-8"), "")
    except (UnicodeDecodeError, SiteError):
        return []
    body = fm.body
    if "{:" not in body and ":" not in body:
        return []
    spans = code_spans(body)
    found: list[Construct] = []

    def line(pos: int) -> int:
        return fm.body_line + body.count("\n", 0, pos)

    for m in _BLOCK_IAL.finditer(body):
        if in_spans(m.start(), spans) is None:
            found.append(
                Construct(
                    line(m.start()),
                    f"kramdown attribute list '{m.group(0).strip()}'",
                    "left out: the block shows without that class",
                )
            )
    for m in _INLINE_IAL.finditer(body):
        if in_spans(m.start(), spans) is None:
            found.append(
                Construct(
                    line(m.start()),
                    f"kramdown attribute list '{m.group(0)}'",
                    "shown as text after the image or link (sitegen reads the {.class} form)",
                )
            )
    if generator == "MkDocs":
        for m in _ICON.finditer(body):
            if in_spans(m.start(), spans) is None:
                found.append(
                    Construct(
                        line(m.start()),
                        f"MkDocs icon shortcode ':{m.group(1)}:'",
                        "no icon: the shortcode shows as text",
                    )
                )
        for m in _EMOJI.finditer(body):
            if in_spans(m.start(), spans) is None and not _ICON.match(m.group(0)):
                found.append(
                    Construct(
                        line(m.start()),
                        f"MkDocs emoji shortcode ':{m.group(1)}:'",
                        "no emoji: the shortcode shows as text",
                    )
                )
    return found
