"""The page cache (issue 20, `hub.web.page_cache`): anonymous readers' pages, feeds and
ActivityPub documents come from memory with no database round trip, and every change to
what they show (whoever writes it) is on the next request after PostgreSQL's notice.

Each test runs an app with its lifespan (the listener) on a pool of its own whose statements
are counted; the notice of a commit reaches the listener a moment after the commit, so a
test waits for it (`served.changed`) before its next request."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx

from hub.app import create_app
from hub.core import db as core_db
from hub.core.db import transaction
from hub.core.entries import publishing
from hub.core.webmentions.moderation import approve_mention
from tests.factories import make_credential, make_webmention
from tests.site.public.fixtures import public_article, public_publish, public_set_status

BASE = "http://hub.test"


@dataclasses.dataclass
class Served:
    http: httpx.AsyncClient
    app: object
    statements: list[str]

    @property
    def cache(self):
        return self.app.state.page_cache

    async def counted(self, *args, **kwargs) -> tuple[httpx.Response, int]:
        """A request and the number of statements the app sent to PostgreSQL for it."""
        before = len(self.statements)
        r = await self.http.request(*args, **kwargs)
        return r, len(self.statements) - before

    @contextlib.asynccontextmanager
    async def changed(self) -> AsyncIterator[None]:
        """The block writes; on leaving it, the write's notice has reached the listener."""
        before = self.cache.notices
        yield
        await until(lambda: self.cache.notices > before)


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll `condition` (a plain attribute of the cache: there is no event to wait on)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def serving(settings, resources, **overrides) -> AsyncIterator[Served]:
    settings = dataclasses.replace(settings, **overrides)
    pool = await core_db.create_pool(settings.database_url, min_size=2, max_size=2)
    statements: list[str] = []
    held = [await pool.acquire() for _ in range(2)]
    for conn in held:
        conn.add_query_logger(lambda record: statements.append(record.query))
        await pool.release(conn)
    app = create_app(settings, dataclasses.replace(resources, pool=pool))
    try:
        async with app.router.lifespan_context(app):
            await until(lambda: app.state.page_cache.ready)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
                yield Served(http, app, statements)
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def served(settings, resources, **overrides) -> AsyncIterator[Served]:
    async with serving(settings, resources, **overrides) as s:
        yield s


async def _article(s: Served, blog, slug="hello", **kw):
    """Publish through the v1 API, and wait for the write's notice."""
    async with s.changed():
        await public_publish(s.http, blog, public_article(slug, tags=["Python"], **kw))


PAGES = ("/ada_blog/hello", "/ada_blog", "/ada_blog/tags/python", "/ada_blog/atom.xml")


async def test_200_second_request_is_served_without_the_database(settings, resources,
                                                                   public_blog):  # fmt: skip
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        for path in PAGES:
            first, sent = await s.counted("GET", path)
            assert first.status_code == 200 and sent > 0, path
            again, sent = await s.counted("GET", path)
            assert again.status_code == 200 and sent == 0, path
            assert again.content == first.content
            for name in ("etag", "last-modified", "cache-control", "content-type", "link"):
                assert again.headers.get(name) == first.headers.get(name), (path, name)
        head, sent = await s.counted("HEAD", "/ada_blog")
        assert head.status_code == 200 and head.content == b"" and sent == 0
        assert int(head.headers["content-length"]) > 0


async def test_304_if_none_match_from_the_cache_and_on_a_miss(settings, resources, public_blog):
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        # a miss with a validator: rendered in full (and kept), answered 304
        first, _ = await s.counted("GET", "/ada_blog/hello")
        s.cache.clear()
        miss, sent = await s.counted(
            "GET", "/ada_blog/hello", headers={"If-None-Match": first.headers["etag"]}
        )
        assert miss.status_code == 304 and miss.content == b"" and sent > 0
        assert miss.headers["etag"] == first.headers["etag"]
        hit, sent = await s.counted(
            "GET", "/ada_blog/hello", headers={"If-None-Match": first.headers["etag"]}
        )
        assert hit.status_code == 304 and sent == 0 and "content-type" not in hit.headers
        stale, sent = await s.counted("GET", "/ada_blog/hello",
                                      headers={"If-None-Match": 'W/"other"'})  # fmt: skip
        assert stale.status_code == 200 and sent == 0 and stale.content == first.content


async def test_200_gzip_bytes_are_kept_with_their_plain_twin(settings, resources, public_blog):
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        zipped, _ = await s.counted("GET", "/ada_blog", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        again, sent = await s.counted("GET", "/ada_blog", headers={"Accept-Encoding": "gzip"})
        assert sent == 0 and again.headers["content-encoding"] == "gzip"
        assert again.content == zipped.content  # httpx decodes both
        plain, sent = await s.counted("GET", "/ada_blog", headers={"Accept-Encoding": "identity"})
        assert sent == 0 and "content-encoding" not in plain.headers
        assert plain.content == zipped.content
        assert plain.headers["vary"] == zipped.headers["vary"]


async def test_200_activitypub_documents_are_kept_apart_from_html(settings, resources,
                                                                   public_blog):  # fmt: skip
    activity = {"Accept": "application/activity+json"}
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        async with s.changed():  # the channel's first fediverse visitor makes its key
            await s.http.get("/ada_blog", headers=activity)
        for path in ("/ada_blog", "/ada_blog/hello"):
            document, _ = await s.counted("GET", path, headers=activity)
            assert document.headers["content-type"].startswith("application/activity+json")
            again, sent = await s.counted("GET", path, headers=activity)
            assert sent == 0 and again.json() == document.json()
            page, _ = await s.counted("GET", path)
            assert page.headers["content-type"].startswith("text/html")


async def test_200_an_edit_through_the_v1_api_shows_on_the_next_request(settings, resources,
                                                                         public_blog):  # fmt: skip
    async with served(settings, resources) as s:
        await _article(s, public_blog, title="First title")
        for path in PAGES:
            await s.http.get(path)
            assert "First title" in (await s.http.get(path)).text
        await _article(s, public_blog, title="Second title")
        for path in PAGES:
            r, sent = await s.counted("GET", path)
            assert "Second title" in r.text and "First title" not in r.text, path
            assert sent > 0


async def test_200_a_micropub_update_shows_on_the_next_request(settings, resources, public_blog,
                                                               db):  # fmt: skip
    token = await make_credential(db, public_blog.author_id, kind="app_token",
                                  scopes=["create", "update"])  # fmt: skip
    async with served(settings, resources) as s:
        await _article(s, public_blog, title="First title")
        await s.http.get("/ada_blog/atom.xml")
        async with s.changed():
            r = await s.http.post(
                "/micropub",
                json={"action": "update", "url": f"{BASE}/ada_blog/hello",
                      "replace": {"name": ["Micropub title"]}},
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            assert r.status_code in (200, 204), r.text
        assert "Micropub title" in (await s.http.get("/ada_blog/atom.xml")).text
        assert "Micropub title" in (await s.http.get("/ada_blog/hello")).text


async def test_200_unpublished_and_deleted_entries_leave_the_cached_pages(settings, resources,
                                                                          public_blog):  # fmt: skip
    async with served(settings, resources) as s:
        await _article(s, public_blog, title="Soon gone")
        assert "Soon gone" in (await s.http.get("/ada_blog")).text
        async with s.changed():
            await public_set_status(s.http, public_blog, "hello", "archived")
        assert "Soon gone" not in (await s.http.get("/ada_blog")).text
        assert (await s.http.get("/ada_blog/hello")).status_code in (404, 410)


async def test_200_a_scheduled_entry_going_live_appears(settings, resources, public_blog, db):
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    async with served(settings, resources) as s:
        await _article(s, public_blog, slug="first", title="Already there")
        r = await s.http.post(
            public_blog.pages,
            json={**public_article("later", title="Scheduled one"),
                  "scheduled_at": when.isoformat()},
            headers=public_blog.headers,
        )  # fmt: skip
        assert r.json()["status"] == "scheduled", r.text
        assert "Scheduled one" not in (await s.http.get("/ada_blog")).text
        await s.http.get("/ada_blog")  # kept
        async with s.changed():
            await db.execute("UPDATE entries SET scheduled_at = now() WHERE slug = 'later'")
            async with transaction(db) as conn:
                assert await publishing.publish_due(conn, datetime.now(UTC))
        assert "Scheduled one" in (await s.http.get("/ada_blog")).text


async def test_200_an_approved_webmention_appears(settings, resources, public_blog, db):
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'hello'")
        mention = await make_webmention(
            db, public_blog.channel_id, entry_id, f"{BASE}/ada_blog/hello", status="pending",
            source="https://bob.example/r", content_text="Nice.",
        )  # fmt: skip
        await s.http.get("/ada_blog/hello")
        assert "Nice." not in (await s.http.get("/ada_blog/hello")).text
        async with s.changed():
            async with transaction(db) as conn:
                assert await approve_mention(conn, mention)
        assert "Nice." in (await s.http.get("/ada_blog/hello")).text


async def test_200_a_profile_edit_shows_on_every_page_of_the_author(settings, resources,
                                                                    public_blog, db):  # fmt: skip
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        for path in (*PAGES, "/"):
            await s.http.get(path)
        async with s.changed():
            await db.execute("UPDATE authors SET name = 'Ada Lovelace' WHERE id = $1",
                             public_blog.author_id)  # fmt: skip
        for path in PAGES:
            r, sent = await s.counted("GET", path)
            assert sent > 0 and "Ada Lovelace" in r.text, path
        _, sent = await s.counted("GET", "/")  # node-wide pages go on any change
        assert sent > 0


async def test_200_a_draft_save_keeps_the_cached_pages(settings, resources, public_blog):
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        await s.http.get("/ada_blog")
        await public_publish(s.http, public_blog, public_article("draft", status="draft"))
        await public_publish(s.http, public_blog, public_article("draft", status="draft",
                                                                 title="Typed more"))  # fmt: skip
        await asyncio.sleep(0.2)  # a notice, had there been one, would have come
        _, sent = await s.counted("GET", "/ada_blog")
        assert sent == 0


async def test_200_two_processes_stay_coherent(settings, resources, public_blog):
    async with served(settings, resources) as one, served(settings, resources) as two:
        async with two.changed():
            await _article(one, public_blog, title="First title")
        for s in (one, two):
            await s.http.get("/ada_blog/hello")
            _, sent = await s.counted("GET", "/ada_blog/hello")
            assert sent == 0
        async with two.changed():
            await _article(one, public_blog, title="Second title")
        for s in (one, two):
            assert "Second title" in (await s.http.get("/ada_blog/hello")).text


async def test_200_the_owner_and_token_holders_are_never_served_from_the_cache(
    settings, resources, public_blog
):
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        await s.http.get("/ada_blog")
        for headers in ({"Cookie": "hub_session=abc"}, {"Cookie": "__Host-hub_session=abc"},
                        {"Authorization": "Bearer x"}):  # fmt: skip
            r, sent = await s.counted("GET", "/ada_blog", headers=headers)
            assert r.status_code == 200 and sent > 0, headers


async def test_404_and_unknown_queries_are_not_kept(settings, resources, public_blog):
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        for n in range(20):
            assert (await s.http.get(f"/ada_blog/missing-{n}")).status_code == 404
            assert (await s.http.get(f"/ada_blog?utm_source={n}")).status_code == 200
        assert len(s.cache) == 0
        _, sent = await s.counted("GET", "/ada_blog?utm_source=1")
        assert sent > 0
        await s.http.get("/ada_blog?lang=en")
        assert len(s.cache) == 2  # gzip, and its plain twin


async def test_200_the_cache_stays_within_its_bytes(settings, resources, public_blog):
    capacity = 150_000  # about 9 entry pages, gzip and plain
    async with served(settings, resources, page_cache_bytes=capacity) as s:
        for n in range(12):
            await _article(s, public_blog, slug=f"entry-{n}", title=f"Entry {n}")
        for n in range(12):
            assert (await s.http.get(f"/ada_blog/entry-{n}")).status_code == 200
            assert s.cache.used <= capacity
        assert 0 < len(s.cache) < 2 * 12  # the oldest made room
        _, sent = await s.counted("GET", "/ada_blog/entry-11")  # the newest stays
        assert sent == 0


async def test_200_a_lost_listener_clears_the_cache_until_it_is_back(settings, resources,
                                                                     public_blog, db):  # fmt: skip
    """A PostgreSQL restart, as the listener sees it: its connection ends."""
    async with served(settings, resources) as s:
        await _article(s, public_blog)
        await s.http.get("/ada_blog")
        assert len(s.cache) > 0
        await db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE application_name = 'hub pages'")  # fmt: skip
        await until(lambda: not s.cache.ready)
        assert len(s.cache) == 0
        _, sent = await s.counted("GET", "/ada_blog")
        assert sent > 0 and len(s.cache) == 0  # not kept while nobody listens
        await until(lambda: s.cache.ready)
        await s.http.get("/ada_blog")
        _, sent = await s.counted("GET", "/ada_blog")
        assert sent == 0


async def test_200_without_a_listener_nothing_is_cached(client, public_blog):
    """The app of the other tests runs no lifespan: it never caches (and so changes nothing)."""
    await public_publish(client, public_blog, public_article("hello"))
    await client.get("/ada_blog")
    assert len(client._transport.app.state.page_cache) == 0
