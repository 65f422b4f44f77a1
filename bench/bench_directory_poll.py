"""Feed polling throughput, CPU and memory (issue 6, benchmarks 2 and 3; scaling, issue 20).

A scaling table: 1,000 and 10,000 feeds (`--scale` multiplies both; each row starts from an
empty directory), served by a local HTTP server in its own process (uvicorn, a raw ASGI
app): every odd feed answers 200 with a 10-item RSS document, every even feed has a stored ETag
and answers 304 (half unchanged). All feeds are on 127.0.0.1, so the per-host politeness
settings are switched off for the run (HUB_DIRECTORY_HOST_INTERVAL=0, …_CONCURRENCY=0).

hub: the scheduler job claims the due feeds and queues them in `poll_feeds` jobs of
`POLL_BATCH` feeds (timed too), then the real arq worker (burst) runs them, `POLL_LANES`
fetches per job and 32 / `POLL_LANES` jobs at once (32 fetches at once in all): guarded fetch
with validators, sha256, parse, de-duplicated upsert of the posts, site tags and type, poll
state. Ceiling: a bare httpx loop at the same concurrency (32) fetching the same URLs with
the same conditional headers, nothing parsed or stored (the issue's ceiling). Since hub's
guarded client runs on aiohttp, a bare aiohttp loop is measured too and hub's ratio to it
printed, for information (a faster ceiling than the issue's).
Prints feeds/s and CPU ms per feed of this process (the worker; Postgres and the feed server
are other processes) for both, the ratio (target >= 50 % of bare), and the worker's peak RSS
sampled every 50 ms during the run (target < 300 MB); at each size, and whether the CPU per
feed at the top row stays within 1.5x the bottom row's (flat).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import resource
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
import httpx
from _services import bench_settings
from _targets import flat, target

from hub.core.resources import open_resources
from hub.directory import jobs
from hub.worker import build_worker

CONCURRENCY = 32
ITEMS = 10


def feed_body(n: int) -> bytes:
    items = "".join(
        f"<item><title>Post {k} of feed {n}</title><link>https://f{n}.example/{k}</link>"
        f"<guid>f{n}-{k}</guid><pubDate>Mon, 0{1 + k % 9} Jan 2024 10:00:00 GMT</pubDate>"
        f"<category>topic{k % 3}</category><description>&lt;p&gt;Body {k} of feed {n}, "
        f"with &lt;a href='/x'&gt;a link&lt;/a&gt; and some words.&lt;/p&gt;</description></item>"
        for k in range(ITEMS)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
        f"<link>https://f{n}.example/</link><description>Feed number {n}</description>"
        f"{items}</channel></rss>"
    ).encode()


async def feed_app(scope, receive, send) -> None:
    """`/feed/{n}.xml`: 304 when If-None-Match is `"{n}"`, else 200 with the document."""
    if scope["type"] != "http":
        return
    n = int(scope["path"].rsplit("/", 1)[1].split(".")[0])
    etag = f'"{n}"'.encode()
    sent = dict(scope["headers"]).get(b"if-none-match")
    if sent == etag:
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
        await send({"type": "http.response.body", "body": b""})
        return
    body = feed_body(n)
    headers = [(b"content-type", b"application/rss+xml"), (b"etag", etag)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve(port: int) -> None:
    import uvicorn

    uvicorn.run(feed_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SEED_SQL = """
INSERT INTO sites (link, link_key, title)
SELECT 'https://f' || g || '.example/', 'f' || g || '.example', 'Feed ' || g
FROM generate_series(1, $1) g;
"""
FEEDS_SQL = """
INSERT INTO feeds (site_id, feed_url, feed_key, format, title, is_main, etag, next_poll_at)
SELECT s.id, $1 || '/feed/' || g || '.xml', $2 || '/feed/' || g || '.xml', 'rss', s.title, true,
       CASE WHEN g % 2 = 0 THEN '"' || g || '"' END, now()
FROM generate_series(1, $3) g JOIN sites s ON s.link_key = 'f' || g || '.example'
"""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 1e6


async def sample_memory(peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mb())
        await asyncio.sleep(0.05)


async def bare_loop(urls: list[tuple[str, str | None]]) -> tuple[float, float]:
    queue = iter(urls)
    async with httpx.AsyncClient(timeout=20) as client:

        async def lane() -> None:
            for url, etag in queue:
                headers = {"If-None-Match": etag} if etag else {}
                response = await client.get(url, headers=headers)
                await response.aread()

        cpu, start = cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
        return time.perf_counter() - start, cpu_seconds() - cpu


async def bare_aiohttp_loop(urls: list[tuple[str, str | None]]) -> tuple[float, float]:
    """The same loop on aiohttp, the library under hub's guarded client."""
    queue = iter(urls)
    async with aiohttp.ClientSession() as session:

        async def lane() -> None:
            for url, etag in queue:
                headers = {"If-None-Match": etag} if etag else {}
                async with session.get(url, headers=headers) as response:
                    await response.read()

        cpu, start = cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
        return time.perf_counter() - start, cpu_seconds() - cpu


async def main(base, sizes: list[int], port: int) -> None:
    settings = dataclasses.replace(
        base, allow_loopback_fetch=True, directory_host_interval=0, directory_host_concurrency=0
    )
    results = []
    async with open_resources(settings) as resources:
        for feeds in sizes:
            print(f"\npolling {feeds:,} feeds (half 304) at concurrency {CONCURRENCY}")
            results.append(await measure(resources, feeds, port))
    print(f"\n{'feeds':>8s}  {'bare feeds/s':>12s}  {'hub feeds/s':>11s}  {'ratio':>5s}"
          f"  {'hub CPU/feed':>12s}")  # fmt: skip
    for feeds, (ratio, cpu_ms, _, hub, bare) in zip(sizes, results, strict=True):
        print(f"{feeds:>8,d}  {bare:12.0f}  {hub:11.0f}  {ratio:5.2f}  {cpu_ms:9.2f} ms")
    for feeds, (ratio, _, _, hub, bare) in zip(sizes, results, strict=True):
        figure = f"{hub:.0f} feeds/s vs {bare:.0f} bare httpx"
        target(f"feed polling at {feeds:,} feeds", figure, ratio, 0.50)
    target("feed polling worker peak RSS", f"{max(r[2] for r in results):.0f} MB",
           max(r[2] for r in results), 300, at_most=True)  # fmt: skip
    flat("feed polling CPU per feed scaling", results[0][1], results[-1][1],
         (f"{sizes[0]:,} feeds", f"{sizes[-1]:,} feeds"))  # fmt: skip


async def seed(pool, feeds: int, port: int) -> list[tuple[str, str | None]]:
    """An empty directory, then `feeds` sites with a due feed each: their (URL, ETag)."""
    await pool.execute("TRUNCATE sites, feeds, posts CASCADE")
    await pool.execute(SEED_SQL, feeds)
    await pool.execute(FEEDS_SQL, f"http://127.0.0.1:{port}", f"127.0.0.1:{port}", feeds)
    rows = await pool.fetch("SELECT feed_url, etag FROM feeds ORDER BY feed_url")
    return [(r["feed_url"], r["etag"]) for r in rows]


async def run_hub(resources) -> tuple[float, float]:
    """The scheduler's ticks, then a burst worker until every poll is done: (wall, CPU) s."""
    at_once = CONCURRENCY // jobs.POLL_LANES  # jobs at once: CONCURRENCY fetches in all
    worker = build_worker(resources, burst=True, poll_delay=0.05, max_jobs=at_once)
    cpu, start = cpu_seconds(), time.perf_counter()
    try:
        while await jobs.schedule_due_feeds({"resources": resources}):  # as its cron ticks
            pass
        await worker.main()
    finally:
        await worker.close()
    return time.perf_counter() - start, cpu_seconds() - cpu


async def measure(resources, feeds: int, port: int) -> tuple[float, ...]:
    """One row, from an empty directory: (hub/bare feeds/s, hub CPU ms per feed, peak MB,
    hub feeds/s, bare feeds/s). Both sides are warmed up first on 200 feeds (hub from an
    empty directory again afterwards): a long-running worker has long paid its first-use
    costs (imports, each pool connection's prepared statements)."""
    pool = resources.pool
    await resources.redis.flushdb()
    await seed(pool, min(200, feeds), port)
    await run_hub(resources)
    urls = await seed(pool, feeds, port)
    await bare_loop(urls[: min(200, feeds)])  # warm up the server and the client
    bare_wall, bare_cpu = await bare_loop(urls)
    await bare_aiohttp_loop(urls[: min(200, feeds)])
    aio_wall, aio_cpu = await bare_aiohttp_loop(urls)
    peak, stop = [rss_mb()], asyncio.Event()
    sampler = asyncio.create_task(sample_memory(peak, stop))
    hub_wall, hub_cpu = await run_hub(resources)
    stop.set()
    await sampler
    outcomes = await pool.fetch(
        "SELECT last_status, count(*) AS n FROM feeds GROUP BY last_status ORDER BY 1"
    )
    posts = await pool.fetchval("SELECT count(*) FROM posts")
    summary = ", ".join(f"{r['last_status']}: {r['n']}" for r in outcomes)
    print(f"HTTP statuses: {summary}; {posts} posts stored")
    for name, wall, cpu_used in (("bare httpx loop (ceiling)", bare_wall, bare_cpu),
                                 ("bare aiohttp loop", aio_wall, aio_cpu),
                                 ("hub poll_feeds jobs", hub_wall, hub_cpu)):  # fmt: skip
        print(
            f"{name:26s} {feeds / wall:8.0f} feeds/s   {cpu_used * 1000 / feeds:6.2f} ms CPU/feed"
        )
    ratio = (feeds / hub_wall) / (feeds / bare_wall)
    print(f"ratio hub/bare feeds/s     {ratio:8.2f}   (target >= 0.50)")
    print(f"ratio hub/bare aiohttp     {aio_wall / hub_wall:8.2f}   (for information)")
    print(f"worker peak RSS            {peak[0]:8.0f} MB (target < 300 MB)")
    return ratio, hub_cpu * 1000 / feeds, peak[0], feeds / hub_wall, feeds / bare_wall


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000 and 10,000 feeds")
    args = parser.parse_args()
    counts = sorted({max(50, int(n * args.scale)) for n in (1_000, 10_000)})
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port,), daemon=True)
    server.start()
    try:
        for _ in range(100):  # wait until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        with bench_settings() as base:
            asyncio.run(main(base, counts, port))
    finally:
        server.terminate()
        server.join()
