"""Reading the E8 media request: `multipart/form-data` with `image`, `purpose`, `alt` and
`page_slug` (publicasta-v1-resolved §1.4 E8, §1.8).

The size limits are enforced before anything is decoded: the declared Content-Length and the
bytes actually streamed may not pass the image limit plus 64 KiB of form overhead, and the
image part itself may not pass the image limit (413 either way). Field problems are collected
into one 422; parsing is pure (bytes in, `UploadForm` out).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import quopri
from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from hub.channels.schemas import Problems, required, warning
from hub.core.errors import Invalid, TooLarge
from hub.core.inputs import refused_character

FORM_OVERHEAD = 64 * 1024
PURPOSES = ("article", "channel_cover", "channel_avatar")
KNOWN_FIELDS = ("image", "purpose", "alt", "page_slug")
MAX_ALT = 1000
MAX_PARTS = 100


@dataclass
class UploadForm:
    image: bytes | None = None
    filename: str = ""
    purpose: str = "article"
    alt: str | None = None
    page_slug: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)  # every text field, as sent
    warnings: list[dict] = field(default_factory=list)

    @functools.cached_property
    def sha256(self) -> bytes | None:
        return None if self.image is None else hashlib.sha256(self.image).digest()


def file_too_large(limit: int) -> TooLarge:
    return TooLarge("The uploaded file is too large.", limit=limit, code="file_too_large")


async def read_capped(request: Request, image_limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to be too large: from
    Content-Length before reading, else while streaming."""
    cap = image_limit + FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise file_too_large(image_limit)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > cap:
            raise file_too_large(image_limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_upload(raw: bytes, content_type: str, image_limit: int) -> UploadForm:
    """The form's fields, validated; 413 for an image part over the limit, 422 otherwise."""
    kind, params = parse_options_header(content_type)
    if kind.decode("latin-1").lower() != "multipart/form-data" or not params.get(b"boundary"):
        raise Invalid.field("body", "The request body must be multipart/form-data.")
    out = UploadForm()
    problems = Problems()
    files: list[tuple[str, str, bytes]] = []
    for name, filename, value in _parts(raw, params[b"boundary"]):
        if filename is None:
            out.fields.append((_text(name), _text(value)))
        elif value or filename:  # an empty file input sends an empty part: no file
            files.append((_text(name), _text(filename), value))
    _read_fields(out, files, problems)
    if out.image is not None and len(out.image) > image_limit:
        raise file_too_large(image_limit)
    problems.raise_if_any()
    return out


async def parse_upload_async(raw: bytes, content_type: str, image_limit: int) -> UploadForm:
    """`parse_upload` and the image's SHA-256 in a worker thread: for a 10 MB file the parse
    copies and the hash would otherwise hold the event loop for tens of milliseconds."""

    def parse_and_hash() -> UploadForm:
        form = parse_upload(raw, content_type, image_limit)
        _ = form.sha256
        return form

    return await asyncio.to_thread(parse_and_hash)


def _parts(raw: bytes, boundary: bytes) -> list[tuple[bytes, bytes | None, bytes]]:
    """(name, filename or None, value) of every part. The low-level parser reports where each
    part's data lies in `raw`, so a file is copied once, by slicing (FormParser would copy it
    three times: a slice, a BytesIO and its read)."""
    parts: list[tuple[bytes, bytes | None, bytes]] = []
    headers: dict[bytes, bytes] = {}
    header: list[bytes] = [b"", b""]
    pieces: list[tuple[bytes, int, int]] = []

    def on_header_end() -> None:
        headers[header[0].lower()] = header[1].strip(b" \t")
        header[:] = [b"", b""]

    def on_part_end() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition"))
        if b"name" not in options or len(parts) >= MAX_PARTS:
            raise FormParserError("a part without a name, or too many parts")
        value = _join(raw, pieces)
        encoding = headers.get(b"content-transfer-encoding", b"").lower()
        if encoding == b"base64":
            value = base64.b64decode(value)
        elif encoding == b"quoted-printable":
            value = quopri.decodestring(value)
        parts.append((options[b"name"], options.get(b"filename"), value))
        headers.clear()
        pieces.clear()

    callbacks: Any = {
        "on_header_field": lambda d, a, b: header.__setitem__(0, header[0] + d[a:b]),
        "on_header_value": lambda d, a, b: header.__setitem__(1, header[1] + d[a:b]),
        "on_header_end": on_header_end,
        "on_part_data": lambda d, a, b: pieces.append((d, a, b)),
        "on_part_end": on_part_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)
        parser.write(raw)
        parser.finalize()
    except (FormParserError, ValueError, binascii.Error):
        raise Invalid.field("body", "The multipart body could not be read.") from None
    return parts


def _join(raw: bytes, pieces: list[tuple[bytes, int, int]]) -> bytes:
    """One part's data: a single slice of `raw` when it is one run of it (the usual case)."""
    if all(d is raw for d, _, _ in pieces) and all(
        a == prev_b for (_, a, _), (_, _, prev_b) in zip(pieces[1:], pieces, strict=False)
    ):
        return raw[pieces[0][1] : pieces[-1][2]] if pieces else b""
    return b"".join(memoryview(d)[a:b] for d, a, b in pieces)


def _read_fields(out: UploadForm, files: list, problems: Problems) -> None:
    values = dict(out.fields)
    for name, _, _ in files:
        if name != "image":
            _unknown(out, name)
    for name in values:
        if name not in KNOWN_FIELDS:
            _unknown(out, name)
    images = [f for f in files if f[0] == "image"]
    if len(images) > 1:
        problems.add("image", "Send one image per request.")
    elif images:
        _, out.filename, out.image = images[0]
    elif "image" in values:
        problems.add("image", "The image field must be a file.")
    else:
        problems.add("image", required("image"))
    for name in ("purpose", "alt", "page_slug"):  # text PostgreSQL could not store (NUL)
        bad = refused_character(values.get(name, ""))
        if bad is not None:
            problems.add(name, f"The {name} field contains a forbidden character ({bad}).")
            values[name] = ""
    purpose = values.get("purpose", "").strip() or "article"
    if purpose not in PURPOSES:
        problems.add("purpose", "The selected purpose is invalid.")
    out.purpose = purpose
    if "alt" in values:
        alt = values["alt"].strip()
        if len(alt) > MAX_ALT:
            problems.add("alt", f"The alt may not be greater than {MAX_ALT} characters.")
        out.alt = alt
    page_slug = values.get("page_slug", "").strip()
    if page_slug:
        if purpose != "article":
            problems.add(
                "page_slug", "The page_slug field is only allowed when purpose is article."
            )
        out.page_slug = page_slug


def _unknown(out: UploadForm, name: str) -> None:
    out.warnings.append(
        warning("unknown_field", f"The field {name} is not known and was ignored.", name)
    )


def _text(value: bytes | None) -> str:
    try:
        return (value or b"").decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid.field("body", "The multipart body is not valid UTF-8.") from None
