"""sitegen as a new user gets it: `python -m build` makes an sdist and, from that sdist, a wheel;
the wheel goes into a fresh virtual environment outside the checkout, and the installed command
makes, builds, checks and serves a site. Nothing of the source tree is importable there, so a
theme or script missing from the package data fails this test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest

from sitegen import __version__

REPO = Path(__file__).resolve().parents[2]
PACKAGE_FILES = (  # what a site needs at run time besides the Python modules
    "sitegen/themes/default/templates/base.html",
    "sitegen/themes/default/templates/article.html",
    "sitegen/themes/default/templates/404.html",
    "sitegen/themes/default/templates/feed.xml",
    "sitegen/themes/default/static/style.css",
    "sitegen/serve/client.js",
)

pytestmark = pytest.mark.slow


def _clean_env(venv: Path) -> dict[str, str]:
    """The variables a shell gives a new user: no PYTHONPATH, our venv first on PATH."""
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": os.environ.get("HOME", str(venv.parent)),  # pip's download cache
        "LANG": "C.UTF-8",
    }
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE"):
        if name in os.environ:  # how this machine reaches the package index
            env[name] = os.environ[name]
    return env


def _run(args: list, cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # sdist first, then the wheel built from the unpacked sdist: both must carry the theme
    _run([sys.executable, "-m", "build", "--outdir", dist, REPO], tmp_path, dict(os.environ))
    wheel = next(dist.glob("sitegen-*.whl"))
    sdist = next(dist.glob("sitegen-*.tar.gz"))
    assert wheel.name.startswith(f"sitegen-{__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = set(zf.namelist())
    with tarfile.open(sdist) as tf:
        in_sdist = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    for name in PACKAGE_FILES:
        assert name in in_wheel, f"{name} is missing from the wheel"
        assert name in in_sdist, f"{name} is missing from the sdist"

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, dict(os.environ))
    env = _clean_env(venv)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], tmp_path, env)
    sitegen = venv / "bin" / "sitegen"

    # the source tree is not what runs: the installed package is
    where = _run(
        [venv / "bin" / "python", "-c", "import sitegen; print(sitegen.__file__)"], tmp_path, env
    )
    assert str(venv) in where and str(REPO) not in where
    assert __version__ in _run([sitegen, "--version"], tmp_path, env)

    _run([sitegen, "init", "mysite"], tmp_path, env)
    site = tmp_path / "mysite"
    out = _run([sitegen, "build"], site, env)
    assert "built " in out
    assert (site / "build" / "index.html").is_file()
    assert (site / "build" / "404.html").is_file()
    _run([sitegen, "check", "--no-build"], site, env)
    _run([sitegen, "check"], site, env)

    server = subprocess.Popen(
        [sitegen, "serve", "--port", "0"],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = None
        assert server.stdout is not None
        for line in server.stdout:  # ends when the server exits
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        assert port, "sitegen serve printed no address"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            page = response.read().decode()
        assert response.status == 200 and "<html" in page
        assert 'id="sitegen-live"' in page  # the live-reload client (package data) is injected
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0
