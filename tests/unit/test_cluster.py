"""The `--executor` address and the error for a missing Dask install (no cluster needed)."""

from __future__ import annotations

import sys

import pytest

from sitegen.engine.cluster import connect, scheduler_address
from sitegen.errors import SiteError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("local", ""),
        ("", ""),
        ("dask://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("tcp://scheduler:8786", "tcp://scheduler:8786"),
        ("tls://scheduler.example.org:8786", "tls://scheduler.example.org:8786"),
    ],
)
def test_scheduler_address(given: str, expected: str) -> None:
    assert scheduler_address(given) == expected


@pytest.mark.parametrize("given", ["dask", "http://host:8786", "dask://host", "processes"])
def test_other_executors_are_errors_with_a_hint(given: str) -> None:
    with pytest.raises(SiteError) as caught:
        scheduler_address(given)
    assert "dask://HOST:PORT" in (caught.value.hint or "")


def test_missing_dask_names_the_pip_command(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(SiteError) as caught, connect("tcp://127.0.0.1:8786"):
        pass
    assert "pip install 'sitegen[dask]'" in (caught.value.hint or "")
