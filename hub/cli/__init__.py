"""The `hub` command: run a node, and manage its authors, credentials, directory and mentions.

Every command works in the embedded default too: it joins the PostgreSQL of a running
`hub serve` on the same data directory, or starts it for the length of the command.

Each command group is one module that registers its sub-parser and holds its `cmd_*`
functions; this module builds the parser from them and runs the chosen command.
"""

from __future__ import annotations

import argparse
import sys

from hub.cli import (
    authors,
    backup,
    credentials,
    directory,
    export,
    fediverse,
    imports,
    moderation,
    serve,
    webmentions,
)
from hub.cli.common import EXIT_CODES
from hub.config import Settings, SettingsError
from hub.core import logs
from hub.core.errors import DomainError
from hub.core.version import VERSION

GROUPS = (
    serve, directory, authors, moderation, webmentions, fediverse, credentials, backup, export,
    imports,
)  # fmt: skip
"""The command groups, in the order `hub --help` lists their commands."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):  # `hub`, or a group with no action (`hub directory`)
        getattr(args, "usage_of", parser).print_help()
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 2
    try:
        logs.configure(settings.log_level, settings.log_format)  # hub.core.logs: the one place
    except ValueError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 2
    try:
        return args.run(settings, args) or 0
    except DomainError as exc:
        print(f"hub: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The `hub` parser: every group's commands, `--version`, and a description naming them."""
    parser = argparse.ArgumentParser(
        prog="hub",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(
            [
                "examples:",
                "  hub serve                        # the blog on http://127.0.0.1:8000",
                "  hub author add 'Ada Lovelace'    # the first author owns the node",
                "  hub token create --author 'Ada Lovelace' --name 'iA Writer'",
                "  hub directory --help             # a command's own help and examples",
                "",
                EXIT_CODES,
            ]
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"hub {VERSION}", help="print `hub VERSION`"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    parser.description = (
        __doc__.splitlines()[0].removeprefix("The `hub` command: ").capitalize()
        + "\n\ncommands: "
        + ", ".join(commands.choices)
        + ".\nhub COMMAND --help says what one does, with examples."
    )
    return parser
