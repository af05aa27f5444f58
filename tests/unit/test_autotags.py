"""Automatic tags on import (sitegen/autotags.py and its use in importer.py)."""

from __future__ import annotations

from sitegen.config import SiteConfig, load_config
from sitegen.ingest.autotags import collection_tags, propose_tags, tag_key
from sitegen.ingest.importer import import_seeds
from sitegen.ingest.seeds import SeedArticle, decode_seed, parse_seed
from tests.conftest import SAMPLE_SEED


def sample_seed() -> SeedArticle:
    return parse_seed(decode_seed(SAMPLE_SEED.read_bytes(), SAMPLE_SEED), SAMPLE_SEED)


def seed(title: str, *paragraphs: str) -> SeedArticle:
    return SeedArticle(title=title, paragraphs=paragraphs)


def test_sample_seed_gets_the_names_it_is_about():
    tags = propose_tags(sample_seed(), SiteConfig())
    assert {"Mosul", "ISIS", "Iraq"} <= set(tags)
    assert len(tags) <= 5
    assert "Iraqi" not in tags  # the demonym folds into the place
    for noise in ("The", "Five", "Watch", "Sunday", "January", "Despite"):
        assert noise not in tags


def test_deterministic_and_limited_by_config():
    config = SiteConfig(max_auto_tags=3)
    first = propose_tags(sample_seed(), config)
    assert first == propose_tags(sample_seed(), config)
    assert len(first) == 3
    assert propose_tags(sample_seed(), SiteConfig(max_auto_tags=0)) == []


def test_sentence_initial_capitals_are_not_names():
    article = seed(
        "Rain expected",
        "Tomorrow brings rain to Lisbon. Forecasters say Lisbon will be wet.",
        "Umbrellas sold out. Rain in Lisbon is rare in May.",
    )
    tags = propose_tags(article, SiteConfig())
    assert tags == ["Lisbon"]


def test_surname_folds_into_full_name_and_acronyms_stay_whole():
    article = seed(
        "Talks in Geneva",
        "Foreign Minister Anna Berg met NATO officials in Geneva on Monday.",
        "Berg said NATO-led talks would go on. Later, Berg left Geneva.",
    )
    tags = propose_tags(article, SiteConfig())
    assert tags == ["Geneva", "Anna Berg", "NATO"]  # Geneva is also in the title


def test_spelling_already_used_in_the_collection_wins():
    known = {tag_key("U.S."): "U.S.", tag_key("isis"): "Isis"}
    tags = propose_tags(sample_seed(), SiteConfig(), known)
    assert "U.S." in tags and "Isis" in tags
    assert "US" not in tags and "ISIS" not in tags
    assert tag_key("São Paulo") == tag_key("sao-paulo") == "saopaulo"


def test_collection_tags_reads_front_matter(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: A\ntags: [U.S., Iraq]\n---\nx\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: B\ntags: [U.S.]\n---\nx\n", encoding="utf-8")
    (tmp_path / "c.md").write_text("---\ntitle: C\ntags: [US]\n---\nx\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    known = collection_tags(sorted(tmp_path.glob("*.md")))
    assert known == {"us": "U.S.", "iraq": "Iraq"}


def _site(tmp_path, config_text: str):
    (tmp_path / "content").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "site.yaml").write_text(config_text, encoding="utf-8")
    (tmp_path / "seeds" / "sample.txt").write_bytes(SAMPLE_SEED.read_bytes())
    return load_config(tmp_path)


def test_import_writes_auto_tags_normalised_to_the_collection(tmp_path):
    config = _site(tmp_path, "title: T\n")
    (tmp_path / "content" / "old.md").write_text(
        "---\ntitle: Old\ndate: 2017-01-01\ntags: [mosul]\n---\nOld text.\n", encoding="utf-8"
    )
    report = import_seeds(config)
    assert not report.diagnostics.errors
    written = next(p for p in report.written)
    text = written.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    assert "- mosul\n" in front  # the collection's spelling, not "Mosul"
    assert "- ISIS\n" in front and "- Iraq\n" in front


def test_auto_tags_can_be_turned_off(tmp_path):
    config = _site(tmp_path, "title: T\nauto_tags: false\n")
    report = import_seeds(config)
    text = report.written[0].read_text(encoding="utf-8")
    assert "tags: []" in text


def test_a_tags_line_is_kept_as_written(tmp_path):
    config = _site(tmp_path, "title: T\n")
    (tmp_path / "seeds" / "sample.txt").write_text(
        "Title here\nTags: One, Two\n\nMosul and Mosul.\n", encoding="utf-8"
    )
    report = import_seeds(config)
    text = report.written[0].read_text(encoding="utf-8")
    assert "- One\n- Two\n" in text and "Mosul\n" not in text.split("---")[1]
