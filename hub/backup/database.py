"""What a backup reads from the database itself: its tables and their rows, its schema version,
its server version. Every table of the `public` schema, whichever package owns it."""

from __future__ import annotations

import asyncpg


def quote(name: str) -> str:
    """`name` as a quoted SQL identifier (names come from pg_tables, quoted all the same)."""
    return '"' + name.replace('"', '""') + '"'


async def list_tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows]


async def count_rows(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows per table (exact: `count(*)` each, in the caller's snapshot)."""
    counts: dict[str, int] = {}
    for table in await list_tables(conn):
        counts[table] = await conn.fetchval(f"SELECT count(*) FROM public.{quote(table)}")  # noqa: S608
    return counts


async def schema_version(conn: asyncpg.Connection) -> int:
    """The last migration applied; 0 for a database without any."""
    exists = await conn.fetchval("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations")


async def server_version(conn: asyncpg.Connection) -> str:
    return await conn.fetchval("SHOW server_version")


async def tables_with_rows(conn: asyncpg.Connection) -> list[str]:
    """The tables that hold rows, but for `schema_migrations` (a migrated, unused database is
    empty)."""
    full = []
    for table in await list_tables(conn):
        if table == "schema_migrations":
            continue
        query = f"SELECT EXISTS (SELECT 1 FROM public.{quote(table)})"  # noqa: S608 - quoted
        if await conn.fetchval(query):
            full.append(table)
    return full
