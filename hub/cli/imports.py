"""`hub import SOURCE --channel SLUG`: bring a blog in from a WordPress export, a folder of
Markdown files (or any format in `hub.core.imports.formats`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hub.cli.common import Commands
from hub.cli.progress import Progress
from hub.config import Settings
from hub.runtime import prepared

EPILOG = """\
examples:
  hub import wordpress.xml --channel blog --dry-run
  hub import wordpress.xml --channel blog
  hub import ~/jekyll-site/_posts --channel notes --format markdown --author Ada

Running it again creates no duplicates: items already imported into the channel are skipped,
so an interrupted import continues where it stopped. Old URLs of imported items (permalinks,
/?p=ID, Jekyll paths) answer 301 to the new entries while the old domain points at hub.

exit codes: 0 every item imported or already there; 1 some item refused or a failure (the
summary says which and why); 2 usage (unknown channel or format, unreadable source).
"""


def register(commands: Commands) -> None:
    from hub.core.imports.formats import NAMES

    parser = commands.add_parser(
        "import",
        help="import a blog (WordPress WXR, Markdown folder, ...) into a channel",
        description="Import a blog's posts and pages into a channel, with their dates, tags, "
        "drafts, media and old URLs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", help="the export file or folder, e.g. wordpress.xml")
    parser.add_argument("--channel", required=True, help="slug of the channel, e.g. blog")
    parser.add_argument("--format", choices=NAMES, help="the source's format (default: detected)")
    parser.add_argument(
        "--author", help="the author of every entry, by name or id (default: the channel's)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check everything, write nothing, print the summary"
    )
    parser.set_defaults(run=cmd_import)


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from hub.core.errors import DomainError
    from hub.core.imports import formats

    source = Path(args.source).expanduser()
    try:
        fmt = formats.choose(source, args.format)
        parsed = fmt.read(source)
    except DomainError as exc:
        print(f"hub: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"hub: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"{source}: {fmt.description}, {len(parsed.items)} item(s)")
    with prepared(settings) as ready:
        summary = asyncio.run(_run(ready.settings, args, parsed))
    if summary is None:
        return 2
    _print_summary(summary)
    return 1 if summary.refused else 0


async def _run(settings: Settings, args: argparse.Namespace, parsed):
    from hub.core.authors import find_author
    from hub.core.channels import get_channel_by_slug
    from hub.core.errors import NotFound
    from hub.core.imports import writing
    from hub.core.resources import open_resources

    async with open_resources(settings) as resources:
        async with resources.pool.acquire() as conn:
            try:
                channel = await get_channel_by_slug(conn, args.channel)
                author_id = (
                    (await find_author(conn, args.author)).id if args.author else channel.author_id
                )
            except NotFound as exc:
                what = "channel" if "Channel" in exc.message else "author"
                name = args.channel if what == "channel" else args.author
                print(f"hub: no {what} {name!r}: {exc.message}", file=sys.stderr)
                return None
        target = writing.Target(channel.id, channel.slug, channel.default_language, author_id)
        with Progress(len(parsed.items), "importing") as bar:
            return await writing.import_parsed(
                resources, parsed, target, dry_run=args.dry_run,
                progress=lambda outcome: bar.step(f"{outcome.result} {outcome.item.label}"),
            )  # fmt: skip


def _print_summary(summary) -> None:
    head = "dry run, nothing written: would create" if summary.dry_run else "created"
    print(f"{head} {len(summary.created)}, skipped {len(summary.skipped)} (already imported), "
          f"refused {len(summary.refused)}")  # fmt: skip
    for label, why in summary.refused:
        print(f"  refused {label}: {why}")
    for warning in summary.warnings:
        print(f"  warning {warning}")
