"""`POST /api/xml-rpc/ping` (4.13): weblogUpdates pings pull a known site's next poll forward."""

from __future__ import annotations

from hub.directory import service
from tests.directory import FIXTURES

PING = """<?xml version="1.0"?>
<methodCall><methodName>{method}</methodName><params>{params}</params></methodCall>"""


def call(method: str, *values: str) -> bytes:
    params = "".join(f"<param><value><string>{v}</string></value></param>" for v in values)
    return PING.format(method=method, params=params).encode()


async def post(client, body: bytes):
    return await client.post(
        "/api/xml-rpc/ping",
        content=body,
        headers={"Content-Type": "text/xml", "Accept": "text/xml"},
    )


async def queued_polls(resources) -> list[bytes]:
    return [j for j in await resources.redis.zrange("arq:queue", 0, -1) if j.startswith(b"poll_")]


async def test_200_ping_of_a_known_site_queues_its_poll_once_per_5_minutes(
    client, db, resources, feed_server
):
    url = feed_server.serve_file("/feed.xml", FIXTURES / "rss20.xml")
    added = await service.add_site(resources, url)
    await resources.redis.flushdb()  # forget the jobs add_site queued
    r = await post(client, call("weblogUpdates.ping", "Orchard", "https://orchard.example/"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    assert "<name>flerror</name><value><boolean>0</boolean>" in r.text
    assert "Thanks for the ping." in r.text
    assert await queued_polls(resources) == [f"poll_feed:{added.feed_ids[0]}".encode()]
    await resources.redis.delete("arq:queue", f"arq:job:poll_feed:{added.feed_ids[0]}")
    r = await post(client, call("weblogUpdates.extendedPing", "Orchard", "https://x.example/",
                                "https://x.example/changes", url))  # fmt: skip
    assert "<boolean>0</boolean>" in r.text  # the feed URL names the site
    assert await queued_polls(resources) == []  # but it was pinged less than 5 minutes ago


async def test_200_faults_for_unknown_site_and_bad_calls(client, db):
    r = await post(client, call("weblogUpdates.ping", "Who", "https://unknown.example/"))
    assert "<boolean>1</boolean>" in r.text and "Unknown site; submit it first." in r.text
    r = await post(client, call("system.listMethods"))
    assert "<fault>" in r.text and "<int>-32601</int>" in r.text
    r = await post(client, b"<methodCall><methodName>weblogUpdates.ping")
    assert r.status_code == 200 and "<fault>" in r.text and "<int>-32700</int>" in r.text
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<methodCall><methodName>weblogUpdates.ping</methodName><params><param><value>"
        b"&b;</value></param></params></methodCall>"
    )
    r = await post(client, laughs)
    assert "<fault>" in r.text and "DOCTYPE" in r.text
    r = await post(client, "<methodCall/>".encode("utf-16"))
    assert "<fault>" in r.text and "UTF-8" in r.text
