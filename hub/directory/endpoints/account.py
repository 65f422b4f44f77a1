"""User data for token holders (beta): subscriptions (4.11) and the webhook settings (4.12)."""

from __future__ import annotations

from starlette.responses import Response

from hub.core import writes
from hub.core.errors import FetchFailed, FetchRefused, Invalid, NotFound
from hub.core.fetch import check_destination
from hub.core.queue import stage_job
from hub.directory import schemas, service, webhooks
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import subscriptions as sub_queries
from hub.directory.reader import opml
from hub.web.drf.endpoint import Call, Reply, read_body
from hub.web.drf.errors import UnsupportedMediaType


def _links(call: Call) -> schemas.Links:
    return schemas.Links(call.resources.settings.base_url)


async def _subscription_body(call: Call, row) -> dict:
    feed = await feed_queries.get_feed(call.resources.pool, row["feed_id"], call.author_id)
    base = call.resources.settings.base_url
    return {
        "id": str(row["id"]),
        "url": f"{base}/api/subscriptions/{row['id']}",
        "feed": schemas.feed(feed, _links(call), authed=True) if feed else None,
        "created_at": schemas.ts(row["created_at"]),
    }


async def list_subscriptions(call: Call) -> dict:
    principal = call.require_token()
    page, size = schemas.parse_page(call.params)
    total, rows = await sub_queries.list_subscriptions(
        call.resources.pool, principal.author_id, size, (page - 1) * size
    )
    return schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=call.params,
        page=page,
        size=size,
        count=total,
        results=[await _subscription_body(call, r) for r in rows],
    )


def _feed_id_from(value: str, base: str):
    prefix = f"{base}/api/feeds/"
    text = value.strip().removeprefix(prefix).strip("/")
    return schemas.parse_uuid(text)


async def subscribe(call: Call) -> Reply:
    principal = call.require_token()
    data = await read_body(call)
    pool = call.resources.pool
    if isinstance(data.get("feed"), str) and data["feed"].strip():
        try:
            feed_id = _feed_id_from(data["feed"], call.resources.settings.base_url)
        except NotFound:
            raise Invalid.field("feed", "feed must be a feed id or its API URL.") from None
        if await feed_queries.get_feed(pool, feed_id, None) is None:
            raise Invalid.field("feed", "No such feed.")
    elif isinstance(data.get("url"), str) and data["url"].strip():
        added = await service.add_site(call.resources, data["url"], added_by=principal.author_id)
        known = await feed_queries.find_feed_by_key(pool, service.feed_key(data["url"]))
        feed_id = known["id"] if known else await sub_queries.main_feed_of(pool, added.site_id)
    else:
        raise Invalid("Send `feed` (a feed id or API URL) or `url` (a site or feed URL).")
    async with pool.acquire() as conn, conn.transaction():
        sub_id, created = await sub_queries.subscribe(conn, principal.author_id, feed_id)
        row = await sub_queries.get_subscription(conn, principal.author_id, sub_id)
    body = await _subscription_body(call, row)
    return Reply(body, 201 if created else 200, {"Location": body["url"]} if created else {})


async def unsubscribe(call: Call) -> Reply:
    principal = call.require_token()
    sub_id = schemas.parse_uuid(call.request.path_params["subscription_id"])
    if not await sub_queries.unsubscribe(call.resources.pool, principal.author_id, sub_id):
        raise NotFound("Not found.")
    return Reply(None, 204)


async def subscription_detail(call: Call) -> dict:
    principal = call.require_token()
    sub_id = schemas.parse_uuid(call.request.path_params["subscription_id"])
    row = await sub_queries.get_subscription(call.resources.pool, principal.author_id, sub_id)
    if row is None:
        raise NotFound("Not found.")
    return await _subscription_body(call, row)


def _webhook_body(row) -> dict:
    return {
        "url": row["url"],
        "token": row["token"],
        "disabled_at": schemas.ts(row["disabled_at"]),
    }


async def get_webhook(call: Call) -> dict:
    principal = call.require_token()
    async with call.resources.pool.acquire() as conn, conn.transaction():
        return _webhook_body(await webhooks.get_webhook(conn, principal.author_id))


async def put_webhook(call: Call) -> dict:
    principal = call.require_token()
    data = await read_body(call)
    set_url = "url" in data
    url = data.get("url")
    if set_url and url is not None:
        if not isinstance(url, str) or not url.strip():
            raise Invalid.field("url", "url must be an http(s) URL or null.")
        url = url.strip()
        try:  # the guarded client's rules, the host resolved: it is fetched later
            await check_destination(
                url, allow_loopback=call.resources.settings.allow_loopback_fetch
            )
        except (FetchRefused, FetchFailed) as exc:
            raise Invalid.field("url", f"That URL cannot be used: {exc.message}") from None
    rotate = data.get("rotate_token") in (True, "true", "1")
    if not set_url and not rotate:
        raise Invalid("Send `url` (a URL or null) and/or `rotate_token: true`.")
    async with call.resources.pool.acquire() as conn, conn.transaction():
        row = await webhooks.set_webhook(
            conn, principal.author_id, url=url, set_url=set_url, rotate=rotate
        )
    return _webhook_body(row)


async def import_opml(call: Call) -> Reply:
    """202 {queued, skipped}: each outline's xmlUrl is submitted by an arq job."""
    principal = call.require_token()
    kind = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise UnsupportedMediaType(f'Unsupported media type "{kind}" in request.')
    form = await call.request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid.field("file", "Send the OPML document as the multipart field `file`.")
    data = await upload.read()
    try:
        outlines = opml.parse_opml(data)
    except opml.OpmlError as exc:
        raise Invalid.field("file", str(exc)) from None
    queued = skipped = 0
    async with writes.write(call.resources) as tx:
        conn = tx.conn
        for url, _title in outlines:
            try:
                service.check_submitted_url(url)
            except Invalid:
                skipped += 1
                continue
            await stage_job(conn, "import_subscription", principal.author_id, url)
            queued += 1
    return Reply({"queued": queued, "skipped": skipped}, 202)


async def export_opml(call: Call) -> Response:
    principal = call.require_token()
    rows = await sub_queries.export_rows(call.resources.pool, principal.author_id)
    body = opml.render_opml(f"Subscriptions of {principal.author_name}", [dict(r) for r in rows])
    return Response(
        body,
        media_type="text/x-opml",
        headers={"Content-Disposition": 'attachment; filename="subscriptions.opml"'},
    )
