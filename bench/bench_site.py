"""Public pages and feeds, driven in-process over ASGI at 32 concurrent requests.

hub: the entry page (`/{channel}/{slug}`) and the channel home (`/{channel}`, 20 summaries)
through the whole app (routing, host check, channel query, entry query, state, view, ETag,
template). Ceiling: a bare Starlette endpoint that runs one query and renders the same
template with a context built straight from the row. Prints requests per second and the
ratio (target >= 0.70); then hub's rate when every request recomputes the views it keeps
per row (`hub.site.public.memo`), as the first request after a change does. Then the Atom
feed: cold (the display-HTML cache emptied before every request), warm, and revalidated
(If-None-Match: 304 before any entry is read).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _grow import grow_channel
from _services import bench_settings, run_on_production_loop
from _targets import flat, target
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from hub.app import create_app
from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.resources import open_resources
from hub.site.public import entry_page, pages
from hub.site.public.content import display_html
from hub.site.public.render import render
from hub.site.seo import structured

CONCURRENCY = 32
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "4000"))  # smaller for a quick check
ROWS = [int(n) for n in os.environ.get("BENCH_SITE_ROWS", "10,10000,200000").split(",")]
SCALING_ONLY = os.environ.get("BENCH_SITE_SCALING_ONLY") == "1"  # skip to the scaling table
ROUNDS = 4
BODY = "\n\n".join(
    f"Paragraph {i} with **bold**, a [link](https://example.com/{i}) and some words to read."
    for i in range(12)
)

ENTRY_SQL = """
SELECT c.slug AS channel, ct.title AS channel_title, a.name AS author, e.slug, e.published_at,
       t.language, t.title, t.excerpt, t.content_html,
       ARRAY(SELECT name FROM entry_categories g WHERE g.entry_id = e.id) AS tags
FROM channels c
JOIN channel_translations ct ON ct.channel_id = c.id AND ct.language = c.default_language
JOIN authors a ON a.id = c.author_id
JOIN entries e ON e.channel_id = c.id AND e.slug = $2
JOIN entry_translations t ON t.entry_id = e.id AND t.language = e.default_language
WHERE c.slug = $1
"""
# The channel's id as a value of its own: the plan then reads the newest entries from the index
# in order at every size (joined by slug alone, it sorted all 200,000: 39 ms; a ceiling must
# be the best one query can do).
LIST_SQL = """
SELECT c.slug AS channel, ct.title AS channel_title, a.name AS author, e.slug, e.published_at,
       t.language, t.title, t.excerpt,
       ARRAY(SELECT name FROM entry_categories g WHERE g.entry_id = e.id) AS tags
FROM channels c
JOIN channel_translations ct ON ct.channel_id = c.id AND ct.language = c.default_language
JOIN authors a ON a.id = c.author_id
JOIN entries e ON e.channel_id = c.id AND e.status = 'published'
JOIN entry_translations t ON t.entry_id = e.id AND t.language = e.default_language
WHERE c.slug = $1 AND e.channel_id = (SELECT id FROM channels WHERE slug = $1)
ORDER BY e.published_at DESC, e.id DESC LIMIT 20
"""


FEEDS = (("application/rss+xml", "RSS", "rss.xml"), ("application/atom+xml", "Atom", "atom.xml"),
         ("application/feed+json", "JSON Feed", "feed.json"))  # fmt: skip
RELS = ("webmention", "api/webmentions"), ("micropub", "micropub"), (
    "media-endpoint", "micropub/media"), ("indieauth-metadata",
    ".well-known/oauth-authorization-server"), ("authorization_endpoint", "auth"), (
    "token_endpoint", "auth/token")  # fmt: skip


def _page(base: str, row, title: str, canonical: str, *, entry: bool) -> dict:
    """The same head as hub's pages: endpoint rels, three feeds, hreflang and OpenGraph."""
    home = f"{base}/{row['channel']}"
    feeds = [{"type": t, "title": f"{row['channel_title']} ({label})", "label": label,
              "href": f"{home}/{name}"} for t, label, name in FEEDS]  # fmt: skip
    hreflang = []
    if entry:
        url = f"{home}/{row['slug']}"  # the primary language's one URL
        hreflang = [{"lang": row["language"], "href": url}, {"lang": "x-default", "href": url}]
    return {
        "lang": row["language"], "title": title, "canonical": canonical,
        "description": row["excerpt"], "hreflang": hreflang,
        "endpoints": [(rel, f"{base}/{path}") for rel, path in RELS], "feeds": feeds,
        "feed_html": home if entry else None, "rel_me": [], "hub": None,
        "og": {"type": "article" if entry else "website", "title": title, "url": canonical,
               "description": row["excerpt"], "image": None},
        "gone": False, "websub": [], "activitypub": None,
        "twitter": structured.twitter_card(title, row["excerpt"], None),
        "json_ld": structured.script_json(
            structured.blog_posting(
                headline=row["title"], url=canonical, published=row["published_at"],
                modified=None, author_name=row["author"], author_url=home, image=None,
                language=row["language"], description=row["excerpt"],
            ) if entry else structured.blog(
                name=row["channel_title"], url=canonical, description=None,
                language=row["language"], author_name=row["author"], author_url=home,
            )
        ),
    }  # fmt: skip


NO_MENTIONS = {"facepiles": [], "replies": [], "mentions": [], "count": 0}


def _header(base: str, row) -> dict:
    home = f"{base}/{row['channel']}"
    nav = [{"label": "Home", "href": home}, {"label": "Feed", "href": f"{home}/atom.xml"}]
    return {"name": row["channel_title"], "url": home, "avatar": None, "nav": nav}


def _entry(base: str, row, *, full: bool) -> dict:
    home = f"{base}/{row['channel']}"
    url = f"{home}/{row['slug']}"  # the primary language's one URL
    view = {
        "lang": row["language"], "name": row["title"], "url": url,
        "published": row["published_at"], "responses": {}, "featured": None, "photos": [],
        "tags": [{"name": t, "href": f"{home}/tags/{t}"} for t in row["tags"]],
        "summary": row["excerpt"] or "",
    }  # fmt: skip
    if full:
        view |= {
            "content": Markup(row["content_html"]), "updated": None, "videos": [], "audios": [],
            "author": {"name": row["author"], "url": home, "photo": None, "note": None},
            "syndication": [], "translations": [], "mentions": NO_MENTIONS,
        }  # fmt: skip
    return view


def bare_app(pool, base: str) -> Starlette:
    """The ceiling: one query, the same templates, no caching headers, no state checks."""

    async def entry(request: Request) -> HTMLResponse:
        p = request.path_params
        row = await pool.fetchrow(ENTRY_SQL, p["channel"], p["slug"])
        e = _entry(base, row, full=True)
        page = _page(base, row, f"{row['title']} — {row['channel_title']}", e["url"], entry=True)
        body = render("entry.html", page=page, header=_header(base, row), e=e,
                      webmention=f"{base}/api/webmentions")  # fmt: skip
        return HTMLResponse(body)

    async def home(request: Request) -> HTMLResponse:
        rows = await pool.fetch(LIST_SQL, request.path_params["channel"])
        row = rows[0]
        home = f"{base}/{row['channel']}"
        author = {"name": row["author"], "url": home, "photo": None, "note": None}
        page = _page(base, row, row["channel_title"], home, entry=False)
        page["description"] = page["og"]["description"] = None
        body = render(
            "channel.html", page=page, header=_header(base, row),
            card={"name": row["channel_title"], "url": home, "photo": None, "note": None},
            feed={"name": row["channel_title"], "url": home, "author": author},
            entries=[_entry(base, r, full=False) for r in rows],
            pager={"older": None, "newer": None},
        )  # fmt: skip
        return HTMLResponse(body)

    return Starlette(routes=[Route("/{channel}", home), Route("/{channel}/{slug}", entry)])


def forget_views() -> None:
    """Empty the views hub keeps per row: the next request computes them anew (the display
    HTML stays cached, as it was before the views were kept)."""
    entry_page.ENTRY_PAGES.clear()
    pages.SUMMARIES.clear()
    pages.CHANNELS.clear()


async def call(app, path: str, headers: list[tuple[bytes, bytes]] = ()) -> int:
    """One GET straight through the ASGI interface; the status."""
    status = 0
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"hub.bench"), *headers],
        "client": ("127.0.0.1", 5000), "server": ("hub.bench", 80),
    }  # fmt: skip

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(app, path: str, n: int, *, headers=(), before=None) -> float:
    queue = iter(range(n))

    async def lane() -> None:
        for _ in queue:
            if before:
                before()
            await call(app, path, headers)

    start = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
    return n / (time.perf_counter() - start)


async def seed(app) -> None:
    resources = app.state.resources
    async with resources.pool.acquire() as conn:
        author = await create_author(conn, "Bench", plan="pro", channel_slug="bench")
        _, key = await create_credential(conn, author_id=author.id, kind="api_key")
    await publish(app, key, [(f"post_{i}", "bench", f"Post number {i}") for i in range(40)])


async def publish(app, key: str, pages: list[tuple[str, str, str]]) -> None:
    """Publish articles (slug, first tag, title) through the v1 API, each with the bench body
    and a second tag of five."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.bench") as http:
        for i, (slug, tag, title) in enumerate(pages):
            r = await http.post(
                "/api/v1/channels/bench/pages",
                headers={"Authorization": f"Bearer {key}"},
                json={"slug": slug, "status": "published", "default_language": "en",
                      "tags": [tag, f"t{i % 5}"],
                      "translations": [{"language": "en", "title": title,
                                        "excerpt": "A teaser.", "content_markdown": BODY}]},
            )  # fmt: skip
            assert r.status_code == 201, r.text


async def best_of(hub_app, bare, path: str, requests: int) -> dict[str, float]:
    """Requests per second of each side, alternating over rounds and keeping each one's best
    (fair under noise); `bare` may be None (no ceiling for that page)."""
    sides = {"ceiling": bare, "hub": hub_app} if bare else {"hub": hub_app}
    for app in sides.values():
        assert await call(app, path) == 200, path
        await measure(app, path, min(200, requests))  # warm up
    results = dict.fromkeys(sides, 0.0)
    for _ in range(ROUNDS):
        for name, app in sides.items():
            results[name] = max(results[name], await measure(app, path, requests // ROUNDS))
    return results


async def compare(label: str, hub_app, bare, path: str) -> None:
    results = await best_of(hub_app, bare, path, REQUESTS)
    print(f"{label + ' bare (ceiling)':32s} {results['ceiling']:8.0f} req/s")
    print(f"{label + ' hub':32s} {results['hub']:8.0f} req/s")
    print(
        f"{'ratio hub/ceiling':32s} {results['hub'] / results['ceiling']:8.2f}   (target >= 0.70)"
    )
    target(f"site {label} in-process", f"{results['hub']:.0f} req/s vs "
           f"{results['ceiling']:.0f} bare", results["hub"] / results["ceiling"], 0.70)  # fmt: skip


SCALED = (
    ("entry page", "/bench/post_7", True),
    ("channel home", "/bench", True),
    ("tag page", "/bench/tags/bench", False),
    ("old tag page", "/bench/tags/archive", False),
    ("old tag atom", "/bench/tags/archive/atom.xml", False),
    ("atom feed", "/bench/atom.xml", False),
)
OLD_TAGGED = 20  # entries tagged `archive`, published before every generated one


async def seed_old_tag(app) -> None:
    """Twenty articles tagged `archive` (like the seeded ones), then dated ten years back: the
    oldest entries of the channel at every size, so the old tag's page and feed show the same
    entries at every size while the entries newer than them grow (a list that walked the
    channel's listing and checked each entry's tag read them all)."""
    resources = app.state.resources
    async with resources.pool.acquire() as conn:
        channel = await conn.fetchrow("SELECT id, author_id FROM channels WHERE slug = 'bench'")
        _, key = await create_credential(conn, author_id=channel["author_id"], kind="api_key")
    await publish(app, key, [(f"old_{i}", "archive", f"Old post {i}") for i in range(OLD_TAGGED)])
    async with resources.pool.acquire() as conn, conn.transaction():
        old = "published_at - interval '10 years'"
        ids = await conn.fetch(
            f"UPDATE entries SET published_at = {old} WHERE channel_id = $1"
            " AND slug LIKE 'old%' RETURNING id",
            channel["id"],
        )
        await conn.execute(
            f"UPDATE entry_translations SET published_at = {old}"
            " WHERE entry_id = ANY($1::bigint[])",
            [r["id"] for r in ids],
        )


async def scaling(hub_app, bare, database_url: str) -> None:
    """The scaling table: each page's hub cost (ms per request at concurrency 32, the inverse
    of its rate) and ceiling at each size of the channel; then one flat target per page."""
    requests = max(REQUESTS // 4, 4 * CONCURRENCY)
    await seed_old_tag(hub_app)
    seeded = 40 + OLD_TAGGED
    print(f"\nscaling: {requests} requests per page and side at each size (ms/request = 1000 / "
          "req/s; in brackets the ceiling's)")  # fmt: skip
    print(f"{'entries':>9s}  " + "  ".join(f"{label:>21s}" for label, _, _ in SCALED))
    costs: dict[str, list[float]] = {label: [] for label, _, _ in SCALED}
    for rows in ROWS:
        took = await grow_channel(database_url, "bench", rows)
        cells = []
        for label, path, has_bare in SCALED:
            results = await best_of(hub_app, bare if has_bare else None, path, requests)
            costs[label].append(1000 / results["hub"])
            ceiling = f"({1000 / results['ceiling']:5.2f})" if has_bare else " " * 7
            cells.append(f"{costs[label][-1]:7.2f} ms {ceiling}")
        print(f"{rows + seeded:>9,d}  " + "  ".join(f"{c:>21s}" for c in cells)
              + f"   (generated in {took:.1f} s)")  # fmt: skip
    ends = (f"{ROWS[0] + seeded:,} entries", f"{ROWS[-1] + seeded:,} entries")
    for label, values in costs.items():
        flat(f"site {label} scaling", values[0], values[-1], ends)


async def run(settings) -> None:
    settings = settings.__class__.from_env(
        {}, database_url=settings.database_url, redis_url=settings.redis_url,
        data_dir=settings.data_dir, base_url="http://hub.bench",
        db_pool_min=CONCURRENCY, db_pool_max=CONCURRENCY,
    )  # fmt: skip
    if hasattr(settings, "page_cache_bytes"):  # the uncached path (the cache of issue 20)
        settings = dataclasses.replace(settings, page_cache_bytes=0)
    async with open_resources(settings) as resources:
        hub_app = create_app(settings, resources)
        await seed(hub_app)
        bare = bare_app(resources.pool, settings.base_url)
        if SCALING_ONLY:
            await scaling(hub_app, bare, settings.database_url)
            return
        await compare("entry page", hub_app, bare, "/bench/post_7")
        await compare("channel home", hub_app, bare, "/bench")
        # hub keeps what a page derives from its rows (hub.site.public.memo); the first request
        # after a change computes it: each request here as if every row had changed
        for label, path in (("entry page", "/bench/post_7"), ("channel home", "/bench")):
            cold = await measure(hub_app, path, 1000, before=forget_views)
            print(f"{label + ', views recomputed':32s} {cold:8.0f} req/s")
        path = "/bench/atom.xml"
        cold = await measure(hub_app, path, 1000, before=display_html.cache_clear)
        warm = await measure(hub_app, path, 2000)
        etag = None

        async def grab(message):
            nonlocal etag
            if message["type"] == "http.response.start":
                etag = dict(message["headers"]).get(b"etag")

        await hub_app(
            {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"hub.bench")],
             "scheme": "http", "server": ("hub.bench", 80), "client": ("127.0.0.1", 1)},
            lambda: asyncio.sleep(0, {"type": "http.request", "body": b""}), grab,
        )  # fmt: skip
        revalidated = await measure(hub_app, path, 4000, headers=[(b"if-none-match", etag)])
        print(f"{'atom feed, cold content cache':32s} {cold:8.0f} req/s")
        print(f"{'atom feed, warm content cache':32s} {warm:8.0f} req/s")
        print(f"{'atom feed, 304 revalidation':32s} {revalidated:8.0f} req/s")
        await scaling(hub_app, bare, settings.database_url)


if __name__ == "__main__":
    with bench_settings() as settings:
        print(f"public site, in-process ASGI, concurrency {CONCURRENCY}")
        run_on_production_loop(run(settings))
