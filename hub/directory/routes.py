"""Routes of `hub/directory`: its rows of the `/api` table, which the app factory mounts at
`/api` with the webmentions' rows (`hub.web.drf.mounts.drf_mount`).

This table is the one place the directory's routes are declared: each row's name,
description, parameters, write actions and stability feed OPTIONS, `Allow` and `_meta`.
"""

from __future__ import annotations

from hub.directory.endpoints import account, feeds, ping, posts, root, search, sites, tags, websub
from hub.web.drf.endpoint import Endpoint, Param

PAGING = (
    Param("page", "Page number, from 1."),
    Param("page_size", "Results per page (default 25, at most 100)."),
)
ORDERING = Param(
    "ordering",
    "total_recommendations, title, updated_at or created_at; prefix with - to reverse.",
)
URL_ACTION = {"POST": {"url": {"type": "url", "required": True, "read_only": False}}}

ENDPOINTS = [
    Endpoint(
        "/", "Api Root", "Links to the directory's resources.", {"GET": root.root}, cache=True
    ),
    Endpoint(
        "/sites/search",
        "Search",
        "Search sites with a Lucene-style query: AND (default), OR, NOT, parentheses, quoted "
        "phrases, field filters (title, description, link, type, total_recommendations), "
        "? and * wildcards and fuzzy terms (word~).",
        {"GET": search.search},
        cache=True,
        query_parameters=(
            Param("q", "The query.", required=True),
            Param("type", "Only sites of this type (blog, microblog, photoblog); repeatable."),
            Param("ordering", "relevance (default) or a site ordering."),
            *PAGING,
        ),
    ),
    Endpoint(
        "/sites",
        "Site List",
        "Sites in the directory. Token holders may submit a site by URL (beta).",
        {"GET": sites.list_sites, "POST": sites.submit_site},
        cache=True,
        query_parameters=(
            Param("type", "Only sites of this type; repeatable."),
            Param("tag", "Only sites with this tag."),
            ORDERING,
            *PAGING,
        ),
        actions=URL_ACTION,
        stability="beta",
        anchor="sites",
    ),
    Endpoint(
        "/sites/{site_id}",
        "Site Instance",
        "One site, with its main feed.",
        {"GET": sites.site_detail},
        cache=True,
    ),
    Endpoint(
        "/sites/{site_id}/feeds",
        "Site Feeds",
        "The feeds of a site, main feed first.",
        {"GET": sites.site_feeds},
        cache=True,
        query_parameters=PAGING,
    ),
    Endpoint(
        "/sites/{site_id}/recommendation",
        "Site Recommendation",
        "Recommend a site (POST) or take the recommendation back (DELETE).",
        {"POST": sites.recommend, "DELETE": sites.unrecommend},
        actions={"POST": {}},
        stability="beta",
        anchor="recommendations",
    ),
    Endpoint(
        "/feeds/{feed_id}", "Feed Instance", "One feed.", {"GET": feeds.feed_detail}, cache=True
    ),
    Endpoint(
        "/feeds/{feed_id}/posts",
        "Feed Posts",
        "Posts of a feed, newest first.",
        {"GET": feeds.feed_posts},
        cache=True,
        query_parameters=(
            Param("since", "Only posts published at or after this time (ISO 8601)."),
            Param("until", "Only posts published before this time (ISO 8601)."),
            *PAGING,
        ),
    ),
    Endpoint(
        "/feeds/{feed_id}/refresh",
        "Feed Refresh",
        "Poll the feed now (token holders; at most once a minute per feed).",
        {"POST": feeds.refresh_feed},
        actions={"POST": {}},
        stability="beta",
        anchor="refresh",
    ),
    Endpoint(
        "/posts/{post_id}", "Post Instance", "One post.", {"GET": posts.post_detail}, cache=True
    ),
    Endpoint(
        "/tags",
        "Tag List",
        "Tags, most used first.",
        {"GET": tags.list_tags},
        cache=True,
        query_parameters=(Param("q", "Only tags starting with this."), *PAGING),
    ),
    Endpoint(
        "/subscriptions",
        "Subscription List",
        'Feeds you follow (token holders). POST {"feed": id} or {"url": site or feed URL}.',
        {"GET": account.list_subscriptions, "POST": account.subscribe},
        query_parameters=PAGING,
        actions={
            "POST": {
                "feed": {"type": "string", "required": False, "read_only": False},
                "url": {"type": "url", "required": False, "read_only": False},
            }
        },
        stability="beta",
        anchor="subscriptions",
    ),
    Endpoint(
        "/subscriptions/import",
        "Subscription Import",
        "Import an OPML file (multipart field `file`); each feed is added by a job (202).",
        {"POST": account.import_opml},
        actions={"POST": {"file": {"type": "file", "required": True, "read_only": False}}},
        stability="beta",
        anchor="subscriptions",
    ),
    Endpoint(
        "/subscriptions/export",
        "Subscription Export",
        "Your subscriptions as OPML 2.0 (text/x-opml).",
        {"GET": account.export_opml},
        stability="beta",
        anchor="subscriptions",
    ),
    Endpoint(
        "/subscriptions/{subscription_id}",
        "Subscription Instance",
        "One of your subscriptions; DELETE to unfollow.",
        {"GET": account.subscription_detail, "DELETE": account.unsubscribe},
        stability="beta",
        anchor="subscriptions",
    ),
    Endpoint(
        "/account/webhook",
        "Webhook",
        'Your feed.updated webhook: URL and secret token. PUT {"url": …} or '
        '{"rotate_token": true}.',
        {"GET": account.get_webhook, "PUT": account.put_webhook},
        actions={
            "PUT": {
                "url": {"type": "url", "required": False, "read_only": False},
                "rotate_token": {"type": "boolean", "required": False, "read_only": False},
            }
        },
        stability="beta",
        anchor="webhooks",
    ),
    Endpoint("/tags/{name}", "Tag Instance", "One tag.", {"GET": tags.tag_detail}, cache=True),
    Endpoint(
        "/tags/{name}/sites",
        "Tag Sites",
        "Sites with a tag.",
        {"GET": tags.tag_sites},
        cache=True,
        query_parameters=(Param("type", "Only sites of this type."), ORDERING, *PAGING),
    ),
    Endpoint(
        "/xml-rpc/ping",
        "XML-RPC Ping",
        "weblogUpdates.ping(name, url) or weblogUpdates.extendedPing(name, url, changesUrl, "
        "feedUrl) as XML-RPC: a known site's feeds are polled now (once per 5 minutes).",
        {"POST": ping.ping},
        negotiate=False,
    ),
    Endpoint(
        "/websub/{feed_id}/{token}",
        "WebSub Callback",
        "Where WebSub hubs verify this node's subscriptions (GET, echoes hub.challenge) and "
        "deliver new content of a feed (POST, signed with X-Hub-Signature).",
        {"GET": websub.verify, "POST": websub.deliver},
        throttle=False,
    ),
]
