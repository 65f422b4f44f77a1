"""What every feed reader builds: parsed posts and feeds, sanitised HTML, UTC dates, item
identity (R-D27, R-D28, R-D29). Pure."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from hub.core.sanitize import (
    is_plainly_sanitised,
    sanitize_html,
    strip_tags,
    text_of_sanitised,
)
from hub.directory.urlnorm import normalize_url

MAX_FEED_BYTES = 5 * 1024 * 1024  # R-D24
MAX_ITEMS = 500  # R-D24: the newest by date
MAX_CONTENT_BYTES = 256 * 1024
FUTURE_SLACK = timedelta(days=1)  # R-D29


class FeedError(ValueError):
    """The bytes are not a feed hub can read (or are refused: entities, size)."""


@dataclass(frozen=True)
class Attachment:
    url: str
    mime_type: str | None
    size_in_bytes: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class ParsedPost:
    identity: str
    guid: str | None
    link: str | None
    title: str | None
    content: str  # sanitised HTML
    content_text: str
    summary: str | None
    image: str | None
    attachments: tuple[Attachment, ...]
    author: dict[str, str | None] | None
    tags: tuple[str, ...]
    in_reply_to: str | None
    published_at: datetime | None  # UTC; None when the item has no usable date
    updated_at: datetime | None
    has_image: bool = False

    @property
    def content_hash(self) -> bytes:
        material = "\x00".join(
            [self.title or "", self.link or "", self.content, self.summary or "", self.image or ""]
        )
        return hashlib.sha256(material.encode()).digest()


@dataclass(frozen=True)
class ParsedFeed:
    format: str  # rss | atom | jsonfeed | hfeed
    format_version: str | None
    title: str
    link: str | None
    description: str | None
    icon: str | None
    language: str | None
    hub: str | None  # WebSub hub named in the document
    self_url: str | None
    posts: tuple[ParsedPost, ...] = field(default_factory=tuple)


def replace(obj: Any, **changes: Any) -> Any:
    return dataclasses.replace(obj, **changes)


_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)", re.I)
_TRACKER = re.compile(
    r"<img\b(?=[^>]*\bwidth\s*=\s*[\"']?1[\"'\s/>])(?=[^>]*\bheight\s*=\s*[\"']?1[\"'\s/>])[^>]*>",
    re.I,
)
_SPACES = re.compile(r"\s+")
_NOT_COLLAPSED = re.compile(r"\s\s|[^\S ]|^\s|\s$")  # what `_SPACES.sub(" ", t).strip()` changes


def clean_html(markup: str, base: str | None) -> str:
    """Sanitised HTML with relative URLs resolved and 1x1 tracking images removed, within
    MAX_CONTENT_BYTES (`fit_content`)."""
    markup = _TRACKER.sub("", markup or "")
    if base:
        markup = _absolutize(markup, base)
    return fit_content(_sanitize(markup))


def _sanitize(markup: str) -> str:
    # third-party links also get nofollow (R-D28); the shared sanitiser sets the rest. HTML
    # the sanitiser would give back as it is (an own entry's stored HTML, most often: it was
    # sanitised when it was written) is not parsed again (`is_plainly_sanitised`, issue 20).
    cleaned = markup if is_plainly_sanitised(markup) else sanitize_html(markup)
    return cleaned.replace('rel="noopener noreferrer"', 'rel="nofollow noopener noreferrer"')


def fit_content(html: str, limit: int = MAX_CONTENT_BYTES) -> str:
    """Sanitised `html` within `limit` UTF-8 bytes (the `posts.content` column's limit): a
    longer one is cut at a character boundary, never inside a tag or an entity, and sanitised
    again so that the elements the cut left open are closed; the cut leaves room for the end
    tags that adds."""
    excess = len(html.encode()) - limit
    if excess <= 0:
        return html
    budget = limit
    for _ in range(8):
        fitted = _sanitize(_cut(html, budget))
        excess = len(fitted.encode()) - limit
        if excess <= 0:
            return fitted
        budget -= excess + limit // 256  # a little room, so that few passes do
    return _cut(fitted, limit)  # pathological nesting: the cut alone still fits


def _cut(html: str, budget: int) -> str:
    """The longest prefix of `html` within `budget` UTF-8 bytes that ends at a character
    boundary outside any tag or character reference."""
    head = html.encode()[: max(budget, 0)].decode("utf-8", "ignore")
    tag, ref = head.rfind("<"), head.rfind("&")
    if tag > head.rfind(">"):
        head = head[:tag]
    elif ref > head.rfind(";") and ref > head.rfind(">"):
        head = head[:ref]
    return head


_URL_ATTR = re.compile(r"""(\s(?:href|src|poster)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)


def _absolutize(markup: str, base: str) -> str:
    def fix(match: re.Match[str]) -> str:
        value = match.group(3).strip()
        if _SCHEME.match(value) or value.startswith("#"):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{urljoin(base, value)}{match.group(2)}"

    return _URL_ATTR.sub(fix, markup)


def plain_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = _SPACES.sub(" ", strip_tags(value)).strip()
    return text or None


def text_of_clean(html: str) -> str:
    """`plain_text` of what `clean_html` returned, read without an HTML parser
    (`text_of_sanitised`: the same text for HTML the sanitiser wrote)."""
    text = text_of_sanitised(html)
    # its spaces are collapsed already unless `clean_text` took out characters between two
    return _SPACES.sub(" ", text).strip() if _NOT_COLLAPSED.search(text) else text


def shorten(value: str | None, limit: int) -> str | None:
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# an absolute http(s) URL that urljoin gives back unchanged (no params, no empty query or
# fragment): resolving it is skipped
PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%/+-]*)?(?:\?[A-Za-z0-9._~%=&+-]+)?"
)


def absolute_url(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if PLAIN_URL.fullmatch(value):
        return value
    joined = urljoin(base, value)
    return joined if joined.startswith(("http://", "https://")) else None


def _tag(value: str) -> str | None:
    slug = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")[:64].strip("-")
    return slug or None


def _tags(values: list[Any]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str):
            for part in v.split(",") if "," in v else [v]:
                t = _tag(part)
                if t and t not in out:
                    out.append(t)
    return tuple(out[:50])


def parse_date(value: Any) -> datetime | None:
    """A UTC datetime from ISO 8601 / RFC 822 text; None when unreadable or absurd."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return parsed if parsed.year >= 1970 else None


def _identity(guid: str | None, link: str | None, title: str | None, published, content: str):
    if guid:
        return guid[:2000]
    if link:
        return normalize_url(link)[:2000]
    material = f"{title or ''}\x00{published.isoformat() if published else ''}\x00{content[:500]}"
    return "sha256:" + hashlib.sha256(material.encode()).hexdigest()


def _untitled(title: str | None, content_text: str, *, implied: bool) -> str | None:
    """No made-up titles: a title that only repeats the content (an mf2 implied name, or an
    auto-generated "First words…" RSS title) is no title."""
    if not title:
        return None
    flat = _SPACES.sub(" ", title).strip()
    if not flat or not content_text:
        return flat or None
    if flat == content_text:
        return None
    stem = flat.rstrip(".…").rstrip()
    truncated = len(stem) < len(flat)
    if (implied or truncated) and stem and content_text.startswith(stem):
        return None
    return flat


def build_post(
    *,
    base: str,
    guid: str | None,
    link: str | None,
    title: str | None,
    html: str | None,
    text: str | None = None,
    summary: str | None = None,
    image: str | None = None,
    attachments: list[Attachment] | None = None,
    author: dict[str, str | None] | None = None,
    tags: list[Any] | None = None,
    in_reply_to: str | None = None,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    title_is_implied: bool = False,
) -> ParsedPost:
    item_base = link or base
    if html:
        content = clean_html(html, item_base)
    elif text:
        content = clean_html("<p>" + _escape(text).replace("\n\n", "</p><p>") + "</p>", item_base)
    else:
        content = ""
    content_text = text_of_clean(content)
    title_text = _untitled(plain_text(title), content_text, implied=title_is_implied)
    attachments = attachments or []
    if image is None:
        image = next((a.url for a in attachments if (a.mime_type or "").startswith("image/")), None)
    has_image = image is not None or bool(_IMG.search(content))
    if image is None and (m := _IMG.search(content)):
        image = absolute_url(m.group(1), item_base)
    summary_text = shorten(plain_text(summary), 500) if summary else None
    if summary_text is None and content_text:
        summary_text = shorten(content_text, 500)
    if not content and summary:
        content = clean_html(summary, item_base)
        content_text = text_of_clean(content)
    return ParsedPost(
        identity=_identity(guid, link, title_text, published_at, content_text),
        guid=guid,
        link=link,
        title=title_text,
        content=content,
        content_text=content_text,
        summary=summary_text,
        image=image,
        attachments=tuple(attachments[:20]),
        author=author,
        tags=_tags(tags or []),
        in_reply_to=in_reply_to,
        published_at=published_at,
        updated_at=updated_at,
        has_image=has_image,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
