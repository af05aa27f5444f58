"""Static files: what is copied from the theme's and the site's static folders."""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.errors import Diagnostics
from sitegen.render.assets import collect_static


def test_a_pipe_in_static_is_left_out_with_a_warning(tmp_path: Path):
    """Copying a named pipe waits for a writer forever: the build would hang."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.bin").write_bytes(b"ok")
    os.mkfifo(static / "pipe.bin")
    diag = Diagnostics()
    assets, names = collect_static(SiteConfig(root=tmp_path), diag)
    assert "ok.bin" in names and "pipe.bin" not in names
    assert not [a for a in assets if a.source == static / "pipe.bin"]
    assert [w.message for w in diag.warnings] == [
        "not a regular file (a pipe, socket or device); left out"
    ]
