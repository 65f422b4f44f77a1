"""The post editor: `GET/POST /dashboard/new` and `/dashboard/posts/{id}/edit` (the Micropub
draft `Location`; `?lang=xx` edits one translation), delete after a confirmation, undelete.

Plain form posts with Post/Redirect/Get: a save answers 303 back to the editor; bad input
re-renders the form with the field's message (422, 409 for a slug taken or an edit made
meanwhile), and the write unit rolls back, so nothing is half-written. Every save goes through
`hub.core.entries.editing` (the authoring path Micropub and v1 use). The form carries the
entry's version: when another writer changed the entry since the form was opened, the answer
is 409 with both versions, the person's kept in the fields.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import writes
from hub.core.channels import get_blog, select_author_channels
from hub.core.entries import authoring, editing
from hub.core.entries import queries as entry_queries
from hub.core.entries.editing import TARGET_PROPERTIES, VISIBILITIES
from hub.core.entries.lifecycle import PRIMARY_FIRST_MESSAGE
from hub.core.entries.model import Entry, entry_from_row, load_entry
from hub.core.errors import Conflict, Invalid
from hub.core.languages import normalise_language
from hub.site.dashboard.editor import form as editor_form
from hub.site.dashboard.editor import media
from hub.site.dashboard.pages import page
from hub.site.login.session import Session, owner_only
from hub.site.render import render
from hub.web.requests import resources_of

TEMPLATE = "dashboard/editor.html"
PHOTOS = "photos"  # images_as: the picked images are the photos of a photo post
SAVED = {
    "save": "Saved.", "publish": "Published.", "schedule": "Scheduled.",
    "unpublish": "Unpublished: back to draft.", "archive": "Archived.",
    "deleted": "Deleted. It can be brought back below.", "restored": "Brought back.",
}  # fmt: skip


class _Changed(Exception):
    """The entry's version moved since the form was opened."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _edit_url(entry_id: int, language: str | None = None, **query: str) -> str:
    params = "&".join(f"{k}={v}" for k, v in ({"lang": language} if language else {}).items())
    extra = "&".join(f"{k}={v}" for k, v in query.items())
    joined = "&".join(p for p in (params, extra) if p)
    return f"/dashboard/posts/{entry_id}/edit" + (f"?{joined}" if joined else "")


def _values_of(entry: Entry, language: str, zone: str) -> dict[str, str]:
    """The form's fields for the stored entry (the waiting revision when there is one)."""
    content = entry.current_content(language) or {}
    props = entry.row["properties"] or {}

    def first(name: str) -> str:
        values = props.get(name) or []
        value = values[0] if values else ""
        return value if isinstance(value, str) else str((value or {}).get("url", ""))

    values = {
        "title": content.get("title") or "", "content": content.get("body_source") or "",
        "tags": ", ".join(entry.tags), "visibility": entry.row["visibility"],
        "slug": entry.row["slug"], "timezone": zone, "version": str(entry.row["version"]),
        "publish_at": editor_form.local_datetime(entry.row["scheduled_at"], zone),
        "language": language, "channel": str(entry.row["channel_id"]),
    }  # fmt: skip
    values.update({name: first(name) for name in TARGET_PROPERTIES})
    return values


async def _blog(request: Request, channel_id: int, author_id: int):
    return await get_blog(resources_of(request).pool, channel_id=channel_id, author_id=author_id)


def _editor(
    request: Request, session: Session, *, entry: Entry | None, values: dict[str, str],
    language: str, blog, status_code: int = 200, errors: dict[str, str] | None = None,
    channels: list | None = None, theirs: dict[str, str] | None = None, **extra: Any,
) -> Response:  # fmt: skip
    resources = resources_of(request)
    primary = entry.primary if entry else language
    is_translation = entry is not None and language != primary
    title = "New entry" if entry is None else (values.get("title") or f"Entry {entry.id}")
    blocker = editing.translation_blocker(entry, language, _now()) if is_translation else None
    response = page(
        request, session, TEMPLATE, title,
        entry=entry, row=entry.row if entry else None, values=values, language=language,
        primary=primary, is_translation=is_translation, errors=errors or {},
        channels=channels or [], blog=blog, timezones=editor_form.TIMEZONES,
        visibilities=VISIBILITIES, targets=TARGET_PROPERTIES, theirs=theirs,
        blocker=blocker, primary_first_rule=PRIMARY_FIRST_MESSAGE,
        languages=entry.languages() if entry else [primary],
        statuses=entry.statuses() if entry else {},
        url=resources.urls.entry(blog["slug"], entry.row["slug"],
                                 custom_domain=blog["custom_domain"]) if entry else None,
        saved=SAVED.get(request.query_params.get("saved", "")),
        **extra,
    )  # fmt: skip
    response.status_code = status_code
    return response


def _errors_of(exc: Invalid | Conflict) -> dict[str, str]:
    if isinstance(exc, Invalid) and exc.fields:
        return {name: messages[0] for name, messages in exc.fields.items()}
    if getattr(exc, "code", None) == "slug_taken":
        return {"slug": exc.message}
    return {"form": exc.message}


def _not_found(request: Request, session: Session, message: str, status: int) -> Response:
    title = "Not found" if status == 404 else "Not yours"
    return render(
        request,
        "auth/error.html",
        {"session": session, "title": title, "message": message},
        status_code=status,
    )


async def _owned_entry(request: Request, session: Session) -> Entry | Response:
    entry_id = request.path_params["entry_id"]
    row = await entry_queries.select_full_entry(resources_of(request).pool, entry_id)
    if row is None:
        return _not_found(request, session, f"No entry {entry_id}.", 404)
    entry = entry_from_row(row)
    if entry.row["author_id"] != session.author_id:
        return _not_found(
            request, session, "This entry is another author's: only they edit it.", 403
        )
    return entry


async def _with_images(
    request: Request, form, parsed: editor_form.EditorInput, author_id: int, channel_id: int
) -> editing.Document:
    """The document with the images picked in the form: as the photos of a photo post
    (`images_as=photos`), else appended to the body as Markdown (kept in the field should the
    save fail, so nothing is uploaded twice). `Invalid` on `images`/`images_alt` first."""
    if form.get("images_as") == PHOTOS:
        uploaded = await media.upload_images(
            request, form, author_id=author_id, channel_id=channel_id
        )
        photos = tuple({"value": u.url, "alt": u.alt} for u in uploaded)
        return dataclasses.replace(parsed.document(), photos=photos)
    snippets = await media.attach_uploads(request, form, author_id=author_id, channel_id=channel_id)
    if snippets:
        parsed.values["content"] = "\n\n".join(filter(None, [parsed.values["content"], *snippets]))
    return parsed.document()


# -- a new entry ---------------------------------------------------------------------------


@owner_only
async def new(request: Request, session: Session) -> Response:
    channels = await select_author_channels(resources_of(request).pool, session.author_id)
    if not channels:
        return _not_found(request, session, "You have no blog yet.", 404)
    blog = await _blog(request, channels[0]["id"], session.author_id)
    values = {
        name: ""
        for name in (
            "title",
            "content",
            "tags",
            "slug",
            "publish_at",
            "version",
            *TARGET_PROPERTIES,
        )
    }
    values.update(visibility="public", timezone=blog["timezone"], channel=str(blog["id"]))
    return _editor(request, session, entry=None, values=values, blog=blog,
                   language=blog["default_language"], channels=channels)  # fmt: skip


@owner_only
async def create(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    form = await request.form()
    now = _now()
    parsed = editor_form.parse(form, now=now)
    channels = await select_author_channels(resources.pool, session.author_id)
    chosen = next((c for c in channels if str(c["id"]) == parsed.values["channel"]), None)
    if chosen is None and len(channels) == 1 and not parsed.values["channel"]:
        chosen = channels[0]
    if chosen is None:
        parsed.errors["channel"] = "Choose one of your blogs."
        chosen = channels[0]
    blog = await _blog(request, chosen["id"], session.author_id)

    def again(errors: dict[str, str], status: int) -> Response:
        return _editor(request, session, entry=None, values=parsed.values, blog=blog,
                       language=blog["default_language"], channels=channels, errors=errors,
                       status_code=status)  # fmt: skip

    if parsed.errors:
        return again(parsed.errors, 422)
    try:
        doc = await _with_images(request, form, parsed, session.author_id, blog["id"])
        async with writes.write(resources) as tx:
            entry_id = await editing.create(
                tx.conn, doc, channel_id=blog["id"], author_id=session.author_id,
                language=blog["default_language"], slug=parsed.values["slug"],
                action=parsed.action, at=parsed.at,
                policy=blog["moderation"] or resources.settings.moderation, now=now,
            )  # fmt: skip
    except (Invalid, Conflict) as exc:
        return again(_errors_of(exc), 409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(_edit_url(entry_id, saved=parsed.action), status_code=303)


# -- an existing entry ---------------------------------------------------------------------


@owner_only
async def edit(request: Request, session: Session) -> Response:
    entry = await _owned_entry(request, session)
    if isinstance(entry, Response):
        return entry
    blog = await _blog(request, entry.row["channel_id"], session.author_id)
    language = request.query_params.get("lang") or entry.primary
    normal = normalise_language(language)
    if normal is None:
        values = _values_of(entry, entry.primary, blog["timezone"])
        return _editor(
            request,
            session,
            entry=entry,
            values=values,
            blog=blog,
            language=entry.primary,
            status_code=422,
            errors={"language": "Choose a language code such as de, fr or pt-BR."},
        )
    values = _values_of(entry, normal, blog["timezone"])
    return _editor(request, session, entry=entry, values=values, blog=blog, language=normal)


@owner_only
async def save(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    entry = await _owned_entry(request, session)
    if isinstance(entry, Response):
        return entry
    form = await request.form()
    now = _now()
    blog = await _blog(request, entry.row["channel_id"], session.author_id)
    wanted = request.query_params.get("lang") or str(form.get("language") or "") or entry.primary
    translation = wanted != entry.primary
    parsed = editor_form.parse(form, now=now, language=wanted if translation else None)
    language = parsed.language or entry.primary

    def again(errors: dict[str, str], status: int, current: Entry = entry, **extra) -> Response:
        values = {**parsed.values, "version": parsed.values["version"]}
        return _editor(request, session, entry=current, values=values, blog=blog,
                       language=language if not errors.get("language") else entry.primary,
                       errors=errors, status_code=status, **extra)  # fmt: skip

    if parsed.errors:
        return again(parsed.errors, 422)
    policy = blog["moderation"] or resources.settings.moderation
    try:
        if not translation:
            doc = await _with_images(request, form, parsed, session.author_id, blog["id"])
        async with writes.write(resources) as tx:
            current = await load_entry(tx.conn, entry.id, lock=True)
            if parsed.version is None or parsed.version != current.row["version"]:
                raise _Changed(current)
            if current.row["deleted_at"] is not None:
                raise Invalid.field("form", "This entry is deleted: bring it back first.")
            if translation:
                await editing.save_translation(
                    tx.conn, current, language, parsed.values["title"], parsed.values["content"],
                    action=parsed.action, policy=policy, now=now,
                )  # fmt: skip
            else:
                await editing.revise(
                    tx.conn, current, doc, slug=parsed.values["slug"],
                    action=parsed.action, at=parsed.at, policy=policy, now=now,
                )  # fmt: skip
    except _Changed as changed:
        theirs = _values_of(changed.entry, language, blog["timezone"])
        parsed.values["version"] = theirs["version"]  # "keep mine" now saves over theirs
        return again({"form": "This entry was changed elsewhere (through Micropub or the v1 API) "
                              "since you opened it. Nothing was saved."}, 409,
                     current=changed.entry, theirs=theirs)  # fmt: skip
    except (Invalid, Conflict) as exc:
        return again(_errors_of(exc), 409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(
        _edit_url(entry.id, language if translation else None, saved=parsed.action),
        status_code=303,
    )


# -- delete and undelete -------------------------------------------------------------------


@owner_only
async def delete_confirm(request: Request, session: Session) -> Response:
    entry = await _owned_entry(request, session)
    if isinstance(entry, Response):
        return entry
    content = entry.translations[entry.primary]
    return page(request, session, "dashboard/editor_delete.html", "Delete entry",
                entry=entry, title_text=content["title"] or entry.row["slug"])  # fmt: skip


async def _delete_or_restore(request: Request, session: Session, restore: bool) -> Response:
    entry = await _owned_entry(request, session)
    if isinstance(entry, Response):
        return entry
    async with writes.write(resources_of(request)) as tx:
        if restore:
            await authoring.restore_entry(tx.conn, entry.id)
        else:
            await authoring.delete_entry(tx.conn, entry.id, _now())
    done = "restored" if restore else "deleted"
    return RedirectResponse(_edit_url(entry.id, saved=done), status_code=303)


@owner_only
async def delete(request: Request, session: Session) -> Response:
    return await _delete_or_restore(request, session, restore=False)


@owner_only
async def undelete(request: Request, session: Session) -> Response:
    return await _delete_or_restore(request, session, restore=True)


__all__ = ["create", "delete", "delete_confirm", "edit", "new", "save", "undelete"]
