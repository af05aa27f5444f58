"""The preview's HTTP server in a process of its own, so that a build never keeps a browser's
request waiting.

A build holds Python's interpreter lock for seconds at a time on a big site: its kept indexes
(hundreds of megabytes at 500,000 articles) are read and written in single calls that no
other thread of the process can interrupt. A server thread beside the build could not answer
meanwhile, so a page reloaded right after a save waited for the build behind it. Here the
building process binds the socket (a port in use is reported before the first build, as
before), then starts `python -m sitegen.serve.process` with it, and passes every reload
message on through the child's standard input, one JSON line each; the child applies them to
a `ReloadChannel` of its own and serves the preview folder from the disk, as any static host
would. It ignores Ctrl-C (the terminal sends it to both processes: the building one decides
when to stop) and ends when its input does: when the preview stops, or when the building
process dies in any way, so no server is ever left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sitegen.serve.channel import ReloadChannel
from sitegen.serve.server import PreviewServer

STOP_SECONDS = 10.0  # a server that has not gone this long after its input ended is killed


class RelayedChannel(ReloadChannel):
    """The building process's channel: what it is told is also sent to the server process
    (`ServerProcess.send`), whose channel, told the same in the same order, is the same."""

    def __init__(self) -> None:
        super().__init__()
        self.relay: ServerProcess | None = None

    # this process's channel first, then the server's: what a page has been told is never
    # ahead of what this process says (its status, its count of builds)
    def built(self, message: dict[str, Any] | None) -> None:
        super().built(message)
        if self.relay is not None:
            self.relay.send("built", message)

    def failed(self, errors: list[dict[str, Any]]) -> None:
        super().failed(errors)
        if self.relay is not None:
            self.relay.send("failed", errors)


class ServerProcess:
    """The child process serving `server`'s socket (bound and listening in this process)."""

    def __init__(
        self,
        server: PreviewServer,
        channel: RelayedChannel,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.server, self.channel, self.log = server, channel, log
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # one message at a time on the pipe
        self._lost = False  # the child went away by itself (said once)

    def start(self) -> None:
        """Start serving in the child, whose channel starts as this one is (the pages' version
        is the count of good builds). This process keeps the socket's address
        (`server.server_address`) but no longer its descriptor; no build may run meanwhile."""
        fd = self.server.socket.fileno()
        # the folder holding sitegen/, last: found there if nowhere before (this process may
        # have had it put on its path by hand), without hiding any other package
        package = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), package) if p)
        status = self.channel.status()  # the state so far, the child's before it answers
        self._child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sitegen.serve.process",
                str(fd),
                str(self.server.root),
                self.channel.token,
                json.dumps([status["builds"], status["errors"]]),
            ],
            stdin=subprocess.PIPE,
            pass_fds=(fd,),
            env=env,
        )
        self.server.server_close()  # the child's now; its port is free once the child ends
        self.channel.relay = self

    def send(self, kind: str, payload: Any) -> None:
        """Tell the server process what its channel must be told (`built`, `failed`)."""
        child = self._child
        if child is None or child.stdin is None:
            return
        line = json.dumps([kind, payload], separators=(",", ":")).encode() + b"\n"
        with self._lock:
            try:
                child.stdin.write(line)
                child.stdin.flush()
            except (OSError, ValueError):
                if not self._lost and self.log is not None:
                    self.log(
                        f"the preview's server stopped by itself (exit status {child.poll()}); "
                        "the builds go on, but nothing answers: stop sitegen serve and start "
                        "it again"
                    )
                self._lost = True

    def stop(self) -> int | None:
        """End the server process (its input closed, then killed if it lingers); its exit
        status, None if it was never started."""
        child, self._child = self._child, None
        if child is None:
            return None
        self.channel.relay = None
        with self._lock, contextlib.suppress(OSError):
            assert child.stdin is not None
            child.stdin.close()
        try:
            return child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.wait()


def _relay(stream: IO[bytes], channel: ReloadChannel, server: PreviewServer) -> None:
    """Apply each message from the building process; at the end of its input, stop serving."""
    try:
        for line in stream:
            kind, payload = json.loads(line)
            if kind == "built":
                channel.built(payload)
            elif kind == "failed":
                channel.failed(payload)
    finally:
        channel.close()
        server.shutdown()


def main(argv: list[str]) -> int:
    """The server process: `python -m sitegen.serve.process FD ROOT TOKEN [BUILDS, ERRORS]`."""
    fd, root, token = int(argv[0]), Path(argv[1]), argv[2]
    builds, errors = json.loads(argv[3])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = ReloadChannel(token)
    channel.builds, channel.errors = builds, errors
    server = PreviewServer.around(socket.socket(fileno=fd), root, channel, log=_log)
    relay = threading.Thread(
        target=_relay, args=(sys.stdin.buffer, channel, server), name="sitegen-relay", daemon=True
    )
    relay.start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.close_connections()
    return 0


def _log(text: str) -> None:
    print(f"error: {text}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
