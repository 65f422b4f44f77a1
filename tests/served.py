"""A real `hub serve` process on 127.0.0.1 for end-to-end tests (browser, fediverse): on the
test database and Redis, with or without its in-process worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_hub(
    settings, tmp_path, *, run_worker: bool,
    requirements: Callable[[], str | None] | None = None, **extra_env: str,
) -> Iterator[str]:  # fmt: skip
    """A real `hub serve` on the test database, at http://127.0.0.1:PORT, until closed; with
    or without its in-process worker (without one, /healthz says so with a 503: still ready)."""
    missing = requirements() if requirements else None
    if missing:
        pytest.skip(missing)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_", "REDIS_"))}
    env.update(
        DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
        HUB_DATA_DIR=str(tmp_path), HUB_BASE_URL=base, HUB_HOST="127.0.0.1",
        HUB_PORT=str(port), HUB_RUN_WORKER="1" if run_worker else "0",
        HUB_LOG_LEVEL="warning", **extra_env,
    )  # fmt: skip
    log = open(tmp_path / "serve.log", "w+")  # closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(base + "/healthz", timeout=2)
                if health.status_code == 200 or (
                    not run_worker and health.json().get("worker") == "no worker alive"
                ):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"hub serve did not start:\n{log.read()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
