"""Loopback HTTP measurement with wrk: an ASGI app served by uvicorn in a process of its own
(uvloop and httptools, as `hub serve` runs it), driven by `wrk` at N connections on
127.0.0.1. Both sides of a comparison are served and driven the same way, so their ratio
compares the apps. `wrk` is Debian's package of that name (`apt-get install wrk`)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(
    argv: list[str], port: int, env: dict[str, str], *, quiet: bool = False, start: float = 60
) -> Iterator[str]:
    """Run `python argv...` (a child that serves on `port`) until the block ends; yields its
    base URL once the port accepts connections (within `start` seconds). `quiet` drops the
    child's output."""
    out = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen([sys.executable, *argv], env={**os.environ, **env}, stdout=out,
                            stderr=out)  # fmt: skip
    try:
        deadline = time.monotonic() + start
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server {argv[1:]} exited with {proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server {argv[1:]} did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, seconds: float = 20) -> None:
    """Ask a child process to end, and kill it when it has not within `seconds`."""
    proc.terminate()
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def serve(app, port: int) -> None:
    """In the child: serve `app` on 127.0.0.1:`port` as `hub serve` would (quietly: wrk ends
    its run by dropping the connections of requests in flight; failures show in its counts)."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                            log_level="critical", access_log=False, server_header=False,
                            proxy_headers=False,
                            lifespan="off")  # fmt: skip
    await uvicorn.Server(config).serve()


def wrk_post(url: str, *, headers: dict[str, str], body: tuple[str, str], slug_prefix: str,
             seconds: float, connections: int) -> tuple[float, float]:  # fmt: skip
    """POST to `url` for `seconds` at `connections`, each body `body[0] + slug + body[1]` with
    a slug of its own (`slug_prefix` + a counter); (requests/s, p99 in ms). Any answer other
    than 2xx fails the measurement."""
    lines = [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    script = "\n".join([
        'wrk.method = "POST"', *lines, "local n = 0",
        f"local head, tail, prefix = [==[{body[0]}]==], [==[{body[1]}]==], \"{slug_prefix}\"",
        "request = function()", "  n = n + 1",
        "  return wrk.format(nil, nil, nil, head .. prefix .. n .. tail)", "end",
    ])  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="hub-bench-wrk-") as tmp:
        path = Path(tmp) / "post.lua"
        path.write_text(script)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(path),
             url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
    return rate, float(value) * _UNITS[unit]
