"""E1-E3: GET/POST /channels, PATCH /channels/{slug}."""

from __future__ import annotations

from tests.channels.conftest import make_account


def new_channel(**extra) -> dict:
    return {
        "slug": "winter_car_care",
        "default_language": "en",
        "status": "published",
        "translations": [
            {"language": "en", "title": "Winter Car Care", "description": "Practical notes."}
        ],
        **extra,
    }


async def test_200_list_channels_oldest_first(client, account):
    await client.post("/api/v1/channels", json=new_channel(), headers=account.headers)
    r = await client.get("/api/v1/channels", headers=account.headers)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    channels = r.json()["channels"]
    assert [c["slug"] for c in channels] == ["ada_blog", "winter_car_care"]
    first = channels[0]
    assert first["read_only"] is False and first["can_write"] is True
    assert first["url"] == "http://hub.test/ada_blog"
    assert set(first) >= {"id", "status", "default_language", "translations", "created_at"}
    assert first["created_at"].endswith("+00:00")


async def test_200_list_shows_only_own_channels(client, account, other):
    r = await client.get("/api/v1/channels", headers=other.headers)
    assert [c["slug"] for c in r.json()["channels"]] == ["bob_blog"]


async def test_401_missing_or_invalid_key(client, account):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"X-API-Key": "nope"}):
        r = await client.get("/api/v1/channels", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"message": "Missing or invalid API key.", "errors": {}}
        assert r.headers["www-authenticate"] == "Bearer"


async def test_200_x_api_key_header(client, account):
    r = await client.get("/api/v1/channels", headers={"X-API-Key": account.key})
    assert r.status_code == 200


async def test_401_invalid_bearer_wins_over_valid_x_api_key(client, account):
    headers = {"Authorization": "Bearer nope", "X-API-Key": account.key}
    assert (await client.get("/api/v1/channels", headers=headers)).status_code == 401


async def test_201_create_channel(client, account):
    r = await client.post("/api/v1/channels", json=new_channel(), headers=account.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == "/api/v1/channels/winter_car_care"
    assert body["slug"] == "winter_car_care" and body["status"] == "published"
    assert body["translations"] == [
        {"language": "en", "title": "Winter Car Care", "description": "Practical notes."}
    ]


async def test_201_slug_generated_from_title(client, account):
    payload = new_channel()
    del payload["slug"]
    r = await client.post("/api/v1/channels", json=payload, headers=account.headers)
    assert r.status_code == 201 and r.json()["slug"] == "winter_car_care"
    r = await client.post("/api/v1/channels", json=payload, headers=account.headers)
    assert r.json()["slug"] == "winter_car_care_2"


async def test_422_channel_validation(client, account):
    r = await client.post(
        "/api/v1/channels",
        json={"slug": "Bad Slug", "status": "nope", "translations": [{"language": "xx_1"}]},
        headers=account.headers,
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["slug"] == [
        "The slug may only contain lowercase letters, digits, underscores and hyphens."
    ]
    assert errors["status"] == ["The selected status is invalid."]
    assert "translations.0.language" in errors and "translations.0.title" in errors


async def test_422_reserved_and_taken_slug(client, account):
    r = await client.post(
        "/api/v1/channels", json=new_channel(slug="dashboard"), headers=account.headers
    )
    assert r.json()["errors"] == {"slug": ["The slug is reserved."]}
    r = await client.post(
        "/api/v1/channels", json=new_channel(slug="ada_blog"), headers=account.headers
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"slug": ["The slug has already been taken."]}


async def test_403_channel_limit(client, db):
    free = await make_account(db, "Cy", plan="free")
    r = await client.post("/api/v1/channels", json=new_channel(), headers=free.headers)
    assert r.status_code == 403
    assert (
        r.json()["message"] == "Your plan's channel limit (1) is reached. Upgrade to create more."
    )


async def test_403_scope(client, db):
    limited = await make_account(db, "Di", scopes="create")
    r = await client.post("/api/v1/channels", json=new_channel(), headers=limited.headers)
    assert r.status_code == 403
    assert r.json()["message"] == "This API key lacks the 'channels' scope."


async def test_200_patch_channel_merges_translations(client, account):
    r = await client.patch(
        "/api/v1/channels/ada_blog",
        json={"translations": [{"language": "ru", "title": "Блог"}], "status": "draft"},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "draft"
    assert [t["language"] for t in body["translations"]] == ["en", "ru"]
    r = await client.patch(
        "/api/v1/channels/ada_blog", json={"default_language": "ru"}, headers=account.headers
    )
    assert r.json()["default_language"] == "ru"
    assert [t["language"] for t in r.json()["translations"]] == ["ru", "en"]


async def test_422_patch_channel_slug_and_language(client, account):
    r = await client.patch(
        "/api/v1/channels/ada_blog", json={"slug": "other"}, headers=account.headers
    )
    assert r.json()["errors"] == {"slug": ["The slug cannot be changed."]}
    r = await client.patch(
        "/api/v1/channels/ada_blog", json={"default_language": "de"}, headers=account.headers
    )
    assert r.status_code == 422 and "default_language" in r.json()["errors"]


async def test_404_and_403_patch_channel(client, account, other):
    r = await client.patch("/api/v1/channels/nope", json={}, headers=account.headers)
    assert r.status_code == 404 and r.json()["message"] == "Channel not found."
    r = await client.patch("/api/v1/channels/bob_blog", json={}, headers=account.headers)
    assert r.status_code == 403
    assert r.json()["message"] == "You do not have access to this channel."


async def test_403_read_only_channel_over_plan_limit(client, db, account):
    await client.post("/api/v1/channels", json=new_channel(), headers=account.headers)
    await db.execute("UPDATE authors SET plan = 'free' WHERE id = $1", account.author_id)
    channels = (await client.get("/api/v1/channels", headers=account.headers)).json()["channels"]
    assert [(c["slug"], c["read_only"], c["can_write"]) for c in channels] == [
        ("ada_blog", False, True),
        ("winter_car_care", True, False),
    ]
    r = await client.patch("/api/v1/channels/winter_car_care", json={}, headers=account.headers)
    assert r.status_code == 403
    assert r.json()["message"] == "This channel is read-only because it is over your plan limit."


async def test_405_undefined_method(client, account):
    r = await client.delete("/api/v1/channels", headers=account.headers)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST"
    assert r.json() == {"message": "Method not allowed.", "errors": {}}


async def test_200_legacy_projects_alias(client, account):
    r = await client.get("/api/v1/projects", headers=account.headers)
    assert r.status_code == 200 and r.headers["deprecation"] == "true"
    assert r.headers["link"] == '</api/v1/channels>; rel="successor-version"'
    assert [c["slug"] for c in r.json()["channels"]] == ["ada_blog"]


async def test_429_after_too_many_failed_keys_from_one_address(client, account, settings):
    bad = {"Authorization": "Bearer hub_wrong"}
    for _ in range(settings.rate_failed_auth_per_ip):
        assert (await client.get("/api/v1/channels", headers=bad)).status_code == 401
    r = await client.get("/api/v1/channels", headers=bad)
    assert r.status_code == 429
    assert r.json()["message"].startswith("Too many requests. Retry after ")
    assert int(r.headers["retry-after"]) >= 1
    r = await client.get("/api/v1/channels", headers=account.headers)
    assert r.status_code == 429  # the address is blocked, whatever key it sends
    r = await client.get("/api/v1/channels")
    assert r.status_code == 401  # no key: nothing to guess, never 429


async def test_200_get_one_channel_with_etag(client, account):
    r = await client.get("/api/v1/channels/ada_blog", headers=account.headers)
    assert r.status_code == 200 and r.json()["slug"] == "ada_blog"
    assert r.headers["etag"].startswith('"c')
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"


async def test_404_unknown_path_headers(client, account):
    r = await client.get("/api/v1/projects/ada_blog/nothing", headers=account.headers)
    assert r.status_code == 404 and r.json() == {"message": "Not found.", "errors": {}}
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["deprecation"] == "true"
    assert r.headers["link"] == '</api/v1/channels/ada_blog/nothing>; rel="successor-version"'
    r = await client.get("/api/v1/channels/ada_blog/nothing", headers=account.headers)
    assert r.status_code == 404 and "deprecation" not in r.headers
