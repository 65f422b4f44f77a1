"""Dashboard: the signed-in author's profile, which the public pages (the author's h-card,
`rel=me` links on each channel home), the feeds' author and the IndieAuth profile show: name,
photo (through the media pipeline), note, rel=me links (one per line, http(s) only) and
e-mail (given to IndieAuth clients granted the `email` scope only).

Bad input re-renders the form with each field's message (422; 413 for a photo over the
limit) and writes nothing; a save redirects (303) back here. A save moves the author's
change time, which every page and feed of their channels has in its ETag.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import writes
from hub.core.authors import check_profile, save_profile, select_author
from hub.core.errors import Invalid
from hub.core.media import images
from hub.site.dashboard.forms import FormErrors, messages, read_images, text
from hub.site.dashboard.pages import page
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of

FIELDS = ("name", "email", "note", "rel_me")


async def _page(
    request: Request,
    session: Session,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    resources = resources_of(request)
    author = await select_author(resources.pool, session.author_id)
    if values is None:
        values = {
            "name": author["name"], "email": author["email"] or "",
            "note": author["note"] or "", "rel_me": "\n".join(author["rel_me"]),
        }  # fmt: skip
    photo = resources.urls.media_file(author["photo_path"]) if author["photo_path"] else None
    response = page(
        request, session, "dashboard/profile.html", "Profile",
        values=values, errors=errors or {}, photo=photo,
        saved=request.query_params.get("saved") == "1",
    )  # fmt: skip
    response.status_code = status_code
    return response


@owner_only
async def profile(request: Request, session: Session) -> Response:
    return await _page(request, session)


@owner_only
async def save(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}
    errors: dict[str, str] = {}
    status = 422
    try:
        checked = check_profile(**values)
    except Invalid as exc:
        errors.update(messages(exc))
    try:
        uploads = await read_images(resources, form, {"photo": "author_photo"})
    except FormErrors as exc:
        errors.update(exc.fields)
        status = exc.status
    if errors:
        return await _page(request, session, values, errors, status)
    try:
        async with writes.write(resources) as tx:
            await save_profile(tx.conn, session.author_id, checked)
            if "photo" in uploads:
                image = uploads["photo"]
                await images.store_author_photo(
                    tx, author_id=session.author_id, filename=image.filename,
                    original=image.original, sha256=image.sha256, prepared=image.prepared,
                )  # fmt: skip
    except Invalid as exc:
        return await _page(request, session, values, messages(exc), 409)
    return RedirectResponse("/dashboard/profile?saved=1", status_code=303)
