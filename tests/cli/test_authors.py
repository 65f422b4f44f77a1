"""`hub author add` says what the new author can do; new authors get `HUB_NEW_AUTHOR_PLAN`."""

from tests.cli.conftest import run_hub


def test_author_add_says_the_owner_can_do_everything_and_others_their_plan(cli_env):
    owner = run_hub(cli_env, "author", "add", "Ada")
    assert owner.returncode == 0, owner.stderr
    assert "owner of this node" in owner.stdout
    assert "can do: owner of this node: every feature, no channel or schedule limit" in (
        owner.stdout
    )
    other = run_hub(cli_env, "author", "add", "Bob")
    assert other.returncode == 0, other.stderr
    assert "plan free" in other.stdout
    assert "can do: plan free: 1 channel, no scheduled publishing" in other.stdout


def test_new_authors_get_the_plan_the_setting_names(cli_env):
    run_hub(cli_env, "author", "add", "Ada")
    env = {**cli_env, "HUB_NEW_AUTHOR_PLAN": "pro"}
    pro = run_hub(env, "author", "add", "Bob")
    assert "can do: plan pro: 10 channels, scheduled publishing" in pro.stdout
    told = run_hub(env, "author", "add", "Cy", "--plan", "premium")
    assert "can do: plan premium: 100 channels" in told.stdout
    listed = run_hub(cli_env, "author", "list").stdout.splitlines()
    assert [line.split("\t")[2] for line in listed] == ["free", "pro", "premium"]


def test_an_unknown_new_author_plan_is_refused(cli_env):
    bad = run_hub({**cli_env, "HUB_NEW_AUTHOR_PLAN": "gold"}, "author", "add", "Ada")
    assert bad.returncode != 0 and "HUB_NEW_AUTHOR_PLAN must be one of" in bad.stderr
