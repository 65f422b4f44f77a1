import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from hub.core.errors import RateLimited
from hub.core.ratelimit import CLEAR_SECONDS, RateLimiter, Window, storage_uri
from hub.micropub import errors as micropub_errors
from hub.web.drf import errors as directory_errors
from hub.web.mounts import api_mount
from hub.web.responses import JSONResponse


async def test_hits_past_the_limit_raise_with_retry_after(db, resources):
    for _ in range(3):
        await resources.limiter.hit("t:a", 3)
    with pytest.raises(RateLimited) as limited:
        await resources.limiter.hit("t:a", 3)
    assert 1 <= limited.value.retry_after <= 60
    await resources.limiter.hit("t:b", 3)  # other keys are counted apart


async def test_zero_means_unlimited(db, resources):
    for _ in range(50):
        await resources.limiter.hit("t:z", 0)


async def test_status_reports_remaining(db, resources):
    await resources.limiter.hit("t:s", 5)
    await resources.limiter.hit("t:s", 5)
    status = await resources.limiter.status("t:s", 5)
    assert status.limit == 5 and status.remaining == 3 and 0 < status.reset_after <= 60


async def test_braked_once_hits_here_reach_the_limit_at_once(db, resources):
    limiter = resources.limiter
    assert await limiter.braked("t:brake", 2) is None  # clear, and remembered as clear
    await limiter.hit("t:brake", 2)
    assert await limiter.braked("t:brake", 2) is None
    await limiter.hit("t:brake", 2)  # a hit here forgets the key: the brake holds at once
    standing = await limiter.braked("t:brake", 2)
    assert standing is not None and standing.remaining == 0 and 0 < standing.reset_after <= 60
    assert await limiter.braked("t:off", 0) is None


async def test_braked_sees_hits_of_another_process_within_a_second(db, resources):
    here = resources.limiter
    elsewhere = RateLimiter(resources.settings.redis_url)  # another process's limiter
    assert await here.braked("t:far", 1) is None
    await elsewhere.hit("t:far", 1)
    assert await here.braked("t:far", 1) is None  # still trusted clear, for CLEAR_SECONDS
    await asyncio.sleep(CLEAR_SECONDS + 0.05)
    assert await here.braked("t:far", 1) is not None


async def test_windows_count_apart_and_raise_with_the_rest_of_the_window(db, resources):
    windows = [Window("t:w:a", 2, 60), Window("t:w:b", 5, 3600), Window("t:w:off", 0, 60)]
    await resources.limiter.hit_windows(windows)
    await resources.limiter.hit_windows(windows)
    with pytest.raises(RateLimited) as limited:
        await resources.limiter.hit_windows(windows)
    assert 1 <= limited.value.retry_after <= 60 and limited.value.limit == 2
    keys = sorted(k.decode() for k in await resources.redis.keys("hub:t:w:*"))
    assert [k.rsplit(":", 1)[0] for k in keys] == ["hub:t:w:a:60", "hub:t:w:b:3600"]
    assert int(await resources.redis.get(keys[1])) == 3  # the longer window counted too


async def test_windows_past_a_long_limit_wait_for_that_window(db, resources):
    await resources.limiter.hit_windows([Window("t:day", 1, 86400)])
    with pytest.raises(RateLimited) as limited:
        await resources.limiter.hit_windows([Window("t:min", 10, 60), Window("t:day", 1, 86400)])
    assert 1 <= limited.value.retry_after <= 86400 and limited.value.limit == 1


async def test_windows_with_no_limit_touch_nothing(db, resources):
    for _ in range(5):
        await resources.limiter.hit_windows([Window("t:none", 0, 60)])
    assert await resources.redis.keys("hub:t:none:*") == []


def _limited_app(resources, handler):
    async def endpoint(request):
        await resources.limiter.hit("http:" + request.url.path, 2)
        return JSONResponse({"ok": True})

    return Starlette(routes=[api_mount("/x", [Route("/", endpoint)], handler, name="x")])


async def _hammer(app, n):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return [await http.get("/x/") for _ in range(n)]


async def test_429_with_retry_after_in_micropub_shape(db, resources):
    responses = await _hammer(_limited_app(resources, micropub_errors.handle), 3)
    assert [r.status_code for r in responses] == [200, 200, 429]
    last = responses[-1]
    assert int(last.headers["retry-after"]) >= 1
    assert last.json()["error"] == "rate_limited"


async def test_429_with_retry_after_in_directory_shape(db, resources):
    responses = await _hammer(_limited_app(resources, directory_errors.handle), 3)
    last = responses[-1]
    assert last.status_code == 429
    seconds = last.headers["retry-after"]
    assert last.json() == {
        "detail": f"Request was throttled. Expected available in {seconds} seconds."
    }


def test_storage_uri_for_tcp_and_unix_redis():
    assert storage_uri("redis://127.0.0.1:6379/1") == "async+redis://127.0.0.1:6379/1"
    assert storage_uri("unix:///tmp/r.sock") == "async+redis+unix:///tmp/r.sock"


async def test_concurrent_hits_go_together_and_count_each(db, resources):
    results = await asyncio.gather(
        *(resources.limiter.hit("t:batch", 3) for _ in range(5)), return_exceptions=True
    )
    assert sum(r is None for r in results) == 3
    assert sum(isinstance(r, RateLimited) for r in results) == 2
    status = await resources.limiter.status("t:batch", 3)
    assert status.remaining == 0  # `limits` reads the window the batched hits wrote


async def test_hits_still_count_after_redis_forgot_the_script(db, resources):
    await resources.limiter.hit("t:flush", 2)
    await resources.redis.script_flush()
    await resources.limiter.hit("t:flush", 2)
    with pytest.raises(RateLimited):
        await resources.limiter.hit("t:flush", 2)
