"""What the dashboard's settings forms share: an image from a file input, read and processed
through the media pipeline (`hub.core.media.images`) before anything is written, and the
errors of a form as one message per field."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile

from hub.core.errors import Invalid, TooLarge
from hub.core.media import images, pipeline
from hub.core.resources import Resources


@dataclass(frozen=True)
class Image:
    """A processed upload, ready for `hub.core.media.images.store_*` in the write unit."""

    filename: str
    original: bytes
    sha256: bytes
    prepared: images.Prepared


class FormErrors(Exception):
    """Field name → message, with the status the re-rendered form answers (413 when a file
    is over the size limit, else 422)."""

    def __init__(self, fields: dict[str, str], status: int = 422) -> None:
        super().__init__(next(iter(fields.values()), "Invalid input."))
        self.fields = fields
        self.status = status


def messages(exc: Invalid) -> dict[str, str]:
    """One message per field of a domain `Invalid`."""
    return {name: found[0] for name, found in exc.fields.items() if found} or {"": exc.message}


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def read_images(
    resources: Resources, form: FormData, purposes: dict[str, str]
) -> dict[str, Image]:
    """The images chosen in the file inputs named in `purposes` (input name → media purpose),
    each checked against the upload limit and processed off the event loop; an input left
    empty is skipped. `FormErrors` naming each input whose file is too large, not an image,
    or broken; nothing is stored."""
    found: dict[str, Image] = {}
    errors: dict[str, str] = {}
    status = 422
    limit = resources.settings.max_upload_bytes
    async with resources.image_uploads:  # a bounded number of images in memory at once
        for name, purpose in purposes.items():
            upload = form.get(name)
            if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
                continue
            data = await upload.read()
            if not data:
                continue
            try:
                pipeline.check_size(len(data), limit)
                prepared = await images.prepare_image(resources.settings, data, purpose)
            except TooLarge as exc:
                errors[name], status = exc.message, 413
                continue
            except Invalid as exc:
                errors[name] = exc.message
                continue
            found[name] = Image(
                upload.filename or "", data, hashlib.sha256(data).digest(), prepared
            )
    if errors:
        raise FormErrors(errors, status)
    return found
