"""`hub directory add URL`: add a site or feed to the node's directory and poll it."""

from __future__ import annotations

import argparse
import asyncio

from hub.cli.common import Commands, command, group
from hub.config import Settings
from hub.runtime import prepared


def register(commands: Commands) -> None:
    directory_actions = group(
        commands,
        "directory",
        "the feed directory: add sites and feeds",
        "hub directory add https://example.com/",
        description="The node's feed directory (the /api directory): sites and feeds it polls.",
    )
    directory_add = command(
        directory_actions,
        "add",
        "add a site or feed by URL (discovers its feeds) and poll it",
        "hub directory add https://example.com/",
        "hub directory add https://example.com/feed.xml --no-poll",
    )
    directory_add.add_argument(
        "url", help="a site's page or a feed, e.g. https://example.com/ or .../feed.xml"
    )
    directory_add.add_argument(
        "--no-poll", action="store_true", help="only add it; a worker polls it later"
    )
    directory_add.set_defaults(run=cmd_directory_add)


def cmd_directory_add(settings: Settings, args: argparse.Namespace) -> int:
    """`hub directory add URL`: the same discovery as POST /api/sites, then a first poll."""
    from hub.core.resources import open_resources
    from hub.directory import service
    from hub.directory.polling import poller

    async def run(ready_settings: Settings) -> None:
        async with open_resources(ready_settings) as resources:
            added = await service.add_site(resources, args.url)
            state = "added" if added.created else "already known"
            print(f"site {added.site_id} ({state}): {len(added.feed_ids)} feed(s)")
            print(f"  {ready_settings.base_url}/api/sites/{added.site_id}")
            for feed_id in added.feed_ids:
                if args.no_poll:
                    print(f"  feed {feed_id}: queued for polling")
                    continue
                result = await poller.poll_feed(resources, feed_id)
                detail = f", {result.error}" if result.error else ""
                print(f"  feed {feed_id}: {result.outcome}, {result.added} new post(s){detail}")

    with prepared(settings) as ready:
        asyncio.run(run(ready.settings))
    return 0
