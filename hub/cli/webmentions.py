"""`hub webmention list|approve|reject|block`: moderate received webmentions.

The same functions as the dashboard's Webmentions page, from `hub.core.webmentions.moderation`.
"""

from __future__ import annotations

import argparse

import asyncpg

from hub.cli.common import Commands, command, group, with_connection
from hub.config import Settings
from hub.core.errors import DomainError


def register(commands: Commands) -> None:
    mentions = group(
        commands,
        "webmention",
        "moderate received webmentions",
        "hub webmention list --status pending",
        "hub webmention approve 3f2a9c",
        description="Received webmentions, as the dashboard's Webmentions page shows them.",
    )
    listing = command(
        mentions,
        "list",
        "received mentions, newest first",
        "hub webmention list",
        "hub webmention list --status pending --limit 10",
    )
    listing.add_argument(
        "--status", help="only these, e.g. pending (approved, queued, rejected, error, ...)"
    )
    listing.add_argument(
        "--limit", type=int, default=50, help="at most this many, e.g. 10 (default: 50)"
    )
    listing.set_defaults(run=cmd_webmention, action="list")
    for action in ("approve", "reject", "block"):
        what = "block its source (and delete what the block matches)" if action == "block" else ""
        decide = command(
            mentions,
            action,
            what or f"{action} a mention",
            f"hub webmention {action} 3f2a9c"
            + (" --url --reason 'spam'" if action == "block" else ""),
        )
        decide.add_argument(
            "mention_id", metavar="MENTION_ID", help="as `hub webmention list` shows, e.g. 3f2a9c"
        )
        if action == "block":
            decide.add_argument(
                "--url", action="store_true", help="only this source URL (default: its domain)"
            )
            decide.add_argument("--reason", help="kept with the block, e.g. 'spam'")
        decide.set_defaults(run=cmd_webmention, action=action)


def cmd_webmention(settings: Settings, args: argparse.Namespace) -> int:
    """`hub webmention list|approve|reject|block`: the dashboard's Webmentions page."""
    from hub.core.webmentions import moderation as mq

    async def work(conn: asyncpg.Connection):
        if args.action == "list":
            if args.status is not None and args.status not in mq.STATUSES:
                raise DomainError(f"--status must be one of {', '.join(mq.STATUSES)}")
            return await mq.list_mentions(conn, args.status, max(1, args.limit), 0)
        row = await mq.select_mention(conn, args.mention_id)
        if row is None:
            raise DomainError(f"No webmention {args.mention_id!r}.")
        if args.action == "block":
            kind = "url" if args.url else "domain"
            pattern = row["source_norm"] if args.url else row["source_domain"]
            deleted = await mq.block_source(conn, kind, pattern, args.reason)
            return f"blocked {kind} {pattern}; {deleted} mention(s) deleted"
        decide = mq.approve_mention if args.action == "approve" else mq.reject_mention
        if not await decide(conn, row["id"]):
            raise DomainError(f"Webmention {row['id']} is {row['status']}; nothing changed.")
        return f"webmention {row['id']}: {args.action.rstrip('e')}ed"

    result = with_connection(settings, work)
    if args.action != "list":
        print(result)
        return 0
    for r in result:
        print(f"{r['id']}\t{r['status']}\t{r['type'] or '-'}\t{r['source']}\t{r['target']}")
    if not result:
        print("no webmentions")
    return 0
