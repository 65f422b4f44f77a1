"""The one HTTP client for every fetch of a user-chosen URL (SSRF guard).

Webmention sources, feeds, remote images, webhook targets and IndieAuth client_ids all go
through `GuardedClient`. It allows only http(s) URLs without userinfo, follows redirects
itself (re-checking each hop), caps total time, body size and redirect count, and checks
addresses at *connect time*: `GuardedBackend` resolves the host itself, refuses when any
resolved address is not public, and connects to the validated IP literal, so a DNS answer
cannot change between the check and the connection (DNS rebinding). TLS SNI and the Host
header still carry the hostname, because httpcore passes the origin host to `start_tls`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

import httpcore
import httpx
import sniffio

from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.version import USER_AGENT

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


def is_public_address(ip: IPAddress, *, allow_loopback: bool = False) -> bool:
    """Whether outbound fetches may connect to `ip`.

    IPv4 embedded in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is
    judged by the embedded address. `allow_loopback` admits loopback only (tests).
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(ip.packed)  # compare without the %zone
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(ip.packed[-4:])
        if embedded is not None:
            return is_public_address(embedded, allow_loopback=allow_loopback)
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not (
        ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved
    )


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects only to public addresses."""

    def __init__(
        self, *, allow_loopback: bool = False, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.allow_loopback = allow_loopback
        self.inner = inner or httpcore.AnyIOBackend()

    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to, refusing if any is not public."""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            if not is_public_address(
                ipaddress.ip_address(address), allow_loopback=self.allow_loopback
            ):
                raise FetchRefused(f"{host} resolves to a non-public address ({address}).")
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        error: Exception | None = None
        for address in await self.resolve(host, port):
            try:
                stream = await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
                return _PolledStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, *args: Any, **kwargs: Any) -> Any:
        raise FetchRefused("Fetching over a unix socket is not allowed.")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class _PolledStream(httpcore.AsyncNetworkStream):
    """A connection whose "is the idle socket readable?" check (httpcore's pool asks it of
    every idle connection whenever a request starts or ends: the server closed it when it
    is) is one `poll` system call on a poll object made once, and a "no" is trusted for
    `QUIET_FOR` seconds, so a burst of requests polls each idle connection once, not once
    a request (issue 20: 10% of a worker sending webmentions). The check is a race with the
    server anyway; a request on a connection closed meanwhile fails like any dropped
    connection, and its job retries. Everything else is the stream's."""

    QUIET_FOR = 0.005

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._poll: Any = None
        self._quiet_until = 0.0
        sock = inner.get_extra_info("socket")
        fd = sock.fileno() if sock is not None else -1
        if fd >= 0 and hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(fd, select.POLLIN)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        if self._poll is not None:
            self._poll = False  # closed: reads as readable, as httpcore's own check says
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
    ) -> httpcore.AsyncNetworkStream:  # fmt: skip
        return _PolledStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._poll is not None:
            if self._poll is False:
                return True
            now = time.monotonic()
            if now < self._quiet_until:
                return False
            if self._poll.poll(0):
                return True
            self._quiet_until = now + self.QUIET_FOR
            return False
        return self._inner.get_extra_info(info)


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int
    headers: httpx.Headers
    content: bytes
    redirects: tuple[str, ...]  # URLs redirected through, in order (not the final one)
    redirect_statuses: tuple[int, ...] = ()  # the status of each of those hops (301, 302...)

    @property
    def text(self) -> str:
        """The body decoded with the Content-Type charset (UTF-8 if absent or unknown)."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        charset = message.get_param("charset")
        try:
            return self.content.decode(str(charset or "utf-8"), errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def check_url(url: httpx.URL, *, allow_loopback: bool = False) -> None:
    """Refuse URLs hub never fetches: other schemes, userinfo, non-public IP literals."""
    if url.scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https URLs can be fetched, not {url.scheme or '?'}:.")
    if url.userinfo:
        raise FetchRefused("URLs with a user name or password are not fetched.")
    if not url.host:
        raise FetchRefused("The URL has no host.")
    try:
        literal = ipaddress.ip_address(url.host)
    except ValueError:
        return  # a name: checked once resolved, at connect time
    if not is_public_address(literal, allow_loopback=allow_loopback):
        raise FetchRefused(f"{url.host} is not a public address.")


async def check_destination(url: str, *, allow_loopback: bool = False) -> None:
    """Refuse now a URL the guarded client would refuse when it fetches it: `check_url`'s
    rules, and its host name resolved and judged as at connect time (`GuardedBackend`). For
    URLs a user registers for hub to fetch later (webhooks); every fetch checks again.
    FetchRefused when it may not be fetched, FetchFailed when its host does not resolve."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"Invalid URL: {exc}") from exc
    check_url(parsed, allow_loopback=allow_loopback)
    try:
        ipaddress.ip_address(parsed.host)
        return  # a literal: judged by check_url
    except ValueError:
        pass
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        await GuardedBackend(allow_loopback=allow_loopback).resolve(parsed.host, port)
    except httpcore.ConnectError as exc:
        raise FetchFailed(f"{parsed.host} does not resolve.") from exc


class GuardedClient:
    """Fetches user-chosen URLs safely. Use as `async with GuardedClient() as c:`."""

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        timeout: float = 15.0,
        max_bytes: int = 20 * 1024 * 1024,
        max_redirects: int = 5,
        user_agent: str = USER_AGENT,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        """`backend` is the real network backend the guard delegates to (tests record it)."""
        self.allow_loopback = allow_loopback
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        transport = httpx.AsyncHTTPTransport()
        # httpx 0.28 has no hook for a network backend: replace the pool it built.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(allow_loopback=allow_loopback, inner=backend),
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            timeout=timeout,
            headers={"User-Agent": user_agent},
        )
        # Requests go to the transport directly (`_send`): the client's redirect, auth,
        # cookie-jar and event-hook layers cost ~6% of a worker sending webmentions and none
        # applies (redirects are followed here, each hop checked; no cookies are kept
        # between fetches of user-chosen URLs). Its default headers and timeouts are used.
        self._transport = transport
        self._headers = self._client.headers
        self._extensions = {"timeout": self._client.timeout.as_dict()}

    @classmethod
    def from_settings(cls, settings: Any) -> GuardedClient:
        return cls(
            allow_loopback=settings.allow_loopback_fetch,
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            user_agent=f"{USER_AGENT} (+{settings.base_url})",
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> GuardedClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        data: bytes | Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (per-call total deadline)
        follow_redirects: bool = True,
    ) -> FetchResult:
        """Fetch `url`, following redirects unless `follow_redirects` is False (a signed
        request is bound to its URL: its 3xx is returned). Non-2xx statuses are returned,
        not raised.

        Raises FetchRefused (scheme, userinfo, non-public address), TooLarge (body over
        `max_bytes`) or FetchFailed (network error, timeout, too many redirects).
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        seconds = self.timeout if timeout is None else timeout
        # httpcore and anyio ask sniffio which event loop runs at every lock, cancel scope
        # and read; the answer (asyncio: this method uses asyncio.timeout) is set for the
        # fetch so it is one context-variable read, not a walk to asyncio.current_task.
        library = sniffio.current_async_library_cvar.set("asyncio")
        try:
            async with asyncio.timeout(seconds):
                return await self._fetch(
                    httpx.URL(url), method.upper(), headers, data, limit, follow_redirects
                )
        except TimeoutError as exc:
            raise FetchFailed(f"Fetching {url} timed out after {seconds:g}s.") from exc
        except httpx.TimeoutException as exc:
            raise FetchFailed(f"Fetching {url} timed out.") from exc
        except httpx.InvalidURL as exc:
            raise FetchRefused(f"Invalid URL: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(f"Fetching {url} failed: {exc or type(exc).__name__}") from exc
        finally:
            sniffio.current_async_library_cvar.reset(library)

    async def _fetch(
        self,
        url: httpx.URL,
        method: str,
        headers: Mapping[str, str] | None,
        data: bytes | Mapping[str, Any] | None,
        limit: int,
        follow_redirects: bool = True,
    ) -> FetchResult:
        request_headers = dict(headers or {})
        chain: list[str] = []
        statuses: list[int] = []
        while True:
            check_url(url, allow_loopback=self.allow_loopback)
            content, form = (data, None) if isinstance(data, bytes) else (None, data)
            response = await self._send(method, url, request_headers, content, form)
            try:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECTS or not location or not follow_redirects:
                    body = await _read_capped(response, limit)
                    return FetchResult(
                        str(url), response.status_code, response.headers, body, tuple(chain),
                        tuple(statuses),
                    )  # fmt: skip
            finally:
                await response.aclose()
            if len(chain) >= self.max_redirects:
                raise FetchFailed(f"More than {self.max_redirects} redirects, at {url}.")
            chain.append(str(url))
            statuses.append(response.status_code)
            next_url = url.join(location)
            if (next_url.scheme, next_url.host, next_url.port) != (url.scheme, url.host, url.port):
                request_headers = _without(request_headers, _CREDENTIAL_HEADERS)
            status = response.status_code
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, data = "GET", None  # like browsers; 307/308 resend method and body
                request_headers = _without(request_headers, {"content-type"})
            url = next_url

    async def _send(
        self, method: str, url: httpx.URL, headers: Mapping[str, str], content: bytes | None,
        form: Mapping[str, Any] | None,
    ) -> httpx.Response:  # fmt: skip
        """One request through the transport, its body unread (httpx's client's `send`,
        without the layers the guarded client does itself or never wants)."""
        merged = self._headers.copy()
        merged.update(headers)
        request = httpx.Request(
            method, url, headers=merged, content=content, data=form,
            extensions=self._extensions,
        )  # fmt: skip
        response = await self._transport.handle_async_request(request)
        response.request = request
        return response


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"The response declares {declared} bytes, over {limit}.", limit=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The response is larger than {limit} bytes.", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _without(headers: dict[str, str], names: frozenset[str] | set[str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in names}


async def fetch_own_page(
    app: Any, url: str, *, headers: Mapping[str, str] | None = None, max_redirects: int = 5
) -> FetchResult:
    """GET one of this node's own pages from its ASGI `app`, in process: no socket, no DNS
    (webmention-site-feeds R-W16). Redirects are followed within the app; the result has the
    shape of a guarded fetch."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, follow_redirects=True, max_redirects=max_redirects
    ) as client:
        response = await client.get(url, headers=dict(headers or {}))
    hops = tuple(str(r.url) for r in response.history)
    return FetchResult(
        url=str(response.url),
        status=response.status_code,
        headers=response.headers,
        content=response.content,
        redirects=hops,
        redirect_statuses=tuple(r.status_code for r in response.history),
    )
