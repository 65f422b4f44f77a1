"""The moderation policy of received responses (webmention-site-feeds §1.8), one for every
protocol: a verified webmention and a fediverse reply, like or boost get their status here.
An approved response stays approved; spam heuristics (many links, a bare-IP source) hold it;
then the node's policy (`HUB_WEBMENTION_MODERATION`: auto, known, manual)."""

from __future__ import annotations

import ipaddress

import asyncpg

from hub.config import Settings
from hub.core.urls import host_of, is_ip_literal, registrable_domain
from hub.core.webmentions import queries as q

SPAM_LINKS = 20


async def moderation_status(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    current: str | None,
    content_html: str | None,
    source_host: str,
    source_domain: str,
) -> str:
    """`approved` or `pending` for a response whose stored status is `current`."""
    if current == "approved":
        return "approved"
    if (content_html or "").count("<a ") > SPAM_LINKS or _bare_ip(source_host):
        return "pending"
    policy = settings.webmention_moderation
    if policy == "auto":
        return "approved"
    if policy == "known" and await q.is_trusted_source(conn, source_domain, node_domain(settings)):
        return "approved"
    return "pending"


def _bare_ip(host: str) -> bool:
    """A source on a bare IP address is held; loopback sources exist only under the
    test-only loopback switch (the guard refuses them otherwise) and are not held."""
    if not is_ip_literal(host):
        return False
    return not ipaddress.ip_address(host.strip("[]")).is_loopback


def node_domain(settings: Settings) -> str:
    """The registrable domain of the node's base URL (always trusted by `known`)."""
    return registrable_domain(host_of(settings.base_url or "http://localhost/"))
