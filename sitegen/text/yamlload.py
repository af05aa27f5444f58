"""The YAML loaders every reader of YAML uses (front matter, site.yaml): safe ones only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import SiteError

try:  # the C loader is ~10x faster; both are safe loaders
    SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    SafeLoader = yaml.SafeLoader


class TextDatesLoader(SafeLoader):
    """The same safe loader, reading timestamps as text: used again when a value such as
    `date: 2024-02-30` cannot be constructed, so the check of that value (the content
    reader's, or site.yaml's) reports it with its line."""


TextDatesLoader.add_constructor("tag:yaml.org,2002:timestamp", TextDatesLoader.construct_yaml_str)


def error_mark(exc: Exception, text: str | None):  # -> yaml Mark | None
    """Where to say a YAML error is: where YAML stopped; for a problem at the text's very end
    (`[a` never closed), where the unclosed thing opened, which says more, unless that last
    line holds a tab (then it is the one to fix)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    if text is not None and mark is not None and context is not None:
        lines = text.split("\n")
        if mark.line >= len(lines) - 1 and "\t" not in lines[-1]:
            mark = context
    return mark


def yaml_error(
    exc: Exception, path: Path | str, message: str, hint: str, text: str | None = None
) -> SiteError:
    """`exc` (a YAML error, or what reading the file raised) as the error to report: `message`,
    what YAML said went wrong, the file and the line (`error_mark`, given the `text`), and
    `hint`."""
    mark = error_mark(exc, text)
    return SiteError(
        f"{message}: {getattr(exc, 'problem', None) or exc}",
        path,
        mark.line + 1 if mark else None,
        hint,
    )
