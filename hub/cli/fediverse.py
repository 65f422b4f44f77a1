"""`hub fediverse followers|remove-follower`: a blog's fediverse followers.

The same functions as the dashboard's Fediverse page, from `hub.core.federation.desk`.
Removing a follower tells it (a `Reject`, sent by the worker's `send_follow_decision` job).
"""

from __future__ import annotations

import argparse

import asyncpg

from hub.cli.common import Commands, command, group, with_connection
from hub.config import Settings
from hub.core.errors import DomainError


def register(commands: Commands) -> None:
    fediverse = group(
        commands,
        "fediverse",
        "a blog's fediverse followers",
        "hub fediverse followers --channel ada",
        "hub fediverse remove-follower --channel ada @bob@social.example",
        description="Fediverse followers of a blog, as the dashboard's Fediverse page shows them.",
    )
    listing = command(
        fediverse,
        "followers",
        "a blog's followers, newest first",
        "hub fediverse followers --channel ada",
        "hub fediverse followers --channel ada --pending --limit 10",
    )
    listing.add_argument("--channel", required=True, help="the blog's slug, e.g. ada")
    listing.add_argument(
        "--pending", action="store_true", help="the follow requests waiting for approval instead"
    )
    listing.add_argument(
        "--limit", type=int, default=100, help="at most this many, e.g. 10 (default: 100)"
    )
    listing.set_defaults(run=cmd_fediverse, action="followers")
    remove = command(
        fediverse,
        "remove-follower",
        "remove a follower (or refuse a pending request) and tell it",
        "hub fediverse remove-follower --channel ada @bob@social.example",
        "hub fediverse remove-follower --channel ada https://social.example/users/bob",
    )
    remove.add_argument("--channel", required=True, help="the blog's slug, e.g. ada")
    remove.add_argument(
        "actor", metavar="ACTOR", help="its @user@host handle or actor id, as `followers` shows"
    )
    remove.set_defaults(run=cmd_fediverse, action="remove")


def cmd_fediverse(settings: Settings, args: argparse.Namespace) -> int:
    """`hub fediverse followers|remove-follower`: the dashboard's Fediverse page."""
    from hub.core.channels import channel_id_by_slug
    from hub.core.federation import desk

    async def work(conn: asyncpg.Connection):
        channel_id = await channel_id_by_slug(conn, args.channel)
        if channel_id is None:
            raise DomainError(f"No blog {args.channel!r}.")
        if args.action == "followers":
            status = "pending" if args.pending else "accepted"
            return await desk.list_followers(conn, channel_id, status, max(1, args.limit))
        row = await desk.find_follower(conn, channel_id, args.actor)
        if row is None:
            raise DomainError(f"{args.actor} does not follow {args.channel}.")
        await desk.reject_followers(conn, [row["id"]])
        return f"removed {desk.handle_of(row)} from {args.channel}'s followers; it will be told"

    result = with_connection(settings, work)
    if args.action != "followers":
        print(result)
        return 0
    for r in result:
        since = r["since"].strftime("%Y-%m-%d %H:%M")
        print(f"{desk.handle_of(r)}\t{r['name'] or '-'}\t{since}\t{r['uri']}")
    if not result:
        print("no follow requests" if args.pending else "no followers")
    return 0
