"""Receiving webmentions (webmention-site-feeds.md §1.2-1.3, §1.8-1.9): synchronous
validation, rate limits and the blocklist, one stored record per (source, target) with its
verify job staged in the same transaction; the status document and the public list.

Raises core domain errors only; `webmention_endpoints` turns them into `{"detail"}` answers.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import asyncpg

from hub.config import Settings
from hub.core.errors import Invalid, NotFound, RateLimited
from hub.core.fetch import is_public_address
from hub.core.queue import enqueue_staged
from hub.core.ratelimit import Window
from hub.core.resources import Resources
from hub.core.urls import (
    BadURL,
    TargetPath,
    host_of,
    is_ip_literal,
    normalize,
    origin,
    parent_domains,
    parse_target,
    registrable_domain,
    target_key,
)
from hub.core.webmentions import queries as q
from hub.core.webmentions.accept import Lookup, Mention, accept
from hub.core.webmentions.ids import new_mention_id

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
    """The normalised form of an http(s) URL; 400 naming `name` for anything else."""
    try:
        return normalize(value)
    except BadURL:
        raise Invalid.field(name, f"{name} must be an http(s) URL") from None


@dataclass(frozen=True)
class Pair:
    source_norm: str
    target_norm: str  # `target_key`: the identity of a target on this node (R-W3)
    source_host: str


def check_pair(source: str, target: str, settings: Settings) -> Pair:
    """V1-V3 and V6: present, http(s), different, a source hub may fetch."""
    if not source or not target or len(source) > MAX_URL or len(target) > MAX_URL:
        raise Invalid("source and target are required")
    source_norm = _http_url(source, "source")
    target_norm, key = _target_forms(target)
    if source_norm == target_norm:
        raise Invalid("source and target are the same")
    host = host_of(source_norm)
    if _unreachable(host, settings.allow_loopback_fetch):
        raise Invalid("source is not reachable")
    return Pair(source_norm, key, host)


@lru_cache(maxsize=1024)  # a burst names few targets: two URL parses a mention saved
def _target_forms(target: str) -> tuple[str, str]:
    """The target's normalised form (400 when it is not an http(s) URL) and `target_key`."""
    return _http_url(target, "target"), target_key(target)


@lru_cache(maxsize=1024)  # a burst comes from few hosts; parsing an address each time cost
def _unreachable(host: str, allow_loopback: bool) -> bool:
    """A source host hub would never fetch: localhost names, or an address that is not public."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return is_ip_literal(host) and not is_public_address(
        ipaddress.ip_address(host.strip("[]")), allow_loopback=allow_loopback
    )


_domain_of = lru_cache(maxsize=1024)(registrable_domain)  # the public suffix list's walk


def lookup_of(settings: Settings, target: str) -> tuple[Lookup, TargetPath, bool]:
    """The first half of V4/V5 (R-W3), without I/O: which channel (by node slug or custom
    domain) and entry slug a target names, and whether it is on the node's own host."""
    return _lookup_of(settings.base_url or "", target)


@lru_cache(maxsize=8)  # keyed by the node's URL, not the settings (hashing them all cost more)
def _lookup_of(base_url: str, target: str) -> tuple[Lookup, TargetPath, bool]:
    path = parse_target(target)
    if path is None:
        raise Invalid("target is not on this site")
    segments = path.segments
    on_node = (path.host, path.port) == origin(base_url)
    if on_node:
        if not segments:
            raise Invalid("target does not accept webmentions")  # the node home (R-W19)
        channel_slug, domain, segments = segments[0], None, segments[1:]
    else:
        channel_slug, domain = None, path.host
    if len(segments) > 1:
        raise Invalid("target does not accept webmentions")
    return Lookup(channel_slug, domain, segments[0] if segments else None), path, on_node


def judge_target(lookup: Lookup, path: TargetPath, on_node: bool, row: Any) -> Target:
    """The second half of V4/V5 (R-W2): the database's answer (`channel_id`, `channel_status`,
    `entry_id`, `public`, `was_public`, or None) turned into a Target or a 400."""
    if row is None:
        raise Invalid(
            "target does not accept webmentions" if on_node else "target is not on this site"
        )
    if lookup.entry_slug is None:
        if row["channel_status"] != "published":
            raise Invalid("target does not accept webmentions")
        return Target(row["channel_id"], None, path.lang)
    if row["entry_id"] is None or not (row["public"] or row["was_public"]):
        raise Invalid("target does not accept webmentions")
    return Target(row["channel_id"], row["entry_id"], path.lang)


async def resolve_target(conn: asyncpg.Connection, settings: Settings, target: str) -> Target:
    """V4, V5 (R-W2, R-W3): the channel home or entry a target names, from the database only."""
    lookup, path, on_node = lookup_of(settings, target)
    row = await q.resolve_target(conn, lookup.channel_slug, lookup.domain, lookup.entry_slug)
    return judge_target(lookup, path, on_node, row)


_parents = lru_cache(maxsize=1024)(parent_domains)  # a burst comes from few hosts


def blocked_by_setting(host: str, settings: Settings) -> bool:
    blocked = _blocked_domains(tuple(settings.webmention_blocklist))
    return bool(blocked) and any(parent in blocked for parent in _parents(host))


@lru_cache(maxsize=4)
def _blocked_domains(blocklist: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d.strip().lower().strip(".") for d in blocklist)


async def receive(
    resources: Resources, source: str, target: str, *, client_ip: str | None
) -> Receipt:
    """Validate and store one webmention and stage its verification (one database round
    trip, `webmention_accept_queries`), then queue the job directly (one Redis round trip;
    the outbox row is the safety net); 201 material."""
    settings = resources.settings
    pair = check_pair(source, target, settings)
    lookup, path, on_node = lookup_of(settings, target)
    host = pair.source_host
    domain = _domain_of(host)
    per_ip = settings.webmention_rate_ip if client_ip else 0
    per_ip_day = settings.webmention_rate_ip_day if client_ip else 0
    await resources.limiter.hit_windows(  # §1.8, all three in one Redis round trip
        [
            Window(f"wm:ip:{client_ip}", per_ip, 60),
            Window(f"wm:ip:{client_ip}", per_ip_day, 86400),
            Window(f"wm:source:{domain}", settings.webmention_rate_source, 3600),
        ]
    )
    ip_hash = hashlib.sha256((client_ip or "").encode()).hexdigest()[:32] if client_ip else None
    mention = Mention(
        id=new_mention_id(),
        source=source,
        target=target,
        source_norm=pair.source_norm,
        target_norm=pair.target_norm,
        source_host=host,
        source_domain=domain,
        target_lang=path.lang,
        blocked=blocked_by_setting(host, settings),
        block_domains=_parents(host),
        sender_ip_hash=ip_hash,
        max_waiting=settings.webmention_max_queued,
        job_function=VERIFY_JOB,
        job_id_prefix=verify_job_id(""),
    )
    async with resources.pool.acquire() as conn:
        row = await accept(conn, lookup, mention)
    judge_target(lookup, path, on_node, row)  # 400 when the target does not accept mentions
    if row["mention_id"] is None:
        raise RateLimited(3600, limit=settings.webmention_max_queued)
    mention_id = row["mention_id"]
    if row["outbox_id"] is not None:
        job = (VERIFY_JOB, [mention_id], verify_job_id(mention_id), None)
        await enqueue_staged(resources.redis, row["outbox_id"], job)
    return Receipt(mention_id, source, target, status_url_of(settings, mention_id))


def status_url_of(settings: Settings, mention_id: str) -> str:
    return f"{settings.base_url}/api/webmentions/{mention_id}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def present_mention(row: Any, urls: Any) -> dict[str, Any]:
    """A Mention of the public list (§1.9); the photo is our 96x96 copy (R-W9), never the
    source's URL."""
    photo = row["author_photo_path"]
    return {
        "id": row["id"],
        "type": row["type"],
        "source": row["source"],
        "url": row["url"] or row["source"],
        "target": row["target"],
        "author": {
            "name": row["author_name"],
            "url": row["author_url"],
            "photo": urls.media_file(photo) if photo else None,
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
        body["mention"] = present_mention(row, resources.urls)
    return body


def page_cursor(moment: datetime, mention_id: str) -> str:
    """The opaque `before` cursor of a mention list page (keyset: time, then id)."""
    raw = f"{moment.isoformat()}|{mention_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_page_cursor(value: str) -> tuple[datetime, str]:
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
    cursor = parse_page_cursor(before) if before else None
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
    next_url = (
        str(page_url.include_query_params(before=page_cursor(rows[-1]["sort_at"], rows[-1]["id"])))
        if more
        else None
    )
    return {
        "count": count,
        "next": next_url,
        "results": [present_mention(r, resources.urls) for r in rows],
    }
