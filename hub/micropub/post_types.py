"""Post type discovery (micropub-resolved.md §3.5, after the W3C Post Type Discovery note).

The rules live in `hub.core.entries.kinds` (the dashboard's editor discovers kinds too); this
module re-exports them and lists the post types hub announces in `q=config` and `q=post-types`.
"""

from __future__ import annotations

from hub.core.entries.kinds import RSVP_VALUES, content_words, discover

__all__ = ["POST_TYPES", "RSVP_VALUES", "content_words", "discover"]


def _post_type(
    type_: str, name: str, properties: list[str], required: list[str], h: str = "entry"
) -> dict:
    return {
        "type": type_,
        "name": name,
        "h": h,
        "properties": properties,
        "required-properties": required,
    }


_COMMON = ["category", "published", "post-status", "visibility", "mp-slug", "mp-syndicate-to"]

# `q=post-types` and `q=config` (micropub-resolved.md §5): what a client may offer to create.
POST_TYPES: list[dict] = [
    _post_type("note", "Note", ["content", *_COMMON], ["content"]),
    _post_type("article", "Article", ["name", "content", "summary", *_COMMON], ["name", "content"]),
    _post_type("photo", "Photo", ["photo", "content", *_COMMON], ["photo"]),
    _post_type("video", "Video", ["video", "content", *_COMMON], ["video"]),
    _post_type("audio", "Audio", ["audio", "content", *_COMMON], ["audio"]),
    _post_type("reply", "Reply", ["in-reply-to", "content", *_COMMON], ["in-reply-to", "content"]),
    _post_type("like", "Like", ["like-of", *_COMMON], ["like-of"]),
    _post_type("repost", "Repost", ["repost-of", "content", *_COMMON], ["repost-of"]),
    _post_type(
        "bookmark", "Bookmark", ["bookmark-of", "name", "content", *_COMMON], ["bookmark-of"]
    ),
    _post_type(
        "rsvp", "RSVP", ["in-reply-to", "rsvp", "content", *_COMMON], ["in-reply-to", "rsvp"]
    ),
    _post_type("checkin", "Check-in", ["checkin", "content", *_COMMON], ["checkin"]),
    _post_type(
        "event",
        "Event",
        ["name", "start", "end", "location", "content", *_COMMON],
        ["name", "start"],
        h="event",
    ),
]
