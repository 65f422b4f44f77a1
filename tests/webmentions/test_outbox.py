"""The accept path's job hand-off (docs/decisions/0003): one statement stores the mention and
stages its verify job as a claimed outbox row, the request queues the job itself right after,
and the row is the safety net the sweep uses when the process died in between."""

from __future__ import annotations

import asyncio
import dataclasses

from hub.core.queue import enqueue, enqueue_many, flush_outbox, stage_job
from hub.core.webmentions.accept import Lookup, Mention, accept
from hub.webmentions.receive import VERIFY_JOB, verify_job_id
from hub.worker import build_worker
from tests.factories import make_entry
from tests.webmentions.fixtures import app_client, entry_url, make_blog

WM = "/api/webmentions"


def reply_page(target: str) -> str:
    return (
        '<!doctype html><title>Re</title><article class="h-entry">'
        f'<a class="u-in-reply-to" href="{target}">re</a>'
        '<div class="e-content">Nice.</div></article>'
    )


async def outbox_rows(db) -> int:
    return await db.fetchval("SELECT count(*) FROM job_outbox")


async def queued_ids(redis) -> set[str]:
    return {job.job_id for job in await redis.queued_jobs()}


async def test_201_a_burst_of_receipts_queues_every_job_and_keeps_each_row_for_its_job(
    wm_client, wm_resources, db
):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    target = entry_url(blog, "first")
    answers = await asyncio.gather(
        *(
            wm_client.post(WM, data={"source": f"https://s{n}.example/p", "target": target})
            for n in range(40)
        )
    )
    assert {r.status_code for r in answers} == {201}
    ids = {r.json()["id"] for r in answers}
    assert len(ids) == 40
    # queued when the answer was sent, not later
    assert await queued_ids(wm_resources.redis) == {verify_job_id(i) for i in ids}
    # each row stays until its verify job is done with it (decision 0007), and is not due
    assert await outbox_rows(db) == 40
    assert await flush_outbox(db, wm_resources.redis) == 0


async def test_400_a_refused_receipt_stores_and_stages_nothing(wm_client, wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "draft", status="draft")
    r = await wm_client.post(
        WM, data={"source": "https://a.example/p", "target": entry_url(blog, "draft")}
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "target does not accept webmentions"}
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 0
    assert await outbox_rows(db) == 0
    assert await wm_resources.redis.queued_jobs() == []


async def test_429_a_full_target_stages_nothing(wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    settings = dataclasses.replace(wm_resources.settings, webmention_max_queued=1)
    async for client in app_client(dataclasses.replace(wm_resources, settings=settings)):
        target = entry_url(blog, "first")
        first = await client.post(WM, data={"source": "https://a.example/1", "target": target})
        assert first.status_code == 201
        second = await client.post(WM, data={"source": "https://a.example/2", "target": target})
        assert second.status_code == 429 and int(second.headers["retry-after"]) > 0
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 1
    assert len(await wm_resources.redis.queued_jobs()) == 1
    assert await outbox_rows(db) == 1  # the accepted one's, until its job is done


async def test_a_job_whose_process_died_before_queueing_is_queued_by_the_sweep(
    wm_resources, db, site
):
    """The request committed, then died before it reached Redis: the claimed outbox row is
    left alone by flushes until `sweep_after`, then the sweep queues it and the worker
    verifies the mention."""
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    target = entry_url(blog, "first")
    source = site.serve("/reply", reply_page(target))
    mention = Mention(
        id="m" * 22, source=source, target=target, source_norm=source,
        target_norm=f"//hub.test/{blog.channel}/first", source_host="127.0.0.1",
        source_domain="127.0.0.1", target_lang=None, blocked=False,
        block_domains=["127.0.0.1"], sender_ip_hash=None, max_waiting=0,
        job_function=VERIFY_JOB, job_id_prefix=verify_job_id(""),
    )  # fmt: skip
    async with db.acquire() as conn:
        row = await accept(conn, Lookup(blog.channel, None, "first"), mention)
    assert row["mention_id"] == "m" * 22 and row["outbox_id"] is not None
    # ... and the process dies here: nothing reaches Redis
    assert await flush_outbox(db, wm_resources.redis) == 0  # not due yet: its stager queues it
    assert await wm_resources.redis.queued_jobs() == []
    await db.execute("UPDATE job_outbox SET sweep_after = now() - interval '1 second'")
    assert await flush_outbox(db, wm_resources.redis) == 1  # the sweep, a minute later
    assert await queued_ids(wm_resources.redis) == {verify_job_id("m" * 22)}
    worker = build_worker(wm_resources, burst=True, poll_delay=0.05)
    await worker.main()
    await worker.close()
    status = await db.fetchval("SELECT status FROM webmentions WHERE id = $1", "m" * 22)
    assert status == "approved"
    assert await outbox_rows(db) == 0


async def test_enqueue_many_keeps_arqs_rules(wm_resources, db):
    redis = wm_resources.redis
    assert await enqueue(redis, "sweep_outbox", job_id="one")
    jobs = [
        ("sweep_outbox", [], "one", None),  # already queued: skipped
        ("sweep_outbox", [], "two", None),
        ("sweep_outbox", [], None, None),  # no id: a fresh one
    ]
    assert await enqueue_many(redis, jobs) == 2
    queued = await redis.queued_jobs()
    assert len(queued) == 3 and {"one", "two"} <= {j.job_id for j in queued}
    assert {j.function for j in queued} == {"sweep_outbox"}


async def test_ordinary_staged_jobs_are_flushed_at_once_and_claimed_ones_are_not(wm_resources, db):
    async with db.acquire() as conn, conn.transaction():
        await stage_job(conn, "sweep_outbox", job_id="ordinary")
        await stage_job(conn, "sweep_outbox", job_id="claimed", claimed=True)
    assert await flush_outbox(db, wm_resources.redis) == 1
    assert await queued_ids(wm_resources.redis) == {"ordinary"}
    assert await flush_outbox(db, wm_resources.redis) == 0  # the flushed one is leased now
    assert await queued_ids(wm_resources.redis) == {"ordinary"}
