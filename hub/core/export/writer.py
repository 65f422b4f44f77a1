"""Writing the export archive: per channel a JSON Feed, Markdown files and webmentions; the
media files once; the subscriptions' OPML; a manifest and a README. Reads one statement per
table per channel and writes each file as it goes (an entry at a time for the big ones)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg

from hub.core.errors import NotFound
from hub.core.export import frontmatter, jsonfeed, media_links, queries
from hub.core.export.archive import Archive
from hub.core.export.readme import README
from hub.core.urls.build import Urls
from hub.core.webmentions.export import select_for_export

ARCHIVE_FORMAT = 1  # `manifest.json` `format`: bumped when the layout changes


@dataclass
class ExportCounts:
    channels: int = 0
    entries: int = 0
    translations: int = 0
    media_files: int = 0
    webmentions: int = 0
    subscriptions: int = 0
    per_channel: dict[str, dict[str, int]] = field(default_factory=dict)


def hub_version() -> str:
    try:
        return metadata.version("hub")
    except metadata.PackageNotFoundError:
        return "unknown"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


async def export_node(
    conn: asyncpg.Connection,
    target: Path,
    *,
    media_dir: Path,
    urls: Urls,
    channel: str | None = None,
    subscriptions: Callable[[asyncpg.Connection, list[int]], Awaitable[tuple[str, int]]]
    | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> ExportCounts:
    """Write the archive of every channel (or the one named) into `target` (a folder, or a
    zip file when it ends in `.zip`). `subscriptions` gives the directory's OPML of the
    channels' authors and its number of outlines. Runs inside the caller's transaction (one
    consistent snapshot)."""
    counts = ExportCounts()
    channels = await queries.select_channels(conn, channel)
    if channel is not None and not channels:
        raise NotFound(f"No channel {channel!r}.")
    pattern = media_links.storage_pattern(urls.origin)
    with Archive(target) as archive:
        for row in channels:
            progress(f"channel {row['slug']}")
            mine = await _export_channel(conn, archive, dict(row), media_dir, urls, pattern)
            counts.per_channel[row["slug"]] = mine
            counts.channels += 1
            counts.entries += mine["entries"]
            counts.translations += mine["translations"]
            counts.media_files += mine["media_files"]
            counts.webmentions += mine["webmentions"]
            progress(
                f"channel {row['slug']}: {mine['entries']} entries, {mine['media_files']} media"
                f" files, {mine['webmentions']} webmentions"
            )
        if subscriptions is not None:
            author_ids = sorted({r["author_id"] for r in channels})
            opml, counts.subscriptions = await subscriptions(conn, author_ids)
            archive.write_text("subscriptions.opml", opml)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "generator": "hub",
            "hub_version": hub_version(),
            "exported_at": datetime.now(UTC).isoformat(),
            "base_url": urls.base,
            "channels": [r["slug"] for r in channels],
            "counts": asdict(counts),
        }
        archive.write_text("manifest.json", json.dumps(manifest, indent=2) + "\n")
        archive.write_text("README.md", README)
    return counts


async def _export_channel(
    conn: asyncpg.Connection,
    archive: Archive,
    channel: dict[str, Any],
    media_dir: Path,
    urls: Urls,
    pattern: Any,
) -> dict[str, int]:
    slug = channel["slug"]
    base = f"channels/{slug}"
    mine = {"entries": 0, "translations": 0, "media_files": 0, "webmentions": 0}

    # media: each file once, under media/{its path in the media dir}
    media_rows = await queries.select_media(conn, channel["id"])
    exported: set[str] = set()
    described: dict[int, dict[str, Any]] = {}
    for m in media_rows:
        files: dict[str, str] = {}
        for key in ("original_path", "path", "feed_path"):
            relative = m[key]
            if relative and relative not in exported and (media_dir / relative).is_file():
                archive.copy_file(f"{media_links.ARCHIVE_MEDIA}/{relative}", media_dir / relative)
                exported.add(relative)
                mine["media_files"] += 1
            if relative and relative in exported:
                files[key] = f"{media_links.ARCHIVE_MEDIA}/{relative}"
        described[m["id"]] = {
            "id": m["public_id"],
            "purpose": m["purpose"],
            "content_type": m["content_type"],
            "bytes": m["bytes"],
            "sha256": m["sha256"],
            "width": m["width"],
            "height": m["height"],
            "alt": m["alt"],
            "source_url": m["source_url"],
            "created_at": jsonfeed.iso(m["created_at"]),
            "original": files.get("original_path"),
            "processed": files.get("path"),
            "processed_type": m["processed_type"],
        }

    home = urls.channel(slug, custom_domain=channel["custom_domain"])
    head = jsonfeed.feed_head(channel, home)
    head["_hub"]["media"] = list(described.values())
    feed_rewrite = lambda text: media_links.to_archive(text, pattern, exported, "../../")  # noqa: E731
    post_rewrite = lambda text: media_links.to_archive(text, pattern, exported, "../../../")  # noqa: E731

    # the feed is spooled to a temporary file while the posts are written (a zip takes one
    # file at a time), then copied in
    with tempfile.TemporaryFile() as out:
        opening = _dumps({**head, "items": []})
        out.write(opening[: -len("[]}")].encode() + b"[\n")  # stream the items into the list
        first = True
        async for row in queries.iter_entries(conn, channel["id"]):
            entry = dict(row)
            uses = [
                {
                    **described[u["media_id"]],
                    "role": u["role"],
                    "position": u["position"],
                    "use_alt": u["alt"],
                }
                for u in entry["media"]
                if u["media_id"] in described
            ]
            url = urls.entry(slug, entry["slug"], custom_domain=channel["custom_domain"])
            item = jsonfeed.item(entry, url=url, media=uses, rewrite=feed_rewrite)
            out.write((b"" if first else b",\n") + _dumps(item).encode())
            first = False
            mine["entries"] += 1
            for translation in entry["translations"]:
                body = (
                    translation["body_source"]
                    if translation["body_format"] == "markdown" and translation["body_source"]
                    else translation["content_html"]
                )
                text = frontmatter.markdown_file(entry, translation, post_rewrite(body))
                name = f"{base}/posts/{entry['slug']}.{translation['language']}.md"
                archive.write_text(name, text)
                mine["translations"] += 1
        out.write(b"\n]}\n")
        out.seek(0)
        archive.copy_stream(f"{base}/feed.json", out)

    mentions = [dict(r) for r in await select_for_export(conn, channel["id"])]
    archive.write_text(f"{base}/webmentions.json", _dumps(mentions) + "\n")
    mine["webmentions"] = len(mentions)
    return mine
