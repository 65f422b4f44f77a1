"""Reading Micropub request bodies (micropub-resolved.md §1.3): form-encoded, multipart and
JSON, strictly UTF-8; anything else is 415. Size limits are enforced before this, by the
app's body-limit middleware (2 MB, 50 MB for multipart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import FormParser, parse_options_header
from starlette.requests import Request

from hub.core.errors import Invalid, TooLarge

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON = "application/json"
MAX_FILES = 10
_UTF8 = ("utf-8", "utf8", "us-ascii", "ascii")


class UnsupportedMediaType(Invalid):
    """A body of a type this endpoint does not read (answered 415)."""

    code = "unsupported_media_type"


@dataclass(frozen=True)
class UploadedFile:
    field: str
    filename: str
    data: bytes


@dataclass
class Body:
    kind: str  # form | multipart | json
    pairs: list[tuple[str, str | UploadedFile]] = field(default_factory=list)
    document: Any = None  # the JSON value
    size: int = 0  # bytes received


def media_type(request: Request) -> tuple[str, dict[bytes, bytes]]:
    raw, params = parse_options_header(request.headers.get("content-type", ""))
    return raw.decode("latin-1").lower(), params


async def read_body(request: Request, *, accept: tuple[str, ...] = (FORM, MULTIPART, JSON)) -> Body:
    kind, params = media_type(request)
    if kind not in accept:
        raise UnsupportedMediaType(
            f"Content-Type {kind or '(none)'} is not accepted; send {' or '.join(accept)}."
        )
    charset = params.get(b"charset", b"utf-8").decode("latin-1").lower()
    if charset not in _UTF8:
        raise Invalid(f"The body must be UTF-8, not {charset}.", code="not_utf8")
    raw = await request.body()
    if kind == JSON:
        try:
            return Body("json", document=orjson.loads(raw), size=len(raw))
        except orjson.JSONDecodeError:
            raise Invalid("The body is not valid JSON (UTF-8).", code="bad_json") from None
    if kind == FORM:
        try:
            text = raw.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise Invalid("The form body is not valid UTF-8.", code="not_utf8") from None
        return Body("form", pairs=list(pairs), size=len(raw))
    return Body("multipart", pairs=_multipart(raw, params.get(b"boundary")), size=len(raw))


def _multipart(raw: bytes, boundary: bytes | None) -> list[tuple[str, str | UploadedFile]]:
    if not boundary:
        raise Invalid("The multipart body has no boundary.", code="bad_multipart")
    pairs: list[tuple[str, str | UploadedFile]] = []
    files = 0

    def on_field(f: Any) -> None:
        pairs.append((_utf8(f.field_name), _utf8(f.value)))

    def on_file(f: Any) -> None:
        nonlocal files
        f.file_object.seek(0)
        data = f.file_object.read()
        name = _utf8(f.file_name)
        if not data and not name:
            return  # an empty file input sends an empty part; it is no file
        files += 1
        if files > MAX_FILES:
            raise TooLarge(f"At most {MAX_FILES} files may be sent at once.", limit=MAX_FILES)
        pairs.append((_utf8(f.field_name), UploadedFile(_utf8(f.field_name), name, data)))

    parser = FormParser(
        MULTIPART,
        on_field,
        on_file,
        boundary=boundary,
        config={"MAX_MEMORY_FILE_SIZE": len(raw) + 1, "MAX_FIELDS": 1000},
    )
    try:
        parser.write(raw)
        parser.finalize()
    except FormParserError as exc:
        raise Invalid(f"The multipart body is malformed: {exc}", code="bad_multipart") from None
    return pairs


def _utf8(value: bytes | None) -> str:
    try:
        return (value or b"").decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The multipart body is not valid UTF-8.", code="not_utf8") from None
