"""Shared fixtures: small real sites in temporary folders, and an HTML parser for assertions."""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.build import BuildRequest, BuildResult, build
from sitegen.config import load_config

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SEED = next((REPO / "seeds").glob("*.txt"))
OUTSIDE = Path("/nonexistent")  # where a test that forgot its temporary folder would write


@pytest.fixture(scope="session", autouse=True)
def contained(tmp_path_factory):
    """Every test runs with HOME and the working folder in a temporary folder, and the suite
    fails if anything was written where no test should write."""
    existed = OUTSIDE.exists()
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.chdir(home)
        yield
    assert existed or not OUTSIDE.exists(), f"a test wrote into {OUTSIDE}"


class SiteFolder:
    """A throwaway site: write files into it, build it, read what came out."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "seeds").mkdir(exist_ok=True)
        self.config_text = "title: Test site\nbase_url: https://example.org/blog/\n"
        (root / "site.yaml").write_text(self.config_text, encoding="utf-8")

    def configure(self, text: str) -> None:
        (self.root / "site.yaml").write_text(textwrap.dedent(text), encoding="utf-8")

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def article(
        self, name: str, title: str, date: str = "2024-01-01", body: str = "Body text.", **meta
    ) -> Path:
        lines = [f"title: {title!r}" if "'" not in title else f'title: "{title}"', f"date: {date}"]
        for key, value in meta.items():
            lines.append(f"{key}: {value}")
        return self.write(f"content/{name}", "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n")

    def build(self, **kwargs) -> BuildResult:
        config = load_config(self.root)
        return build(BuildRequest(config, **kwargs))

    def out(self, rel: str) -> str:
        return (self.root / "build" / rel).read_text(encoding="utf-8")

    def exists(self, rel: str) -> bool:
        return (self.root / "build" / rel).exists()


@pytest.fixture
def site(tmp_path: Path) -> SiteFolder:
    return SiteFolder(tmp_path / "site")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


class Page:
    """A parsed HTML page: elements with attributes, and the visible text."""

    def __init__(self, html: str) -> None:
        parser = _Collector()
        parser.feed(html)
        self.html = html
        self.elements = parser.elements
        self.text = " ".join(" ".join(parser.text).split())

    def find_all(self, tag: str, **attrs) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.elements if a.get("href") and t in ("a", "link")]


@pytest.fixture
def parse():
    return Page
