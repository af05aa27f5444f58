"""The YAML loaders every reader of YAML uses (front matter, site.yaml, message files, other
generators' settings): safe ones only, and the check of what they made (`check_size`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import SiteError

try:  # the C loader is ~10x faster; both are safe loaders
    SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    SafeLoader = yaml.SafeLoader


MAX_NESTING = 50  # levels of lists and mappings in one YAML document
MAX_NODES = 20_000  # values one document may expand to, its aliases followed


def check_size(data: Any, what: str, path: Path | str, line: int | None = None) -> None:
    """Reject an alias bomb (nine aliases of nine aliases... expand to billions of values for
    anything that walks them: the fingerprint, a template), a value that holds itself and
    nesting deeper than MAX_NESTING, before anything walks `data`; `what` names the document
    in the error ("front matter", "site.yaml")."""
    seen: dict[int, int] = {}
    active: set[int] = set()

    def size(value: Any, depth: int) -> int:
        if depth > MAX_NESTING:
            raise SiteError(f"{what} is nested more than {MAX_NESTING} levels deep", path, line)
        if not isinstance(value, (dict, list)):
            return 1
        ident = id(value)
        if ident in active:
            raise SiteError(f"{what} refers to itself (a recursive YAML alias)", path, line)
        if ident in seen:
            return seen[ident]
        active.add(ident)
        items = value.values() if isinstance(value, dict) else value
        total = 1
        for item in items:
            total += size(item, depth + 1)
            if total > MAX_NODES:
                raise SiteError(
                    f"{what} expands to more than {MAX_NODES} values (YAML aliases?)",
                    path,
                    line,
                    "each use of an alias (*name) counts all it stands for: use fewer aliases "
                    "of aliases, and keep long data out of it",
                )
        active.discard(ident)
        seen[ident] = total
        return total

    size(data, 0)


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
