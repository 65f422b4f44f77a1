"""Public pages and the Atom feed over loopback HTTP, as readers get them (issue 20, item 1):
`wrk` at 32 connections against a real `hub serve` process (uvicorn, uvloop, httptools, the
access log at its default level, the page cache at its default size), next to a bare
uvicorn app in a process of its own that answers the same status, headers and bytes from
memory, in the same run. Both are asked with `Accept-Encoding: gzip`, as browsers do.

Target 1: the entry page, the channel home (20 summaries) and the Atom feed at >= 0.50 of
the bare app (a reader after the first gets the cached page).
Target 2, uncached (`HUB_PAGE_CACHE_BYTES=0`, every request rendered, as the first one after
a change is): the channel home costs <= 2x the entry page (the ratio of their request rates).

Needs `wrk` (`apt-get install wrk`). `BENCH_SECONDS` sets each measurement's length (default
5); `BENCH_ENTRIES` the entries in the channel (default 30).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _loopback import free_port, have_wrk, serve, served
from _services import bench_settings, run_on_production_loop
from _targets import target

from hub.app import create_app
from hub.config import Settings
from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.resources import open_resources

CONNECTIONS = 32
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "30"))
BODY = "\n\n".join(
    f"Paragraph {i} with **bold**, a [link](https://example.com/{i}) and some words to read."
    for i in range(8)
)
PATHS = {"entry page": "/bench/post-1", "channel home": "/bench", "Atom feed": "/bench/atom.xml"}
GZIP = {"Accept-Encoding": "gzip"}
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


async def seed(settings: Settings) -> None:
    """One channel with `ENTRIES` articles, published through the v1 API."""
    async with open_resources(settings) as resources:
        async with resources.pool.acquire() as conn, conn.transaction():
            author = await create_author(conn, "Bench", plan="premium", channel_slug="bench")
            _, key = await create_credential(conn, author_id=author.id, kind="api_key")
        app = create_app(settings, resources)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for n in range(1, ENTRIES + 1):
                r = await http.post(
                    "/api/v1/channels/bench/pages",
                    json={"slug": f"post-{n}", "default_language": "en", "status": "published",
                          "tags": ["bench", f"t{n % 5}"],
                          "translations": [{"language": "en", "title": f"Post {n}",
                                            "excerpt": "A teaser.",
                                            "content_markdown": f"## Post {n}\n\n{BODY}"}]},
                    headers={"Authorization": f"Bearer {key}"},
                )  # fmt: skip
                assert r.status_code == 201, r.text


@contextlib.contextmanager
def hub_serve(settings: Settings, data_dir: str, **env: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environ.update(DATABASE_URL=settings.database_url or "", REDIS_URL=settings.redis_url or "",
                   HUB_DATA_DIR=data_dir, HUB_BASE_URL=base, HUB_PORT=str(port), **env)  # fmt: skip
    with served(["-m", "hub.cli", "serve"], port, environ, quiet=True, start=90) as url:
        deadline = time.monotonic() + 30
        while httpx.get(url + "/bench").status_code != 200:  # the listener, the first render
            if time.monotonic() > deadline:
                raise RuntimeError("hub serve does not answer /bench")
            time.sleep(0.2)
        yield url


def wrk_get(url: str, seconds: float = SECONDS) -> tuple[float, float]:
    """GET `url` for `seconds` at `CONNECTIONS`: (requests/s, p99 in ms); fails on non-2xx."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency",
         "-H", "Accept-Encoding: gzip", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
    return rate, float(value) * _UNITS[unit]


def bare_child(answer_file: str, port: int) -> None:
    """In the child: answer every request with the stored status, headers and bytes."""
    status, headers, body = pickle.loads(Path(answer_file).read_bytes())
    start = {"type": "http.response.start", "status": status, "headers": headers}
    end = {"type": "http.response.body", "body": body}

    async def app(scope, receive, send):
        await send(start)
        await send(end)

    run_on_production_loop(serve(app, port))


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, headers, bytes as sent


def raw_get(url: str) -> Answer:
    """The answer as sent (gzip bytes kept, not decoded), without `Date`."""
    with httpx.stream("GET", url, headers=GZIP) as r:
        body = b"".join(r.iter_raw())
        return r.status_code, [(k, v) for k, v in r.headers.raw if k.lower() != b"date"], body


@contextlib.contextmanager
def bare_serving(answer: Answer, tmp: str) -> Iterator[str]:
    path = Path(tmp) / f"answer-{free_port()}.pickle"
    path.write_bytes(pickle.dumps(answer))
    port = free_port()
    with served([__file__, "--bare", str(path), str(port)], port, {}, quiet=True) as url:
        yield url


def main() -> None:
    if not have_wrk():
        print("bench_site_http: needs wrk (apt-get install wrk); skipped")
        return
    with bench_settings() as settings, tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        run_on_production_loop(seed(settings))
        print(f"pages and feeds over HTTP: wrk -t1 -c{CONNECTIONS} -d{SECONDS:g}s, gzip, "
              f"{ENTRIES} entries in the channel")  # fmt: skip
        print(f"{'what':<14} {'hub req/s':>10} {'p99 ms':>8} {'bare req/s':>11} "
              f"{'p99 ms':>8} {'ratio':>6}  target >= 0.50")  # fmt: skip
        cached: list[tuple[str, float, float]] = []
        with hub_serve(settings, tmp) as hub:
            for name, path in PATHS.items():
                raw_get(hub + path)  # rendered and kept
                answer = raw_get(hub + path)
                rate, p99 = wrk_get(hub + path)
                with bare_serving(answer, tmp) as bare:
                    bare_rate, bare_p99 = wrk_get(bare + path)
                ok = "met" if rate / bare_rate >= 0.5 else "MISSED"
                print(f"{name:<14} {rate:>10,.0f} {p99:>8.1f} {bare_rate:>11,.0f} "
                      f"{bare_p99:>8.1f} {rate / bare_rate:>6.2f}  {ok}"
                      f"  ({len(answer[2]):,} bytes sent)")  # fmt: skip
                cached.append((name, rate, bare_rate))
        print("uncached (HUB_PAGE_CACHE_BYTES=0: every request rendered)")
        with hub_serve(settings, tmp, HUB_PAGE_CACHE_BYTES="0") as hub:
            rates = {}
            for name in ("entry page", "channel home", "Atom feed"):
                rate, p99 = wrk_get(hub + PATHS[name])
                rates[name] = rate
                print(f"{name:<14} {rate:>10,.0f} {p99:>8.1f}  {1000 / rate:.2f} ms a request")
        cost = rates["entry page"] / rates["channel home"]
        ok = "met" if cost <= 2 else "MISSED"
        print(f"channel home costs {cost:.2f}x the entry page (target <= 2x): {ok}")
        for name, rate, bare_rate in cached:
            target(f"{name} cached over HTTP", f"{rate:,.0f} req/s vs {bare_rate:,.0f} bare",
                   rate / bare_rate, 0.50)  # fmt: skip
        target("channel home uncached vs entry page",
               f"{1000 / rates['channel home']:.2f} ms vs {1000 / rates['entry page']:.2f} ms",
               cost, 2, at_most=True)  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bare":
        bare_child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
