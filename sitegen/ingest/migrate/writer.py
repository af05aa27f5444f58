"""Writing DEST: content files (with the front matter keys the addresses need), static files,
`site.yaml` and the report `MIGRATION.md` (`sitegen migrate`, ingest stage).

Never writes into SOURCE (every target is checked), never replaces a file in DEST that holds
other bytes (it is listed as a conflict instead), never replaces a site.yaml it did not write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from sitegen.errors import SiteError
from sitegen.fsutil import is_inside
from sitegen.ingest.migrate.articles import NO_OLD_ADDRESS, Outcome
from sitegen.ingest.migrate.frontmatter_edit import add_keys
from sitegen.ingest.migrate.plan import SourcePlan

REPORT_NAME = "MIGRATION.md"
HEADER = "# Written by `sitegen migrate`"
_URL_RE = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


@dataclass
class Written:
    """What the writer did, for the report and the exit status."""

    files: int = 0  # copied or written
    unchanged: int = 0  # already in DEST with the same bytes
    conflicts: list[str] = field(default_factory=list)  # in DEST with other bytes: not replaced
    site_yaml: str = ""  # the text of site.yaml as migrate would write it
    site_yaml_kept: bool = False  # DEST already had a different site.yaml


def _check_settings(plan: SourcePlan) -> None:
    """Values site.yaml would refuse are not carried over (and the report says why)."""
    checks = {
        "base_url": lambda v: isinstance(v, str) and _URL_RE.match(v),
        "language": lambda v: isinstance(v, str) and _LANG_RE.fullmatch(v),
        "timezone": _valid_zone,
    }
    for setting in plan.report:
        check = checks.get(setting.target or "")
        if check and not check(setting.value):
            plan.settings.pop(setting.target, None)
            setting.note = f"not a valid {setting.target} for sitegen: set it by hand"
            setting.target = None


def _valid_zone(value: Any) -> bool:
    try:
        ZoneInfo(str(value))
        return True
    except Exception:
        return False


def site_yaml(plan: SourcePlan, broken_links: bool) -> str:
    """site.yaml's text; `broken_links`: links to pages or pictures that were not moved make
    warnings, not errors, so the site builds while the rest moves."""
    data: dict[str, Any] = {}
    for key in ("title", "description", "author", "base_url"):
        if key in plan.settings:
            data[key] = plan.settings[key]
    if len(plan.languages) > 1:
        data["languages"] = plan.languages
    elif plan.languages:
        data["language"] = plan.languages[0]["code"]
    elif "language" in plan.settings:
        data["language"] = plan.settings["language"]
    for key in ("timezone", "per_page", "old_feeds", "heading_ids", "unicode_slugs", "extra"):
        if key in plan.settings:
            data[key] = plan.settings[key]
    if plan.permalink and plan.permalink != "/{slug}/":
        data["permalink"] = plan.permalink
    if broken_links:
        data["broken_links"] = "warn"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)
    body = body.replace(
        "broken_links: warn",
        "broken_links: warn    # see 'Links to pages that were not moved' and 'Images not "
        "found' in MIGRATION.md",
    )
    article = "an" if plan.generator[:1] in "AEIOU" else "a"  # an Astro site
    return f"{HEADER} from {article} {plan.generator} site; see {REPORT_NAME}.\n{body}"


class _Target:
    def __init__(self, source: Path, dest: Path, written: Written) -> None:
        self.source = source.resolve()
        self.dest = dest
        self.written = written

    def put(self, rel: str, data: bytes) -> None:
        path = self.dest / rel
        if is_inside(path.resolve(), self.source):
            raise SiteError(f"refusing to write {path}: it is inside the source folder")
        if path.is_file():
            if path.read_bytes() == data:
                self.written.unchanged += 1
                return
            self.written.conflicts.append(rel)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as fh:
            fh.write(data)
        self.written.files += 1


def write_dest(plan: SourcePlan, outcomes: list[Outcome], dest: Path) -> Written:
    _check_settings(plan)
    written = Written()
    target = _Target(plan.root, dest, written)
    dest.mkdir(parents=True, exist_ok=True)
    for out in outcomes:
        post = out.post
        data = post.text.encode("utf-8") if post.text is not None else post.src.read_bytes()
        edits = {**out.post.add_meta, **out.edits}
        if edits and out.article is not None:
            data = add_keys(data.decode("utf-8"), edits).encode("utf-8")
        target.put(f"content/{out.post.rel}", data)
        for src, rel in out.post.bundle_files:
            target.put(f"content/{rel}", src.read_bytes())
    for src, rel in plan.files:
        target.put(rel, src.read_bytes())
    broken = any(o.outside_links or o.missing_images for o in outcomes)
    text = site_yaml(plan, broken)
    written.site_yaml = text
    config = dest / "site.yaml"
    if config.is_file() and config.read_text(encoding="utf-8") != text:
        written.site_yaml_kept = True
    else:
        target.put("site.yaml", text.encode("utf-8"))
    return written


def _file_table(heading: str, what: str, rows: list[tuple[str, int, str]], note: str) -> list[str]:
    """A report section listing (file, line, `what`) rows and what they mean; "None." when
    there are none."""
    lines = ["", f"## {heading}", ""]
    if not rows:
        return [*lines, "None."]
    lines += [f"| file | line | {what} |", "|---|---|---|"]
    lines += [f"| {f} | {line} | {shown} |" for f, line, shown in rows]
    return [*lines, "", note]


def _cell(value: Any) -> str:
    if isinstance(value, (str, int, float)):
        text = str(value)
    else:
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else text


def report(plan: SourcePlan, outcomes: list[Outcome], written: Written, dest: Path) -> str:
    """MIGRATION.md: everything moved, carried over, not carried over, not run, left behind."""
    pages = sum(1 for o in outcomes if o.post.add_meta.get("listed") is False)
    moved = len(outcomes) - pages
    drafts = sum(1 for o in outcomes if o.article is not None and o.article.draft)
    lines = [
        f"# Moving {plan.root.name} from {plan.generator} to sitegen",
        "",
        f"`sitegen migrate` read {', '.join(plan.display(p) for p in plan.config_files) or 'the folder layout'} "
        f"and moved {moved} article(s)"
        + (f" ({drafts} draft(s))" if drafts else "")
        + f" from {plan.posts_folder or 'the posts folder'}"
        + (
            f", {pages} page(s) of their own (`listed: false`: in no listing) at their old "
            "addresses,"
            if pages
            else ""
        )
        + f" and {len(plan.files)} other file(s). "
        "The source folder was not changed.",
        "",
        "## Settings",
        "",
        f"| in {plan.generator}'s configuration | value | in site.yaml |",
        "|---|---|---|",
    ]
    for s in plan.report:
        where = f"`{s.target}`" if s.target else "not carried over"
        if s.target == "permalink":
            where = f"`permalink: {plan.permalink}`"
        lines.append(
            f"| {_code(s.source_key)} | {_cell(s.value)} | {where}{': ' + s.note if s.note else ''} |"
        )
    if len(plan.languages) > 1:
        langs = ", ".join(
            f"{e['code']}" + (f" (content/{e['folder']}/)" if e.get("folder") else "")
            for e in plan.languages
        )
        lines.append(f"| languages | {langs} | `languages`: the first at the site root |")
    lines.append(f"| posts folder | {plan.posts_folder} | `content/` (same paths below it) |")
    if written.site_yaml_kept:
        lines += [
            "",
            "DEST already had a different site.yaml; it was kept. The settings above would read:",
            "",
            "```yaml",
            written.site_yaml.rstrip(),
            "```",
        ]

    unknown = sum(1 for o in outcomes if o.how == NO_OLD_ADDRESS)
    promise = (
        f"{unknown} article(s) have no old address known: the old pattern has a part sitegen "
        "cannot read, so their old addresses are neither kept nor redirected. Add each one's "
        "old address to its `aliases:` (or report the pattern as a sitegen bug)."
        if unknown
        else "Every old article address is kept or redirects to the new one."
    )
    lines += [
        "",
        "## Addresses",
        "",
        f"Old pattern: `{plan.old_pattern}`. {promise}",
        "",
        "| article | old address | new address | how |",
        "|---|---|---|---|",
    ]
    for o in outcomes:
        lines.append(
            f"| {plan.display(o.post.src)} | {o.post.old_url or ''} | {o.new_url or ''} | {o.how} |"
        )

    titled = [(plan.display(o.post.src), o.title_given) for o in outcomes if o.title_given]
    lines += ["", "## Titles given", ""]
    if titled:
        lines += ["| file | title given | why |", "|---|---|---|"]
        lines += [f"| {f} | {_cell(title)} | {_cell(why)} |" for f, (title, why) in titled]
        lines += [
            "",
            "sitegen needs a title for every page; these had none, so the moved copy has "
            "`title` added to its front matter. Change it there if it reads badly.",
        ]
    else:
        lines.append("None.")

    constructs = [(plan.display(o.post.src), c) for o in outcomes for c in o.constructs]
    lines += ["", "## Constructs sitegen does not run", ""]
    if constructs:
        lines += ["| file | line | construct | the page shows instead |", "|---|---|---|---|"]
        lines += [
            f"| {f} | {c.line} | {_cell(c.construct)} | {_cell(c.instead)} |" for f, c in constructs
        ]
    else:
        lines.append("None.")

    links = [
        (plan.display(o.post.src), line, _code(link))
        for o in outcomes
        for line, link in o.outside_links
    ]
    lines += _file_table(
        "Links to pages that were not moved",
        "link",
        links,
        "Because of these links, site.yaml sets `broken_links: warn`: each is a warning and "
        "shows as plain text until its page exists. Remove the setting once every page has moved.",
    )
    images = [
        (plan.display(o.post.src), line, _code(_cell(src)))
        for o in outcomes
        for line, src in o.missing_images
    ]
    lines += _file_table(
        "Images not found",
        "image",
        images,
        "No file that was moved is any of these pictures (they may have stayed on the old "
        "server). Because of them, site.yaml sets `broken_links: warn`: the build warns about "
        "each, naming file and line, and the page shows the image's description (its alt "
        "text) until the file is added, in the post's folder or in static/ at the address "
        "it names.",
    )

    lines += ["", "## Left behind", ""]
    if plan.left_behind:
        lines += ["| file | why |", "|---|---|"] + [
            f"| {f} | {_cell(why)} |" for f, why in plan.left_behind
        ]
    else:
        lines.append("Nothing.")
    errors = [e for o in outcomes for e in o.errors]
    if errors or written.conflicts:
        lines += ["", "## Errors", ""]
        lines += [f"- {e}" for e in errors]
        lines += [
            f"- {c}: already in {dest.name} with other content; not replaced"
            for c in written.conflicts
        ]
    lines += [
        "",
        "Next: `sitegen build` in this folder (`--drafts --future` shows everything).",
        "",
    ]
    return "\n".join(lines)
