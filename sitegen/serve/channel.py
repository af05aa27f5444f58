"""The reload channel between the rebuild loop and the open pages.

The rebuild loop publishes small JSON messages (reload, swap stylesheets, show or clear build
errors); every open page holds a Server-Sent Events connection that waits here for them. The
channel also keeps the state a newly connected page needs: the version of the last good build
and the current build errors. Versions carry a token of this server run, so a page that
reconnects to a restarted server sees a new version and reloads.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

HISTORY = 64  # messages kept for connections that are between two waits


class ReloadChannel:
    def __init__(self, token: str | None = None) -> None:
        self.token = token or secrets.token_hex(4)
        self.builds = 0  # good builds so far
        self.errors: list[dict[str, Any]] = []
        self._seq = 0
        self._messages: list[tuple[int, dict[str, Any]]] = []
        self._closed = False
        self._cond = threading.Condition()

    @property
    def version(self) -> str:
        return f"{self.token}-{self.builds}"

    def hello(self) -> tuple[int, dict[str, Any]]:
        """What a new connection is told first, and the sequence number it continues from."""
        with self._cond:
            return self._seq, {"type": "hello", "version": self.version, "errors": self.errors}

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {"version": self.version, "builds": self.builds, "errors": self.errors}

    def built(self, message: dict[str, Any] | None) -> None:
        """A good build finished: new version, no errors; tell the pages if `message`."""
        with self._cond:
            self.builds += 1
            self.errors = []
            if message is not None:
                self._publish({**message, "version": self.version, "errors": []})

    def failed(self, errors: list[dict[str, Any]]) -> None:
        with self._cond:
            self.errors = errors
            self._publish({"type": "errors", "version": self.version, "errors": errors})

    def _publish(self, message: dict[str, Any]) -> None:
        self._seq += 1
        self._messages.append((self._seq, message))
        del self._messages[:-HISTORY]
        self._cond.notify_all()

    def wait(self, after: int, timeout: float) -> list[tuple[int, dict[str, Any]]] | None:
        """Messages newer than `after`, waiting up to `timeout` for one; None once closed.
        A connection that fell more than HISTORY messages behind is told to reload."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._seq > after, timeout)
            if self._closed:
                return None
            newer = [(seq, msg) for seq, msg in self._messages if seq > after]
            if newer and newer[0][0] != after + 1:
                return [
                    (
                        self._seq,
                        {
                            "type": "reload",
                            "version": self.version,
                            "errors": self.errors,
                            "pages": None,
                        },
                    )
                ]
            return newer

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
