"""The jobs of `hub.activitypub.receive` (listed by `hub.activitypub.jobs`)."""

from __future__ import annotations

FUNCTIONS: list = []
CRON_JOBS: list = []
