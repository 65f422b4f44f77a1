"""An activity is stored once and queued once per inbox, with its delivery jobs staged in the
same transaction."""

from __future__ import annotations

from hub.core.db import transaction
from hub.core.federation import outbox
from tests.factories import make_author


async def test_one_delivery_per_distinct_inbox_and_jobs_staged(db):
    author = await make_author(db, "Otto")
    body = {"id": "https://n.example/otto#accept/1", "type": "Accept"}
    inboxes = ["https://a.example/inbox", "https://a.example/inbox", "https://b.example/in"]
    async with transaction(db) as conn:
        first = await outbox.queue_activity(
            conn, channel_id=author.channel_id, uri=body["id"], type="Accept", body=body,
            inboxes=inboxes,
        )  # fmt: skip
    async with transaction(db) as conn:
        again = await outbox.queue_activity(
            conn, channel_id=author.channel_id, uri=body["id"], type="Accept", body=body,
            inboxes=["https://b.example/in", "https://c.example/in"],
        )  # fmt: skip
    assert first == again
    rows = await db.fetch("SELECT inbox, host FROM ap_deliveries ORDER BY inbox")
    assert [(r["inbox"], r["host"]) for r in rows] == [
        ("https://a.example/inbox", "a.example"),
        ("https://b.example/in", "b.example"),
        ("https://c.example/in", "c.example"),
    ]
    staged = await db.fetchval(
        "SELECT count(*) FROM job_outbox WHERE function = $1", outbox.DELIVER_ACTIVITY
    )
    assert staged == 3
