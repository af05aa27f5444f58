"""Tags proposed on import for a seed with no Tags: line: the names the text is about. Pure.

importer.py calls `propose_tags` and writes the result into the content file's front matter,
where a person can edit it. A heuristic rather than a language model (nothing to download, fast,
deterministic): names are runs of capitalised words or acronyms in the body ("Mosul", "ISIS",
"Jim Mattis"), not counting a capital that only starts a sentence. Demonyms fold into their
place ("Iraqi" -> "Iraq") and a surname into the full name; candidates are ranked by how often
they occur, with a bonus for appearing in the title. Each proposal is spelled as the same tag
is already spelled in the collection (`known`), so "U.S." never splits a collection's "US".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.ingest.seeds import SeedArticle

TITLE_BONUS = 2  # occurrences a mention in the title is worth
MIN_COUNT = 2  # a name mentioned once (and not in the title) is rarely what a text is about

# Capitalised words that are not names: function words starting a clause, days, months, and
# titles that precede names ("President", "Secretary") and so split a run of capitals.
_NOT_NAMES_TEXT = """
a an and as at but by for from he her his how i if in into it its it's many more most my no not
of on or our she so some such that the their then there these they this those though to was we
what when where which while who why will with you your after all also although because before
despite during even farther further however meanwhile moreover now once since still thousands
hundreds millions yet according despite both each every few nor one two three four five six seven
eight nine ten first second third last next new other another only just here mr mrs ms dr st
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december god watch read see more click photo video
"""
_TITLES_TEXT = """
president vice secretary minister prime general gen lt col colonel major sgt captain capt admiral
king queen prince princess sheikh senator sen rep representative governor gov mayor chief
spokesman spokeswoman spokesperson commander officer director chairman ambassador judge justice
pope cardinal bishop reverend rev professor prof mr mrs ms dr sir lord lady
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_TITLES = frozenset(_TITLES_TEXT.split())
_CONNECTORS = frozenset(
    {
        "al",
        "el",
        "bin",
        "ibn",
        "de",
        "del",
        "da",
        "di",
        "van",
        "von",
        "der",
        "la",
        "le",
        "of",
        "du",
        "dos",
        "das",
    }
)
_SENTENCE_END = re.compile(r"[.!?:;\"“”‘’()\[\]—–]+$")
_WORD = re.compile(r"\S+")
_TRIM = "\"'“”‘’()[]{}.,;:!?—–…*"


def tag_key(name: str) -> str:
    """What makes two spellings one tag: case, accents, dots, dashes and spaces do not count."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word.isupper() or _is_acronym(word))


def _clean(raw: str) -> tuple[str, bool]:
    """A word without surrounding punctuation or possessive, and whether a sentence ends after it."""
    ends = bool(_SENTENCE_END.search(raw.rstrip("”’\"'"))) or raw.endswith((".", "!", "?", ":"))
    word = raw.strip(_TRIM)
    for suffix in ("’s", "'s", "’", "'"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word, ends


def _runs(text: str) -> Iterable[tuple[str, bool]]:
    """(name, starts a sentence) for each run of capitalised words in `text`."""
    run: list[str] = []
    run_start = False
    sentence_start = True

    def flush() -> Iterable[tuple[str, bool]]:
        while run and run[-1].casefold() in _CONNECTORS:
            run.pop()
        if run:
            yield " ".join(run), run_start
        run.clear()

    for raw in _WORD.findall(text):
        word, ends = _clean(raw)
        parts = [word]
        if "-" in word:  # "US-led", "ISIS-held": the name before a lowercase suffix
            head, _, tail = word.partition("-")
            if tail[:1].islower() and head.casefold() not in _CONNECTORS:
                parts = [head]
            elif (
                _is_capitalised(head)
                and _is_capitalised(tail)
                and (_is_acronym(head) or _is_acronym(tail))
            ):
                parts = [head, "", tail]  # "Iraqi-US": two names
        for part in parts:
            folded = part.casefold()
            if (
                part
                and _is_capitalised(part)
                and folded not in _NOT_NAMES
                and folded not in _TITLES
                and any(c.isalpha() for c in part)
            ):
                if run and (_is_acronym(part) != _is_acronym(run[-1])):
                    yield from flush()  # "US Defence": an acronym does not join a name
                if not run:
                    run_start = sentence_start
                run.append(part)
            elif run and folded in _CONNECTORS and part.islower() and not ends:
                run.append(part)
            else:
                yield from flush()
            sentence_start = False
        if ends or raw.endswith(","):
            yield from flush()
        sentence_start = ends
    yield from flush()


def candidates(paragraphs: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Name -> (occurrences, position of the first) in the body text."""
    found: dict[str, list[int]] = {}
    starts: dict[str, int] = {}
    position = 0
    for paragraph in paragraphs:
        for name, at_start in _runs(paragraph):
            position += 1
            if at_start:
                starts[name] = starts.get(name, 0) + 1
                continue
            entry = found.setdefault(name, [0, position])
            entry[0] += 1
    for name, count in starts.items():  # a sentence-initial capital counts once the name is known
        fuller = [n for n in found if n.endswith(" " + name)]
        target = name if name in found else fuller[0] if len(fuller) == 1 else None
        if target:
            found[target][0] += count
    return {name: (c, p) for name, (c, p) in found.items()}


def _fold(found: dict[str, tuple[int, int]]) -> dict[str, list[int]]:
    """Demonyms into places, surnames into full names, spelling variants into one."""
    merged: dict[str, list[int]] = {name: [c, p] for name, (c, p) in found.items()}
    by_key = {}
    for name in sorted(merged, key=lambda n: (-merged[n][0], merged[n][1], n)):
        key = tag_key(name)
        if key in by_key and by_key[key] != name:
            _move(merged, name, by_key[key])
        else:
            by_key[key] = name
    for name in sorted(merged):
        if name not in merged or " " in name:
            continue
        for suffix in (
            "is",
            "ns",
            "i",
            "n",
            "ian",
            "an",
            "ese",
            "ish",
        ):  # Iraqis, Syrian(s), Chinese
            stem = name[: -len(suffix)] if name.endswith(suffix) else ""
            if len(stem) >= 3 and stem in merged and stem != name:
                _move(merged, name, stem)
                break
    for name in sorted(merged, key=len):
        if name not in merged or " " in name:
            continue
        fuller = [n for n in merged if " " in n and n.split()[-1] == name]
        if len(fuller) == 1:
            _move(merged, name, fuller[0])
    return merged


def _move(merged: dict[str, list[int]], source: str, target: str) -> None:
    count, position = merged.pop(source)
    merged[target][0] += count
    merged[target][1] = min(merged[target][1], position)


def propose_tags(
    seed: SeedArticle, config: SiteConfig, known: Mapping[str, str] | None = None
) -> list[str]:
    """Up to `config.max_auto_tags` names the seed is about, most important first, each
    spelled as in `known` (tag_key -> spelling already used in the collection) when there."""
    if config.max_auto_tags <= 0:
        return []
    merged = _fold(candidates(seed.paragraphs))
    title_keys = {tag_key(w) for w in re.split(r"[\s\-]+", seed.title)}
    title_text = tag_key(seed.title)
    scored = []
    for name, (count, position) in merged.items():
        key = tag_key(name)
        in_title = (
            key in title_keys
            or (" " in name and key in title_text)
            or any(k.startswith(key) and len(k) - len(key) <= 3 for k in title_keys if k)
        )
        score = count + (TITLE_BONUS if in_title else 0)
        if count >= MIN_COUNT or in_title:
            scored.append((-score, position, name))
    scored.sort()
    tags: list[str] = []
    seen: set[str] = set()
    for _, _, name in scored:
        key = tag_key(name)
        if key in seen:
            continue
        seen.add(key)
        tags.append((known or {}).get(key, name))
        if len(tags) == config.max_auto_tags:
            break
    return tags


def collection_tags(content_files: Iterable[Path]) -> dict[str, str]:
    """tag_key -> the spelling most used for it in these content files' front matter."""
    from sitegen.content.frontmatter import split_front_matter

    uses: dict[str, dict[str, int]] = {}
    for path in content_files:
        try:
            meta = split_front_matter(path.read_text(encoding="utf-8-sig"), path).meta
        except Exception:  # an unreadable file is reported by the build, not by import
            continue
        tags = meta.get("tags") if isinstance(meta, dict) else None
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",")]
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, str) and tag.strip():
                spelled = uses.setdefault(tag_key(tag), {})
                spelled[tag.strip()] = spelled.get(tag.strip(), 0) + 1
    return {
        key: sorted(s.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for key, s in uses.items()
        if key
    }


def remember_tags(known: dict[str, str], tags: Iterable[str]) -> None:
    """Add tags just written to `known`, so later seeds of the same import agree with them."""
    for tag in tags:
        known.setdefault(tag_key(tag), tag)
