"""`/api/webmentions` (webmention-site-feeds.md §1.1-1.3, §1.9): thin handlers over
`receive` and `listing`. POST receives (form-encoded or multipart, R-W1) and answers 201 with the
status URL in `Location` (R-W4); GET lists a target's approved mentions, or with `status` and
a token the caller's own mentions in that status; GET `/{id}` is the status document."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus, unquote_to_bytes

from hub.core import metrics
from hub.core.errors import Invalid
from hub.core.inputs import check_text
from hub.web.clients import client_ip
from hub.web.drf.endpoint import Call, Reply
from hub.webmentions.listing import list_owned
from hub.webmentions.receive import list_for_target, receive, status_of

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NO_CACHE = {"Cache-Control": "no-cache"}
MAX_FIELDS = 1000  # as Starlette's form parser


def urlencoded_fields(body: bytes) -> list[tuple[str, str]]:
    """A form-encoded body's fields as Starlette's `request.form()` reads them (python-multipart:
    split on `&`, empty fields skipped, a field without `=` is a name with an empty value,
    names and values decoded as Latin-1 and then `unquote_plus`), without its byte-by-byte
    parser, which was a third of a webmention's acceptance in cProfile."""
    fields = [field for field in body.split(b"&") if field]
    if len(fields) > MAX_FIELDS:
        raise Invalid(f"Too many fields. Maximum number of fields is {MAX_FIELDS}.")
    return [(_unquoted(name), _unquoted(value)) for name, _, value in map(_split_field, fields)]


def _split_field(field: bytes) -> tuple[bytes, bytes, bytes]:
    return field.partition(b"=")


def _unquoted(raw: bytes) -> str:
    """`unquote_plus(raw.decode("latin-1"))`; for ASCII (what every client sends) without
    the round trip through `str`: `unquote` decodes an ASCII run's escapes as UTF-8 with
    replacement, as this does."""
    if raw.isascii():
        if b"%" not in raw:
            return raw.replace(b"+", b" ").decode("ascii")
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")
    return unquote_plus(raw.decode("latin-1"))


async def _form(call: Call) -> dict[str, str]:
    """`source` and `target`, each given once, from a form body; 400 for anything else (a
    NUL in either too)."""
    kind = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in FORM_TYPES:
        raise Invalid("The body must be application/x-www-form-urlencoded")
    if kind == FORM_TYPES[0]:
        items: list[tuple[str, Any]] = urlencoded_fields(await call.request.body())
    else:
        items = (await call.request.form()).multi_items()
    values: dict[str, str] = {}
    for name, value in items:
        if name not in ("source", "target"):
            continue  # `vouch` and anything else are ignored (R-W14)
        if name in values:
            raise Invalid(f"{name} must be given once")
        values[name] = check_text(value.strip(), name) if isinstance(value, str) else ""
    return values


async def post_webmention(call: Call) -> Reply:
    form = await _form(call)
    settings = call.resources.settings
    receipt = await receive(
        call.resources,
        form.get("source", ""),
        form.get("target", ""),
        client_ip=client_ip(call.request, settings.trusted_proxies),
    )
    metrics.webmentions_received.inc()
    body = {
        "id": receipt.id,
        "status": "queued",
        "source": receipt.source,
        "target": receipt.target,
        "status_url": receipt.status_url,
    }
    return Reply(body, status=201, headers={"Location": receipt.status_url, **NO_CACHE})


async def list_webmentions(call: Call) -> Reply:
    status = call.params.get("status")
    if status:  # the owner's list: a token's own mentions in one status (§1.9)
        principal = call.require_token()
        body = await list_owned(
            call.resources, principal.author_id, status,
            before=call.params.get("before") or None, page_url=call.request.url,
        )  # fmt: skip
        return Reply(body, headers=dict(NO_CACHE))
    target = call.params.get("target")
    if not target:
        raise Invalid("target is required")
    body = await list_for_target(
        call.resources,
        target,
        kind=call.params.get("type") or None,
        before=call.params.get("before") or None,
        page_url=call.request.url,
    )
    return Reply(body, headers=dict(NO_CACHE))


async def webmention_status(call: Call) -> Reply:
    body = await status_of(call.resources, call.request.path_params["mention_id"])
    return Reply(body, headers=dict(NO_CACHE))
