"""Plans and their limits: the one place that says what an author may do on this node.

Plans (free, pro, premium) are Publicasta's tiers; on hub they limit the other authors an owner
lets onto the node, never the owner (`authors.is_owner`): the owner has every feature, no channel
or schedule limit, and the highest tier's rate limits (rate limits still protect the node). Pure:
settings and an author (anything with `plan` and `is_owner`, such as a token's `Principal` or an
`Author`) in, limits out. Every adapter asks here instead of reading `settings.rate_v1_<plan>`
style fields itself, so a rule about plans changes in one place.

A plan this module does not know gets the free plan's limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hub.config import PLAN_NAMES, Settings

FREE, PRO, PREMIUM = PLAN_NAMES
PLANS = PLAN_NAMES
OWNER_RATES = PREMIUM  # the owner's rate limits: the highest tier's

# Scheduled publishing is a plan feature, not a setting.
PLANS_WITH_SCHEDULING = frozenset({PRO, PREMIUM})


class Member(Protocol):
    """Who the limits are for: an author of this node (a `Principal`, an `Author`)."""

    @property
    def plan(self) -> str: ...

    @property
    def is_owner(self) -> bool: ...


@dataclass(frozen=True)
class PlanLimits:
    """What one author may do on this node."""

    v1_rate: int  # v1 API requests per key per minute (0: unlimited)
    directory_rate: int  # directory API requests per token per minute (0: unlimited)
    channels: int | None  # channels an author may own (None: no limit); past it: read-only
    api_publishing: bool  # keys may write through the v1 API (`HUB_V1_PLANS`)
    scheduling: bool  # entries may be scheduled for later


def limits_for(settings: Settings, member: Member) -> PlanLimits:
    """The limits of `member` under `settings`: their plan's, or the owner's."""
    return limits_of(settings, member.plan, owner=member.is_owner)


def limits_of(settings: Settings, plan: str, *, owner: bool) -> PlanLimits:
    """The limits of an author on `plan` (`owner`: the node's owner, whom no plan limits)."""
    rated = OWNER_RATES if owner else plan
    if rated == PREMIUM:
        v1_rate = settings.rate_v1_premium
    elif rated == PRO:
        v1_rate = settings.rate_v1_pro
    else:
        v1_rate = settings.rate_v1_free
    return PlanLimits(
        v1_rate=v1_rate,
        # The directory knows two levels of token: premium, and every other plan.
        directory_rate=(
            settings.rate_directory_premium if rated == PREMIUM else settings.rate_directory_free
        ),
        channels=None if owner else channel_limit(settings, plan),
        api_publishing=owner or plan in settings.v1_plans,
        scheduling=can_schedule(plan, owner=owner),
    )


def channel_limit(settings: Settings, plan: str) -> int:
    """Channels `plan` lets an author own (the owner has no limit: see `limits_of`)."""
    if plan == PREMIUM:
        return settings.channels_premium
    if plan == PRO:
        return settings.channels_pro
    return settings.channels_free


def can_schedule(plan: str, *, owner: bool) -> bool:
    """Whether an author on `plan` (`owner`: the node's owner) may schedule entries (needs no
    settings: core's publishing sweep asks)."""
    return owner or plan in PLANS_WITH_SCHEDULING


def describe(settings: Settings, member: Member) -> str:
    """What `member` may do, in one line (said by `hub author add`)."""
    if member.is_owner:
        return "owner of this node: every feature, no channel or schedule limit"
    limits = limits_for(settings, member)
    parts = [
        f"{limits.channels} channel{'s' if limits.channels != 1 else ''}",
        "scheduled publishing" if limits.scheduling else "no scheduled publishing",
        "v1 API publishing" if limits.api_publishing else "no v1 API publishing",
        f"{limits.v1_rate or 'unlimited'} v1 requests a minute",
    ]
    return f"plan {member.plan}: " + ", ".join(parts)
