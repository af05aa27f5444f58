"""One Astro post as it moves: what its file needs so that sitegen reads it as Astro did.

Part of `sitegen migrate` (ingest stage), for astro.py, which finds the posts and their old
addresses. Here, per file:

- an `.mdx` post becomes Markdown (mdx.py), its components and expressions listed as
  constructs not run;
- front matter keys sitegen reads under other names (`pubDatetime`, `updatedDate`,
  `heroImage`, `ogImage`) are added as `date`, `updated` and `image`, and a date written as
  JavaScript reads it (`pubDate: 'Jul 08 2022'`) as ISO 8601;
- an image named relative to the file (Astro's `image()`, `![](../../assets/x.jpg)`) that lies
  outside what moves with the post is copied to `static/` and named by its new address; one
  in `public/` by its address there;
- the front matter keys sitegen does nothing with are counted for the report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sitegen.content.article import CONTENT_EXTENSIONS, KEY_ALIASES, parse_date
from sitegen.content.frontmatter import split_front_matter
from sitegen.errors import SiteError
from sitegen.fsutil import is_inside
from sitegen.ingest.migrate.jsliterals import js_date
from sitegen.ingest.migrate.mdx import to_markdown
from sitegen.ingest.migrate.plan import Post, Setting, SourcePlan, walk_files
from sitegen.text.bodyscan import code_spans, in_spans, scan_images

MARKDOWN = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn", ".mdx")
# as `_plain` spells them: themes write `pubDate`, `pub_date`, `date_published`...
_DATE_KEYS = (
    *("date", "pubdate", "pubdatetime", "publishdate", "published", "publishedat"),
    *("datepublished", "datecreated", "createdat"),
)
_UPDATED_KEYS = (
    *("updated", "updateddate", "moddatetime", "lastmod", "modified", "updatedat"),
    *("dateedited", "dateupdated", "datemodified", "editedat"),
)
_IMAGE_KEYS = ("image", "heroimage", "ogimage", "cover", "coverimage")
# what sitegen reads under the name the file gives it
_READ = {
    *KEY_ALIASES,
    *(alias for aliases in KEY_ALIASES.values() for alias in aliases),
    *("title", "slug", "tags", "author", "authors", "draft", "listed", "lang", "status"),
    *("id", "uuid", "guid", "extra", "taxonomies"),
}
_MAPPED = {  # by `_plain` name
    **{key: "date" for key in _DATE_KEYS if key not in _READ},
    **{key: "updated" for key in _UPDATED_KEYS if key not in _READ},
    "heroimage": "image",
    "ogimage": "image",
    "coverimage": "image",
}
_WHY = {
    "layout": "an Astro layout: sitegen's theme is used instead",
    "canonicalurl": "kept in the front matter; sitegen's pages name their own address as canonical",
}
_REMOTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#")


def _plain(key: Any) -> str:
    """A front matter key in lower case without `_` and `-`."""
    return str(key).lower().replace("_", "").replace("-", "")


def _iso(value: Any) -> str | None:
    """A front matter date as text sitegen reads: as written when it reads it, else ISO 8601
    of the date JavaScript reads in it; None when it is no date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parse_date(value, dt.UTC)
        return value.strip()
    except ValueError:
        parsed = js_date(value)
        return parsed.isoformat() if parsed else None


def date_edits(meta: dict[str, Any]) -> dict[str, str]:
    """The front matter keys a post needs so that sitegen reads its dates as Astro did: a date
    sitegen cannot read rewritten as ISO 8601 under its own key; `date` or `updated` added when
    the file gives them only under a name sitegen does not read (`pubDatetime`)."""
    written: dict[str, str] = {}  # `_plain` name -> the key as the file writes it
    for k in meta:
        written.setdefault(_plain(k), str(k))
    edits: dict[str, str] = {}
    for keys, ours in ((_DATE_KEYS, "date"), (_UPDATED_KEYS, "updated")):
        present = [written[k] for k in keys if k in written and _iso(meta[written[k]]) is not None]
        for key in present:  # a YAML date object is read already; text maybe not
            iso, value = _iso(meta[key]), meta[key]
            if key.lower() in _READ and isinstance(value, str) and iso not in (None, value):
                edits[key] = str(iso)
        if present and not any(k.lower() in _READ for k in present):
            edits[ours] = str(_iso(meta[present[0]]))
    return edits


class PostReader:
    """Reads the posts of one Astro site into its plan, and the files they need."""

    def __init__(self, plan: SourcePlan, root: Path) -> None:
        self.plan = plan
        self.root = root
        self.public = root / "public"
        self.src = root / "src"
        self.copies: dict[Path, str] = {}  # a file a post shows -> its path under static/
        self.keys: Counter[str] = Counter()
        self.spelling: dict[str, str] = {}
        self._public_files: set[str] | None = None

    def read(self, file: Path, rel: str, tree: Path | None) -> Post:
        """The post for `file`, at `rel` under content/ (Markdown's own extension), added to
        the plan; `tree` is the folder that moves with it (its collection), whose files its
        relative links reach as before."""
        name = rel if rel.lower().endswith(CONTENT_EXTENSIONS) else rel.rsplit(".", 1)[0] + ".md"
        post = Post(file, name)
        self.plan.posts.append(post)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return post  # the load of the moved file reports it with its reason
        moved = text
        if file.suffix.lower() == ".mdx":
            moved, found = to_markdown(text)
            post.constructs += found
        try:
            fm = split_front_matter(moved, file)
        except SiteError:
            fm = None  # the load of the moved file reports it with its line
        if fm is not None:
            moved = self._body_images(file, tree, moved, fm.body_line)
            post.add_meta.update(date_edits(fm.meta))
            image = self._front_matter_image(file, tree, fm.meta)
            if image:
                post.add_meta["image"] = image
            for key in fm.meta:
                self.keys[str(key).lower()] += 1
                self.spelling.setdefault(str(key).lower(), str(key))
        if moved != text:
            post.text = moved
        return post

    def _front_matter_image(self, file: Path, tree: Path | None, meta: dict[str, Any]) -> str:
        """`image` for the post when sitegen would not find it as the file names it: under
        another key (`heroImage`), or a file that does not move with the post."""
        lower = {str(k).lower(): v for k, v in meta.items()}
        for key in _IMAGE_KEYS:
            value = lower.get(key)
            if isinstance(value, dict):
                value = value.get("src") or value.get("url") or value.get("path")
            if not isinstance(value, str) or not value.strip():
                continue
            moved = self._moved(file, tree, value.strip())
            return moved or ("" if key in _READ else value.strip())
        return ""

    def _body_images(self, file: Path, tree: Path | None, text: str, body_line: int) -> str:
        """`text` with each image of its body that would no longer be found named by its new
        address (outside code; the lines stay as they are)."""
        lines = text.split("\n")
        body = "\n".join(lines[body_line - 1 :])
        changes = {}
        for ref in scan_images(body, 1):
            moved = self._moved(file, tree, ref.src)
            if moved:
                changes[ref.src] = moved
        if not changes:
            return text
        spans = code_spans(body)
        pattern = re.compile(
            r"(?<=[(<\"'\s])("
            + "|".join(re.escape(k) for k in sorted(changes, key=len, reverse=True))
            + r")(?=[)>\"'\s]|$)"
        )
        body = pattern.sub(
            lambda m: changes[m.group(1)] if in_spans(m.start(), spans) is None else m.group(0),
            body,
        )
        return "\n".join([*lines[: body_line - 1], body])

    def _moved(self, file: Path, tree: Path | None, ref: str) -> str | None:
        """The site-root address a relative reference in `file` needs once moved; None when
        it needs none (an address, a remote or missing file, or one that moves with it)."""
        if not ref or ref.startswith("/") or _REMOTE.match(ref):
            return None
        path, mark, rest = ref.partition("#")
        path, question, query = path.partition("?")
        suffix = (f"?{query}" if question else "") + (f"#{rest}" if mark else "")
        target = Path(os.path.normpath(file.parent / unquote(path)))
        if not target.is_file() or not is_inside(target, self.root):
            return None
        if tree is not None and is_inside(target, tree):
            return None
        if is_inside(target, self.public):
            return "/" + target.relative_to(self.public).as_posix() + suffix
        if target not in self.copies:
            inside_src = is_inside(target, self.src)
            rel = target.relative_to(self.src if inside_src else self.root).as_posix()
            if rel in self.public_files():  # a file of public/ has that address already
                rel = target.relative_to(self.root).as_posix()
            self.copies[target] = rel
        return "/" + self.copies[target] + suffix

    def public_files(self) -> set[str]:
        if self._public_files is None:
            self._public_files = {
                f.relative_to(self.public).as_posix() for f in walk_files(self.public)
            }
        return self._public_files

    def copied_from(self, folder: Path) -> bool:
        return any(is_inside(target, folder) for target in self.copies)

    def finish(self) -> None:
        """The copied images into the plan, and the report's lines on front matter keys."""
        for target, rel in sorted(self.copies.items()):
            self.plan.files.append((target, f"static/{rel}"))
        for key, count in sorted(self.keys.items()):
            shown = f"{self.spelling[key]} (front matter)"
            if key not in _READ and _plain(key) in _MAPPED:
                ours = _MAPPED[_plain(key)]
                self.plan.report.append(
                    Setting(
                        shown, f"{count} file(s)", ours, f"added to the front matter as `{ours}`"
                    )
                )
            elif key not in _READ:
                why = _WHY.get(
                    key,
                    f"kept in the front matter (`article.meta.{self.spelling[key]}` in "
                    "templates); sitegen itself does nothing with it",
                )
                self.plan.not_carried(shown, f"{count} file(s)", why)
