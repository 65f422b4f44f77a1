"""Responses and links made through Micropub (micropub-resolved.md §3.2, §3.5): `in-reply-to`
as a URL or a nested h-cite, `like-of`, `repost-of`, `bookmark-of`, `syndication` and
`location` are stored verbatim, drive post type discovery, come back from `q=source` and show
on the public page (parsed back with mf2py)."""

from __future__ import annotations

import mf2py

from tests.micropub.conftest import entry_row, source

MP = "/micropub"


async def _create(client, token, properties: dict) -> str:
    r = await client.post(
        MP, json={"type": ["h-entry"], "properties": properties}, headers=token.headers
    )
    assert r.status_code == 201, r.text
    return r.headers["location"]


async def _shown(client, url: str) -> dict:
    page = await client.get(url)
    assert page.status_code == 200
    items = mf2py.parse(doc=page.text, url=url)["items"]
    [entry] = [i for i in items if "h-entry" in i["type"]]
    return entry["properties"]


async def test_201_reply_with_a_nested_h_cite(client, db, token):
    cite = {
        "type": ["h-cite"],
        "properties": {
            "url": ["https://example.com/notes/1"],
            "name": ["A note worth answering"],
            "author": [{"type": ["h-card"], "properties": {"name": ["Bob"]}}],
        },
    }
    url = await _create(client, token, {"in-reply-to": [cite], "content": ["I agree."]})
    assert (await entry_row(db, url))["kind"] == "reply"
    assert (await source(client, token, url)).json()["properties"]["in-reply-to"] == [cite]
    [shown] = (await _shown(client, url))["in-reply-to"]
    assert shown["properties"]["url"] == ["https://example.com/notes/1"]


async def test_201_like_repost_bookmark_show_their_target(client, db, token):
    for name, kind in (("like-of", "like"), ("repost-of", "repost"), ("bookmark-of", "bookmark")):
        target = f"https://example.com/{kind}"
        url = await _create(client, token, {name: [target]})
        assert (await entry_row(db, url))["kind"] == kind
        assert (await source(client, token, url)).json()["properties"][name] == [target]
        shown = (await _shown(client, url))[name]
        assert target in [v if isinstance(v, str) else v.get("url", [v.get("value")])[0]
                          for v in shown], (name, shown)  # fmt: skip


async def test_201_syndication_and_location_kept_and_shown(client, token):
    properties = {
        "content": ["Posted elsewhere too"],
        "syndication": ["https://social.example/@ada/1"],
        "location": [
            {"type": ["h-geo"], "properties": {"latitude": ["52.5"], "longitude": ["13.4"]}}
        ],
    }
    url = await _create(client, token, properties)
    props = (await source(client, token, url)).json()["properties"]
    assert props["syndication"] == properties["syndication"]
    assert props["location"] == properties["location"]
    assert (await _shown(client, url))["syndication"] == ["https://social.example/@ada/1"]


async def test_400_reply_to_something_that_is_not_a_url(client, db, token):
    for value in ("not a url", {"type": ["h-cite"], "properties": {"name": ["no url"]}}):
        r = await client.post(
            MP,
            json={"type": ["h-entry"], "properties": {"in-reply-to": [value], "content": ["x"]}},
            headers=token.headers,
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", value
    assert await db.fetchval("SELECT count(*) FROM entries") == 0
