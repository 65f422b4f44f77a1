"""GuardedClient against real HTTP servers on 127.0.0.1.

Safety: every client here (but one, which only ever talks to 127.0.0.1) delegates to
`LoopbackOnly` (`tests/stubs.py`) for its sockets, which refuses to make anything but a
loopback connection. So even a broken guard could never send a packet to a private or
link-local range.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from hub.config import Settings
from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.fetch import (
    GuardedClient,
    GuardedResolver,
    check_destination,
    check_url,
    is_public_address,
    parse_url,
)
from hub.core.version import VERSION
from tests.stubs import Answer, Hit, LoopbackOnly, StubServer, running_server


def route(hit: Hit) -> Answer:
    """The answers that depend on the path or the query."""
    parts = urlsplit(hit.path)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if parts.path.startswith("/chain/"):
        n = int(parts.path.rsplit("/", 1)[1])
        return Answer(status=302, headers={"Location": f"/chain/{n - 1}" if n > 1 else "/ok"})
    if parts.path == "/to":
        return Answer(status=int(query.get("status", "302")), headers={"Location": query["url"]})
    if parts.path.startswith("/status/"):
        return Answer(b"gone or missing", int(parts.path.rsplit("/", 1)[1]))
    return Answer(b"no route", 404)


@pytest.fixture
def server() -> Iterator[StubServer]:
    with running_server(content_type=None) as stub:
        stub.serve("/ok", b"hello \xc3\xa9", content_type="text/plain; charset=utf-8")
        stub.serve(
            "/latin1", "caf\xe9".encode("latin-1"), content_type="text/html; charset=latin-1"
        )
        stub.serve("/loop", status=302, headers={"Location": "/loop"})
        stub.serve("/echo", lambda hit: Answer(hit.body, content_type="application/octet-stream"))
        stub.serve("/big-declared", headers={"Content-Length": str(10**9)}, drip=b"x" * 1024)
        chunk = b"400\r\n" + b"x" * 1024 + b"\r\n"
        stub.serve("/big-chunked", headers={"Transfer-Encoding": "chunked"}, drip=chunk)
        stub.serve("/slow", b"too late", delay=3.0)
        stub.fallback = route
        yield stub


@pytest.fixture
def net() -> LoopbackOnly:
    return LoopbackOnly()


@pytest.fixture
async def guarded(net: LoopbackOnly) -> AsyncIterator[GuardedClient]:
    async with GuardedClient(timeout=1.0, backend=net) as client:
        yield client


@pytest.fixture
async def loopback(net: LoopbackOnly) -> AsyncIterator[GuardedClient]:
    async with GuardedClient(
        allow_loopback=True, timeout=5.0, max_redirects=3, user_agent="hub/0.1 (+test)", backend=net
    ) as client:
        yield client


# --- address rules ---------------------------------------------------------------------

PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
NOT_PUBLIC = [
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "0.0.0.0",
    "240.0.0.1",
    "198.18.0.1",
    "192.0.2.1",
    "::",
    "fe80::1",
    "fe80::1%1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",
    "2002:a00:1::1",
    "2001:db8::1",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",
]
LOOPBACK = ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"]


@pytest.mark.parametrize("address", PUBLIC)
def test_is_public_address_accepts_global_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_is_public_address_refuses_non_global_even_with_loopback_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not is_public_address(ip)
    assert not is_public_address(ip, allow_loopback=True)


@pytest.mark.parametrize("address", LOOPBACK)
def test_is_public_address_allows_loopback_only_when_asked(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))
    assert is_public_address(ipaddress.ip_address(address), allow_loopback=True)


# --- refusals before any connection ----------------------------------------------------


async def test_loopback_url_is_refused_and_server_sees_nothing(
    guarded: GuardedClient, net: LoopbackOnly, server: StubServer
) -> None:
    with pytest.raises(FetchRefused):
        await guarded.fetch(f"{server.base}/ok")
    assert server.seen == []
    assert net.connected == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1/",
        "https://172.16.5.4:8443/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",
        "http://127.1:{port}/",  # legacy numeric forms of 127.0.0.1
        "http://2130706433:{port}/",
        "http://0x7f000001:{port}/",
    ],
)
async def test_private_and_special_addresses_are_refused_without_connecting(
    guarded: GuardedClient, net: LoopbackOnly, server: StubServer, url: str
) -> None:
    with pytest.raises(FetchRefused):
        await guarded.fetch(url.format(port=server.port), timeout=0.5)
    assert net.connected == []


async def test_hostname_resolving_to_loopback_is_refused(
    guarded: GuardedClient, net: LoopbackOnly, server: StubServer
) -> None:
    with pytest.raises(FetchRefused, match="localhost"):
        await guarded.fetch(f"http://localhost:{server.port}/ok")
    assert server.seen == []
    assert net.connected == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "example.com"]
)
async def test_non_http_schemes_are_refused(guarded: GuardedClient, url: str) -> None:
    with pytest.raises(FetchRefused):
        await guarded.fetch(url)


async def test_urls_with_userinfo_are_refused(guarded: GuardedClient) -> None:
    with pytest.raises(FetchRefused, match="password"):
        await guarded.fetch("https://user:secret@example.com/")


# --- URL parsing: yarl, as aiohttp sends; where httpx (the parser before) differed --------

FULL_WIDTH_LOOPBACK = "\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11"  # 127.0.0.1


@pytest.mark.parametrize(
    "url",
    [
        "http://exa\x00mple.com/",  # control characters anywhere: yarl keeps or drops them
        "http://ex\tample.com/",
        "http://example.com/\n",
        "http://example.com/a\x7f",
        " http://example.com/",  # surrounding spaces: yarl strips them, httpx refused
        "http://example.com/ ",
        "http://exa mple.com/",  # a space in the host: yarl keeps it raw
        "http://example.com\\@10.0.0.1/",  # a backslash in the authority
        "http://example.com:99999/",  # ports out of range (httpx let them fail at connect)
        "http://example.com:-1/",
        "http://example.com:x/",
        "http://[::1/",
        "http:///path",  # no host
        "http://",
        "http://:@example.com/",  # an empty but present userinfo
        "/relative",
    ],
)
async def test_urls_that_do_not_parse_cleanly_are_refused_without_connecting(
    guarded: GuardedClient, net: LoopbackOnly, url: str
) -> None:
    with pytest.raises(FetchRefused):
        await guarded.fetch(url, timeout=0.5)
    with pytest.raises(FetchRefused):
        await check_destination(url)
    assert net.connected == []


@pytest.mark.parametrize(
    ("url", "judged"),
    [
        (f"http://{FULL_WIDTH_LOOPBACK}:{{port}}/ok", "127.0.0.1"),  # UTS #46 maps it to ASCII
        ("http://\u24dbocalhost:{port}/ok", "localhost"),  # circled l: localhost, then resolved
        ("http://[::ffff:127.0.0.1]:{port}/ok", "::ffff:7f00:1"),  # yarl normalises the IPv6
        ("http://[fe80::1%25eth0]:{port}/ok", "fe80::1%25eth0"),  # a zone does not hide it
    ],
)
async def test_the_encoded_host_is_the_one_judged(
    guarded: GuardedClient, net: LoopbackOnly, server: StubServer, url: str, judged: str
) -> None:
    """Hosts httpx refused as bad IDNA are mapped by yarl as browsers map them; the guard
    judges the host aiohttp connects to, never the spelling it was given."""
    url = url.format(port=server.port)
    assert parse_url(url).raw_host == judged
    with pytest.raises(FetchRefused, match=judged.split("%")[0].replace(".", r"\.")):
        await guarded.fetch(url, timeout=0.5)
    assert server.seen == []
    assert net.connected == []


def test_an_empty_userinfo_marker_alone_is_no_userinfo() -> None:
    check_url(parse_url("http://@example.com/"))  # as httpx: nothing to leak
    with pytest.raises(FetchRefused, match="password"):
        check_url(parse_url("http://user@example.com/"))
    with pytest.raises(FetchRefused, match="password"):
        check_url(parse_url("http://:secret@example.com/"))


def test_an_idna_host_is_sent_encoded() -> None:
    url = parse_url("http://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/\u043f")
    assert url.raw_host == "xn--e1afmkfd.xn--p1ai"
    assert str(url) == "http://xn--e1afmkfd.xn--p1ai/%D0%BF"


@pytest.mark.parametrize(
    "location", ["http://example.com:99999/", "http://a\\@127.0.0.1/", "http://[::1/"]
)
async def test_a_redirect_to_a_location_that_is_not_a_url_is_refused(
    loopback: GuardedClient, net: LoopbackOnly, server: StubServer, location: str
) -> None:
    with pytest.raises(FetchRefused, match="Invalid URL"):
        await loopback.fetch(f"{server.base}/to?url={quote(location)}")
    assert len(server.seen) == 1


@pytest.fixture
async def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Answers getaddrinfo for the names it holds; used to play a rebinding resolver."""
    answers: dict[str, list[str]] = {}
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in answers:
            return await real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return answers


async def test_name_with_any_private_address_is_refused_at_connect(
    fake_dns: dict[str, list[str]], net: LoopbackOnly
) -> None:
    fake_dns["rebind.example"] = ["8.8.8.8", "10.0.0.1"]
    with pytest.raises(FetchRefused, match=r"rebind\.example.*10\.0\.0\.1"):
        await GuardedResolver().resolve("rebind.example", 80)
    async with GuardedClient(timeout=0.5, backend=net) as client:
        with pytest.raises(FetchRefused, match=r"10\.0\.0\.1"):
            await client.fetch("http://rebind.example/")
    assert net.connected == []


async def test_connection_goes_to_the_checked_ip_with_the_hostname_kept(
    fake_dns: dict[str, list[str]], net: LoopbackOnly, server: StubServer
) -> None:
    fake_dns["blog.example"] = ["127.0.0.1"]
    async with GuardedClient(allow_loopback=True, timeout=5.0, backend=net) as client:
        result = await client.fetch(f"http://blog.example:{server.port}/ok")
    assert result.status == 200
    assert net.connected == ["127.0.0.1"]
    assert server.seen[0].headers["Host"] == f"blog.example:{server.port}"


@pytest.mark.parametrize(
    "url", ["http+unix://%2Fvar%2Frun%2Fdocker.sock/info", "unix:///var/run/docker.sock"]
)
async def test_unix_sockets_are_refused(
    guarded: GuardedClient, net: LoopbackOnly, url: str
) -> None:
    with pytest.raises(FetchRefused):
        await guarded.fetch(url)
    assert net.connected == []


# --- with loopback allowed (the test servers) ------------------------------------------


async def test_fetch_returns_status_headers_and_content(
    loopback: GuardedClient, server: StubServer
) -> None:
    result = await loopback.fetch(f"{server.base}/ok")
    assert result.status == 200
    assert result.url == f"{server.base}/ok"
    assert result.headers["content-type"] == "text/plain; charset=utf-8"
    assert result.content == "hello é".encode()
    assert result.text == "hello é"
    assert result.redirects == ()


async def test_text_uses_the_declared_charset(loopback: GuardedClient, server: StubServer) -> None:
    assert (await loopback.fetch(f"{server.base}/latin1")).text == "café"


async def test_real_network_backend_fetches_from_loopback(server: StubServer) -> None:
    async with GuardedClient(allow_loopback=True, timeout=5.0) as client:
        result = await client.fetch(f"{server.base}/ok")
    assert (result.status, result.content) == (200, "hello é".encode())


async def test_redirect_chain_is_followed_and_recorded(
    loopback: GuardedClient, server: StubServer
) -> None:
    result = await loopback.fetch(f"{server.base}/chain/3")
    assert result.status == 200
    assert result.url == f"{server.base}/ok"
    assert result.redirects == tuple(f"{server.base}/chain/{n}" for n in (3, 2, 1))
    assert result.redirect_statuses == (302, 302, 302)  # a feed poll moves only on 301/308


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1:8080/"],
)
async def test_redirect_to_private_address_is_refused_even_with_loopback_allowed(
    loopback: GuardedClient, net: LoopbackOnly, server: StubServer, target: str
) -> None:
    with pytest.raises(FetchRefused):
        await loopback.fetch(f"{server.base}/to?url={target}", timeout=0.5)
    assert set(net.connected) == {"127.0.0.1"}


async def test_too_many_redirects_fail(loopback: GuardedClient, server: StubServer) -> None:
    with pytest.raises(FetchFailed, match="redirects"):
        await loopback.fetch(f"{server.base}/loop")
    assert len(server.seen) == 4  # the first request and max_redirects=3 more


@pytest.mark.parametrize("target", ["ftp://example.com/file", "file:///etc/passwd"])
async def test_redirect_to_other_scheme_is_refused(
    loopback: GuardedClient, server: StubServer, target: str
) -> None:
    with pytest.raises(FetchRefused):
        await loopback.fetch(f"{server.base}/to?url={target}")


async def test_declared_oversized_body_is_refused_without_reading(
    loopback: GuardedClient, server: StubServer
) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge) as caught:
        await loopback.fetch(f"{server.base}/big-declared", max_bytes=10_000)
    assert caught.value.limit == 10_000
    assert time.monotonic() - started < 1.0  # reading would dribble for 3 s


async def test_chunked_body_over_the_limit_is_cut_off(
    loopback: GuardedClient, server: StubServer
) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge):
        await loopback.fetch(f"{server.base}/big-chunked", max_bytes=10_000)
    assert time.monotonic() - started < 2.0


async def test_slow_server_times_out(loopback: GuardedClient, server: StubServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        await loopback.fetch(f"{server.base}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_error_statuses_are_returned_not_raised(
    loopback: GuardedClient, server: StubServer, status: int
) -> None:
    result = await loopback.fetch(f"{server.base}/status/{status}")
    assert result.status == status
    assert result.content == b"gone or missing"


async def test_post_sends_form_data(loopback: GuardedClient, server: StubServer) -> None:
    result = await loopback.fetch(
        f"{server.base}/echo", method="POST", data={"source": "https://a.example/", "target": "x"}
    )
    assert result.content == b"source=https%3A%2F%2Fa.example%2F&target=x"
    assert server.seen[0].method == "POST"
    assert server.seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_post_redirected_by_303_becomes_get_without_body(
    loopback: GuardedClient, server: StubServer
) -> None:
    result = await loopback.fetch(
        f"{server.base}/to?status=303&url=/echo", method="POST", data=b"payload"
    )
    assert result.status == 200
    assert [(s.method, s.body) for s in server.seen] == [
        ("POST", b"payload"),
        ("GET", b""),
    ]


async def test_post_redirected_by_307_keeps_method_and_body(
    loopback: GuardedClient, server: StubServer
) -> None:
    result = await loopback.fetch(
        f"{server.base}/to?status=307&url=/echo", method="POST", data=b"payload"
    )
    assert result.content == b"payload"
    assert [(s.method, s.body) for s in server.seen] == [
        ("POST", b"payload"),
        ("POST", b"payload"),
    ]


async def test_user_agent_reaches_the_server(loopback: GuardedClient, server: StubServer) -> None:
    await loopback.fetch(f"{server.base}/ok")
    assert server.seen[0].headers["User-Agent"] == "hub/0.1 (+test)"


async def test_from_settings_reads_limits_and_names_the_node() -> None:
    settings = Settings(
        base_url="https://hub.example",
        allow_loopback_fetch=True,
        fetch_timeout_seconds=7.0,
        fetch_max_bytes=1234,
        fetch_max_redirects=2,
    )
    async with GuardedClient.from_settings(settings) as client:
        assert (client.allow_loopback, client.timeout) == (True, 7.0)
        assert (client.max_bytes, client.max_redirects) == (1234, 2)
        assert client.headers["User-Agent"] == f"hub/{VERSION} (+https://hub.example)"


async def test_credentials_are_dropped_on_cross_origin_redirect(
    fake_dns: dict[str, list[str]], loopback: GuardedClient, server: StubServer
) -> None:
    fake_dns["other.example"] = ["127.0.0.1"]
    target = f"http://other.example:{server.port}/ok"
    await loopback.fetch(
        f"{server.base}/to?url={target}", headers={"Authorization": "Bearer t", "X-Keep": "1"}
    )
    first, second = server.seen
    assert (first.headers["Authorization"], first.headers["X-Keep"]) == ("Bearer t", "1")
    assert "Authorization" not in second.headers
    assert second.headers["X-Keep"] == "1"


async def test_zero_max_redirects_fails_on_the_first_redirect(
    net: LoopbackOnly, server: StubServer
) -> None:
    async with GuardedClient(allow_loopback=True, max_redirects=0, backend=net) as client:
        with pytest.raises(FetchFailed, match="redirects"):
            await client.fetch(f"{server.base}/chain/1")
        assert (await client.fetch(f"{server.base}/ok")).status == 200


async def test_check_destination_resolves_the_name_as_the_client_would(
    fake_dns: dict[str, list[str]],
) -> None:
    fake_dns["public.example"] = ["8.8.8.8"]
    fake_dns["rebind.example"] = ["8.8.8.8", "10.0.0.1"]
    await check_destination("https://public.example/hook")
    with pytest.raises(FetchRefused, match=r"rebind\.example.*10\.0\.0\.1"):
        await check_destination("https://rebind.example/hook")
    with pytest.raises(FetchRefused, match="localhost"):
        await check_destination("http://localhost:8080/hook")
    await check_destination("http://localhost:8080/hook", allow_loopback=True)
    for refused in ("ftp://public.example/", "http://u:p@public.example/", "http://[::1/"):
        with pytest.raises(FetchRefused):
            await check_destination(refused)


async def test_a_kept_alive_connection_the_server_closed_is_not_reused(
    loopback: GuardedClient,
) -> None:
    """Each answer keeps the connection alive, then the server hangs up while it is idle:
    the next fetch sees the pool's idle check find it closed and opens a new one."""
    connections = 0

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        for _ in range(3):
            result = await loopback.fetch(f"http://127.0.0.1:{port}/")
            assert (result.status, result.content) == (200, b"ok")
            await asyncio.sleep(0.05)  # the hang-up reaches the idle connection
    assert connections == 3


async def test_cookies_are_not_kept_between_fetches(
    loopback: GuardedClient, server: StubServer
) -> None:
    """A user-chosen URL's Set-Cookie is not sent back on a later fetch (no cookie jar)."""
    server.serve("/set", b"ok", headers={"Set-Cookie": "session=secret; Path=/"})
    await loopback.fetch(f"{server.base}/set")
    await loopback.fetch(f"{server.base}/ok")
    assert "Cookie" not in server.seen[-1].headers
    assert server.seen[-1].headers["User-Agent"].startswith("hub/")
    assert "gzip" in server.seen[-1].headers["Accept-Encoding"]


async def test_a_compressed_body_is_capped_on_its_decoded_bytes(
    loopback: GuardedClient, server: StubServer
) -> None:
    """A gzip bomb: a few kilobytes on the wire that inflate past the cap are refused, while
    a compressed body under the cap arrives decoded."""
    bomb = gzip.compress(b"x" * 5_000_000)
    server.serve("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    server.serve("/small", gzip.compress(b"y" * 5_000), headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 10_000
    with pytest.raises(TooLarge):
        await loopback.fetch(f"{server.base}/bomb", max_bytes=100_000)
    assert (await loopback.fetch(f"{server.base}/small", max_bytes=100_000)).content == (
        b"y" * 5_000
    )


async def test_a_header_too_long_fails_the_fetch(
    loopback: GuardedClient, server: StubServer
) -> None:
    server.serve("/long", b"ok", headers={"X-Long": "a" * 40_000})
    with pytest.raises(FetchFailed):
        await loopback.fetch(f"{server.base}/long")
    assert (await loopback.fetch(f"{server.base}/ok")).status == 200


async def test_a_server_hanging_up_without_an_answer_fails_the_fetch(
    loopback: GuardedClient,
) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(FetchFailed, match="failed"):
            await loopback.fetch(f"http://127.0.0.1:{port}/")


async def test_a_closed_client_fetches_nothing(net: LoopbackOnly, server: StubServer) -> None:
    client = GuardedClient(allow_loopback=True, backend=net)
    assert (await client.fetch(f"{server.base}/ok")).status == 200
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await client.fetch(f"{server.base}/ok")
    assert net.connected == ["127.0.0.1"]
