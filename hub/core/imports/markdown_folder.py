"""A folder of Markdown files with YAML front matter (Jekyll, Hugo) into import items.

Every `*.md` / `*.markdown` file under the folder is one item (a file without front matter
too: its first heading or its name gives the title). Front matter is read with
`yaml.safe_load` only: `title`, `date`, `lastmod`/`updated`, `tags` and `categories` (a list
or a comma-separated text), `slug`, `draft: true` or `published: false` (drafts),
`lang`/`language`, `description`/`excerpt`, and the old addresses `permalink`, `url` and
`aliases`. A name like `2024-05-01-my-post.md` gives the date and slug when the front matter
does not; files under `_drafts/` are drafts. Images the Markdown names by a relative path
(beside the file, or `/…` from the folder or its `static/`) are its media; a path leading
out of the folder is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from hub.core.errors import Invalid, TooLarge
from hub.core.imports.formats import Format, register
from hub.core.imports.items import DRAFT, PUBLISHED, ImportItem, MediaRef, Parsed, Refusal
from hub.core.markdown import markdown_image_urls

KIND = "markdown"
SUFFIXES = (".md", ".markdown")
MAX_FILE_BYTES = 5 * 1024 * 1024
_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def files_of(root: Path) -> list[Path]:
    """The Markdown files under `root`, in path order (hidden folders and files skipped)."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            found.append(path)
    return found


def read_folder(root: Path) -> Parsed:
    parsed = Parsed(KIND)
    root = root.resolve()
    for path in files_of(root):
        source_id = path.relative_to(root).as_posix()
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise Invalid(f"the file is over {MAX_FILE_BYTES // 1024 // 1024} MB")
            text = path.read_text("utf-8")
            parsed.items.append(parse_file(root, source_id, text))
        except UnicodeDecodeError:
            parsed.refused.append(Refusal(source_id, "the file is not UTF-8 text"))
        except (Invalid, TooLarge) as exc:
            parsed.refused.append(Refusal(source_id, exc.message))
    return parsed


def split_front_matter(text: str) -> tuple[dict, str]:
    """(front matter, body); `Invalid` when the front matter is not a YAML mapping."""
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise Invalid(f"the front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise Invalid("the front matter is not a YAML mapping")
    return meta, text[match.end() :]


def parse_file(root: Path, source_id: str, text: str) -> ImportItem:
    """One Markdown file (at `source_id` under `root`) as an item."""
    meta, body = split_front_matter(text)
    relative = Path(source_id)
    stem = relative.stem if relative.stem not in ("index", "_index") else relative.parent.name
    dated = _DATED.match(stem)
    slug = str(meta.get("slug") or (dated.group(4) if dated else stem)).strip()
    published = _when(meta.get("date"))
    if published is None and dated:
        published = datetime(*map(int, dated.group(1, 2, 3)), tzinfo=UTC)
    draft = (
        meta.get("draft") is True or meta.get("published") is False or "_drafts" in relative.parts
    )
    heading = _HEADING.search(body)
    title = str(meta.get("title") or (heading.group(1) if heading else "")).strip()
    if heading and not meta.get("title"):
        body = body[: heading.start()] + body[heading.end() :]
    return ImportItem(
        source_id=source_id,
        title=title,
        content=body.strip(),
        content_format="markdown",
        old_urls=tuple(_old_urls(meta, relative, slug, published)),
        tags=tuple(dict.fromkeys([*_words(meta.get("tags")), *_words(meta.get("categories"))])),
        published=published,
        updated=_when(meta.get("lastmod") or meta.get("updated")),
        status=DRAFT if draft else PUBLISHED,
        language=str(meta.get("lang") or meta.get("language") or "").strip() or None,
        slug=slug or None,
        excerpt=str(meta.get("description") or meta.get("excerpt") or "").strip() or None,
        media=tuple(_media(root, relative, body)),
    )


def _words(value) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [" ".join(str(v).split()) for v in items if str(v).strip()]


def _when(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace(" +", "+"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _old_urls(meta: dict, relative: Path, slug: str, published: datetime | None) -> list[str]:
    urls = [str(meta[k]) for k in ("permalink", "url") if meta.get(k)]
    urls += _words(meta.get("aliases"))
    if published is not None and slug:  # Jekyll's date permalinks
        day = f"/{published:%Y/%m/%d}/{slug}"
        urls += [day + "/", day + ".html"]
    folder = relative.parent.as_posix().strip("./")
    folder = (
        "/".join(p for p in folder.split("/") if p not in ("content", "_posts")) if folder else ""
    )
    urls.append(f"/{folder}/{slug}/" if folder else f"/{slug}/")  # Hugo's section paths
    return urls


def _media(root: Path, relative: Path, body: str) -> list[MediaRef]:
    refs = []
    for url in markdown_image_urls(body):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            refs.append(MediaRef(reference=url, url=url))
            continue
        if parts.scheme or parts.netloc or not parts.path:
            continue
        path = unquote(parts.path)
        candidates = (
            [root / path.lstrip("/"), root / "static" / path.lstrip("/")]
            if path.startswith("/")
            else [root / relative.parent / path]
        )
        for candidate in candidates:
            resolved = candidate.resolve()
            if not resolved.is_relative_to(root):
                raise Invalid(f"the image {url} is outside the imported folder")
            if resolved.is_file():
                refs.append(MediaRef(reference=url, path=resolved))
                break
    return refs


def _detect(path: Path) -> bool:
    return path.is_dir() and any(path.rglob("*.md"))


register(Format(KIND, "a folder of Markdown files with YAML front matter", _detect, read_folder))
