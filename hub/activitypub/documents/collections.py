"""A channel actor's collections under `/activitypub/{channel}/`: the `outbox` (an
`OrderedCollection` of `Create` activities, newest first, in pages of 20 keyed on
(published_at, id)), `followers` (the count only: the list is private), `following` (hub
follows no one) and `featured` (hub has no pinned entries yet: empty)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.documents import ids
from hub.activitypub.documents.context import with_context
from hub.activitypub.documents.objects import OK, object_of, state_of
from hub.activitypub.documents.responses import document_response
from hub.activitypub.errors import answers_errors
from hub.core.errors import NotFound
from hub.core.federation import local
from hub.core.urls import Urls
from hub.web.requests import resources_of

PAGE_SIZE = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^(-?[0-9]{1,18})\.([0-9]{1,18})$")


def cursor_of(published_at: datetime, entry_id: int) -> str:
    """`{microseconds since the epoch}.{id}` of an entry."""
    return f"{(published_at - EPOCH) // timedelta(microseconds=1)}.{entry_id}"


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    match = _CURSOR.match(value or "")
    if match is None:
        return None
    try:
        return EPOCH + timedelta(microseconds=int(match.group(1))), int(match.group(2))
    except OverflowError:
        return None


def create_of(document: dict[str, Any], version: int) -> dict[str, Any]:
    """The `Create` activity of an entry's object (its id names the entry's version)."""
    return {
        "id": ids.create_id(document["id"], version),
        "type": "Create",
        "actor": document["attributedTo"],
        "published": document["published"],
        "to": document["to"],
        "cc": document["cc"],
        "object": document,
    }


async def _channel(request: Request):
    resources = resources_of(request)
    row = await local.actor_by_slug(resources.pool, request.path_params["channel"])
    if row is None or row["status"] != "published":
        raise NotFound("No such channel.")
    return resources, row


def _collection(id_: str, total: int, **extra: Any) -> dict[str, Any]:
    return with_context({"id": id_, "type": "OrderedCollection", "totalItems": total, **extra})


@answers_errors
async def outbox(request: Request) -> Response:
    resources, row = await _channel(request)
    urls: Urls = resources.urls
    outbox_url = ids.outbox_id(urls, row["slug"])
    page = request.query_params.get("page")
    if page is None:
        total = await local.count_public_entries(resources.pool, row["id"])
        document = _collection(
            outbox_url, total, first=f"{outbox_url}?page=true", last=f"{outbox_url}?page=last"
        )
        return document_response(request, document)
    before = after = None
    if page == "last":
        after = (datetime.min.replace(tzinfo=UTC), 0)  # the oldest entries
    elif page != "true":
        raise NotFound("No such page.")
    raw_before, raw_after = request.query_params.get("before"), request.query_params.get("after")
    if page == "true" and (raw_before is not None or raw_after is not None):
        before, after = parse_cursor(raw_before), parse_cursor(raw_after)
        if (before is None) == (after is None):
            raise NotFound("No such page.")
    rows = await local.outbox_page(
        resources.pool, row["id"], before=before, after=after, limit=PAGE_SIZE + 1
    )
    more = len(rows) > PAGE_SIZE
    rows = (rows[1:] if more else rows) if after is not None else rows[:PAGE_SIZE]
    items = [create_of(object_of(r, urls), r["version"]) for r in rows if state_of(r) == OK]
    document: dict[str, Any] = {
        "id": _page_url(outbox_url, request),
        "type": "OrderedCollectionPage",
        "partOf": outbox_url,
        "orderedItems": items,
    }
    if rows:
        newest, oldest = rows[0], rows[-1]
        older = more if after is None else page != "last"  # a cursor page has older ones
        newer = more if after is not None else before is not None
        if older:
            cursor = cursor_of(oldest["published_at"], oldest["id"])
            document["next"] = f"{outbox_url}?page=true&before={cursor}"
        if newer:
            cursor = cursor_of(newest["published_at"], newest["id"])
            document["prev"] = f"{outbox_url}?page=true&after={cursor}"
    return document_response(request, with_context(document))


def _page_url(outbox_url: str, request: Request) -> str:
    query = request.url.query
    return f"{outbox_url}?{query}" if query else outbox_url


@answers_errors
async def followers(request: Request) -> Response:
    resources, row = await _channel(request)
    total = await local.count_followers(resources.pool, row["id"])
    document = _collection(ids.followers_id(resources.urls, row["slug"]), total)
    return document_response(request, document)


@answers_errors
async def following(request: Request) -> Response:
    resources, row = await _channel(request)
    document = _collection(ids.following_id(resources.urls, row["slug"]), 0, orderedItems=[])
    return document_response(request, document)


@answers_errors
async def featured(request: Request) -> Response:
    resources, row = await _channel(request)
    document = _collection(ids.featured_id(resources.urls, row["slug"]), 0, orderedItems=[])
    return document_response(request, document)
