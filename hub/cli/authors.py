"""`hub author add|list|plan` and `hub owner password`: the people of a node."""

from __future__ import annotations

import argparse
import sys

import asyncpg

from hub.cli.common import Commands, with_connection
from hub.config import Settings
from hub.core.authors import create_author, find_author, list_authors
from hub.core.errors import DomainError
from hub.core.plans import PLANS, describe


def register(commands: Commands) -> None:
    author = commands.add_parser("author", help="manage authors").add_subparsers(metavar="ACTION")
    add = author.add_parser("add", help="add an author (and their default channel)")
    add.add_argument("name")
    add.add_argument("--email")
    add.add_argument(
        "--plan", choices=PLANS, help="the author's plan (default: HUB_NEW_AUTHOR_PLAN)"
    )
    add.add_argument("--language", default="en", help="language of the default channel")
    add.add_argument("--channel", help="slug of the default channel (default: from the name)")
    add.set_defaults(run=cmd_author_add)
    author.add_parser("list", help="list authors").set_defaults(run=cmd_author_list)
    plan = author.add_parser("plan", help="change an author's plan (pauses or resumes schedules)")
    plan.add_argument("author", help="author name or id")
    plan.add_argument("plan", choices=PLANS)
    plan.set_defaults(run=cmd_author_plan)

    owner = commands.add_parser("owner", help="the node owner's dashboard login")
    owner_actions = owner.add_subparsers(metavar="ACTION")
    owner_actions.add_parser(
        "password", help="set the dashboard password (prompted twice, or one line of stdin)"
    ).set_defaults(run=cmd_owner_password)


def cmd_author_add(settings: Settings, args: argparse.Namespace) -> int:
    from hub.core.channels import default_channel

    async def work(conn: asyncpg.Connection):
        author = await create_author(
            conn,
            args.name,
            email=args.email,
            plan=args.plan or settings.new_author_plan,
            language=args.language,
            channel_slug=args.channel,
        )
        return author, await default_channel(conn, author.id)

    author, channel = with_connection(settings, work)
    role = " (owner of this node)" if author.is_owner else ""
    print(f"author {author.id} {author.name!r}{role}, plan {author.plan}")
    print(f"can do: {describe(settings, author)}")
    print(f"default channel {channel.slug!r}: {settings.base_url}/{channel.slug}")
    return 0


def cmd_author_list(settings: Settings, args: argparse.Namespace) -> int:
    authors = with_connection(settings, list_authors)
    for a in authors:
        owner = "\towner" if a.is_owner else ""
        print(f"{a.id}\t{a.name}\t{a.plan}{owner}")
    if not authors:
        print("no authors yet: `hub author add NAME`")
    return 0


def cmd_author_plan(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hub.core.entries.publishing import change_plan

    async def work(conn: asyncpg.Connection):
        author = await find_author(conn, args.author)
        await change_plan(conn, author.id, args.plan, datetime.now(UTC))
        return author

    author = with_connection(settings, work)
    print(f"author {author.id} {author.name!r}: plan {args.plan}")
    if author.is_owner:
        print("the node's owner: plans never limit the owner")
    return 0


def cmd_owner_password(settings: Settings, args: argparse.Namespace) -> int:
    """`hub owner password`: prompted twice on a terminal, else the first line of stdin."""
    import getpass

    from hub.core.authors import select_owner, set_password_hash
    from hub.site.login.passwords import check_strength, hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("New dashboard password: ")
        if getpass.getpass("Once more: ") != password:
            print("hub: the two passwords differ; nothing changed", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = check_strength(password)
    if problem:
        print(f"hub: {problem}", file=sys.stderr)
        return 1

    async def work(conn: asyncpg.Connection):
        owner = await select_owner(conn)
        if owner is None:
            raise DomainError("There is no owner yet: `hub author add NAME` creates one.")
        await set_password_hash(conn, owner["id"], hash_password(password))
        return owner["name"]

    name = with_connection(settings, work)
    print(f"password set for {name}; sign in at {settings.base_url}/dashboard/login")
    return 0
