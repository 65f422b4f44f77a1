"""Which scope each Micropub request needs (micropub-resolved.md §2.2, R-M12, R-M13, R-M35).

Pure: works on the token's scope set and raises `Forbidden(code="insufficient_scope")`,
which `hub.micropub.errors` answers with 401 and the `scope` the request needed.
"""

from __future__ import annotations

from collections.abc import Collection

from hub.core.errors import Forbidden

# Scopes that make a token a Micropub token at all; a token with none of them (no scope at
# all, or only directory/profile scopes) may not even query (R-M25, W3C §5.4).
MICROPUB_SCOPES = ("create", "draft", "update", "delete", "undelete", "media")

# request → scopes of which any one suffices, the first being the one to ask for.
NEEDS: dict[str, tuple[str, ...]] = {
    "create": ("create", "draft"),
    "update": ("update",),
    "delete": ("delete",),
    "undelete": ("undelete", "delete"),
    "upload": ("media", "create", "draft"),
    "source": ("create", "draft", "update", "delete"),
    "query": MICROPUB_SCOPES,
}


def require(scopes: Collection[str], request: str) -> None:
    """Raise unless `scopes` allow `request` (a key of NEEDS)."""
    needed = NEEDS[request]
    if not any(scope in scopes for scope in needed):
        raise Forbidden(
            f"This token lacks the '{needed[0]}' scope.",
            code="insufficient_scope",
            scope=" ".join(needed),
        )


def draft_only(scopes: Collection[str]) -> bool:
    """A token that may create only drafts: `draft` without `create` (R-M35)."""
    return "draft" in scopes and "create" not in scopes


def forced_post_status(scopes: Collection[str]) -> str | None:
    """`draft` for a draft-only token, whatever the request says; None otherwise."""
    return "draft" if draft_only(scopes) else None


def require_publish(scopes: Collection[str]) -> None:
    """An update that publishes a draft: never with a draft-only token."""
    if draft_only(scopes):
        raise Forbidden(
            "This token may create drafts only; publishing needs the 'create' scope.",
            code="insufficient_scope",
            scope="create",
        )
