"""The ActivityPub adapter's jobs, as `hub/worker.py` collects them from each package."""

from __future__ import annotations

from hub.activitypub.deliver import jobs as deliver_jobs
from hub.activitypub.receive import jobs as receive_jobs

FUNCTIONS = [*receive_jobs.FUNCTIONS, *deliver_jobs.FUNCTIONS]
CRON_JOBS = [*receive_jobs.CRON_JOBS, *deliver_jobs.CRON_JOBS]
