"""What a received activity does (the `process_activity` job's work): Follow and its Undo
(followers), Like, Announce and a reply Create (responses stored as webmentions, moderated
as they are), their Update, Delete and Undo (only by the actor that sent them), Delete and
Update of an actor. Anything else is ignored. The activity's row in `ap_inbox` records the
outcome: done, ignored (with why) or error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from hub.activitypub.receive.activity import id_of
from hub.core.db import transaction
from hub.core.federation import follows, remote_actors
from hub.core.federation import inbox as received
from hub.core.federation.remote_actors import ActorUnavailable, RemoteActor
from hub.core.queue import claiming, queue_claimed
from hub.core.resources import Resources
from hub.core.urls import origin, parse_target
from hub.core.webmentions import federated
from hub.core.webmentions.content import sanitize_mention_html
from hub.core.webmentions.photo import rehost_photo

log = logging.getLogger("hub.activitypub")

NOTE_TYPES = {"Note", "Article", "Page", "Question"}
ACTOR_TYPES = {"Person", "Service", "Organization", "Group", "Application"}
RESPONSE_TYPES = {"Like": "like", "Announce": "repost"}


@dataclass
class Received:
    """One activity being processed."""

    resources: Resources
    inbox_id: int
    body: dict[str, Any]
    actor: RemoteActor

    @property
    def type(self) -> str:
        kind = self.body.get("type")
        return kind[0] if isinstance(kind, list) else kind

    @property
    def object(self) -> Any:
        return self.body.get("object")

    @property
    def object_id(self) -> str | None:
        return id_of(self.object)


Outcome = tuple[str, str | None]  # (status of the ap_inbox row, why)
DONE: Outcome = ("done", None)


def _ignored(why: str) -> Outcome:
    return ("ignored", why)


def _published(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _http(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    found = id_of(value) if not isinstance(value, dict) else value.get("href") or value.get("id")
    if isinstance(found, str) and found.startswith(("https://", "http://")) and len(found) <= 2048:
        return found
    return None


def channel_of(resources: Resources, url: str | None) -> tuple[str | None, str | None] | None:
    """(slug, custom domain) of the channel whose actor id `url` is: `{base}/{slug}` on the
    node, `https://{domain}/` on a custom domain; None for any other URL."""
    path = parse_target(url) if isinstance(url, str) and len(url) <= 2048 else None
    if path is None:
        return None
    if (path.host, path.port) == origin(resources.settings.base_url or ""):
        return (path.segments[0], None) if len(path.segments) == 1 else None
    return (None, path.host) if not path.segments and path.port is None else None


def _author(actor: RemoteActor) -> dict[str, str | None]:
    return {
        "author_name": actor.name or actor.preferred_username,
        "author_url": actor.url or actor.uri,
        "author_photo": actor.icon_url,
    }


async def _queue(resources: Resources, work) -> Any:
    """Run `work(conn)` in one transaction and queue the jobs it staged after the commit."""
    with claiming() as claimed:
        async with transaction(resources.pool) as conn:
            result = await work(conn)
    await queue_claimed(resources.redis, claimed)
    return result


# -- follows ------------------------------------------------------------------------------------


async def on_follow(r: Received) -> Outcome:
    named = channel_of(r.resources, r.object_id)
    if named is None:
        return _ignored("the Follow names no channel of this node")
    if r.actor.blocked:
        return _ignored("the follower is blocked")
    follow_id = r.body["id"]

    async def work(conn) -> Outcome:
        channel = await follows.followed_channel(conn, *named)
        if channel is None:
            return _ignored("the followed channel does not exist")
        follow = await follows.add_follower(
            conn, channel["id"], r.actor.id, follow_id, pending=channel["ap_manual_followers"]
        )
        if follow.status == "accepted":
            await follows.stage_follow_decision(conn, follow.follower_id, accepted=True)
        return DONE

    return await _queue(r.resources, work)


async def on_undo(r: Received) -> Outcome:
    undone = r.object
    kind = undone.get("type") if isinstance(undone, dict) else None
    object_id = r.object_id
    if not isinstance(object_id, str):
        return _ignored("the Undo names nothing")
    async with transaction(r.resources.pool) as conn:
        if kind in (None, "Like", "Announce") and await federated.delete_response(
            conn, object_id, r.actor.id
        ):
            return DONE
        if kind in (None, "Follow"):
            named = channel_of(r.resources, id_of(undone.get("object"))) if kind else None
            channel = await follows.followed_channel(conn, *named) if named else None
            removed = await follows.remove_follower(
                conn, channel["id"] if channel else None, r.actor.id, object_id
            )
            if removed:
                return DONE
    return _ignored("nothing of this actor to undo")


# -- responses ----------------------------------------------------------------------------------


async def _store(r: Received, entry_url: str | None, response: federated.Response) -> Outcome:
    if r.actor.blocked:
        return _ignored("the sender is blocked")
    resources = r.resources
    async with transaction(resources.pool) as conn:
        entry = await federated.entry_for_url(conn, resources.settings, entry_url or "")
        if entry is None:
            return _ignored("not a response to a published, public entry of this node")
        stored = await federated.store_response(conn, resources.settings, entry, response)
    if stored is None:
        return _ignored("another actor's object has this id")
    if response.author_photo:
        async with resources.pool.acquire() as conn:
            known = await federated.known_photo_path(conn, r.actor.id, response.author_photo)
        if known is None:
            path = await rehost_photo(
                resources, response.author_photo, current_url=None, current_path=None
            )
            if path is not None:
                await federated.set_photo_path(resources.pool, stored["id"], path)
    return DONE


async def on_like_or_announce(r: Received) -> Outcome:
    response = federated.Response(
        object_id=r.body["id"],
        type=RESPONSE_TYPES[r.type],
        actor_id=r.actor.id,
        url=r.actor.url or r.actor.uri,
        published_at=_published(r.body.get("published")),
        **_author(r.actor),
    )
    return await _store(r, r.object_id, response)


def _note_response(r: Received, note: dict[str, Any]) -> federated.Response:
    content = note.get("content")
    if not isinstance(content, str):
        languages = note.get("contentMap")
        if isinstance(languages, dict):
            content = next((v for v in languages.values() if isinstance(v, str)), None)
    html, text = sanitize_mention_html(content) if isinstance(content, str) else (None, None)
    name = note.get("name")
    return federated.Response(
        object_id=note["id"],
        type="reply",
        actor_id=r.actor.id,
        url=_http(note.get("url")) or note["id"],
        name=name.strip()[:1000] if isinstance(name, str) and name.strip() else None,
        content_html=html or None,
        content_text=text or None,
        published_at=_published(note.get("published")),
        **_author(r.actor),
    )


def _own_note(r: Received) -> dict[str, Any] | None:
    """The activity's object when it is a Note (or Article) of the activity's own actor."""
    note = r.object
    if not isinstance(note, dict) or note.get("type") not in NOTE_TYPES:
        return None
    if not isinstance(note.get("id"), str) or _http(note["id"]) is None:
        return None
    if id_of(note.get("attributedTo")) not in (None, r.actor.uri):
        return None
    return note


async def on_create(r: Received) -> Outcome:
    note = _own_note(r)
    if note is None:
        return _ignored("not a Note of its actor")
    reply_to = _http(note.get("inReplyTo"))
    if reply_to is None:
        return _ignored("not a reply")
    return await _store(r, reply_to, _note_response(r, note))


async def on_update(r: Received) -> Outcome:
    if r.object_id == r.actor.uri or (isinstance(r.object, dict) and
                                      r.object.get("type") in ACTOR_TYPES):  # fmt: skip
        if r.object_id != r.actor.uri:
            return _ignored("an actor may update only itself")
        try:  # never trust the embedded copy: read the actor from its server
            document = await remote_actors.fetch_actor(r.resources.fetcher, r.actor.uri)
        except ActorUnavailable as exc:
            return _ignored(f"the actor could not be read again: {exc.message}")
        await remote_actors.upsert(r.resources.pool, document)
        return DONE
    note = _own_note(r)
    if note is None:
        return _ignored("not a Note of its actor")
    async with transaction(r.resources.pool) as conn:
        updated = await federated.update_reply(
            conn, note["id"], r.actor.id, _note_response(r, note)
        )
    return DONE if updated else _ignored("no stored reply of this actor has this id")


async def on_delete(r: Received) -> Outcome:
    object_id = r.object_id
    if not isinstance(object_id, str):
        return _ignored("the Delete names nothing")
    async with transaction(r.resources.pool) as conn:
        if object_id == r.actor.uri:
            await follows.remove_actor_follows(conn, r.actor.id)
            await federated.remove_actor_responses(conn, r.actor.id)
            await remote_actors.mark_gone(conn, r.actor.id)
            return DONE
        deleted = await federated.delete_response(conn, object_id, r.actor.id)
    return DONE if deleted else _ignored("no stored response of this actor has this id")


HANDLERS = {
    "Follow": on_follow,
    "Undo": on_undo,
    "Like": on_like_or_announce,
    "Announce": on_like_or_announce,
    "Create": on_create,
    "Update": on_update,
    "Delete": on_delete,
}


async def process(resources: Resources, inbox_id: int) -> str:
    """Process one received activity once; returns the status it ends in."""
    async with resources.pool.acquire() as conn:
        row = await received.get_activity(conn, inbox_id)
        if row is None or row["status"] != "queued":
            return row["status"] if row else "missing"
        actor = await remote_actors.by_id(conn, row["actor_id"])
    body = row["body"]
    if isinstance(body, str):
        body = orjson.loads(body)
    handler = HANDLERS.get(row["type"])
    if actor is None or handler is None:
        status, why = _ignored(f"{row['type']} is not handled")
    else:
        try:
            status, why = await handler(Received(resources, inbox_id, body, actor))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # odd shapes
            log.info("activity %s not processed: %r", inbox_id, exc)
            status, why = "error", f"{type(exc).__name__}: {exc}"
    async with resources.pool.acquire() as conn:
        await received.mark_activity(conn, inbox_id, status, why)
    return status
