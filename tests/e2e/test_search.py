"""Search index, search page and related articles on built sites (issue 7)."""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
from pathlib import Path

import pytest

from sitegen.site.search import terms

TOPICS = {
    "war": "siege artillery frontline troops offensive ceasefire militia airstrike shelling brigade",
    "sport": "striker goalkeeper league penalty midfielder stadium tournament referee coach trophy",
    "money": "inflation bond currency lender interest deficit tariff investor mortgage recession",
}
FILLER = [
    "the",
    "of",
    "and",
    "a",
    "in",
    "to",
    "was",
    "for",
    "on",
    "with",
    "that",
    "people",
    "city",
    "week",
    "officials",
    "said",
]
BODY_ONLY_WORD = "quetzalcoatlus"


def write_topic_site(site, per_topic: int = 5) -> dict[str, str]:
    """Articles written from a few topic vocabularies; returns slug -> topic. The first war
    article hides BODY_ONLY_WORD in its body (not in its title, tags or summary)."""
    rng = random.Random(3)
    topics = {}
    day = 1
    for topic, words in TOPICS.items():
        vocab = words.split()
        for i in range(per_topic):
            paragraphs = [
                " ".join(
                    rng.choice(vocab) if rng.random() < 0.4 else rng.choice(FILLER)
                    for _ in range(40)
                )
                for _ in range(3)
            ]
            if topic == "war" and i == 0:
                paragraphs[2] += f" A {BODY_ONLY_WORD} fossil was found near the front."
            slug = f"{topic}-{i}"
            site.article(
                f"{slug}.md",
                f"Report number {day}",
                date=f"2024-01-{day:02d}",
                body="\n\n".join(paragraphs),
                summary=f"'Summary {day}.'",
            )
            topics[slug] = topic
            day += 1
    return topics


def related_slugs(html: str) -> list[str]:
    block = re.search(r'<aside class="related[" ].*?</aside>', html, re.S)
    return re.findall(r'href="(?:\.\./)+([^/"]+)/', block.group(0)) if block else []


def load_index(build: Path) -> dict:
    """The index files, read as the browser's search.js reads them."""
    calls: dict = {"shard": {}, "doc": {}}

    def parse(path: Path) -> tuple[str, list]:
        m = re.fullmatch(r"sitegenSearch\.(\w+)\((.*)\);\n", path.read_text(encoding="utf-8"), re.S)
        assert m, path
        return m.group(1), json.loads(f"[{m.group(2)}]")

    kind, (manifest,) = parse(build / "search" / "manifest.js")
    assert kind == "manifest"
    for path in (build / "search" / "s").glob("*.js"):
        kind, (number, data) = parse(path)
        calls["shard"][number] = data
    for path in (build / "search" / "d").glob("*.js"):
        kind, (number, data) = parse(path)
        calls["doc"][number] = data
    return {"manifest": manifest, **calls}


def lookup(index: dict, word: str) -> list[dict]:
    """Documents holding `word`, found the way search.js finds them (shard by sorted range)."""
    (term,) = terms(word)
    firsts = index["manifest"]["shards"]
    key = term.encode("utf-16-be")
    shard = max(i for i, f in enumerate(firsts) if f.encode("utf-16-be") <= key)
    packed = index["shard"][index["manifest"]["files"][shard]].get(term)
    return [index["doc"][i] for i in unpack(packed)[0]] if packed else []


def unpack(packed: str) -> tuple[list[int], list[int]]:
    """(doc ids, term frequencies) from a shard's packed postings, as search.js's unpack()
    reads them."""
    head, _, data = packed.partition(":")
    g, t, first = int(head[0]), int(head[1]), int(head[2:])
    if first < 0:
        return [], []
    raw = base64.b64decode(data)
    n = 1 + (len(raw) - t) // (g + t)
    gaps = [int.from_bytes(raw[g * i : g * (i + 1)], "little") for i in range(n - 1)]
    at = (n - 1) * g
    tfs = [int.from_bytes(raw[at + t * i : at + t * (i + 1)], "little") for i in range(n)]
    return list(itertools.accumulate(gaps, initial=first)), tfs


def test_related_articles_come_from_the_same_topic(site):
    topics = write_topic_site(site)
    site.build()
    for slug, topic in topics.items():
        related = related_slugs(site.out(f"{slug}/index.html"))
        assert len(related) == 4, slug  # the other articles of its topic
        assert {topics[r] for r in related} == {topic}, (slug, related)


def test_search_finds_an_article_by_a_word_only_in_its_body(site, parse):
    write_topic_site(site)
    site.build()
    index = load_index(site.root / "build")
    assert index["manifest"]["docs"] == 15
    found = lookup(index, BODY_ONLY_WORD.upper())
    assert [d["u"] for d in found] == ["/war-0/"]
    assert found[0]["t"] == "Report number 1" and BODY_ONLY_WORD in found[0]["x"]
    assert found[0]["d"] == "January 1, 2024"
    assert {d["u"] for d in lookup(index, "goalkeeper")} == {f"/sport-{i}/" for i in range(5)}

    page = parse(site.out("search/index.html"))
    form = page.find_all("form", role="search", **{"aria-label": "Search articles"})[0]
    assert form["action"] == "./" and form["data-search-index"] == "manifest.js"
    assert "Search needs JavaScript" in page.html.split("<noscript>")[1].split("</noscript>")[0]
    assert page.find_all("meta", name="robots", content="noindex")
    header = parse(site.out("war-0/index.html")).find_all("form", role="search")[0]
    assert header["action"] == "../search/" and header["method"] == "get"
    assert "/search/" not in site.out("sitemap.xml")


def test_index_is_sharded_and_files_load_as_scripts(site):
    for i in range(60):
        site.article(
            f"a{i}.md",
            f"Article {i}",
            date="2024-02-01",
            body=" ".join(f"w{i}x{j}" for j in range(300)),
        )
    site.build()
    build = site.root / "build"
    shards = sorted((build / "search" / "s").glob("*.js"))
    assert len(shards) > 3
    sizes = [p.stat().st_size for p in shards]
    assert max(sizes) < 40_000
    index = load_index(build)
    firsts = index["manifest"]["shards"]
    assert firsts == sorted(firsts, key=lambda t: t.encode("utf-16-be"))
    assert [d["u"] for d in lookup(index, "w7x250")] == ["/a7/"]


def test_related_lists_follow_an_edit_in_incremental_builds(site):
    write_topic_site(site)
    site.build()
    before = related_slugs(site.out("war-1/index.html"))
    assert "sport-0" not in before
    # rewrite sport-0 as a war report: it must now appear among war-1's related articles
    war_text = (site.root / "content" / "war-2.md").read_text(encoding="utf-8")
    site.write(
        "content/sport-0.md",
        war_text.replace("war-2", "sport-0").replace("Report number 8", "Report number 6"),
    )
    result = site.build()
    assert result.written > 0
    incremental = {p: site.out(p) for p in ("war-1/index.html", "sport-1/index.html")}
    assert "sport-0" in related_slugs(incremental["war-1/index.html"])
    assert "sport-0" not in related_slugs(incremental["sport-1/index.html"])
    # and the result equals a clean build
    import shutil

    shutil.rmtree(site.root / "build")
    shutil.rmtree(site.root / ".sitegen", ignore_errors=True)
    site.build()
    for path, html in incremental.items():
        assert site.out(path) == html


def test_search_and_related_can_be_turned_off(site):
    site.configure("title: T\nsearch: false\nrelated: 0\n")
    write_topic_site(site, per_topic=2)
    site.build()
    assert not site.exists("search/index.html") and not site.exists("search/manifest.js")
    html = site.out("war-0/index.html")
    assert not related_slugs(html) and 'role="search"' not in html


def test_a_damaged_cache_is_ignored_and_output_is_reproducible(site):
    write_topic_site(site, per_topic=3)
    site.build()
    first = {
        p.relative_to(site.root / "build"): p.read_bytes()
        for p in sorted((site.root / "build" / "search").rglob("*.js"))
    }
    cache = site.root / ".sitegen"
    (cache / "related-lists.marshal").write_text("{not json", encoding="utf-8")
    (cache / "related-index.marshal").write_bytes(b"\x00garbage")
    (cache / "search-state.marshal").write_bytes(b"\x00garbage")
    import shutil

    shutil.rmtree(site.root / "build")
    result = site.build()
    warnings = [str(w) for w in result.diagnostics.warnings]
    assert len([w for w in warnings if "damaged cache" in w]) == 3, warnings
    again = {
        p.relative_to(site.root / "build"): p.read_bytes()
        for p in sorted((site.root / "build" / "search").rglob("*.js"))
    }
    assert again == first
    assert len(related_slugs(site.out("war-0/index.html"))) == 2


def test_a_build_into_an_empty_output_does_not_read_the_index_file_again(site, monkeypatch):
    """The output folder removed, the caches kept: the search files are the same as before,
    and no shard is made by reading the index file back (the build has the index in memory
    when it finds the output has none)."""
    import shutil

    import sitegen.engine.search_cache as search_cache
    from sitegen.site import search

    monkeypatch.setattr(search, "SHARD_BYTES", 400)
    monkeypatch.setattr(search, "MAX_SHARD_BYTES", 800)
    write_topic_site(site, per_topic=3)
    site.build()
    first = {
        p.relative_to(site.root / "build"): p.read_bytes()
        for p in sorted((site.root / "build" / "search").rglob("*.js"))
    }
    assert len([p for p in first if p.parts[1] == "s"]) > 3
    reads: list = []
    real = search_cache.read_kept
    monkeypatch.setattr(search_cache, "read_kept", lambda *a: reads.append(a) or real(*a))
    shutil.rmtree(site.root / "build")
    site.build()
    again = {
        p.relative_to(site.root / "build"): p.read_bytes()
        for p in sorted((site.root / "build" / "search").rglob("*.js"))
    }
    assert again == first
    assert reads == []


def test_index_after_an_edit_equals_a_clean_build(site):
    """Each article's part of the index (and its related terms) is kept between builds; after
    an edit the index and the related lists are exactly those of a clean build."""
    import shutil

    write_topic_site(site, per_topic=3)
    site.build()
    path = site.root / "content" / "war-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA quetzal appeared.\n", encoding="utf-8")
    site.build()

    def snapshot() -> dict:
        out = site.root / "build"
        return {
            p.relative_to(out): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and (p.suffix == ".js" and "search" in p.parts or p.name == "index.html")
        }

    incremental = snapshot()
    shutil.rmtree(site.root / "build")
    shutil.rmtree(site.root / ".sitegen")
    site.build()
    assert snapshot() == incremental
    assert any(b"quetzal" in data for data in incremental.values())


def test_packed_postings_read_back_at_every_width() -> None:
    from sitegen.site.search import _Postings, _text

    cases = {
        "11": ([0, 1, 2, 255], [1, 2, 3, 255]),  # gaps and frequencies of a byte
        "21": ([300, 301, 65_836], [1, 1, 1]),  # the first id is not a gap
        "42": ([3, 70_000, 70_001, 3_000_000], [1, 256, 2, 65_535]),
        "12": ([7], [300]),
        "11-1": ([], []),
    }
    for head, (docs, tfs) in cases.items():
        postings = _Postings()
        for doc, tf in zip(docs, tfs, strict=True):
            postings.put(doc, tf)
        packed = postings.packed()
        text = _text(packed)  # what the shard holds
        assert text.startswith(head if not docs else f"{head}{docs[0]}:"), text
        assert unpack(text) == (docs, tfs)
        back = _Postings.unpacked(packed)  # how the kept index reads a term an edit touches
        assert (back.docs.tolist(), back.tfs.tolist()) == (docs, tfs)
        assert back.packed() == packed


@pytest.mark.parametrize("numpy_from", [0, 10**9])
def test_short_and_long_lists_pack_alike(monkeypatch, numpy_from) -> None:
    """Short posting lists are packed and unpacked without numpy, long ones with it: the same
    text either way, at every width and around the length where one takes over."""
    import random

    from sitegen.site import search
    from sitegen.site.search import NUMPY_FROM, _Postings

    rng = random.Random(5)
    cases = []
    for n in (1, 2, 3, NUMPY_FROM - 1, NUMPY_FROM, NUMPY_FROM + 1, 3000):
        for gap_top, tf_top in ((255, 255), (256, 256), (65_535, 65_535), (70_000, 300)):
            docs, doc = [], rng.randint(0, 1000)
            for _ in range(n):
                docs.append(doc)
                doc += rng.randint(1, gap_top)
            tfs = [rng.randint(1, tf_top) for _ in range(n)]
            tfs[-1] = tf_top
            p = _Postings()
            p.docs.extend(docs)
            p.tfs.extend(tfs)
            cases.append((p, docs, tfs))
    expected = [p.packed() for p, _, _ in cases]  # the length decides the path: both are used
    monkeypatch.setattr(search, "NUMPY_FROM", numpy_from)  # now all one path
    for (p, docs, tfs), packed in zip(cases, expected, strict=True):
        assert p.packed() == packed
        assert unpack(search._text(packed)) == (docs, tfs)
        back = _Postings.unpacked(packed)
        assert (back.docs.tolist(), back.tfs.tolist()) == (docs, tfs)


def test_shard_keys_are_the_terms_as_json() -> None:
    """Shards write a term of letters and digits as it is: the same text as JSON gives it."""
    from sitegen.site.search import _json, _json_key

    text = 'Ça déjà 北京大学 Ελλάδα x_y 2024 naïve \u2028 "q" </s> مرحبا ﬁne ½ ⅷ'
    words = terms(text) + text.split()
    assert words
    for word in words:
        assert _json_key(word) == _json(word), word


def test_search_terms_of_ascii_text_are_the_regex_words() -> None:
    from sitegen.site.search import normalize
    from tests.unit.test_textstats import random_ascii_texts

    for text in random_ascii_texts(20_000, seed=13):
        assert terms(text) == re.findall(r"[^\W_]+", normalize(text)), repr(text)


def _previewed(site, per_topic: int):
    """A topic site built once by the preview's builder (the browser told): the builder and
    the search index's file."""
    from sitegen.build import Builder, BuildRequest
    from sitegen.config import load_config

    write_topic_site(site, per_topic=per_topic)
    config = load_config(site.root)
    builder = Builder(BuildRequest(config, output=site.root / "preview", preview=True))
    builder.run()
    builder.let_go()
    return builder, site.root / ".sitegen" / "search-state.marshal"


def test_the_preview_keeps_its_index_in_memory_and_writes_it_after_the_build(site):
    """The preview takes its search index from memory, not from the index file, and writes
    the file only when told the browser has the build (`let_go`); a build in another process
    that reads the file then makes exactly a clean build's index."""
    import shutil

    builder, state = _previewed(site, per_topic=3)
    written = state.read_bytes()
    state.write_bytes(b"\x00not read by the preview")
    path = site.root / "content" / "war-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA quetzal appeared.\n", encoding="utf-8")
    result = builder.run()
    assert not [w for w in result.diagnostics.warnings if "damaged" in str(w)]
    assert state.read_bytes() == b"\x00not read by the preview"
    builder.let_go()
    assert state.read_bytes() not in (written, b"\x00not read by the preview")

    def index_files(out: Path) -> dict:
        return {p.relative_to(out): p.read_bytes() for p in sorted((out / "search").rglob("*.js"))}

    result = site.build()  # reads the file the preview wrote
    assert not [w for w in result.diagnostics.warnings if "damaged" in str(w)]
    kept = index_files(site.root / "build")
    assert kept == index_files(site.root / "preview")
    shutil.rmtree(site.root / "build")
    shutil.rmtree(site.root / ".sitegen")
    site.build()
    assert index_files(site.root / "build") == kept
    assert any(b"quetzal" in data for data in kept.values())


def test_the_preview_writes_only_what_its_builds_changed(site, monkeypatch):
    """Between builds the preview writes what its index changed beside the index file, not
    the file again (engine/journal.py); a build in another process reads both and makes a
    clean build's index. A file written by someone else meanwhile is written whole."""
    import shutil

    from sitegen.config import load_config
    from sitegen.engine import journal
    from sitegen.engine.keys import cache_key
    from sitegen.errors import Diagnostics

    monkeypatch.setattr(journal, "SHARE", 1)  # a test site's index is small
    builder, state = _previewed(site, per_topic=6)
    changes = journal.changes_path(state)
    base = state.read_bytes()
    path = site.root / "content" / "war-0.md"
    for word in ("quetzal", "ocelot"):
        path.write_text(path.read_text(encoding="utf-8") + f"\nA {word} appeared.\n")
        builder.run()
        builder.let_go()
        assert state.read_bytes() == base and changes.stat().st_size < len(base)
    result = site.build()  # reads the base and the changes the preview wrote
    assert not [w for w in result.diagnostics.warnings if "damaged" in str(w)]
    kept = {p.name: p.read_bytes() for p in sorted((site.root / "build/search").rglob("*.js"))}
    assert any(b"ocelot" in data for data in kept.values())
    shutil.rmtree(site.root / "build")
    shutil.rmtree(site.root / ".sitegen")
    site.build()
    clean = {p.name: p.read_bytes() for p in sorted((site.root / "build/search").rglob("*.js"))}
    assert kept == clean

    # the command-line build wrote the file meanwhile: the preview's next save writes it whole
    path.write_text(path.read_text(encoding="utf-8") + "\nA tapir appeared.\n")
    builder.run()
    builder.let_go()
    key = cache_key("search", load_config(site.root).date_format)
    assert journal.read_kept(state, key, Diagnostics())[0] is not None
    assert not changes.exists()


@pytest.mark.parametrize("pool", [False, True])
def test_the_related_lists_files_are_written_after_the_lists_are_sent(site, monkeypatch, pool):
    """The process working out the related lists writes its cache files after handing the
    lists over (the build goes on meanwhile); the next build whose related inputs are the same
    reads them and works nothing out, in a forked process or in this one."""
    from sitegen.build import BuildRequest, build
    from sitegen.config import load_config
    from sitegen.engine.executor import Parallelism
    from sitegen.site.related import RelatedIndex

    write_topic_site(site, per_topic=3)
    parallel = Parallelism(jobs=2, min_pages=1, min_loads=1) if pool else Parallelism(jobs=1)

    def run() -> None:
        build(BuildRequest(load_config(site.root), parallel=parallel))

    run()
    lists = related_slugs(site.out("war-0/index.html"))
    assert lists and (site.root / ".sitegen" / "related-lists.marshal").is_file()

    def worked_out(*args, **kwargs):
        raise AssertionError("related lists worked out again")

    monkeypatch.setattr(RelatedIndex, "update", worked_out)
    site.configure(site.config_text.replace("Test site", "Renamed site"))  # same articles
    run()
    assert "Renamed site" in site.out("war-0/index.html")
    assert related_slugs(site.out("war-0/index.html")) == lists


def test_a_new_index_hands_its_counts_over_in_batches_and_makes_the_same_files(site, monkeypatch):
    """A new index gives each batch of articles' term counts to `keep` as it goes (a new site
    held them all, about 4 KB an article) and makes the same files as one holding them."""
    import sitegen.site.search as search
    from sitegen.config import load_config
    from sitegen.errors import Diagnostics
    from sitegen.pipeline.request import build_now
    from sitegen.pipeline.steps import load_articles
    from sitegen.site.model import BuildOptions, build_site

    write_topic_site(site, per_topic=4)
    config, diag = load_config(site.root), Diagnostics()
    articles, _ = load_articles(config, diag)
    model = build_site(articles, config, BuildOptions(False, False, build_now()), diag)

    def files(index: search.SearchIndex, **kwargs) -> dict:
        made = index.update(model, "salt", **kwargs)
        return {
            path: (data if isinstance(data, bytes) else data(), fp)
            for path, (data, fp) in made.items()
        }

    holding = search.SearchIndex()
    whole = files(holding)
    assert len(holding.fresh) == 12
    monkeypatch.setattr(search, "KEEP_BATCH", 5)
    batches: list[dict] = []
    streaming = search.SearchIndex()
    assert files(streaming, keep=batches.append) == whole
    assert [len(b) for b in batches] == [5, 5, 2] and streaming.fresh == {}
    assert {rel: c for b in batches for rel, c in b.items()} == holding.fresh


def _model(site):
    from sitegen.config import load_config
    from sitegen.errors import Diagnostics
    from sitegen.pipeline.request import build_now
    from sitegen.pipeline.steps import load_articles
    from sitegen.site.model import BuildOptions, build_site

    config, diag = load_config(site.root), Diagnostics()
    articles, _ = load_articles(config, diag)
    return build_site(articles, config, BuildOptions(False, False, build_now()), diag)


def test_unchanged_shards_are_made_again_from_the_index_file_or_from_memory(site, monkeypatch):
    """A build does not hold the search index for the shards the output may lack: it makes
    them again from the index file it read or wrote; when the file could not be written, from
    the index in memory; when another build changed the file meanwhile, it says so."""
    import sitegen.engine.search_cache as search_cache
    from sitegen.errors import Diagnostics, SiteError
    from sitegen.site import search

    monkeypatch.setattr(search, "SHARD_BYTES", 400)  # shards the edit leaves alone
    monkeypatch.setattr(search, "MAX_SHARD_BYTES", 800)
    write_topic_site(site, per_topic=3)
    cache = site.root / ".sitegen"
    first = search_cache.search_outputs(_model(site), cache, Diagnostics())
    path = site.root / "content" / "war-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA quetzal appeared.\n", encoding="utf-8")
    model = _model(site)

    def made(files) -> dict:
        return {p: src() if callable(src) else src for p, (src, _) in files.items()}

    clean = made(search_cache.search_outputs(model, None, Diagnostics()))  # no cache at all
    assert made(first) != clean
    edited = search_cache.search_outputs(model, cache, Diagnostics())
    # made again, not read back from the spool (new files' bytes)
    again = [p for p, (src, _) in edited.items() if getattr(src, "func", None)]
    unchanged = [p for p in again if edited[p][0].func.__name__ == "_shard"]
    assert unchanged and all(p.startswith("search/s/") for p in unchanged)
    assert made(edited) == clean  # the shards from the file the build wrote

    # the file cannot be written: the index in memory makes them
    with monkeypatch.context() as patched:
        patched.setattr(search_cache, "write_kept", lambda *args: False)
        (cache / search_cache.INDEX_FILE).unlink()
        assert made(search_cache.search_outputs(model, cache, Diagnostics())) == clean

    # another build wrote the file after this one: an error saying so, not wrong bytes
    search_cache.search_outputs(model, cache, Diagnostics())
    files = search_cache.search_outputs(model, cache, Diagnostics())  # every shard unchanged
    site.article("late.md", "A late report", body="siege artillery " * 30)
    search_cache.search_outputs(_model(site), cache, Diagnostics())
    with pytest.raises(SiteError, match="changed while this build ran"):
        made(files)


def test_an_output_without_the_search_index_gets_its_shards_from_the_index_in_memory(
    site, monkeypatch, tmp_path
):
    """Building into a folder without the search index (the caches kept, the output not: a CI
    runner that restores `.sitegen/`): the unchanged shards are made while the index is in
    memory and spooled, not read back from the index file near the build's end. An output
    that has the index keeps the remakers; a shard whose bytes would not match its
    fingerprint is left to them."""
    import sitegen.engine.search_cache as search_cache
    from sitegen.errors import Diagnostics
    from sitegen.site import search

    monkeypatch.setattr(search, "SHARD_BYTES", 400)
    monkeypatch.setattr(search, "MAX_SHARD_BYTES", 800)
    write_topic_site(site, per_topic=3)
    cache = site.root / ".sitegen"
    model = _model(site)
    search_cache.search_outputs(model, cache, Diagnostics())

    def made(files) -> dict:
        return {p: src() if callable(src) else src for p, (src, _) in files.items()}

    def makers(files) -> set[str]:
        return {
            getattr(src, "func", src).__name__
            for path, (src, _) in files.items()
            if path.startswith("search/s/")
        }

    clean = made(search_cache.search_outputs(model, None, Diagnostics()))
    empty = tmp_path / "empty-output"
    files = search_cache.search_outputs(model, cache, Diagnostics(), output=empty)
    assert makers(files) == {"_read"}  # every shard from the spool
    assert made(files) == clean

    built = tmp_path / "built-output"
    (built / "search").mkdir(parents=True)
    (built / "search" / "manifest.js").write_text("sitegenSearch.manifest({});\n")
    files = search_cache.search_outputs(model, cache, Diagnostics(), output=built)
    assert makers(files) == {"_shard"}  # the index is there: a shard lost by hand is made later
    assert made(files) == clean

    real = search.SearchIndex.shard_file
    one = next(p for p in clean if p.startswith("search/s/"))
    monkeypatch.setattr(
        search.SearchIndex,
        "shard_file",
        lambda self, name, terms: (
            b"wrong" if f"search/s/{name}.js" == one else real(self, name, terms)
        ),
    )
    files = search_cache.search_outputs(model, cache, Diagnostics(), output=empty)
    assert getattr(files[one][0], "func", None).__name__ == "_shard"
    assert makers(files) == {"_read", "_shard"}


def test_index_file_written_by_a_thread_the_build_waits_for(site, monkeypatch):
    """With the build's waits given, the index file is written by a thread: shards made again
    before it is done come from the index in memory, a failed write is raised by the wait, and
    once waited for the file holds the index the next build reads."""
    import threading

    import sitegen.engine.search_cache as search_cache
    from sitegen.errors import Diagnostics
    from sitegen.site import search

    monkeypatch.setattr(search, "SHARD_BYTES", 400)
    monkeypatch.setattr(search, "MAX_SHARD_BYTES", 800)
    write_topic_site(site, per_topic=3)
    cache = site.root / ".sitegen"
    waits: list = []
    search_cache.search_outputs(_model(site), cache, Diagnostics(), later=waits.append)
    assert len(waits) == 1
    waits.pop()()
    path = site.root / "content" / "war-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA quetzal appeared.\n", encoding="utf-8")
    model = _model(site)

    def made(files) -> dict:
        return {p: src() if callable(src) else src for p, (src, _) in files.items()}

    clean = made(search_cache.search_outputs(model, None, Diagnostics()))
    release, writing = threading.Event(), threading.Event()
    real_write = search_cache.write_kept

    def slow_write(*args):
        writing.set()
        release.wait(timeout=60)
        return real_write(*args)

    monkeypatch.setattr(search_cache, "write_kept", slow_write)
    edited = search_cache.search_outputs(model, cache, Diagnostics(), later=waits.append)
    assert writing.wait(timeout=60) and not release.is_set()
    unchanged = [p for p, (src, _) in edited.items() if getattr(src, "func", None)]
    assert any(edited[p][0].func.__name__ == "_shard" for p in unchanged)
    assert made(edited) == clean  # the file is not written yet: from memory
    release.set()
    waits.pop()()
    monkeypatch.setattr(search_cache, "write_kept", real_write)
    again = search_cache.search_outputs(model, cache, Diagnostics(), later=waits.append)
    assert waits == []  # read from the file, nothing changed: nothing to write
    remade = {
        src.func.__name__ if hasattr(src, "func") else type(src).__name__
        for src, _ in again.values()
        if callable(src)
    }
    assert remade == {"_shard", "_RemadeDoc"}  # every document and shard as it was
    assert made(again) == clean

    def broken(*args):
        raise MemoryError("no room")

    monkeypatch.setattr(search_cache, "write_kept", broken)
    site.article("late.md", "A late report", body="siege artillery " * 30)
    search_cache.search_outputs(_model(site), cache, Diagnostics(), later=waits.append)
    with pytest.raises(MemoryError, match="no room"):
        waits.pop()()


def _search_files(root: Path) -> dict:
    out = root / "build" / "search"
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.js"))}


def _clean_search_files(site) -> dict:
    """The search files of a clean build of `site`'s content and settings (in a folder beside)."""
    import shutil

    from tests.conftest import SiteFolder

    clean = site.root.parent / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(site.root / "content", clean / "content")
    shutil.copy(site.root / "site.yaml", clean / "site.yaml")
    SiteFolder(clean).build()
    return _search_files(clean)


def test_long_posting_lists_changed_in_place_equal_a_clean_build(site, monkeypatch):
    """Edits that change, take out and put in postings of lists long enough to have anchors
    (spaced every 4 here, 128 in a real build) leave the index files byte for byte those of a
    clean build, and the changes are made in place, not by unpacking the lists."""

    from sitegen.site import search

    monkeypatch.setattr(search, "ANCHOR_EVERY", 4)
    monkeypatch.setattr(search, "ANCHORED_FROM", 8)
    patched = []
    real = search._patched

    def counting(entry, doc, tf):
        got = real(entry, doc, tf)
        patched.append(got is not None)
        return got

    monkeypatch.setattr(search, "_patched", counting)
    rng = random.Random(3)
    words = ["harbour", "ledger", "meadow", "quarry", "saddle", "tundra", "violet", "walnut"]
    for i in range(60):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 30)))
        site.article(
            f"a{i:02}.md", f"Story {i}", date=f"2024-01-{1 + i % 28:02} 10:{i:02}", body=body
        )

    site.build()
    edits = [
        ("a30.md", "harbour harbour harbour ledger"),  # frequencies changed, words taken out
        ("a07.md", "zeppelin " * 3 + "meadow"),  # a new word, most taken out
        ("a30.md", " ".join(words)),  # every word put back
        ("a59.md", "walnut " * 300),  # a frequency of two bytes
        ("a59.md", "walnut"),  # and back to one
    ]
    for name, body in edits:
        site.article(
            name,
            f"Story {int(name[1:3])}",
            date=f"2024-01-{1 + int(name[1:3]) % 28:02} 10:{name[1:3]}",
            body=body,
        )
        site.build()  # changed in place, from the last edit's index
        assert _search_files(site.root) == _clean_search_files(site), name
    assert patched.count(True) >= 20, patched.count(True)


def test_an_edit_keeps_its_lists_as_splices_beside_the_index_file(site, monkeypatch):
    """Edits that change a few postings of long lists write those lists as splices of the
    index file's (engine/splices.py: every list here counts as long), not the file again:
    the file keeps its bytes, the changes file holds splices, and the search files are byte
    for byte a clean build's; an edit undone leaves a few bytes of splices of each."""
    from sitegen.engine import journal, splices
    from sitegen.engine.blobcache import read_blob
    from sitegen.engine.search_cache import INDEX_FILE
    from sitegen.errors import Diagnostics

    # a small site's lists spliced as a big site's are: split around pieces of 8 bytes, not 48
    monkeypatch.setattr(journal, "SPLICED_FROM", 8)
    monkeypatch.setattr(splices, "PROBE", 8)
    monkeypatch.setattr(splices, "SMALL", 16)
    monkeypatch.setattr(journal, "SHARE", 2)  # and its 8 lists are a tenth of its entries
    rng = random.Random(5)
    words = ["harbour", "ledger", "meadow", "quarry", "saddle", "tundra", "violet", "walnut"]
    for i in range(80):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 30)))
        site.article(
            f"a{i:02}.md",
            f"Story {i}",
            date=f"2024-01-{1 + i % 28:02} {10 + i // 60}:{i % 60:02}",
            body=body,
        )
    site.build()
    state = site.root / ".sitegen" / INDEX_FILE
    base = state.read_bytes()
    original = (site.root / "content" / "a40.md").read_text(encoding="utf-8")
    for body in ("harbour harbour ledger", "walnut " * 40 + "zeppelin", " ".join(words)):
        site.article("a40.md", "Story 40", date="2024-01-13 10:40", body=body)
        site.build()
        assert state.read_bytes() == base
        changes = read_blob(journal.changes_path(state), _index_key(state), Diagnostics())
        # (base id, then for each part: updated, taken out, spliced); the postings are part 2
        assert changes is not None and changes[9], body
        assert set(changes[7]) <= {"zeppelin"}, body  # whole: only a word the file lacks
        assert _search_files(site.root) == _clean_search_files(site), body
    (site.root / "content" / "a40.md").write_text(original, encoding="utf-8")
    site.build()
    changes = read_blob(journal.changes_path(state), _index_key(state), Diagnostics())
    # the postings' part: no list whole, each as splices of a few bytes (the bytes put back
    # where they were, which splices of splices cannot tell from a change)
    assert state.read_bytes() == base and changes[7] == {}
    assert all(len(repr(patch)) < 200 for patch in changes[9].values())
    assert _search_files(site.root) == _clean_search_files(site)


def _index_key(state: Path) -> str:
    """The key a kept index file was written under (its first record)."""
    import marshal

    from sitegen.engine import blobcache

    data = state.read_bytes()
    at = len(blobcache._MAGIC)
    size, _ = blobcache._HEAD.unpack_from(data, at)
    return marshal.loads(data[at + blobcache._HEAD.size : at + blobcache._HEAD.size + size])


def test_articles_that_come_or_go_before_others_renumber_the_lists_in_place(site, monkeypatch):
    """A deleted article, or one added with an earlier date, moves the ids of every article
    after it: the lists are renumbered where they are (long ones with anchors, spaced every 4
    here), not made again from every article's counts, and the index files are byte for byte a
    clean build's after each step."""
    from sitegen.site import search

    monkeypatch.setattr(search, "ANCHOR_EVERY", 4)
    monkeypatch.setattr(search, "ANCHORED_FROM", 8)
    rebuilt: list[int] = []
    whole = search.SearchIndex._rebuild
    monkeypatch.setattr(
        search.SearchIndex, "_rebuild", lambda index, *a: rebuilt.append(1) or whole(index, *a)
    )
    rng = random.Random(5)
    words = ["harbour", "ledger", "meadow", "quarry", "saddle", "tundra", "violet", "walnut"]

    def body() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(5, 30)))

    for i in range(60):
        site.article(
            f"a{i:02}.md", f"Story {i}", date=f"2024-02-{1 + i % 28:02} 10:{i:02}", body=body()
        )

    site.build()
    steps = [
        lambda: (site.root / "content" / "a30.md").unlink(),  # one in the middle deleted
        lambda: site.article("old.md", "Old story", date="2023-05-01", body=body()),  # backdated
        lambda: (  # one deleted and one edited in the same build
            (site.root / "content" / "a10.md").unlink(),
            site.article("a45.md", "Story 45", date="2024-02-18 10:45", body="zeppelin " * 3),
        ),
        lambda: site.article("mid.md", "Mid", date="2024-02-10 09:00", body="walnut " * 300),
    ]
    for n, step in enumerate(steps):
        step()
        site.build()
        assert _search_files(site.root) == _clean_search_files(site), n
    assert not rebuilt


def test_a_renumbering_that_would_disorder_a_list_makes_the_lists_from_the_counts(
    site, monkeypatch
) -> None:
    """Should a list's renumbered ids not ascend, the update makes every list from the
    articles' counts instead, and the files are still a clean build's."""
    from sitegen.site import search

    def refuse(entry, table):
        raise search._Unordered

    rebuilt: list[int] = []
    whole = search.SearchIndex._rebuild
    monkeypatch.setattr(
        search.SearchIndex, "_rebuild", lambda index, *a: rebuilt.append(1) or whole(index, *a)
    )
    for i in range(12):
        site.article(f"a{i:02}.md", f"Story {i}", date=f"2024-03-{1 + i:02}", body=f"walnut {i}")
    site.build()
    monkeypatch.setattr(search, "_renumbered_list", refuse)
    (site.root / "content" / "a05.md").unlink()
    site.build()
    assert rebuilt
    assert _search_files(site.root) == _clean_search_files(site)


def test_a_failed_index_write_is_the_build_error_and_the_next_build_recovers(site, monkeypatch):
    """An index file the thread failed to write with an unexpected error fails the build once
    the output is in place (not silently, not hanging); the next build makes it again."""
    import sitegen.engine.search_cache as search_cache

    site.configure("title: T\nbase_url: https://example.org/\nsearch: true\nrelated: 3\n")
    for i in range(4):
        site.article(f"a{i}.md", f"Report {i}", body=f"harbour crane number{i} " * 20)

    def broken(*args):
        raise MemoryError("no room for the index")

    with monkeypatch.context() as patched:
        patched.setattr(search_cache, "write_kept", broken)
        with pytest.raises(MemoryError, match="no room for the index"):
            site.build()
    assert site.exists("search/manifest.js")
    assert site.exists("a0/index.html")
    assert not (site.root / ".sitegen" / search_cache.INDEX_FILE).exists()
    site.build()
    assert (site.root / ".sitegen" / search_cache.INDEX_FILE).exists()


def test_untouched_articles_are_taken_as_the_index_saw_them_only_from_that_index(site):
    """`Untouched` names the articles whose files changed since a build read them: an update
    takes the others' documents as the index holds them, without working out their keys,
    only when the index is the one that build left (the fingerprint of its manifest)."""
    from sitegen.site import search

    write_topic_site(site, per_topic=3)
    index = search.SearchIndex()
    made = index.update(_model(site), "salt")
    manifest = made["search/manifest.js"][1]
    assert index.manifest_fp == manifest
    path = site.root / "content" / "war-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA quetzal appeared.\n", encoding="utf-8")
    model = _model(site)
    fresh = {p: fp for p, (_, fp) in search.SearchIndex().update(model, "salt").items()}

    def updated(untouched: search.Untouched) -> dict[str, str]:
        copy = search.SearchIndex.from_data(index.to_data())
        return {p: fp for p, (_, fp) in copy.update(model, "salt", untouched=untouched).items()}

    # told the truth: the same files as a new index's
    assert updated(search.Untouched(manifest, {"war-0.md"})) == fresh
    # told every file is as it was: believed, so the edited document is left as it was
    doc = f"search/d/{index.entries['war-0.md'][1]}.js"
    assert fresh[doc] != made[doc][1]
    believed = updated(search.Untouched(manifest, set()))
    assert believed[doc] == made[doc][1]
    # the same word from a build that left another index: not believed
    assert updated(search.Untouched("another manifest", set())) == fresh
