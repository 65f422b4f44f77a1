"""Who is calling, by address: the client IP, believing `X-Forwarded-For` only from a
trusted proxy."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request


def client_ip(request: Request, trusted_proxies: tuple[str, ...] = ()) -> str | None:
    """The caller's address; `X-Forwarded-For` is believed only from a trusted proxy, and then
    its right-most address that is not itself a trusted proxy is taken."""
    peer = request.client.host if request.client else None
    if not peer or not trusted_proxies or not _in(peer, trusted_proxies):
        return peer
    forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
    for address in reversed([p for p in forwarded if p]):
        if not _in(address, trusted_proxies):
            return address
    return peer


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
