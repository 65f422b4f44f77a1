"""The request head limits of `hub serve`'s HTTP protocol (hub/web/protocol.py), on a real
uvicorn server on 127.0.0.1 serving the whole app: oversize heads are refused before the app
runs, with the connection closed, and a normal request on the same server still answers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn

from hub.app import create_app
from hub.config import Settings
from hub.core import heartbeats
from hub.web.protocol import uvicorn_http


@pytest.fixture
async def port(db, settings: Settings, resources) -> AsyncIterator[int]:
    settings = dataclasses.replace(
        settings, max_url_bytes=1024, max_header_bytes=4096, max_headers=20
    )
    await heartbeats.beat(resources.redis, "test-worker")  # /healthz, the probe, wants a worker
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(settings, resources),
        http=uvicorn_http(settings),
        log_level="warning",
        server_header=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        sock.close()


async def exchange(port: int, head: bytes) -> tuple[bytes, bool]:
    """Send `head`, read the answer to its end; (answer, whether the server closed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        await writer.drain()
        answer = await asyncio.wait_for(_read_answer(reader), 10)
        try:
            closed = await asyncio.wait_for(reader.read(1), 0.5) == b""
        except TimeoutError:
            closed = False  # still open, waiting for the next request
        return answer, closed
    finally:
        writer.close()


async def _read_answer(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


def request(path: str = "/healthz", headers: list[tuple[str, str]] = ()) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: hub.test", *(f"{n}: {v}" for n, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def test_200_a_normal_request_keeps_its_connection(port):
    answer, closed = await exchange(port, request(headers=[("Accept", "text/plain")]))
    assert answer.startswith(b"HTTP/1.1 200 ") and not closed


async def test_200_at_the_limits(port):
    # 20 headers (Host and 19 more) holding 4096 bytes of names and values in total
    used = len("host") + len("hub.test") + 18 * (len("x-a00") + 10)
    headers = [(f"x-a{i:02}", "v" * 10) for i in range(18)]
    headers.append(("x-last", "v" * (4096 - used - len("x-last"))))
    path = "/healthz?q=" + "a" * (1024 - len("/healthz?q="))
    answer, closed = await exchange(port, request(path, headers))
    assert answer.startswith(b"HTTP/1.1 200 ") and not closed


async def test_431_one_oversize_header_closes_the_connection(port):
    answer, closed = await exchange(port, request(headers=[("X-Big", "v" * 5000)]))
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"content-type: text/plain; charset=utf-8" in answer
    assert b"connection: close" in answer and closed
    assert answer.endswith(b"\r\n\r\nRequest header fields too large")


async def test_431_too_many_small_headers(port):
    answer, closed = await exchange(port, request(headers=[(f"x-{i}", "1") for i in range(20)]))
    assert answer.startswith(b"HTTP/1.1 431 ") and closed


async def test_414_too_long_url(port):
    answer, closed = await exchange(port, request("/healthz?q=" + "a" * 1100))
    assert answer.startswith(b"HTTP/1.1 414 ") and closed
    assert answer.endswith(b"Request URL too long")


async def test_431_then_the_server_still_answers(port):
    refused, _ = await exchange(port, request(headers=[("X-Big", "v" * 5000)]))
    answer, _ = await exchange(port, request())
    assert refused.startswith(b"HTTP/1.1 431 ") and answer.startswith(b"HTTP/1.1 200 ")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


@pytest.mark.slow
async def test_431_a_64_mb_header_is_not_read(port):
    """The server refuses and closes after about the limit; it does not gather 64 MB. (Closing
    with the client's bytes unread resets the connection, so the client may miss the 431.)"""
    before = _rss_bytes()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    chunk = b"v" * 65536
    sent = 0
    answer = b""
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub.test\r\nX-Big: ")
        while sent < 64 * 1024 * 1024:
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 10)
            sent += len(chunk)
        answer = await asyncio.wait_for(reader.read(), 10)
    except ConnectionError:
        with contextlib.suppress(ConnectionError):
            answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 ")
    # the client could not push 64 MB: the server stopped reading and closed
    assert sent < 16 * 1024 * 1024
    assert _rss_bytes() - before < 16 * 1024 * 1024
    # and the server goes on answering
    ok, _ = await exchange(port, request())
    assert ok.startswith(b"HTTP/1.1 200 ")
