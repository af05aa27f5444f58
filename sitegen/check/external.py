"""`sitegen check --external`: ask each external address once whether it still answers.

The only part of sitegen that uses the network, and only when asked. A HEAD request first
(servers that refuse HEAD get a GET), a few at a time, with a timeout; a status of 400 or more,
or no answer, is a problem.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from sitegen import __version__

TIMEOUT = 15.0  # seconds per request
WORKERS = 8
_HEADERS = {"User-Agent": f"sitegen/{__version__} link check"}


def fetch_status(url: str, timeout: float = TIMEOUT) -> tuple[int | None, str]:
    """(HTTP status, "") or (None, why there was no answer)."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers=_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, ""
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue  # some servers answer only GET
            return exc.code, ""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return None, str(reason)
    return None, "no answer"


def check_external(urls: Iterable[str]) -> dict[str, tuple[int | None, str]]:
    """URL -> fetch_status(URL) for each URL, WORKERS at a time."""
    unique = sorted(set(urls))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(unique, pool.map(fetch_status, unique), strict=True))
