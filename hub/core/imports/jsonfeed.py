"""JSON Feed 1.0/1.1 (what micro.blog and hub's own export write) read as import items (pure).

The standard fields make an entry: `id` (the source id), `url` (its old URL), `title`,
`content_html` (or `content_text`, escaped), `summary`, `date_published`, `date_modified`,
`tags`, `language`, and `attachments` and the content's `<img src>` as media fetched through
the guarded client. An item that carries hub's `_hub` extension (hub's export) keeps its slug,
kind, status (published, draft, scheduled, archived; deleted with its time), every
translation with its own dates, and the Markdown source too. Media named by a relative path
(an export archive's `../../media/...`) are read from `media_root` when given.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from hub.core.errors import Invalid
from hub.core.imports.formats import Format, head, register
from hub.core.imports.items import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    SCHEDULED,
    ImportItem,
    MediaRef,
    Parsed,
    Refusal,
    Translation,
)
from hub.core.markdown import html_image_urls, markdown_image_urls

KIND = "jsonfeed"
VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
MAX_FEED_BYTES = 200 * 1024 * 1024
KINDS = {"note", "article", "photo", "video", "audio", "reply", "like", "repost", "bookmark",
         "rsvp", "checkin", "event"}  # fmt: skip
MEDIA_TYPES = ("image/", "video/", "audio/")
VISIBILITIES = ("public", "unlisted", "private")


def parse_feed(
    data: bytes, *, kind: str = KIND, media_root: Path | None = None, prefix: str = ""
) -> Parsed:
    """The items of a JSON Feed document; `Invalid` when it is not one."""
    try:
        feed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(f"Not a JSON Feed: the JSON cannot be read ({exc}).") from None
    if not isinstance(feed, dict) or feed.get("version") not in VERSIONS:
        raise Invalid("Not a JSON Feed: no https://jsonfeed.org/version/1.1 `version`.")
    items = feed.get("items")
    if not isinstance(items, list):
        raise Invalid("Not a JSON Feed: `items` is not a list.")
    parsed = Parsed(kind)
    language = feed.get("language") if isinstance(feed.get("language"), str) else None
    for number, raw in enumerate(items, 1):
        source_id = str(raw.get("id") or "") if isinstance(raw, dict) else ""
        if not source_id:
            parsed.refused.append(Refusal(f"item {number}", "it has no `id`"))
            continue
        try:
            parsed.items.append(_item(raw, f"{prefix}{source_id}", language, media_root))
        except ValueError as exc:
            parsed.refused.append(Refusal(source_id, str(exc)))
    return parsed


def _item(
    raw: Mapping[str, Any], source_id: str, language: str | None, media_root: Path | None
) -> ImportItem:
    ext = raw.get("_hub") if isinstance(raw.get("_hub"), dict) else {}
    primary = _primary(ext)
    if primary is not None and primary.get("body_format") == "markdown" and primary["body_source"]:
        content, content_format = str(primary.get("body_source") or ""), "markdown"
    elif isinstance(raw.get("content_html"), str):
        content, content_format = raw["content_html"], "html"
    elif isinstance(raw.get("content_text"), str):
        paragraphs = [p for p in raw["content_text"].split("\n\n") if p.strip()]
        content = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
        content_format = "html"
    else:
        raise ValueError("it has neither `content_html` nor `content_text`")
    page = ext.get("status") or PUBLISHED
    # A deleted entry keeps what it was underneath (its primary's status), restored as such.
    status = (primary or {}).get("status") if page == "deleted" else page
    published = _date(ext.get("published_at") or raw.get("date_published"))
    scheduled = _date(ext.get("scheduled_at"))
    updated = _date((primary or {}).get("content_updated_at") or raw.get("date_modified"))
    tags = tuple(t for t in raw.get("tags") or () if isinstance(t, str) and t.strip())
    url = raw.get("url") if isinstance(raw.get("url"), str) else None
    kind = (
        ext.get("kind") if ext.get("kind") in KINDS else ("article" if raw.get("title") else "note")
    )
    others = tuple(_translations(ext, primary))
    return ImportItem(
        source_id=source_id,
        title=str(raw.get("title") or ""),
        content=content,
        content_format=content_format,
        old_urls=(url,) if url else (),
        tags=tags,
        published=published,
        updated=updated,
        status=_status(status, scheduled),
        scheduled=scheduled,
        first_published=_date((primary or {}).get("published_at")),
        deleted=_date(ext.get("deleted_at")) if page == "deleted" else None,
        kind=kind,
        language=ext.get("default_language") or raw.get("language") or language,
        slug=ext.get("slug") if isinstance(ext.get("slug"), str) else None,
        excerpt=raw.get("summary") if isinstance(raw.get("summary"), str) else None,
        media=tuple(_media(raw, content, content_format, media_root, others)),
        translations=others,
        properties=ext["properties"] if isinstance(ext.get("properties"), dict) else {},
        visibility=ext.get("visibility") if ext.get("visibility") in VISIBILITIES else "public",
    )


def _status(status: Any, scheduled: datetime | None) -> str:
    """The import status of hub's page or translation status: in moderation or blocked is a
    draft; scheduled needs its time."""
    if status == SCHEDULED:
        return SCHEDULED if scheduled is not None else DRAFT
    return status if status in (PUBLISHED, ARCHIVED) else DRAFT


def _primary(ext: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for translation in ext.get("translations") or ():
        if isinstance(translation, dict) and translation.get("language") == ext.get(
            "default_language"
        ):
            return translation
    return None


def _translations(ext: Mapping[str, Any], primary: Mapping[str, Any] | None):
    for t in ext.get("translations") or ():
        if not isinstance(t, dict) or t is primary or not isinstance(t.get("language"), str):
            continue
        markdown = t.get("body_format") == "markdown" and bool(t.get("body_source"))
        yield Translation(
            language=t["language"],
            title=str(t.get("title") or ""),
            content=str((t.get("body_source") if markdown else t.get("content_html")) or ""),
            content_format="markdown" if markdown else "html",
            status=t["status"] if t.get("status") in (PUBLISHED, SCHEDULED) else DRAFT,
            published=_date(t.get("published_at")),
            updated=_date(t.get("content_updated_at")),
        )


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"its date {value!r} is not an RFC 3339 date") from None
    if when.tzinfo is None:
        raise ValueError(f"its date {value!r} has no time zone")
    return when


def _media(
    raw: Mapping[str, Any],
    content: str,
    content_format: str,
    media_root: Path | None,
    translations: tuple[Translation, ...] = (),
) -> list[MediaRef]:
    urls: list[str] = []
    for text, text_format in [(content, content_format)] + [
        (t.content, t.content_format) for t in translations
    ]:
        find = markdown_image_urls if text_format == "markdown" else html_image_urls
        urls.extend(find(text))
    ext = raw.get("_hub") if isinstance(raw.get("_hub"), dict) else {}
    for used in ext.get("media") or ():  # hub's export: the files the entry uses
        if isinstance(used, dict) and isinstance(used.get("original"), str):
            urls.append(f"../../{used['original']}")
    for attachment in raw.get("attachments") or ():
        if (
            isinstance(attachment, dict)
            and isinstance(attachment.get("url"), str)
            and str(attachment.get("mime_type", "")).startswith(MEDIA_TYPES)
        ):
            urls.append(attachment["url"])
    refs = []
    for url in dict.fromkeys(urls):
        if url.startswith(("http://", "https://")):
            refs.append(MediaRef(reference=url, url=url))
        elif media_root is not None and (local := _inside(media_root, url)) is not None:
            refs.append(MediaRef(reference=url, path=local))
    return refs


def _inside(root: Path, reference: str) -> Path | None:
    """The archive file a relative reference (`../../media/x.png`) names, never outside it."""
    parts = [p for p in PurePosixPath(reference).parts if p not in ("..", ".")]
    if not parts or parts[0] != "media":
        return None
    path = (root / PurePosixPath(*parts)).resolve()
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None


def _detect(path: Path) -> bool:
    start = head(path, 512).lstrip()
    return start.startswith(b"{") and b"jsonfeed.org/version/1" in head(path)


def _read(path: Path) -> Parsed:
    if path.stat().st_size > MAX_FEED_BYTES:
        raise Invalid(f"{path} is over {MAX_FEED_BYTES // 1024 // 1024} MB.")
    return parse_feed(path.read_bytes())


register(Format(KIND, "a JSON Feed 1.1 file (micro.blog, hub's own feed.json)", _detect, _read))
