"""The directory as the owner's dashboard works it (`hub.core.directory_desk.DirectoryDesk`):
a site added by URL is a pending submission whose discovery runs as the `discover_site` job
(the same `service.add_site` as `POST /api/sites` and `hub directory add`), which records what
it found or why it failed; and the owner's subscriptions to feeds. Handed to the site by
`hub.app` (the site never imports the directory)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from hub.core.errors import DomainError
from hub.core.queue import stage_job
from hub.core.resources import Resources
from hub.directory import service
from hub.directory.queries import submissions
from hub.directory.queries import subscriptions as sub_queries

DISCOVER_SITE_JOB = "discover_site"


def discover_site_job_id(submission_id: int) -> str:
    return f"{DISCOVER_SITE_JOB}:{submission_id}"


def check_url(url: str) -> str:
    return service.check_submitted_url(url)


async def submit_site(conn: asyncpg.Connection, author_id: int, url: str) -> int:
    submission_id = await submissions.insert_submission(conn, author_id, check_url(url))
    await stage_job(
        conn, DISCOVER_SITE_JOB, submission_id, job_id=discover_site_job_id(submission_id)
    )
    return submission_id


list_submissions = submissions.list_submissions
subscribed_feed_ids = sub_queries.subscribed_among
unsubscribe = sub_queries.unsubscribe_feed


async def subscribe(conn: asyncpg.Connection, author_id: int, feed_id: UUID) -> bool:
    try:
        async with conn.transaction():  # a savepoint inside the caller's transaction
            await sub_queries.subscribe(conn, author_id, feed_id)
    except asyncpg.ForeignKeyViolationError:
        return False
    return True


async def discover(resources: Resources, submission_id: int) -> str:
    """Run a pending submission's discovery and record what it found, or why it failed."""
    row = await submissions.get_submission(resources.pool, submission_id)
    if row is None or row["status"] != submissions.PENDING:
        return "gone" if row is None else row["status"]
    try:
        added = await service.add_site(resources, row["url"], added_by=row["author_id"])
    except DomainError as exc:
        await submissions.finish_submission(
            resources.pool, submission_id, status=submissions.FAILED, error=exc.message
        )
        return submissions.FAILED
    await submissions.finish_submission(
        resources.pool, submission_id, status=submissions.FOUND, site_id=added.site_id,
        feed_count=len(added.feed_ids),
    )  # fmt: skip
    return submissions.FOUND
