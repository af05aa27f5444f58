"""A deterministic, realistic-looking news site for theme checks (vnu, axe, crawl, screenshots).

`write_sample_site(root, n)` writes site.yaml and n articles with headings, quotes, lists,
tables, footnotes, code, task lists and tags; article i depends only on i. Run as a script
to make one by hand: `python -m tests.sample_site DIR [N]`.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

SENTENCES = [
    "The city council voted on Tuesday to extend the pilot programme for another two years",
    "Officials said the decision followed months of consultation with residents and businesses",
    "Critics argue that the plan does little to address the underlying shortage of housing",
    "The regional transport authority has yet to publish its own assessment of the proposal",
    "According to figures released last week, ridership rose by almost twelve percent",
    "Several community groups welcomed the announcement but called for clearer timelines",
    "The mayor told reporters that the budget would be balanced without new taxes",
    "Engineers expect the first phase of construction to begin early next spring",
    "Independent analysts cautioned that the estimates rely on optimistic assumptions",
    "Residents of the northern districts have long complained about unreliable services",
    "A spokesperson for the ministry declined to comment on the ongoing negotiations",
    "The report recommends a review of procurement rules before any contracts are signed",
    "Local schools will receive additional funding for teachers and classroom equipment",
    "Environmental campaigners said the river clean-up had exceeded its first targets",
    "Hospital administrators warned that staffing levels remain under severe pressure",
    "The opposition leader described the agreement as a missed opportunity for reform",
    "Farmers in the valley reported the wettest season in more than three decades",
    "Police said the investigation was at an early stage and appealed for witnesses",
    "The university announced a partnership with two technology companies on Friday",
    "Shop owners on the high street reported a modest recovery in weekend trade",
]
TOPICS = [
    "Politics",
    "Transport",
    "Housing",
    "Environment",
    "Health",
    "Education",
    "Economy",
    "Science",
    "Culture",
    "Sport",
    "Justice",
    "Technology",
]
HEADLINES = [
    "Council extends {t} pilot as residents call for clearer timelines",
    "What the new {t} budget means for the northern districts",
    "Inside the long fight over {t} in the river valley",
    "{T} plan faces scrutiny after independent review",
    "Five questions about the city's {t} strategy, answered",
    "Ministry defends {t} reforms amid growing criticism",
    "How a small town rebuilt its {t} services after the floods",
    "Analysts split over the cost of the {t} overhaul",
]
CODE = """```python
def weekly_average(values: list[float]) -> float:
    \"\"\"Average of the last seven readings.\"\"\"
    recent = values[-7:]
    return sum(recent) / len(recent) if recent else 0.0
```"""
TABLE = """| District | 2022 | 2023 | Change |
|----------|-----:|-----:|-------:|
| North    | 1,204 | 1,350 | +12% |
| Centre   | 2,911 | 2,874 | -1% |
| South    | 874 | 1,016 | +16% |"""


def _paragraph(rng: random.Random, low: int = 3, high: int = 5) -> str:
    return " ".join(s + "." for s in rng.sample(SENTENCES, rng.randint(low, high)))


def article_text(i: int) -> tuple[str, str]:
    """(file name, file text) of article number i."""
    rng = random.Random(i * 7919 + 3)
    topic = TOPICS[i % len(TOPICS)]
    title = HEADLINES[i % len(HEADLINES)].format(t=topic.lower(), T=topic)
    if i % 10 == 0:
        title += f" (part {i // 10 + 1})"
    date = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC) + dt.timedelta(hours=i * 29)
    tags = sorted({topic, *rng.sample(TOPICS, rng.randint(0, 2))})
    parts = [_paragraph(rng) for _ in range(2)]
    parts.append("## Background")
    parts.append(_paragraph(rng) + " The figures were first reported by the regional office.[^1]")
    parts.append("> " + _paragraph(rng, 1, 2))
    parts.append(_paragraph(rng))
    if i % 3 == 0:
        parts += ["## The numbers", "Counts of applications by district:", TABLE]
    if i % 4 == 0:
        parts += ["## How it was calculated", CODE]
    parts.append("## What happens next")
    parts.append("\n".join(f"- {s}." for s in rng.sample(SENTENCES, 3)))
    if i % 5 == 0:
        parts.append("- [x] consultation closed\n- [ ] final vote\n- [ ] contracts signed")
    parts.append(_paragraph(rng) + " ~~The earlier estimate~~ has since been revised.")
    parts.append("[^1]: Regional statistics office, quarterly bulletin.")
    front = [
        f'title: "{title}"',
        f"date: {date.isoformat()}",
        f"tags: [{', '.join(tags)}]",
        f"author: {rng.choice(['Ana Lima', 'Tom Okafor', 'Mei Chen', 'Jonas Berg'])}",
    ]
    if i % 7 == 0:
        front.append(f"updated: {(date + dt.timedelta(days=2)).isoformat()}")
    name = f"story-{i:04d}.md"
    return name, "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(parts) + "\n"


def write_sample_site(root: Path, n: int, config: str = "") -> Path:
    """A site folder at `root` with n articles; `config` is appended to site.yaml."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    (root / "site.yaml").write_text(
        "title: The Valley Courier\n"
        "description: Independent news from the river valley since 1921.\n"
        "author: Courier staff\nbase_url: https://example.org/news/\nper_page: 10\n" + config,
        encoding="utf-8",
    )
    for i in range(n):
        name, text = article_text(i)
        (root / "content" / name).write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":
    write_sample_site(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 30)
