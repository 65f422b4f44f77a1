"""`hub.cli.build_parser`: every command group registers its commands, in the help's order,
and each command line reaches its group's `cmd_*` function. Pure: no database."""

from hub.cli import (
    authors,
    backup,
    build_parser,
    credentials,
    directory,
    moderation,
    serve,
    webmentions,
)


def test_commands_are_listed_in_the_help_order():
    (commands,) = build_parser()._subparsers._group_actions
    assert list(commands.choices) == [
        "serve", "worker", "migrate", "directory", "author", "owner", "moderation", "webmention",
        "fediverse",
        "token", "key", "backup", "restore", "export", "import",
    ]  # fmt: skip


def test_each_command_line_reaches_its_group():
    parse = build_parser().parse_args
    cases = {
        ("serve", "--port", "9000"): serve.cmd_serve,
        ("worker", "--burst"): serve.cmd_worker,
        ("migrate",): serve.cmd_migrate,
        ("directory", "add", "https://example.com/"): directory.cmd_directory_add,
        ("author", "add", "Ada"): authors.cmd_author_add,
        ("author", "list"): authors.cmd_author_list,
        ("author", "plan", "Ada", "pro"): authors.cmd_author_plan,
        ("owner", "password"): authors.cmd_owner_password,
        ("moderation", "block", "7"): moderation.cmd_moderation,
        ("webmention", "list"): webmentions.cmd_webmention,
        ("webmention", "block", "abc", "--url"): webmentions.cmd_webmention,
        ("token", "create", "--author", "Ada"): credentials.cmd_token_create,
        ("key", "list"): credentials.cmd_token_list,
        ("backup", "node.tar.gz"): backup.cmd_backup,
        ("restore", "--force", "node.tar.gz"): backup.cmd_restore,
        ("key", "revoke", "3"): credentials.cmd_token_revoke,
        ("token", "verify"): credentials.cmd_token_verify,
    }
    for argv, command in cases.items():
        assert parse(list(argv)).run is command, argv


def test_token_and_key_differ_only_in_their_kind():
    parse = build_parser().parse_args
    assert parse(["token", "create", "--author", "Ada"]).kind == "app_token"
    assert parse(["key", "create", "--author", "Ada"]).kind == "api_key"
    token = parse(["token", "create", "--author", "Ada", "--kind", "directory_token"])
    assert token.kind == "directory_token"
