"""The `hub` command: serve, worker, migrate, author, token, key, directory.

Every command works in the embedded default too: it joins the PostgreSQL of a running
`hub serve` on the same data directory, or starts it for the length of the command.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from hub.config import Settings, SettingsError
from hub.core import auth
from hub.core.authors import create_author, find_author, list_authors
from hub.core.channels import get_channel_by_slug
from hub.core.errors import DomainError
from hub.runtime import Prepared, prepared


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

    serve = commands.add_parser("serve", help="run the web service (and, embedded, the worker)")
    serve.add_argument("--host", help="address to listen on (HUB_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (HUB_PORT)")
    serve.set_defaults(run=cmd_serve)

    worker = commands.add_parser("worker", help="run the job worker alone")
    worker.add_argument("--burst", action="store_true", help="run queued jobs, then exit")
    worker.set_defaults(run=cmd_worker)

    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    migrate.set_defaults(run=cmd_migrate)

    directory = commands.add_parser("directory", help="the feed directory")
    directory_actions = directory.add_subparsers(metavar="ACTION")
    directory_add = directory_actions.add_parser(
        "add", help="add a site or feed by URL (discovers its feeds) and poll it"
    )
    directory_add.add_argument("url")
    directory_add.add_argument(
        "--no-poll", action="store_true", help="only add it; a worker polls it later"
    )
    directory_add.set_defaults(run=cmd_directory_add)

    author = commands.add_parser("author", help="manage authors").add_subparsers(metavar="ACTION")
    add = author.add_parser("add", help="add an author (and their default channel)")
    add.add_argument("name")
    add.add_argument("--email")
    add.add_argument("--plan", default="free", choices=["free", "pro", "premium"])
    add.add_argument("--language", default="en", help="language of the default channel")
    add.add_argument("--channel", help="slug of the default channel (default: from the name)")
    add.set_defaults(run=cmd_author_add)
    author.add_parser("list", help="list authors").set_defaults(run=cmd_author_list)
    plan = author.add_parser("plan", help="change an author's plan (pauses or resumes schedules)")
    plan.add_argument("author", help="author name or id")
    plan.add_argument("plan", choices=["free", "pro", "premium"])
    plan.set_defaults(run=cmd_author_plan)

    owner = commands.add_parser("owner", help="the node owner's dashboard login")
    owner_actions = owner.add_subparsers(metavar="ACTION")
    owner_actions.add_parser(
        "password", help="set the dashboard password (prompted twice, or one line of stdin)"
    ).set_defaults(run=cmd_owner_password)

    moderation = commands.add_parser("moderation", help="approve or block waiting entries")
    decisions = moderation.add_subparsers(metavar="ACTION")
    for action in ("approve", "block"):
        decide = decisions.add_parser(action, help=f"{action} what waits for moderation")
        decide.add_argument("page_id", type=int, metavar="PAGE_ID")
        decide.add_argument("--reason", help="shown to the author (block)")
        decide.set_defaults(run=cmd_moderation, action=action)

    webmention = commands.add_parser("webmention", help="moderate received webmentions")
    mentions = webmention.add_subparsers(metavar="ACTION")
    listing = mentions.add_parser("list", help="received mentions, newest first")
    listing.add_argument("--status", help="pending, approved, queued, rejected, error, ...")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(run=cmd_webmention, action="list")
    for action in ("approve", "reject", "block"):
        what = "block its source (and delete what the block matches)" if action == "block" else ""
        decide = mentions.add_parser(action, help=what or f"{action} a mention")
        decide.add_argument("mention_id", metavar="MENTION_ID")
        if action == "block":
            decide.add_argument("--url", action="store_true", help="only this source URL")
            decide.add_argument("--reason")
        decide.set_defaults(run=cmd_webmention, action=action)

    for name, kind in (("token", "app_token"), ("key", "api_key")):
        what = "Micropub app tokens" if name == "token" else "v1 API keys"
        group = commands.add_parser(name, help=f"manage {what}").add_subparsers(metavar="ACTION")
        create = group.add_parser("create", help="create one; the secret is printed once")
        create.add_argument("--author", required=True, help="author name or id")
        create.add_argument("--channel", "--blog", dest="channel", help="bind to one channel slug")
        create.add_argument("--name", default="", help="what the token is for, e.g. 'iA Writer'")
        create.add_argument(
            "--scopes",
            "--scope",
            dest="scopes",
            help=f"comma or space separated (default: {','.join(auth.DEFAULT_SCOPES[kind])}); "
            f"known: {','.join(sorted(auth.SCOPES))}",
        )
        if name == "token":
            create.add_argument(
                "--kind",
                default="app_token",
                choices=sorted(auth.KINDS - {"indieauth"}),
                help="app_token (Micropub), api_key (v1), directory_token (directory)",
            )
        create.set_defaults(run=cmd_token_create, kind=kind)
        listing = group.add_parser("list", help="list live ones (never their secrets)")
        listing.add_argument("--author", help="only this author's")
        listing.add_argument("--all", action="store_true", help="include revoked ones")
        listing.set_defaults(run=cmd_token_list)
        revoke = group.add_parser("revoke", help="revoke one by id")
        revoke.add_argument("id", type=int)
        revoke.set_defaults(run=cmd_token_revoke)
        verify = group.add_parser("verify", help="say whose a secret is (read from stdin)")
        verify.set_defaults(run=cmd_token_verify)
    return parser


# -- serve and worker ------------------------------------------------------------------------


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:  # read again so that a default base URL follows --host/--port
        settings = Settings.from_env(**overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # uvicorn re-raises SIGTERM after its graceful shutdown; make that an exit that still runs
    # our cleanup (stopping the embedded servers) instead of the default instant death
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with prepared(settings) as ready:
        _announce(ready)
        asyncio.run(_serve(ready))
    print("hub: stopped", flush=True)
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _announce(ready: Prepared) -> None:
    s = ready.settings
    print(f"hub: listening on http://{s.host}:{s.port} (public URL {s.base_url})", flush=True)
    print(f"hub: database: {ready.database_label}", flush=True)
    print(f"hub: redis: {ready.redis_label}", flush=True)
    worker = "in this process" if ready.worker_in_process else "not here (run `hub worker`)"
    print(f"hub: job worker: {worker}", flush=True)


async def _serve(ready: Prepared) -> None:
    import uvicorn

    from hub.app import create_app
    from hub.core.resources import open_resources
    from hub.worker import build_worker

    settings = ready.settings
    async with open_resources(settings) as resources:
        config = uvicorn.Config(
            create_app(settings, resources),
            host=settings.host,
            port=settings.port,
            loop="uvloop",
            http="httptools",
            log_level=settings.log_level,
            proxy_headers=False,
            server_header=False,
        )
        server = uvicorn.Server(config)
        worker = build_worker(resources) if ready.worker_in_process else None
        worker_task = asyncio.create_task(worker.async_run()) if worker else None
        try:
            await server.serve()
        finally:
            if worker_task is not None:
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await worker_task
                with contextlib.suppress(Exception):
                    await worker.close()


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from hub.worker import run_worker

    with prepared(settings) as ready:
        print(f"hub: worker on {ready.redis_label}; database: {ready.database_label}", flush=True)
        asyncio.run(run_worker(ready.settings, burst=args.burst))
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from hub.core.migrate import migrate

    with prepared(settings, redis=False, run_migrations=False) as ready:
        applied = asyncio.run(migrate(ready.settings.database_url))
    print(
        f"hub: applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "")
    )
    return 0


# -- data commands ---------------------------------------------------------------------------


def _with_connection(
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


def cmd_author_add(settings: Settings, args: argparse.Namespace) -> int:
    from hub.core.channels import default_channel

    async def work(conn: asyncpg.Connection):
        author = await create_author(
            conn,
            args.name,
            email=args.email,
            plan=args.plan,
            language=args.language,
            channel_slug=args.channel,
        )
        return author, await default_channel(conn, author.id)

    author, channel = _with_connection(settings, work)
    role = " (owner of this node)" if author.is_owner else ""
    print(f"author {author.id} {author.name!r}{role}, plan {author.plan}")
    print(f"default channel {channel.slug!r}: {settings.base_url}/{channel.slug}")
    return 0


def cmd_author_list(settings: Settings, args: argparse.Namespace) -> int:
    authors = _with_connection(settings, list_authors)
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

    author = _with_connection(settings, work)
    print(f"author {author.id} {author.name!r}: plan {args.plan}")
    return 0


def cmd_moderation(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hub.core.entries import publishing

    async def work(conn: asyncpg.Connection):
        if args.action == "approve":
            return await publishing.approve(conn, args.page_id, now=datetime.now(UTC))
        return await publishing.block(conn, args.page_id, reason=args.reason)

    status = _with_connection(settings, work)
    print(f"entry {args.page_id}: {args.action}d, status {status}")
    return 0


def cmd_webmention(settings: Settings, args: argparse.Namespace) -> int:
    """`hub webmention list|approve|reject|block`: the dashboard's Webmentions page."""
    from hub.core.webmentions import moderation as mq

    async def work(conn: asyncpg.Connection):
        if args.action == "list":
            if args.status is not None and args.status not in mq.STATUSES:
                raise DomainError(f"--status must be one of {', '.join(mq.STATUSES)}")
            return await mq.list_mentions(conn, args.status, max(1, args.limit), 0)
        row = await mq.select_mention(conn, args.mention_id)
        if row is None:
            raise DomainError(f"No webmention {args.mention_id!r}.")
        if args.action == "block":
            kind = "url" if args.url else "domain"
            pattern = row["source_norm"] if args.url else row["source_domain"]
            deleted = await mq.block_source(conn, kind, pattern, args.reason)
            return f"blocked {kind} {pattern}; {deleted} mention(s) deleted"
        decide = mq.approve_mention if args.action == "approve" else mq.reject_mention
        if not await decide(conn, row["id"]):
            raise DomainError(f"Webmention {row['id']} is {row['status']}; nothing changed.")
        return f"webmention {row['id']}: {args.action.rstrip('e')}ed"

    result = _with_connection(settings, work)
    if args.action != "list":
        print(result)
        return 0
    for r in result:
        print(f"{r['id']}\t{r['status']}\t{r['type'] or '-'}\t{r['source']}\t{r['target']}")
    if not result:
        print("no webmentions")
    return 0


def cmd_owner_password(settings: Settings, args: argparse.Namespace) -> int:
    """`hub owner password`: prompted twice on a terminal, else the first line of stdin."""
    import getpass

    from hub.site.login.passwords import check_strength, hash_password
    from hub.site.login.queries import select_owner, set_password_hash

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

    name = _with_connection(settings, work)
    print(f"password set for {name}; sign in at {settings.base_url}/dashboard/login")
    return 0


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

    credential, secret = _with_connection(settings, work)
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

    for c in _with_connection(settings, work):
        used = c.last_used_at.isoformat(timespec="seconds") if c.last_used_at else "never"
        state = "revoked" if c.revoked_at else "live"
        print(
            f"{c.id}\t{c.kind}\t{c.token_hint}…\t{c.author_name}\t{','.join(c.scopes)}\t"
            f"{c.name or '-'}\tlast used {used}\t{state}"
        )
    return 0


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> int:
    credential = _with_connection(settings, lambda conn: auth.revoke_credential(conn, args.id))
    print(f"revoked {credential.kind} {credential.id} ({credential.token_hint}…)")
    return 0


def cmd_token_verify(settings: Settings, args: argparse.Namespace) -> int:
    secret = sys.stdin.readline().strip()
    presented = auth.PresentedToken(secret, auth.VIA_BEARER)
    principal = _with_connection(settings, lambda conn: auth.resolve_principal(conn, presented))
    print(
        f"live {principal.kind} {principal.credential_id} of {principal.author_name}, "
        f"scopes: {' '.join(sorted(principal.scopes)) or '(none)'}"
    )
    return 0


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


if __name__ == "__main__":
    sys.exit(main())
