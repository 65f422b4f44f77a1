import asyncpg
import pytest

from hub.core.migrate import apply_migrations, load_migrations


async def test_migrations_apply_twice_without_error(settings):
    conn = await asyncpg.connect(settings.database_url)
    try:
        again = await apply_migrations(conn)  # the session already applied them once
        assert again == []
        recorded = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        assert recorded == len(load_migrations())
    finally:
        await conn.close()


async def test_migrations_build_every_shared_table(db):
    tables = {
        r["tablename"]
        for r in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
    }
    assert {
        "authors",
        "credentials",
        "channels",
        "channel_translations",
        "entries",
        "entry_translations",
        "entry_revisions",
        "entry_categories",
        "media",
        "entry_media",
    } <= tables


async def test_concurrent_migrators_apply_each_file_once(settings):
    import asyncio

    conns = [await asyncpg.connect(settings.database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(apply_migrations(c) for c in conns))
        assert results == [[], [], []]
    finally:
        for c in conns:
            await c.close()


def test_migration_files_are_numbered_in_order():
    versions = [m.version for m in load_migrations()]
    assert versions == sorted(versions) and versions[0] == 1


async def test_an_install_without_migrations_refuses_to_start_instead_of_applying_none(
    settings, tmp_path
):
    from hub.core.migrate import MigrationsMissing

    conn = await asyncpg.connect(settings.database_url)
    try:
        with pytest.raises(MigrationsMissing, match="no database migrations found"):
            await apply_migrations(conn, tmp_path)  # an empty folder: what a broken wheel has
    finally:
        await conn.close()
