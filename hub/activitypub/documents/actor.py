"""A channel as an ActivityPub actor (`Person` by default, chosen per channel): its names,
profile, images (the PNG/JPEG feed renditions), inbox and collections, its public key
(made on first use) and the author's rel=me links as `PropertyValue`s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.documents import ids
from hub.activitypub.documents.html import link, text_paragraphs
from hub.core.urls import Urls

_FEED_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def _image(urls: Urls, feed_path: str | None, path: str | None, content_type: str | None
           ) -> dict[str, Any] | None:  # fmt: skip
    """An `Image` of a channel's avatar or cover: its PNG/JPEG feed rendition when made, else
    the processed file."""
    if feed_path:
        kind = _FEED_TYPES.get(feed_path.rsplit(".", 1)[-1].lower(), "image/jpeg")
        return {"type": "Image", "mediaType": kind, "url": urls.media_file(feed_path)}
    if path:
        image = {"type": "Image", "url": urls.media_file(path)}
        return image | ({"mediaType": content_type} if content_type else {})
    return None


def _profile_links(row: Mapping[str, Any]) -> list[dict[str, str]]:
    """One `PropertyValue` per rel=me link of the author (and the author's own URL)."""
    urls = list(dict.fromkeys([*(row["author_rel_me"] or ()), *filter(None, [row["author_url"]])]))
    out = []
    for url in urls:
        host = (urlsplit(url).hostname or url).removeprefix("www.")
        out.append(
            {"type": "PropertyValue", "name": host,
             "value": link(url, rel="me nofollow noopener noreferrer")}
        )  # fmt: skip
    return out


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def actor_of(row: Mapping[str, Any], urls: Urls, public_pem: str) -> dict[str, Any]:
    """The actor document of a channel row (`local.actor_by_slug`), without `@context`."""
    slug, custom = row["slug"], row["custom_domain"]
    actor = ids.actor_id(urls, slug, custom)
    document: dict[str, Any] = {
        "id": actor,
        "type": row["ap_actor_type"],
        "preferredUsername": row["handle"],
        "name": row["title"] or slug,
        "summary": text_paragraphs(row["description"] or ""),
        "url": actor,
        "inbox": ids.inbox_id(urls, slug),
        "outbox": ids.outbox_id(urls, slug),
        "followers": ids.followers_id(urls, slug),
        "following": ids.following_id(urls, slug),
        "featured": ids.featured_id(urls, slug),
        "endpoints": {"sharedInbox": urls.ap_shared_inbox()},
        "publicKey": {"id": ids.key_id(actor), "owner": actor, "publicKeyPem": public_pem},
        "manuallyApprovesFollowers": row["ap_manual_followers"],
        "discoverable": row["ap_discoverable"],
        "indexable": row["ap_discoverable"],
        "published": _iso(row["created_at"]),
        "attachment": _profile_links(row),
    }
    icon = _image(urls, row["avatar_feed_path"], row["avatar_path"], row["avatar_type"])
    if icon:
        document["icon"] = icon
    cover = _image(urls, row["cover_feed_path"], row["cover_path"], row["cover_type"])
    if cover:
        document["image"] = cover
    return document
