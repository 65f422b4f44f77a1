"""An entry as an ActivityStreams object: a `Note` (notes, replies, photos, likes: anything
without a title) or an `Article` (`name`, `summary`), its content in the primary language and
`contentMap` for every published translation, hashtags linked to the channel's tag pages,
images with their alt text, `inReplyTo`; a `Tombstone` once a public entry is gone.

`entry_object` is what the delivery reads to build its Create and Update activities; the
negotiation serves the same object at the entry's URL (`document_of`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any

import asyncpg

from hub.activitypub.documents import ids
from hub.activitypub.documents.context import AS_PUBLIC, with_context
from hub.activitypub.documents.html import absolute_html
from hub.core.federation import local
from hub.core.urls import Urls

__all__ = ["document_of", "entry_object", "object_of", "tombstone_of", "with_context"]

_NOT_WORD = re.compile(r"[^\w]+")
UPDATE_GRACE_SECONDS = 60  # an edit this soon after publication is not an update
OK, GONE, MISSING = "ok", "gone", "missing"
_RESPONSE_VERBS = {"like-of": "Liked", "repost-of": "Reposted", "bookmark-of": "Bookmarked"}
_MEDIA_TYPES = {"photo": "Image", "featured": "Image", "video": "Video", "audio": "Audio"}


async def entry_object(conn: asyncpg.Connection | asyncpg.Pool, urls: Urls, entry_id: int
                       ) -> dict[str, Any] | None:  # fmt: skip
    """The object of a public, published entry (without `@context`); None for any other
    (draft, scheduled, private, deleted, in a draft channel). One statement."""
    row = await local.entry_by_id(conn, entry_id)
    if row is None or state_of(row) != OK:
        return None
    return object_of(row, urls)


def document_of(row: Mapping[str, Any] | None, urls: Urls) -> tuple[int, dict[str, Any]] | None:
    """What an entry URL answers on negotiation: (200, the object) or (410, a Tombstone), with
    `@context`; None when the entry is unknown or was never public (404)."""
    if row is None:
        return None
    state = state_of(row)
    if state == OK:
        return 200, with_context(object_of(row, urls))
    if state == GONE:
        return 410, with_context(tombstone_of(row, urls))
    return None


def state_of(row: Mapping[str, Any]) -> str:
    """`ok` (public), `gone` (was public, is no longer: 410) or `missing` (never public, or
    private: 404), as the entry's page answers (`hub.site` R-W24)."""
    if row["channel_status"] != "published" or row["visibility"] == "private":
        return MISSING
    translations = {t["language"]: t for t in row["translations"]}
    ever_public = row["published_at"] is not None or any(
        t["published_at"] is not None for t in translations.values()
    )
    primary = translations.get(row["default_language"])
    public = (
        row["deleted_at"] is None
        and row["status"] in ("published", "moderation_review")
        and row["published_at"] is not None
        and primary is not None
        and primary["status"] == "published"
    )
    if public:
        return OK
    return GONE if ever_public else MISSING


def _time(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _first_url(value: Any) -> str | None:
    """The first URL of an mf2 property value: a string, an h-cite's `url`, or `value`."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item.startswith(("http://", "https://")):
            return item
        if isinstance(item, Mapping):
            inner = item.get("url") or item.get("properties", {}).get("url") or item.get("value")
            found = _first_url(inner) if inner is not None else None
            if found:
                return found
    return None


def _media_url(media: Mapping[str, Any], urls: Urls) -> str | None:
    if media.get("path"):
        return urls.media_file(media["path"])
    if media.get("public_id"):
        return urls.micropub_media(media["public_id"])
    return media.get("remote_url") or None


def _attachments(row: Mapping[str, Any], urls: Urls) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for media in row["media"] or []:
        url = _media_url(media, urls)
        kind = _MEDIA_TYPES.get(media["role"])
        if url is None or kind is None:
            continue
        item: dict[str, Any] = {"type": kind, "url": url, "name": media.get("alt") or ""}
        if media.get("content_type"):
            item["mediaType"] = media["content_type"]
        if media.get("width") and media.get("height"):
            item["width"], item["height"] = media["width"], media["height"]
        out.append(item)
    if not out:  # remote photos named in the properties, without a local copy
        photos = (row["properties"] or {}).get("photo")
        for value in photos if isinstance(photos, list) else [photos]:
            url = value.get("value") if isinstance(value, Mapping) else value
            alt = value.get("alt") if isinstance(value, Mapping) else ""
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                name = alt if isinstance(alt, str) else ""
                out.append({"type": "Image", "url": url, "name": name})
    return out


def hashtag(tag: str) -> str:
    """`#tag` as the fediverse writes hashtags: letters, digits and `_` only (Mastodon drops
    a name with a space or a dash); the category itself if nothing would be left."""
    word = _NOT_WORD.sub("", tag)
    return f"#{word or tag}"


def _response_html(properties: Mapping[str, Any]) -> str:
    """A line for a like, repost or bookmark without content."""
    for name, verb in _RESPONSE_VERBS.items():
        url = _first_url(properties.get(name))
        if url:
            return f'<p>{verb} <a href="{escape(url)}">{escape(url)}</a></p>'
    return ""


def object_of(row: Mapping[str, Any], urls: Urls) -> dict[str, Any]:
    """The object of an entry row (`local.entry_by_id`) known to be public, without
    `@context`."""
    slug, custom = row["channel_slug"], row["custom_domain"]
    actor = ids.actor_id(urls, slug, custom)
    url = ids.object_id(urls, slug, row["slug"], custom)
    primary = row["default_language"]
    translations = {t["language"]: t for t in row["translations"] if t["status"] == "published"}
    shown = translations[primary]
    properties = row["properties"] or {}
    content_map = {
        lang: absolute_html(t["content_html"] or "", url) for lang, t in translations.items()
    }
    if not content_map[primary].strip():
        content_map[primary] = _response_html(properties)
    title = (shown["title"] or "").strip()
    is_article = row["kind"] == "article" and bool(title)
    published = _time(shown["published_at"]) or row["published_at"]
    followers = ids.followers_id(urls, slug)
    to, cc = ([AS_PUBLIC], [followers])
    if row["visibility"] == "unlisted":
        to, cc = [followers], [AS_PUBLIC]
    document: dict[str, Any] = {
        "id": url,
        "type": "Article" if is_article else "Note",
        "attributedTo": actor,
        "url": url,
        "published": _iso(published),
        "to": to,
        "cc": cc,
    }
    if is_article:
        document["name"] = title
        names = {lg: (t["title"] or "").strip() for lg, t in translations.items()}
        if len(names) > 1 and all(names.values()):
            document["nameMap"] = names
        excerpt = (shown["excerpt"] or "").strip()
        if excerpt:
            document["summary"] = excerpt
    document["content"] = content_map[primary]
    document["contentMap"] = content_map
    reply_to = _first_url(properties.get("in-reply-to"))
    if reply_to:
        document["inReplyTo"] = reply_to
    edited = [
        _time(t["content_updated_at"]) for t in translations.values() if t["content_updated_at"]
    ]
    if edited and (max(edited) - published).total_seconds() > UPDATE_GRACE_SECONDS:
        document["updated"] = _iso(max(edited))
    document["tag"] = [
        {"type": "Hashtag", "href": urls.tag(slug, tag, custom_domain=custom), "name": hashtag(tag)}
        for tag in row["tags"]
    ]
    document["attachment"] = _attachments(row, urls)
    document["sensitive"] = False
    return document


def tombstone_of(row: Mapping[str, Any], urls: Urls) -> dict[str, Any]:
    """What a deleted (or withdrawn) entry's URL answers: a `Tombstone` with 410."""
    url = ids.object_id(urls, row["channel_slug"], row["slug"], row["custom_domain"])
    titled = row["kind"] == "article" and any(
        (t["title"] or "").strip() for t in row["translations"]
    )
    return {
        "id": url,
        "type": "Tombstone",
        "formerType": "Article" if titled else "Note",
        "deleted": _iso(row["deleted_at"] or row["updated_at"]),
    }
