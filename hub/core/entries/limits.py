"""How much one entry may hold, whichever API writes it.

Each API checks these before it renders, fetches or stores anything, and refuses in its own
shape (Micropub 400 `invalid_request`, v1 422 `errors.{field}`). An API may be stricter where
its contract says so: the v1 API takes at most 20 tags of 64 characters (publicasta-v1-resolved
§12). The numbers keep every entry within what the tables hold (`entry_categories.position` is a
smallint, a tag's name 1 to 200 characters) and bound the follow-up work one request can cause
(a remote image fetched, a webmention sent per URL).
"""

from __future__ import annotations

TAGS_PER_ENTRY = 100
"""Tags (Micropub `category` values, v1 `tags`) on one entry."""

TAG_LENGTH = 200
"""Characters in one tag, after trimming (the `entry_categories.name` check)."""

TRANSLATIONS_PER_ENTRY = 100
"""Languages one entry may be written in (publicasta-v1-resolved R-78)."""

URLS_PER_ENTRY = 100
"""URLs one entry names as attachments, reply/like/repost/bookmark targets and syndication
links, all together."""
