"""Sending politely (§2.4): at most 2 concurrent webmention requests per host, whatever the
number of sends running, against a slow local receiver that counts requests in flight."""

from __future__ import annotations

import asyncio
import threading
import time

from hub.webmentions.send.sender import plan_sends, send_one
from tests.factories import make_entry
from tests.stubs import Answer, Hit
from tests.webmentions.fixtures import make_blog


class SlowReceiver:
    """Every target page advertises an endpoint; each request takes `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __call__(self, hit: Hit) -> Answer:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        path = hit.path.split("?")[0]
        if hit.method == "POST":
            return Answer("ok", status=202, content_type="text/plain")
        return Answer("<title>T</title>", headers=[("Link", f"<{path}/wm>; rel=webmention")])


async def test_at_most_two_requests_per_host_at_once(wm_resources, db, site):
    receiver = SlowReceiver(delay=0.3)
    targets = []
    for n in range(6):
        site.routes[f"/t{n}"] = site.routes[f"/t{n}/wm"] = receiver
        targets.append(site.url(f"/t{n}"))
    blog = await make_blog(db)
    links = "".join(f'<a href="{t}">{n}</a>' for n, t in enumerate(targets))
    entry_id = await make_entry(db, blog, "note", content_html=f"<p>{links}</p>")
    staged = await plan_sends(wm_resources, entry_id)
    assert len(staged) == 6
    results = await asyncio.gather(*(send_one(wm_resources, s) for s in staged))
    assert [r.status for r in results] == ["sent"] * 6
    assert len(site.posts()) == 6
    assert receiver.most == 2  # two at a time: never more, and not one by one either
    assert await wm_resources.redis.get("hub:webmention:host:127.0.0.1") in (None, b"0", "0")


def test_an_endpoint_on_the_target_host_is_told_under_the_same_slot():
    from hub.webmentions.send.politeness import same_host

    assert same_host("http://a.example/post", "http://a.example/webmention")
    assert not same_host("http://a.example/post", "http://b.example/webmention")
    assert not same_host("http://a.example/post", "not a url")
