"""Backup and restore of a node: the database (one `pg_dump` snapshot) and the media files in
one tar archive with a `manifest.json` (hub version, schema version, row counts, media totals).

`create_backup` writes an archive; `restore_backup` checks one and loads it into an empty
database and media directory (or replaces them when forced). The `hub backup` and
`hub restore` commands (`hub/cli/backup.py`) are their only callers.
"""

from hub.backup.create import create_backup
from hub.backup.errors import ArchiveRefused, BackupError, TargetNotEmpty
from hub.backup.manifest import Manifest
from hub.backup.restore import restore_backup

__all__ = [
    "ArchiveRefused",
    "BackupError",
    "Manifest",
    "TargetNotEmpty",
    "create_backup",
    "restore_backup",
]
