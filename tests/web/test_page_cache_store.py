"""The page cache's store (`hub.web.page_cache.store`): pure, no I/O."""

from __future__ import annotations

from hub.web.page_cache.store import OVERHEAD, PageCache, Stored


def _stored(channel: int | None, size: int = 100) -> Stored:
    return Stored(200, [], b"x" * size, channel)


def _cache(capacity: int = 10_000, ttl: float = 60.0) -> tuple[PageCache, list[float]]:
    now = [0.0]
    cache = PageCache(capacity, ttl, clock=lambda: now[0])
    cache.set_ready(True)
    return cache, now


def key(n: int):
    return (b"hub.test", f"/c/{n}".encode(), b"", b"", False)


def test_nothing_is_kept_while_not_listening():
    cache = PageCache(10_000, 60)
    assert not cache.put(key(1), _stored(1), cache.begin()) and len(cache) == 0


def test_the_least_recently_used_make_room_within_the_bytes():
    cache, _ = _cache(capacity=8 * (100 + OVERHEAD))
    for n in range(8):
        assert cache.put(key(n), _stored(1), cache.begin())
    assert cache.get(key(0)) is not None  # used again: now the newest
    cache.put(key(8), _stored(1), cache.begin())
    assert cache.used <= cache.capacity
    assert cache.get(key(1)) is None and cache.get(key(0)) is not None


def test_an_answer_over_an_eighth_of_the_store_is_not_kept():
    cache, _ = _cache(capacity=8_000)
    assert not cache.put(key(1), _stored(1, size=1_000), cache.begin())


def test_a_change_drops_its_channel_and_the_node_wide_pages():
    cache, _ = _cache()
    for n, channel in enumerate((1, 2, None)):
        cache.put(key(n), _stored(channel), cache.begin())
    cache.notice("1")
    assert cache.get(key(0)) is None and cache.get(key(2)) is None
    assert cache.get(key(1)) is not None


def test_a_render_begun_before_a_change_is_not_kept_after_it():
    cache, _ = _cache()
    since = cache.begin()
    cache.notice("1")  # the render read the old rows; the change came before it was stored
    assert not cache.put(key(1), _stored(1), since)
    assert cache.put(key(2), _stored(2), since)  # another channel did not change
    assert not cache.put(key(3), _stored(None), since)  # node-wide: any change counts


def test_losing_the_listener_forgets_everything():
    cache, _ = _cache()
    since = cache.begin()
    cache.put(key(1), _stored(1), since)
    cache.set_ready(False)
    assert len(cache) == 0 and cache.used == 0
    cache.set_ready(True)
    assert not cache.put(key(2), _stored(2), since)  # begun before the outage


def test_the_safety_net_expires_answers():
    cache, now = _cache(ttl=60)
    cache.put(key(1), _stored(1), cache.begin())
    now[0] = 61
    assert cache.get(key(1)) is None and cache.used == 0
