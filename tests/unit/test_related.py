"""Related articles by content similarity (sitegen/related.py)."""

from __future__ import annotations

import datetime as dt
import random

from sitegen.content.article import Article
from sitegen.site.related import related_articles, terms_of

TOPICS = {
    "war": "siege artillery frontline troops offensive ceasefire militia airstrike shelling brigade",
    "sport": "striker goalkeeper league penalty midfielder stadium tournament referee coach trophy",
    "money": "inflation bond currency lender interest deficit tariff investor mortgage recession",
    "space": "orbit rocket telescope astronaut lunar satellite probe galaxy launchpad comet",
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
]


def article(
    rel: str, title: str, body: str, tags: tuple[str, ...] = (), lang: str = "en"
) -> Article:
    return Article(
        source=f"content/{rel}",
        rel=rel,
        title=title,
        slug=rel[:-3],
        date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        updated=None,
        summary="",
        tags=tags,
        categories=(),
        author="",
        authors=(),
        draft=False,
        aliases=(),
        lang=lang,
        translation_key=rel,
        body=body,
        body_line=1,
        content_hash=rel,
        meta={},
    )


def topic_articles(per_topic: int = 6, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for name, words in TOPICS.items():
        vocab = words.split()
        for i in range(per_topic):
            body = " ".join(
                rng.choice(vocab) if rng.random() < 0.4 else rng.choice(FILLER) for _ in range(120)
            )
            out.append(article(f"{name}-{i}.md", f"Report {name} {i}", body))
    return out


def test_related_come_from_the_same_topic():
    articles = topic_articles()
    related = related_articles(articles, 5)
    assert set(related) == {a.rel for a in articles}
    for rel, others in related.items():
        assert len(others) == 5
        assert rel not in others
        assert all(o.split("-")[0] == rel.split("-")[0] for o in others), (rel, others)


def test_untagged_reports_on_the_same_battle_are_related():
    articles = [
        article(
            "a.md",
            "Troops enter Mosul",
            "Iraqi troops pushed into western Mosul under artillery fire.",
        ),
        article(
            "b.md",
            "Battle for Mosul",
            "Artillery shelled western Mosul as troops advanced.",
            ("Iraq",),
        ),
        article(
            "c.md", "Cup final", "The striker scored a penalty in the cup final at the stadium."
        ),
        article(
            "d.md", "League news", "A penalty decided the league match; the striker celebrated."
        ),
    ]
    related = related_articles(articles, 5)
    assert related["a.md"][0] == "b.md"
    assert related["c.md"] == ["d.md"]  # nothing shared with the war reports


def test_deterministic_limited_and_off():
    articles = topic_articles()
    assert related_articles(articles, 3) == related_articles(list(articles), 3)
    assert all(len(v) <= 3 for v in related_articles(articles, 3).values())
    assert related_articles(articles, 0) == {}
    assert related_articles(articles[:1], 5) == {}


def test_only_articles_in_the_same_language():
    articles = [
        article(
            "en1.md", "Rocket launch", "The rocket reached orbit after launch from the launchpad."
        ),
        article("en2.md", "Second launch", "Another rocket launch put a satellite in orbit."),
        article("fr1.md", "Lancement", "The rocket launch orbit satellite launchpad.", lang="fr"),
    ]
    related = related_articles(articles, 5)
    assert related["en1.md"] == ["en2.md"]
    assert "fr1.md" not in related


def test_terms_skip_stopwords_and_markup_and_pair_cjk():
    assert terms_of("The [Mosul](https://example.org/x) offensive, and <b>troops</b>") == [
        "mosul",
        "offensive",
        "troops",
    ]
    assert terms_of("北京大学") == ["北京", "京大", "大学"]


def test_term_counts_kept_from_the_last_build_give_the_same_lists(tmp_path):
    """After an edit only the edited article is re-read; the lists equal a from-scratch run."""
    import dataclasses

    from sitegen.site.related import cached_related_articles

    articles = topic_articles()
    cached_related_articles(articles, 5, tmp_path)  # leaves the term table in tmp_path
    edited = list(articles)
    edited[3] = dataclasses.replace(
        edited[3], body=edited[3].body + " orbit rocket telescope", content_hash="changed"
    )
    assert cached_related_articles(edited, 5, tmp_path) == related_articles(edited, 5)
    (tmp_path / "related-terms.marshal").write_bytes(b"\x00garbage")  # damaged: ignored
    (tmp_path / "related.json").unlink()
    assert cached_related_articles(edited, 5, tmp_path) == related_articles(edited, 5)
