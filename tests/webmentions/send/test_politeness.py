"""Sending politely (§2.4): at most 2 concurrent webmention requests per host, whatever the
number of sends running (one by one or in a batched run's lanes), against a slow local
receiver that counts requests in flight; a sender's slot kept for one host at a time."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime

from hub.core.batches import batch_job_id
from hub.core.queue import stage_jobs
from hub.webmentions import jobs as webmention_jobs
from hub.webmentions.send.politeness import HeldSlot
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


async def test_a_batched_run_sends_two_at_a_time_to_a_host(wm_resources, db, site):
    """A run's lanes keep their host slot from one send to the next: still two requests at
    once to the host, never more, and every send told."""
    receiver = SlowReceiver(delay=0.1)
    blog = await make_blog(db)
    entry_ids = []
    for n in range(5):
        site.routes[f"/r{n}"] = site.routes[f"/r{n}/wm"] = receiver
        html = f'<a href="{site.url(f"/r{n}")}">{n}</a>'
        entry_ids.append(await make_entry(db, blog, f"note{n}", content_html=html))
    async with db.acquire() as conn:
        due = datetime.now(UTC)
        jobs = [("send_webmentions", [e], batch_job_id("send_webmentions"), due) for e in entry_ids]
        await stage_jobs(conn, jobs)
    ctx = {"resources": wm_resources, "job_try": 1}
    assert await webmention_jobs.send_webmentions(ctx) == "5 sent"
    assert len(site.posts()) == 5
    assert receiver.most == 2
    assert await wm_resources.redis.get("hub:webmention:host:127.0.0.1") in (None, b"0", "0")


async def test_a_sender_keeps_its_slot_for_one_host_and_gives_it_up_for_another(wm_resources):
    redis = wm_resources.redis

    async def taken(host: str) -> int:
        return int(await redis.get(f"hub:webmention:host:{host}") or 0)

    slot = HeldSlot(wm_resources)
    await slot.hold("http://a.example/post")
    await slot.hold("http://a.example/webmention")  # the endpoint on the target's host
    assert (await taken("a.example"), await taken("b.example")) == (1, 0)
    await slot.hold("http://b.example/webmention")  # never two slots held at once
    assert (await taken("a.example"), await taken("b.example")) == (0, 1)
    await slot.release()
    assert (await taken("a.example"), await taken("b.example")) == (0, 0)
    await slot.release()  # nothing held: nothing to do
