import dataclasses

from hub.config import Settings
from hub.core.plans import PLANS, can_schedule, limits_of

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


def test_each_plan_reads_its_own_settings():
    free, pro, premium = (limits_of(SETTINGS, plan) for plan in PLANS)
    assert (free.v1_rate, pro.v1_rate, premium.v1_rate) == (1, 2, 3)
    assert (free.channels, pro.channels, premium.channels) == (10, 20, 30)


def test_directory_knows_premium_and_everyone_else():
    rates = [limits_of(SETTINGS, plan).directory_rate for plan in PLANS]
    assert rates == [100, 100, 300]


def test_api_publishing_follows_the_v1_plans_setting():
    assert [limits_of(SETTINGS, plan).api_publishing for plan in PLANS] == [False, True, True]
    everyone = dataclasses.replace(SETTINGS, v1_plans=PLANS)
    assert limits_of(everyone, "free").api_publishing


def test_scheduling_is_for_pro_and_premium():
    assert [can_schedule(plan) for plan in PLANS] == [False, True, True]
    assert [limits_of(SETTINGS, plan).scheduling for plan in PLANS] == [False, True, True]


def test_an_unknown_plan_gets_the_free_limits():
    free = limits_of(SETTINGS, "free")
    unknown = limits_of(SETTINGS, "gold")
    assert (unknown.v1_rate, unknown.channels, unknown.directory_rate) == (
        free.v1_rate,
        free.channels,
        free.directory_rate,
    )
    assert not unknown.scheduling and not unknown.api_publishing
