"""Seeds -> content/*.md. Never loses what a person wrote.

A manifest (`content/.sitegen-import.json`) records, for each seed, the hash of the seed and of
the content file written from it. On re-import: an unchanged seed writes nothing; a changed seed
whose content file is untouched is re-imported; a content file a person edited is left alone
with a warning (`--force` re-imports and keeps the edited file as a `.bak`). Deleting a seed
never deletes its content file. A bad seed is reported and the others still import.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitegen.config import SiteConfig
from sitegen.errors import Diagnostics, SiteError
from sitegen.fsutil import NOT_UTF8_HINT, atomic_write, is_inside, is_utf8, sha1_bytes, shown_path
from sitegen.ingest.seeds import SeedArticle, decode_seed, escape_markdown, parse_seed
from sitegen.text.slugs import slugify, unique_slug
from sitegen.text.textstats import summarize

MANIFEST_NAME = ".sitegen-import.json"


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    kept_edits: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def _load_manifest(path: Path) -> dict[str, Any]:
    """The import manifest; a new one when there is none. Raises SiteError when it is damaged:
    without it, every seed would be imported again beside its content file (`-2`)."""
    fresh: dict[str, Any] = {"version": 1, "seeds": {}}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return fresh
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(path, str(getattr(exc, "strerror", None) or exc)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, f"not JSON ({exc})") from None
    seeds = data.get("seeds") if isinstance(data, dict) else None
    if not isinstance(seeds, dict):
        raise _damaged(path, "no 'seeds' mapping")
    for key, entry in seeds.items():
        if not isinstance(entry, dict):
            raise _damaged(path, f"the entry of {key!r} is not a mapping")
    return data


def _damaged(path: Path, why: str) -> SiteError:
    return SiteError(
        f"the import manifest cannot be read: {why}; nothing was imported",
        path,
        hint="restore it (from version control), or delete it to import every seed afresh: "
        "content files are kept, and a seed whose file exists is imported beside it",
    )


def seed_files(config: SiteConfig, diag: Diagnostics) -> list[Path]:
    """The seed files, sorted; symlinks leading outside the site are skipped with a warning."""
    folder = config.seeds_path
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink() and not is_inside(path, config.root):
            if path.suffix == ".txt" or path.is_dir():  # rglob never enters a symlinked folder
                diag.warn("symlink points outside the site; not followed", path)
            continue
        if path.suffix == ".txt" and path.is_file():
            if not is_utf8(str(rel)):  # the import manifest and the article's name hold it
                diag.error(
                    SiteError(
                        "seed file name is not valid UTF-8; not imported",
                        shown_path(path),
                        hint=NOT_UTF8_HINT,
                    )
                )
                continue
            found.append(path)
    return found


def parse_seed_date(value: str, tz: dt.tzinfo) -> dt.datetime:
    """A `Date:` header: ISO 8601, or common written forms such as 'February 20, 2017'."""
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in (
            "%B %d, %Y",
            "%b %d, %Y",
            "%d %B %Y",
            "%d %b %Y",
            "%Y/%m/%d",
            "%B %d %Y",
            "%Y-%m-%d %H:%M",
            "%a, %d %b %Y %H:%M:%S %z",
        ):
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            raise ValueError(value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _date_from_name(name: str) -> dt.date | None:
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def render_content(
    seed: SeedArticle, slug: str, date: Any, source: str, tags: list[str], config: SiteConfig
) -> str:
    """The content file for a seed: YAML front matter, then the escaped paragraphs."""
    meta: dict[str, Any] = {"title": seed.title, "slug": slug, "date": date}
    if seed.author:
        meta["author"] = seed.author
    summary = summarize(seed.paragraphs[0], config.summary_length) if seed.paragraphs else ""
    meta["summary"] = summary
    meta["tags"] = list(tags)
    meta["source"] = source
    if seed.teasers:
        meta["teasers"] = list(seed.teasers)
    front = dump_front_matter(meta)
    body = "\n\n".join(escape_markdown(p) for p in seed.paragraphs)
    return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


def dump_front_matter(meta: dict[str, Any]) -> str:
    return yaml.safe_dump(
        meta, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )


def _existing_front_matter(path: Path) -> dict[str, Any]:
    from sitegen.content.frontmatter import split_front_matter

    try:
        return split_front_matter(path.read_text(encoding="utf-8-sig"), path).meta
    except (OSError, SiteError, UnicodeDecodeError):
        return {}


def _taken_slugs(config: SiteConfig) -> set[str]:
    from sitegen.content.article import scan_slugs

    return scan_slugs(config)


@dataclass(frozen=True)
class SeedWrite:
    """What importing one seed writes: its content file and text, decided before any write."""

    key: str  # the seed's path relative to seeds/, its manifest key
    seed_sha: str
    target: Path
    blob: bytes
    backup: bool  # --force over a hand-edited file: that file is kept as .bak first


@dataclass
class _SeenSoFar:
    """What each seed of one import must agree with, read from content/ when first needed and
    kept up to date as seeds are planned: slugs in use and tag spellings."""

    taken: set[str] | None = None
    known_tags: dict[str, str] | None = None


def import_seeds(config: SiteConfig, force: bool = False) -> ImportReport:
    """Import every new or changed seed. Errors are collected in the report, never raised.

    Seeds are taken one at a time, planned (`_plan_seed`) then written (`_write_seed`): a seed's
    plan reads what the seeds before it wrote (tag spellings), so all plans cannot come first."""
    report = ImportReport()
    manifest_path = config.content_path / MANIFEST_NAME
    try:
        manifest = _load_manifest(manifest_path)
    except SiteError as exc:
        report.diagnostics.error(exc)
        return report
    entries: dict[str, Any] = manifest["seeds"]
    seen = _SeenSoFar()
    changed_manifest = False
    for path in seed_files(config, report.diagnostics):
        write = _plan_seed(path, entries.get(_seed_key(path, config)), config, force, seen, report)
        if write is None:
            continue
        entries[write.key] = _write_seed(write, config.content_path, report)
        changed_manifest = True
    if changed_manifest:
        manifest["seeds"] = dict(sorted(entries.items()))
        atomic_write(
            manifest_path, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode()
        )
    return report


def _seed_key(path: Path, config: SiteConfig) -> str:
    return path.relative_to(config.seeds_path).as_posix()


def seed_action(
    entry: dict[str, Any] | None, seed_sha: str, content_sha: str | None, force: bool
) -> str:
    """What to do with a seed, from its manifest entry (None: never imported), the hash of the
    seed and of its content file now (None: no such file): "import", "unchanged", or "edited"
    (the content file was changed by hand since the last import, and is kept)."""
    if not entry:
        return "import"
    same_seed = entry.get("seed_sha") == seed_sha
    if same_seed and not force:
        return "unchanged"
    if content_sha is not None and content_sha != entry.get("content_sha") and not force:
        return "edited"
    if content_sha is None and same_seed:  # --force does not bring back a deleted file
        return "unchanged"
    return "import"


def _trusted(
    entry: dict[str, Any] | None, seed: Path, config: SiteConfig, diag: Diagnostics
) -> dict[str, Any] | None:
    """The seed's manifest entry, unless the content file it names is not a file of content/
    (a hand-edited or hostile manifest): the import never reads or writes outside it."""
    if not entry:
        return entry
    rel = entry.get("content")
    if isinstance(rel, str) and rel and is_inside(config.content_path / rel, config.content_path):
        return entry
    diag.warn(
        f"the import manifest names {rel!r} as this seed's content file, which is not inside "
        "content/; the entry is ignored and the seed imported afresh",
        seed,
        hint=f"remove the entry from content/{MANIFEST_NAME} if the seed is gone",
    )
    return None


def _plan_seed(
    path: Path,
    entry: dict[str, Any] | None,
    config: SiteConfig,
    force: bool,
    seen: _SeenSoFar,
    report: ImportReport,
) -> SeedWrite | None:
    """What importing this seed writes, or None: unchanged, edited by hand, or an error (in
    `report`). Reads the seed and content/, writes nothing."""
    diag = report.diagnostics
    data = _read_seed(path, config, diag)
    if data is None:
        return None
    seed_sha = sha1_bytes(data)
    entry = _trusted(entry, path, config, diag)
    content_path = config.content_path / entry["content"] if entry else None
    if entry and content_path is not None:
        current = content_path.read_bytes() if content_path.is_file() else None
        content_sha = sha1_bytes(current) if current is not None else None
        action = seed_action(entry, seed_sha, content_sha, force)
        if action == "unchanged":
            report.unchanged += 1
            return None
        if action == "edited":
            report.kept_edits.append(content_path)
            diag.warn(
                f"seed changed but {content_path} was edited by hand; kept the edited file",
                path,
                hint="run `sitegen import --force` to re-import (the edit is saved as .bak)",
            )
            return None
    try:
        seed = parse_seed(decode_seed(data, path), path, config.teasers)
    except SiteError as exc:
        diag.error(exc)
        return None
    for warning in seed.warnings:
        diag.warn(warning, path)
    previous = (
        _existing_front_matter(content_path) if content_path and content_path.is_file() else {}
    )
    try:
        date = _seed_date(seed, path, previous, config)
    except SiteError as exc:
        diag.error(exc)
        return None
    slug, target = _place(seed, path, previous, content_path, config, seen, diag)
    tags = _seed_tags(seed, config, seen)
    key = _seed_key(path, config)
    text = render_content(seed, slug, date, f"{config.seeds_dir}/{key}", tags, config)
    blob = text.encode("utf-8")
    backup = bool(
        force
        and target.is_file()
        and entry
        and sha1_bytes(target.read_bytes()) != entry.get("content_sha")
    )
    return SeedWrite(key, seed_sha, target, blob, backup)


def _read_seed(path: Path, config: SiteConfig, diag: Diagnostics) -> bytes | None:
    """The seed's bytes; None, with an error in `diag`, when too large or unreadable."""
    try:
        stat = path.stat()
        if stat.st_size > config.max_file_size:
            raise SiteError(
                f"file is {stat.st_size} bytes, over the limit of {config.max_file_size}",
                path,
                hint="raise max_file_size in site.yaml if this is intended",
            )
        return path.read_bytes()
    except SiteError as exc:
        diag.error(exc)
    except OSError as exc:
        diag.error(SiteError(f"cannot read: {exc.strerror}", path))
    return None


def _place(
    seed: SeedArticle,
    path: Path,
    previous: dict[str, Any],
    content_path: Path | None,
    config: SiteConfig,
    seen: _SeenSoFar,
    diag: Diagnostics,
) -> tuple[str, Path]:
    """(slug, content file): where the seed went before, when that file names its slug; else a
    new file named by a slug no other article uses (with a warning when it is not the wanted
    one)."""
    if previous.get("slug") and content_path is not None:
        return str(previous["slug"]), content_path
    if seen.taken is None:
        seen.taken = _taken_slugs(config)
    content_dir = config.content_path
    wanted = slugify(seed.title, unicode=config.unicode_slugs)
    slug = unique_slug(wanted, seen.taken | {p.stem for p in content_dir.glob("*.md")})
    if slug != wanted:
        diag.warn(
            f"slug '{wanted}' is already used; this article gets '{slug}'",
            path,
            hint="set a different slug in the content file's front matter",
        )
    seen.taken.add(slug)
    return slug, content_dir / f"{slug}.md"


def _seed_tags(seed: SeedArticle, config: SiteConfig, seen: _SeenSoFar) -> list[str]:
    """The seed's own tags, else proposed ones (`auto_tags`) spelled as the collection spells
    them; either way remembered, so later seeds of this import spell them alike."""
    from sitegen.ingest import autotags as autotags

    tags = list(seed.tags)
    if not tags and config.auto_tags:
        if seen.known_tags is None:  # tag spellings already in use, read once when first needed
            seen.known_tags = autotags.collection_tags(sorted(config.content_path.rglob("*.md")))
        tags = autotags.propose_tags(seed, config, seen.known_tags)
    if seen.known_tags is not None:
        autotags.remember_tags(seen.known_tags, tags)
    return tags


def _write_seed(write: SeedWrite, content_dir: Path, report: ImportReport) -> dict[str, str]:
    """Write one planned content file (a hand-edited one kept as .bak first); returns the
    seed's new manifest entry."""
    if write.backup:
        backup = _backup_path(write.target)
        os.replace(write.target, backup)
        report.diagnostics.warn(
            f"hand edits saved as {backup.name} before re-importing", write.target
        )
    atomic_write(write.target, write.blob)
    report.written.append(write.target)
    return {
        "seed_sha": write.seed_sha,
        "content": write.target.relative_to(content_dir).as_posix(),
        "content_sha": sha1_bytes(write.blob),
    }


def _backup_path(path: Path) -> Path:
    candidate = path.with_name(path.name + ".bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak{n}")
        n += 1
    return candidate


def _seed_date(seed: SeedArticle, path: Path, previous: dict[str, Any], config: SiteConfig) -> Any:
    """The documented date rule: Date: line, else a date in the file name, else the date already
    written for this seed, else `default_date` from site.yaml. Never the clock or file times,
    so two imports of one seed on any machine agree."""
    if seed.date:
        try:
            parsed = parse_seed_date(seed.date, config.tz)
        except ValueError:
            raise SiteError(
                f"Date: line not understood: {seed.date!r}",
                path,
                None,
                "use YYYY-MM-DD, optionally with a time like 2017-02-20T09:30:00+01:00",
            ) from None
        if (
            parsed.hour == parsed.minute == parsed.second == 0
            and "T" not in seed.date
            and ":" not in seed.date
        ):
            return parsed.date()
        return parsed.isoformat()
    named = _date_from_name(path.stem)
    if named:
        return named
    if previous.get("date") is not None:
        return previous["date"]
    return dt.date.fromisoformat(config.default_date)
