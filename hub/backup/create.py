"""`create_backup`: one consistent dump of the database and the media files, in one archive.

The dump, the row counts and the schema version all come from one exported snapshot (a
repeatable-read transaction whose snapshot `pg_dump --snapshot` joins), so the manifest
describes exactly the dump. Media files are read after the dump: one written meanwhile is in
the archive without its row, which is harmless (an unreferenced file).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from hub.backup import database
from hub.backup.archive import (
    add_bytes,
    add_media,
    compressed,
    file_sha256,
    open_for_writing,
)
from hub.backup.errors import BackupError
from hub.backup.manifest import DUMP, MANIFEST, Manifest, major
from hub.backup.pgtools import find_tools, libpq_target, run_tool
from hub.backup.version import hub_version


async def create_backup(
    database_url: str, media_dir: Path, target: Path, *, progress: Callable[[str], None]
) -> Manifest:
    """Write the archive `target` (replaced only once complete) and return its manifest."""
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        dump = work / DUMP
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
                server = await database.server_version(conn)
                tools = find_tools(major(server))
                counts = await database.count_rows(conn)
                schema = await database.schema_version(conn)
                progress(
                    f"dumping the database: {sum(counts.values())} rows in {len(counts)} tables, "
                    f"schema version {schema} (pg_dump {tools.version}, server {server})"
                )
                url, env = libpq_target(database_url)
                await run_tool(
                    tools,
                    "pg_dump",
                    ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}", url],
                    env,
                )
        finally:
            await conn.close()
        digest = file_sha256(dump)
        progress(f"database dumped: {dump.stat().st_size} bytes; adding media from {media_dir}")
        partial = work / "archive"
        with open_for_writing(partial, gzip=compressed(target)) as tar:
            tar.add(str(dump), DUMP)
            files, size = add_media(tar, media_dir, progress)
            manifest = Manifest(
                hub_version=hub_version(),
                schema_version=schema,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                pg_dump_version=tools.version,
                server_version=server,
                database_sha256=digest,
                tables=counts,
                media_files=files,
                media_bytes=size,
            )
            add_bytes(tar, MANIFEST, manifest.to_json().encode())
        partial.replace(target)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)
