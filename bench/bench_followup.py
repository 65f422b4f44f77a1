"""The follow-up work of a create (issue 20, item 2): Micropub creates at the API's full rate
against a real `hub serve` (its worker off), with a real `hub worker` beside it, as a
production node runs them, and what the worker then does for each entry: the own-site
directory index, the WebSub pings, the fediverse fan-out (no followers here) and the
webmention sends (discovery GET of each linked page, POST to its endpoint).

Each note links to two pages on other sites (a local server in a process of its own, on 42
loopback addresses, 127.0.0.2 … 127.0.0.43, that answers every page with a webmention endpoint
and accepts every mention; `HUB_ALLOW_LOOPBACK_FETCH=1`, the test-only switch, lets the guarded
client reach them): a page of its own on one of 32 hosts, and one of ten popular pages, each
on a host of its own. Sending allows 2 requests at once per host (§2.4), so the links are
spread over hosts as a blog's are, and that politeness limit is not what is measured. The same
server is the WebSub hub (`HUB_WEBSUB_HUB`).

`wrk` creates for `--seconds` (default 60, `BENCH_SECONDS`) at 32 connections; every second
the queue is sampled: jobs due and not yet run (`due`), jobs queued in all (deferred ones
too: the webmention sends wait 30 s by design, so a burst of edits sends once) and the
outbox rows of unfinished jobs. After the last create the bench waits until the queue and
the outbox are empty (at most 120 s, then it reports what is left).

CPU per entry, from the processes' CPU times (psutil): the request side is `hub serve`'s CPU
over the create phase / entries created; the follow-up is `hub worker`'s CPU from the first
create until the queue is empty / entries created. PostgreSQL's and Redis's CPU are in
neither (they serve both). Targets: follow-up CPU / request CPU <= 1; the queue drained
within 60 s of the last create; due jobs flat (at the end of the create phase at most 1.5x
those half-way, each plus one second's worth of creates).

Needs `wrk` (`apt-get install wrk`). `--profile FILE` records the worker with py-spy (raw
folded stacks) over the whole run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
import httpx
import psutil
import redis
from _loopback import free_port, have_wrk, stop
from _services import bench_settings, run_on_production_loop
from _targets import target

from hub.config import Settings
from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.resources import open_resources

CONNECTIONS = 32
SHARED_PAGES = 10  # the pages many notes link to
OWN_HOSTS = 32  # each note's own page is on one of 127.0.0.2 … 127.0.0.33
TARGET_HOSTS = tuple(f"127.0.0.{2 + i}" for i in range(OWN_HOSTS + SHARED_PAGES))
HUB_HOST = "127.0.0.1"
DRAIN_LIMIT = 120.0  # seconds waited after the last create before giving up
QUEUE = "arq:queue"
STATE = """
SELECT (SELECT count(*) FROM job_outbox),
       (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM job_outbox_id_seq),
       (SELECT count(*) FROM entries)
"""


# -- the other sites: pages with a webmention endpoint, and a WebSub hub ---------------------


def targets_child(port: int) -> None:
    """In the child: every page names `/webmention` as its endpoint; `/webmention` and `/hub`
    accept every POST; `/counts` says how many of each it received."""
    counts = {"pages": 0, "mentions": 0, "pings": 0}

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        while (await receive()).get("more_body"):
            pass
        if method == "POST":
            kind = "mentions" if path == "/webmention" else "pings"
            counts[kind] += 1
            await send({"type": "http.response.start", "status": 202, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        if path == "/counts":
            body = " ".join(f"{k}={v}" for k, v in counts.items()).encode()
        else:
            counts["pages"] += 1
            body = (
                b"<!doctype html><html><head><title>A page</title>"
                b'<link rel="webmention" href="/webmention"></head><body>'
                b'<article class="h-entry"><h1 class="p-name">A page</h1>'
                + b"<p>Some words.</p>" * 20
                + b"</article></body></html>"
            )
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    import socket

    import uvicorn

    sockets = []
    for host in (HUB_HOST, *TARGET_HOSTS):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        sockets.append(s)
    config = uvicorn.Config(app, loop="uvloop", http="httptools", log_level="critical",
                            access_log=False, lifespan="off")  # fmt: skip
    run_on_production_loop(uvicorn.Server(config).serve(sockets=sockets))


def counts(port: int) -> dict[str, int]:
    text = httpx.get(f"http://{HUB_HOST}:{port}/counts").text
    return {k: int(v) for k, v in (pair.split("=") for pair in text.split())}


# -- processes ------------------------------------------------------------------------------


@contextlib.contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, *argv], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            yield proc
        finally:
            stop(proc)


def wait_until(check, what: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(Exception):
            if check():
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start (exit status {proc.poll()})")
        time.sleep(0.2)


def cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


# -- the run --------------------------------------------------------------------------------


async def seed(settings: Settings) -> str:
    """An author with a channel and a Micropub token; the token."""
    async with open_resources(settings) as resources, resources.pool.acquire() as conn:
        author = await create_author(conn, "Bench", channel_slug="bench")
        _, secret = await create_credential(
            conn, author_id=author.id, kind="app_token", scopes=["create", "update"]
        )
    return secret


def wrk_script(token: str, port: int) -> str:
    """Each request: a JSON note with a slug of its own, two tags and two links: a page of its
    own on one of `OWN_HOSTS` hosts, and one of `SHARED_PAGES` popular pages (one a host)."""
    return "\n".join([
        'wrk.method = "POST"',
        f'wrk.headers["Authorization"] = "Bearer {token}"',
        'wrk.headers["Content-Type"] = "application/json"',
        "local n = 0",
        "request = function()",
        "  n = n + 1",
        f"  local own = 'http://127.0.0.' .. (2 + n % {OWN_HOSTS}) .. ':{port}/posts/' .. n",
        f"  local shared = 'http://127.0.0.' .. ({2 + OWN_HOSTS} + n % {SHARED_PAGES})"
        f"    .. ':{port}/popular'",
        "  local body = '{\"type\": [\"h-entry\"], \"properties\": {\"mp-slug\": [\"note-' .. n"
        "    .. '\"], \"category\": [\"indieweb\", \"bench\"], \"content\": [\"A note with a"
        " [reply to a page](' .. own .. ') and a [mention of a popular one](' .. shared"
        "    .. '), and more words to read.\"]}}'",
        "  return wrk.format(nil, nil, nil, body)",
        "end",
    ])  # fmt: skip


@dataclass
class Sample:
    at: float  # seconds since the first create
    due: int
    queued: int
    outbox: int
    staged: int  # outbox rows ever staged (the id sequence), done jobs = staged - outbox
    entries: int
    serve_cpu: float
    worker_cpu: float


@dataclass
class Sampler:
    """Samples the queue, the outbox and both processes' CPU every second, in a thread."""

    r: redis.Redis
    database_url: str
    serve: psutil.Process
    worker: psutil.Process
    began: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def take(self, conn) -> Sample:
        now_ms = int(time.time() * 1000)
        outbox, staged, entries = conn.run(STATE)
        sample = Sample(
            time.monotonic() - self.began, self.r.zcount(QUEUE, "-inf", now_ms),
            self.r.zcard(QUEUE), outbox, staged, entries, cpu(self.serve), cpu(self.worker),
        )  # fmt: skip
        self.samples.append(sample)
        return sample

    def run(self) -> None:
        with SyncDb(self.database_url) as conn:
            while not self.stop.wait(1.0 - (time.monotonic() - self.began) % 1.0):
                self.take(conn)


class SyncDb:
    """One asyncpg connection driven from a thread of its own (its own loop)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()

    def __enter__(self) -> SyncDb:
        self.conn = self.loop.run_until_complete(asyncpg.connect(self.url))
        return self

    def run(self, sql: str) -> tuple:
        return tuple(self.loop.run_until_complete(self.conn.fetchrow(sql)))

    def __exit__(self, *exc) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


def create_phase(url: str, script: str, seconds: float) -> float:
    with tempfile.TemporaryDirectory(prefix="hub-bench-wrk-") as tmp:
        path = Path(tmp) / "note.lua"
        path.write_text(script)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", str(path),
             url + "/micropub"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("BENCH_SECONDS", "60")))  # fmt: skip
    parser.add_argument("--profile", help="py-spy raw output file for the worker")
    args = parser.parse_args()
    if not have_wrk():
        print("bench_followup: needs wrk (apt-get install wrk); skipped")
        return
    with bench_settings() as settings, tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        token = run_on_production_loop(seed(settings))
        port, target_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(
            DATABASE_URL=settings.database_url or "", REDIS_URL=settings.redis_url or "",
            HUB_DATA_DIR=tmp, HUB_BASE_URL=base, HUB_PORT=str(port), HUB_RUN_WORKER="0",
            HUB_MICROPUB_RATE_WRITES="0", HUB_ALLOW_LOOPBACK_FETCH="1",
            HUB_WEBSUB_HUB=f"http://{HUB_HOST}:{target_port}/hub",
        )  # fmt: skip
        logs = Path(tmp)
        with (
            process([__file__, "--targets", str(target_port)], env, logs / "targets.log") as tp,
            process(["-m", "hub.cli", "serve"], env, logs / "serve.log") as sp,
            process(["-m", "hub.cli", "worker"], env, logs / "worker.log") as wp,
        ):
            wait_until(lambda: counts(target_port) is not None, "the target server", tp)
            wait_until(lambda: httpx.get(base + "/healthz").status_code == 200, "hub", sp)
            run(args, settings, base, token, target_port, sp, wp)


def run(args, settings: Settings, base: str, token: str, target_port: int,
        sp: subprocess.Popen, wp: subprocess.Popen) -> None:  # fmt: skip
    spy = None
    if args.profile:
        spy = subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "-r", "200", "-f", "raw",
             "-o", args.profile, "--pid", str(wp.pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    r = redis.Redis.from_url(settings.redis_url)
    sampler = Sampler(r, settings.database_url, psutil.Process(sp.pid), psutil.Process(wp.pid))
    with SyncDb(settings.database_url) as db:
        start = sampler.take(db)
        thread = threading.Thread(target=sampler.run, daemon=True)
        thread.start()
        rate = create_phase(base, wrk_script(token, target_port), args.seconds)
        end = sampler.take(db)
        created = end.entries - start.entries
        drained = None
        while time.monotonic() - sampler.began < end.at + DRAIN_LIMIT:
            time.sleep(0.25)
            if r.zcard(QUEUE) == 0 and db.run("SELECT count(*) FROM job_outbox")[0] == 0:
                drained = sampler.take(db)
                break
        last = drained or sampler.take(db)
        sampler.stop.set()
        thread.join()
        indexed = db.run(
            "SELECT count(*) FROM posts WHERE identity LIKE 'hub:entry:%'"
        )[0]  # fmt: skip
        sends = db.run(
            "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FROM webmention_sends"
        )  # fmt: skip
    if spy is not None:
        spy.send_signal(2)
        spy.wait(30)
    got = counts(target_port)
    report(args.seconds, rate, created, start, end, last, drained is not None, sampler.samples)
    print(f"done: {indexed:,} entries indexed in the directory, {sends[0]:,} of {sends[1]:,} "
          f"webmentions sent ({got['mentions']:,} received, {got['pages']:,} pages read for "
          f"discovery), {got['pings']:,} WebSub pings")  # fmt: skip


def report(seconds: float, rate: float, created: int, start: Sample, end: Sample, last: Sample,
           drained: bool, samples: list[Sample]) -> None:  # fmt: skip
    print(f"follow-up of Micropub creates: wrk -c{CONNECTIONS} for {seconds:g} s, "
          f"{created:,} notes ({rate:,.0f} req/s), 2 links each")  # fmt: skip
    print(f"{'s':>5} {'due':>7} {'queued':>7} {'outbox':>7} {'entries':>8} "
          f"{'serve cpu':>9} {'worker cpu':>10}")  # fmt: skip
    step = max(1, len(samples) // 24)
    for s in [*samples[::step], last]:
        print(
            f"{s.at:5.0f} {s.due:7,d} {s.queued:7,d} {s.outbox:7,d} {s.entries:8,d} "
            f"{s.serve_cpu - start.serve_cpu:8.1f}s {s.worker_cpu - start.worker_cpu:9.1f}s"
        )
    request_ms = (end.serve_cpu - start.serve_cpu) * 1000 / created
    worker_s = last.worker_cpu - start.worker_cpu
    staged, left = last.staged - start.staged, last.outbox
    followup_ms = worker_s * 1000 / created
    how = "until drained"
    if not drained and staged > left:  # the CPU of the jobs done so far, scaled to all of them
        followup_ms *= staged / (staged - left)
        how = f"estimated: {staged - left:,} of {staged:,} jobs done"
    busy = (last.worker_cpu - end.worker_cpu) / max(last.at - end.at, 1e-9)
    print(f"CPU per entry: request {request_ms:.2f} ms (hub serve, create phase), "
          f"follow-up {followup_ms:.2f} ms (hub worker, {how}); after the last create the "
          f"worker used {busy:.0%} of a core")  # fmt: skip
    target("follow-up CPU / request CPU",
           f"{followup_ms:.2f} ms vs {request_ms:.2f} ms an entry",
           followup_ms / request_ms, 1, at_most=True)  # fmt: skip
    after = last.at - end.at
    figure = f"{after:.0f} s after the last create" if drained else (
        f"not drained {DRAIN_LIMIT:.0f} s after the last create: {last.queued:,} queued, "
        f"{last.outbox:,} outbox rows")  # fmt: skip
    target("queue drained within 60 s of the last create", figure,
           after / 60 if drained else float("inf"), 1, at_most=True)  # fmt: skip
    during = [s for s in samples if s.at <= end.at]
    half = min(during, key=lambda s: abs(s.at - end.at / 2)) if during else end
    per_s = created / max(end.at, 1)
    target("due jobs flat during creates",
           f"{end.due:,} due at the end vs {half.due:,} half-way",
           (end.due + per_s) / (half.due + per_s), 1.5, at_most=True)  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--targets":
        targets_child(int(sys.argv[2]))
    else:
        main()
