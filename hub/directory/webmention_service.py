"""Receiving webmentions (webmention-site-feeds.md §1.2-1.3, §1.8-1.9): synchronous
validation, rate limits and the blocklist, one stored record per (source, target) with its
verify job staged in the same transaction; the status document and the public list.

Raises core domain errors only; `webmention_endpoints` turns them into `{"detail"}` answers.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from hub.config import Settings
from hub.core.errors import Invalid, NotFound, RateLimited
from hub.core.fetch import is_public_address
from hub.core.queue import flush_outbox, stage_job
from hub.core.resources import Resources
from hub.directory import webmention_queries as q
from hub.directory.webmention_urls import (
    BadURL,
    host_of,
    is_ip_literal,
    normalize,
    parse_target,
    registrable_domain,
    same_origin_host,
    target_key,
)

MAX_URL = 2048
PAGE_SIZE = 50
TYPES = ("reply", "repost", "like", "bookmark", "mention")
VERIFY_JOB = "verify_webmention"


def verify_job_id(mention_id: str) -> str:
    return f"{VERIFY_JOB}:{mention_id}"


@dataclass(frozen=True)
class Target:
    channel_id: int
    entry_id: int | None  # None: the channel home
    lang: str | None


@dataclass(frozen=True)
class Receipt:
    id: str
    source: str
    target: str
    status_url: str


def _http_url(value: str, name: str) -> str:
    try:
        normalize(value)
    except BadURL:
        raise Invalid.field(name, f"{name} must be an http(s) URL") from None
    return value


def check_pair(source: str, target: str, settings: Settings) -> tuple[str, str]:
    """V1-V3 and V6: present, http(s), different, a source hub may fetch. Returns the
    normalised (source, target)."""
    if not source or not target or len(source) > MAX_URL or len(target) > MAX_URL:
        raise Invalid("source and target are required")
    _http_url(source, "source")
    _http_url(target, "target")
    source_norm, target_norm = normalize(source), normalize(target)
    if source_norm == target_norm:
        raise Invalid("source and target are the same")
    host = host_of(source)
    if host == "localhost" or host.endswith(".localhost"):
        raise Invalid("source is not reachable")
    if is_ip_literal(host) and not is_public_address(
        ipaddress.ip_address(host.strip("[]")), allow_loopback=settings.allow_loopback_fetch
    ):
        raise Invalid("source is not reachable")
    return source_norm, target_key(target)


async def resolve_target(conn: asyncpg.Connection, settings: Settings, target: str) -> Target:
    """V4, V5 (R-W2, R-W3): the channel home or entry a target names, from the database only."""
    path = parse_target(target)
    if path is None:
        raise Invalid("target is not on this site")
    segments = path.segments
    on_node = same_origin_host(target, settings.base_url or "")
    if on_node:
        if not segments:
            raise Invalid("target does not accept webmentions")  # the node home (R-W19)
        channel_slug, domain, segments = segments[0], None, segments[1:]
    else:
        channel_slug, domain = None, path.host
    if len(segments) > 1:
        raise Invalid("target does not accept webmentions")
    row = await q.resolve_target(conn, channel_slug, domain, segments[0] if segments else None)
    if row is None:
        raise Invalid(
            "target does not accept webmentions" if on_node else "target is not on this site"
        )
    if not segments:
        if row["channel_status"] != "published":
            raise Invalid("target does not accept webmentions")
        return Target(row["channel_id"], None, path.lang)
    if row["entry_id"] is None or not (row["public"] or row["was_public"]):
        raise Invalid("target does not accept webmentions")
    return Target(row["channel_id"], row["entry_id"], path.lang)


def _parents(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host]


def blocked_by_setting(host: str, settings: Settings) -> bool:
    blocked = {d.strip().lower().strip(".") for d in settings.webmention_blocklist}
    return any(parent in blocked for parent in _parents(host))


async def _hit_hourly(resources: Resources, key: str, limit: int) -> None:
    """A fixed one-hour window counter in Redis; RateLimited past `limit` (0: no limit)."""
    if limit <= 0:
        return
    window = int(time.time()) // 3600
    name = f"hub:wm:{key}:{window}"
    async with resources.redis.pipeline(transaction=True) as pipe:
        pipe.incr(name)
        pipe.expire(name, 3700)
        count, _ = await pipe.execute()
    if count > limit:
        raise RateLimited(3600 - int(time.time()) % 3600, limit=limit)


async def receive(
    resources: Resources, source: str, target: str, *, client_ip: str | None
) -> Receipt:
    """Validate and store one webmention, stage its verification; 201 material."""
    settings = resources.settings
    source_norm, target_norm = check_pair(source, target, settings)
    host = host_of(source)
    domain = registrable_domain(host)
    if client_ip:
        await resources.limiter.hit(f"webmention:ip:{client_ip}", settings.webmention_rate_ip)
    async with resources.pool.acquire() as conn:
        resolved = await resolve_target(conn, settings, target)
    await _hit_hourly(resources, f"source:{domain}", settings.webmention_rate_source)
    ip_hash = hashlib.sha256((client_ip or "").encode()).hexdigest()[:32] if client_ip else None
    async with resources.pool.acquire() as conn, conn.transaction():
        row = await q.upsert_mention(
            conn,
            {
                "id": secrets.token_urlsafe(16),
                "source": source,
                "target": target,
                "source_norm": source_norm,
                "target_norm": target_norm,
                "source_host": host,
                "source_domain": domain,
                "entry_id": resolved.entry_id,
                "channel_id": resolved.channel_id,
                "target_lang": resolved.lang,
                "blocked": blocked_by_setting(host, settings),
                "domains": _parents(host),
                "sender_ip_hash": ip_hash,
                "max_waiting": settings.webmention_max_queued,
            },
        )
        if row is None:
            raise RateLimited(3600, limit=settings.webmention_max_queued)
        if row["status"] != "blocked":
            await stage_job(conn, VERIFY_JOB, row["id"], job_id=verify_job_id(row["id"]))
    await flush_outbox(resources.pool, resources.redis)
    status_url = status_url_of(settings, row["id"])
    return Receipt(row["id"], source, target, status_url)


def status_url_of(settings: Settings, mention_id: str) -> str:
    return f"{settings.base_url}/api/webmentions/{mention_id}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def present_mention(row: Any) -> dict[str, Any]:
    """A Mention of the public list (§1.9)."""
    return {
        "id": row["id"],
        "type": row["type"],
        "source": row["source"],
        "url": row["url"] or row["source"],
        "target": row["target"],
        "author": {
            "name": row["author_name"],
            "url": row["author_url"],
            "photo": row["author_photo"],
        },
        "name": row["name"],
        "content_html": row["content_html"],
        "content_text": row["content_text"],
        "published": _iso(row["published_at"] or row["verified_at"]),
        "rsvp": row["rsvp"],
    }


async def status_of(resources: Resources, mention_id: str) -> dict[str, Any]:
    """The status document (§1.9); a blocked mention reads as queued (blocks are not shown)."""
    async with resources.pool.acquire() as conn:
        row = await q.get_mention(conn, mention_id)
    if row is None:
        raise NotFound("Not found.")
    status = "queued" if row["status"] == "blocked" else row["status"]
    body: dict[str, Any] = {
        "id": row["id"],
        "source": row["source"],
        "target": row["target"],
        "status": status,
        "type": row["type"],
        "received_at": _iso(row["received_at"]),
        "verified_at": _iso(row["verified_at"]),
        "updated_at": _iso(row["updated_at"]),
    }
    if status in ("rejected", "error"):
        body["error"] = row["error"]
    if status == "approved":
        body["mention"] = present_mention(row)
    return body


def _cursor(row: Any) -> str:
    raw = f"{row['sort_at'].isoformat()}|{row['id']}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse_cursor(value: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        moment, mention_id = raw.split("|", 1)
        return datetime.fromisoformat(moment), mention_id
    except ValueError:
        raise Invalid("Invalid cursor.") from None


async def list_for_target(
    resources: Resources, target: str, *, kind: str | None, before: str | None, page_url: Any
) -> dict[str, Any]:
    """Approved mentions of `target`, newest first, 50 a page (§1.9)."""
    if kind is not None and kind not in TYPES:
        raise Invalid(f"type must be one of {', '.join(TYPES)}")
    cursor = _parse_cursor(before) if before else None
    _http_url(target, "target")
    async with resources.pool.acquire() as conn:
        resolved = await resolve_target(conn, resources.settings, target)
        rows = await q.list_approved(
            conn,
            entry_id=resolved.entry_id,
            channel_id=resolved.channel_id,
            kind=kind,
            before=cursor,
            limit=PAGE_SIZE + 1,
        )
        count = await q.count_approved(
            conn, entry_id=resolved.entry_id, channel_id=resolved.channel_id, kind=kind
        )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_url = str(page_url.include_query_params(before=_cursor(rows[-1]))) if more else None
    return {"count": count, "next": next_url, "results": [present_mention(r) for r in rows]}
