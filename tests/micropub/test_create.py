"""Create (micropub-resolved.md §3): what one request stores, by the status it gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.entries.jobs import publish_due_entries
from hub.core.entries.remote_media import fetch_entry_media
from tests.factories import make_credential
from tests.micropub.conftest import entry_row, source

MP = "/micropub"


async def _create(client, token, properties: dict, **top) -> object:
    return await client.post(
        MP, json={"type": ["h-entry"], "properties": properties, **top}, headers=token.headers
    )


# --- Location, slugs --------------------------------------------------------------------------


async def test_201_location_is_the_permalink_and_the_body_names_it(client, token):
    r = await _create(client, token, {"name": ["Hello World"], "content": ["Body"]})
    assert r.status_code == 201
    assert r.headers["location"] == "http://hub.test/ada-blog/hello-world"
    assert r.json() == {"url": "http://hub.test/ada-blog/hello-world"}


async def test_201_slug_sources_in_order(client, token):
    cases = [
        ({"content": ["x"], "name": ["A title"], "mp-slug": ["Mon Slug Été"]}, "mon-slug-ete"),
        ({"content": ["x"], "name": ["A title"]}, "a-title"),
        ({"content": ["one two three four five six seven eight"]}, "one-two-three-four-five-six"),
        # a long body: only its first words are read (`sanitize.leading_words`)
        ({"content": ["**Tag** s*o*up " + "word " * 30_000]}, "tag-soup-word-word-word-word"),
    ]
    for properties, slug in cases:
        r = await _create(client, token, properties)
        assert r.headers["location"].endswith(f"/ada-blog/{slug}"), properties
    r = await _create(client, token, {"like-of": ["https://example.com/post"]})
    assert r.headers["location"].rsplit("/", 1)[1].startswith("like-")


async def test_201_slug_collision_gets_a_suffix(client, token):
    locations = [
        (await _create(client, token, {"content": ["x"], "mp-slug": ["same"]})).headers["location"]
        for _ in range(3)
    ]
    assert [u.rsplit("/", 1)[1] for u in locations] == ["same", "same-2", "same-3"]


async def test_201_mp_slug_at_the_top_level_of_json(client, token):
    r = await _create(client, token, {"content": ["x"]}, **{"mp-slug": "top-level"})
    assert r.headers["location"].endswith("/top-level")


# --- the translation: title, body, excerpt, kind -------------------------------------------------


async def test_201_heading_becomes_the_title(client, db, token):
    r = await _create(client, token, {"content": ["# My Title\n\nThe body."]})
    row = await entry_row(db, r.headers["location"])
    assert row["title"] == "My Title" and row["body_source"] == "The body."
    assert row["kind"] == "article" and row["slug"] == "my-title"
    props = (await source(client, token, r.headers["location"])).json()["properties"]
    assert props["name"] == ["My Title"] and props["content"] == ["The body."]


async def test_201_hashtag_is_not_a_heading(client, db, token):
    r = await _create(client, token, {"content": ["#tag note"]})
    row = await entry_row(db, r.headers["location"])
    assert row["title"] == "" and row["kind"] == "note"


async def test_201_markdown_escapes_raw_html(client, db, token):
    r = await _create(client, token, {"content": ["I <3 <b>html</b> and **Markdown**"]})
    row = await entry_row(db, r.headers["location"])
    assert "&lt;b&gt;" in row["content_html"] and "<strong>Markdown</strong>" in row["content_html"]
    assert row["body_format"] == "markdown"


async def test_201_form_content_html_is_sanitised(client, db, token):
    r = await client.post(
        MP,
        data={"h": "entry", "content[html]": "<p onclick='x()'>Hi <em>there</em></p>"},
        headers=token.headers,
    )
    row = await entry_row(db, r.headers["location"])
    assert row["body_format"] == "html" and "onclick" not in row["content_html"]
    assert "<em>there</em>" in row["content_html"]
    body = (await source(client, token, r.headers["location"])).json()
    assert body["properties"]["content"] == [{"html": "<p onclick='x()'>Hi <em>there</em></p>"}]


async def test_201_summary_is_the_excerpt_and_kinds_are_discovered(client, db, token):
    cases = {
        "reply": {"in-reply-to": ["https://example.com/a"], "content": ["Yes"]},
        "like": {"like-of": ["https://example.com/b"]},
        "repost": {"repost-of": ["https://example.com/c"]},
        "bookmark": {"bookmark-of": ["https://example.com/d"], "summary": ["Read later"]},
        "article": {"name": ["Essay"], "content": ["Long text"]},
    }
    for kind, properties in cases.items():
        row = await entry_row(db, (await _create(client, token, properties)).headers["location"])
        assert row["kind"] == kind
        if kind == "bookmark":  # no name, no content: the slug is the type and the time
            assert row["excerpt"] == "Read later" and row["slug"].startswith("bookmark-")


async def test_201_unknown_properties_kept_and_commands_never_stored(client, db, token):
    properties = {
        "content": ["x"],
        "rating": [5],
        "x-custom[y]": ["literal"],
        "location": ["geo:52.5,13.4"],
        "mp-syndicate-to": ["https://social.example"],
    }
    r = await _create(client, token, properties)
    stored = await db.fetchval("SELECT properties FROM entries")
    assert stored["rating"] == [5] and stored["location"] == ["geo:52.5,13.4"]
    assert not any(name.startswith("mp-") for name in stored)
    props = (await source(client, token, r.headers["location"])).json()["properties"]
    assert props["x-custom[y]"] == ["literal"]


async def test_201_categories_normalised(client, db, token):
    r = await _create(client, token, {"content": ["x"], "category": ["#Python", "python", " Go "]})
    assert (await entry_row(db, r.headers["location"]))["tags"] == ["Python", "Go"]


# --- status, dates, visibility --------------------------------------------------------------------


async def test_201_draft_location_is_the_dashboard_edit_url(client, db, token):
    r = await _create(client, token, {"content": ["Draft"], "post-status": ["draft"]})
    location = r.headers["location"]
    row = await entry_row(db, location)
    assert location == f"http://hub.test/dashboard/posts/{row['id']}/edit"
    assert row["status"] == "draft" and row["published_at"] is None
    assert r.json() == {"url": location, "permalink": "http://hub.test/ada-blog/draft"}
    body = (await source(client, token, location)).json()
    assert body["properties"]["post-status"] == ["draft"]
    assert body["properties"]["url"] == [location]


async def test_201_draft_only_token_always_creates_drafts(client, db, make_token):
    draft = await make_token(["draft"])
    r = await _create(client, draft, {"content": ["x"], "post-status": ["published"]})
    assert r.status_code == 201
    assert (await entry_row(db, r.headers["location"]))["status"] == "draft"


async def test_201_past_published_keeps_its_date(client, db, token):
    r = await _create(client, token, {"content": ["Old"], "published": ["2020-01-02T03:04:05Z"]})
    row = await entry_row(db, r.headers["location"])
    assert row["status"] == "published"
    assert row["published_at"] == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert row["translation_published_at"] == row["published_at"]


async def test_201_published_without_offset_uses_the_blog_time_zone(client, db, token):
    await db.execute("UPDATE channels SET timezone = 'Europe/Berlin'")
    r = await _create(client, token, {"content": ["x"], "published": ["2024-06-01T12:00:00"]})
    assert r.status_code == 201
    row = await entry_row(db, r.headers["location"])
    assert row["published_at"] == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    props = (await source(client, token, r.headers["location"])).json()["properties"]
    assert props["published"] == ["2024-06-01T12:00:00"]  # as sent


async def test_201_future_published_schedules_through_the_shared_scheduler(
    client, db, make_token, resources
):
    pro = await make_token(plan="pro")
    when = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    r = await _create(client, pro, {"content": ["Later"], "published": [when.isoformat()]})
    assert r.status_code == 201
    location = r.headers["location"]
    assert location.startswith("http://hub.test/ada-blog/")  # the future permalink
    row = await entry_row(db, location)
    assert row["status"] == "scheduled" and row["scheduled_at"] == when
    # queued after the commit; the outbox row only waits as a safety net (never due now)
    assert await db.fetchval("SELECT count(*) FROM job_outbox WHERE sweep_after <= now()") == 0
    assert await resources.redis.exists(f"arq:job:publish_due:{int(when.timestamp())}")
    await db.execute("UPDATE entries SET scheduled_at = now() - interval '1 second'")
    assert await publish_due_entries({"resources": resources}) == [row["id"]]
    assert (await entry_row(db, location))["status"] == "published"


async def test_400_future_published_needs_a_plan_with_scheduling(client, db, make_token):
    await make_token(author="Olwen")  # the first author: the node's owner
    free = await make_token(author="Fay", plan="free")
    when = datetime.now(UTC) + timedelta(days=2)
    r = await _create(client, free, {"content": ["Later"], "published": [when.isoformat()]})
    assert r.status_code == 400 and "plan" in r.json()["error_description"]
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_201_the_owner_schedules_whatever_their_plan(client, db, token):
    """Issue 17: no plan limits the node's owner (`token` is the first author's, on free)."""
    assert await db.fetchval("SELECT plan FROM authors WHERE is_owner") == "free"
    when = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    r = await _create(client, token, {"content": ["Later"], "published": [when.isoformat()]})
    assert r.status_code == 201
    row = await entry_row(db, r.headers["location"])
    assert row["status"] == "scheduled" and row["scheduled_at"] == when


async def test_201_visibility_is_stored(client, db, token):
    r = await _create(client, token, {"content": ["x"], "visibility": ["unlisted"]})
    assert (await entry_row(db, r.headers["location"]))["visibility"] == "unlisted"


async def test_201_manual_moderation_waits_for_review(client, db, token):
    await db.execute("UPDATE authors SET moderation = 'manual'")
    r = await _create(client, token, {"content": ["Check me"]})
    row = await entry_row(db, r.headers["location"])
    assert row["status"] == "moderation_review" and row["moderation"] == "manual_review"
    assert r.headers["location"] == "http://hub.test/ada-blog/check-me"


# --- media ----------------------------------------------------------------------------------------


async def test_201_own_media_attached_without_download(client, db, token, image):
    upload = await client.post(
        "/micropub/media", files={"file": ("a.jpg", image(), "image/jpeg")}, headers=token.headers
    )
    url = upload.headers["location"]
    other_host = url.replace("http://", "https://")
    r = await _create(client, token, {"content": [f"Look ![cat]({other_host})"], "photo": [url]})
    row = await entry_row(db, r.headers["location"])
    roles = await db.fetch(
        "SELECT role FROM entry_media WHERE entry_id = $1 ORDER BY role", row["id"]
    )
    assert [x["role"] for x in roles] == ["inline", "photo"]
    assert await db.fetchval("SELECT attached_at IS NOT NULL FROM media")
    assert await db.fetchval("SELECT count(*) FROM entry_remote_media") == 0
    fetches = "SELECT count(*) FROM job_outbox WHERE function = 'fetch_entry_media'"
    assert await db.fetchval(fetches) == 0  # nothing to fetch: the images are local


async def test_201_mp_photo_alt_pairs_with_file_parts(client, db, token, image):
    r = await client.post(
        MP,
        data={"h": "entry", "content": "Alt", "mp-photo-alt[]": "A red square"},
        files={"photo": ("a.jpg", image(), "image/jpeg")},
        headers=token.headers,
    )
    assert r.status_code == 201
    assert await db.fetchval("SELECT alt FROM entry_media") == "A red square"
    photo = (await source(client, token, r.headers["location"])).json()["properties"]["photo"]
    assert photo[0]["alt"] == "A red square" and "/micropub/media/" in photo[0]["value"]


async def test_201_remote_image_in_content_copied_and_source_never_rewritten(
    client, db, token, image, remote, job_context, resources
):
    remote.serve("/pic.png", image("png"), content_type="image/png")
    text = f"See ![a pic]({remote.url('/pic.png')})"
    r = await _create(client, token, {"content": [text]})
    row = await entry_row(db, r.headers["location"])
    assert await resources.redis.exists(f"arq:job:fetch_entry_media:{row['id']}")
    assert await db.fetchval("SELECT status FROM entry_remote_media") == "pending"
    ctx, network = job_context
    assert await fetch_entry_media(ctx, row["id"]) == {
        "stored": 1, "failed": 0, "refused": 0, "pending": 0,
    }  # fmt: skip
    assert network.connected == ["127.0.0.1"] and remote.paths() == ["/pic.png"]
    copy = await db.fetchrow("SELECT * FROM media")
    assert copy["purpose"] == "remote" and copy["source_url"] == remote.url("/pic.png")
    assert await db.fetchval("SELECT remote_url FROM entry_media") == remote.url("/pic.png")
    assert (await entry_row(db, r.headers["location"]))["body_source"] == text
    assert (await source(client, token, r.headers["location"])).json()["properties"]["content"] == [
        text
    ]


async def test_remote_copy_reused_by_the_next_entry(client, db, token, image, remote, job_context):
    remote.serve("/pic.jpg", image(), content_type="image/jpeg")
    ctx, _ = job_context
    for n in range(2):
        r = await _create(client, token, {"content": [f"n{n}"], "photo": [remote.url("/pic.jpg")]})
        await fetch_entry_media(ctx, (await entry_row(db, r.headers["location"]))["id"])
    assert remote.paths() == ["/pic.jpg"]
    assert await db.fetchval("SELECT count(*) FROM media") == 1
    assert await db.fetchval("SELECT count(*) FROM entry_media") == 2


async def test_remote_fetch_failure_retries_then_settles_as_failed(
    client, db, token, remote, job_context
):
    remote.serve("/down.jpg", b"busy", status=503, content_type="text/plain")
    remote.serve("/gone.jpg", b"no", status=404, content_type="text/plain")
    remote.serve("/page.jpg", b"<html>not an image</html>", content_type="text/html")
    photos = [remote.url(p) for p in ("/down.jpg", "/gone.jpg", "/page.jpg")]
    r = await _create(client, token, {"content": ["x"], "photo": photos})
    entry_id = (await entry_row(db, r.headers["location"]))["id"]
    ctx, _ = job_context
    from arq import Retry

    for attempt in range(1, 3):
        try:
            await fetch_entry_media({**ctx, "job_try": attempt}, entry_id)
        except Retry:
            pass
        else:
            raise AssertionError("a transient failure with attempts left must retry")
    assert (await fetch_entry_media(ctx, entry_id))["failed"] == 1
    states = dict(await db.fetch("SELECT url, status FROM entry_remote_media"))
    assert states == dict.fromkeys(photos, "failed")
    assert await db.fetchval("SELECT count(*) FROM media") == 0


# --- one transaction ------------------------------------------------------------------------------


async def test_415_a_bad_file_part_leaves_nothing_behind(client, db, token, image, resources):
    before = set(resources.settings.media_dir.rglob("*.*"))
    r = await client.post(
        MP,
        data={"h": "entry", "content": "x"},
        files=[
            ("photo[]", ("a.jpg", image(), "image/jpeg")),
            ("photo[]", ("b.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")),
        ],
        headers=token.headers,
    )
    assert r.status_code == 415
    for table in ("entries", "media", "entry_media", "job_outbox"):
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0, table
    assert set(resources.settings.media_dir.rglob("*.*")) == before


# --- one model ------------------------------------------------------------------------------------


async def test_201_entry_is_readable_through_the_v1_api(client, db, token):
    r = await _create(client, token, {"name": ["Shared"], "content": ["Hello **v1**"]})
    slug = r.headers["location"].rsplit("/", 1)[1]
    key = await make_credential(db, token.author_id, kind="api_key")
    page = await client.get(
        f"/api/v1/channels/{token.channel_slug}/pages/{slug}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["status"] == "published"
    assert body["translations"][0]["title"] == "Shared"
    assert body["translations"][0]["content_markdown"] == "Hello **v1**"


async def test_201_concurrent_creates_with_one_slug_get_distinct_slugs(client, db, token):
    import asyncio

    body = {"type": ["h-entry"], "properties": {"content": ["x"], "mp-slug": ["race"]}}
    answers = await asyncio.gather(
        *(client.post(MP, json=body, headers=token.headers) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4
    slugs = sorted(a.headers["location"].rsplit("/", 1)[1] for a in answers)
    assert slugs == ["race", "race-2", "race-3", "race-4"]
