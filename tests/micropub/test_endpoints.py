"""`/micropub`: transport, authentication, scopes, validation and queries, by status."""

from __future__ import annotations

MP = "/micropub"
NOTE = {"type": ["h-entry"], "properties": {"content": ["Hello **world**"]}}


# --- 201 / 204: valid writes are stored (details in test_create.py, test_edit.py) -------


async def test_201_valid_json_create(client, token):
    r = await client.post(MP, json=NOTE, headers=token.headers)
    assert r.status_code == 201
    assert r.headers["location"].startswith("http://hub.test/ada-blog/")


async def test_201_form_create_with_token_in_body(client, token):
    r = await client.post(MP, data={"h": "entry", "content": "x", "access_token": token.secret})
    assert r.status_code == 201


async def test_201_form_create_with_charset_parameter(client, token):
    r = await client.post(
        MP,
        content=b"h=entry&content=caf%C3%A9&category[]=a&category[]=b",
        headers={
            **token.headers,
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        },
    )
    assert r.status_code == 201


async def test_201_multipart_create_with_photo_files(client, token, image):
    r = await client.post(
        MP,
        data={"h": "entry", "content": "two photos"},
        files=[
            ("photo[]", ("a.jpg", image(), "image/jpeg")),
            ("photo[]", ("b.png", image("png"), "image/png")),
        ],
        headers=token.headers,
    )
    assert r.status_code == 201


async def test_201_draft_only_token_may_create(client, make_token):
    draft = await make_token(["draft"])
    r = await client.post(MP, json=NOTE, headers=draft.headers)
    assert r.status_code == 201
    assert "/dashboard/posts/" in r.headers["location"]


async def test_204_delete_and_undelete(client, token, make_token):
    location = (await client.post(MP, json=NOTE, headers=token.headers)).headers["location"]
    deleter = await make_token(["delete"])
    for action in ("delete", "undelete"):
        r = await client.post(MP, data={"action": action, "url": location}, headers=deleter.headers)
        assert r.status_code == 204


# --- 400 ------------------------------------------------------------------------------------


async def test_400_token_in_header_and_body(client, token):
    r = await client.post(
        MP, data={"h": "entry", "content": "x", "access_token": token.secret}, headers=token.headers
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


async def test_400_missing_content(client, token):
    r = await client.post(MP, data={"h": "entry", "category": "x"}, headers=token.headers)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_request", "error_description": "Missing content."}


async def test_400_unsupported_type(client, token):
    r = await client.post(
        MP, json={"type": ["h-card"], "properties": {"name": ["x"]}}, headers=token.headers
    )
    assert r.status_code == 400 and "h-entry" in r.json()["error_description"]


async def test_400_form_encoded_update(client, token):
    r = await client.post(
        MP, data={"action": "update", "url": "http://hub.test/x"}, headers=token.headers
    )
    assert r.status_code == 400


async def test_400_update_operation_not_an_array(client, token):
    body = {"action": "update", "url": "http://hub.test/x", "replace": "text"}
    r = await client.post(MP, json=body, headers=token.headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


async def test_400_update_without_url(client, token):
    r = await client.post(
        MP, json={"action": "update", "replace": {"name": ["x"]}}, headers=token.headers
    )
    assert r.status_code == 400


async def test_400_unparseable_published(client, token):
    body = {"type": ["h-entry"], "properties": {"content": ["x"], "published": ["soon"]}}
    r = await client.post(MP, json=body, headers=token.headers)
    assert r.status_code == 400 and "published" in r.json()["error_description"]


async def test_400_bad_post_status_and_visibility(client, token):
    for name, value in (("post-status", "pending"), ("visibility", "secret")):
        body = {"type": ["h-entry"], "properties": {"content": ["x"], name: [value]}}
        r = await client.post(MP, json=body, headers=token.headers)
        assert r.status_code == 400


async def test_400_unknown_destination(client, token):
    body = {**NOTE, "mp-destination": "https://elsewhere.example/"}
    r = await client.post(MP, json=body, headers=token.headers)
    assert r.status_code == 400


async def test_400_file_under_an_unknown_name(client, token, image):
    r = await client.post(
        MP,
        data={"h": "entry", "content": "x"},
        files={"attachment": ("a.jpg", image(), "image/jpeg")},
        headers=token.headers,
    )
    assert r.status_code == 400


async def test_400_non_utf8_form(client, token):
    r = await client.post(
        MP,
        content=b"h=entry&content=caf%E9",
        headers={**token.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400


async def test_400_declared_non_utf8_charset(client, token):
    r = await client.post(
        MP,
        content=b"h=entry&content=x",
        headers={
            **token.headers,
            "Content-Type": "application/x-www-form-urlencoded; charset=iso-8859-1",
        },
    )
    assert r.status_code == 400


async def test_400_malformed_json(client, token):
    r = await client.post(
        MP, content=b"{nope", headers={**token.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400


# --- 401 ------------------------------------------------------------------------------------


async def test_401_no_token(client, db):
    r = await client.post(MP, data={"h": "entry", "content": "x"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"
    assert r.headers["www-authenticate"] == 'Bearer realm="hub"'


async def test_401_unknown_token(client, db):
    r = await client.get(MP, params={"q": "config"}, headers={"Authorization": "Bearer hub_nope"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_401_token_in_query_string_is_not_accepted(client, token):
    r = await client.get(MP, params={"q": "config", "access_token": token.secret})
    assert r.status_code == 401


async def test_401_insufficient_scope_create_with_media_token(client, make_token):
    media_only = await make_token(["media"])
    r = await client.post(MP, data={"h": "entry", "content": "x"}, headers=media_only.headers)
    assert r.status_code == 401
    assert r.json()["error"] == "insufficient_scope"
    assert r.json()["scope"].split()[0] == "create"
    assert 'error="insufficient_scope"' in r.headers["www-authenticate"]


async def test_401_insufficient_scope_update_without_update(client, make_token):
    creator = await make_token(["create"])
    body = {"action": "update", "url": "http://hub.test/x", "add": {"category": ["a"]}}
    r = await client.post(MP, json=body, headers=creator.headers)
    assert r.status_code == 401 and r.json()["scope"] == "update"


async def test_401_insufficient_scope_query_with_token_without_micropub_scope(client, make_token):
    directory = await make_token(["directory"])
    r = await client.get(MP, params={"q": "config"}, headers=directory.headers)
    assert r.status_code == 401 and r.json()["error"] == "insufficient_scope"


async def test_401_insufficient_scope_source_with_media_token(client, make_token):
    media_only = await make_token(["media"])
    r = await client.get(
        MP, params={"q": "source", "url": "http://hub.test/x"}, headers=media_only.headers
    )
    assert r.status_code == 401 and r.json()["error"] == "insufficient_scope"


# --- 415, 405, 204 (CORS) ---------------------------------------------------------------------


async def test_415_unsupported_content_type(client, token):
    r = await client.post(
        MP, content=b"hello", headers={**token.headers, "Content-Type": "text/plain"}
    )
    assert r.status_code == 415
    assert r.json()["error"] == "invalid_request"


async def test_405_other_methods_name_the_allowed_ones(client, token):
    r = await client.put(MP, headers=token.headers)
    assert r.status_code == 405
    assert "POST" in r.headers["allow"] and r.json()["error"] == "invalid_request"


async def test_204_cors_preflight(client, db):
    r = await client.options(
        MP,
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "Authorization" in r.headers["access-control-allow-headers"]


async def test_cors_headers_on_answers_and_errors(client, token):
    ok = await client.get(MP, params={"q": "config"}, headers=token.headers)
    error = await client.get(MP, params={"q": "config"})
    for r in (ok, error):
        assert r.headers["access-control-allow-origin"] == "*"
        assert "Location" in r.headers["access-control-expose-headers"]


async def test_bare_and_slashed_paths_both_answer(client, token):
    for path in ("/micropub", "/micropub/"):
        r = await client.get(path, params={"q": "config"}, headers=token.headers)
        assert r.status_code == 200


# --- 429 ------------------------------------------------------------------------------------


async def test_429_writes_per_token(app_with, db, token, make_token):
    async with app_with(rate_micropub_writes=2) as http:
        statuses = [
            (await http.post(MP, json=NOTE, headers=token.headers)).status_code for _ in range(3)
        ]
        assert statuses == [201, 201, 429]
        r = await http.post(MP, json=NOTE, headers=token.headers)
        assert r.status_code == 429
        assert set(r.json()) == {"error", "error_description"}
        assert r.json()["error"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert await db.fetchval("SELECT count(*) FROM entries") == 2  # the 429s wrote nothing
        other = await make_token(author="Bob")  # the limit is per token
        assert (await http.post(MP, json=NOTE, headers=other.headers)).status_code == 201


async def test_429_failed_authentications_per_ip(app_with, token):
    async with app_with(rate_failed_auth_per_ip=2) as http:
        bad = {"Authorization": "Bearer hub_wrong"}
        statuses = [
            (await http.get(MP, params={"q": "config"}, headers=bad)).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 429]
        # the block holds for good tokens too, until the window passes
        r = await http.get(MP, params={"q": "config"}, headers=token.headers)
        assert r.status_code == 429


async def test_429_queries_per_token(app_with, token):
    async with app_with(rate_micropub_queries=1) as http:
        await http.get(MP, params={"q": "config"}, headers=token.headers)
        r = await http.get(MP, params={"q": "config"}, headers=token.headers)
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"
    assert 1 <= int(r.headers["retry-after"]) <= 60


# --- queries ----------------------------------------------------------------------------------


async def test_200_q_config(client, token):
    r = await client.get(MP, params={"q": "config"}, headers=token.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["media-endpoint"] == "http://hub.test/micropub/media"
    assert body["syndicate-to"] == []
    assert body["destination"] == [{"uid": "http://hub.test/ada-blog", "name": "Ada"}]
    assert set(body["q"]) == {"config", "source", "syndicate-to", "category", "post-types"}
    assert body["markdown"] is True and "draft" in body["post-status"]
    assert "null" not in r.text


async def test_200_q_config_with_media_only_token(client, make_token):
    media_only = await make_token(["media"])
    r = await client.get(MP, params={"q": "config"}, headers=media_only.headers)
    assert r.status_code == 200


async def test_200_q_syndicate_to(client, token):
    r = await client.get(MP, params={"q": "syndicate-to"}, headers=token.headers)
    assert r.status_code == 200 and r.json() == {"syndicate-to": []}


async def test_200_q_post_types(client, token):
    r = await client.get(MP, params={"q": "post-types"}, headers=token.headers)
    kinds = [t["type"] for t in r.json()["post-types"]]
    assert r.status_code == 200 and "note" in kinds and "event" in kinds


async def _entry_with_tags(db, token, slug, tags, *, deleted=False):
    entry_id = await db.fetchval(
        """
        INSERT INTO entries (channel_id, author_id, slug, default_language, created_via,
                             deleted_at, status)
        VALUES ($1, $2, $3, 'en', 'micropub', $4, $5) RETURNING id
        """,
        token.channel_id,
        token.author_id,
        slug,
        None if not deleted else __import__("datetime").datetime.now(__import__("datetime").UTC),
        "deleted" if deleted else "draft",
    )
    for position, name in enumerate(tags):
        await db.execute(
            "INSERT INTO entry_categories (entry_id, name, position) VALUES ($1, $2, $3)",
            entry_id,
            name,
            position,
        )


async def test_200_q_category_most_used_first_with_filter_and_paging(client, db, token):
    await _entry_with_tags(db, token, "a", ["Python", "rust"])
    await _entry_with_tags(db, token, "b", ["python", "Go"])
    await _entry_with_tags(db, token, "c", ["python"])
    await _entry_with_tags(db, token, "d", ["Hidden"], deleted=True)
    r = await client.get(MP, params={"q": "category"}, headers=token.headers)
    assert r.status_code == 200
    names = r.json()["categories"]
    assert names[0].lower() == "python" and set(names[1:]) == {"rust", "Go"}
    r = await client.get(MP, params={"q": "category", "filter": "US"}, headers=token.headers)
    assert r.json() == {"categories": ["rust"]}
    r = await client.get(
        MP, params={"q": "category", "limit": "1", "offset": "1"}, headers=token.headers
    )
    assert len(r.json()["categories"]) == 1


async def test_200_q_category_only_the_tokens_blog(client, db, token, make_token):
    other = await make_token(author="Bob")
    await _entry_with_tags(db, other, "x", ["secret"])
    r = await client.get(MP, params={"q": "category"}, headers=token.headers)
    assert r.json() == {"categories": []}


async def test_400_q_category_bad_paging(client, token):
    r = await client.get(MP, params={"q": "category", "limit": "many"}, headers=token.headers)
    assert r.status_code == 400


async def test_400_unknown_or_missing_q(client, token):
    for params in ({"q": "everything"}, {}):
        r = await client.get(MP, params=params, headers=token.headers)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


async def test_200_q_source_without_url_is_the_post_list(client, token):
    r = await client.get(MP, params={"q": "source"}, headers=token.headers)
    assert r.status_code == 200 and r.json() == {"items": []}


async def test_404_q_source_unknown_url(client, token):
    r = await client.get(
        MP, params={"q": "source", "url": "http://hub.test/ada-blog/nothing"}, headers=token.headers
    )
    assert r.status_code == 404 and r.json()["error"] == "not_found"
