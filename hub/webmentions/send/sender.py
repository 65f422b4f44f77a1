"""Sending webmentions (webmention-site-feeds.md §2, W3C §3.1): plan the sends of an entry,
then deliver each one (discover the endpoint through the guarded client, POST source and
target), recording every attempt in `webmention_sends`. A response target's page (in-reply-to,
like-of, repost-of, bookmark-of) read on the way also gives its reply context (`context`:
title, author, canonical URL), kept next to the send with the author photo re-hosted.

Planning (`planning`) unions the entry's current targets with every target it ever linked
to, so that an update or a delete reaches removed links, and marks every target that has
something new to hear `pending`. The batched `send_webmentions` run (`batch`) plans all of its
entries together and makes each send's first attempt itself, many at once (`lanes`), and
queues a `send_webmention` job (`send_one`) only for a send that must be retried (issue 20:
two jobs a link cost more than the sends). A pending send whose job was lost (a crash mid-way,
Redis lost) is queued again by the webmention sweep, and the run that takes the entry's row
again plans it again.
`deliver` never raises for the target's failures; it returns what to record and whether to
retry.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core import writes
from hub.core.errors import DomainError, FetchFailed, FetchRefused, TooLarge
from hub.core.offload import heavy_to_parse, off_loop
from hub.core.own_pages import fetch_own_page
from hub.core.queue import stage_job
from hub.core.resources import Resources
from hub.core.retry import STANDARD_SCHEDULE, delay_after
from hub.core.urls import BadURL, normalize
from hub.core.webmentions import sends as sq
from hub.core.webmentions.photo import rehost_photo
from hub.webmentions.node_urls import is_node_url
from hub.webmentions.receive import receive
from hub.webmentions.send.context import Context, context_of_page
from hub.webmentions.send.discovery import Discovery, discover
from hub.webmentions.send.planning import plan_entries
from hub.webmentions.send.politeness import HeldSlot, HostBusy
from hub.webmentions.send.targets import property_urls

log = logging.getLogger("hub.webmentions")

SEND_JOB = "send_webmention"
ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
RETRY_SCHEDULE = STANDARD_SCHEDULE  # 1 min, 10 min, 1 h, 6 h, 24 h; then `failed`
RETRY_AFTER_CAP = 48 * 3600
RETRY_STATUSES = frozenset({408, 429})


def send_job_id(send_id: int) -> str:
    return f"{SEND_JOB}:{send_id}"


async def plan_sends(resources: Resources, entry_id: int, *, stage: bool = True) -> list[int]:
    """Plan a send for every target of the entry that has news (`planning.plan_entries`),
    marked `pending`; with `stage`, a `send_webmention` job is staged for each (the batched
    run plans its entries together instead, `batch`)."""
    async with writes.write(resources) as tx:
        staged = await plan_entries(tx.conn, resources, [entry_id])
        if staged:
            await sq.mark_pending(tx.conn, staged)
        for send_id in staged if stage else ():
            await stage_job(tx.conn, SEND_JOB, send_id, job_id=send_job_id(send_id))
    return staged


@dataclass
class Delivery:
    status: str  # sent | failed | no_endpoint | pending (retry)
    endpoint: str | None = None
    http_status: int | None = None
    location: str | None = None
    error: str | None = None
    title: str | None = None
    retry_in: int | None = None
    context: Context | None = None  # a response target's reply context, when read


def _retry(attempt: int, error: str, http_status: int | None, after: int | None, **kw) -> Delivery:
    delay = delay_after(attempt, RETRY_SCHEDULE, retry_after=after, cap=RETRY_AFTER_CAP)
    if delay is None:
        return Delivery("failed", http_status=http_status, error=error, **kw)
    return Delivery("pending", http_status=http_status, error=error, retry_in=delay, **kw)


def _retry_after(headers: Any) -> int | None:
    value = (headers.get("retry-after") or "").strip()
    return int(value) if value.isdigit() else None


def is_response_target(row: Any) -> bool:
    """Is the send's target a value of the entry's in-reply-to, like-of, repost-of or
    bookmark-of (a target that gets a reply context)?"""
    for url in property_urls(row["entry_properties"] or {}):
        try:
            if normalize(url) == row["target_norm"]:
                return True
        except BadURL:
            continue
    return False


def _read_page(
    url: str, headers: list[tuple[str, str]], body: bytes, target: str, *, context: bool
) -> tuple[Discovery, Context | None]:
    """The endpoint (and title) of a fetched target page and, when asked, its context."""
    found = discover(url, headers, body)
    return found, context_of_page(url, headers, body, target) if context else None


async def _own_context(resources: Resources, target: str) -> Context | None:
    """The context of one of this node's pages, read from the app in process (no socket,
    R-W16) when this process has it. Its author photo is our own and left out."""
    if resources.own_site is None:
        return None
    try:
        page = await fetch_own_page(resources.own_site, target, headers={"Accept": ACCEPT})
    except (FetchFailed, FetchRefused) as exc:  # a context is optional; the send went through
        log.info("context of %s not read: %s", target, exc)
        return None
    if not 200 <= page.status < 300:
        return None
    headers = page.headers.multi_items()
    context = await off_loop(
        context_of_page, page.url, headers, page.content, target,
        heavy=heavy_to_parse(page.content),
    )  # fmt: skip
    return dataclasses.replace(context, author_photo=None) if context else None


async def deliver(
    resources: Resources, row: Any, attempt: int, slot: HeldSlot, *, node: bool | None = None
) -> Delivery:
    """Discover the target's endpoint and POST `source` and `target` to it, each request
    under `slot` (the caller releases it). `node` says whether the target is one of this
    node's pages, when the caller knows (None: asked here)."""
    source, target = row["source"], row["target"]
    wants_context = row["linked"] and row["entry_status"] == "published"
    wants_context = wants_context and is_response_target(row)
    if node is None:
        node = await is_node_url(resources, target)
    if node:
        try:  # R-W16: our own pages are told without HTTP
            receipt = await receive(resources, source, target, client_ip=None)
        except DomainError as exc:
            return Delivery("failed", error=exc.message)
        context = await _own_context(resources, target) if wants_context else None
        return Delivery("sent", endpoint="internal", location=receipt.status_url, context=context)
    return await _deliver_remote(resources, source, target, attempt, wants_context, slot)


async def _deliver_remote(
    resources: Resources, source: str, target: str, attempt: int, wants_context: bool,
    slot: HeldSlot,
) -> Delivery:  # fmt: skip
    fetcher = resources.fetcher
    try:
        await slot.hold(target)  # 2 a host (§2.4)
        page = await fetcher.fetch(target, headers={"Accept": ACCEPT})
    except (FetchRefused, TooLarge) as exc:
        return Delivery("failed", error=f"target not read: {exc.message}")
    except FetchFailed as exc:
        return _retry(attempt, exc.message, None, None)
    except HostBusy:
        return _retry(attempt, "target host busy", None, None)
    if page.status >= 500 or page.status in RETRY_STATUSES:
        return _retry(attempt, f"target answered {page.status}", page.status, None)
    found, context = await off_loop(
        _read_page, page.url, page.headers.multi_items(), page.content, target,
        context=wants_context and 200 <= page.status < 300,
        heavy=heavy_to_parse(page.content),
    )  # fmt: skip
    if found.endpoint is None:
        return Delivery("no_endpoint", title=found.title, context=context)
    kw = {"endpoint": found.endpoint, "title": found.title, "context": context}
    try:
        await slot.hold(found.endpoint)  # the same slot when on the target's host
        answer = await fetcher.fetch(
            found.endpoint, method="POST", data={"source": source, "target": target}
        )
    except FetchRefused as exc:  # R-W32: a private endpoint is no endpoint
        return Delivery("no_endpoint", error=f"endpoint_refused: {exc.message}", **kw)
    except (FetchFailed, TooLarge, HostBusy) as exc:
        error = getattr(exc, "message", "endpoint host busy")
        return _retry(attempt, error, None, None, **kw)
    if 200 <= answer.status < 300:
        return Delivery("sent", http_status=answer.status,
                        location=answer.headers.get("location"), **kw)  # fmt: skip
    if answer.status >= 500 or answer.status in RETRY_STATUSES:
        error = f"endpoint answered {answer.status}"
        return _retry(attempt, error, answer.status, _retry_after(answer.headers), **kw)
    error = f"endpoint answered {answer.status}: {answer.text[:200]}"
    return Delivery("failed", http_status=answer.status, error=error, **kw)


def attempt_of(row: Any, delivery: Delivery) -> sq.Attempt:
    """What a send's attempt records (`sq.record_attempts`): its outcome, the next retry,
    the entry's version it told, whether a removal has now been told."""
    removal = not row["linked"] or row["entry_status"] != "published"
    next_at = None
    if delivery.retry_in is not None:
        next_at = datetime.now(UTC) + timedelta(seconds=delivery.retry_in)
    return (
        row["id"], delivery.status, delivery.endpoint, delivery.http_status, delivery.location,
        delivery.error, next_at, delivery.title, row["version"],
        removal and delivery.status != "pending",
    )  # fmt: skip


async def send_one(resources: Resources, send_id: int, *, attempt: int = 1) -> Delivery | None:
    """Deliver one pending send and record it (a retry's `send_webmention` job); None when
    there is nothing to do. The attempt is at least the one after those recorded since the
    send was planned (a retry job's own count starts at 1 when the first attempt was made by
    the batched run)."""
    async with resources.pool.acquire() as conn:
        row = await sq.get_send(conn, send_id)
    if row is None or row["status"] != "pending":
        return None
    attempt = max(attempt, row["attempts"] + 1)
    slot = HeldSlot(resources)
    try:
        delivery = await deliver(resources, row, attempt, slot)
    finally:
        await slot.release()
    async with resources.pool.acquire() as conn:
        await sq.record_attempts(conn, [attempt_of(row, delivery)])
    if delivery.context:
        await keep_context(resources, row, delivery.context)
    log.debug("webmention %s -> %s: %s", row["source"], row["target"], delivery.status)
    return delivery


async def keep_context(resources: Resources, row: Any, context: Context) -> None:
    """Store a response target's context, its author photo re-hosted (never hotlinked,
    R-W9); the entry page's ETag moves when it changed."""
    photo_path = await rehost_photo(
        resources, context.author_photo,
        current_url=row["cite_author_photo"], current_path=row["cite_author_photo_path"],
    )  # fmt: skip
    fields = dataclasses.asdict(context)
    if photo_path is None:
        fields["author_photo"] = None
    fields["author_photo_path"] = photo_path
    async with resources.pool.acquire() as conn:
        await sq.store_context(conn, row["id"], fields)
