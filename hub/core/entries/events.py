"""What happens after an entry's public state changes, whichever API changed it.

`publishing.py` stages `reactions` inside the transaction of the change, with the page status
(`entry_changed` stages them alone): the jobs that react to it, by name (core imports no
adapter):
- `send_webmentions` (the webmention sender, webmention-site-feeds.md §2.1): a batched job
  (`hub.core.batches`) whose rows are due 30 s after their change, so that a burst of edits
  sends once, from the latest state (R-W15); a run takes every entry whose row is due and
  queues the next run for the rows still waiting;
- `websub_publish` (the site's ping of the WebSub hub for the entry's feeds, when one is set):
  batched the same way, due 2 s after the change, so subscribers hear of a post within
  seconds (issue 16) and a burst of edits, or of posts, pings each topic once;
- `ap_fanout` (the ActivityPub adapter's fan-out: the Create, Update or Delete the entry's
  fediverse followers hear of): a batched job (`hub.core.batches`) deferred 2 s like the
  WebSub ping: the changes of those 2 s (a burst of edits, or of posts) are one run that
  reads the latest state of each entry (issue 19);
- `index_own_entry` (the directory indexes the node's own channels at publish time): queued at
  once as a batched job (`hub.core.batches`): a burst of changes queues one job, whose run
  indexes every entry staged since the last run, and a change committed while a run is under
  way queues the next run (the job is idempotent and reads the state when it runs).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import asyncpg

from hub.core.batches import batch_job_id
from hub.core.queue import StagedJob, stage_jobs

log = logging.getLogger("hub.entries")

SEND_WEBMENTIONS = "send_webmentions"
SEND_DELAY = timedelta(seconds=30)
WEBSUB_DELAY = timedelta(seconds=2)  # short: a prompt ping, still one per burst of edits
INDEX_OWN_ENTRY = "index_own_entry"
WEBSUB_PUBLISH = "websub_publish"  # the site pings the WebSub hub for the entry's feeds
AP_FANOUT = "ap_fanout"  # the entry's Create, Update or Delete to its channel's followers
AP_FANOUT_DELAY = timedelta(seconds=2)


def reactions(entry_id: int) -> list[StagedJob]:
    """The jobs that react to a change of `entry_id`; `publishing.refresh_status` stages them
    in the statement that stores the page status. The jobs read the entry's state when they
    run and decide from it (a job that finds nothing new to tell does nothing)."""
    now = datetime.now(UTC)
    return [
        (SEND_WEBMENTIONS, [entry_id], batch_job_id(SEND_WEBMENTIONS), now + SEND_DELAY),
        (WEBSUB_PUBLISH, [entry_id], batch_job_id(WEBSUB_PUBLISH), now + WEBSUB_DELAY),
        (AP_FANOUT, [entry_id], batch_job_id(AP_FANOUT), now + AP_FANOUT_DELAY),
        (INDEX_OWN_ENTRY, [entry_id], batch_job_id(INDEX_OWN_ENTRY), None),
    ]


async def entry_changed(conn: asyncpg.Connection, entry_id: int, event: str) -> None:
    """Stage the reactions to a change of `entry_id` in the caller's transaction, on their
    own (a writer that stores the page status stages them with it instead). `event` names
    the change for the log."""
    log.debug("entry %s %s", entry_id, event)
    await stage_jobs(conn, reactions(entry_id))
