"""The `hub` command run as a self-hoster runs it: in a subprocess, against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HUB = [sys.executable, "-m", "hub.cli"]


def run_hub(env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run(
        [*HUB, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def clean_env() -> dict[str, str]:
    """This process's environment without any hub, database or Redis setting."""
    ours = ("HUB_", "DATABASE_", "REDIS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


@pytest.fixture
def cli_env(db, settings, tmp_path):
    env = clean_env()
    env.update(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               HUB_DATA_DIR=str(tmp_path), HUB_BASE_URL="https://blog.example")  # fmt: skip
    return env
