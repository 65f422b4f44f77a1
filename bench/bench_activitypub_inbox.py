"""Fediverse activities received at an inbox (issue 19).

Acceptance: `BENCH_BURST` (default 1,000) signed `Like` activities (draft-cavage rsa-sha256
over `(request-target) host date digest content-type`, as Mastodon signs, RSA 2048) posted
to `POST /activitypub/{slug}/inbox` through the whole app over ASGI at 32 concurrent
requests: size and Content-Type checks, the signature parsed, the signer's key read from the
`ap_actors` cache, the signature and Digest verified, the per-domain rate counted in Redis,
the row and its staged `process_activity` job stored in one statement, the job queued.
Ceiling: a bare Starlette endpoint that verifies the same signature with the same cached
key (read from `ap_actors` too) and inserts the same `ap_inbox` row. Prints requests per
second and the ratio (target >= 0.60), best of `ROUNDS` rounds run back to back.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import os
import sys
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import orjson
from _services import bench_settings, run_on_production_loop
from _targets import target
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.app import create_app
from hub.core.authors import create_author
from hub.core.federation import signatures
from hub.core.resources import open_resources

BURST = int(os.environ.get("BENCH_BURST", "1000"))
CONCURRENCY = 32
ROUNDS = 5
BASE = "http://hub.test"
ACTOR = "https://remote.example/users/alice"
KEY_ID = f"{ACTOR}#main-key"
PATH = "/activitypub/bench_blog/inbox"
INSERT = """
INSERT INTO ap_inbox (channel_id, activity_id, type, actor_id, body)
VALUES ($1, $2, $3, $4, $5)
"""


def signed_likes(key: rsa.RSAPrivateKey, n: int) -> list[tuple[bytes, dict[str, str]]]:
    """`n` Likes of the bench entry, each signed as Mastodon signs (made before timing)."""
    requests = []
    for i in range(n):
        body = orjson.dumps({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{ACTOR}#likes/{i}", "type": "Like", "actor": ACTOR,
            "object": f"{BASE}/bench_blog/hello",
        })  # fmt: skip
        headers = {
            "Host": "hub.test",
            "Date": format_datetime(datetime.now(UTC), usegmt=True),
            "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "Content-Type": "application/activity+json",
        }
        lines = [f"(request-target): post {PATH}"]
        lines += [f"{k.lower()}: {v}" for k, v in headers.items()]
        sig = key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        headers["Signature"] = (
            f'keyId="{KEY_ID}",algorithm="rsa-sha256",'
            'headers="(request-target) host date digest content-type",'
            f'signature="{base64.b64encode(sig).decode()}"'
        )
        requests.append((body, headers))
    return requests


async def burst(client: httpx.AsyncClient, requests: list[tuple[bytes, dict]]) -> float:
    queue = iter(requests)

    async def lane() -> None:
        for body, headers in queue:
            r = await client.post(PATH, content=body, headers=headers)
            assert r.status_code == 202, r.text

    start = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
    return len(requests) / (time.perf_counter() - start)


async def run(settings) -> None:
    settings = dataclasses.replace(settings, base_url=BASE, ap_rate_domain=10**9)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    async with open_resources(settings) as resources:
        pool = resources.pool
        async with pool.acquire() as conn:
            author = await create_author(conn, "Bench", channel_slug="bench_blog")
            channel_id = await conn.fetchval(
                "SELECT id FROM channels WHERE author_id = $1", author.id
            )
            actor_id = await conn.fetchval(
                "INSERT INTO ap_actors (uri, host, domain, inbox, key_id, public_key_pem)"
                " VALUES ($1, 'remote.example', 'remote.example', $2, $3, $4) RETURNING id",
                ACTOR, f"{ACTOR}/inbox", KEY_ID, pem,
            )  # fmt: skip

        async def bare(request: Request) -> Response:
            body = await request.body()
            headers = {k.decode(): v.decode() for k, v in request.scope["headers"]}
            sig = signatures.parse(headers["signature"])
            cached = await pool.fetchval(
                "SELECT public_key_pem FROM ap_actors WHERE key_id = $1", sig.key_id
            )
            signatures.verify(sig, method="POST", target=request.url.path, headers=headers,
                              body=body, public_pem=cached)  # fmt: skip
            activity = orjson.loads(body)
            await pool.execute(
                INSERT, channel_id, activity["id"], activity["type"], actor_id, activity
            )
            return JSONResponse({"status": "accepted"}, status_code=202)

        ceiling = Starlette(routes=[Route(PATH, bare, methods=["POST"])])
        hub_app = create_app(settings, resources)
        requests = signed_likes(key, BURST)

        async def reset() -> None:
            await pool.execute("TRUNCATE ap_inbox, job_outbox")
            await resources.redis.flushdb()

        names = ("bare verify + INSERT (ceiling)", "hub POST inbox")
        results = dict.fromkeys(names, 0.0)
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(ceiling), base_url=BASE) as c1,
            httpx.AsyncClient(transport=httpx.ASGITransport(hub_app), base_url=BASE) as c2,
        ):
            pairs = []
            for _ in range(ROUNDS):
                rates = []
                for name, client in zip(names, (c1, c2), strict=True):
                    await reset()
                    rates.append(await burst(client, requests))
                    results[name] = max(results[name], rates[-1])
                pairs.append(tuple(rates))
        stored = await pool.fetchval("SELECT count(*) FROM ap_inbox")
        for name, rate in results.items():
            print(f"{name:32s} {rate:8.0f} /s")
        ratio = results["hub POST inbox"] / results["bare verify + INSERT (ceiling)"]
        print(f"{'ratio hub/ceiling':32s} {ratio:8.2f}    (target >= 0.60)")
        hub, bare = results["hub POST inbox"], results["bare verify + INSERT (ceiling)"]
        target("fediverse inbox", f"{hub:.0f}/s vs {bare:.0f}/s bare", ratio, 0.60)
        per_round = sorted(hub / bare for bare, hub in pairs)
        listed = ", ".join(f"{r:.2f}" for r in per_round)
        print(
            f"{'ratio per round':32s} {per_round[len(per_round) // 2]:8.2f}    median of {listed}"
        )
        print(f"{'rows stored (last hub round)':32s} {stored:8d}")


if __name__ == "__main__":
    with bench_settings() as base:
        print(f"activitypub inbox: a burst of {BURST} signed Likes at concurrency {CONCURRENCY}")
        run_on_production_loop(run(base))
