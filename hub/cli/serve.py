"""`hub serve`, `hub worker` and `hub migrate`: the processes of a node."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import signal
import sys

from hub.cli.common import Commands, command
from hub.config import Settings
from hub.core import logs
from hub.runtime import Prepared, prepared


def register(commands: Commands) -> None:
    serve = command(
        commands,
        "serve",
        "run the web service (and, embedded, the worker)",
        "hub serve                          # http://127.0.0.1:8000, data in ./data",
        "hub serve --host 0.0.0.0 --port 8080",
        "HUB_DATA_DIR=/var/lib/hub hub serve",
        description="Run the web service until stopped (Ctrl-C or SIGTERM). With no "
        "DATABASE_URL and REDIS_URL it starts the embedded PostgreSQL and Redis in "
        "HUB_DATA_DIR and runs the job worker in this process; it applies pending migrations "
        "first.",
    )
    serve.add_argument(
        "--host", help="address to listen on, e.g. 0.0.0.0 (default: HUB_HOST, 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, help="port to listen on, e.g. 8080 (default: HUB_PORT, 8000)"
    )
    serve.set_defaults(run=cmd_serve)

    worker = command(
        commands,
        "worker",
        "run the job worker alone",
        "hub worker                         # beside a `hub serve` with REDIS_URL set",
        "hub worker --burst                 # run what is queued now, then exit",
        description="Run the job worker (feed polls, webmentions, scheduled posts, webhooks) "
        "in its own process, for a node with a configured REDIS_URL.",
    )
    worker.add_argument(
        "--burst", action="store_true", help="run the jobs queued now, then exit (e.g. from cron)"
    )
    worker.set_defaults(run=cmd_worker)

    migrate = command(
        commands,
        "migrate",
        "apply database migrations and exit",
        "hub migrate",
        "DATABASE_URL=postgresql://hub@db/hub hub migrate",
        description="Apply the database migrations this version of hub ships that the "
        "database has not had yet, and say which. `hub serve` does the same on start; an "
        "install that ships none fails with exit code 1.",
    )
    migrate.set_defaults(run=cmd_migrate)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:  # read again so that a default base URL follows --host/--port
        settings = Settings.from_env(**overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # uvicorn re-raises SIGTERM after its graceful shutdown; make that an exit that still runs
    # our cleanup (stopping the embedded servers) instead of the default instant death
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    logs.batch_writes()  # one write for many access lines (hub.core.logs)
    with prepared(settings) as ready:
        _announce(ready)
        # uvloop, as uvicorn's `loop="uvloop"` would give (that setting only applies when
        # uvicorn makes the loop itself; `asyncio.run` would make the stock one)
        with asyncio.Runner(loop_factory=_uvloop()) as runner:
            runner.run(_serve(ready))
    print("hub: stopped", flush=True)
    return 0


def _uvloop():
    try:
        import uvloop
    except ImportError:  # Windows: the stock loop
        return None
    return uvloop.new_event_loop


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _announce(ready: Prepared) -> None:
    s = ready.settings
    print(f"hub: listening on http://{s.host}:{s.port} (public URL {s.base_url})", flush=True)
    print(f"hub: database: {ready.database_label}", flush=True)
    print(f"hub: redis: {ready.redis_label}", flush=True)
    worker = "in this process" if ready.worker_in_process else "not here (run `hub worker`)"
    print(f"hub: job worker: {worker}", flush=True)


async def _serve(ready: Prepared) -> None:
    import uvicorn

    from hub.app import create_app
    from hub.core.resources import open_resources
    from hub.web.protocol import uvicorn_http
    from hub.worker import WorkerHealth, supervise

    settings = ready.settings
    async with open_resources(settings) as resources:
        app = create_app(settings, resources)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            loop="uvloop",
            http=uvicorn_http(settings),  # httptools, with limits on the request head
            log_config=None,  # hub.core.logs configured logging (the `hub` command did)
            log_level=None,
            access_log=False,  # hub.web.observe writes one line per request instead
            proxy_headers=False,
            server_header=False,
        )
        server = uvicorn.Server(config)
        gc.freeze()  # full collections skip what start-up made (shorter pauses of the loop)
        # a worker thread parsing a big feed hands the GIL back to the loop after 1 ms, not 5
        sys.setswitchinterval(0.001)
        worker_task = None
        if ready.worker_in_process:  # supervised: restarted after outages; /healthz reports it
            app.state.worker_health = health = WorkerHealth()
            worker_task = asyncio.create_task(supervise(resources, health))
        try:
            await server.serve()
        finally:
            if worker_task is not None:
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await worker_task


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from hub.worker import run_worker

    logs.batch_writes()
    with prepared(settings) as ready:
        print(f"hub: worker on {ready.redis_label}; database: {ready.database_label}", flush=True)
        with asyncio.Runner(loop_factory=_uvloop()) as runner:  # as `hub serve`: uvloop
            runner.run(run_worker(ready.settings, burst=args.burst))
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from hub.core.migrate import migrate

    with prepared(settings, redis=False, run_migrations=False) as ready:
        applied = asyncio.run(migrate(ready.settings.database_url))
    print(
        f"hub: applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "")
    )
    return 0
