"""The arq worker: collects each package's jobs; builds the same resources the app uses."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from typing import Any

from arq.worker import Worker

from hub.channels import jobs as channels_jobs
from hub.config import Settings
from hub.core import jobs as core_jobs
from hub.core.entries import jobs as entry_jobs
from hub.core.entries import remote_media
from hub.core.media import jobs as media_jobs
from hub.core.resources import Resources, open_resources, redis_settings
from hub.directory import jobs as directory_jobs
from hub.site import jobs as site_jobs
from hub.site.feeds import websub as feeds_websub
from hub.webmentions import jobs as webmention_jobs

PACKAGES = [
    core_jobs,
    entry_jobs,
    channels_jobs,
    remote_media,
    media_jobs,
    directory_jobs,
    webmention_jobs,
    feeds_websub,
    site_jobs,
]  # each API package adds its `jobs` module here when it has jobs


def functions() -> list:
    return [f for package in PACKAGES for f in package.FUNCTIONS]


def cron_jobs() -> list:
    """Fresh copies: a Worker keeps each cron's next run on the object, so sharing the module's
    objects would stop a second worker in this process from running `run_at_startup` jobs."""
    return [copy.copy(c) for package in PACKAGES for c in package.CRON_JOBS]


def build_worker(
    resources: Resources, *, burst: bool = False, handle_signals: bool = False, **options: Any
) -> Worker:
    """A worker sharing `resources` (the pool, Redis and clients of this process). Jobs that
    read this node's own pages (webmention verification, R-W16) get them from the app in
    process."""
    if resources.own_site is None:
        from hub.app import create_app  # the composition root; the app does not import this

        app = create_app(resources.settings, resources)
        resources = dataclasses.replace(resources, own_site=app)
    return Worker(
        functions=functions(),
        cron_jobs=cron_jobs(),
        redis_settings=redis_settings(resources.settings.redis_url),  # its own pool: arq closes it
        ctx={"resources": resources},
        burst=burst,
        handle_signals=handle_signals,
        keep_result=0,  # finished job ids can be queued again at once (deterministic ids)
        max_jobs=options.pop("max_jobs", 20),
        poll_delay=options.pop("poll_delay", 0.25),
        **options,
    )


async def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """`hub worker`: a worker process of its own."""
    async with open_resources(settings) as resources:
        worker = build_worker(resources, burst=burst, handle_signals=not burst)
        try:
            await worker.main()
        finally:
            with contextlib.suppress(Exception):
                await worker.close()
