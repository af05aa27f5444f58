"""The preview server (issue 4 replaces this with live reload): build, then serve the output."""

from __future__ import annotations

import contextlib
import functools
import http.server

from sitegen.config import SiteConfig


def serve_site(config: SiteConfig, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
               open_browser: bool = False, console=None) -> int:
    from sitegen.build import BuildRequest, build

    output = config.cache_path / "preview"
    build(BuildRequest(config, output, drafts=drafts))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"serving http://{host}:{server.server_address[1]}/")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
