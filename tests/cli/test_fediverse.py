"""`hub fediverse followers` lists a blog's followers (or its pending requests);
`hub fediverse remove-follower` removes one and stages the job that tells it."""

from __future__ import annotations

from tests.cli.conftest import run_hub
from tests.factories import make_ap_actor, make_ap_follower, make_author


async def test_followers_are_listed_and_one_is_removed(cli_env, db):
    ada = await make_author(db, "Ada", channel_slug="ada")
    bob = await make_ap_actor(db, "https://social.example/users/bob", preferred_username="bob",
                              name="Bob Fedi")  # fmt: skip
    cy = await make_ap_actor(db, "https://other.example/cy", preferred_username="cy")
    follower = await make_ap_follower(db, ada.channel_id, bob)
    await make_ap_follower(db, ada.channel_id, cy, status="pending")

    listed = run_hub(cli_env, "fediverse", "followers", "--channel", "ada")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("@bob@social.example\tBob Fedi\t")
    assert "@cy@other.example" not in listed.stdout
    pending = run_hub(cli_env, "fediverse", "followers", "--channel", "ada", "--pending")
    assert pending.stdout.startswith("@cy@other.example\t-\t")

    removed = run_hub(cli_env, "fediverse", "remove-follower", "--channel", "ada",
                      "@bob@social.example")  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert "removed @bob@social.example" in removed.stdout
    assert run_hub(cli_env, "fediverse", "followers", "--channel", "ada").stdout == "no followers\n"
    staged = await db.fetchval(
        "SELECT args FROM job_outbox WHERE function = 'send_follow_decision'"
    )
    assert list(staged) == [follower, False]

    again = run_hub(cli_env, "fediverse", "remove-follower", "--channel", "ada",
                    "https://social.example/users/bob")  # fmt: skip
    assert again.returncode == 1 and "does not follow ada" in again.stderr
    unknown = run_hub(cli_env, "fediverse", "followers", "--channel", "nobody")
    assert unknown.returncode == 1 and "No blog 'nobody'" in unknown.stderr
