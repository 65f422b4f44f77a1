"""Media files that belong to a write transaction: the one file scheme of the write unit
(`hub.core.writes`), used by every write API (publicasta-v1-resolved §6 "Transactions").

A file is written (or hard-linked from an existing one) under a temporary name beside its
target while the transaction runs; `publish` renames every staged file into place after the
commit, `discard` removes them after a rollback or a dry run. A reader therefore never sees a
file whose row was rolled back, nor a row whose file is half written.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

from hub.core.media import pipeline as media


class StagedFiles:
    """The files one transaction stages under the media root `root`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._staged: list[tuple[Path, Path]] = []  # (temporary, target)

    @property
    def targets(self) -> list[Path]:
        return [target for _, target in self._staged]

    async def write(self, relative: str, data: bytes) -> None:
        """Stage `data` for `relative` (a path under the media root)."""
        await asyncio.to_thread(self._write, relative, data)

    async def link(self, source: str, relative: str) -> None:
        """Stage a copy of the stored file `source` for `relative`: a hard link where the
        file system allows one, a byte copy otherwise."""
        await asyncio.to_thread(self._link, source, relative)

    async def publish(self) -> None:
        """Rename every staged file into place (after the commit)."""
        staged, self._staged = self._staged, []
        if staged:  # most writes stage none: no trip to a worker thread then
            await asyncio.to_thread(_rename_all, staged)

    async def discard(self) -> None:
        """Remove every staged file (after a rollback or a dry run)."""
        staged, self._staged = self._staged, []
        if staged:
            await asyncio.to_thread(_remove_all, staged)

    def _temporary(self, relative: str) -> tuple[Path, Path]:
        target = media.safe_path(self.root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        os.close(fd)
        self._staged.append((Path(tmp), target))
        return Path(tmp), target

    def _write(self, relative: str, data: bytes) -> None:
        tmp, _ = self._temporary(relative)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)

    def _link(self, source: str, relative: str) -> None:
        origin = media.safe_path(self.root, source)
        tmp, _ = self._temporary(relative)
        tmp.unlink()
        try:
            os.link(origin, tmp)
        except OSError:
            shutil.copyfile(origin, tmp)
            os.chmod(tmp, 0o644)


def _rename_all(staged: list[tuple[Path, Path]]) -> None:
    for tmp, target in staged:
        os.replace(tmp, target)


def _remove_all(staged: list[tuple[Path, Path]]) -> None:
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)
