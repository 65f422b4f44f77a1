"""`manifest.json`, the table of contents of a backup archive: what made it and what it holds.

Pure: JSON in, a checked `Manifest` out (and back). Table names are checked against a strict
pattern because restore puts them into SQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from hub.backup.errors import ArchiveRefused

FORMAT = 1
"""The archive layout this hub writes and reads (bumped when the layout changes)."""

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"

_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Manifest:
    hub_version: str
    schema_version: int  # the last migration applied to the dumped database
    created_at: str  # ISO 8601, UTC
    pg_dump_version: str  # e.g. "18.6": restore needs a pg_restore at least this new
    server_version: str
    database_sha256: str
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows in the dump
    media_files: int = 0
    media_bytes: int = 0
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        """The manifest in `text`; `ArchiveRefused` when it is not one this hub can read."""
        try:
            data: Any = json.loads(text)
        except ValueError as exc:
            raise ArchiveRefused(f"its manifest.json is not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ArchiveRefused("its manifest.json is not an object")
        if data.get("format") != FORMAT:
            raise ArchiveRefused(
                f"its layout is format {data.get('format')!r}; this hub reads format {FORMAT}"
            )
        try:
            manifest = cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (KeyError, TypeError) as exc:
            raise ArchiveRefused(f"its manifest.json lacks {exc}") from exc
        tables = manifest.tables
        if not isinstance(tables, dict) or not all(
            isinstance(k, str) and _TABLE.match(k) and type(v) is int and v >= 0
            for k, v in tables.items()
        ):
            raise ArchiveRefused("its manifest.json has a malformed table list")
        if type(manifest.schema_version) is not int or type(manifest.media_files) is not int:
            raise ArchiveRefused("its manifest.json has malformed numbers")
        return manifest

    def check_schema(self, known: int) -> None:
        """Refuse a backup of a newer schema than the `known` last migration of this hub."""
        if self.schema_version > known:
            raise ArchiveRefused(
                f"it was made by hub {self.hub_version} at schema version "
                f"{self.schema_version}, newer than this hub knows ({known}): "
                "install that hub version or newer, then restore"
            )

    @property
    def pg_dump_major(self) -> int:
        return major(self.pg_dump_version)


def major(version: str) -> int:
    """16 for "16.4", 18 for "18beta1"."""
    match = re.match(r"\d+", version)
    return int(match.group()) if match else 0
