"""What a person at a terminal sees while a long build runs: the phase, and pages rendered of
the total. Presentation only, used by the CLI; the build reports through
`BuildRequest.progress(phase, done, total)` and knows nothing of terminals.

Shown only on a terminal (stderr), only once the build has run about a second (a quick build
prints its summary line and nothing else), never with -q; the bar is removed when the build
ends, so the summary line is the last thing left. rich honours NO_COLOR.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

DELAY = 1.0  # seconds before anything is shown


def _may_be_terminal() -> bool:
    """Whether rich could find a terminal on stderr (it also obeys these variables); when not,
    a build does without importing rich at all (a tenth of a quick build's start)."""
    forced = any(os.environ.get(v) for v in ("FORCE_COLOR", "FORCE_TERMINAL", "TTY_COMPATIBLE"))
    return forced or sys.stderr.isatty()


class BuildProgress:
    """A `BuildRequest.progress` callback that draws a transient progress bar."""

    def __init__(
        self,
        console: Console | None = None,
        quiet: bool = False,
        delay: float = DELAY,
        clock: Callable[[], float] = time.monotonic,
        auto_refresh: bool = True,
    ) -> None:
        if console is None and (quiet or not _may_be_terminal()):
            self.console, self.active = None, False  # rich is not even imported
        else:
            if console is None:
                from rich.console import Console

                console = Console(stderr=True)
            self.console = console
            self.active = not quiet and console.is_terminal
        self.delay = delay
        self.clock = clock
        self.auto_refresh = auto_refresh
        self.started = clock()
        self._bar: Progress | None = None
        self._task = None
        self._phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.active:
            return
        if self._bar is None:
            if self.clock() - self.started < self.delay:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description:<8}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                auto_refresh=self.auto_refresh,
            )
            self._bar.start()
        if self._task is None or phase != self._phase:
            if self._task is not None:  # a new phase: a new line (with no count unless told)
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(phase, total=total or None)
            self._phase = phase
        self._bar.update(self._task, completed=done, total=total or None)
        if not self.auto_refresh:
            self._bar.refresh()

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def close(self) -> None:
        """Remove the bar (if it was shown): call before printing the summary line."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
