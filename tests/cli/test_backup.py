"""`hub backup` and `hub restore`, run as an operator runs them: a node with entries,
translations, tags, uploaded images, webmentions and directory rows goes into an archive and
comes back table for table and byte for byte; a non-empty target, a backup of a newer schema
and a damaged archive are refused with nothing changed."""

from __future__ import annotations

import io
import json
import secrets
import tarfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from hub.backup.version import known_schema_version
from hub.core.migrate import apply_migrations, load_migrations
from hub.embedded import drop_database, ensure_database
from tests import images
from tests.cli.conftest import clean_env, run_hub
from tests.factories import (
    bearer,
    make_author,
    make_credential,
    make_entry,
    make_feed,
    make_site,
    make_webmention,
)

pytestmark = pytest.mark.slow


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@dataclass
class Target:
    """An empty database and media directory to restore into, and the environment naming
    them."""

    url: str
    media_dir: Path
    env: dict[str, str]


@pytest.fixture
async def target(settings, cli_env, tmp_path) -> AsyncIterator[Target]:
    name = f"hub_restore_{secrets.token_hex(4)}"
    admin = _with_database(settings.database_url, "postgres")
    await ensure_database(admin, name)
    url = _with_database(settings.database_url, name)
    media_dir = tmp_path / "restored-media"
    env = {**cli_env, "DATABASE_URL": url, "HUB_MEDIA_DIR": str(media_dir)}
    try:
        yield Target(url, media_dir, env)
    finally:
        await drop_database(admin, name)


@pytest.fixture
def source_env(cli_env, settings) -> dict[str, str]:
    return {**cli_env, "HUB_MEDIA_DIR": str(settings.media_dir)}


@pytest.fixture
async def node(client, db) -> None:
    """Entries (Micropub, with tags and uploaded images; and with two translations), a
    received webmention, a directory site with its feed."""
    ada = await make_author(db, "Ada", channel_slug="{name}-blog")
    token = await make_credential(db, ada.author_id, kind="app_token",
                                  scopes=["create", "update", "media"])  # fmt: skip
    for n, picture in enumerate((images.jpeg(), images.png_alpha())):
        upload = await client.post(
            "/micropub/media", files={"file": (f"p{n}", picture)}, headers=bearer(token)
        )
        assert upload.status_code == 201
        created = await client.post(
            "/micropub",
            json={"type": ["h-entry"], "properties": {
                "name": [f"Post {n}"], "content": [f"Body {n} ![x]({upload.headers['location']})"],
                "category": ["travel", f"tag-{n}"], "photo": [upload.headers["location"]]}},
            headers=bearer(token),
        )  # fmt: skip
        assert created.status_code == 201
    entry = await make_entry(db, ada, "bilingual", translations={"en": "<p>Hi</p>",
                                                                 "fr": "<p>Salut</p>"})  # fmt: skip
    await make_webmention(db, ada.channel_id, entry, "http://hub.test/ada-blog/bilingual",
                          source="https://friend.example/reply", content_text="Nice")  # fmt: skip
    site = await make_site(db, "https://other.example/")
    await make_feed(db, site, "https://other.example/feed.xml")


async def _checksums(url: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of every row in order) per table."""
    conn = await asyncpg.connect(url)
    try:
        tables = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
        sums = {}
        for table in tables:
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' "
                f"ORDER BY t::text), '')) AS sum FROM public.\"{table}\" t"
            )
            sums[table] = (row["n"], row["sum"])
        return sums
    finally:
        await conn.close()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


async def _table_count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()


def test_backup_help_names_an_example_and_the_exit_codes(cli_env):
    shown = run_hub(cli_env, "restore", "--help")
    assert shown.returncode == 0
    assert "example:" in shown.stdout and "--force" in shown.stdout
    assert "3 the target is not empty" in shown.stdout


async def test_round_trip_gives_every_row_and_media_file_back(
    node, settings, source_env, target, tmp_path
):
    archive = tmp_path / "node.tar.gz"
    made = run_hub(source_env, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert f"wrote {archive}" in made.stdout
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["schema_version"] == known_schema_version()
    assert manifest["tables"]["entries"] == 3 and manifest["tables"]["webmentions"] == 1
    assert manifest["media_files"] == len(_files(settings.media_dir)) >= 2

    restored = run_hub(target.env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "row counts of" in restored.stdout

    assert await _checksums(target.url) == await _checksums(settings.database_url)
    assert _files(target.media_dir) == _files(settings.media_dir)

    again = run_hub(target.env, "restore", str(archive))  # now the target holds the node
    assert again.returncode == 3
    assert "pass --force" in again.stderr

    conn = await asyncpg.connect(target.url)
    await conn.execute("DELETE FROM webmentions")
    await conn.close()
    (target.media_dir / "stray.txt").write_text("not from the backup")
    forced = run_hub(target.env, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert await _checksums(target.url) == await _checksums(settings.database_url)
    assert _files(target.media_dir) == _files(settings.media_dir)


def _archive(path: Path, manifest: dict, dump: bytes = b"PGDMP") -> None:
    with tarfile.open(path, "w") as tar:
        for name, data in (("database.dump", dump), ("manifest.json", json.dumps(manifest))):
            data = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


async def test_backup_of_a_newer_schema_is_refused(target, tmp_path):
    future = tmp_path / "future.tar"
    _archive(future, {"format": 1, "hub_version": "9.0", "schema_version": 9999,
                      "created_at": "2030-01-01T00:00:00+00:00", "pg_dump_version": "18.0",
                      "server_version": "18.0", "database_sha256": "0", "tables": {},
                      "media_files": 0, "media_bytes": 0})  # fmt: skip
    refused = run_hub(target.env, "restore", str(future))
    assert refused.returncode == 4
    assert "schema version 9999, newer than this hub knows" in refused.stderr
    assert await _table_count(target.url) == 0


async def test_damaged_archives_are_refused_and_nothing_is_restored(
    db, source_env, target, tmp_path
):
    archive = tmp_path / "node.tar"
    assert run_hub(source_env, "backup", str(archive)).returncode == 0
    data = archive.read_bytes()

    truncated = tmp_path / "truncated.tar.gz"
    with tarfile.open(truncated, "w:gz") as tar:
        tar.add(archive, "x")  # any gzip, then cut in the middle
    truncated.write_bytes(truncated.read_bytes()[: len(truncated.read_bytes()) // 2])
    refused = run_hub(target.env, "restore", str(truncated))
    assert refused.returncode == 4
    assert "is not a tar archive or is damaged" in refused.stderr

    with tarfile.open(archive) as tar:  # one byte of the dump changed
        offset = tar.getmember("database.dump").offset_data + 100
    flipped = tmp_path / "flipped.tar"
    flipped.write_bytes(data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :])
    refused = run_hub(target.env, "restore", str(flipped))
    assert refused.returncode == 4
    assert "does not match the manifest's checksum" in refused.stderr

    assert await _table_count(target.url) == 0
    assert not target.media_dir.exists() or not any(target.media_dir.iterdir())
    assert not list(target.media_dir.parent.glob(".hub-restore-*"))


@pytest.fixture
async def older_node(settings, cli_env, tmp_path) -> AsyncIterator[dict[str, str]]:
    """The environment of a node whose database has all migrations but the last."""
    older = tmp_path / "sql"
    older.mkdir()
    for migration in load_migrations()[:-1]:
        (older / f"{migration.name}.sql").write_text(migration.sql)
    name = f"hub_older_{secrets.token_hex(4)}"
    admin = _with_database(settings.database_url, "postgres")
    url = _with_database(settings.database_url, name)
    await ensure_database(admin, name)
    conn = await asyncpg.connect(url)
    try:
        await apply_migrations(conn, older)
        await conn.execute("INSERT INTO authors (name) VALUES ('Old')")
    finally:
        await conn.close()
    try:
        yield {**cli_env, "DATABASE_URL": url, "HUB_MEDIA_DIR": str(tmp_path / "old-media")}
    finally:
        await drop_database(admin, name)


async def test_backup_of_an_older_schema_is_restored_then_migrated(older_node, target, tmp_path):
    archive = tmp_path / "old.tar"
    assert run_hub(older_node, "backup", str(archive)).returncode == 0
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["schema_version"] == (
            known_schema_version() - 1
        )
    restored = run_hub(target.env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "applied 1 newer migration(s)" in restored.stdout
    conn = await asyncpg.connect(target.url)
    try:
        assert await conn.fetchval("SELECT max(version) FROM schema_migrations") == (
            known_schema_version()
        )
        assert await conn.fetchval("SELECT name FROM authors") == "Old"
    finally:
        await conn.close()


def test_embedded_node_backs_up_and_restores_into_a_new_data_dir(tmp_path):
    first = {**clean_env(), "HUB_DATA_DIR": str(tmp_path / "first")}
    second = {**clean_env(), "HUB_DATA_DIR": str(tmp_path / "second")}
    assert run_hub(first, "author", "add", "Solo").returncode == 0
    (tmp_path / "first" / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "first" / "media" / "uploads" / "a.bin").write_bytes(b"\x00\x01image")
    made = run_hub(first, "backup", str(tmp_path / "node.tgz"))
    assert made.returncode == 0, made.stderr
    restored = run_hub(second, "restore", str(tmp_path / "node.tgz"))
    assert restored.returncode == 0, restored.stderr
    listed = run_hub(second, "author", "list")
    assert "Solo" in listed.stdout
    assert (tmp_path / "second" / "media" / "uploads" / "a.bin").read_bytes() == b"\x00\x01image"
    assert not (tmp_path / "second" / "postgres" / "postmaster.pid").exists()
