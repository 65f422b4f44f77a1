"""Create: one Micropub request → one entry in the token's blog (micropub-resolved.md §3).

One transaction: file parts are stored through the core's upload path, the entry is inserted
with its single translation in the blog's language (title from `name`, body from `content`,
excerpt from `summary`, tags from `category`, kind from post type discovery, every property
kept verbatim), its media linked, and it is moved to draft, published or scheduled through the
shared lifecycle (the moderation policy and the scheduler the v1 API uses). Jobs staged on the
way (scheduled publication, remote media) are queued after the commit (`writes.write`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.core.auth import Principal
from hub.core.entries import attachments, authoring
from hub.core.entries.lifecycle import DRAFT, SCHEDULED
from hub.core.errors import Invalid
from hub.core.offload import is_heavy, off_loop
from hub.core.plans import can_schedule
from hub.core.resources import Resources
from hub.core.slugs import slugify_text
from hub.core.urls import Urls
from hub.core.writes import Tx
from hub.micropub import scopes
from hub.micropub.media_links import check_remote_media, content_images, link_media
from hub.micropub.mf2 import FileRef, MicropubRequest
from hub.micropub.post_types import content_words
from hub.micropub.properties import EntryFields, apply_heading_rule, content_sources, project
from hub.micropub.service import Blog
from hub.micropub.source import rfc3339

SLUG_WORDS = 6
NO_SCHEDULING = (
    "A future `published` schedules the post, and scheduled publishing is not available on "
    "this account's plan; send a past or current date, or none."
)


@dataclass(frozen=True)
class Created:
    location: str
    body: dict


def check_create(
    parsed: MicropubRequest, principal: Principal, blog: Blog, now: datetime
) -> tuple[dict[str, list[Any]], EntryFields]:
    """Every check a create gets before anything is stored: property values (dates, status,
    visibility, URLs, tags), `mp-destination` and the plan's scheduling. Returns the
    properties after the heading rule (R-M9) and the entry fields they project to."""
    properties = apply_heading_rule(parsed.properties)
    fields = project(
        properties,
        parsed.commands,
        kind=parsed.type,
        timezone=blog.timezone,
        now=now,
        forced_status=scopes.forced_post_status(principal.scopes),
    )
    if fields.destination is not None and fields.destination.rstrip("/") != blog.url.rstrip("/"):
        raise Invalid.field(
            "mp-destination", f"Unknown destination; this token posts to {blog.url}."
        )
    if fields.status == SCHEDULED and not can_schedule(principal.plan, owner=principal.is_owner):
        raise Invalid.field("published", NO_SCHEDULING)
    return properties, fields


@dataclass(frozen=True)
class _Checked:
    properties: dict[str, list[Any]]
    fields: EntryFields
    slug_text: str
    images: list[str]


def _check_and_read(
    parsed: MicropubRequest, principal: Principal, blog: Blog, now: datetime, urls: Urls,
    allow_loopback: bool,
) -> _Checked:  # fmt: skip
    """Everything a create computes from the request alone (the checks, the rendered body,
    the slug's text, the body's images): one pure step, run off the event loop when the
    body is long (`hub.core.offload`)."""
    properties, fields = check_create(parsed, principal, blog, now)
    check_remote_media(urls, blog, fields, allow_loopback=allow_loopback)
    return _Checked(
        properties, fields, slug_text(fields, properties, blog.timezone), content_images(fields)
    )


def entry_values(fields: EntryFields, properties: dict[str, list[Any]]) -> authoring.EntryValues:
    return authoring.EntryValues(
        title=fields.title,
        body_format=fields.body_format,
        body_source=fields.body_source,
        content_html=fields.content_html,
        kind=fields.post_type,
        visibility=fields.visibility,
        excerpt=fields.summary,
        categories=fields.categories,
        properties=properties,
    )


def slug_text(fields: EntryFields, properties: dict[str, list[Any]], timezone: str) -> str:
    """`mp-slug`, else `name`, else the first words of the content, else the post type and
    the publication time in the blog's time zone (§3.2)."""
    for candidate in (fields.slug, fields.title):
        if candidate and slugify_text(candidate):
            return candidate
    # the content's words only when needed: reading them renders the Markdown a second time
    words = " ".join(content_words(properties, SLUG_WORDS))
    if words and slugify_text(words):
        return words
    local = datetime.fromisoformat(rfc3339(fields.published_at, timezone))
    return f"{fields.post_type}-{local:%Y%m%d-%H%M}"


def _stored_properties(
    properties: dict[str, list[Any]], commands: dict[str, list[Any]], file_urls: dict[int, str]
) -> dict[str, list[Any]]:
    """The properties document to keep: file parts become their upload URLs, and alt texts
    sent apart (`mp-photo-alt`) join their photo as `{value, alt}` so that they survive."""
    alts = [a if isinstance(a, str) else "" for a in commands.get("mp-photo-alt", ())]
    result: dict[str, list[Any]] = {}
    for name, values in properties.items():
        kept = []
        for i, value in enumerate(values):
            if isinstance(value, FileRef):
                value = file_urls[value.index]
            alt = alts[i].strip() if name == "photo" and i < len(alts) else ""
            if alt and isinstance(value, str):
                value = {"value": value, "alt": alt}
            kept.append(value)
        result[name] = kept
    return result


async def create(
    tx: Tx, resources: Resources, principal: Principal, blog: Blog, parsed: MicropubRequest
) -> Created:
    """Store the entry in the caller's write unit (`hub.core.writes`); files stored on the way
    are staged in `tx.files` (in place once the unit commits). In a lazy unit, the entry
    alone is one INSERT (with its translation, tags and staged jobs) and needs no
    transaction: the unit begins one only when files, attachments or the body's images are
    written beside it (decision 0005). The new entry's id is `blog.new_entry_id` when the
    blog was read with one."""
    conn, files = tx.conn, tx.files
    now = datetime.now(UTC).replace(microsecond=0)
    settings, urls = resources.settings, resources.urls
    checked = await off_loop(
        _check_and_read, parsed, principal, blog, now, urls, settings.allow_loopback_fetch,
        heavy=is_heavy(*content_sources(parsed.properties)),
    )  # fmt: skip
    properties, fields = checked.properties, checked.fields
    if parsed.files or fields.attachments or checked.images:
        await tx.begin()  # media rows and links are written beside the entry
    file_urls: dict[int, str] = {}
    file_media: dict[int, int] = {}
    for index, part in enumerate(parsed.files):
        stored = await attachments.store_original(
            conn,
            settings,
            part.data,
            author_id=principal.author_id,
            channel_id=blog.id,
            credential_id=principal.credential_id,
            files=files,
        )
        file_urls[index] = urls.micropub_media(stored.public_id)
        file_media[index] = stored.id
    kept = _stored_properties(properties, parsed.commands, file_urls)
    entry_id, slug = await authoring.create_entry(  # published or scheduled as it is inserted
        conn,
        entry_values(fields, kept),
        channel_id=blog.id,
        author_id=principal.author_id,
        language=blog.language,
        slug_text=checked.slug_text,
        created_via="micropub",
        credential_id=principal.credential_id,
        target=fields.status,
        at=fields.published_at,
        policy=blog.moderation or settings.moderation,
        now=now,
        entry_id=blog.new_entry_id,
    )
    await link_media(
        conn, urls, blog, entry_id, fields, files=file_media, fresh=True, images=checked.images
    )
    # A publishing request never leaves the entry a draft (it is published, scheduled or in
    # review), so the status asked for tells which URL the entry answers at.
    permalink = urls.entry(blog.slug, slug, custom_domain=blog.custom_domain)
    if fields.status == DRAFT:
        location = urls.dashboard_entry(entry_id)
        return Created(location, {"url": location, "permalink": permalink})
    return Created(permalink, {"url": permalink})
