"""Dashboard: the node's channels (blogs). The list shows every channel of the node, the
owner's first; the owner creates channels (no plan limit: the owner runs the node) and edits
their own: title, description, default language, status, avatar and cover (through the media
pipeline the v1 API uses) and the custom domain (`domains.py`).

The rules are the v1 API's (`hub.core.channels.check_channel_settings`, slug rules and
reserved slugs, `hub.core.media.images`). Bad input re-renders the form with each field's
message (422; 409 for a taken slug; 413 for a file over the limit) and writes nothing; a save
redirects (303) back to the page it came from.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import writes
from hub.core.channels import (
    check_channel_settings,
    check_channel_slug,
    create_channel,
    list_channel_rows,
    save_channel_settings,
    select_channel_settings,
)
from hub.core.errors import Invalid
from hub.core.federation.desk import ACTOR_TYPES
from hub.core.media import images
from hub.core.urls.build import Urls
from hub.site.dashboard.forms import FormErrors, messages, read_images, text
from hub.site.dashboard.pages import page
from hub.site.login.session import Session, owner_only
from hub.site.render import render
from hub.web.requests import resources_of

IMAGE_INPUTS = {"avatar": "channel_avatar", "cover": "channel_cover"}
FIELDS = ("title", "slug", "description", "default_language", "status")


def fediverse_address(urls: Urls, channel) -> str:
    """How the fediverse finds the blog: `@handle@host` (the custom domain's, if any)."""
    handle = channel["ap_handle"] or channel["slug"]
    return f"@{handle}@{channel['custom_domain'] or urls.host}"


def actor_form(
    urls: Urls, channel, *, values: dict | None = None, errors: dict | None = None
) -> dict:
    """The fediverse section of a blog's page (`actor.py` saves it): what was typed, or the
    stored settings, with each field's error."""
    stored = {
        "ap_handle": channel["ap_handle"] or "", "ap_actor_type": channel["ap_actor_type"],
        "ap_manual_followers": channel["ap_manual_followers"],
        "ap_discoverable": channel["ap_discoverable"],
    }  # fmt: skip
    return {
        "values": values if values is not None else stored, "errors": errors or {},
        "address": fediverse_address(urls, channel), "actor_types": ACTOR_TYPES,
    }  # fmt: skip


def form_page(
    request: Request,
    session: Session,
    *,
    channel=None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values_ap: dict | None = None,
    errors_ap: dict[str, str] | None = None,
) -> Response:
    resources = resources_of(request)
    media = resources.urls.media_file
    response = page(
        request, session, "dashboard/channel.html",
        f"Blog {channel['slug']}" if channel else "New blog",
        channel=channel, values=values, errors=errors or {},
        home=resources.urls.channel(channel["slug"], custom_domain=channel["custom_domain"])
        if channel else None,
        avatar=media(channel["avatar_path"]) if channel and channel["avatar_path"] else None,
        cover=media(channel["cover_path"]) if channel and channel["cover_path"] else None,
        node_host=resources.urls.host, params=request.query_params,
        fediverse=actor_form(resources.urls, channel, values=values_ap, errors=errors_ap)
        if channel else None,
    )  # fmt: skip
    response.status_code = status_code
    return response


@owner_only
async def list_page(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    rows = await list_channel_rows(resources.pool, None)
    rows = sorted(rows, key=lambda r: r["author_id"] != session.author_id)
    return page(
        request, session, "dashboard/channels.html", "Blogs",
        rows=rows, author_id=session.author_id,
        home=lambda r: resources.urls.channel(r["slug"], custom_domain=r["custom_domain"]),
    )  # fmt: skip


@owner_only
async def new_form(request: Request, session: Session) -> Response:
    values = {"default_language": "en", "status": "published"}
    return form_page(request, session, values=values)


@owner_only
async def create(request: Request, session: Session) -> Response:
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}
    errors: dict[str, str] = {}
    try:
        settings = check_channel_settings(
            title=values["title"], description=values["description"],
            language=values["default_language"], status=values["status"],
        )  # fmt: skip
    except Invalid as exc:
        errors.update(messages(exc))
    slug = None
    if values["slug"].strip():
        try:
            slug = check_channel_slug(values["slug"])
        except Invalid as exc:
            errors.update(messages(exc))
    if errors:
        return form_page(request, session, values=values, errors=errors, status_code=422)
    try:
        async with writes.write(resources_of(request)) as tx:
            channel = await create_channel(
                tx.conn, author_id=session.author_id, title=settings.title,
                language=settings.language, slug=slug, description=settings.description,
                status=settings.status,
            )  # fmt: skip
    except Invalid as exc:
        status = 409 if "slug" in exc.fields else 422
        return form_page(request, session, values=values, errors=messages(exc), status_code=status)
    return RedirectResponse(f"/dashboard/channels/{channel.id}?created=1", status_code=303)


async def own_channel(request: Request, session: Session):
    row = await select_channel_settings(
        resources_of(request).pool, request.path_params["channel_id"]
    )
    return row if row is not None and row["author_id"] == session.author_id else None


def not_found(request: Request, session: Session) -> Response:
    return render(
        request, "auth/error.html",
        {"session": session, "title": "Not found", "message": "No such blog of yours."},
        status_code=404,
    )  # fmt: skip


@owner_only
async def edit_form(request: Request, session: Session) -> Response:
    channel = await own_channel(request, session)
    if channel is None:
        return not_found(request, session)
    values = {
        "title": channel["title"], "description": channel["description"] or "",
        "default_language": channel["default_language"], "status": channel["status"],
    }  # fmt: skip
    return form_page(request, session, channel=channel, values=values)


@owner_only
async def save(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    channel = await own_channel(request, session)
    if channel is None:
        return not_found(request, session)
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}
    errors: dict[str, str] = {}
    status = 422
    try:
        settings = check_channel_settings(
            title=values["title"], description=values["description"],
            language=values["default_language"], status=values["status"],
        )  # fmt: skip
    except Invalid as exc:
        errors.update(messages(exc))
    try:
        uploads = await read_images(resources, form, IMAGE_INPUTS)
    except FormErrors as exc:
        errors.update(exc.fields)
        status = exc.status
    if errors:
        return form_page(
            request, session, channel=channel, values=values, errors=errors, status_code=status
        )
    async with writes.write(resources) as tx:
        await save_channel_settings(tx.conn, channel["id"], settings)
        for name, image in uploads.items():
            await images.store_channel_image(
                tx, author_id=session.author_id, channel_id=channel["id"], credential_id=None,
                purpose=IMAGE_INPUTS[name], filename=image.filename, original=image.original,
                sha256=image.sha256, prepared=image.prepared,
            )  # fmt: skip
    return RedirectResponse(f"/dashboard/channels/{channel['id']}?saved=1", status_code=303)
