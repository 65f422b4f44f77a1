"""Sending (§2): which targets, remembering every target (update 1 and 2, delete 1), retries
and back-off, no endpoint, refused endpoints, own-node targets, and the hook that queues the
send job when an entry changes through the v1 API."""

from __future__ import annotations

import dataclasses
import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from arq import Retry

from hub.app import create_app
from hub.core.batches import batch_job_id
from hub.core.fetch import GuardedClient
from hub.core.queue import stage_jobs
from hub.webmentions import jobs as webmention_jobs
from hub.webmentions.send import batch as send_batch
from hub.webmentions.send import records as send_records
from hub.webmentions.send.sender import plan_sends, send_one
from hub.webmentions.verify.verifier import verify
from hub.worker import build_worker
from tests.factories import make_credential, make_entry
from tests.stubs import Answer, LoopbackOnly
from tests.webmentions.fixtures import entry_url, make_blog

SEND_BATCH = batch_job_id("send_webmentions")


def receiving(site, path: str) -> str:
    """A target page at `path` advertising an endpoint that accepts with 202."""
    site.routes[path] = Answer(
        "<title>T</title>", headers=[("Link", f"<{path}/wm>; rel=webmention")]
    )
    site.serve(f"{path}/wm", "ok", status=202, content_type="text/plain")
    return site.url(path)


async def sends(db, entry_id: int) -> dict[str, dict]:
    rows = await db.fetch("SELECT * FROM webmention_sends WHERE entry_id = $1", entry_id)
    return {r["target"]: dict(r) for r in rows}


async def run_all(resources, send_ids) -> None:
    for send_id in send_ids:
        await send_one(resources, send_id)


async def send_jobs(redis) -> list[float]:
    """The due times (ms) of the queued `send_webmentions` runs (a batched job)."""
    jobs = await redis.zrange("arq:queue", 0, -1, withscores=True)
    return [score for job, score in jobs if job.startswith(b"batch:send_webmentions:")]


def told(site, path: str) -> list:
    return site.posts(f"{path}/wm")


async def set_content(db, entry_id: int, html: str) -> None:
    await db.execute(
        "UPDATE entry_translations SET content_html = $2 WHERE entry_id = $1", entry_id, html
    )
    await db.execute("UPDATE entries SET version = version + 1 WHERE id = $1", entry_id)


async def test_targets_from_content_and_properties(wm_resources, db, site):
    a, b, c = (receiving(site, p) for p in ("/a", "/b", "/c"))
    blog = await make_blog(db)
    own = entry_url(blog, "note")
    content = (
        f'<p><a href="{a}#frag">a</a> <a href="{a}">again</a> <a href="mailto:x@y.example">m</a>'
        f' <a href="{own}?lang=fr">self</a> <a href="/relative">rel</a></p>'
    )
    properties = {"in-reply-to": [b], "like-of": [{"type": ["h-cite"], "properties": {"url": [c]}}]}
    entry_id = await make_entry(db, blog, "note", content_html=content, properties=properties)
    staged = await plan_sends(wm_resources, entry_id)
    assert set(await sends(db, entry_id)) == {a, b, c, "http://hub.test/relative"}
    assert len(staged) == 4
    await run_all(wm_resources, staged)
    rows = await sends(db, entry_id)
    assert all(rows[t]["status"] == "sent" for t in (a, b, c))
    assert rows[a]["source"] == own  # the primary language's one URL (issue 16)
    assert len(told(site, "/a")) == 1  # the duplicate link is one target
    assert rows["http://hub.test/relative"]["status"] == "failed"  # our node, no such page


async def test_unchanged_entry_sends_nothing_again(wm_resources, db, site):
    a = receiving(site, "/a")
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{a}">a</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    assert await plan_sends(wm_resources, entry_id) == []
    assert len(told(site, "/a")) == 1


async def test_update_sends_to_old_and_new_targets(wm_resources, db, site):
    a, b = receiving(site, "/a"), receiving(site, "/b")
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{a}">a</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    await set_content(db, entry_id, f'<a href="{a}">a</a> <a href="{b}">b</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    assert (len(told(site, "/a")), len(told(site, "/b"))) == (2, 1)


async def test_update_notifies_a_removed_link_once(wm_resources, db, site):
    a, b = receiving(site, "/a"), receiving(site, "/b")
    blog = await make_blog(db)
    entry_id = await make_entry(
        db, blog, "note", content_html=f'<a href="{a}">a</a><a href="{b}">b</a>'
    )
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    await set_content(db, entry_id, f'<a href="{b}">b only</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    rows = await sends(db, entry_id)
    assert rows[a]["linked"] is False and rows[a]["unlinked_at"] is not None
    assert rows[a]["removal_notified_at"] is not None
    assert len(told(site, "/a")) == 2
    assert await plan_sends(wm_resources, entry_id) == []  # told already
    await set_content(db, entry_id, f'<a href="{a}">a is back</a><a href="{b}">b</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    rows = await sends(db, entry_id)
    assert rows[a]["linked"] is True and rows[a]["removal_notified_at"] is None
    assert len(told(site, "/a")) == 3


async def test_delete_notifies_every_target_ever_linked(wm_resources, db, site):
    a, b = receiving(site, "/a"), receiving(site, "/b")
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{a}">a</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    await set_content(db, entry_id, f'<a href="{b}">b</a>')
    await run_all(wm_resources, await plan_sends(wm_resources, entry_id))
    await db.execute(
        "UPDATE entries SET status = 'deleted', deleted_at = now(), version = version + 1"
        " WHERE id = $1",
        entry_id,
    )
    staged = await plan_sends(wm_resources, entry_id)
    assert len(staged) == 1  # b; a already heard that the link is gone
    await run_all(wm_resources, staged)
    rows = await sends(db, entry_id)
    assert all(r["removal_notified_at"] is not None for r in rows.values())
    assert (len(told(site, "/a")), len(told(site, "/b"))) == (2, 2)
    assert await plan_sends(wm_resources, entry_id) == []


async def test_no_endpoint_is_recorded_and_not_retried(wm_resources, db, site):
    plain = site.serve("/plain", "<title>Plain</title><p>no endpoint</p>")
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{plain}">p</a>')
    [send_id] = await plan_sends(wm_resources, entry_id)
    result = await webmention_jobs.send_webmention(
        {"resources": wm_resources, "job_try": 1}, send_id
    )
    assert result == "no_endpoint"
    row = (await sends(db, entry_id))[plain]
    assert (row["status"], row["title"], row["next_attempt_at"]) == ("no_endpoint", "Plain", None)


async def test_5xx_is_retried_with_back_off_then_failed(wm_resources, db, site):
    target = site.serve("/t", "<title>T</title>", headers=[("Link", "</t/wm>; rel=webmention")])
    site.serve(
        "/t/wm", "down", status=503, content_type="text/plain", headers=[("Retry-After", "120")]
    )
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{target}">t</a>')
    [send_id] = await plan_sends(wm_resources, entry_id)
    ctx = {"resources": wm_resources, "job_try": 1}
    with pytest.raises(Retry) as retry:
        await webmention_jobs.send_webmention(ctx, send_id)
    assert retry.value.defer_score == 120_000  # Retry-After over the 60 s step
    row = (await sends(db, entry_id))[target]
    assert row["status"] == "pending" and row["last_http_status"] == 503
    assert row["attempts"] == 1 and row["next_attempt_at"] is not None
    with pytest.raises(Retry) as retry:
        await webmention_jobs.send_webmention({**ctx, "job_try": 2}, send_id)
    assert retry.value.defer_score == 600_000
    assert await webmention_jobs.send_webmention({**ctx, "job_try": 6}, send_id) == "failed"
    assert (await sends(db, entry_id))[target]["status"] == "failed"


async def test_4xx_is_a_permanent_failure(wm_resources, db, site):
    target = site.serve("/t", "<title>T</title>", headers=[("Link", "</t/wm>; rel=webmention")])
    site.serve("/t/wm", "no", status=400, content_type="text/plain")
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{target}">t</a>')
    [send_id] = await plan_sends(wm_resources, entry_id)
    assert (await send_one(wm_resources, send_id)).status == "failed"
    row = (await sends(db, entry_id))[target]
    assert row["last_http_status"] == 400 and "400" in row["last_error"]


async def test_a_private_endpoint_counts_as_none_and_is_never_contacted(wm_resources, db, site):
    target = site.serve(
        "/t", "<title>T</title>", headers=[("Link", "<http://10.0.0.1/wm>; rel=webmention")]
    )
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{target}">t</a>')
    [send_id] = await plan_sends(wm_resources, entry_id)
    net = LoopbackOnly()
    async with GuardedClient(allow_loopback=True, backend=net) as guarded:
        delivery = await send_one(dataclasses.replace(wm_resources, fetcher=guarded), send_id)
    assert delivery.status == "no_endpoint" and "endpoint_refused" in delivery.error
    assert net.connected == ["127.0.0.1"]


async def test_own_node_mentions_are_received_and_verified_without_http(wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "target")
    entry_id = await make_entry(
        db, blog, "reply", content_html="<p>Well said.</p>",
        properties={"in-reply-to": [entry_url(blog, "target")]},
    )  # fmt: skip
    [send_id] = await plan_sends(wm_resources, entry_id)
    delivery = await send_one(wm_resources, send_id)
    assert delivery.status == "sent" and delivery.endpoint == "internal"
    [mention] = await db.fetch("SELECT * FROM webmentions")
    assert mention["source"] == entry_url(blog, "reply")
    assert mention["target"] == entry_url(blog, "target") and mention["status"] == "queued"
    net = LoopbackOnly()
    async with GuardedClient(allow_loopback=True, backend=net) as guarded:
        resources = dataclasses.replace(
            wm_resources, fetcher=guarded, own_site=create_app(wm_resources.settings, wm_resources)
        )
        await verify(resources, mention["id"])
    assert net.connected == []  # no socket: the source page came from the app in process
    mention = await db.fetchrow("SELECT * FROM webmentions WHERE id = $1", mention["id"])
    assert mention["status"] == "approved", mention["error"]
    assert mention["type"] == "reply" and "Well said." in mention["content_text"]


async def test_the_worker_runs_the_whole_chain(wm_resources, db, site):
    a = receiving(site, "/a")
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "note", content_html=f'<a href="{a}">a</a>')
    await stage_send(db, entry_id, datetime.now(UTC))
    await wm_resources.redis.enqueue_job("send_webmentions", entry_id)
    worker = build_worker(wm_resources, burst=True, poll_delay=0.05)
    await worker.main()
    await worker.close()
    assert (await sends(db, entry_id))[a]["status"] == "sent"
    assert len(told(site, "/a")) == 1


async def test_201_v1_publish_queues_the_send_job(wm_resources, db, wm_client):
    blog = await make_blog(db)
    key = await make_credential(db, blog.author_id, kind="api_key")
    body = {
        "slug": "hello",
        "default_language": "en",
        "status": "published",
        "translations": [
            {"language": "en", "title": "Hi", "content_markdown": "See [x](https://x.example/)."}
        ],
    }
    r = await wm_client.post(
        f"/api/v1/channels/{blog.channel}/pages", json=body,
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'hello'")
    # queued after the commit; the outbox row only waits as a safety net (never due now)
    assert await db.fetchval("SELECT count(*) FROM job_outbox WHERE sweep_after <= now()") == 0
    [score] = await send_jobs(wm_resources.redis)  # the publishing request queued the send job
    assert score / 1000 > time.time() + 20  # deferred about 30 s (R-W15)
    staged = "SELECT args FROM job_outbox WHERE function = 'send_webmentions'"
    assert await db.fetchval(staged) == [entry_id]


async def test_201_micropub_create_and_delete_queue_the_send_job(wm_resources, db, wm_client):
    """Sending starts from any API: Micropub too (§2.1), on publish and again on delete."""
    blog = await make_blog(db)
    secret = await make_credential(
        db, blog.author_id, kind="app_token", scopes=["create", "delete"]
    )
    auth = {"Authorization": f"Bearer {secret}"}
    redis = wm_resources.redis
    r = await wm_client.post(
        "/micropub", headers=auth,
        data={"h": "entry", "content": "Agreed.", "in-reply-to": "https://x.example/post"},
    )  # fmt: skip
    assert r.status_code in (201, 202), r.text
    [score] = await send_jobs(redis)  # publishing queued the send job
    assert score / 1000 > time.time() + 20  # R-W15
    await redis.flushdb()  # as if the job had run
    r = await wm_client.post(
        "/micropub", headers=auth, data={"action": "delete", "url": r.headers["location"]}
    )
    assert r.status_code in (200, 204), r.text
    assert len(await send_jobs(redis)) == 1, "deleting queued the send job again"


@pytest.mark.parametrize("record_every", [1, 64])  # attempts written one by one, or at the end
async def test_send_job_makes_first_attempts_and_queues_only_retries(
    wm_resources, db, site, monkeypatch, record_every
):
    monkeypatch.setattr(send_records, "RECORD_EVERY", record_every)
    """The entry's job tells every target at once; only a target to retry gets a job of its
    own (due at its retry time), and it continues the attempt count."""
    ok = receiving(site, "/ok")
    down = site.serve("/down", "<title>D</title>",
                      headers=[("Link", "</down/wm>; rel=webmention")])  # fmt: skip
    site.serve("/down/wm", "down", status=503, content_type="text/plain")
    blog = await make_blog(db)
    html = f'<a href="{ok}">ok</a> <a href="{down}">down</a>'
    entry_id = await make_entry(db, blog, "note", content_html=html)
    ctx = {"resources": wm_resources, "job_try": 1}
    await stage_send(db, entry_id, datetime.now(UTC))
    assert await webmention_jobs.send_webmentions(ctx, entry_id) == "1 pending, 1 sent"
    rows = await sends(db, entry_id)
    assert rows[ok]["status"] == "sent" and len(told(site, "/ok")) == 1
    assert (rows[down]["status"], rows[down]["attempts"]) == ("pending", 1)
    redis = wm_resources.redis
    assert await redis.exists(f"arq:job:send_webmention:{rows[down]['id']}")
    assert not await redis.exists(f"arq:job:send_webmention:{rows[ok]['id']}")
    staged = "SELECT count(*) FROM job_outbox WHERE function = 'send_webmention'"
    assert await db.fetchval(staged) == 0
    with pytest.raises(Retry) as retry:  # the retry job's first run is the second attempt
        await webmention_jobs.send_webmention(ctx, rows[down]["id"])
    assert retry.value.defer_score == 600_000
    assert (await sends(db, entry_id))[down]["attempts"] == 2


async def stage_send(db, entry_id: int, due: datetime) -> None:
    """The send row the entries core stages when an entry changes (a batched job)."""
    async with db.acquire() as conn:
        await stage_jobs(conn, [("send_webmentions", [entry_id], SEND_BATCH, due)])


async def test_a_run_sends_every_due_entry_and_leaves_the_waiting_ones(wm_resources, db, site):
    a, b, c = (receiving(site, p) for p in ("/a", "/b", "/c"))
    blog = await make_blog(db)
    now = datetime.now(UTC)
    entries = {}
    for path, url, due in (("/a", a, -2), ("/b", b, -1), ("/c", c, 30)):
        entries[path] = await make_entry(db, blog, f"note{path[1]}",
                                         content_html=f'<a href="{url}">x</a>')  # fmt: skip
        await stage_send(db, entries[path], now + timedelta(seconds=due))
    ctx = {"resources": wm_resources, "job_try": 1}
    assert await webmention_jobs.send_webmentions(ctx) == "2 sent"
    assert len(told(site, "/a")) == len(told(site, "/b")) == 1 and told(site, "/c") == []
    left = await db.fetchval("SELECT array_agg(args->>0) FROM job_outbox")
    assert left == [str(entries["/c"])]  # the waiting row stays for its run ...
    [job] = await wm_resources.redis.queued_jobs()  # ... queued for its time
    assert job.function == "send_webmentions" and job.score / 1000 > time.time() + 25


async def test_a_run_taken_again_sends_only_what_was_not_sent(wm_resources, db, site):
    """A run that crashed or lost its commit mid-way leaves its rows: the run that takes them
    again sends what was still pending and nothing recorded as sent."""
    a, b = receiving(site, "/a"), receiving(site, "/b")
    blog = await make_blog(db)
    html = f'<a href="{a}">a</a> <a href="{b}">b</a>'
    entry_id = await make_entry(db, blog, "note", content_html=html)
    planned = await plan_sends(wm_resources, entry_id, stage=False)
    await send_one(wm_resources, planned[0])  # the first run sent one, then died
    await stage_send(db, entry_id, datetime.now(UTC))
    ctx = {"resources": wm_resources, "job_try": 1}
    assert await webmention_jobs.send_webmentions(ctx) == "1 sent"
    assert len(told(site, "/a")) == len(told(site, "/b")) == 1
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
    await stage_send(db, entry_id, datetime.now(UTC))  # its commit was lost: taken once more
    assert await webmention_jobs.send_webmentions(ctx) == ""
    assert len(told(site, "/a")) == len(told(site, "/b")) == 1


async def test_a_run_takes_batch_after_batch_while_they_come_full(
    wm_resources, db, site, monkeypatch
):
    """A backlog is sent by one run, batch after batch, not one batch a second."""
    monkeypatch.setattr(send_batch, "SEND_BATCH", 2)
    blog = await make_blog(db)
    now = datetime.now(UTC)
    for n in range(5):
        url = receiving(site, f"/p{n}")
        entry_id = await make_entry(db, blog, f"note{n}", content_html=f'<a href="{url}">x</a>')
        await stage_send(db, entry_id, now)
    ctx = {"resources": wm_resources, "job_try": 1}
    assert await webmention_jobs.send_webmentions(ctx) == "5 sent"
    assert all(len(told(site, f"/p{n}")) == 1 for n in range(5))
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
    # only the first full batch queued a run (for the second run slot), not every batch
    assert [job.function for job in await wm_resources.redis.queued_jobs()] == ["send_webmentions"]


async def test_an_entry_that_cannot_be_planned_leaves_the_others_to_be_sent(
    wm_resources, db, site, caplog
):
    """Planned together, one entry's failure (here a link too long for the index) would
    stop the run's others: they are planned one by one then, and only that one is dropped."""
    ok = receiving(site, "/ok")
    blog = await make_blog(db)
    long_url = site.url("/" + "".join(secrets.token_hex(4) + "/" for _ in range(1200)))
    good = await make_entry(db, blog, "good", content_html=f'<a href="{ok}">ok</a>')
    bad = await make_entry(db, blog, "bad", content_html=f'<a href="{long_url}">long</a>')
    now = datetime.now(UTC)
    await stage_send(db, good, now)
    await stage_send(db, bad, now)
    ctx = {"resources": wm_resources, "job_try": 1}
    assert await webmention_jobs.send_webmentions(ctx) == "1 sent"
    assert len(told(site, "/ok")) == 1
    assert f"webmentions of entry {bad} not planned" in caplog.text
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
