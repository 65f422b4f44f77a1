"""Draft media URLs in article bodies become page media URLs when the article is saved
(publicasta-v1-resolved §1.7 "Draft → page rewrite", R-64).

An agent uploads images before the article exists and pastes the returned drafts-folder URL
into every translation. On each save (POST pages, PUT translation), every sent body is scanned
for drafts URLs of this node, absolute (`{base}/storage/projects/{cid}/drafts/YYYY/MM/name`) or
root-relative. For each URL of the same channel, the processed file is copied (hard-linked)
to `projects/{cid}/pages/{page_id}/name`, a `media` row is recorded for the copy and attached
to the entry (`entry_media`), and the URL is rewritten in both the Markdown source and the
rendered HTML, all in the caller's transaction; the file is staged and appears only after the
commit. A drafts URL of another channel is left as it is (`foreign_media`); one that names no
stored draft is left as it is too (`draft_media_missing`).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from urllib.parse import unquote

from hub.channels.schemas import TranslationInput, warning
from hub.core.errors import Invalid
from hub.core.media import pipeline, queries
from hub.core.offload import is_heavy, off_loop
from hub.core.urls import Urls
from hub.core.writes import Tx

_TAIL = r"/storage/projects/(\d+)/drafts/(\d{4})/(\d{2})/([^\s\"'()<>?#/\\\]]+)"


@dataclass(frozen=True)
class DraftUrl:
    text: str  # as found in the body
    channel_id: int
    relative: str  # the draft file, relative to the media directory
    name: str


def draft_pattern(urls: Urls) -> re.Pattern[str]:
    """Drafts URLs of this node: absolute on its base URL, or root-relative (not preceded by
    a host, so another site's look-alike path is never taken for ours)."""
    return re.compile(rf"(?:{re.escape(urls.base)}|(?<![\w.:/%@-])){_TAIL}")


_MARK = "/drafts/"  # in every drafts URL
_WINDOW = 1 << 20  # characters searched per call: a worker thread hands the GIL back between


def has_draft_urls(*texts: str) -> bool:
    """Whether any of `texts` may hold a drafts URL (every one has "/drafts/"; most bodies
    have none, and then `rewrite_drafts` writes nothing). Searched a window at a time, so
    that in a worker thread (`may_hold_draft_urls`) no single call holds the GIL for long."""
    for text in texts:
        for start in range(0, len(text), _WINDOW):
            if text.find(_MARK, start, start + _WINDOW + len(_MARK) - 1) >= 0:
                return True
    return False


async def may_hold_draft_urls(*texts: str) -> bool:
    """`has_draft_urls`, off the event loop for long texts (a v1 article near the body limit
    has ~57 MB of bodies: ~50 ms to search)."""
    return await off_loop(has_draft_urls, *texts, heavy=is_heavy(*texts))


def find_draft_urls(text: str, pattern: re.Pattern[str]) -> list[DraftUrl]:
    if not has_draft_urls(text):  # fast path
        return []
    found: dict[str, DraftUrl] = {}
    for m in pattern.finditer(text):
        cid, year, month, raw_name = m.groups()
        name = unquote(raw_name)
        relative = f"projects/{cid}/drafts/{year}/{month}/{name}"
        found.setdefault(m.group(0), DraftUrl(m.group(0), int(cid), relative, name))
    return list(found.values())


async def rewrite_drafts(
    tx: Tx,
    urls: Urls,
    channel_id: int,
    entry_id: int,
    contents: dict[str, tuple[TranslationInput, dict]],
    warnings: list[dict],
) -> list[str]:
    """Rewrite the drafts URLs in `contents` (language -> (input, merged content)) in place;
    the languages whose bodies changed."""
    pattern = draft_pattern(urls)
    copies: dict[str, str | None] = {}  # draft URL text -> page URL text, None: left as it is
    rewritten: list[str] = []
    for language, (t, content) in contents.items():
        source, html = content["body_source"], content["content_html"]
        if not await may_hold_draft_urls(source, html):
            continue
        found = {d.text: d for text in (source, html) for d in find_draft_urls(text, pattern)}
        if not found:
            continue
        field = f"{t.path}." if t.path else ""
        field += f"content_{content['body_format']}"
        for text, draft in found.items():
            if text not in copies:
                copies[text] = await _copy(tx, urls, channel_id, entry_id, draft, warnings, field)
            new = copies[text]
            if new is not None:
                source = source.replace(text, new)
                html = html.replace(text, new)
        if (source, html) != (content["body_source"], content["content_html"]):
            content["body_source"], content["content_html"] = source, html
            rewritten.append(language)
    return rewritten


async def _copy(
    tx: Tx, urls: Urls, channel_id: int, entry_id: int, draft: DraftUrl, warnings: list[dict],
    field: str,
) -> str | None:  # fmt: skip
    if draft.channel_id != channel_id:
        warnings.append(
            warning(
                "foreign_media",
                f"{draft.text} is a draft image of another channel; it was left unchanged. "
                "Upload the image to this channel and use the URL you get back.",
                field,
            )
        )
        return None
    conn = tx.conn
    row = await queries.select_media_by_path(conn, channel_id, draft.relative)
    if row is None or row["folder"] != "drafts" or not await _exists(tx, draft.relative):
        warnings.append(
            warning(
                "draft_media_missing",
                f"{draft.text} names no stored draft image (unknown, or deleted after the "
                "retention period); it was left unchanged. Upload the image again.",
                field,
            )
        )
        return None
    page_path = f"projects/{channel_id}/pages/{entry_id}/{draft.name}"
    copy = await queries.select_media_by_path(conn, channel_id, page_path)
    if copy is None:
        if not tx.dry_run:
            await tx.files.link(draft.relative, page_path)
        copy = await queries.insert_media(
            conn,
            public_id=secrets.token_urlsafe(16),
            author_id=row["author_id"],
            channel_id=channel_id,
            purpose="article",
            folder="pages",
            content_type=row["content_type"],
            bytes=row["bytes"],
            sha256=row["sha256"],
            path=page_path,
            processed_type=row["processed_type"],
            processed_bytes=row["processed_bytes"],
            width=row["width"],
            height=row["height"],
            frames=row["frames"],
            alt=row["alt"],
        )
        await queries.mark_media_attached(conn, row["id"])
    await queries.attach_media(conn, entry_id, copy["id"], copy["alt"])
    prefix = draft.text[: draft.text.index("/storage/")]
    tail = draft.text.split("/drafts/", 1)[1].split("/", 2)[2]  # the name as written
    return f"{prefix}/storage/projects/{channel_id}/pages/{entry_id}/{tail}"


async def _exists(tx: Tx, relative: str) -> bool:
    try:
        path = pipeline.safe_path(tx.files.root, relative)
    except Invalid:
        return False
    return await asyncio.to_thread(path.is_file)
