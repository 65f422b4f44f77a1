"""The sitemap documents (sitemaps.org 0.9): a `<urlset>` with `<lastmod>` and Google's
`xhtml:link rel="alternate" hreflang` alternates, or a `<sitemapindex>` of pages. Pure: rows
in, XML text out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MAX_URLS = 50_000  # per file, the protocol's limit


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (hreflang, URL)


def _date(when: datetime | None) -> str:
    if when is None:
        return ""
    stamp = when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return f"<lastmod>{stamp}</lastmod>"


def urlset(urls: Iterable[SitemapUrl]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n',
    ]
    for url in urls:
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>'
            for lang, href in url.alternates
        )
        parts.append(f"<url><loc>{_escape(url.loc)}</loc>{_date(url.lastmod)}{links}</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)


def sitemap_index(locations: Iterable[str]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<sitemapindex xmlns="{SITEMAP_NS}">\n',
        *(f"<sitemap><loc>{_escape(loc)}</loc></sitemap>\n" for loc in locations),
        "</sitemapindex>\n",
    ]
    return "".join(parts)
