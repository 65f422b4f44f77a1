"""Dashboard: a blog as a fediverse actor, the "Fediverse" section of the blog's own page
(`/dashboard/channels/{id}`): its handle (`@handle@host`; empty: the slug), its actor type,
whether the owner approves each follower, whether it asks to be suggested to others.

The rules are `hub.core.federation.desk`'s. A bad handle re-renders the page with the field
to fix (422; 409 when it is another blog's slug or handle) and writes nothing; a save
redirects (303) back to the page. Changing the handle keeps every follower: they follow the
blog's address (the actor id), which does not change.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import writes
from hub.core.errors import Conflict, Invalid
from hub.core.federation import desk
from hub.site.dashboard.channels import form_page, not_found, own_channel
from hub.site.dashboard.forms import messages, text
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of


def _values(form) -> dict:
    return {
        "ap_handle": text(form, "ap_handle"), "ap_actor_type": text(form, "ap_actor_type"),
        "ap_manual_followers": form.get("ap_manual_followers") == "on",
        "ap_discoverable": form.get("ap_discoverable") == "on",
    }  # fmt: skip


def _channel_values(channel) -> dict[str, str]:
    return {
        "title": channel["title"], "description": channel["description"] or "",
        "default_language": channel["default_language"], "status": channel["status"],
    }  # fmt: skip


@owner_only
async def save(request: Request, session: Session) -> Response:
    channel = await own_channel(request, session)
    if channel is None:
        return not_found(request, session)
    values = _values(await request.form())
    try:
        settings = desk.check_actor_settings(
            slug=channel["slug"], handle=values["ap_handle"], actor_type=values["ap_actor_type"],
            manual_followers=values["ap_manual_followers"],
            discoverable=values["ap_discoverable"],
        )  # fmt: skip
        async with writes.write(resources_of(request)) as tx:
            await desk.save_actor_settings(tx.conn, channel["id"], settings)
    except (Invalid, Conflict) as exc:
        if isinstance(exc, Invalid):
            errors, status = messages(exc), 422
        else:
            errors, status = {"ap_handle": exc.message}, 409
        return form_page(
            request, session, channel=channel, values=_channel_values(channel),
            status_code=status, values_ap=values, errors_ap=errors,
        )  # fmt: skip
    changed = (settings.handle or channel["slug"]) != (channel["ap_handle"] or channel["slug"])
    query = "ap_saved=1" + ("&handle_changed=1" if changed else "")
    return RedirectResponse(f"/dashboard/channels/{channel['id']}?{query}#fediverse", 303)
