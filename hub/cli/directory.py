"""`hub directory add URL`: add a site or feed to the node's directory and poll it;
`hub directory import-opml FILE`: follow every feed of an OPML file, with progress."""

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
    opml_import = directory_actions.add_parser(
        "import-opml",
        help="follow every feed an OPML file lists (as POST /api/account/opml does)",
        epilog="example:\n  hub directory import-opml subscriptions.opml --author Ada\n\n"
        "exit codes: 0 done (skipped outlines are listed); 1 failure; 2 usage (unreadable "
        "or invalid OPML, unknown author).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    opml_import.add_argument("file", help="the OPML file, e.g. subscriptions.opml")
    opml_import.add_argument(
        "--author", help="whose subscriptions, by name or id (default: the node's owner)"
    )
    opml_import.set_defaults(run=cmd_directory_import_opml)


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


def cmd_directory_import_opml(settings: Settings, args: argparse.Namespace) -> int:
    """The same code as the API's OPML import: each outline's URL checked, then added and
    followed (`jobs.import_subscription`), here one after another with a progress line each."""
    import sys
    from pathlib import Path

    from hub.cli.progress import Progress
    from hub.core.authors import find_author, select_owner
    from hub.core.errors import DomainError
    from hub.core.resources import open_resources
    from hub.directory import jobs, service
    from hub.directory.reader import opml

    try:
        outlines = opml.parse_opml(Path(args.file).expanduser().read_bytes())
    except OSError as exc:
        print(f"hub: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except opml.OpmlError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 2

    async def run(ready_settings: Settings) -> int:
        async with open_resources(ready_settings) as resources:
            async with resources.pool.acquire() as conn:
                try:
                    owner = await select_owner(conn) if not args.author else None
                    author_id = owner["id"] if owner else (await find_author(conn, args.author)).id
                except (DomainError, TypeError):
                    print("hub: no such author (or no owner yet)", file=sys.stderr)
                    return 2
            counts: dict[str, int] = {}
            with Progress(len(outlines), "importing") as bar:
                for url, _title in outlines:
                    try:
                        service.check_submitted_url(url)
                        outcome = await jobs.import_subscription(
                            {"resources": resources}, author_id, url
                        )
                    except DomainError as exc:
                        outcome = f"skipped: {exc.message}"
                    key = outcome.split(":", 1)[0]
                    counts[key] = counts.get(key, 0) + 1
                    bar.step(f"{url} {outcome}")
            print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no outlines")
            return 0

    with prepared(settings) as ready:
        return asyncio.run(run(ready.settings))
