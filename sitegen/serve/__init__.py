"""`sitegen serve`: build the site into a preview folder, serve it, and rebuild and reload the
open pages on every save. A thin layer over the same build as `sitegen build`:
watch.py (events, filter, debounce) -> rebuild.py (build, what changed) -> channel.py (messages)
-> server.py (static serving, event stream) -> client.js (reload, stylesheet swap, overlay).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import webbrowser
from collections.abc import Callable
from typing import Any

from sitegen.config import SiteConfig


def serve_site(
    config: SiteConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    drafts: bool = False,
    open_browser: bool = False,
    console=None,
    poll: bool = False,
    jobs: int = 0,
    progress: Callable[[], Any] | None = None,
) -> int:
    """Run the preview until Ctrl-C (or SIGTERM); returns the exit code (0). `progress` makes
    what draws a build's progress (at a terminal: the first build of a big site takes a while).

    Raises SiteError when the address cannot be used (the CLI prints it and exits 1)."""
    from sitegen.serve.rebuild import Console
    from sitegen.serve.session import PreviewSession, is_loopback

    console = console or Console()
    stop = threading.Event()
    session = PreviewSession(
        config, host, port, drafts=drafts, poll=poll, console=console, jobs=jobs, progress=progress
    )
    previous = _on_sigterm(stop)
    try:
        if not is_loopback(host):
            console.warn(
                f"serving on {host}: other machines on your network can read the preview "
                "(drafts included when --drafts is on); use --host 127.0.0.1 to keep it "
                "to this machine"
            )
        console.info(f"building the preview in {_rel(session.output, config)} ...")
        session.start()
        bound = session.server.server_address[0]
        shown = f" (listening on {bound}, every address)" if bound in ("0.0.0.0", "::") else ""
        console.info(
            f"serving {session.url}{shown} from {_rel(session.output, config)}; Ctrl-C to stop"
        )
        sys.stdout.flush()
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(session.url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C while a build finishes
            session.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    console.info("stopped")
    return 0


def _on_sigterm(stop: threading.Event):
    """SIGTERM stops the preview as Ctrl-C does, at once, even in the middle of the first build
    (the build's worker processes are stopped with it)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame) -> None:
        stop.set()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: cleanup is under way
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def _rel(path, config: SiteConfig) -> str:
    try:
        return path.relative_to(config.root).as_posix() + "/"
    except ValueError:
        return str(path)
