"""Images of the dashboard's editor, through the same pipeline as the v1 media upload
(`hub.core.media.images`: same types, same size and pixel limits, converted off the event
loop to a metadata-free WebP under `/storage/projects/{channel}/drafts/...`).

Two ways in:
- without JavaScript, the editor's form carries file inputs `images` (several) and a
  textarea `images_alt` with one alt text per line, in the order of the files; the save
  handler calls `attach_uploads` (or `upload_images` for the photos of a photo post) before
  it writes the entry;
- with JavaScript (drop, paste, file picker), `POST /dashboard/media` takes one file `image`
  with its `alt` and answers JSON: 201 `{"url", "markdown", "alt", "width", "height"}`, or
  `{"error", "field"}` with 400 (bad alt, missing file), 413 (over the size limit) or 415
  (not an accepted image), 403 (CSRF) or 401 (no session).

The stored rows are processed `article` images; the entry saved with their URLs in its body
(or `photo` values) finds them by path (`hub.core.media.queries.find_media`).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.core.channels import select_author_channels, select_channel
from hub.core.errors import DomainError, Invalid, NotFound
from hub.core.media import images, pipeline
from hub.core.writes import write
from hub.site.login.session import csrf_ok, current_session
from hub.web.requests import resources_of

FILES_FIELD = "images"
ALT_FIELD = "images_alt"
MAX_FILES = 10
MAX_ALT = 1000
JSON_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Uploaded:
    """One stored image: its public URL, alt text, size and Markdown snippet."""

    url: str
    alt: str
    width: int
    height: int

    @property
    def markdown(self) -> str:
        return pipeline.markdown_snippet(self.url, self.alt)


def chosen_files(form: FormData) -> list[UploadFile]:
    """The files picked in the form's `images` input (an empty input sends an empty part)."""
    return [
        f
        for f in form.getlist(FILES_FIELD)
        if isinstance(f, UploadFile) and (f.filename or (f.size or 0) > 0)
    ]


def alt_texts(form: FormData, count: int) -> list[str]:
    """One alt text per file from `images_alt` (one per line); `Invalid` on `images_alt`
    when one is missing or too long."""
    raw = form.get(ALT_FIELD)
    lines = [line.strip() for line in (raw if isinstance(raw, str) else "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < count:
        said = "one image" if count == 1 else f"{count} images"
        raise Invalid.field(
            ALT_FIELD,
            f"Describe {said} for readers who cannot see them: one line of alt text per "
            f"image, in the order of the files ({len(lines)} given).",
            code="missing_alt",
        )
    if any(len(line) > MAX_ALT for line in lines):
        raise Invalid.field(
            ALT_FIELD, f"An alt text may not be longer than {MAX_ALT} characters.", code="too_long"
        )
    return lines[:count]


async def upload_images(
    request: Request, form: FormData, *, author_id: int, channel_id: int
) -> list[Uploaded]:
    """Store the images picked in the form's `images` input with their `images_alt` lines,
    in order; [] when none was picked. Every file is checked and converted before anything
    is written, and all are stored in one write unit: a bad file raises `Invalid` on
    `images` (naming the file) and writes nothing."""
    files = chosen_files(form)
    if not files:
        return []
    if len(files) > MAX_FILES:
        raise Invalid.field(
            FILES_FIELD, f"Upload at most {MAX_FILES} images at once.", code="too_many_files"
        )
    alts = alt_texts(form, len(files))
    resources = resources_of(request)
    prepared: list[tuple[images.Prepared, bytes]] = []
    async with resources.image_uploads:  # a bounded number of conversions at once
        for upload in files:
            prepared.append(await _prepare(request, upload, FILES_FIELD))
    async with write(resources) as tx:
        rows = [
            await images.store_article_image(
                tx,
                author_id=author_id,
                channel_id=channel_id,
                credential_id=None,
                filename=upload.filename,
                original=data,
                prepared=image,
                alt=alt,
            )
            for (image, data), upload, alt in zip(prepared, files, alts, strict=True)
        ]
    return [_uploaded(request, row) for row in rows]


async def attach_uploads(
    request: Request, form: FormData, *, author_id: int, channel_id: int
) -> list[str]:
    """The Markdown snippets `![alt](url)` of the images picked in the form (see
    `upload_images`), to append to the body; [] when none was picked. Raises `Invalid` with
    the field to fix (`images`: not an image, broken, too large; `images_alt`: alt missing)
    before anything is written. The caller saves the entry afterwards: should that save
    fail, the re-rendered form keeps the snippets in the body, so nothing is uploaded twice."""
    return [u.markdown for u in await upload_images(
        request, form, author_id=author_id, channel_id=channel_id
    )]  # fmt: skip


async def upload(request: Request) -> Response:
    """`POST /dashboard/media`: one image (`image`, `alt`, optional `channel_id`) for the
    editor's script; the CSRF token in `X-CSRF-Token` or the `csrf` field."""
    session = await current_session(request)
    if session is None:
        return _error("Your session ended: sign in again.", None, 401)
    sent = request.headers.get("x-csrf-token")
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception:
        return _error("The upload could not be read.", "image", 400)
    try:
        if not csrf_ok(session.csrf_token, sent or form.get("csrf")):
            return _error("This form expired: reload the page.", "csrf", 403)
        channel_id = await _channel_of(request, form, session.author_id)
        uploaded = await _upload_one(request, form, session.author_id, channel_id)
    except DomainError as exc:
        return _domain_error(exc)
    finally:
        await form.close()
    body = {
        "url": uploaded.url,
        "markdown": uploaded.markdown,
        "alt": uploaded.alt,
        "width": uploaded.width,
        "height": uploaded.height,
    }
    return JSONResponse(body, status_code=201, headers=JSON_HEADERS)


async def _upload_one(
    request: Request, form: FormData, author_id: int, channel_id: int
) -> Uploaded:
    files = [f for f in form.getlist("image") if isinstance(f, UploadFile)]
    if len(files) != 1:
        raise Invalid.field("image", "Send one image file.", code="missing_file")
    alt_value = form.get("alt")
    alt = alt_value.strip() if isinstance(alt_value, str) else ""
    if not alt:
        raise Invalid.field(
            "alt", "Describe the image for readers who cannot see it.", code="missing_alt"
        )
    if len(alt) > MAX_ALT:
        raise Invalid.field(
            "alt", f"An alt text may not be longer than {MAX_ALT} characters.", code="too_long"
        )
    resources = resources_of(request)
    async with resources.image_uploads:
        prepared, data = await _prepare(request, files[0], "image")
    async with write(resources) as tx:
        row = await images.store_article_image(
            tx,
            author_id=author_id,
            channel_id=channel_id,
            credential_id=None,
            filename=files[0].filename,
            original=data,
            prepared=prepared,
            alt=alt,
        )
    return _uploaded(request, row)


async def _channel_of(request: Request, form: FormData, author_id: int) -> int:
    """The owner's channel named by `channel_id`, else their default channel."""
    pool = resources_of(request).pool
    raw = form.get("channel_id")
    if isinstance(raw, str) and raw.strip():
        row = await select_channel(pool, int(raw)) if raw.strip().isdigit() else None
        if row is None or row["author_id"] != author_id:
            raise Invalid.field("channel_id", "Choose one of your blogs.", code="unknown_channel")
        return row["id"]
    rows = [r for r in await select_author_channels(pool, author_id) if r["is_default"]]
    if not rows:
        raise NotFound("You have no blog yet.")
    return rows[0]["id"]


async def _prepare(
    request: Request, upload: UploadFile, field: str
) -> tuple[images.Prepared, bytes]:
    """Read and convert one file (the conversion and the bytes read); errors name the file
    and `field`."""
    settings = resources_of(request).settings
    name = upload.filename or "the file"
    limit = settings.max_upload_bytes
    if upload.size is not None and upload.size > limit:
        raise _too_large(name, limit, field)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(name, limit, field)
    try:
        return await images.prepare_image(settings, data, field=field), data
    except Invalid as exc:
        raise Invalid.field(field, f"{name}: {exc.message}", code=exc.code) from None


def _too_large(name: str, limit: int, field: str) -> Invalid:
    mib = limit / (1024 * 1024)
    return Invalid.field(
        field, f"{name}: an image may not be larger than {mib:g} MiB.", code="file_too_large"
    )


def _uploaded(request: Request, row) -> Uploaded:
    url = resources_of(request).urls.media_file(row["path"])
    return Uploaded(url, row["alt"] or "", row["width"], row["height"])


def _domain_error(exc: DomainError) -> Response:
    if isinstance(exc, Invalid):
        field = next(iter(exc.fields), None)
        status = {"file_too_large": 413, "unsupported_type": 415}.get(exc.code or "", 400)
        return _error(exc.message, field, status)
    if isinstance(exc, NotFound):
        return _error(exc.message, None, 404)
    raise exc


def _error(message: str, field: str | None, status: int) -> Response:
    return JSONResponse(
        {"error": message, "field": field}, status_code=status, headers=JSON_HEADERS
    )
