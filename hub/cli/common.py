"""What every command shares: its help (examples, exit codes) and one database transaction.

`command` and `group` build a command's parser with a description, examples and the exit codes
in its `--help`; a group (`hub directory`) run with no action prints its own help.

`with_connection` runs data commands against the embedded database of a running `hub serve` on
the same data directory (started for the length of the command when none runs), or the
configured one.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from hub.config import Settings
from hub.runtime import prepared

Commands = argparse._SubParsersAction
"""What `add_subparsers` returns: the `hub` parser's commands, handed to each group's `register`."""

EXIT_CODES = (
    "exit codes: 0 done; 1 failed (the message on stderr says why); "
    "2 usage (a wrong or missing argument, or a setting that does not parse); 130 interrupted"
)
"""The exit codes of every `hub` command, as its `--help` ends."""


def epilog(*examples: str) -> str:
    """The end of a `--help`: the examples, one a line, then the exit codes."""
    lines = ["examples:", *(f"  {example}" for example in examples)] if examples else []
    return "\n".join([*lines, "", EXIT_CODES]).lstrip("\n")


def command(
    parent: Commands, name: str, help: str, *examples: str, description: str | None = None
) -> argparse.ArgumentParser:
    """Add the command (or action) `name` with its one-line help, its description and examples."""
    return parent.add_parser(
        name,
        help=help,
        description=description or help[0].upper() + help[1:] + ".",
        epilog=epilog(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def group(
    parent: Commands, name: str, help: str, *examples: str, description: str | None = None
) -> Commands:
    """Add a command with actions (`hub author add`); with no action it prints its own help."""
    parser = command(parent, name, help, *examples, description=description)
    parser.set_defaults(usage_of=parser)
    return parser.add_subparsers(title="actions", metavar="ACTION")


def with_connection(
    settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]]
) -> Any:
    """Run `work` in one transaction against the node's database (embedded or configured)."""

    async def run(url: str) -> Any:
        from hub.core.db import _init_connection

        conn = await asyncpg.connect(url)
        await _init_connection(conn)  # jsonb codecs, as in the pool (job_outbox args)
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()

    with prepared(settings, redis=False) as ready:
        return asyncio.run(run(ready.settings.database_url))
