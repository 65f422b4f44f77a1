"""`hub token|key create|list|revoke|verify` (and the `hub author add` they need)."""

from tests.cli.conftest import run_hub as _run


def test_token_lifecycle_from_the_command_line(cli_env):
    added = _run(cli_env, "author", "add", "Ada Lovelace")
    assert added.returncode == 0, added.stderr
    assert "owner of this node" in added.stdout
    assert "https://blog.example/ada_lovelace" in added.stdout

    created = _run(
        cli_env, "token", "create", "--author", "ada lovelace", "--scopes", "create,media"
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("hub_")

    listed = _run(cli_env, "token", "list")
    assert "create,media" in listed.stdout and secret not in listed.stdout

    verified = _run(cli_env, "token", "verify", stdin=secret + "\n")
    assert verified.returncode == 0 and "of Ada Lovelace" in verified.stdout

    token_id = listed.stdout.split("\t", 1)[0]
    assert _run(cli_env, "token", "revoke", token_id).returncode == 0
    refused = _run(cli_env, "token", "verify", stdin=secret + "\n")
    assert refused.returncode == 1 and "unknown, revoked or expired" in refused.stderr


def test_cli_errors_are_one_clear_line(cli_env):
    unknown = _run(cli_env, "token", "create", "--author", "Nobody")
    assert unknown.returncode == 1 and unknown.stderr.strip() == "hub: No author 'Nobody'."
    _run(cli_env, "author", "add", "Ada")
    bad_scope = _run(cli_env, "token", "create", "--author", "Ada", "--scopes", "root")
    assert bad_scope.returncode == 1 and "Unknown scope(s): root" in bad_scope.stderr
    duplicate = _run(cli_env, "author", "add", "ada")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr


def test_key_create_makes_a_v1_api_key(cli_env):
    _run(cli_env, "author", "add", "Ada")
    created = _run(cli_env, "key", "create", "--author", "Ada")
    assert created.returncode == 0, created.stderr
    assert "created api_key" in created.stdout and "channels" in created.stdout
