"""One preview session: the server, the watcher and the rebuild loop, started and stopped
together. `sitegen serve` runs one in the foreground; tests and benchmarks run one in a thread.

Order matters: the port is taken first (a port in use fails before a long build), the watcher
starts before the first build (a save during it is not lost), and the server (a process of its
own: serve/process.py) answers only once the first build is in place.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sitegen.config import SiteConfig
from sitegen.errors import SiteError
from sitegen.serve.channel import ReloadChannel
from sitegen.serve.process import RelayedChannel, ServerProcess
from sitegen.serve.rebuild import RebuildLoop
from sitegen.serve.server import PreviewServer
from sitegen.serve.watch import ChangeBatcher, SourceWatcher


def preview_folder(config: SiteConfig) -> Path:
    """Where the preview is built: never build/, so serving leaves `sitegen build`'s output alone."""
    return config.cache_path / "preview"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int, root: Path, channel: ReloadChannel, log=None) -> PreviewServer:
    try:
        return PreviewServer((host, port), root, channel, log)
    except socket.gaierror:
        raise SiteError(
            f"cannot serve on host {host!r}: no such address",
            hint="use an address such as 127.0.0.1 or 0.0.0.0",
        ) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SiteError(
                f"port {port} on {host} is already in use",
                hint="stop the other server, or pick another port with --port "
                "(--port 0 picks a free one)",
            ) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise SiteError(
                f"not allowed to listen on port {port}",
                hint="ports below 1024 need special rights; use e.g. --port 8000",
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise SiteError(
                f"cannot serve on host {host!r}: this machine has no such address",
                hint="use 127.0.0.1, or 0.0.0.0 for every address",
            ) from None
        raise


class PreviewSession:
    def __init__(
        self,
        config: SiteConfig,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        drafts: bool = False,
        poll: bool = False,
        console=None,
        quiet: float | None = None,
        jobs: int = 0,
        progress: Callable[[], Any] | None = None,
    ) -> None:
        self.config = config
        self.channel = RelayedChannel()
        self.output = preview_folder(config)
        self.console = console
        self.server = bind(
            host,
            port,
            self.output,
            self.channel,
            log=console.error if console is not None else None,
        )
        self.batcher = ChangeBatcher() if quiet is None else ChangeBatcher(quiet=quiet)
        self.loop = RebuildLoop(
            config,
            self.output,
            self.channel,
            drafts=drafts,
            console=console,
            on_config=self._config_changed,
            jobs=jobs,
            progress=progress,
            start_from=config.output_path,
        )
        self.watcher = SourceWatcher(
            config, self.batcher, poll=poll, warn=console.warn if console is not None else None
        )
        self.process = ServerProcess(
            self.server, self.channel, console.error if console is not None else None
        )
        self._threads: list[threading.Thread] = []
        self._in_thread = False  # served by a thread of this process (no process could start)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def _config_changed(self, config: SiteConfig) -> None:
        self.config = config
        self.watcher.update(config)

    def start(self) -> None:
        """Watch, build once, then serve (in a process of its own: serve/process.py) and
        rebuild in a background thread. A preview folder with nothing in it starts from the
        files of `sitegen build`'s output (output/seed.py): the first build renders only the
        pages that differ."""
        self.watcher.start()
        self.loop.rebuild(set())
        targets = [("sitegen-rebuild", lambda: self.loop.run(self.batcher))]
        try:
            self.process.start()
        except OSError as exc:  # no interpreter to start (an embedded Python): a thread serves
            if self.console is not None:
                self.console.warn(
                    f"could not start the preview's server process ({exc}); serving from this "
                    "one, where a long build may keep the browser waiting"
                )
            self._in_thread = True
            targets.append(("sitegen-serve", self.server.serve_forever))
        for name, target in targets:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self.loop.stop()
        self.batcher.close()
        self.channel.close()
        self.watcher.stop()
        self.process.stop()
        if self._in_thread:
            self.server.shutdown()
            self.server.close_connections()
        self.server.server_close()  # when it never started serving
        for thread in self._threads:
            thread.join(timeout=10)  # a build in progress finishes first
        self._threads = []

    def __enter__(self) -> PreviewSession:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
