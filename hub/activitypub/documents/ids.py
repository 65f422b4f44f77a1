"""The ids of this node's fediverse documents, from `hub.core.urls`: the actor id is the
channel's URL, its key `{actor}#main-key`; an entry's object id is its canonical URL; an
activity's id is its object's or actor's id with a fragment (`#create/{version}`,
`#accepts/{follower id}`). Pure. The reader (`documents`) and the sender (`deliver`) both
name things with these."""

from __future__ import annotations

from hub.core.urls import Urls


def actor_id(urls: Urls, slug: str, custom_domain: str | None) -> str:
    """The channel's URL: `{base}/{slug}`, or `https://{custom domain}/`."""
    return urls.channel(slug, custom_domain=custom_domain)


def key_id(actor: str) -> str:
    return f"{actor}#main-key"


def inbox_id(urls: Urls, slug: str) -> str:
    return urls.ap_collection(slug, "inbox")


def outbox_id(urls: Urls, slug: str) -> str:
    return urls.ap_collection(slug, "outbox")


def followers_id(urls: Urls, slug: str) -> str:
    return urls.ap_collection(slug, "followers")


def following_id(urls: Urls, slug: str) -> str:
    return urls.ap_collection(slug, "following")


def featured_id(urls: Urls, slug: str) -> str:
    return urls.ap_collection(slug, "featured")


def object_id(urls: Urls, channel_slug: str, slug: str, custom_domain: str | None) -> str:
    """An entry's canonical URL (its primary language, no `?lang`)."""
    return urls.entry(channel_slug, slug, custom_domain=custom_domain)


def activity_id(object_or_actor: str, kind: str, n: int | str) -> str:
    """`{id}#{kind}/{n}`: `create`, `update` and `delete` of an entry take its version,
    `accepts` of a follow the follower's id."""
    return f"{object_or_actor}#{kind}/{n}"


def create_id(object_url: str, version: int) -> str:
    return activity_id(object_url, "create", version)


def update_id(object_url: str, version: int) -> str:
    return activity_id(object_url, "update", version)


def delete_id(object_url: str, version: int) -> str:
    return activity_id(object_url, "delete", version)


def accept_id(actor: str, follower_id: int) -> str:
    return activity_id(actor, "accepts", follower_id)
