import dataclasses

from hub.config import Settings
from hub.core.plans import PLANS, can_schedule, describe, limits_for, limits_of

SETTINGS = Settings(
    rate_v1_free=1,
    rate_v1_pro=2,
    rate_v1_premium=3,
    channels_free=10,
    channels_pro=20,
    channels_premium=30,
    rate_directory_free=100,
    rate_directory_premium=300,
    v1_plans=("pro", "premium"),
)


@dataclasses.dataclass
class Someone:
    plan: str
    is_owner: bool = False


def test_each_plan_reads_its_own_settings():
    free, pro, premium = (limits_of(SETTINGS, plan, owner=False) for plan in PLANS)
    assert (free.v1_rate, pro.v1_rate, premium.v1_rate) == (1, 2, 3)
    assert (free.channels, pro.channels, premium.channels) == (10, 20, 30)


def test_directory_knows_premium_and_everyone_else():
    rates = [limits_of(SETTINGS, plan, owner=False).directory_rate for plan in PLANS]
    assert rates == [100, 100, 300]


def test_api_publishing_follows_the_v1_plans_setting():
    assert [limits_of(SETTINGS, p, owner=False).api_publishing for p in PLANS] == [
        False,
        True,
        True,
    ]
    everyone = dataclasses.replace(SETTINGS, v1_plans=PLANS)
    assert limits_of(everyone, "free", owner=False).api_publishing


def test_scheduling_is_for_pro_and_premium():
    assert [can_schedule(plan, owner=False) for plan in PLANS] == [False, True, True]
    assert [limits_of(SETTINGS, p, owner=False).scheduling for p in PLANS] == [False, True, True]


def test_an_unknown_plan_gets_the_free_limits():
    free = limits_of(SETTINGS, "free", owner=False)
    unknown = limits_of(SETTINGS, "gold", owner=False)
    assert (unknown.v1_rate, unknown.channels, unknown.directory_rate) == (
        free.v1_rate,
        free.channels,
        free.directory_rate,
    )
    assert not unknown.scheduling and not unknown.api_publishing


def test_no_plan_limits_the_owner_whose_rates_are_the_highest_tiers():
    for plan in (*PLANS, "gold"):
        owner = limits_for(SETTINGS, Someone(plan, is_owner=True))
        assert owner.channels is None  # no channel limit
        assert owner.scheduling and owner.api_publishing
        assert (owner.v1_rate, owner.directory_rate) == (3, 300)  # premium's rates still apply
        assert can_schedule(plan, owner=True)


def test_other_authors_keep_their_plans_limits():
    assert limits_for(SETTINGS, Someone("free")) == limits_of(SETTINGS, "free", owner=False)


def test_describe_says_what_an_author_can_do():
    assert "every feature" in describe(SETTINGS, Someone("free", is_owner=True))
    said = describe(SETTINGS, Someone("free"))
    assert said.startswith("plan free:")
    assert "10 channels" in said and "no scheduled publishing" in said
    assert "no v1 API publishing" in said and "1 v1 requests a minute" in said
