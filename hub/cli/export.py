"""`hub export`: the node's blogs as a portable archive (a folder or a zip file) a person can
read without hub: JSON Feed, Markdown with front matter, media files, webmentions, OPML."""

from __future__ import annotations

import argparse
from pathlib import Path

import asyncpg

from hub.cli.common import Commands, with_connection
from hub.config import Settings
from hub.core.errors import DomainError

EPILOG = """\
examples:
  hub export ./my-blog-export              a folder
  hub export blog.zip --channel notes      one blog, as a zip file

The layout of the archive is in its README.md and in docs/import-export.md.
exit codes: 0 written, 1 failure (e.g. no such channel, target not empty), 2 usage."""


def register(commands: Commands) -> None:
    export = commands.add_parser(
        "export",
        help="write the blogs as a portable archive (JSON Feed, Markdown, media, OPML)",
        description=__doc__.splitlines()[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "target",
        metavar="DIR|FILE.zip",
        help="a new or empty folder, or a file name ending in .zip (e.g. blog.zip)",
    )
    export.add_argument(
        "--channel", metavar="SLUG", help="export only this blog (e.g. --channel notes)"
    )
    export.set_defaults(run=cmd_export)


def _check_target(target: Path) -> None:
    if target.suffix.lower() == ".zip":
        if target.exists():
            raise DomainError(f"{target} exists; choose a new file name.")
    elif target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DomainError(f"{target} is not an empty folder; choose a new one.")


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write the archive; progress lines go to stdout, the counts at the end."""
    from hub.core.export import export_node
    from hub.core.urls.build import Urls
    from hub.directory.queries.subscriptions import export_rows
    from hub.directory.reader.opml import render_opml

    target = Path(args.target).expanduser()
    _check_target(target)
    assert settings.media_dir is not None and settings.base_url is not None

    async def subscriptions(conn: asyncpg.Connection, author_ids: list[int]) -> tuple[str, int]:
        feeds: dict[str, dict] = {}
        for author_id in author_ids:  # the node's few authors
            for row in await export_rows(conn, author_id):
                feeds.setdefault(row["feed_url"], dict(row))
        return render_opml("Subscriptions", list(feeds.values())), len(feeds)

    async def work(conn: asyncpg.Connection):
        return await export_node(
            conn,
            target,
            media_dir=settings.media_dir,
            urls=Urls(settings.base_url),
            channel=args.channel,
            subscriptions=subscriptions,
            progress=lambda line: print(line, flush=True),
        )

    counts = with_connection(settings, work)
    print(
        f"exported {counts.channels} channel(s), {counts.entries} entries, "
        f"{counts.translations} translations, {counts.media_files} media files, "
        f"{counts.webmentions} webmentions, {counts.subscriptions} subscriptions to {target}"
    )
    return 0
