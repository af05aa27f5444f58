"""The seed importer: exact output for the sample, idempotence, and never losing edits."""

from __future__ import annotations

import json
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.ingest.importer import MANIFEST_NAME, import_seeds, seed_action
from tests.conftest import SAMPLE_SEED


def _setup(site, *seeds: tuple[str, bytes | str]):
    for name, data in seeds:
        site.write(f"seeds/{name}", data)
    return load_config(site.root)


def _front(path):
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_sample_seed_front_matter_and_body(site):
    shutil.copy(SAMPLE_SEED, site.root / "seeds" / SAMPLE_SEED.name)
    config = load_config(site.root)
    report = import_seeds(config)
    assert not report.diagnostics.errors
    [path] = report.written
    meta, body = _front(path)
    assert list(meta)[:6] == ["title", "slug", "date", "summary", "tags", "source"]
    assert meta["title"] == (
        "Watch a US-led strike knock out an ISIS tank near the terrorist "
        "group’s shrinking Iraqi stronghold"
    )
    assert meta["slug"] == path.stem
    assert meta["source"] == f"seeds/{SAMPLE_SEED.name}"
    assert meta["summary"].startswith("Iraqi government forces recently launched")
    assert len(meta["summary"]) <= 200
    assert meta["teasers"] == [
        "NOW WATCH: Footage reveals ISIS’ secret underground tunnels near Mosul"
    ]
    paragraphs = [p for p in body.strip().split("\n\n") if p]
    assert len(paragraphs) == 24
    assert "NOW WATCH" not in body


def test_reimport_is_idempotent(site):
    config = _setup(site, ("a.txt", "Alpha\n\nBody one.\n"))
    first = import_seeds(config)
    assert len(first.written) == 1
    path = first.written[0]
    before = path.stat().st_mtime_ns
    second = import_seeds(config)
    assert second.written == [] and second.unchanged == 1
    assert path.stat().st_mtime_ns == before


def test_a_damaged_import_manifest_is_an_error_and_nothing_is_imported(site):
    """Read as empty, a damaged manifest made every changed seed a second content file
    (`-2`); an entry of the wrong type was a traceback. Both are an error now, and no file
    is written."""
    config = _setup(site, ("a.txt", "Alpha\n\nBody one.\n"))
    import_seeds(config)
    manifest = config.content_path / MANIFEST_NAME
    site.write("seeds/a.txt", "Alpha\n\nBody two.\n")
    for damaged in ('{"seeds": {"a.txt": 5}}', '{"seeds": {"a.t', '["seeds"]'):
        manifest.write_text(damaged, encoding="utf-8")
        before = sorted(p.name for p in config.content_path.iterdir())
        report = import_seeds(config)
        [error] = report.diagnostics.errors
        assert error.path == manifest and "import manifest cannot be read" in error.message
        assert report.written == []
        assert sorted(p.name for p in config.content_path.iterdir()) == before


def test_changed_seed_reimports_untouched_content(site):
    config = _setup(site, ("a.txt", "Alpha\n\nBody one.\n"))
    path = import_seeds(config).written[0]
    site.write("seeds/a.txt", "Alpha\n\nBody two.\n")
    report = import_seeds(config)
    assert report.written == [path]
    assert "Body two." in path.read_text(encoding="utf-8")


def test_edited_content_is_kept_and_force_backs_it_up(site):
    config = _setup(site, ("a.txt", "Alpha\n\nBody one.\n"))
    path = import_seeds(config).written[0]
    path.write_text(
        path.read_text(encoding="utf-8") + "\nA hand-written paragraph.\n", encoding="utf-8"
    )
    site.write("seeds/a.txt", "Alpha\n\nBody two.\n")
    report = import_seeds(config)
    assert report.written == [] and report.kept_edits == [path]
    assert "A hand-written paragraph." in path.read_text(encoding="utf-8")
    [warning] = report.diagnostics.warnings
    assert "a.txt" in str(warning) and path.name in str(warning)
    forced = import_seeds(config, force=True)
    assert forced.written == [path]
    backup = path.with_name(path.name + ".bak")
    assert "A hand-written paragraph." in backup.read_text(encoding="utf-8")
    assert "Body two." in path.read_text(encoding="utf-8")


def test_deleting_a_seed_keeps_its_content(site):
    config = _setup(site, ("a.txt", "Alpha\n\nBody.\n"))
    path = import_seeds(config).written[0]
    (site.root / "seeds" / "a.txt").unlink()
    import_seeds(config)
    assert path.exists()


def test_bad_seeds_reported_and_others_import(site):
    config = _setup(
        site,
        ("empty.txt", ""),
        ("blank.txt", "  \n\n \t\n"),
        ("latin1.txt", b"Caf\xe9\n\nbody"),
        ("binary.txt", bytes(range(256)) * 4),
        ("long.txt", "x " * 300 + "\n\nbody"),
        ("good.txt", "Good one\n\nFine body.\n"),
        ("title-only.txt", "Only a title\n"),
    )
    report = import_seeds(config)
    names = sorted(p.name for p in report.written)
    assert len(names) == 2 and "good-one.md" in names and "only-a-title.md" in names
    errors = {str(e.path).rsplit("/", 1)[-1]: str(e) for e in report.diagnostics.errors}
    assert set(errors) == {"empty.txt", "blank.txt", "latin1.txt", "binary.txt", "long.txt"}
    assert "offset 3" in errors["latin1.txt"]
    assert any("no body" in str(w) for w in report.diagnostics.warnings)


def test_slug_collision_gets_suffix_and_warning(site):
    config = _setup(site, ("a.txt", "Same Title\n\nOne.\n"), ("b.txt", "Same title\n\nTwo.\n"))
    report = import_seeds(config)
    assert sorted(p.name for p in report.written) == ["same-title-2.md", "same-title.md"]
    assert any("already used" in str(w) for w in report.diagnostics.warnings)


def test_existing_content_file_is_never_overwritten(site):
    site.article("same-title.md", "Written by hand", body="Precious.")
    config = _setup(site, ("a.txt", "Same Title\n\nOne.\n"))
    report = import_seeds(config)
    assert [p.name for p in report.written] == ["same-title-2.md"]
    assert "Precious." in (site.root / "content" / "same-title.md").read_text(encoding="utf-8")


def test_date_rule_is_stable(site, tmp_path):
    config = _setup(
        site,
        ("2019-03-04-x.txt", "Named\n\nBody.\n"),
        ("y.txt", "Plain\n\nBody.\n"),
        ("z.txt", "Dated\nDate: 2020-05-06\n\nBody.\n"),
    )
    import_seeds(config)
    dates = {p.stem: _front(p)[0]["date"] for p in (site.root / "content").glob("*.md")}
    assert str(dates["named"]) == "2019-03-04"
    assert str(dates["plain"]) == config.default_date
    assert str(dates["dated"]) == "2020-05-06"
    manifest = (site.root / "content" / MANIFEST_NAME).read_text(encoding="utf-8")
    assert "y.txt" in manifest


def test_headers_author_and_tags(site):
    config = _setup(site, ("a.txt", "Title\nAuthor: Jane Doe\nTags: Iraq, Mosul\n\nBody.\n"))
    meta, _ = _front(import_seeds(config).written[0])
    assert meta["author"] == "Jane Doe" and meta["tags"] == ["Iraq", "Mosul"]


_title = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=_title)
def test_front_matter_values_roundtrip(title):
    from sitegen.ingest.importer import render_content
    from sitegen.ingest.seeds import SeedArticle

    config = load_config(SAMPLE_SEED.parent.parent)
    clean = " ".join(title.split())
    if not clean:
        return
    seed = SeedArticle(
        title=clean, paragraphs=(clean,), teasers=(clean,), author=clean, tags=(clean,)
    )
    text = render_content(seed, "slug", "2020-01-01", "seeds/x.txt", [clean], config)
    meta = yaml.safe_load(text.split("---\n", 2)[1])
    assert meta["title"] == clean and meta["author"] == clean
    assert meta["tags"] == [clean] and meta["teasers"] == [clean]


def test_tricky_titles_roundtrip():
    from sitegen.ingest.importer import render_content
    from sitegen.ingest.seeds import SeedArticle

    config = load_config(SAMPLE_SEED.parent.parent)
    for title in [
        "Title: with colon",
        "'quoted' \"both\"",
        "# hash",
        "- dash",
        "---",
        "yes",
        "null",
        "2020-01-01",
        "{a: b}",
        "[x]",
        "&anchor *alias",
        "% percent",
        "@at `tick`",
        "   ",
    ]:
        seed = SeedArticle(title=title, paragraphs=("p",))
        meta = yaml.safe_load(
            render_content(seed, "s", "2020-01-01", "x", [], config).split("---\n", 2)[1]
        )
        assert meta["title"] == title


def test_seed_action_decides_from_the_manifest_entry_and_hashes():
    entry = {"seed_sha": "s1", "content": "a.md", "content_sha": "c1"}
    assert seed_action(None, "s1", None, force=False) == "import"  # never imported
    assert seed_action(entry, "s1", "c1", force=False) == "unchanged"
    assert seed_action(entry, "s1", "edited", force=False) == "unchanged"  # seed same: no news
    assert seed_action(entry, "s2", "c1", force=False) == "import"  # seed changed, file as left
    assert seed_action(entry, "s2", "edited", force=False) == "edited"  # hand edits win
    assert seed_action(entry, "s2", None, force=False) == "import"  # file deleted: written again
    assert seed_action(entry, "s1", None, force=False) == "unchanged"
    assert seed_action(entry, "s2", "edited", force=True) == "import"  # --force (keeps a .bak)
    assert seed_action(entry, "s1", "c1", force=True) == "import"
    assert seed_action(entry, "s1", None, force=True) == "unchanged"  # deleted stays deleted


def test_a_manifest_naming_a_file_outside_content_is_not_trusted(site):
    config = _setup(site, ("a.txt", "Alpha\n\nBody one.\n"))
    import_seeds(config)
    outside = site.root / "outside.md"
    outside.write_text("someone else's file\n", encoding="utf-8")
    manifest_path = config.content_path / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    [entry] = manifest["seeds"].values()
    entry["content"] = "../outside.md"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    site.write("seeds/a.txt", "Alpha\n\nBody two.\n")
    report = import_seeds(config, force=True)
    assert outside.read_text(encoding="utf-8") == "someone else's file\n"
    assert not (site.root / "outside.md.bak").exists()
    assert all(config.content_path in path.parents for path in report.written)
    [warning] = [w for w in report.diagnostics.warnings if "not inside content/" in str(w)]
    assert "a.txt" in str(warning)
