"""Public pages and feeds, driven in-process over ASGI at 32 concurrent requests.

hub: the entry page (`/{channel}/{slug}`) and the channel home (`/{channel}`, 20 summaries)
through the whole app (routing, host check, channel query, entry query, state, view, ETag,
template). Ceiling: a bare Starlette endpoint that runs one query and renders the same
template with a context built straight from the row. Prints requests per second and the
ratio (target >= 0.70). Then the Atom feed: cold (the display-HTML cache emptied before every
request), warm, and revalidated (If-None-Match: 304 before any entry is read).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _services import bench_settings, run_on_production_loop
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from hub.app import create_app
from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.resources import open_resources
from hub.site.public.content import display_html
from hub.site.public.render import render
from hub.site.seo import structured

CONCURRENCY = 32
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "4000"))  # smaller for a quick check
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
LIST_SQL = """
SELECT c.slug AS channel, ct.title AS channel_title, a.name AS author, e.slug, e.published_at,
       t.language, t.title, t.excerpt,
       ARRAY(SELECT name FROM entry_categories g WHERE g.entry_id = e.id) AS tags
FROM channels c
JOIN channel_translations ct ON ct.channel_id = c.id AND ct.language = c.default_language
JOIN authors a ON a.id = c.author_id
JOIN entries e ON e.channel_id = c.id AND e.status = 'published'
JOIN entry_translations t ON t.entry_id = e.id AND t.language = e.default_language
WHERE c.slug = $1
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
        "gone": False, "websub": [],
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
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.bench") as http:
        for i in range(40):
            r = await http.post(
                "/api/v1/channels/bench/pages",
                headers={"Authorization": f"Bearer {key}"},
                json={"slug": f"post_{i}", "status": "published", "default_language": "en",
                      "tags": ["bench", f"t{i % 5}"],
                      "translations": [{"language": "en", "title": f"Post number {i}",
                                        "excerpt": "A teaser.", "content_markdown": BODY}]},
            )  # fmt: skip
            assert r.status_code == 201, r.text


async def compare(label: str, hub_app, bare, path: str) -> None:
    for app in (hub_app, bare):
        assert await call(app, path) == 200, (label, path)
        await measure(app, path, 200)  # warm up
    results = {"ceiling": 0.0, "hub": 0.0}
    for _ in range(ROUNDS):  # alternate and keep each one's best: fair under noise
        results["ceiling"] = max(results["ceiling"], await measure(bare, path, REQUESTS // ROUNDS))
        results["hub"] = max(results["hub"], await measure(hub_app, path, REQUESTS // ROUNDS))
    print(f"{label + ' bare (ceiling)':32s} {results['ceiling']:8.0f} req/s")
    print(f"{label + ' hub':32s} {results['hub']:8.0f} req/s")
    print(
        f"{'ratio hub/ceiling':32s} {results['hub'] / results['ceiling']:8.2f}   (target >= 0.70)"
    )


async def run(settings) -> None:
    settings = settings.__class__.from_env(
        {}, database_url=settings.database_url, redis_url=settings.redis_url,
        data_dir=settings.data_dir, base_url="http://hub.bench",
        db_pool_min=CONCURRENCY, db_pool_max=CONCURRENCY,
    )  # fmt: skip
    async with open_resources(settings) as resources:
        hub_app = create_app(settings, resources)
        await seed(hub_app)
        bare = bare_app(resources.pool, settings.base_url)
        await compare("entry page", hub_app, bare, "/bench/post_7")
        await compare("channel home", hub_app, bare, "/bench")
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


if __name__ == "__main__":
    with bench_settings() as settings:
        print(f"public site, in-process ASGI, concurrency {CONCURRENCY}")
        run_on_production_loop(run(settings))
