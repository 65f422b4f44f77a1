"""Ids of received responses (`webmentions.id`), whichever protocol brought them."""

from __future__ import annotations

import secrets


def new_mention_id() -> str:
    """A random mention id that never starts with "-": owners pass ids to `hub webmention
    approve|reject|block`, where a leading "-" would read as an option."""
    while (mention_id := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return mention_id
