"""What an importer reads from a source, before anything is written: items and refusals.

Every format's parser (one module per format in this package) turns its source into a
`Parsed`: the `ImportItem`s to write and the `Refusal`s of what it will not import, with why.
Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

DRAFT = "draft"
PUBLISHED = "published"
SCHEDULED = "scheduled"  # hub's own export: published by the worker at `ImportItem.scheduled`
ARCHIVED = "archived"  # hub's own export


@dataclass(frozen=True)
class MediaRef:
    """A media file an item uses: `reference` is the text in the content that names it (an
    `src` or a Markdown link target), rewritten to the stored copy's URL; the file is at `url`
    (fetched through the guarded client) or at `path` (a file next to a Markdown source)."""

    reference: str
    url: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class Comment:
    """A comment the source received (kept as a received response with `--comments`)."""

    source_id: str
    author_name: str
    content_html: str
    author_url: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Translation:
    """Another language of an item (hub's own export carries them): its content, whether it
    is published (or scheduled with the entry), and its own dates: first publication and
    last content change."""

    language: str
    title: str = ""
    content: str = ""
    content_format: str = "markdown"  # html | markdown
    status: str = PUBLISHED  # published | scheduled | draft
    published: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class ImportItem:
    """One post or page of a source, in the source's own words."""

    source_id: str  # stable within the source kind: a WordPress post id, a file's path
    title: str = ""
    content: str = ""
    content_format: str = "html"  # html | markdown
    old_urls: tuple[str, ...] = ()  # where the item lived (permalinks, `/?p=ID`, guid)
    tags: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None  # the content's last change (else: `published`)
    status: str = PUBLISHED  # published | draft | scheduled | archived
    scheduled: datetime | None = None  # when a `scheduled` item publishes
    first_published: datetime | None = None  # a draft or archived item's first publication
    deleted: datetime | None = None  # imported soft-deleted at this time (hub's export)
    kind: str = "article"
    language: str | None = None
    slug: str | None = None
    excerpt: str | None = None
    media: tuple[MediaRef, ...] = ()
    comments: tuple[Comment, ...] = ()
    translations: tuple[Translation, ...] = ()  # other languages than `language`
    properties: dict = field(default_factory=dict)  # microformats properties, kept as they are
    visibility: str = "public"

    @property
    def label(self) -> str:
        """How the summary names the item."""
        return f"{self.source_id} ({self.title})" if self.title else self.source_id


@dataclass(frozen=True)
class Refusal:
    """Something of the source that is not imported, and why (in words for the person)."""

    source_id: str
    reason: str


@dataclass
class Parsed:
    """A source read by a parser: its kind (`import_sources.source_kind`), items, refusals."""

    kind: str
    items: list[ImportItem] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
