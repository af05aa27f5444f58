"""`sitegen serve` over real HTTP: static-host behaviour, refused traversal, the injected script,
the event stream, build errors, and the command's exit paths. The session runs in the test's
process and its server in a process of its own (serve/process.py), on a free port; rebuilds are
awaited on the reload channel, never with sleeps."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.output.writer import MANIFEST
from sitegen.serve.session import PreviewSession, is_loopback

SECRET = "top-secret-outside-the-site"


class Quiet:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, text):
        self.lines.append(str(text))

    warn = error = info


def request(port: int, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw request; the target is sent exactly as given (no client-side normalising)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return status, headers, body


@pytest.fixture
def served(site, tmp_path):
    (tmp_path / "secret.txt").write_text(SECRET)
    site.article(
        "first.md", "First story", "2024-01-01", "Hello from the first story.", tags="[alpha]"
    )
    site.article("second.md", "Second story", "2024-02-01", "Hello from the second story.")
    site.write("static/files/notes.txt", "plain notes\n")
    console = Quiet()
    session = PreviewSession(load_config(site.root), "127.0.0.1", 0, console=console)
    with session:
        session.console_lines = console.lines
        yield session


def test_pages_folders_and_redirects(served):
    port = served.server.port
    status, headers, body = request(port, "/first/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)
    assert b"Hello from the first story." in body
    status, headers, _ = request(port, "/first?x=1")
    assert status == 301 and headers["location"] == "/first/?x=1"
    status, _, body = request(port, "/")
    assert status == 200 and b"First story" in body


def test_unknown_paths_get_the_404_page_with_status_404(served):
    status, headers, body = request(served.server.port, "/no/such/page/")
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert body == _with_script(served, (served.output / "404.html").read_bytes(), b"")


def _with_script(served, page: bytes, path: bytes) -> bytes:
    status, _, live = request(served.server.port, "/__sitegen/client.js")
    at = page.lower().rfind(b"</body")
    script = (
        b'<script id="sitegen-live" data-version="'
        + served.channel.version.encode()
        + b'" data-path="'
        + path
        + b'">\n'
        + live
        + b"</script>\n"
    )
    return page[:at] + script + page[at:]


def test_folders_are_never_listed(served):
    (served.output / "emptydir" / "sub").mkdir(parents=True)
    status, _, body = request(served.server.port, "/emptydir/")
    assert status == 404
    assert body == _with_script(served, (served.output / "404.html").read_bytes(), b"")
    assert request(served.server.port, "/emptydir")[0] == 301


def test_content_types(served):
    port = served.server.port
    css = next(p.name for p in served.output.glob("style.*.css"))
    expected = {
        f"/{css}": "text/css; charset=utf-8",
        "/style.css": "text/css; charset=utf-8",
        "/feed.xml": "application/atom+xml; charset=utf-8",
        "/rss.xml": "application/rss+xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        "/files/notes.txt": "text/plain; charset=utf-8",
    }
    for target, ctype in expected.items():
        status, headers, _ = request(port, target)
        assert (status, headers["content-type"]) == (200, ctype), target
        assert headers["x-content-type-options"] == "nosniff"
        # a content-hashed name changes with its bytes: cached for good; anything else never
        hashed = re.search(r"\.[0-9a-f]{10}\.css$", target) is not None
        assert headers["cache-control"] == ("max-age=31536000, immutable" if hashed else "no-store")


def test_head_has_headers_and_no_body(served):
    status, headers, body = request(served.server.port, "/first/", "HEAD")
    assert status == 200 and int(headers["content-length"]) > 0 and body == b""


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/../../secret.txt",
        "/first/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "//../secret.txt",
        "/./../secret.txt",
        "/%00/../secret.txt",
        "http://x/../secret.txt",
        "../secret.txt",
        "secret.txt",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/.sitegen-manifest.json",
        "/%ff%fe/",
    ],
)
def test_traversal_is_refused(served, target):
    status, _, body = request(served.server.port, target)
    assert status in (400, 403, 404), target
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_absolute_paths_stay_inside_the_site(served):
    for target in ("/etc/passwd", "//etc/passwd", f"/{served.output.parent.parent}/site.yaml"):
        status, _, body = request(served.server.port, target)
        assert status == 404 and b"root:" not in body, target


def test_symlinks_pointing_outside_are_refused(served, tmp_path):
    (served.output / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (served.output / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    (served.output / "inside.txt").symlink_to(served.output / "robots.txt")
    for target in ("/leak.txt", "/leakdir/secret.txt"):
        status, _, body = request(served.server.port, target)
        assert status == 403 and SECRET.encode() not in body, target
    assert request(served.server.port, "/inside.txt")[0] == 200


def test_script_is_added_to_served_html_only(served):
    port = served.server.port
    _, _, page = request(port, "/first/")
    assert page.count(b'id="sitegen-live"') == 1
    assert b'data-path="first/index.html"' in page
    assert page.index(b'id="sitegen-live"') < page.rindex(b"</body>")
    for target in ("/feed.xml", "/style.css", "/robots.txt"):
        assert b"sitegen-live" not in request(port, target)[2], target
    on_disk = [p for p in served.output.rglob("*") if p.is_file()]
    assert on_disk and not any(b"sitegen-live" in p.read_bytes() for p in on_disk)


def test_serve_leaves_build_folder_alone(site):
    site.article("first.md", "First story", body="Original text.")
    site.build()
    build = site.root / "build"
    before = {p: p.read_bytes() for p in build.rglob("*") if p.is_file()}
    with PreviewSession(load_config(site.root), "127.0.0.1", 0, console=Quiet()) as session:
        seq, _ = session.channel.hello()
        site.article("first.md", "First story", body="Edited while serving.")
        assert _next_message(session, seq)["type"] == "reload"
        assert b"Edited while serving." in request(session.server.port, "/first/")[2]
    after = {p: p.read_bytes() for p in build.rglob("*") if p.is_file()}
    assert after == before
    assert session.output == site.root / ".sitegen" / "preview"
    assert (session.output / MANIFEST).exists()


def _next_message(session, seq: int, timeout: float = 15) -> dict:
    batch = session.channel.wait(seq, timeout)
    assert batch, "no message from the rebuild loop"
    return batch[-1][1]


def _read_events(port: int, count: int, ready: threading.Event | None = None) -> list[dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request("GET", "/__sitegen/events")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Content-Type").startswith("text/event-stream")
    events = []
    try:
        while len(events) < count:
            line = resp.fp.readline()
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
                if ready is not None:
                    ready.set()
    finally:
        conn.close()
    return events


def test_event_stream_says_hello_then_reload_for_the_changed_pages(served, site):
    ready = threading.Event()
    got: list[dict] = []
    reader = threading.Thread(target=lambda: got.extend(_read_events(served.server.port, 2, ready)))
    reader.start()
    assert ready.wait(10)
    site.article("first.md", "First story", "2024-01-01", "An edited first story.", tags="[alpha]")
    reader.join(20)
    hello, reload = got
    assert hello == {"type": "hello", "version": hello["version"], "errors": []}
    assert reload["type"] == "reload" and reload["version"] != hello["version"]
    assert "first/index.html" in reload["pages"] and "feed.xml" not in reload["assets"]


def test_build_errors_are_reported_and_cleared(served, site):
    seq, _ = served.channel.hello()
    site.write("content/first.md", "---\ntitle: [unclosed\ndate: 2024-01-01\n---\n\nBroken.\n")
    msg = _next_message(served, seq)
    assert msg["type"] == "errors"
    (err,) = msg["errors"]
    assert err["path"] == "content/first.md" and err["line"] == 2
    assert request(served.server.port, "/first/")[0] == 200  # the last good build is still served
    assert any("content/first.md:2" in line for line in served.console_lines)
    seq, _ = served.channel.hello()
    site.article("first.md", "First story", "2024-01-01", "Fixed again.", tags="[alpha]")
    msg = _next_message(served, seq)
    assert msg["type"] == "reload" and msg["pages"] is None and msg["errors"] == []
    assert served.channel.status()["errors"] == []
    assert b"Fixed again." in request(served.server.port, "/first/")[2]


def test_the_server_process_tells_what_the_session_knows(served, site):
    """The pages talk to the server's process, which is told every build and error by the
    session's: after each, its stream says so and its status is the session's, version
    included (a page compares versions to know it must reload)."""
    port = served.server.port

    def status() -> dict:
        return json.loads(request(port, "/__sitegen/status")[2])

    assert status() == served.channel.status() and status()["builds"] == 1
    for text, kind in (
        ("---\ntitle: [unclosed\ndate: 2024-01-01\n---\n\nBroken.\n", "errors"),
        ("---\ntitle: First story\ndate: 2024-01-01\n---\n\nMended.\n", "reload"),
    ):
        ready, got = threading.Event(), []
        reader = threading.Thread(target=lambda g=got, r=ready: g.extend(_read_events(port, 2, r)))
        reader.start()
        assert ready.wait(10)
        site.write("content/first.md", text)
        reader.join(30)
        assert [e["type"] for e in got] == ["hello", kind], got
        assert got[1]["version"] == served.channel.version
        assert status() == served.channel.status()
    assert status()["builds"] == 2 and status()["errors"] == []


def test_a_broken_site_yaml_is_reported_and_a_fixed_one_applied(served, site):
    seq, _ = served.channel.hello()
    site.configure("title: Test site\nper_page: lots\n")
    msg = _next_message(served, seq)
    assert msg["type"] == "errors" and msg["errors"][0]["path"] == "site.yaml"
    assert msg["errors"][0]["line"] == 2
    seq, _ = served.channel.hello()
    site.configure("title: Renamed site\n")
    assert _next_message(served, seq)["type"] == "reload"
    assert b"Renamed site" in request(served.server.port, "/")[2]


def test_many_streams_and_requests_at_once(served):
    port = served.server.port
    streams = []
    for _ in range(24):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/__sitegen/events")
        assert conn.getresponse().status == 200
        streams.append(conn)
    results: list[int] = []
    lock = threading.Lock()

    def fetch() -> None:
        for target in ("/", "/first/", "/second/", "/style.css"):
            status = request(port, target)[0]
            with lock:
                results.append(status)

    workers = [threading.Thread(target=fetch) for _ in range(16)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(20)
    for conn in streams:
        conn.close()
    assert results == [200] * 64


def test_polling_watcher_and_drafts(site):
    site.article("first.md", "First story", body="Published text.")
    site.article("draft.md", "Draft story", body="Draft text.", draft="true")
    session = PreviewSession(
        load_config(site.root), "127.0.0.1", 0, drafts=True, poll=True, console=Quiet()
    )
    with session:
        assert b"Draft text." in request(session.server.port, "/draft/")[2]
        seq, _ = session.channel.hello()
        site.article("first.md", "First story", body="Seen by polling.")
        assert _next_message(session, seq)["type"] == "reload"
        assert b"Seen by polling." in request(session.server.port, "/first/")[2]


def test_port_in_use_is_one_clear_line(site, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--site", str(site.root), "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and f"port {port} on 127.0.0.1 is already in use" in err
    assert "Traceback" not in err


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("::")


def test_ctrl_c_stops_cleanly_and_port_0_prints_the_real_url(site):
    site.article("first.md", "First story")
    # Ctrl-C at a terminal: a runner started in the background may ignore SIGINT, and an
    # ignored signal stays ignored in its children
    proc, port, server = _serve(
        site, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    )
    with _reaped(proc):
        assert port != 0  # the port the system chose, not the 0 asked for
        assert request(port, "/first/")[0] == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert _ends(server)  # and its server with it


def test_an_edited_article_is_reloaded_first_then_what_else_changed(served, site):
    """The page of an edited article is rendered from the last plan and reloaded before the
    full build; the full build then reloads the listings, and not that page again."""
    seq, _ = served.channel.hello()
    site.article("first.md", "First story", "2024-01-01", "Shown straight away.", tags="[alpha]")
    messages: list[dict] = []
    while len(messages) < 2:
        batch = served.channel.wait(seq, 15)
        assert batch, f"expected two messages, got {messages}"
        seq = batch[-1][0]
        messages.extend(message for _, message in batch)
    first, rest = messages[:2]
    assert first["type"] == "reload" and first["pages"] == ["first/index.html"]
    assert rest["type"] == "reload" and "first/index.html" not in rest["pages"]
    assert "index.html" in rest["pages"]  # the summary on the front page changed too
    assert b"Shown straight away." in request(served.server.port, "/first/")[2]


def test_a_save_during_a_long_build_is_shown_before_it_ends(served, site, monkeypatch):
    """A build of a big site takes seconds (20 s at 500,000 articles): a save made meanwhile
    is rendered from the last plan and shown at once, not after that build. Here the build is
    held until the page of the article saved during it was shown."""
    import sitegen.pipeline.steps as steps

    real, held, go_on = steps.build_changed, threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        held.set()
        assert go_on.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(steps, "build_changed", slow)
    seq, _ = served.channel.hello()
    site.article("second.md", "Second story", "2024-02-01", "The second, edited.")
    assert held.wait(15)  # its page shown first, then its build, held
    site.article("first.md", "First story", "2024-01-01", "Saved meanwhile.", tags="[alpha]")
    told: list[dict] = []
    while not any("first/index.html" in (m.get("pages") or ()) for m in told):
        batch = served.channel.wait(seq, 15)
        assert batch, f"not shown while the build was held: {told}"
        seq = batch[-1][0]
        told.extend(m for _, m in batch)
    assert not go_on.is_set()
    assert b"Saved meanwhile." in request(served.server.port, "/first/")[2]
    go_on.set()
    # the held build ends, and the next (of the save) brings the front page up to date
    while b"Saved meanwhile." not in request(served.server.port, "/")[2]:
        batch = served.channel.wait(seq, 15)
        assert batch, told
        seq = batch[-1][0]
        told.extend(m for _, m in batch)
    assert b"Saved meanwhile." in request(served.server.port, "/first/")[2]
    # no message told the pages to show the held build's page of it (read before the save)
    shown = [m for m in told if "first/index.html" in (m.get("pages") or ())]
    assert all(m["type"] == "reload" for m in shown) and len(shown) <= 2, told


def _ranged(port: int, target: str, range_: str) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: x\r\nRange: {range_}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_byte_ranges_are_answered_as_static_hosts_do(served):
    """A video seeks with `Range`: the preview answered every one with the whole file."""
    port = served.server.port
    assert request(port, "/files/notes.txt")[1]["accept-ranges"] == "bytes"
    status, headers, body = _ranged(port, "/files/notes.txt", "bytes=6-10")
    assert (status, body, headers["content-range"]) == (206, b"notes", "bytes 6-10/12")
    assert headers["content-length"] == "5"
    assert _ranged(port, "/files/notes.txt", "bytes=-3")[2] == b"es\n"
    assert _ranged(port, "/files/notes.txt", "bytes=6-")[2] == b"notes\n"
    status, headers, _ = _ranged(port, "/files/notes.txt", "bytes=50-")
    assert (status, headers["content-range"]) == (416, "bytes */12")
    assert _ranged(port, "/files/notes.txt", "bytes=0-1,4-5")[0] == 200  # several: the whole


def test_a_server_process_gone_by_itself_is_said_once(served, site):
    """Should the server's process die on its own, the next build says so in the terminal
    (once), and the preview goes on building."""
    child = served.process._child
    assert child is not None
    child.kill()
    child.wait()
    for n in range(2):
        seq, _ = served.channel.hello()
        site.article("first.md", "First story", "2024-01-01", f"Edit {n}.", tags="[alpha]")
        _next_message(served, seq)
    said = [line for line in served.console_lines if "server stopped by itself" in line]
    assert len(said) == 1, served.console_lines


def test_without_a_server_process_a_thread_serves(site, monkeypatch):
    """Where no process can be started (an embedded Python without an interpreter to run),
    the preview serves from a thread of its own process, as it did before, and says so."""
    import sitegen.serve.process as process

    def refuse(*args, **kwargs):
        raise OSError("no interpreter")

    monkeypatch.setattr(process.subprocess, "Popen", refuse)
    site.article("first.md", "First story", "2024-01-01", "Served all the same.")
    console = Quiet()
    with PreviewSession(load_config(site.root), "127.0.0.1", 0, console=console) as session:
        assert b"Served all the same." in request(session.server.port, "/first/")[2]
        seq, _ = session.channel.hello()
        site.article("first.md", "First story", "2024-01-01", "Edited all the same.")
        _next_message(session, seq)
        assert b"Edited all the same." in request(session.server.port, "/first/")[2]
    assert any("could not start the preview's server process" in line for line in console.lines)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", session.server.port), timeout=10).close()


def _serve(site, **popen) -> tuple[subprocess.Popen, int, int]:
    """`sitegen serve` on a free port (`popen`: more of `subprocess.Popen`'s arguments): the
    command's process, its port, and the pid of its server process."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--site", str(site.root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **popen,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("serving http://127.0.0.1:"):
                port = int(line.split()[1].rsplit(":", 1)[1].rstrip("/"))
                break
        else:
            raise AssertionError(proc.communicate(timeout=20))
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        servers = [
            int(pid)
            for pid in children
            if b"sitegen.serve.process" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(servers) == 1, children
    except BaseException:
        with _reaped(proc):
            raise
    return proc, port, servers[0]


@contextlib.contextmanager
def _reaped(proc: subprocess.Popen):
    """`proc` killed and waited for on the way out, unless it ended already."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _ends(pid: int, timeout: float = 20) -> bool:
    """Whether process `pid` (not a child of this one) ends within `timeout` seconds."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        poller = select.poll()  # not select(): a long test run holds descriptors past 1024
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(timeout * 1000))
    finally:
        os.close(fd)


def test_the_preview_answers_while_its_building_process_is_held(site):
    """The server is a process of its own: a build holding the interpreter for seconds (the
    index files at 500,000 articles are read and written in single calls) does not keep the
    browser waiting. Here the building process is stopped outright (SIGSTOP): pages and the
    event stream answer all the same; once it goes on, a save reaches the open stream, and
    when it stops (SIGTERM) its server ends with it."""
    site.article("first.md", "First story", "2024-01-01", "Before.")
    proc, port, server = _serve(site)
    with _reaped(proc):
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            status, _, body = request(port, "/first/")  # a 10 s timeout: an error if held
            assert status == 200 and b"Before." in body
            ready = threading.Event()
            got: list[dict] = []
            reader = threading.Thread(target=lambda: got.extend(_read_events(port, 2, ready)))
            reader.start()
            assert ready.wait(10)  # the stream's hello, from the server alone
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        site.article("first.md", "First story", "2024-01-01", "After.")
        reader.join(30)
        assert got[0]["type"] == "hello" and got[1]["type"] == "reload", got
        assert "first/index.html" in got[1]["pages"]
        assert b"After." in request(port, "/first/")[2]
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert _ends(server)


def test_a_killed_preview_leaves_no_server_behind(site):
    """Killed outright (SIGKILL: no clean-up runs), the building process takes its server
    with it: the server's input ends, so it stops and the port is free again."""
    site.article("first.md", "First story")
    proc, port, server = _serve(site)
    with _reaped(proc):
        assert request(port, "/first/")[0] == 200
        proc.kill()
        proc.communicate(timeout=30)
    assert _ends(server)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
