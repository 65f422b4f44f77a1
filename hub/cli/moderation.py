"""`hub moderation approve|block PAGE_ID`: decide on entries waiting for moderation."""

from __future__ import annotations

import argparse

import asyncpg

from hub.cli.common import Commands, with_connection
from hub.config import Settings


def register(commands: Commands) -> None:
    moderation = commands.add_parser("moderation", help="approve or block waiting entries")
    decisions = moderation.add_subparsers(metavar="ACTION")
    for action in ("approve", "block"):
        decide = decisions.add_parser(action, help=f"{action} what waits for moderation")
        decide.add_argument("page_id", type=int, metavar="PAGE_ID")
        decide.add_argument("--reason", help="shown to the author (block)")
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
