"""`GET /api/sites/search`: the query language over sites, with statistics and related searches."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import asyncpg
from starlette.responses import Response

from hub.core.errors import Invalid, Unavailable
from hub.directory import schemas
from hub.directory.endpoints.formats import opml_response
from hub.directory.queries import sites as site_queries
from hub.directory.search import parser as q
from hub.directory.search.sql import compile_query
from hub.web.drf.endpoint import Call

MAX_RELATED = 6


def _with_types(parsed: q.Parsed, types: list[str] | None) -> object:
    if not types:
        return parsed.ast
    leaves = tuple(q.TypeIs(t) for t in types)
    shortcut = leaves[0] if len(leaves) == 1 else q.Or(leaves)
    return q.And((parsed.ast, shortcut))


async def search(call: Call) -> dict | Response:
    started = time.monotonic()
    params = call.params
    text = params.get("q")
    if text is None or not text.strip():
        raise Invalid.field("q", "q is required.")
    parsed = q.parse(text)
    types = schemas.parse_types(params.getlist("type"))
    ordering = schemas.parse_ordering(
        params.get("ordering"), default="relevance", allow_relevance=True
    )
    page, size = schemas.parse_page(params)
    ast = _with_types(parsed, types)
    compiled = compile_query(ast)
    links = schemas.Links(call.resources.settings.base_url)
    try:
        async with call.resources.pool.acquire() as conn, conn.transaction():
            found = await site_queries.search_sites(
                conn,
                compiled,
                ordering=ordering,
                author_id=call.author_id,
                limit=size,
                offset=(page - 1) * size,
            )
    except asyncpg.QueryCanceledError:
        raise Unavailable("Search timed out; narrow the query.") from None
    counts, rows = found.counts, found.rows
    total = sum(counts.values())
    authed = call.principal is not None
    if params.get("format") == "opml":
        sites = [schemas.site(r, links, authed=authed) for r in rows]
        return opml_response(f"Search: {text}", sites)
    body = schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=params,
        page=page,
        size=size,
        count=total,
        results=[schemas.site(r, links, authed=authed) for r in rows],
    )
    canonical = q.canonical(ast)
    related = await _related(call, parsed, canonical, counts, total, ordering, types)
    body["statistics"] = {
        "query": text,
        "parsed": canonical,
        "total": total,
        "took_ms": int((time.monotonic() - started) * 1000),
        "ordering": ordering,
        "types": {t: counts.get(t, 0) for t in q.SITE_TYPES},
        "ignored": list(parsed.ignored),
        "capped": found.capped,
    }
    body["related_searches"] = related
    return {k: body[k] for k in ("count", "next", "previous", "statistics",
                                 "related_searches", "results")}  # fmt: skip


def _url(call: Call, text: str, **extra: str) -> str:
    query = urlencode({"q": text, **extra})
    return f"{call.resources.settings.base_url}/api/sites/search?{query}"


def _entry(call: Call, label: str, text: str, count: int | None, **extra: str) -> dict:
    return {"label": label, "q": text, "count": count, "url": _url(call, text, **extra)}


async def _related(call, parsed, canonical, counts, total, ordering, types) -> list[dict]:
    """Narrowings by type, re-ordering, and for empty results looser spellings (§3.6)."""
    related: list[dict] = []
    if not parsed.fixes_type and not types:
        for kind in q.SITE_TYPES:
            if counts.get(kind):
                text = f"({canonical}) AND type:{kind}"
                related.append(_entry(call, f"Only {kind}s", text, counts[kind]))
    if total > 1 and ordering == "relevance":
        related.append(
            _entry(call, "Most recommended first", parsed.query, total,
                   ordering="-total_recommendations")
        )  # fmt: skip
    if total == 0:
        words = q.bare_words(parsed.ast)[: q.MAX_EXPENSIVE]
        if words:
            fuzzy = " ".join(f"{q.quote_word(w)}~" for w in words)
            related.append(
                _entry(call, "Similar spellings", fuzzy, await _cheap_count(call, fuzzy))
            )
        if len(words) > 1 and any(isinstance(n, q.And) for n in q.walk(parsed.ast)):
            any_word = " OR ".join(q.quote_word(w) for w in words)
            related.append(
                _entry(call, "Any of the words", any_word, await _cheap_count(call, any_word))
            )
    return related[:MAX_RELATED]


async def _cheap_count(call: Call, text: str) -> int | None:
    try:
        compiled = compile_query(q.parse(text).ast)
        async with call.resources.pool.acquire() as conn, conn.transaction():
            return await site_queries.count_matches(conn, compiled)
    except (q.QueryError, asyncpg.QueryCanceledError):
        return None
