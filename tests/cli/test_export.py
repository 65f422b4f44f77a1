"""`hub export`: the archive a person reads without hub (JSON Feed 1.1 validated against the
schema, Markdown with front matter, media bytes behind relative links, webmentions, OPML)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
import zipfile
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import jsonschema
import pytest
import yaml

from hub.core.entries.editing import render_body
from tests.cli.conftest import run_hub
from tests.factories import make_author, make_entry, make_feed, make_site, make_webmention
from tests.images import png_alpha

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "schemas" / "jsonfeed-1.1.schema.json").read_text()
)
MEDIA_PATH = "uploads/2026/01/abcdefabcdef.png"
BASE = "https://blog.example"

pytestmark = pytest.mark.slow  # each test runs the `hub` command in a subprocess


async def _blog(pool, media_dir: Path) -> None:
    ada = await make_author(pool, "Ada")
    image = png_alpha()
    (media_dir / MEDIA_PATH).parent.mkdir(parents=True, exist_ok=True)
    (media_dir / MEDIA_PATH).write_bytes(image)
    media_id = await pool.fetchval(
        """INSERT INTO media (public_id, author_id, channel_id, content_type, bytes, sha256,
                              original_path, alt, folder, attached_at)
           VALUES ('pid1', $1, $2, 'image/png', $3, $4, $5, 'a cat', 'uploads', now())
           RETURNING id""",
        ada.author_id, ada.channel_id, len(image), hashlib.sha256(image).digest(), MEDIA_PATH,
    )  # fmt: skip
    html = f'<p>Hello <img src="{BASE}/storage/{MEDIA_PATH}" alt="a cat"></p>'
    hello = await make_entry(pool, ada, "hello", translations={"en": html, "fr": "<p>Bonjour.</p>"})
    await pool.execute(
        """UPDATE entry_translations SET body_source = $2, title = 'Hello'
           WHERE entry_id = $1 AND language = 'en'""",
        hello, f"Hello ![a cat](/storage/{MEDIA_PATH})",
    )  # fmt: skip
    await pool.execute(
        "INSERT INTO entry_categories (entry_id, name, position) VALUES ($1, 'Cats', 0)", hello
    )
    await pool.execute(
        "INSERT INTO entry_media (entry_id, media_id, role) VALUES ($1, $2, 'inline')",
        hello, media_id,
    )  # fmt: skip
    await make_entry(
        pool, ada, "a-reply", status="draft",
        properties={"in-reply-to": ["https://elsewhere.example/post"]},
    )  # fmt: skip
    await make_webmention(
        pool, ada.channel_id, hello, f"{BASE}/ada_blog/hello",
        source="https://friend.example/reply", author_name="Friend", content_text="Nice!",
    )  # fmt: skip
    site = await make_site(pool, "https://news.example/")
    feed = await make_feed(pool, site, "https://news.example/feed.xml", title="News")
    await pool.execute(
        "INSERT INTO subscriptions (author_id, feed_id) VALUES ($1, $2)", ada.author_id, feed
    )


async def test_export_writes_a_folder_a_person_reads_without_hub(db, cli_env, tmp_path):
    await _blog(db, tmp_path / "media")
    out = tmp_path / "export"
    done = run_hub(cli_env, "export", str(out))
    assert done.returncode == 0, done.stderr
    assert "exported 1 channel(s), 2 entries, 3 translations, 1 media files" in done.stdout

    feed = json.loads((out / "channels/ada_blog/feed.json").read_text())
    jsonschema.validate(feed, SCHEMA)
    items = {item["_hub"]["slug"]: item for item in feed["items"]}
    assert set(items) == {"hello", "a-reply"}  # drafts too
    hello = items["hello"]
    assert hello["title"] == "Hello" and hello["tags"] == ["Cats"]
    assert f'src="../../media/{MEDIA_PATH}"' in hello["content_html"]
    assert {t["language"] for t in hello["_hub"]["translations"]} == {"en", "fr"}
    assert hello["_hub"]["media"][0]["original"] == f"media/{MEDIA_PATH}"
    assert items["a-reply"]["_hub"]["status"] == "draft"
    assert items["a-reply"]["_hub"]["properties"]["in-reply-to"] == [
        "https://elsewhere.example/post"
    ]

    assert (out / "media" / MEDIA_PATH).read_bytes() == png_alpha()
    post = (out / "channels/ada_blog/posts/hello.en.md").read_text()
    _, head, body = post.split("---\n", 2)
    meta = yaml.safe_load(head)
    assert meta["title"] == "Hello" and meta["tags"] == ["Cats"] and meta["slug"] == "hello"
    assert meta["status"] == "published" and meta["draft"] is False and meta["date"]
    assert f"](../../../media/{MEDIA_PATH})" in body  # resolves from the post's folder
    reply = yaml.safe_load(
        (out / "channels/ada_blog/posts/a-reply.en.md").read_text().split("---\n")[1]
    )
    assert reply["in_reply_to"] == "https://elsewhere.example/post" and reply["draft"] is True

    mentions = json.loads((out / "channels/ada_blog/webmentions.json").read_text())
    assert [(m["source"], m["entry_slug"], m["author_name"]) for m in mentions] == [
        ("https://friend.example/reply", "hello", "Friend")
    ]
    assert 'xmlUrl="https://news.example/feed.xml"' in (out / "subscriptions.opml").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["entries"] == 2 and manifest["channels"] == ["ada_blog"]
    assert "feed.json" in (out / "README.md").read_text()


async def test_export_to_a_zip_file_of_one_channel(db, cli_env, tmp_path):
    await _blog(db, tmp_path / "media")
    await make_author(db, "Bob")
    target = tmp_path / "blog.zip"
    done = run_hub(cli_env, "export", str(target), "--channel", "ada_blog")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert "channels/ada_blog/feed.json" in names and f"media/{MEDIA_PATH}" in names
        assert not any(name.startswith("channels/bob_blog") for name in names)
        jsonschema.validate(json.loads(archive.read("channels/ada_blog/feed.json")), SCHEMA)


async def test_1_an_unknown_channel_or_a_full_folder_is_refused(db, cli_env, tmp_path):
    await make_author(db, "Ada")
    unknown = run_hub(cli_env, "export", str(tmp_path / "x"), "--channel", "nope")
    assert unknown.returncode == 1 and "No channel 'nope'" in unknown.stderr
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    refused = run_hub(cli_env, "export", str(full))
    assert refused.returncode == 1 and "not an empty folder" in refused.stderr


# -- export → import into an empty node gives the same blog ------------------------------------

ENTRY_SQL = """
    SELECT e.slug, e.status, e.kind, e.visibility, e.properties, e.published_at,
           e.scheduled_at, e.deleted_at,
           ARRAY(SELECT name FROM entry_categories c WHERE c.entry_id = e.id
                 ORDER BY c.position) AS tags,
           ARRAY(SELECT ARRAY[t.language, t.status, t.title, t.body_format, t.body_source,
                              t.content_html, t.published_at::text,
                              t.content_updated_at::text]
                 FROM entry_translations t WHERE t.entry_id = e.id ORDER BY t.language)
               AS translations,
           ARRAY(SELECT encode(m.sha256, 'hex') FROM entry_media em
                 JOIN media m ON m.id = em.media_id WHERE em.entry_id = e.id ORDER BY 1)
               AS media
    FROM entries e ORDER BY e.slug
"""
STORAGE = re.compile(r"(?:https://blog\.example)?/storage/[^\s\"')]+")


@asynccontextmanager
async def empty_database(database_url: str):
    """A new database on the test server (no tables yet), dropped afterwards."""
    name = f"hub_port_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(database_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def _same_blog_rows(url: str, media_dir: Path) -> list[dict]:
    conn = await asyncpg.connect(url)
    try:
        rows = [dict(r) for r in await conn.fetch(ENTRY_SQL)]
        paths = {
            r["p"]: r["sha"]
            for r in await conn.fetch(
                "SELECT original_path AS p, encode(sha256, 'hex') AS sha FROM media"
            )
        }
    finally:
        await conn.close()
    for row in rows:  # a media link names the file by its bytes: the paths differ by node
        row["properties"] = json.loads(row["properties"])
        row["translations"] = [
            [v and STORAGE.sub(lambda m: _sha_of(m.group(0), paths, media_dir), v) for v in t]
            for t in row["translations"]
        ]
    return rows


def _sha_of(url: str, paths: dict[str, str], media_dir: Path) -> str:
    path = url.split("/storage/", 1)[1]
    data = (media_dir / path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == paths.get(path, hashlib.sha256(data).hexdigest())
    return f"media:{hashlib.sha256(data).hexdigest()}"


async def test_export_then_import_into_an_empty_node_gives_the_same_blog(
    db, cli_env, settings, tmp_path
):
    await _blog(db, tmp_path / "media")
    await _lifecycle(db)
    await db.execute(  # as the editor leaves them: the source beside the HTML
        """UPDATE entry_translations SET title = 'Bonjour', body_source = 'Bonjour.'
           WHERE language = 'fr';
           UPDATE entry_translations SET body_format = 'html', body_source = content_html
           WHERE body_source = ''"""
    )
    for row in await db.fetch("SELECT id, body_source, body_format FROM entry_translations"):
        html = render_body(row["body_source"], row["body_format"])  # what hub itself stores
        await db.execute("UPDATE entry_translations SET content_html = $2 WHERE id = $1",
                         row["id"], html)  # fmt: skip
    archive = tmp_path / "blog.zip"
    assert run_hub(cli_env, "export", str(archive)).returncode == 0

    async with empty_database(settings.database_url) as url:
        other = tmp_path / "other"
        env = {**cli_env, "DATABASE_URL": url, "HUB_DATA_DIR": str(other)}
        for step in (("migrate",), ("author", "add", "Ada", "--channel", "ada_blog")):
            done = run_hub(env, *step)
            assert done.returncode == 0, done.stderr
        imported = run_hub(env, "import", str(archive), "--channel", "ada_blog")
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert "created 6, skipped 0 (already imported), refused 0" in imported.stdout
        again = run_hub(env, "import", str(archive), "--channel", "ada_blog")
        assert "created 0, skipped 6" in again.stdout

        before = await _same_blog_rows(settings.database_url, tmp_path / "media")
        after = await _same_blog_rows(url, other / "media")
        conn = await asyncpg.connect(url)
        try:  # the worker publishes the scheduled entry at its time
            staged = await conn.fetch(
                "SELECT defer_until FROM job_outbox WHERE function = 'publish_due_entries'"
            )
        finally:
            await conn.close()
    assert [r["slug"] for r in after] == [r["slug"] for r in before]
    for imported, exported in zip(after, before, strict=True):
        if exported["slug"] == "overdue":  # its schedule passed: published at its time
            assert (imported["status"], imported["published_at"]) == ("published", OVERDUE)
            assert [t[1] for t in imported["translations"]] == ["published"]
            continue
        for key, value in exported.items():
            assert (key, imported[key]) == (key, value)
    rows = {r["slug"]: r for r in after}
    assert rows["hello"]["translations"][0][5].count("media:") == 1  # the image, by its bytes
    assert {slug: r["status"] for slug, r in rows.items()} == {
        "a-reply": "draft", "gone": "deleted", "hello": "published", "later": "scheduled",
        "old-news": "archived", "overdue": "published",
    }  # fmt: skip
    en, fr = rows["hello"]["translations"]
    assert (en[6], fr[6]) == ("2024-03-01 09:00:00+00", "2024-03-05 18:30:00+00")
    assert en[7] == "2024-03-02 10:00:00+00"  # its content's last change, not the import's
    assert [r["defer_until"] for r in staged] == [rows["later"]["scheduled_at"]]


OVERDUE = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)


async def _lifecycle(db) -> None:
    """The rest of the lifecycle, as hub leaves it: a translation published days after its
    primary, content changed after publication, an entry scheduled for next week, one whose
    schedule passed while the node was down, an archived one and a deleted one."""
    await db.execute(
        """UPDATE entry_translations t SET published_at = CASE t.language
               WHEN 'en' THEN timestamptz '2024-03-01 09:00Z'
               ELSE timestamptz '2024-03-05 18:30Z' END,
               content_updated_at = CASE t.language
               WHEN 'en' THEN timestamptz '2024-03-02 10:00Z'
               ELSE timestamptz '2024-03-06 07:00Z' END
           FROM entries e WHERE e.id = t.entry_id AND e.slug = 'hello';
           UPDATE entries SET published_at = '2024-03-01 09:00Z' WHERE slug = 'hello'"""
    )
    ada = SimpleNamespace(**await db.fetchrow("SELECT author_id, id AS channel_id FROM channels"))
    later = await make_entry(db, ada, "later", status="draft")
    overdue = await make_entry(db, ada, "overdue", status="draft")
    next_week = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    for entry_id, at in ((later, next_week), (overdue, OVERDUE)):
        await db.execute(
            "UPDATE entries SET status = 'scheduled', scheduled_at = $2 WHERE id = $1",
            entry_id, at,
        )  # fmt: skip
        await db.execute(
            "UPDATE entry_translations SET status = 'scheduled' WHERE entry_id = $1", entry_id
        )
    old = await make_entry(db, ada, "old-news")
    await db.execute("UPDATE entry_translations SET status = 'archived' WHERE entry_id = $1", old)
    await db.execute("UPDATE entries SET status = 'archived' WHERE id = $1", old)
    await make_entry(db, ada, "gone")
    await db.execute(
        """UPDATE entries SET status = 'deleted', deleted_at = now() - interval '2 days'
           WHERE slug = 'gone'"""
    )
