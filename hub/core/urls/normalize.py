"""URL identity: when two spellings of a URL are the same URL (webmention-site-feeds.md §1.4,
R-W3). Pure: strings in, strings out.

`normalize` is the identity of a webmention source or target (stored as `source_norm` /
`target_norm`); `link_key` is what a link in a source is compared by (http/https and a trailing
slash ignored, for our own hosts); `target_key` is the identity of a page of this node;
`registrable_domain` groups hosts by site. (`hub.directory.urlnorm` keeps the directory's own
identity of sites and feeds, R-D18, which also drops `www.`.)
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from publicsuffixlist import PublicSuffixList

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PSL = PublicSuffixList()


class BadURL(ValueError):
    """Not an absolute http(s) URL with a host."""


def _host(hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if host.isascii() or host.startswith("[") or ":" in host:
        return host  # IDNA leaves ASCII labels as they are
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _escapes(part: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(fix, part)


@lru_cache(maxsize=2048)  # pure; the same target is split several times per request
def split(url: str) -> tuple[str, str, int | None, str, str]:
    """(scheme, host, port or None for the default, path, query) of an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BadURL(str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadURL(url)
    host = _host(parts.hostname)
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return scheme, host, port, _escapes(parts.path) or "/", parts.query


def normalize(url: str) -> str:
    """§1.4: lowercase scheme and host, IDNA, no default port, no fragment, `/` for an empty
    path, unreserved escapes decoded and the others uppercased; the query is kept as is."""
    scheme, host, port, path, query = split(url)
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    return urlunsplit((scheme, netloc, path, query, ""))


def link_key(url: str) -> str | None:
    """What two URLs are compared by when matching a source's links against our target:
    the normalised URL without its scheme and without a trailing slash (R-W3)."""
    try:
        scheme, host, port, path, query = split(url)
    except BadURL:
        return None
    if port is not None and port == _DEFAULT_PORTS["https" if scheme == "http" else "http"]:
        port = None  # http://h:443 is not https://h, but nobody links that way; keep it simple
    path = path.rstrip("/") or ""
    return f"//{host}{'' if port is None else f':{port}'}{path}{'?' + query if query else ''}"


def target_key(url: str) -> str:
    """The identity of a target on this node (R-W3): scheme, trailing slash and every query
    parameter but `lang` ignored, so each spelling of one page is one target."""
    _, host, port, path, query = split(url)
    lang = next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == "lang"), "")
    netloc = host if port is None else f"{host}:{port}"
    return f"//{netloc}{path.rstrip('/') or '/'}{'?lang=' + lang if lang else ''}"


def host_of(url: str) -> str:
    return split(url)[1]


def registrable_domain(host: str) -> str:
    """The registrable domain (eTLD+1) of `host`; an IP literal or a bare suffix is itself."""
    host = host.strip("[]").lower()
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _PSL.privatesuffix(host) or host


def parent_domains(host: str) -> list[str]:
    """`host` and each parent domain above its top-level one: what a `domain` block must
    match to cover the host (a block of `example.com` covers `a.b.example.com`)."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host]


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def origin(url: str) -> tuple[str, int | None] | None:
    """(host, port or None for the default) of an http(s) URL, either scheme; None if it is
    not one."""
    try:
        _, host, port, _, _ = split(url)
    except BadURL:
        return None
    return host, port


def same_origin_host(url: str, base_url: str) -> bool:
    """Whether `url` names the host (and port) of `base_url`, in either scheme (R-W3)."""
    here = origin(url)
    return here is not None and here == origin(base_url)
