"""The jobs of `hub.activitypub.receive` (listed by `hub.activitypub.jobs`): process one
received activity (`process_activity:{inbox_id}`), and send the answer to a Follow
(`send_follow_decision`, staged by the inbox and by the dashboard: its name lives in
`hub.core.federation.follows`)."""

from __future__ import annotations

from arq.worker import func

from hub.activitypub.receive.decisions import send_decision
from hub.activitypub.receive.process import process
from hub.core.federation.follows import SEND_FOLLOW_DECISION
from hub.core.federation.inbox import PROCESS_ACTIVITY


async def process_activity(ctx: dict, inbox_id: int) -> str:
    return await process(ctx["resources"], inbox_id)


async def send_follow_decision(ctx: dict, follower_id: int, accepted: bool) -> str:
    return await send_decision(ctx["resources"], follower_id, accepted=accepted)


FUNCTIONS: list = [
    func(process_activity, name=PROCESS_ACTIVITY),
    func(send_follow_decision, name=SEND_FOLLOW_DECISION),
]
CRON_JOBS: list = []
