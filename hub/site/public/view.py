"""Rows of `hub.core.entries.published` turned into what the templates and feeds show, pure:
the channel (title, h-card, author), entries in summary and full form, images, and which
answer an entry URL gets (200, 404 or 410: webmention-site-feeds §3.6, R-W24)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.core.urls import Urls
from hub.site.public.content import (
    display_html,
    language_name,
    photos_of,
    preview_text,
    responses,
    urls_of,
)
from hub.site.public.links import ChannelLinks
from hub.site.public.render import safe

UPDATE_GRACE_SECONDS = 60  # an edit this soon after publication is not an "update"


def parse_time(value: Any) -> datetime | None:
    """A timestamp from a row (datetime) or from JSON built by PostgreSQL (ISO string)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def entry_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """An entry built by PostgreSQL as JSON, with its own timestamps as datetimes."""
    entry = dict(data)
    for key in ("published_at", "deleted_at", "updated_at", "mentions_changed_at"):
        entry[key] = parse_time(entry[key])
    return entry


def image(media: Mapping[str, Any], urls: Urls) -> dict[str, Any] | None:
    """{"src", "alt", "width", "height"} of an entry_media row: the processed file when there
    is one, else the upload itself, else the remote URL it copies."""
    if media.get("path"):
        src = urls.media_file(media["path"])
    elif media.get("public_id"):
        src = urls.micropub_media(media["public_id"])
    elif media.get("remote_url"):
        src = media["remote_url"]
    else:
        return None
    return {
        "src": src,
        "alt": media.get("alt") or "",
        "width": media.get("width"),
        "height": media.get("height"),
        "content_type": media.get("content_type") or "",
    }


@dataclass(frozen=True)
class ChannelView:
    """A channel as the pages show it, in one language."""

    title: str
    description: str | None
    language: str  # the language of title/description
    home: str
    photo: str | None
    cover: dict[str, Any] | None
    author_name: str
    author_url: str | None
    links: ChannelLinks
    author_photo: str | None = None  # the author's own photo, else the channel's avatar
    author_note: str | None = None
    rel_me: tuple[str, ...] = ()  # the author's profile URLs (rel=me on the channel home)

    def author(self) -> dict[str, Any]:
        return {
            "name": self.author_name,
            "url": self.home,
            "photo": self.author_photo or self.photo,
            "note": self.author_note,
        }

    def card(self) -> dict[str, Any]:
        return {
            "name": self.title,
            "url": self.home,
            "photo": self.photo,
            "note": self.description,
        }


def channel_view(row: Mapping[str, Any], urls: Urls, language: str | None = None) -> ChannelView:
    translations = {t["language"]: t for t in row["translations"]}
    chosen = translations.get(language or "") or translations.get(row["default_language"])
    if chosen is None and translations:
        chosen = next(iter(translations.values()))
    links = ChannelLinks(urls, row["slug"], row["custom_domain"])
    avatar = (
        image({"path": row["avatar_path"], "public_id": row["avatar_public_id"]}, urls)
        if row["avatar_path"] or row["avatar_public_id"]
        else None
    )
    cover = (
        image(
            {"path": row["cover_path"], "width": row["cover_width"], "height": row["cover_height"]},
            urls,
        )
        if row["cover_path"]
        else None
    )
    photo = row.get("author_photo_path")
    profile = [row["author_url"]] if row["author_url"] else []
    return ChannelView(
        title=chosen["title"] if chosen else row["slug"],
        description=(chosen or {}).get("description"),
        language=chosen["language"] if chosen else row["default_language"],
        home=links.home(),
        photo=avatar["src"] if avatar else None,
        cover=cover,
        author_name=row["author_name"],
        author_url=row["author_url"],
        links=links,
        author_photo=urls.media_file(photo) if photo else None,
        author_note=row.get("author_note"),
        rel_me=tuple(dict.fromkeys([*(row.get("author_rel_me") or ()), *profile])),
    )


def _media(rows: list[Mapping[str, Any]], urls: Urls, role: str) -> list[dict[str, Any]]:
    found = (image(m, urls) for m in rows if m["role"] == role)
    return [m for m in found if m is not None]


def entry_view(
    entry: Mapping[str, Any],
    translation: Mapping[str, Any],
    channel: ChannelView,
    urls: Urls,
    *,
    full: bool,
) -> dict[str, Any]:
    """One entry for a template: `full` adds the content and the parts only the entry page
    shows. `entry` is an entry row (page or list) and `translation` the language shown."""
    links = channel.links
    language = translation["language"]
    permalink = links.entry(entry["slug"], language, primary=entry["default_language"])
    properties = entry["properties"] or {}
    media = entry["media"] or []
    photos = _media(media, urls, "photo")
    if not photos:
        photos = [{"src": p["url"], "alt": p["alt"], "width": None, "height": None}
                  for p in photos_of(properties)]  # fmt: skip
    featured = _media(media, urls, "featured")
    excerpt = (translation.get("excerpt") or "").strip()
    published = parse_time(translation.get("published_at") or entry["published_at"])
    view: dict[str, Any] = {
        "id": entry["id"],
        "lang": language,
        "kind": entry["kind"],
        "name": translation["title"].strip() if entry["kind"] == "article" else "",
        "url": permalink,
        "published": published,
        "responses": responses(properties, entry.get("contexts"), urls.media_file),
        "featured": featured[0] if featured else None,
        "photos": photos,
        "tags": [{"name": t, "href": links.tag(t)} for t in entry["tags"]],
    }
    if not full:  # a summary: the content is read only for an entry without an excerpt
        view["summary"] = excerpt or preview_text(
            display_html(translation.get("content_html") or "", permalink),
            200 if view["name"] else 280,
        )
        return view
    content = display_html(translation.get("content_html") or "", permalink)
    changed = parse_time(translation.get("content_updated_at"))
    late = (
        changed is not None
        and published is not None
        and (changed - published).total_seconds() > UPDATE_GRACE_SECONDS
    )
    view |= {
        "summary": excerpt,
        "content": safe(content) if content.strip() else None,
        "content_html": content,
        "updated": changed if late else None,
        "author": channel.author(),
        "videos": _media(media, urls, "video"),
        "audios": _media(media, urls, "audio"),
        "syndication": urls_of(properties, "syndication"),
    }
    return view


def translations_of(entry: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["language"]: dict(t) for t in entry["translations"]}


def published_languages(entry: Mapping[str, Any], translations: Mapping[str, Any]) -> list[str]:
    """Languages with a published translation: the primary first, then by code (R-23)."""
    primary = entry["default_language"]
    public = [lang for lang, t in translations.items() if t["status"] == "published"]
    return sorted(public, key=lambda lang: (lang != primary, lang))


def language_switch(
    entry: Mapping[str, Any], languages: list[str], current: str, links: ChannelLinks
) -> list[dict[str, Any]]:
    return [
        {
            "lang": lang,
            "href": links.entry(entry["slug"], lang, primary=entry["default_language"]),
            "label": language_name(lang),
            "current": lang == current,
        }
        for lang in languages
    ]


OK, GONE, MISSING = "ok", "gone", "missing"


def entry_state(
    entry: Mapping[str, Any], translations: Mapping[str, Mapping[str, Any]], language: str
) -> str:
    """`ok`, `gone` (was public, is no longer: 410) or `missing` (never public: 404) for the
    entry in `language` (R-W24). A private entry is missing; an unlisted one is public."""
    primary = translations.get(entry["default_language"])
    ever_public = entry["published_at"] is not None or any(
        t["published_at"] is not None for t in translations.values()
    )
    if entry["visibility"] == "private":
        return MISSING
    if entry["deleted_at"] is not None or entry["status"] in ("archived", "deleted"):
        return GONE if ever_public else MISSING
    if primary is None or primary["status"] != "published":
        return GONE if ever_public else MISSING
    shown = translations.get(language)
    if shown is None:
        return MISSING
    if shown["status"] == "published":
        return OK
    return GONE if shown["published_at"] is not None else MISSING
