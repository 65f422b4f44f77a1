"""Plans and their limits: the one place that says what an author's plan (free, pro, premium)
allows. Pure: settings and a plan name in, limits out. Every adapter asks here instead of
reading `settings.rate_v1_<plan>`-style fields itself, so that a rule about plans (e.g. one
that exempts the node's owner) changes in one place.

A plan this module does not know gets the free plan's limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.config import Settings

FREE = "free"
PRO = "pro"
PREMIUM = "premium"
PLANS = (FREE, PRO, PREMIUM)

# Scheduled publishing is a plan feature, not a setting.
PLANS_WITH_SCHEDULING = frozenset({PRO, PREMIUM})


@dataclass(frozen=True)
class PlanLimits:
    """What one plan allows on this node."""

    v1_rate: int  # v1 API requests per key per minute (0: unlimited)
    directory_rate: int  # directory API requests per token per minute (0: unlimited)
    channels: int  # channels an author may own; those past it are read-only
    api_publishing: bool  # keys may write through the v1 API (`HUB_V1_PLANS`)
    scheduling: bool  # entries may be scheduled for later


def limits_of(settings: Settings, plan: str) -> PlanLimits:
    """The limits of `plan` under `settings`."""
    if plan == PREMIUM:
        v1_rate, channels = settings.rate_v1_premium, settings.channels_premium
    elif plan == PRO:
        v1_rate, channels = settings.rate_v1_pro, settings.channels_pro
    else:
        v1_rate, channels = settings.rate_v1_free, settings.channels_free
    return PlanLimits(
        v1_rate=v1_rate,
        # The directory knows two levels of token: premium, and every other plan.
        directory_rate=(
            settings.rate_directory_premium if plan == PREMIUM else settings.rate_directory_free
        ),
        channels=channels,
        api_publishing=plan in settings.v1_plans,
        scheduling=can_schedule(plan),
    )


def can_schedule(plan: str) -> bool:
    """Whether `plan` may schedule entries (needs no settings: core's publishing sweep asks)."""
    return plan in PLANS_WITH_SCHEDULING
