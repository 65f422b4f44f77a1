"""`hub moderation approve|block PAGE_ID`: decide on entries waiting for moderation."""

from __future__ import annotations

import argparse

import asyncpg

from hub.cli.common import Commands, command, group, with_connection
from hub.config import Settings


def register(commands: Commands) -> None:
    decisions = group(
        commands,
        "moderation",
        "approve or block waiting entries",
        "hub moderation approve 12",
        "hub moderation block 12 --reason 'spam'",
        description="Decide on entries that wait for moderation (the author's plan holds "
        "their posts until the owner approves them).",
    )
    for action in ("approve", "block"):
        decide = command(
            decisions,
            action,
            f"{action} what waits for moderation",
            f"hub moderation {action} 12"
            + (" --reason 'not for this blog'" if action == "block" else ""),
        )
        decide.add_argument(
            "page_id", type=int, metavar="PAGE_ID", help="the waiting entry's id, e.g. 12"
        )
        decide.add_argument(
            "--reason", help="shown to the author (block), e.g. 'not for this blog'"
        )
        decide.set_defaults(run=cmd_moderation, action=action)


def cmd_moderation(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hub.core.entries import publishing

    async def work(conn: asyncpg.Connection):
        if args.action == "approve":
            return await publishing.approve(conn, args.page_id, now=datetime.now(UTC))
        return await publishing.block(conn, args.page_id, reason=args.reason)

    status = with_connection(settings, work)
    print(f"entry {args.page_id}: {args.action}d, status {status}")
    return 0
