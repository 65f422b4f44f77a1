"""The import formats hub reads, by name: how each is recognised and read.

`hub import SOURCE` takes the format named by `--format`, or the first whose `detect` says
yes. A format module registers itself here (`register`); `read` turns the source path into
`items.Parsed` (raising `Invalid` for a source it cannot read at all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub.core.errors import Invalid
from hub.core.imports.items import Parsed


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    detect: Callable[[Path], bool]
    read: Callable[[Path], Parsed]


FORMATS: dict[str, Format] = {}
NAMES = ("wxr", "jsonfeed", "hub", "markdown")
"""The formats `--format` accepts (known without importing their parsers)."""


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file (empty for a folder or an unreadable path)."""
    try:
        with path.open("rb") as f:
            return f.read(size)
    except OSError:
        return b""


def choose(path: Path, name: str | None) -> Format:
    """The format named, or the one that recognises `path`; `Invalid` when none does."""
    _load_all()
    if name:
        if name not in FORMATS:
            raise Invalid(f"Unknown format {name!r}; one of: {', '.join(sorted(FORMATS))}.")
        return FORMATS[name]
    if not path.exists():
        raise Invalid(f"{path} does not exist.")
    for fmt in FORMATS.values():
        if fmt.detect(path):
            return fmt
    raise Invalid(
        f"Cannot tell the format of {path}; name it with --format ({', '.join(sorted(FORMATS))})."
    )


def names() -> list[str]:
    _load_all()
    return sorted(FORMATS)


def _load_all() -> None:
    """Import every format module once (each registers itself, in the order detection tries
    them: a hub export archive before the Markdown folder it also is)."""
    import importlib

    for name in ("wxr", "jsonfeed", "hub_archive", "markdown_folder"):
        try:
            importlib.import_module(f"hub.core.imports.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"hub.core.imports.{name}":
                raise
