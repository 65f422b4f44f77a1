"""The one HTTP client for every fetch of a user-chosen URL (SSRF guard).

Webmention sources, feeds, remote images, webhook targets and IndieAuth client_ids all go
through `GuardedClient`. It allows only http(s) URLs without userinfo, follows redirects
itself (re-checking each hop, dropping credentials across origins), caps total time, body
size (decoded bytes) and redirect count, keeps no cookies, ignores proxy settings, and checks
addresses at *connect time*: its connector's resolver (`GuardedResolver`) resolves the host
itself and refuses when any resolved address is not public, and the connector connects to
those validated IP literals, so a DNS answer cannot change between the check and the
connection (DNS rebinding); every socket's address is judged again before it connects (IP
literals skip the resolver). TLS SNI and the Host header still carry the hostname. It runs on
aiohttp (a pooled session per client, made in its event loop on the first fetch and closed by
`aclose`): httpx's pool and HTTP/1.1 machinery cost several times aiohttp's CPU a request
(issue 20, docs/performance.md "The guarded client on aiohttp").
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import re
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode

import aiohttp
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.headers import Headers
from hub.core.version import USER_AGENT

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddrInfo = tuple[Any, Any, int, str, tuple[Any, ...]]  # (family, type, proto, name, sockaddr)
OpenSocket = Callable[[AddrInfo], socket.socket]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_NO_CONTENT_TYPE = ("Content-Type",)  # a bytes body is sent without one unless given
_HEAD_LIMIT = 16 * 1024  # a status line or header field (h11 allowed a 16 KiB head)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# what a host may spell once parsed: a name (RFC 3986 reg-name, IDNA already encoded), an IPv4
# literal or an IPv6 one (without brackets, an encoded %25zone allowed); no space, no `\`
_HOST = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=:]+")


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


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that answers only public addresses: every address a name resolves to
    is judged, and one that is not public refuses the whole name (FetchRefused)."""

    def __init__(self, *, allow_loopback: bool = False) -> None:
        self.allow_loopback = allow_loopback

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[ResolveResult]:
        """Every address `host` resolves to, refusing if any is not public; OSError when it
        does not resolve (aiohttp reports it as a DNS error)."""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as exc:
            raise OSError(f"cannot resolve {host}: {exc}") from exc
        results: list[ResolveResult] = []
        seen: set[str] = set()
        for info_family, _, proto, _, sockaddr in infos:
            address = str(sockaddr[0])
            if address in seen:
                continue
            seen.add(address)
            if not is_public_address(
                ipaddress.ip_address(address), allow_loopback=self.allow_loopback
            ):
                raise FetchRefused(f"{host} resolves to a non-public address ({address}).")
            results.append({
                "hostname": host, "host": address, "port": int(sockaddr[1]),
                "family": info_family, "proto": proto, "flags": _NUMERIC,
            })  # fmt: skip
        if not results:
            raise OSError(f"cannot resolve {host}")
        return results

    async def close(self) -> None:
        pass


def _plain_socket(addr_info: AddrInfo) -> socket.socket:
    family, kind, proto, _, _ = addr_info
    return socket.socket(family=family, type=kind, proto=proto)


@functools.lru_cache(maxsize=4096)
def parse_url(url: str) -> URL:
    """`url` parsed as the guarded client sends it (yarl, as aiohttp does), or FetchRefused.

    Refused as httpx refused them: a control character anywhere (yarl would drop tabs and
    newlines, keep a NUL), leading or trailing spaces (yarl strips them), a host with a space,
    backslash or other character no host has, a malformed port or IPv6 literal; and, unlike
    httpx, a port out of range. A non-ASCII host is IDNA-encoded with UTS #46 mapping, as
    browsers do (full-width digits and full stops spell `127.0.0.1`): `check_url` judges that
    encoded host, the one aiohttp connects to. Remembered: the same endpoints, feeds and pages
    come back; URLs are immutable and an invalid one raises each time (not cached)."""
    if _CONTROL.search(url) or url != url.strip(" "):
        raise FetchRefused("Invalid URL: it has a control character or surrounding spaces.")
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:  # UnicodeError (IDNA) is a ValueError
        raise FetchRefused(f"Invalid URL: {exc}") from exc
    host = parsed.raw_host
    if host and not _HOST.fullmatch(host):
        raise FetchRefused(f"Invalid URL: the host {host!r} is not a host name or address.")
    return parsed


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The verifying TLS context of every guarded client: certifi's roots, or the file or
    directory that SSL_CERT_FILE or SSL_CERT_DIR names (the context httpx made)."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int
    headers: Headers
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


def check_url(url: URL, *, allow_loopback: bool = False) -> None:
    """Refuse URLs hub never fetches: other schemes, userinfo (even an empty `:@`), no host,
    non-public IP literals. `url` comes from `parse_url`; its encoded host is judged."""
    if url.scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https URLs can be fetched, not {url.scheme or '?'}:.")
    if url.raw_user is not None or url.raw_password is not None:
        raise FetchRefused("URLs with a user name or password are not fetched.")
    host = url.raw_host
    if not host:
        raise FetchRefused("The URL has no host.")
    literal = _literal(host)
    if literal is None:
        return  # a name: checked once resolved, at connect time
    if not is_public_address(literal, allow_loopback=allow_loopback):
        raise FetchRefused(f"{host} is not a public address.")


@functools.lru_cache(maxsize=4096)
def _literal(host: str) -> IPAddress | None:
    """The IP address `host` spells, None for a name (remembered: every hop asks)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def check_destination(url: str, *, allow_loopback: bool = False) -> None:
    """Refuse now a URL the guarded client would refuse when it fetches it: `check_url`'s
    rules, and its host name resolved and judged as at connect time (`GuardedResolver`). For
    URLs a user registers for hub to fetch later (webhooks); every fetch checks again.
    FetchRefused when it may not be fetched, FetchFailed when its host does not resolve."""
    parsed = parse_url(url)
    check_url(parsed, allow_loopback=allow_loopback)
    host = parsed.raw_host or ""
    if _literal(host) is not None:
        return  # a literal: judged by check_url
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        await GuardedResolver(allow_loopback=allow_loopback).resolve(host, port)
    except OSError as exc:
        raise FetchFailed(f"{host} does not resolve.") from exc


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
        backend: OpenSocket | None = None,
    ) -> None:
        """`backend` makes the socket of each connection the guard allowed, from its address
        info (family, type, proto, name, (ip, port...)); tests record the addresses with it."""
        self.allow_loopback = allow_loopback
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.headers = {"User-Agent": user_agent}  # sent with every request
        self._open_socket = backend or _plain_socket
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

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
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> GuardedClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _connect(self, addr_info: AddrInfo) -> socket.socket:
        """The connector's socket factory: the last check before any packet leaves (IP
        literals reach it without the resolver; `check_url` judged them already)."""
        address = str(addr_info[4][0])
        if not is_public_address(ipaddress.ip_address(address), allow_loopback=self.allow_loopback):
            raise FetchRefused(f"{address} is not a public address.")
        return self._open_socket(addr_info)

    def _session_now(self) -> aiohttp.ClientSession:
        """The pooled session, made on the first fetch (in the running event loop)."""
        if self._session is None:
            if self._closed:
                raise RuntimeError("The guarded client is closed.")
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_loopback=self.allow_loopback),
                use_dns_cache=False,  # every new connection resolves and judges again
                socket_factory=self._connect,
                ssl=_ssl_context(),
                limit=100,
                keepalive_timeout=5.0,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers=self.headers,
                cookie_jar=aiohttp.DummyCookieJar(),  # no cookies between user-chosen URLs
                timeout=aiohttp.ClientTimeout(total=None),  # `fetch` keeps the deadline
                trust_env=False,  # no proxies or .netrc from the environment
                auto_decompress=True,
                max_line_size=_HEAD_LIMIT,
                max_field_size=_HEAD_LIMIT,
            )
        return self._session

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
        not raised. A form (`data` as a mapping) is sent urlencoded; bytes as they are.

        Raises FetchRefused (scheme, userinfo, non-public address), TooLarge (body over
        `max_bytes`) or FetchFailed (network error, timeout, too many redirects).
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        seconds = self.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds):
                return await self._fetch(
                    parse_url(url), method.upper(), headers, data, limit, follow_redirects
                )
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise FetchFailed(f"Fetching {url} timed out after {seconds:g}s.") from exc
        except aiohttp.InvalidURL as exc:
            raise FetchRefused(f"Invalid URL: {exc}") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            # ServerDisconnected, connection and TLS errors, a malformed or too long head,
            # a broken body or encoding: all a failed fetch.
            raise FetchFailed(f"Fetching {url} failed: {exc or type(exc).__name__}") from exc

    async def _fetch(
        self,
        url: URL,
        method: str,
        headers: Mapping[str, str] | None,
        data: bytes | Mapping[str, Any] | None,
        limit: int,
        follow_redirects: bool = True,
    ) -> FetchResult:
        request_headers = dict(headers or {})
        body = data
        if data is not None and not isinstance(data, bytes):
            body = urlencode(data, doseq=True).encode()
            if not any(k.lower() == "content-type" for k in request_headers):
                request_headers["Content-Type"] = "application/x-www-form-urlencoded"
        session = self._session_now()
        chain: list[str] = []
        statuses: list[int] = []
        while True:
            check_url(url, allow_loopback=self.allow_loopback)
            response = await session.request(
                method, url, headers=request_headers, data=body,
                allow_redirects=False, skip_auto_headers=_NO_CONTENT_TYPE if body else None,
            )  # fmt: skip
            try:
                status = response.status
                location = None
                if status in REDIRECTS and follow_redirects:  # decoded as httpx decoded it
                    location = Headers(response.raw_headers).get("location")
                if not location:
                    content = await _read_capped(response, limit)
                    received = Headers(response.raw_headers)
                    return FetchResult(
                        str(url), status, received, content, tuple(chain), tuple(statuses)
                    )
            except BaseException:
                response.close()  # the connection is not reused mid-body
                raise
            finally:
                response.release()
            if len(chain) >= self.max_redirects:
                raise FetchFailed(f"More than {self.max_redirects} redirects, at {url}.")
            chain.append(str(url))
            statuses.append(status)
            next_url = follow_location(url, location)
            if origin(next_url) != origin(url):
                request_headers = without_headers(request_headers, CREDENTIAL_HEADERS)
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, body = "GET", None  # like browsers; 307/308 resend method and body
                request_headers = without_headers(request_headers, {"content-type"})
            url = next_url


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The decoded body, refused early when its declared length is over `limit` and cut off
    as soon as the decoded bytes pass it (a small gzip body can inflate to gigabytes)."""
    headers = response.headers
    declared = headers.get("content-length", "")
    if declared.isdigit():
        if int(declared) > limit:
            raise TooLarge(f"The response declares {declared} bytes, over {limit}.", limit=limit)
        if "content-encoding" not in headers:
            return await response.read()  # at most the declared length is read
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The response is larger than {limit} bytes.", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def follow_location(url: URL, location: str) -> URL:
    """Where a redirect's Location leads from `url` (RFC 3986 resolution); FetchRefused when
    it is not a URL. The next hop is judged by `check_url` like the first."""
    return url.join(parse_url(location))


def origin(url: URL) -> tuple[str, str | None, int | None]:
    """What credentials stay within across a redirect: scheme, host and port."""
    return url.scheme, url.raw_host, url.port  # the port, explicit or the scheme's default


def without_headers(headers: dict[str, str], names: frozenset[str] | set[str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in names}
