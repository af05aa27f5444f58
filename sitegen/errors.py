"""The one error type for user mistakes, and the collector that reports them all at once.

Every stage raises or records `SiteError`s naming the file (and line where there is one) and
saying how to fix it; the CLI prints them one per line. Tracebacks are for sitegen's own bugs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SiteError(Exception):
    """A mistake in the user's input: where it is, what is wrong, how to fix it."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    hint: str | None = None
    warning: bool = False  # reported, but does not fail the build

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class BuildFailed(Exception):
    """Raised once at the end of a stage that recorded errors; carries all of them."""

    def __init__(self, errors: list[SiteError], warnings: list[SiteError] | None = None) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors
        self.warnings = warnings or []  # said too: they often explain the errors


class BuildCancelled(Exception):
    """The build was called off (the preview shutting down): nothing more is started, and the
    output stays as it was."""


@dataclass
class Diagnostics:
    """Errors and warnings gathered over a whole run, so all are reported at once."""

    errors: list[SiteError] = field(default_factory=list)
    warnings: list[SiteError] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def error(self, err: SiteError) -> None:
        key = "error\0" + str(err)
        if key not in self._seen:  # one template error met by every page it renders: once
            self._seen.add(key)
            self.errors.append(err)

    def warn(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        warning = SiteError(message, path, line, hint)
        key = str(warning)
        if key not in self._seen:  # the same warning twice is noise
            self._seen.add(key)
            self.warnings.append(warning)

    def extend(self, other: Diagnostics) -> None:
        for err in other.errors:
            self.error(err)
        for w in other.warnings:
            self.warn(w.message, w.path, w.line, w.hint)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BuildFailed(list(self.errors), list(self.warnings))
