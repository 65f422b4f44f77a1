"""The JSON response every API answers with: orjson, non-string keys allowed.

A body holding a string over `BIG_STRING` characters (a v1 article near the 20 MiB body
limit answers ~60 MB) is not encoded on the event loop: the response encodes it when it is
sent (or when `prepare()` is awaited), in a worker thread and in slices, so that the thread
hands the GIL back to the loop between them, and goes out slice by slice (no joined copy).
Every other body is encoded at once, as before.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from hub.core.offload import off_loop

BIG_STRING = 1 << 20  # characters: a string this long is encoded off the loop, in slices
_OPTIONS = orjson.OPT_NON_STR_KEYS
_NOTHING = object()


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        self._deferred = content if _holds_big_string(content) else _NOTHING
        if self._deferred is not _NOTHING:
            return b""  # encoded by `prepare`, off the loop
        return orjson.dumps(content, option=_OPTIONS)

    async def prepare(self) -> None:
        """Encode a deferred body (in a worker thread) and fix its Content-Length."""
        if getattr(self, "_deferred", _NOTHING) is _NOTHING:
            return
        self._chunks = await off_loop(encode_in_slices, self._deferred, heavy=True)
        self._deferred = _NOTHING
        length = str(sum(len(c) for c in self._chunks)).encode()
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.raw_headers.append((b"content-length", length))

    @property
    def body(self) -> bytes:  # type: ignore[override]
        """The whole body (joined on demand: kept for an idempotent replay)."""
        chunks = getattr(self, "_chunks", None)
        return self._body if chunks is None else b"".join(chunks)

    @body.setter
    def body(self, value: bytes) -> None:
        self._body = value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.prepare()
        chunks = getattr(self, "_chunks", None)
        if chunks is None:
            await super().__call__(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})  # fmt: skip
        for chunk in chunks:  # no 60 MB join on the loop: each slice goes out as it is
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


_SCALARS = frozenset({int, float, bool, type(None)})


def _holds_big_string(content: Any) -> bool:
    """Whether `content` holds a string over `BIG_STRING` characters within the depth
    `encode_in_slices` looks at (containers to depth 6, strings to depth 7). Every JSON
    answer asks, so it walks level by level in one loop, exact types first (a 25-site
    search page: ~5x faster than a call per value)."""
    level = [content]
    for depth in range(8):
        below: list[Any] = []
        for value in level:
            kind = type(value)
            if kind is str or (kind not in _SCALARS and isinstance(value, str)):
                if len(value) > BIG_STRING:
                    return True
            elif depth > 6 or kind in _SCALARS:
                continue
            elif kind is dict or isinstance(value, dict):
                below.extend(value.values())
            elif kind is list or kind is tuple or isinstance(value, list | tuple):
                below.extend(value)
        if not below:
            return False
        level = below
    return False


def encode_in_slices(content: Any) -> list[bytes]:
    """`orjson.dumps(content)` as a list of byte strings, with each string over `BIG_STRING`
    encoded one slice per call (joined, the same bytes: JSON escapes character by
    character)."""
    token = uuid4().hex
    big: list[str] = []

    def swap(value: Any, depth: int = 0) -> Any:
        if isinstance(value, str) and len(value) > BIG_STRING:
            big.append(value)
            return f"{token}:{len(big) - 1}"
        if depth > 6:
            return value
        if isinstance(value, dict):
            return {k: swap(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [swap(v, depth + 1) for v in value]
        return value

    skeleton = orjson.dumps(swap(content), option=_OPTIONS)
    chunks: list[bytes] = []
    for index, text in enumerate(big):
        before, skeleton = skeleton.split(f'"{token}:{index}"'.encode(), 1)
        chunks.append(before + b'"')
        for start in range(0, len(text), BIG_STRING):
            chunks.append(orjson.dumps(text[start : start + BIG_STRING])[1:-1])
        skeleton = b'"' + skeleton
    chunks.append(skeleton)
    return chunks
