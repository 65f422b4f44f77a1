"""WordPress WXR (the RSS-based "Tools → Export" file) into import items.

Read with defusedxml: a document that declares entities (billion laughs, external entities)
is refused whole; nothing is fetched while parsing. Posts and pages become items (pages too
are entries), `category` elements of domain `category` and `post_tag` become tags, `publish`
stays published and `draft`, `pending`, `future` and `private` become drafts; trashed and
auto-drafts are refused. The GMT date is kept. Attachments (`wp:attachment_url`) of a post and
the `<img src>` of its content are its media; approved comments its comments.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from hub.core.errors import Invalid
from hub.core.imports.formats import Format, head, register
from hub.core.imports.items import DRAFT, PUBLISHED, Comment, ImportItem, MediaRef, Parsed, Refusal
from hub.core.markdown import html_image_urls

KIND = "wxr"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
WP = "http://wordpress.org/export/"
EXCERPT = "http://wordpress.org/export/"  # excerpt:encoded lives under .../excerpt/
STATUSES = {"publish": PUBLISHED, "draft": DRAFT, "pending": DRAFT, "future": DRAFT,
            "private": DRAFT}  # fmt: skip
SKIPPED_CATEGORIES = {"uncategorized"}


def parse_wxr(data: bytes) -> Parsed:
    """The items of a WXR document; `Invalid` when it is not one or declares entities."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Invalid(f"The file declares XML entities ({type(exc).__name__}); refused.") from None
    except ParseError as exc:
        raise Invalid(f"The file is not well-formed XML: {exc}.") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise Invalid("The file is not a WordPress export (no rss/channel).")
    base = _text(channel, "link")
    elements = channel.findall("item")
    attachments: dict[str, list[str]] = {}
    for el in elements:
        if _wp(el, "post_type") == "attachment":
            url = _wp(el, "attachment_url")
            if url:
                attachments.setdefault(_wp(el, "post_parent"), []).append(url)
    parsed = Parsed(KIND)
    for el in elements:
        post_type = _wp(el, "post_type") or "post"
        post_id = _wp(el, "post_id") or _text(el, "guid")
        if post_type == "attachment":
            continue
        if post_type not in ("post", "page"):
            parsed.refused.append(Refusal(post_id, f"a WordPress {post_type}, not a post or page"))
            continue
        status = _wp(el, "status") or "publish"
        if status not in STATUSES:
            parsed.refused.append(Refusal(post_id, f"its WordPress status is {status}"))
            continue
        parsed.items.append(_item(el, post_id, post_type, status, base, attachments))
    return parsed


def _item(
    el: Element, post_id: str, post_type: str, status: str, base: str,
    attachments: dict[str, list[str]],
) -> ImportItem:  # fmt: skip
    content = _text(el, CONTENT)
    media = [*attachments.get(post_id, []), *html_image_urls(content)]
    refs = tuple(
        MediaRef(reference=url, url=url)
        for url in dict.fromkeys(media)
        if urlsplit(url).scheme in ("http", "https", "")
        and urlsplit(url).netloc  # relative image paths name nothing fetchable
    )
    old = [_text(el, "link"), _text(el, "guid")]
    if post_id:
        query = "page_id" if post_type == "page" else "p"
        old.append(f"{base.rstrip('/')}/?{query}={post_id}")
    tags = [
        (c.text or "").strip()
        for c in el.findall("category")
        if c.get("domain") in ("category", "post_tag")
    ]
    return ImportItem(
        source_id=post_id,
        title=_text(el, "title"),
        content=content,
        content_format="html",
        old_urls=tuple(u for u in old if u),
        tags=tuple(t for t in tags if t and t.casefold() not in SKIPPED_CATEGORIES),
        published=_date(el),
        status=STATUSES[status],
        slug=unquote(_wp(el, "post_name")) or None,
        excerpt=_excerpt(el) or None,
        media=refs,
        comments=tuple(_comments(el)),
    )


def _text(el: Element, tag: str) -> str:
    found = el.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _wp(el: Element, name: str) -> str:
    """The text of the `wp:name` child, whichever WXR version (1.0 to 1.2) names it."""
    for child in el:
        if child.tag.startswith("{" + WP) and child.tag.endswith("}" + name):
            return (child.text or "").strip()
    return ""


def _excerpt(el: Element) -> str:
    for child in el:
        if child.tag.endswith("/excerpt/}encoded"):
            return (child.text or "").strip()
    return ""


def _date(el: Element) -> datetime | None:
    gmt = _wp(el, "post_date_gmt")
    if gmt and not gmt.startswith("0000"):
        try:
            return datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            pass
    pub = _text(el, "pubDate")
    if pub:
        try:
            return email.utils.parsedate_to_datetime(pub).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    local = _wp(el, "post_date")
    if local and not local.startswith("0000"):
        try:
            return datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            pass
    return None


def _comments(el: Element) -> list[Comment]:
    found = []
    for c in el:
        if not c.tag.endswith("}comment") or not c.tag.startswith("{" + WP):
            continue
        if _wp(c, "comment_approved") != "1" or _wp(c, "comment_type") in ("pingback", "trackback"):
            continue
        gmt = _wp(c, "comment_date_gmt")
        try:
            when = datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            when = None
        found.append(Comment(
            source_id=_wp(c, "comment_id"), author_name=_wp(c, "comment_author"),
            content_html=_wp(c, "comment_content"), author_url=_wp(c, "comment_author_url") or None,
            published=when,
        ))  # fmt: skip
    return found


def _detect(path: Path) -> bool:
    start = head(path)
    return path.is_file() and b"<rss" in start and b"wordpress.org/export/" in start


def _read(path: Path) -> Parsed:
    return parse_wxr(path.read_bytes())


register(Format(KIND, "a WordPress export (WXR) file", _detect, _read))
