"""The verify job's work (webmention-site-feeds.md §1.5): fetch the source through the guarded
client, decide from the answer (410 / 404 / 4xx / 5xx / 2xx), check the link, read the
microformats, apply the moderation policy and store, unless a re-send arrived meanwhile, in
which case the same job verifies again (R-W5).

Fetch → pure parse (`webmention_source`, `webmention_mf2`) → store (`webmention_queries`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import mf2py

from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.fetch import FetchResult
from hub.core.offload import heavy_to_parse, off_loop
from hub.core.own_pages import fetch_own_page
from hub.core.resources import Resources
from hub.core.retry import STANDARD_SCHEDULE, delay_after
from hub.core.webmentions import queries as q
from hub.core.webmentions.photo import rehost_photo
from hub.core.webmentions.policy import moderation_status
from hub.webmentions.node_urls import is_node_url
from hub.webmentions.send.discovery import media_type
from hub.webmentions.verify.mf2 import (
    Author,
    Interpretation,
    card_from_author_page,
    card_on_source,
    fallback_author,
    interpret,
)
from hub.webmentions.verify.source import links_to, load, says_gone, title_of

log = logging.getLogger("hub.webmentions")

ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/json;q=0.5, text/plain;q=0.3"
MAX_BYTES = 1024 * 1024
SECONDS = 10.0
RETRY_SCHEDULE = STANDARD_SCHEDULE[:4]  # 1 min, 10 min, 1 h, 6 h; then `error`
RETRY_AFTER_CAP = 24 * 3600
NOT_FOUND_GRACE = timedelta(hours=1)  # R-W6
MAX_RUNS = 3  # re-sends during a run: verify again, at most this often per job


@dataclass
class Outcome:
    status: str  # approved | pending | rejected | deleted | error | queued (retry) | blocked
    error: str | None = None
    http_status: int | None = None
    retry_in: int | None = None  # seconds: the job raises Retry(defer=...)
    fields: dict[str, Any] = field(default_factory=dict)  # verified content, when any
    not_found_at: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _retry(row: Any, attempt: int, error: str, http_status: int | None, after: int | None):
    delay = delay_after(attempt, RETRY_SCHEDULE, retry_after=after, cap=RETRY_AFTER_CAP)
    if delay is None:
        return Outcome("error", error, http_status)
    keep = "approved" if row["status"] == "approved" else "queued"
    return Outcome(keep, error, http_status, retry_in=delay)


def _retry_after(result: FetchResult) -> int | None:
    value = result.headers.get("retry-after", "").strip()
    return int(value) if value.isdigit() else None


async def _fetch(resources: Resources, url: str) -> FetchResult:
    """GET through the guard with the verifier's limits (or the node's, when lower); a page
    of this node comes from its app in process, when this process has it (R-W16)."""
    settings = resources.settings
    if resources.own_site is not None and await is_node_url(resources, url):
        return await fetch_own_page(resources.own_site, url, headers={"Accept": ACCEPT})
    return await resources.fetcher.fetch(
        url,
        headers={"Accept": ACCEPT},
        max_bytes=min(MAX_BYTES, settings.fetch_max_bytes),
        timeout=min(SECONDS, settings.fetch_timeout_seconds),
    )


async def decide(resources: Resources, row: Any, attempt: int) -> Outcome:
    """What the source says now, without storing anything."""
    try:
        result = await _fetch(resources, row["source"])
    except TooLarge as exc:
        return Outcome("rejected", f"the source is too large: {exc.message}")
    except FetchRefused as exc:
        return Outcome("rejected", f"the source is not reachable: {exc.message}")
    except FetchFailed as exc:
        return _retry(row, attempt, exc.message, None, None)
    status = result.status
    approved = row["status"] == "approved"
    if status == 410:
        return Outcome("deleted", "the source is gone (410)", status)
    if status == 404:
        if not approved:
            return Outcome("rejected", "the source was not found (404)", status)
        first = row["not_found_at"]
        if first is not None and _now() - first >= NOT_FOUND_GRACE:
            return Outcome("deleted", "the source was not found (404) twice", status)
        outcome = Outcome("approved", "the source was not found (404)", status)
        outcome.retry_in = int(NOT_FOUND_GRACE.total_seconds())
        outcome.not_found_at = first or _now()
        return outcome
    if status in (429,) or status >= 500:
        return _retry(row, attempt, f"the source answered {status}", status, _retry_after(result))
    if not 200 <= status < 300:
        return Outcome("rejected", f"the source answered {status}", status)
    return await _read(resources, row, result)


async def _read(resources: Resources, row: Any, result: FetchResult) -> Outcome:
    kind, charset = media_type(result.headers.multi_items())
    read = await off_loop(
        _examine, kind, charset, result, row["source"], row["target"],
        approved=row["status"] == "approved", heavy=heavy_to_parse(result.content),
    )  # fmt: skip
    if isinstance(read, Outcome):
        return read
    found, mf2 = read
    if found.author is None and found.author_page and mf2 is not None:
        found.author = await _author_from_page(resources, found.author_page, mf2)
    if found.author is None:
        found.author = fallback_author(row["source"])
    fields = _fields(found)
    fields["author_photo_path"] = await rehost_photo(  # R-W9: never hotlinked
        resources, fields["author_photo"],
        current_url=row["author_photo"], current_path=row["author_photo_path"],
    )  # fmt: skip
    return Outcome("verified", None, result.status, fields=fields)


def _examine(
    kind: str, charset: str | None, result: FetchResult, source_url: str, target: str, *,
    approved: bool,
) -> Outcome | tuple[Interpretation, dict | None]:  # fmt: skip
    """The fetched source read (pure, CPU-bound: html5lib, mf2py, nh3): the outcome when it
    is already decided, else what it says and its mf2 (None when it is not HTML)."""
    source = load(kind, charset, result.content)
    if says_gone(source, result.url):
        return Outcome("deleted", "the source says 410 Gone", result.status)
    if source.kind == "other":
        return Outcome("rejected", f"the source type {kind or '?'} is not read", result.status)
    if not links_to(source, result.url, target):
        if approved:
            return Outcome("deleted", "the source no longer links to the target", result.status)
        return Outcome("rejected", "the source does not link to the target", result.status)
    if source.kind != "html" or source.soup is None:
        return Interpretation(url=source_url), None
    mf2 = mf2py.parse(doc=source.soup, url=result.url)
    found = interpret(
        mf2, source=source_url, final_url=result.url, target=target,
        title=title_of(source, result.url),
    )  # fmt: skip
    return found, mf2


def _author_card(
    kind: str, charset: str | None, result: FetchResult, page_url: str
) -> Author | None:
    """The representative h-card of a fetched author page (pure, CPU-bound)."""
    page = load(kind, charset, result.content)
    if page.soup is None:
        return None
    return card_from_author_page(mf2py.parse(doc=page.soup, url=result.url), page_url)


async def _author_from_page(resources: Resources, page_url: str, source_mf2: dict) -> Author:
    """Authorship step 6: the author page's representative h-card, else an h-card on the
    source page for that URL, else the URL itself."""
    try:
        result = await _fetch(resources, page_url)
        if 200 <= result.status < 300:
            kind, charset = media_type(result.headers.multi_items())
            card = await off_loop(
                _author_card, kind, charset, result, page_url,
                heavy=heavy_to_parse(result.content),
            )  # fmt: skip
            if card is not None:
                return card
    except (FetchFailed, FetchRefused, TooLarge) as exc:
        log.info("author page %s not read: %s", page_url, exc.message)
    card = card_on_source(source_mf2, page_url)
    return card or Author(url=page_url)


def _fields(found: Interpretation) -> dict[str, Any]:
    author = found.author or Author()
    return {
        "type": found.type,
        "rsvp": found.rsvp,
        "author_name": author.name,
        "author_url": author.url,
        "author_photo": author.photo,
        "url": found.url,
        "name": found.name,
        "content_html": found.content_html,
        "content_text": found.content_text,
        "published_at": found.published or _now(),
        "raw_mf2": found.raw,
    }


async def moderate(conn: Any, resources: Resources, row: Any, fields: dict[str, Any]) -> str:
    """`approved` or `pending` (§1.8), by the one policy of received responses."""
    return await moderation_status(
        conn, resources.settings, current=row["status"], content_html=fields["content_html"],
        source_host=row["source_host"], source_domain=row["source_domain"],
    )  # fmt: skip


async def verify(resources: Resources, mention_id: str, *, attempt: int = 1) -> Outcome:
    """Verify one mention and store the result; a re-send during the run means another run
    (R-W5). The returned Outcome's `retry_in` asks the job for a deferred retry."""
    outcome = Outcome("missing")
    for _ in range(MAX_RUNS):
        async with resources.pool.acquire() as conn:
            row = await q.get_mention(conn, mention_id)
        if row is None:
            return Outcome("missing")
        if row["status"] == "blocked":
            return Outcome("blocked")
        outcome = await decide(resources, row, attempt)
        if await _store(resources, row, outcome):
            return outcome
        attempt = 1  # a re-send: a fresh verification
    return outcome


async def _store(resources: Resources, row: Any, outcome: Outcome) -> bool:
    """One statement (`webmention_queries`): the result, a newly known source domain, and the
    entry's `mentions_changed_at` when the mention is or was shown."""
    seq = row["resend_seq"]
    was_shown = row["status"] == "approved"
    async with resources.pool.acquire() as conn:
        if outcome.status == "verified":
            status = await moderate(conn, resources, row, outcome.fields)
            outcome.status = status
            return await q.store_verified(
                conn, row["id"], seq,
                {**outcome.fields, "status": status, "last_http_status": outcome.http_status},
                was_shown=was_shown,
            )  # fmt: skip
        next_at = _now() + timedelta(seconds=outcome.retry_in) if outcome.retry_in else None
        return await q.store_outcome(
            conn, row["id"], seq,
            status=outcome.status, error=outcome.error, http_status=outcome.http_status,
            was_shown=was_shown, clear_content=outcome.status == "deleted",
            not_found_at=outcome.not_found_at, next_attempt_at=next_at,
        )  # fmt: skip
