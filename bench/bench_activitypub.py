"""ActivityPub delivery (issue 19): one post to 10,000 followers on 500 hosts.

The followers' servers are one local inbox server (a process of its own, so it does not share
our GIL) bound to 0.0.0.0: Linux routes all of 127.0.0.0/8 to the loopback interface, so host
number i answers at http://127.0.{i // 250}.{i % 250 + 1}:PORT, 500 hosts distinct by address.
Each host has `FOLLOWERS // HOSTS` followers with their own inboxes and one shared inbox. The
server counts the requests per shared inbox and those without a Signature or Digest header.

1. hub: a `hub worker` process (the same worker, in burst mode) runs the post's fan-out job;
   the fan-out queues one delivery per shared inbox, each delivered by its own job (signed,
   host slot, guarded client, outcome recorded). Prints the time to deliver all, the requests
   per shared inbox (must be 1) and the worker's peak memory (RSS).
2. Ceiling: a bare httpx loop in one process that signs the same stored activity for each of
   the same 500 inboxes and posts it, at the worker's concurrency (20 jobs at once).
Prints both times and the ratio (ceiling time / hub time). `BENCH_FOLLOWERS` and
`BENCH_HOSTS` change the scale.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import uvicorn
from _services import bench_settings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.core.authors import create_author
from hub.core.federation import keys, signatures
from hub.core.queue import enqueue
from hub.core.resources import open_resources
from hub.worker import build_worker

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "10000"))
HOSTS = int(os.environ.get("BENCH_HOSTS", "500"))
CONCURRENCY = 20  # the worker's max_jobs (hub.worker.build_worker's default)
KEY_ID = "http://hub.test/bench_blog#main-key"


def host(i: int) -> str:
    return f"127.0.{i // 250}.{i % 250 + 1}"


def inbox_app() -> Starlette:
    shared: collections.Counter[str] = collections.Counter()
    personal = collections.Counter()
    unsigned = collections.Counter()

    async def receive(request: Request) -> Response:
        await request.body()
        if "signature" not in request.headers or "digest" not in request.headers:
            unsigned["requests"] += 1
        where = request.headers.get("host", "")
        (shared if request.url.path == "/inbox" else personal)[where] += 1
        return Response(status_code=202)

    async def stats(request: Request) -> Response:
        return JSONResponse(
            {
                "shared": dict(shared),
                "personal": sum(personal.values()),
                "unsigned": unsigned["requests"],
            }
        )

    async def reset(request: Request) -> Response:
        shared.clear(), personal.clear(), unsigned.clear()
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/inbox", receive, methods=["POST"]),
            Route("/users/{n}/inbox", receive, methods=["POST"]),
            Route("/_stats", stats),
            Route("/_reset", reset, methods=["POST"]),
        ]
    )


def serve_inboxes(port: int) -> None:
    uvicorn.run(inbox_app(), host="0.0.0.0", port=port, log_level="error")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


async def setup(settings, port: int) -> tuple[int, int]:
    """The blog, its published post and its followers; returns (channel id, entry id)."""
    async with open_resources(settings) as resources, resources.pool.acquire() as conn:
        author = await create_author(conn, "Bench", channel_slug="bench_blog")
        channel_id = await conn.fetchval("SELECT id FROM channels WHERE author_id = $1", author.id)
        entry_id = await conn.fetchval(
            "INSERT INTO entries (channel_id, author_id, slug, default_language, status, kind,"
            " published_at, created_via) VALUES ($1, $2, 'hello', 'en', 'published', 'note',"
            " now(), 'cli') RETURNING id",
            channel_id, author.id,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO entry_translations (entry_id, language, status, content_html,"
            " published_at) VALUES ($1, 'en', 'published', $2, now())",
            entry_id, "<p>" + "Hello, fediverse. " * 40 + "</p>",
        )  # fmt: skip
        hosts = [f"{host(n % HOSTS)}:{port}" for n in range(FOLLOWERS)]
        await conn.execute(
            """
            WITH made AS (
                INSERT INTO ap_actors (uri, host, domain, type, inbox, shared_inbox)
                SELECT 'http://' || h || '/users/' || n, split_part(h, ':', 1),
                       split_part(h, ':', 1), 'Person',
                       'http://' || h || '/users/' || n || '/inbox', 'http://' || h || '/inbox'
                FROM unnest($1::text[]) WITH ORDINALITY AS t (h, n)
                RETURNING id
            )
            INSERT INTO ap_followers (channel_id, actor_id, follow_id, accepted_at)
            SELECT $2, id, 'f' || id, now() FROM made
            """,
            hosts, channel_id,
        )  # fmt: skip
        await keys.channel_key(conn, channel_id)  # made when the followers fetched the actor
    return channel_id, entry_id


def worker_process(settings, entry_id: int, results) -> None:
    """A worker of its own, as `hub worker`: runs the fan-out and every delivery, reports the
    time from the fan-out's queueing to an empty queue and its peak RSS."""

    async def main() -> None:
        async with open_resources(settings) as resources:
            worker = build_worker(resources, burst=True, poll_delay=0.01)
            start = time.perf_counter()
            await enqueue(resources.redis, "ap_fanout", entry_id)
            await worker.main()
            elapsed = time.perf_counter() - start
            await worker.close()
            row = await resources.pool.fetchrow(
                "SELECT count(*) FILTER (WHERE status = 'delivered') AS delivered,"
                " extract(epoch FROM min(last_attempt_at) - min(created_at)) AS first"
                " FROM ap_deliveries"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results.put((elapsed, row["delivered"], float(row["first"] or 0), rss))

    asyncio.run(main())


async def ceiling(settings, channel_id: int, base_port: int) -> float:
    """The same stored activity, signed per inbox and posted to the same 500 shared inboxes by
    a bare httpx loop at the worker's concurrency."""
    async with open_resources(settings) as resources:
        body = (await resources.pool.fetchval("SELECT body::text FROM ap_activities")).encode()
        private_pem = (await keys.channel_key(resources.pool, channel_id)).private_pem
    targets = iter(f"http://{host(i)}:{base_port}/inbox" for i in range(HOSTS))

    async def lane(client: httpx.AsyncClient) -> None:
        for url in targets:
            headers = signatures.sign("POST", url, body, key_id=KEY_ID, private_pem=private_pem)
            headers["Content-Type"] = "application/activity+json"
            r = await client.post(url, content=body, headers=headers)
            assert r.status_code == 202, r.status_code

    async with httpx.AsyncClient(timeout=15) as client:
        start = time.perf_counter()
        await asyncio.gather(*(lane(client) for _ in range(CONCURRENCY)))
        return time.perf_counter() - start


async def stats(port: int) -> dict:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"http://127.0.0.1:{port}/_stats")).json()


async def reset(port: int) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(f"http://127.0.0.1:{port}/_reset")


def main(port: int) -> None:
    with bench_settings() as base:
        settings = dataclasses.replace(base, base_url="http://hub.test", allow_loopback_fetch=True)
        print(f"activitypub: one post to {FOLLOWERS} followers on {HOSTS} hosts")
        channel_id, entry_id = asyncio.run(setup(settings, port))

        spawn = multiprocessing.get_context("spawn")
        results = spawn.Queue()
        worker = spawn.Process(target=worker_process, args=(settings, entry_id, results))
        worker.start()
        elapsed, delivered, first, max_rss_kb = results.get(timeout=600)
        worker.join()
        seen = asyncio.run(stats(port))
        per_inbox = collections.Counter(seen["shared"].values())
        print(f"{'hub: delivered to shared inboxes':36s} {delivered:8d}    of {HOSTS}")
        print(f"{'hub: time to deliver all':36s} {elapsed:8.2f} s")
        print(f"{'hub: fan-out to first delivery':36s} {first:8.2f} s")
        print(f"{'hub: deliveries per second':36s} {delivered / elapsed:8.0f}")
        print(
            f"{'hub: requests per shared inbox':36s} "
            f"{max(per_inbox) if per_inbox else 0:8d}    (must be 1; counts {dict(per_inbox)}, "
            f"{seen['personal']} to personal inboxes, {seen['unsigned']} unsigned)"
        )
        print(f"{'hub: worker peak RSS':36s} {max_rss_kb / 1024:8.0f} MiB")

        asyncio.run(reset(port))
        bare = asyncio.run(ceiling(settings, channel_id, port))
        seen = asyncio.run(stats(port))
        reached = len(seen["shared"])
        print(f"{'ceiling: bare httpx loop, signed':36s} {bare:8.2f} s    ({reached} inboxes)")
        print(f"{'ratio ceiling time / hub time':36s} {bare / elapsed:8.2f}")


if __name__ == "__main__":
    port = free_port()
    server = multiprocessing.Process(target=serve_inboxes, args=(port,), daemon=True)
    server.start()
    try:
        time.sleep(1.0)
        main(port)
    finally:
        server.terminate()
        server.join()
