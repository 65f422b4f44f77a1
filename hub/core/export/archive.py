"""Where an export goes: a folder or a `.zip` file, written file by file (never the whole
archive in memory)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import IO


class Archive:
    """A folder or a zip file being written. Paths are `/`-separated and relative."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.is_zip = target.suffix.lower() == ".zip"
        self._zip: zipfile.ZipFile | None = None

    def __enter__(self) -> Archive:
        if self.is_zip:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(self.target, "w", zipfile.ZIP_DEFLATED)
        else:
            self.target.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def open(self, name: str) -> IO[bytes]:
        """A binary stream to write the file `name` into (close it when done)."""
        if self._zip is not None:
            return self._zip.open(name, "w", force_zip64=True)
        path = self.target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("wb")

    def write_text(self, name: str, text: str) -> None:
        with self.open(name) as out:
            out.write(text.encode("utf-8"))

    def copy_file(self, name: str, source: Path) -> None:
        with source.open("rb") as src:
            self.copy_stream(name, src)

    def copy_stream(self, name: str, source: IO[bytes]) -> None:
        with self.open(name) as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
