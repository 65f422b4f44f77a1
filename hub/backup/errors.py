"""Why a backup or a restore stopped, each with the exit code `hub backup` / `hub restore` use."""

from __future__ import annotations

from hub.core.errors import DomainError


class BackupError(DomainError):
    """The work failed (a PostgreSQL tool failed, the counts differ, the disk is full)."""

    code = "backup_failed"
    exit_code = 1


class TargetNotEmpty(BackupError):
    """The database or media directory to restore into holds data, and `--force` was not given."""

    code = "target_not_empty"
    exit_code = 3


class ArchiveRefused(BackupError):
    """The file is not a hub backup, is damaged, or comes from a newer hub."""

    code = "archive_refused"
    exit_code = 4
