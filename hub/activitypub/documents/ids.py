"""The ids of the documents a channel serves: its actor id (the channel's URL) and key id.
PLACEHOLDER written by DELIVERY so that delivery can be tested before READ's module lands;
READ's module replaces it at merge (same interface)."""

from __future__ import annotations

from hub.core.urls import Urls


def actor_id(urls: Urls, slug: str, custom_domain: str | None) -> str:
    """The actor id of channel `slug`: the channel's own URL."""
    return urls.channel(slug, custom_domain=custom_domain)


def key_id(actor_id: str) -> str:
    """The id of the actor's public key (the `keyId` of its signatures)."""
    return f"{actor_id}#main-key"
