"""Fixtures of the delivery tests: `inboxes`, a stub server on 127.0.0.1 (`tests/stubs.py`)
standing for the followers' servers (every inbox answers 202 unless a test routes it
otherwise); followers stored for it; the worker run in burst until the queue is empty, with
the deferred reactions of an entry change made due at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from hub.core.federation import keys, signatures
from hub.core.queue import flush_outbox
from hub.worker import build_worker
from tests.stubs import Answer, Hit, StubServer, running_server


@pytest.fixture
def inboxes() -> Iterator[StubServer]:
    with running_server("application/activity+json") as server:
        server.fallback = lambda hit: Answer(b"", 202)
        yield server


async def add_follower(
    db,
    channel_id: int,
    server: StubServer,
    name: str,
    *,
    shared: str | None = "/inbox",
    status: str = "accepted",
) -> int:
    """A remote actor `name` on `server` following `channel_id`: its inbox
    `/users/{name}/inbox`, its shared inbox `shared` (None: none). Returns the actor's id."""
    uri = server.url(f"/users/{name}")
    actor_id = await db.fetchval(
        """
        INSERT INTO ap_actors (uri, host, domain, type, inbox, shared_inbox, preferred_username)
        VALUES ($1, $2, $2, 'Person', $3, $4, $5) RETURNING id
        """,
        uri,
        urlsplit(uri).hostname,
        f"{uri}/inbox",
        server.url(shared) if shared else None,
        name,
    )
    await db.execute(
        "INSERT INTO ap_followers (channel_id, actor_id, status, follow_id, accepted_at)"
        " VALUES ($1, $2, $3, $4, CASE WHEN $3 = 'accepted' THEN now() END)",
        channel_id,
        actor_id,
        status,
        f"{uri}#follows/1",
    )
    return actor_id


async def run_jobs(resources) -> None:
    """Queue what the outbox holds (the outbox sweep's work), make every queued job and every
    staged row due now (an entry change defers its reactions; a batched run takes only the rows
    that are due) and run the worker until the queue is empty."""
    redis = resources.redis
    await resources.pool.execute(
        "UPDATE job_outbox SET defer_until = now() WHERE defer_until > now()"
    )
    await flush_outbox(resources.pool, redis)
    queued = await redis.zrange(redis.default_queue_name, 0, -1)
    if queued:
        await redis.zadd(redis.default_queue_name, dict.fromkeys(queued, time.time() * 1000))
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


async def verify_signed(db, channel_id: int, hit: Hit) -> None:
    """Raise unless `hit` is signed by the channel's key (draft-cavage, Digest, Date)."""
    public_pem = (await keys.channel_key(db, channel_id)).public_pem
    headers = {name.lower(): value for name, value in hit.headers.items()}
    signature = signatures.parse(headers["signature"])
    signatures.verify(
        signature, method=hit.method, target=hit.path, headers=headers, body=hit.body,
        public_pem=public_pem,
    )  # fmt: skip
