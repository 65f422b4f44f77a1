"""The per-entry limits on `POST /micropub` (hub/core/entries/limits.py): categories, the length
of one category and URLs, at the boundary, for JSON and form creates and for updates
(`replace`, `add`). Over a limit is 400 `invalid_request` and nothing is stored or changed."""

from __future__ import annotations

from hub.core.entries.limits import TAG_LENGTH, TAGS_PER_ENTRY, URLS_PER_ENTRY
from tests.micropub.conftest import entry_row

MP = "/micropub"
TABLES = ("entries", "entry_translations", "entry_categories", "entry_media", "job_outbox")


async def _create(client, token, properties: dict):
    return await client.post(
        MP, json={"type": ["h-entry"], "properties": properties}, headers=token.headers
    )


async def _update(client, token, url: str, **operations):
    return await client.post(
        MP, json={"action": "update", "url": url, **operations}, headers=token.headers
    )


async def _nothing_written(db) -> None:
    for table in TABLES:
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0, table


def _refused(r, description: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "invalid_request", "error_description": description}


TOO_MANY_CATEGORIES = f"A post may have at most {TAGS_PER_ENTRY} categories."
TOO_MANY_URLS = (
    f"A post may name at most {URLS_PER_ENTRY} URLs in photo, video, audio, in-reply-to, "
    "like-of, repost-of, bookmark-of and syndication together."
)


async def test_201_the_most_categories_a_post_may_have(client, db, token):
    tags = [f"tag{i}" for i in range(TAGS_PER_ENTRY)]
    r = await _create(client, token, {"content": ["Hi"], "category": tags})
    assert r.status_code == 201, r.text
    assert (await entry_row(db, r.headers["location"]))["tags"] == tags


async def test_400_one_category_too_many_json(client, db, token):
    tags = [f"tag{i}" for i in range(TAGS_PER_ENTRY + 1)]
    _refused(
        await _create(client, token, {"content": ["Hi"], "category": tags}), TOO_MANY_CATEGORIES
    )
    await _nothing_written(db)


async def test_400_one_category_too_many_form(client, db, token):
    data = {
        "h": "entry",
        "content": "Hi",
        "category[]": [f"t{i}" for i in range(TAGS_PER_ENTRY + 1)],
    }
    _refused(await client.post(MP, data=data, headers=token.headers), TOO_MANY_CATEGORIES)
    await _nothing_written(db)


async def test_400_forty_thousand_categories_not_500(client, db, token):
    tags = [f"t{i}" for i in range(40_000)]
    _refused(
        await _create(client, token, {"content": ["Hi"], "category": tags}), TOO_MANY_CATEGORIES
    )
    await _nothing_written(db)


async def test_201_and_400_category_length_at_the_limit(client, db, token):
    longest = "x" * TAG_LENGTH
    r = await _create(client, token, {"content": ["Hi"], "category": [longest]})
    assert r.status_code == 201, r.text
    assert (await entry_row(db, r.headers["location"]))["tags"] == [longest]
    r = await _create(client, token, {"content": ["Hi"], "category": [longest + "x"]})
    _refused(r, f"A category may be at most {TAG_LENGTH} characters long.")
    assert await db.fetchval("SELECT count(*) FROM entries") == 1


async def test_201_the_most_urls_a_post_may_name(client, db, token):
    links = [f"https://elsewhere.example/{i}" for i in range(URLS_PER_ENTRY)]
    r = await _create(client, token, {"content": ["Hi"], "syndication": links})
    assert r.status_code == 201, r.text


async def test_400_one_url_too_many_across_properties(client, db, token):
    half = URLS_PER_ENTRY // 2
    properties = {
        "content": ["Hi"],
        "syndication": [f"https://elsewhere.example/{i}" for i in range(half)],
        "in-reply-to": [f"https://other.example/{i}" for i in range(URLS_PER_ENTRY - half + 1)],
    }
    _refused(await _create(client, token, properties), TOO_MANY_URLS)
    await _nothing_written(db)


async def test_400_too_many_photo_urls_fetches_nothing(client, db, token, remote):
    photos = [remote.url(f"/{i}.png") for i in range(URLS_PER_ENTRY + 1)]
    _refused(await _create(client, token, {"content": ["Hi"], "photo": photos}), TOO_MANY_URLS)
    await _nothing_written(db)
    assert remote.paths() == []


async def test_200_and_400_update_add_up_to_the_limit(client, db, token):
    r = await _create(
        client, token, {"content": ["Hi"], "category": [f"t{i}" for i in range(TAGS_PER_ENTRY - 1)]}
    )
    url = r.headers["location"]
    r = await _update(client, token, url, add={"category": ["last"]})
    assert r.status_code == 200, r.text
    version = (await entry_row(db, url))["version"]
    _refused(await _update(client, token, url, add={"category": ["over"]}), TOO_MANY_CATEGORIES)
    after = await entry_row(db, url)
    assert len(after["tags"]) == TAGS_PER_ENTRY and "over" not in after["tags"]
    assert after["version"] == version


async def test_400_update_replace_over_the_limit_changes_nothing(client, db, token):
    url = (await _create(client, token, {"content": ["Hi"], "category": ["a"]})).headers["location"]
    tags = [f"t{i}" for i in range(TAGS_PER_ENTRY + 1)]
    _refused(await _update(client, token, url, replace={"category": tags}), TOO_MANY_CATEGORIES)
    assert (await entry_row(db, url))["tags"] == ["a"]
    links = [f"https://elsewhere.example/{i}" for i in range(URLS_PER_ENTRY + 1)]
    _refused(await _update(client, token, url, replace={"syndication": links}), TOO_MANY_URLS)


async def test_400_update_over_the_limit_is_refused_before_the_post_is_looked_up(client, db, token):
    tags = [f"t{i}" for i in range(TAGS_PER_ENTRY + 1)]
    r = await _update(client, token, "http://hub.test/nowhere/no-such-post", add={"category": tags})
    _refused(r, TOO_MANY_CATEGORIES)
