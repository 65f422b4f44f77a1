"""Ordered plain-SQL migrations from `hub/sql/NNNN_name.sql`, applied once each.

The files ship inside the package (package data) and are read through `importlib.resources`,
so an installed wheel migrates as a source checkout does. Finding none is an error
(`MigrationsMissing`), never "0 applied": a node without its schema must not start.

All of them run under one PostgreSQL advisory lock, so several processes starting together apply
each file exactly once; each file runs in its own transaction together with the row that records
it in `schema_migrations`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

import asyncpg

from hub.core.errors import DomainError

log = logging.getLogger("hub.migrate")

SQL_DIR: Traversable = files("hub") / "sql"
"""Where the migrations are: `hub/sql/` inside the installed package."""
_LOCK_KEY = 0x6875625F6D6967  # "hub_mig"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class MigrationsMissing(DomainError):
    """The package holds no migration: a broken install (the wheel was built without them)."""

    code = "migrations_missing"


def load_migrations(directory: Traversable = SQL_DIR) -> list[Migration]:
    """Every `NNNN_name.sql` in `directory`, in version order; none found is an error."""
    paths = (
        sorted(
            (p for p in directory.iterdir() if p.is_file() and p.name.endswith(".sql")),
            key=lambda p: p.name,
        )
        if directory.is_dir()
        else []
    )
    if not paths:
        raise MigrationsMissing(
            f"no database migrations found in {directory}: this install of hub is incomplete "
            "(reinstall it from a wheel or source that holds hub/sql/*.sql)"
        )
    found = []
    for path in paths:
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name {path.name!r} is not NNNN_name.sql")
        found.append(
            Migration(int(match.group(1)), path.name.removesuffix(".sql"), path.read_text())
        )
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError("two migrations share a version number")
    return found


async def apply_migrations(conn: asyncpg.Connection, directory: Traversable = SQL_DIR) -> list[str]:
    """Apply every migration not yet recorded; return the names applied now.

    Raises `MigrationsMissing` before touching the database when the package holds none.
    """
    migrations = load_migrations(directory)
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for migration in migrations:
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            log.info("applied migration %s", migration.name)
            applied_now.append(migration.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now


async def migrate(url: str) -> list[str]:
    """Apply the pending migrations to the database at `url`; return the names applied now."""
    load_migrations()  # a broken install says so before connecting
    conn = await asyncpg.connect(url)
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()
