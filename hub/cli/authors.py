"""`hub author add|list|plan` and `hub owner password`: the people of a node."""

from __future__ import annotations

import argparse
import sys

import asyncpg

from hub.cli.common import Commands, command, group, with_connection
from hub.config import Settings
from hub.core.authors import create_author, find_author, list_authors
from hub.core.errors import DomainError
from hub.core.plans import PLANS, describe


def register(commands: Commands) -> None:
    author = group(
        commands,
        "author",
        "manage authors",
        "hub author add 'Ada Lovelace'",
        "hub author list",
        description="The people who write on this node; the first one added owns it.",
    )
    add = command(
        author,
        "add",
        "add an author (and their default channel)",
        "hub author add 'Ada Lovelace'",
        "hub author add 'Ada Lovelace' --email ada@example.com --channel ada --language de",
    )
    add.add_argument("name", help="the author's display name, e.g. 'Ada Lovelace'")
    add.add_argument("--email", help="their email address, e.g. ada@example.com")
    add.add_argument(
        "--plan",
        choices=PLANS,
        help="the author's plan, e.g. pro (default: HUB_NEW_AUTHOR_PLAN; the owner has no limit)",
    )
    add.add_argument(
        "--language", default="en", help="language of the default channel, e.g. de (default: en)"
    )
    add.add_argument(
        "--channel", help="slug of the default channel, e.g. ada (default: from the name)"
    )
    add.set_defaults(run=cmd_author_add)
    command(author, "list", "list authors: id, name, plan", "hub author list").set_defaults(
        run=cmd_author_list
    )
    plan = command(
        author,
        "plan",
        "change an author's plan (pauses or resumes schedules)",
        "hub author plan 'Ada Lovelace' pro",
        "hub author plan 2 free",
    )
    plan.add_argument("author", help="author name or id, e.g. 'Ada Lovelace' or 2")
    plan.add_argument("plan", choices=PLANS, help="the new plan, e.g. pro")
    plan.set_defaults(run=cmd_author_plan)

    owner_actions = group(
        commands,
        "owner",
        "the node owner's dashboard login",
        "hub owner password",
        description="The login of the node's owner to the dashboard (/dashboard).",
    )
    command(
        owner_actions,
        "password",
        "set the dashboard password (prompted twice, or one line of stdin)",
        "hub owner password",
        "printf '%s\\n' \"$PASSWORD\" | hub owner password",
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
