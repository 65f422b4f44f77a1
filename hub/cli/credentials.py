"""`hub token ...` and `hub key ...`: create, list, revoke and verify credentials.

`token` makes Micropub app tokens by default (`--kind` picks another), `key` v1 API keys.
"""

from __future__ import annotations

import argparse
import sys

import asyncpg

from hub.cli.common import Commands, command, group, with_connection
from hub.config import Settings
from hub.core import auth
from hub.core.authors import find_author
from hub.core.channels import get_channel_by_slug
from hub.core.errors import DomainError


def register(commands: Commands) -> None:
    for name, kind in (("token", "app_token"), ("key", "api_key")):
        what = "Micropub app tokens" if name == "token" else "v1 API keys"
        actions = group(
            commands,
            name,
            f"manage {what}",
            f"hub {name} create --author 'Ada Lovelace' --name 'my {name}'",
            f"hub {name} list --author 'Ada Lovelace'",
            description=f"Create, list, revoke and check {what}: the secrets that "
            + ("Micropub clients" if name == "token" else "programs using the v1 API")
            + " send as `Authorization: Bearer SECRET`.",
        )
        create = command(
            actions,
            "create",
            "create one; the secret is printed once",
            f"hub {name} create --author 'Ada Lovelace' --name 'iA Writer'",
            f"hub {name} create --author 2 --channel ada --scopes create,update",
        )
        create.add_argument(
            "--author", required=True, help="author name or id, e.g. 'Ada Lovelace' or 2"
        )
        create.add_argument(
            "--channel", "--blog", dest="channel", help="bind to one channel slug, e.g. ada"
        )
        create.add_argument("--name", default="", help="what the token is for, e.g. 'iA Writer'")
        create.add_argument(
            "--scopes",
            "--scope",
            dest="scopes",
            help=f"comma or space separated (default: {','.join(auth.DEFAULT_SCOPES[kind])}); "
            f"known: {','.join(sorted(auth.SCOPES))}. v1 reads (every GET) need 'read', or "
            "one of 'create', 'update', 'channels'",
        )
        if name == "token":
            create.add_argument(
                "--kind",
                default="app_token",
                choices=sorted(auth.KINDS - {"indieauth"}),
                help="app_token (Micropub), api_key (v1), directory_token (directory)",
            )
        create.set_defaults(run=cmd_token_create, kind=kind)
        listing = command(
            actions,
            "list",
            "list live ones (never their secrets)",
            f"hub {name} list",
            f"hub {name} list --author 'Ada Lovelace' --all",
        )
        listing.add_argument("--author", help="only this author's, e.g. 'Ada Lovelace' or 2")
        listing.add_argument("--all", action="store_true", help="include revoked ones")
        listing.set_defaults(run=cmd_token_list)
        revoke = command(actions, "revoke", "revoke one by id", f"hub {name} revoke 7")
        revoke.add_argument("id", type=int, help=f"its id, as `hub {name} list` shows, e.g. 7")
        revoke.set_defaults(run=cmd_token_revoke)
        verify = command(
            actions,
            "verify",
            "say whose a secret is (read from stdin); exit 1 when it is not valid",
            f'echo "$SECRET" | hub {name} verify',
        )
        verify.set_defaults(run=cmd_token_verify)


def cmd_token_create(settings: Settings, args: argparse.Namespace) -> int:
    async def work(conn: asyncpg.Connection):
        author = await find_author(conn, args.author)
        channel_id = None
        if args.channel:
            channel = await get_channel_by_slug(conn, args.channel)
            if channel.author_id != author.id:
                raise DomainError(f"Channel {args.channel!r} does not belong to {author.name}.")
            channel_id = channel.id
        return await auth.create_credential(
            conn,
            author_id=author.id,
            kind=args.kind,
            name=args.name,
            scopes=args.scopes,
            channel_id=channel_id,
        )

    credential, secret = with_connection(settings, work)
    print(
        f"created {credential.kind} {credential.id} for {credential.author_name}, "
        f"scopes: {' '.join(credential.scopes) or '(none)'}"
    )
    print("secret (shown once; store it now):")
    print(secret)
    return 0


def cmd_token_list(settings: Settings, args: argparse.Namespace) -> int:
    async def work(conn: asyncpg.Connection):
        author_id = (await find_author(conn, args.author)).id if args.author else None
        return await auth.list_credentials(conn, author_id=author_id, include_revoked=args.all)

    for c in with_connection(settings, work):
        used = c.last_used_at.isoformat(timespec="seconds") if c.last_used_at else "never"
        state = "revoked" if c.revoked_at else "live"
        print(
            f"{c.id}\t{c.kind}\t{c.token_hint}…\t{c.author_name}\t{','.join(c.scopes)}\t"
            f"{c.name or '-'}\tlast used {used}\t{state}"
        )
    return 0


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> int:
    credential = with_connection(settings, lambda conn: auth.revoke_credential(conn, args.id))
    print(f"revoked {credential.kind} {credential.id} ({credential.token_hint}…)")
    return 0


def cmd_token_verify(settings: Settings, args: argparse.Namespace) -> int:
    secret = sys.stdin.readline().strip()
    presented = auth.PresentedToken(secret, auth.VIA_BEARER)
    principal = with_connection(settings, lambda conn: auth.resolve_principal(conn, presented))
    print(
        f"live {principal.kind} {principal.credential_id} of {principal.author_name}, "
        f"scopes: {' '.join(sorted(principal.scopes)) or '(none)'}"
    )
    return 0
