"""The preview HTTP server: serves the preview folder like a static host, adds the live-reload
script to HTML answers, and streams reload messages to open pages over Server-Sent Events.

It is the standard library's ThreadingHTTPServer: each connection has its own thread, so many
tabs, reloads and event streams at once never queue behind each other. Every answer says
`Cache-Control: no-store`, so a reload never shows a stale page or stylesheet, except the
content-hashed CSS and JS (`style.1a2b3c4d5e.css`), whose names change with their bytes: those
are cached for good, so a reload can paint without fetching them again. The files on
disk are never changed: the script is added to the bytes on their way out.
"""

from __future__ import annotations

import contextlib
import errno
import http.server
import json
import re
import socket
import threading
from pathlib import Path

from sitegen.serve.channel import ReloadChannel
from sitegen.serve.static import (
    RESERVED_PREFIX,
    Found,
    RangeNotSatisfiable,
    Redirect,
    Refused,
    byte_range,
    content_type,
    inject,
    is_html,
    live_script,
    resolve,
    split_target,
)

# `style.1a2b3c4d5e.css`: a name that changes with the content (assets.py) may be cached for
# good, so a reload does not fetch the stylesheets again before it can paint
_FINGERPRINTED = re.compile(r"\.[0-9a-f]{10}\.(?:css|js)$")

CLIENT_JS = Path(__file__).with_name("client.js")
PING_SECONDS = 15.0  # an event-stream comment this often finds connections that went away
NOT_FOUND_PAGE = (
    b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Not found</title>'
    b"</head><body><h1>Not found</h1><p>No page at this address (yet).</p></body>"
    b"</html>\n"
)


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        root: Path,
        channel: ReloadChannel,
        log=None,
        bind: bool = True,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.root = root
        self.channel = channel
        self.client_js = CLIENT_JS.read_text(encoding="utf-8")
        self.log = log
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, PreviewHandler, bind_and_activate=bind)

    @classmethod
    def around(
        cls, sock: socket.socket, root: Path, channel: ReloadChannel, log=None
    ) -> PreviewServer:
        """A server answering on `sock`, bound and listening already (by the building
        process, which hands it to the server's own: serve/process.py)."""
        server = cls(sock.getsockname()[:2], root, channel, log, bind=False)
        server.socket.close()  # the one made unbound
        server.socket = sock
        server.server_address = sock.getsockname()
        return server

    def get_request(self):
        sock, addr = super().get_request()
        with self._open_lock:
            self._open.add(sock)
        return sock, addr

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections too, so no browser talks to a stopped server's threads."""
        with self._open_lock:
            socks = list(self._open)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        """A browser that hangs up mid-answer is normal; anything else is logged, not fatal."""
        if self.log is not None:
            import traceback

            self.log(
                f"preview server: error while answering {client_address}: "
                + traceback.format_exc(limit=3)
            )


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a reload fetches the page and its assets
    server_version = "sitegen-preview"
    timeout = 300  # an idle kept-alive connection gives its thread back after this
    server: PreviewServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass  # a request log would drown the build messages in the terminal

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        try:
            path, _ = split_target(self.path)
            if path.startswith(RESERVED_PREFIX):
                self._internal(path, head)
                return
            found = resolve(self.server.root, self.path)
            if isinstance(found, Found):
                self._send_file(found, 200, head)
            elif isinstance(found, Redirect):
                self._send_bytes(
                    301, b"", "text/plain; charset=utf-8", head, {"Location": found.location}
                )
            elif isinstance(found, Refused):
                self._send_bytes(
                    found.status, found.reason.encode() + b"\n", "text/plain; charset=utf-8", head
                )
            else:
                self._not_found(head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _not_found(self, head: bool) -> None:
        page = self.server.root / "404.html"
        try:
            data = page.read_bytes() if page.is_file() else NOT_FOUND_PAGE
        except OSError:
            data = NOT_FOUND_PAGE
        self._send_html(404, data, "", head)

    def _send_file(self, found: Found, status: int, head: bool) -> None:
        if is_html(found.file):
            try:
                data = found.file.read_bytes()
            except OSError:
                self._not_found(head)  # removed by a rebuild between resolving and reading
                return
            self._send_html(status, data, found.rel, head)
            return
        try:
            fh = found.file.open("rb")
        except OSError:
            self._not_found(head)
            return
        with fh:
            size = fh.seek(0, 2)
            extra = {"Accept-Ranges": "bytes"}
            if _FINGERPRINTED.search(found.file.name) is not None:
                extra["Cache-Control"] = "max-age=31536000, immutable"
            try:
                span = byte_range(self.headers.get("Range"), size) if status == 200 else None
            except RangeNotSatisfiable:
                extra["Content-Range"] = f"bytes */{size}"
                self._send_bytes(416, b"", "text/plain; charset=utf-8", head, extra)
                return
            first, last = span if span is not None else (0, size - 1)
            if span is not None:
                status = 206
                extra["Content-Range"] = f"bytes {first}-{last}/{size}"
            self._headers(status, content_type(found.file), last - first + 1, extra)
            if not head:
                fh.seek(first)
                left = last - first + 1
                while left > 0 and (chunk := fh.read(min(left, 1 << 16))):
                    self.wfile.write(chunk)
                    left -= len(chunk)

    def _send_html(self, status: int, data: bytes, served: str, head: bool) -> None:
        channel = self.server.channel
        data = inject(data, live_script(self.server.client_js, channel.version, served))
        self._send_bytes(status, data, "text/html; charset=utf-8", head)

    def _send_bytes(
        self, status: int, data: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None
    ) -> None:
        self._headers(status, ctype, len(data), extra)
        if not head:
            self.wfile.write(data)

    def _headers(
        self, status: int, ctype: str, length: int | None, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        if "Cache-Control" not in (extra or {}):
            self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _internal(self, path: str, head: bool) -> None:
        channel = self.server.channel
        if path == RESERVED_PREFIX + "events" and not head:
            self._event_stream(channel)
        elif path == RESERVED_PREFIX + "status":
            body = json.dumps(channel.status()).encode()
            self._send_bytes(200, body, "application/json", head)
        elif path == RESERVED_PREFIX + "client.js":
            self._send_bytes(200, self.server.client_js.encode(), content_type("x.js"), head)
        else:
            self._send_bytes(404, b"not found\n", "text/plain; charset=utf-8", head)

    def _event_stream(self, channel: ReloadChannel) -> None:
        """Hold the connection open and pass on every message until the page or server goes."""
        self.close_connection = True  # the stream has no length: it ends when the socket does
        self._headers(200, "text/event-stream; charset=utf-8", None, {"Connection": "close"})
        seq, hello = channel.hello()
        try:
            self.wfile.write(b"retry: 500\n\n" + _event(hello))
            while True:
                batch = channel.wait(seq, PING_SECONDS)
                if batch is None:
                    return  # server shutting down
                if not batch:
                    self.wfile.write(b": ping\n\n")
                    continue
                self.wfile.write(b"".join(_event(msg) for _, msg in batch))
                seq = batch[-1][0]
        except OSError as exc:
            if exc.errno not in (None, errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED):
                raise


def _event(message: dict) -> bytes:
    return b"data: " + json.dumps(message, separators=(",", ":")).encode() + b"\n\n"
