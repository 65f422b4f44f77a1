"""The JSON-LD context of every document hub serves, inline: ActivityStreams, the security
vocabulary (`publicKey`) and the Mastodon extension terms hub uses. Never fetched: the two
URLs are the ones every fediverse server has built in; the terms are defined here."""

from __future__ import annotations

from typing import Any

ACTIVITY_JSON = "application/activity+json"
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

EXTENSIONS: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}
CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    EXTENSIONS,
]


def with_context(document: dict[str, Any]) -> dict[str, Any]:
    """`document` as a top-level JSON-LD document: `@context` first."""
    return {"@context": CONTEXT, **{k: v for k, v in document.items() if k != "@context"}}
