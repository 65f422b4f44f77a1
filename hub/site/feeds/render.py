"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents from one neutral description, pure
(webmention-site-feeds §4.2 to 4.4). XML is written by hand with escaping, and every text goes
through `clean_text` (characters XML 1.0 forbids, DEL and the C1 controls are dropped), so every
document is well-formed and clean whatever the content.

- RSS escapes `&`, `<`, `>` (and `"`) as numeric character references (`&#38;`, `&#60;`,
  `&#62;`), as the RSS Advisory Board's Best Practices Profile asks; Atom uses the named ones.
- An Atom entry of an untitled note gets a title made from its text (`atom_title`); RSS and
  JSON Feed leave the title out.
- The channel image of RSS (`<image>`) is only a PNG, JPEG or GIF (`FeedDoc.image`); Atom's
  icon/logo and JSON Feed's icon/favicon prefer it too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import orjson

from hub.core.inputs import clean_document, clean_text
from hub.site.public.content import preview_text

GENERATOR = "hub"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
TITLE_LENGTH = 70  # characters of an untitled note's text in its Atom title (then "…")
# `&` first; chained str.replace runs in C (str.translate with a dict table looks up every
# character in Python: 4x slower for a feed of long entries)
_NAMED = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"))
_NUMERIC = (("&", "&#38;"), ("<", "&#60;"), (">", "&#62;"), ('"', "&#34;"))


def _escape(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for char, reference in table:
        if char in text:
            text = text.replace(char, reference)
    return text


@dataclass(frozen=True)
class FeedItem:
    id: str  # the translation permalink (R-W28)
    url: str
    title: str  # empty for notes
    content_html: str  # absolute URLs, sanitised
    summary: str | None
    published: datetime
    modified: datetime
    language: str
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    external_url: str | None = None


@dataclass(frozen=True)
class FeedDoc:
    title: str
    home_url: str  # the HTML page of this scope
    feed_url: str  # this document's own URL
    description: str | None
    language: str
    updated: datetime
    author_name: str
    author_url: str
    icon: str | None  # the channel avatar, any image type (a WebP when no rendition exists)
    hub: str | None
    items: list[FeedItem]
    image: str | None = None  # the avatar's PNG/JPEG rendition: RSS <image>, preferred by all
    logo: str | None = None  # the cover's PNG/JPEG rendition: Atom <logo>

    @property
    def best_icon(self) -> str | None:
        return self.image or self.icon


def _x(text: str | None) -> str:
    """Text or attribute content for Atom: cleaned, then escaped with named entities."""
    return _escape(clean_text(text or ""), _NAMED)


def _r(text: str | None) -> str:
    """Text or attribute content for RSS: cleaned, then escaped with numeric references."""
    return _escape(clean_text(text or ""), _NUMERIC)


def atom_title(item: FeedItem) -> str:
    """The Atom title of an entry: its own, else the start of its text (plain, whitespace
    collapsed, cut at a word with "…"), which for a like, repost or bookmark without text is
    its one-line body ("Liked …"); a note with no text at all is "Photo" or "Note"."""
    if item.title.strip():
        return item.title
    text = preview_text(item.content_html, TITLE_LENGTH) or preview_text(item.summary or "")
    if text:
        return text
    return "Photo" if item.image or "<img" in item.content_html else "Note"


def rfc822(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC))  # "+0000"


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def rss(doc: FeedDoc) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
        f"<title>{_r(doc.title)}</title>\n<link>{_r(doc.home_url)}</link>\n",
        f"<description>{_r(doc.description or doc.title)}</description>\n",
        f"<language>{_r(doc.language)}</language>\n",
        f"<lastBuildDate>{rfc822(doc.updated)}</lastBuildDate>\n",
        f"<generator>{GENERATOR}</generator>\n",
        f'<atom:link rel="self" type="application/rss+xml" href="{_r(doc.feed_url)}"/>\n',
    ]
    if doc.hub:
        out.append(f'<atom:link rel="hub" href="{_r(doc.hub)}"/>\n')
    if doc.image:
        out.append(
            f"<image><url>{_r(doc.image)}</url><title>{_r(doc.title)}</title>"
            f"<link>{_r(doc.home_url)}</link></image>\n"
        )
    for item in doc.items:
        out.append("<item>\n")
        if item.title:
            out.append(f"<title>{_r(item.title)}</title>\n")
        out.append(f"<link>{_r(item.url)}</link>\n")
        out.append(f'<guid isPermaLink="true">{_r(item.id)}</guid>\n')
        out.append(f"<pubDate>{rfc822(item.published)}</pubDate>\n")
        out.append(f"<description>{_r(item.summary or item.content_html)}</description>\n")
        out.append(f"<content:encoded>{_r(item.content_html)}</content:encoded>\n")
        out.extend(f"<category>{_r(tag)}</category>\n" for tag in item.tags)
        out.append(f"<dc:creator>{_r(doc.author_name)}</dc:creator>\n</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(doc: FeedDoc) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_x(doc.language)}">\n',
        f"<id>{_x(doc.home_url)}</id>\n<title>{_x(doc.title)}</title>\n",
        f"<updated>{rfc3339(doc.updated)}</updated>\n",
        f'<link rel="self" type="application/atom+xml" href="{_x(doc.feed_url)}"/>\n',
        f'<link rel="alternate" type="text/html" href="{_x(doc.home_url)}"/>\n',
    ]
    if doc.hub:
        out.append(f'<link rel="hub" href="{_x(doc.hub)}"/>\n')
    out.append(
        f"<author><name>{_x(doc.author_name)}</name><uri>{_x(doc.author_url)}</uri></author>\n"
        f"<generator>{GENERATOR}</generator>\n"
    )
    if doc.best_icon:
        logo = doc.logo or doc.best_icon
        out.append(f"<icon>{_x(doc.best_icon)}</icon>\n<logo>{_x(logo)}</logo>\n")
    if doc.description:
        out.append(f"<subtitle>{_x(doc.description)}</subtitle>\n")
    for item in doc.items:
        out.append(
            f'<entry xml:lang="{_x(item.language)}">\n<id>{_x(item.id)}</id>\n'
            f"<title>{_x(atom_title(item))}</title>\n"
            f'<link rel="alternate" type="text/html" href="{_x(item.url)}"/>\n'
            f"<published>{rfc3339(item.published)}</published>\n"
            f"<updated>{rfc3339(item.modified)}</updated>\n"
        )
        if item.summary:
            out.append(f'<summary type="text">{_x(item.summary)}</summary>\n')
        out.append(f'<content type="html">{_x(item.content_html)}</content>\n')
        out.extend(f'<category term="{_x(tag)}"/>\n' for tag in item.tags)
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def json_feed(doc: FeedDoc) -> bytes:
    icon = doc.best_icon
    author: dict[str, str] = {"name": doc.author_name, "url": doc.author_url}
    if icon:
        author["avatar"] = icon
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": doc.title,
        "home_page_url": doc.home_url,
        "feed_url": doc.feed_url,
    }
    if doc.description:
        feed["description"] = doc.description
    if icon:
        feed["icon"] = icon
        feed["favicon"] = icon
    feed["authors"] = [author]
    feed["language"] = doc.language
    if doc.hub:
        feed["hubs"] = [{"type": "WebSub", "url": doc.hub}]
    feed["items"] = [_json_item(item) for item in doc.items]
    return orjson.dumps(clean_document(feed))


def _json_item(item: FeedItem) -> dict[str, object]:
    out: dict[str, object] = {"id": item.id, "url": item.url}
    if item.external_url:
        out["external_url"] = item.external_url
    if item.title:
        out["title"] = item.title
    out["content_html"] = item.content_html
    if item.summary:
        out["summary"] = item.summary
    if item.image:
        out["image"] = item.image
    out["date_published"] = rfc3339(item.published)
    out["date_modified"] = rfc3339(item.modified)
    if item.tags:
        out["tags"] = item.tags
    out["language"] = item.language
    return out
