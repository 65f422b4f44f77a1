"""The entry page (webmention-site-feeds §3.4): 200 in one language, 404 when the entry was
never public, 410 with a tombstone when it was and is no longer (§3.6), 301 from
`?lang={primary}`. What a 200 shows is decided by its row and origin, and kept per exact row
(`hub.site.public.memo`); the page is rendered on every request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response

from hub.site.public.caching import GONE_CACHE, etag_of, is_fresh, newest
from hub.site.public.content import preview_text
from hub.site.public.memo import Memo, row_key
from hub.site.public.mentions import mention_groups
from hub.site.public.pages import Scope, _head, _header, _html, moved_permanently, not_found
from hub.site.public.render import TEMPLATE_VERSION, render
from hub.site.public.view import (
    GONE,
    MISSING,
    ChannelView,
    channel_view,
    entry_from_json,
    entry_state,
    entry_view,
    language_switch,
    parse_time,
    published_languages,
    translations_of,
)
from hub.site.seo import structured


@dataclass(frozen=True)
class EntryPage:
    """What an entry page's 200 shows, all decided by its row and origin: the validators and
    the template's context (kept in `ENTRY_PAGES`; only read afterwards)."""

    etag: str
    changed: datetime | None
    context: dict[str, Any]


ENTRY_PAGES: Memo[EntryPage] = Memo(512)  # entry pages' views, by row and origin


async def entry_page(
    request: Request, scope: Scope, row: asyncpg.Record, slug: str, language: str | None
) -> Response:
    """An entry in one language (§3.4): 200, 404 when it was never public, 410 with a
    tombstone when it was and is no longer (§3.6). `row` is a channel with its `entry`
    (`published.channel_with_entry`: the entry as JSON text)."""
    if row["entry"] is None:
        return not_found(request, scope, channel_view(row, scope.urls))
    key = (scope.urls.base, scope.endpoints.base, slug, language, row_key(row))
    page = ENTRY_PAGES.get(key)
    if page is None:
        found = _entry_page(request, scope, row, slug, language)
        if isinstance(found, Response):
            return found  # 404, 410 or 301: answered from the row each time
        page = ENTRY_PAGES.put(key, found)
    if is_fresh(request, page.etag, page.changed):
        return _html(request, scope, b"", etag=page.etag, last_modified=page.changed,
                     negotiated=True)  # fmt: skip
    body = render("entry.html", **page.context)
    return _html(request, scope, body, etag=page.etag, last_modified=page.changed, negotiated=True)


def _entry_page(
    request: Request, scope: Scope, row: asyncpg.Record, slug: str, language: str | None
) -> EntryPage | Response:
    """The entry page's validators and context from its row, or the answer that is not a
    200 (404, 410, 301)."""
    urls = scope.urls
    entry = entry_from_json(orjson.loads(row["entry"]))
    translations = translations_of(entry)
    shown = language or entry["default_language"]
    state = entry_state(entry, translations, shown)
    channel = channel_view(row, urls, shown)
    if state == MISSING:
        return not_found(request, scope, channel)
    primary = entry["default_language"]
    if language == primary:  # `?lang={primary}`: the entry has one URL in that language
        return moved_permanently(channel.links.entry(entry["slug"], primary=primary))
    if state == GONE:
        return gone(request, scope, channel, entry, language)
    translation = translations[shown]
    etag = etag_of(
        TEMPLATE_VERSION, "entry", entry["id"], entry["version"], entry["updated_at"],
        translation["updated_at"], entry["mentions_changed_at"], row["changed_at"], language,
    )  # fmt: skip
    changed = newest(
        entry["updated_at"],
        parse_time(translation["updated_at"]),
        entry["mentions_changed_at"],
        row["changed_at"],
    )
    view = entry_view(entry, translation, channel, urls, full=True)
    links = channel.links
    languages = published_languages(entry, translations)
    hreflang = [{"lang": lg, "href": links.entry(slug, lg, primary=primary)} for lg in languages]
    hreflang.append({"lang": "x-default", "href": links.entry(slug, primary=primary)})
    title = (
        translation.get("seo_title")
        or view["name"]
        or preview_text(view["summary"] or view["content_html"], 70)
        or channel.title
    )
    description = translation.get("seo_description") or view["summary"] or None
    image = (
        view["featured"]["src"]
        if view["featured"]
        else (view["photos"][0]["src"] if view["photos"] else None)
    )
    page = _head(
        scope,
        title=title if title == channel.title else f"{title} — {channel.title}",
        lang=shown,
        canonical=view["url"],
        feeds=links.feeds(channel.title),
        description=description,
        hreflang=hreflang,
        feed_html=channel.home,
        og={"type": "article", "title": title, "url": view["url"],
            "description": description, "image": image},
        twitter=structured.twitter_card(title, description, image),
        json_ld=structured.script_json(structured.blog_posting(
            headline=view["name"] or None, url=view["url"],
            published=view["published"], modified=view["updated"],
            author_name=channel.author_name, author_url=channel.author_url or channel.home,
            image=image, language=shown,
            description=description or preview_text(view["content_html"], 200) or None,
        )),
        activitypub=links.entry(slug, primary=primary),
    )  # fmt: skip
    view["translations"] = language_switch(entry, languages, shown, links)
    view["mentions"] = mention_groups(entry.get("mentions") or [], scope.urls.media_file)
    context = {"page": page, "header": _header(channel, scope), "e": view,
               "webmention": scope.endpoints.webmention}  # fmt: skip
    return EntryPage(etag, changed, context)


def gone(
    request: Request,
    scope: Scope,
    channel: ChannelView,
    entry: dict[str, Any],
    language: str | None,
) -> Response:
    """410 tombstone (R-W24): a minimal h-entry with `dt-deleted`."""
    shown = language or entry["default_language"]
    url = channel.links.entry(entry["slug"], shown, primary=entry["default_language"])
    deleted = entry["deleted_at"] or entry["updated_at"]
    page = _head(scope, title="Gone", lang=shown, canonical=url, gone=True,
                 feeds=channel.links.feeds(channel.title))  # fmt: skip
    body = render(
        "gone.html",
        page=page,
        header=_header(channel, scope),
        gone={"url": url, "deleted": deleted, "home": channel.home, "home_name": channel.title},
    )
    etag = etag_of(TEMPLATE_VERSION, "gone", entry["id"], entry["version"], entry["updated_at"])
    return _html(
        request, scope, body, status=410, cache_control=GONE_CACHE, etag=etag,
        last_modified=entry["updated_at"],
    )  # fmt: skip
