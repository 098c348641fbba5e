"""A progress bar on stderr for one long document, shown only when stderr is a terminal."""

from __future__ import annotations

from types import TracebackType
from typing import Any

LONG_DOCUMENT = 20_000  # characters (source and target together) from which a run shows its progress


class DocumentProgress:
    """Stage names from the pipeline and batch counts from the model's scorer, on one transient bar."""

    def __init__(self, chars: int, *, force: bool = False) -> None:
        from rich.console import Console

        console = Console(stderr=True)
        self.enabled = force or (console.is_terminal and chars >= LONG_DOCUMENT)
        self._bar: Any = None
        self._task: Any = None
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=console, transient=True,
            )  # fmt: skip

    def __enter__(self) -> DocumentProgress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("starting", total=None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def stage(self, name: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=name, total=None, completed=0)

    def batch(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, total=total, completed=done)
