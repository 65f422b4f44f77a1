"""The guarded client's CPU per fetch (issue 20: the transport under webmention sends).

A bare uvicorn app in a process of its own (uvloop, httptools, as `hub serve` runs) answers
a small HTML page (a webmention target's size) and a form POST. In this process, on uvloop,
`GuardedClient.fetch` GETs the page and POSTs a form `--fetches` times back to back and then
8 at once over keep-alive connections; the ceiling is a bare `aiohttp.ClientSession` doing
the same requests in the same run (reading the whole body, no guard). The figure is this
process's CPU time per request (the server's is not counted).

    flock -x /tmp/bench.lock python bench/bench_fetch.py [--fetches 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._loopback import free_port, serve, served
from bench._services import run_on_production_loop
from bench._targets import target

PAGE = (
    b"<!doctype html><html><head><meta charset=utf-8><title>A page</title>"
    b'<link rel="webmention" href="/webmention"></head><body>'
    + b"<p>Some words of a post, long enough to look like one.</p>" * 16
    + b"</body></html>"
)
CONCURRENT = 8
GOAL = 1.5  # guarded CPU per request at most this many times the bare client's


async def page_app(scope, receive, send) -> None:
    """The server: the page for GET, 202 for POST (its body read)."""
    if scope["type"] != "http":
        return
    if scope["method"] == "POST":
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        status, body = 202, b"Accepted"
    else:
        status, body = 200, PAGE
    headers = [(b"content-type", b"text/html; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


Request = Callable[[], Awaitable[None]]


async def cpu_per_request(one: Request, count: int, at_once: int) -> float:
    """This process's CPU µs per request for `count` requests, `at_once` concurrently."""
    for _ in range(20):  # warm the connections
        await one()
    per_task = count // at_once

    async def run() -> None:
        for _ in range(per_task):
            await one()

    started = time.process_time()
    await asyncio.gather(*(run() for _ in range(at_once)))
    return (time.process_time() - started) * 1e6 / (per_task * at_once)


async def main(base: str, fetches: int) -> bool:
    import aiohttp

    from hub.core.fetch import GuardedClient

    page, endpoint = f"{base}/page", f"{base}/webmention"
    form = {"source": "https://blog.example/2026/12/07/a-note", "target": page}
    results: dict[str, dict[str, float]] = {}
    async with GuardedClient(allow_loopback=True) as guarded:

        async def guarded_get() -> None:
            result = await guarded.fetch(page)
            assert result.status == 200 and len(result.content) == len(PAGE)

        async def guarded_post() -> None:
            assert (await guarded.fetch(endpoint, method="POST", data=form)).status == 202

        async with aiohttp.ClientSession() as session:

            async def bare_get() -> None:
                async with session.get(page) as response:
                    assert response.status == 200 and len(await response.read()) == len(PAGE)

            async def bare_post() -> None:
                async with session.post(endpoint, data=form) as response:
                    await response.read()
                    assert response.status == 202

            requests = {"bare GET": bare_get, "guarded GET": guarded_get,
                        "bare POST": bare_post, "guarded POST": guarded_post}  # fmt: skip
            for name, one in requests.items():
                results[name] = {
                    "1": await cpu_per_request(one, fetches, 1),
                    str(CONCURRENT): await cpu_per_request(one, fetches, CONCURRENT),
                }
    print(f"client CPU per request (µs), {fetches} requests each, 1 and {CONCURRENT} at once:")
    print(f"{'':14} {'1 at once':>10} {f'{CONCURRENT} at once':>10}")
    for name, row in results.items():
        print(f"{name:14} {row['1']:>10.0f} {row[str(CONCURRENT)]:>10.0f}")
    ok = True
    for verb in ("GET", "POST"):
        bare = results[f"bare {verb}"][str(CONCURRENT)]
        mine = results[f"guarded {verb}"][str(CONCURRENT)]
        ok &= target(
            f"guarded {verb} CPU / bare aiohttp CPU, {CONCURRENT} at once",
            f"{mine:.0f} µs vs {bare:.0f} µs a request", mine / bare, GOAL, at_most=True,
        )  # fmt: skip
    return ok


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        run_on_production_loop(serve(page_app, int(sys.argv[2])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetches", type=int, default=int(os.environ.get("BENCH_FETCHES", 3000)))
    args = parser.parse_args()
    port = free_port()
    with served([__file__, "--serve", str(port)], port, {}, quiet=True) as base:
        run_on_production_loop(main(base, args.fetches))
