"""Routes of the owner's dashboard (listed in hub/site/routes.py)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.site.dashboard import actor as dashboard_actor
from hub.site.dashboard import assets as dashboard_assets
from hub.site.dashboard import channels as dashboard_channels
from hub.site.dashboard import directory as dashboard_directory
from hub.site.dashboard import domains as dashboard_domains
from hub.site.dashboard import fediverse as dashboard_fediverse
from hub.site.dashboard import mentions as dashboard_mentions
from hub.site.dashboard import pages as dashboard
from hub.site.dashboard import profile as dashboard_profile
from hub.site.dashboard import tokens as dashboard_tokens
from hub.site.dashboard.editor import media as editor_media
from hub.site.dashboard.editor import preview as editor_preview
from hub.site.dashboard.editor.routes import ROUTES as EDITOR_ROUTES

_GET = ["GET", "HEAD"]

ROUTES: list[BaseRoute] = [
    Route("/dashboard", dashboard.home, methods=_GET),
    Route("/dashboard/entries", dashboard.entries, methods=_GET),
    Route("/dashboard/entries/{entry_id:int}", dashboard.entry, methods=_GET),
    Route("/dashboard/moderation", dashboard.moderation, methods=_GET),
    Route("/dashboard/moderation/{entry_id:int}/approve", dashboard.approve, methods=["POST"]),
    Route("/dashboard/moderation/{entry_id:int}/block", dashboard.block_confirm, methods=_GET),
    Route("/dashboard/moderation/{entry_id:int}/block", dashboard.block, methods=["POST"]),
    Route("/dashboard/scheduled", dashboard.scheduled, methods=_GET),
    Route("/dashboard/tokens", dashboard_tokens.tokens, methods=_GET),
    Route("/dashboard/tokens", dashboard_tokens.create, methods=["POST"]),
    Route("/dashboard/tokens/{id:int}/revoke", dashboard_tokens.revoke_confirm, methods=_GET),
    Route("/dashboard/tokens/{id:int}/revoke", dashboard_tokens.revoke, methods=["POST"]),
    Route("/dashboard/directory", dashboard_directory.directory, methods=_GET),
    Route("/dashboard/directory", dashboard_directory.add_site, methods=["POST"]),
    Route(
        "/dashboard/directory/feeds/{feed_id:uuid}/subscribe",
        dashboard_directory.subscribe,
        methods=["POST"],
    ),
    Route(
        "/dashboard/directory/feeds/{feed_id:uuid}/unsubscribe",
        dashboard_directory.unsubscribe,
        methods=["POST"],
    ),
    Route("/dashboard/webmentions", dashboard_mentions.webmentions, methods=_GET),
    Route(
        "/dashboard/webmentions/{mention_id}/approve", dashboard_mentions.approve, methods=["POST"]
    ),
    Route(
        "/dashboard/webmentions/{mention_id}/reject", dashboard_mentions.reject, methods=["POST"]
    ),
    Route(
        "/dashboard/webmentions/{mention_id}/block", dashboard_mentions.block_confirm, methods=_GET
    ),
    Route("/dashboard/webmentions/{mention_id}/block", dashboard_mentions.block, methods=["POST"]),
    Route("/dashboard/settings", dashboard.settings_page, methods=_GET),
    Route("/dashboard/channels", dashboard_channels.list_page, methods=_GET),
    Route("/dashboard/channels/new", dashboard_channels.new_form, methods=_GET),
    Route("/dashboard/channels/new", dashboard_channels.create, methods=["POST"]),
    Route("/dashboard/channels/{channel_id:int}", dashboard_channels.edit_form, methods=_GET),
    Route("/dashboard/channels/{channel_id:int}", dashboard_channels.save, methods=["POST"]),
    Route("/dashboard/profile", dashboard_profile.profile, methods=_GET),
    Route("/dashboard/profile", dashboard_profile.save, methods=["POST"]),
    Route(
        "/dashboard/channels/{channel_id:int}/domain",
        dashboard_domains.set_domain,
        methods=["POST"],
    ),
    Route("/dashboard/channels/{channel_id:int}/fediverse", dashboard_actor.save, methods=["POST"]),
    Route("/dashboard/fediverse", dashboard_fediverse.index, methods=_GET),
    Route("/dashboard/fediverse/{channel_id:int}", dashboard_fediverse.channel, methods=_GET),
    Route(
        "/dashboard/fediverse/followers/{follower_id:int}/approve",
        dashboard_fediverse.approve,
        methods=["POST"],
    ),
    Route(
        "/dashboard/fediverse/followers/{follower_id:int}/reject",
        dashboard_fediverse.reject,
        methods=["POST"],
    ),
    Route(
        "/dashboard/fediverse/followers/{follower_id:int}/remove",
        dashboard_fediverse.remove,
        methods=["POST"],
    ),
    Route(
        "/dashboard/fediverse/followers/{follower_id:int}/block",
        dashboard_fediverse.block_confirm,
        methods=_GET,
    ),
    Route(
        "/dashboard/fediverse/followers/{follower_id:int}/block",
        dashboard_fediverse.block,
        methods=["POST"],
    ),
    Route("/dashboard/assets/{name}", dashboard_assets.asset, methods=_GET),
    Route("/dashboard/media", editor_media.upload, methods=["POST"]),
    Route("/dashboard/preview", editor_preview.preview, methods=["POST"]),
    *EDITOR_ROUTES,
]
