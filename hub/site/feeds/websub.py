"""WebSub publish pings (webmention-site-feeds §4.6, R-W31): when `HUB_WEBSUB_HUB` names an
external hub, a change to an entry's public state POSTs `hub.mode=publish&hub.url=<topic>`
to it once per affected topic: the channel's three feeds without `lang` and per language the
entry has been public in, the same for each of its tags, and the channel home.

The job takes an entry id and is staged by the entry-change hook (`hub.core.entries.events`,
job id `websub_publish:{entry_id}`, 2 s after the commit: a burst of edits pings once).

Every topic answers with `Link: <hub>; rel="hub", <topic>; rel="self"` in its HTTP headers
(WebSub §4) beside its discovery links: `link_values` is the one place the pages and the
feeds take them from, and `home_topic` says which page URL is a topic.

Every POST goes through `resources.fetcher`. Any 2xx is success; if a topic fails, the whole
job is retried at 1 min, 10 min and 1 h (pings are idempotent), then the failure is logged
and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from arq import Retry

from hub.core.entries import published
from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.retry import STANDARD_SCHEDULE, delay_after
from hub.site.public.links import FEED_TYPES, ChannelLinks

log = logging.getLogger("hub.websub")

RETRY_SCHEDULE = STANDARD_SCHEDULE[:3]  # 1 min, 10 min, 1 h; then logged and dropped


def link_values(hub: str | None, topic: str | None) -> list[tuple[str, str]]:
    """The WebSub (rel, URL) pairs a topic's answer carries; none without a hub or a topic.
    `topic` must be exactly the URL `topics` pings."""
    if not hub or not topic:
        return []
    return [("hub", hub), ("self", topic)]


def home_topic(links: ChannelLinks, *, language: str | None, tag: str | None,
               paged: bool) -> str | None:  # fmt: skip
    """The topic URL of a channel page, or None when the page is not a topic: only the
    channel home itself (no tag, language or `before=`) is pinged; feeds cover the rest."""
    if language is not None or tag is not None or paged:
        return None
    return links.home()


def topics(links: ChannelLinks, languages: Iterable[str], tags: Iterable[str]) -> list[str]:
    """Every topic URL an entry change affects, each once, in a stable order."""
    scopes = [None, *tags]
    variants = [None, *languages]
    found = [
        links.feed(kind, tag=tag, language=language)
        for tag in scopes
        for language in variants
        for kind in FEED_TYPES
    ]
    found.append(links.home())
    return list(dict.fromkeys(found))


async def websub_publish(ctx: dict, entry_id: int) -> int:
    """Ping the hub for every topic of `entry_id`; the number of topics pinged."""
    resources = ctx["resources"]
    hub = resources.settings.websub_hub
    if not hub:
        return 0
    row = await published.websub_scope(resources.pool, entry_id)
    if row is None or row["status"] != "published":
        return 0
    links = ChannelLinks(resources.urls, row["slug"], row["custom_domain"])
    failed: list[str] = []
    sent = 0
    for topic in topics(links, row["languages"], row["tags"]):
        try:
            answer = await resources.fetcher.fetch(
                hub, method="POST", data={"hub.mode": "publish", "hub.url": topic}
            )
        except (FetchFailed, FetchRefused, TooLarge) as exc:
            failed.append(f"{topic}: {exc.message}")
            continue
        if 200 <= answer.status < 300:
            sent += 1
        else:
            failed.append(f"{topic}: hub answered {answer.status}")
    if failed:
        delay = delay_after(ctx.get("job_try", 1), RETRY_SCHEDULE)
        if delay is not None:
            raise Retry(defer=delay)
        log.warning("websub pings for entry %s failed: %s", entry_id, "; ".join(failed))
    return sent


FUNCTIONS = [websub_publish]
CRON_JOBS: list = []
