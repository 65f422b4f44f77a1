"""The fan-out of an entry's change: the `ap_fanout` job that the entries' events hook stages
(keyed per entry, 2 s after a change, so a burst of edits is one fan-out) decides what to
tell the followers (`activities.next_activity`) and queues it: the activity stored once and
one delivery per follower inbox (a shared inbox standing for all its followers), in one
transaction. It reads the entry's state when it runs, so a fan-out that finds nothing new
does nothing, and running it twice sends nothing twice (the activity's id is its version's).
"""

from __future__ import annotations

from datetime import UTC, datetime

from hub.activitypub.deliver.activities import activity_id, entry_activity, next_activity
from hub.activitypub.documents.ids import actor_id
from hub.activitypub.documents.objects import entry_object, with_context
from hub.core import writes
from hub.core.federation import deliveries
from hub.core.federation.outbox import queue_activity
from hub.core.resources import Resources


async def fan_out(resources: Resources, entry_id: int) -> str:
    """Queue the Create, Update or Delete that `entry_id`'s change calls for, to every
    follower inbox of its channel. Returns what it did: the activity type, `unchanged`,
    `no_followers` or `skipped` (no such entry)."""
    urls = resources.urls
    async with writes.write(resources) as tx:
        conn = tx.conn
        state = await deliveries.entry_state(conn, entry_id)
        if state is None:
            return "skipped"
        if not state["has_followers"] and state["sent_type"] is None:
            return "no_followers"  # nobody to tell, and nothing told before
        document = await entry_object(conn, urls, entry_id)
        kind = next_activity(
            public=document is not None,
            version=state["version"],
            sent_type=state["sent_type"],
            sent_version=state["sent_version"],
        )
        if kind is None:
            return "unchanged"
        slug, domain = state["channel_slug"], state["custom_domain"]
        object_id = (document or {}).get("id") or urls.entry(
            slug, state["slug"], primary=state["default_language"], custom_domain=domain
        )
        uri = activity_id(object_id, kind, state["version"], state["used_uris"])
        body = with_context(
            entry_activity(
                kind,
                uri=uri,
                actor=actor_id(urls, slug, domain),
                object_id=object_id,
                entry_object=document,
                followers=urls.ap_collection(slug, "followers"),
                now=datetime.now(UTC),
            )
        )
        await queue_activity(
            conn,
            channel_id=state["channel_id"],
            uri=uri,
            type=kind,
            body=body,
            inboxes=await deliveries.follower_inboxes(conn, state["channel_id"]),
            entry_id=entry_id,
            entry_version=state["version"],
        )
    return kind
