"""`hub backup FILE` and `hub restore FILE`: the database and the media files in one archive."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hub.cli.common import Commands
from hub.config import Settings
from hub.runtime import prepared

_BACKUP_EPILOG = """\
example:
  hub backup /var/backups/hub-$(date +%F).tar.gz

The archive holds database.dump (pg_dump --format=custom, one consistent snapshot), media/
(every file of HUB_MEDIA_DIR) and manifest.json (hub version, schema version, rows per table,
media files and bytes). It is gzip-compressed when FILE ends in .tar.gz or .tgz, a plain tar
otherwise, and appears under its name only once complete.

exit codes: 0 written, 1 failed (nothing written), 2 usage
"""

_RESTORE_EPILOG = """\
example:
  HUB_DATA_DIR=/srv/hub hub restore hub-2025-01-31.tar.gz

Restores into an empty database and media directory (a freshly migrated database counts as
empty); with --force, replaces what they hold. Stop `hub serve` and `hub worker` first.
A backup of an older schema is restored, then migrated; one of a newer schema is refused.
Row counts are verified inside the restoring transaction: on any failure nothing changes.

exit codes: 0 restored, 1 failed (nothing changed), 2 usage,
            3 the target is not empty (pass --force), 4 the archive was refused
            (damaged, not a hub backup, or from a newer hub)
"""


def register(commands: Commands) -> None:
    backup = commands.add_parser(
        "backup",
        help="write the database and media files to one archive",
        description="Write the database and the media files to one archive.",
        epilog=_BACKUP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument(
        "file", metavar="FILE", type=Path, help="the archive to write (.tar or .tar.gz)"
    )
    backup.set_defaults(run=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="restore the database and media files from an archive of `hub backup`",
        description="Restore the database and the media files from an archive of `hub backup`.",
        epilog=_RESTORE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="an archive of `hub backup`")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace the data of a database or media directory that is not empty",
    )
    restore.set_defaults(run=cmd_restore)


def _progress(line: str) -> None:
    print(f"hub: {line}", flush=True)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from hub.backup import BackupError, create_backup

    target = args.file.expanduser().resolve()
    try:
        with prepared(settings, redis=False, run_migrations=False) as ready:
            manifest = asyncio.run(
                create_backup(
                    ready.settings.database_url, settings.media_dir, target, progress=_progress
                )
            )
    except BackupError as exc:
        print(f"hub: backup failed: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(
        f"hub: wrote {target}: {sum(manifest.tables.values())} rows in {len(manifest.tables)} "
        f"tables, {manifest.media_files} media files ({manifest.media_bytes} bytes), "
        f"schema version {manifest.schema_version}",
        flush=True,
    )
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from hub.backup import ArchiveRefused, BackupError, TargetNotEmpty, restore_backup

    source = args.file.expanduser().resolve()
    try:
        with prepared(settings, redis=False, run_migrations=False) as ready:
            restored = asyncio.run(
                restore_backup(
                    ready.settings.database_url,
                    settings.media_dir,
                    source,
                    force=args.force,
                    progress=_progress,
                )
            )
    except ArchiveRefused as exc:
        print(f"hub: cannot restore {source}: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except TargetNotEmpty as exc:
        print(f"hub: will not restore over existing data: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BackupError as exc:
        print(f"hub: restore failed: {exc.message}", file=sys.stderr)
        return exc.exit_code
    manifest = restored.manifest
    print(
        f"hub: restored {source}: {sum(manifest.tables.values())} rows in "
        f"{len(manifest.tables)} tables, {manifest.media_files} media files",
        flush=True,
    )
    return 0
