"""Browser fixtures: one headless Chromium per test session, and a plain static file server
that serves a folder under an optional subpath (like a host serving the site at /blog/)."""

from __future__ import annotations

import functools
import http.server
import os
import posixpath
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _SubpathHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler that serves `directory` at `prefix` and 404s everything else."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        clean = unquote(urlsplit(path).path)
        if not clean.startswith(self.prefix) and clean + "/" != self.prefix:
            return str(Path(self.directory) / ".outside-the-subpath")  # a 404
        rest = clean[len(self.prefix) :] if clean.startswith(self.prefix) else ""
        rest = posixpath.normpath("/" + rest).lstrip("/")
        target = Path(self.directory) / rest
        return str(target) + ("/" if clean.endswith("/") and rest else "")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet test output
        pass


@contextmanager
def serve_folder(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (free port) under `prefix`; yields the base URL
    (e.g. http://127.0.0.1:41234/blog/). The server thread stops when the block ends."""
    if not prefix.endswith("/"):
        prefix += "/"
    handler = type("Handler", (_SubpathHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (the system one; browsers are never downloaded)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # .ci/run installs it: a skip there would hide a broken set-up
            pytest.fail("CI: /usr/bin/chromium is missing (.ci/run installs Debian's chromium)")
        pytest.skip("needs /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
