"""Progress of a long command: a rich progress bar on a terminal, plain lines otherwise
(one per step: `importing 3/10: created 42 (Hello)`), so logs and pipes read well."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO


class Progress:
    """`with Progress(total, "importing") as bar: bar.step("created 42")`."""

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream or sys.stdout
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            from rich.progress import Progress as Bar

            self._bar = Bar(transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total)
        return self

    def step(self, what: str = "") -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=f"{self.label}: {what}"[:60])
        else:
            suffix = f": {what}" if what else ""
            print(f"{self.label} {self.done}/{self.total}{suffix}", file=self.stream, flush=True)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
