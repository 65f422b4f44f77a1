"""The answer to a Follow: an `Accept` (a follow accepted at once, or approved by the owner)
or a `Reject` (refused, removed or blocked by the owner), queued for delivery to the
follower's own inbox with `hub.core.federation.outbox.queue_activity`. Its object is the
Follow as received (its id kept); its id is `{actor id}#accepts/{follower id}` (or
`#rejects/`). A Reject also ends the follow: the row goes once the Reject is queued."""

from __future__ import annotations

from typing import Any

import asyncpg

from hub.core.db import transaction
from hub.core.federation import follows
from hub.core.federation.outbox import queue_activity
from hub.core.queue import claiming, queue_claimed
from hub.core.resources import Resources
from hub.core.urls import Urls

CONTEXT = "https://www.w3.org/ns/activitystreams"


def decision(urls: Urls, row: Any, *, accepted: bool) -> dict[str, Any]:
    """The Accept or Reject of the follow in `row` (`follower_for_decision`)."""
    actor = urls.channel(row["slug"], custom_domain=row["custom_domain"])
    kind = "Accept" if accepted else "Reject"
    return {
        "@context": CONTEXT,
        "id": f"{actor}#{'accepts' if accepted else 'rejects'}/{row['id']}",
        "type": kind,
        "actor": actor,
        "object": {
            "id": row["follow_id"],
            "type": "Follow",
            "actor": row["actor_uri"],
            "object": actor,
        },
    }


async def send_decision(resources: Resources, follower_id: int, *, accepted: bool) -> str:
    """Queue the Accept (of an accepted follow) or the Reject (of a pending one)."""

    async def work(conn: asyncpg.Connection) -> str:
        row = await follows.follower_for_decision(conn, follower_id)
        if row is None:
            return "missing"
        # the owner's Reject, Remove and Block leave the row 'rejected' until it is sent
        expected = ("accepted",) if accepted else ("pending", "rejected")
        if row["status"] not in expected or not row["inbox"]:
            return "skipped"
        body = decision(resources.urls, row, accepted=accepted)
        await queue_activity(
            conn, channel_id=row["channel_id"], uri=body["id"], type=body["type"], body=body,
            inboxes=[row["inbox"]],
        )  # fmt: skip
        if not accepted:
            await follows.remove_follower(conn, row["channel_id"], row["actor_id"], None)
        return body["type"].lower()

    with claiming() as claimed:
        async with transaction(resources.pool) as conn:
            outcome = await work(conn)
    await queue_claimed(resources.redis, claimed)
    return outcome
