"""The `hub` command: serve, worker, migrate, author, token, key, directory.

Every command works in the embedded default too: it joins the PostgreSQL of a running
`hub serve` on the same data directory, or starts it for the length of the command.

Each command group is one module that registers its sub-parser and holds its `cmd_*`
functions; this module builds the parser from them and runs the chosen command.
"""

from __future__ import annotations

import argparse
import logging
import sys

from hub.cli import (
    authors,
    credentials,
    directory,
    export,
    imports,
    moderation,
    serve,
    webmentions,
)
from hub.config import Settings, SettingsError
from hub.core.errors import DomainError

GROUPS = (serve, directory, authors, moderation, webmentions, credentials, export, imports)
"""The command groups, in the order `hub --help` lists their commands."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.run(settings, args) or 0
    except DomainError as exc:
        print(f"hub: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser
