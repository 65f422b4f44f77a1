"""`restore_backup`: check an archive, then load it into an empty (or, forced, a replaced)
database and media directory.

Everything that can be checked is checked before the target is touched: the archive's members,
its manifest (a newer schema than this hub knows is refused), the dump's checksum, the media
totals, and that `pg_restore` can read the dump. The database is then replaced in ONE `psql`
transaction that also compares every table's rows with the manifest, so a failure leaves the
database as it was. Migrations newer than the backup run afterwards; the media directory's
contents are replaced last.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from hub.backup import database
from hub.backup.archive import extract, file_sha256, media_files, read_manifest
from hub.backup.errors import ArchiveRefused, TargetNotEmpty
from hub.backup.manifest import DUMP, MEDIA, Manifest, major
from hub.backup.pgtools import Tools, find_tools, libpq_target, run_tool
from hub.backup.version import known_schema_version
from hub.core.migrate import migrate

_RESET = "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"


@dataclass
class Restored:
    manifest: Manifest
    migrations: list[str] = field(default_factory=list)  # applied after the restore


async def restore_backup(
    database_url: str,
    media_dir: Path,
    source: Path,
    *,
    force: bool = False,
    progress: Callable[[str], None],
) -> Restored:
    manifest, _ = read_manifest(source)
    known = known_schema_version()
    manifest.check_schema(known)
    progress(
        f"backup of hub {manifest.hub_version} made {manifest.created_at}: schema version "
        f"{manifest.schema_version}, {sum(manifest.tables.values())} rows in "
        f"{len(manifest.tables)} tables, {manifest.media_files} media files"
    )
    tools, server_major = await _check_target(database_url, media_dir, manifest, force=force)
    staging = _staging_dir(media_dir)
    try:
        progress("checking the archive")
        extract(source, staging)
        _check_extracted(staging, manifest)
        url, env = libpq_target(database_url)
        script = staging / "restore.sql"
        await run_tool(
            tools,
            "pg_restore",
            ["--no-owner", "--no-privileges", f"--file={script}", str(staging / DUMP)],
            env,
        )
        _fit_server(script, server_major)
        verify = staging / "verify.sql"
        verify.write_text(verify_counts_sql(manifest.tables))
        progress(f"restoring the database in one transaction (psql {tools.version})")
        await run_tool(
            tools,
            "psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-c", _RESET,
             "-f", str(script), "-f", str(verify), f"--dbname={url}"],
            env,
        )  # fmt: skip
        progress(f"database restored; row counts of {len(manifest.tables)} tables verified")
        restored = Restored(manifest)
        if manifest.schema_version < known:
            restored.migrations = await migrate(database_url)
            progress(f"applied {len(restored.migrations)} newer migration(s)")
        _replace_media(staging / MEDIA, media_dir)
        progress(f"media restored: {manifest.media_files} files in {media_dir}")
        return restored
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# Session settings a newer pg_restore writes in the script's header that an older server does
# not know (the parameter, the first server major that has it)
_NEWER_SETTINGS = (("transaction_timeout", 17),)


def _fit_server(script: Path, server_major: int) -> None:
    """Drop the header's `SET` of a parameter the target server is too old to know (the
    wheel's pg_restore 18 writes `SET transaction_timeout = 0;`, which PostgreSQL 16 and
    older refuse); the rest of the script is plain SQL they load."""
    unknown = [f"SET {name} " for name, since in _NEWER_SETTINGS if server_major < since]
    if not unknown:
        return
    kept = script.with_suffix(".fit.sql")
    with script.open(encoding="utf-8") as src, kept.open("w", encoding="utf-8") as out:
        for number, line in enumerate(src):
            if number < 50 and line.startswith(tuple(unknown)):
                continue  # the header only: a dump's data never starts a line with SET
            out.write(line)
    kept.replace(script)


async def _check_target(
    database_url: str, media_dir: Path, manifest: Manifest, *, force: bool
) -> tuple[Tools, int]:
    """The client programs to restore with and the server's major version; `TargetNotEmpty`
    unless the target is empty or `force`."""
    conn = await asyncpg.connect(database_url)
    try:
        full = await database.tables_with_rows(conn)
        server = await database.server_version(conn)
    finally:
        await conn.close()
    has_media = next(media_files(media_dir), None) is not None
    if (full or has_media) and not force:
        what = []
        if full:
            more = ", ..." if full[3:] else ""
            what.append(f"the database has rows (in {', '.join(full[:3])}{more})")
        if has_media:
            what.append(f"{media_dir} holds files")
        raise TargetNotEmpty(
            " and ".join(what) + "; restore into an empty one, or pass --force to replace them"
        )
    return find_tools(max(major(server), manifest.pg_dump_major)), major(server)


def _staging_dir(media_dir: Path) -> Path:
    """A scratch folder beside the media directory (so that moving files in is a rename)."""
    try:
        media_dir.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=media_dir.parent, prefix=".hub-restore-"))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="hub-restore-"))


def _check_extracted(staging: Path, manifest: Manifest) -> None:
    if file_sha256(staging / DUMP) != manifest.database_sha256:
        raise ArchiveRefused("its database dump does not match the manifest's checksum")
    files = list(media_files(staging / MEDIA))
    size = sum(p.stat().st_size for p in files)
    if (len(files), size) != (manifest.media_files, manifest.media_bytes):
        raise ArchiveRefused(
            f"it holds {len(files)} media files ({size} bytes); the manifest says "
            f"{manifest.media_files} ({manifest.media_bytes} bytes)"
        )


def verify_counts_sql(tables: dict[str, int]) -> str:
    """A statement that fails (rolling the restore back) unless every table has the rows the
    manifest counts. Table names were checked against a strict pattern in `Manifest`."""
    checks = "\n".join(
        f"    PERFORM pg_temp.hub_check_rows('{name}', {rows});"
        for name, rows in sorted(tables.items())
    )
    # names match [a-z_][a-z0-9_]* (checked in Manifest), counts are ints
    return f"""
CREATE FUNCTION pg_temp.hub_check_rows(t text, expected bigint) RETURNS void AS $f$
DECLARE n bigint;
BEGIN
  IF to_regclass(format('public.%I', t)) IS NULL THEN
    RAISE EXCEPTION 'hub restore: table % is missing after the restore', t;
  END IF;
  EXECUTE format('SELECT count(*) FROM public.%I', t) INTO n;
  IF n <> expected THEN
    RAISE EXCEPTION 'hub restore: table % has % rows, the manifest says %', t, n, expected;
  END IF;
END $f$ LANGUAGE plpgsql;
DO $$
BEGIN
{checks}
END $$;
"""  # noqa: S608


def _replace_media(new: Path, media_dir: Path) -> None:
    """Make `media_dir`'s contents those of `new` (works for a mount point too)."""
    new.mkdir(parents=True, exist_ok=True)
    media_dir.mkdir(parents=True, exist_ok=True)
    old = new.parent / f"old-{secrets.token_hex(4)}"
    old.mkdir()
    for child in list(media_dir.iterdir()):
        shutil.move(str(child), str(old / child.name))
    for child in list(new.iterdir()):
        shutil.move(str(child), str(media_dir / child.name))
