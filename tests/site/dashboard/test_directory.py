"""The dashboard's directory page (issue 17): add a site by URL (discovery runs as a job and
the page shows its progress), subscribe and unsubscribe, the node's own feeds shown as indexed
on publish; every form needs the session and its CSRF token, and bad input writes nothing."""

from __future__ import annotations

import re

import pytest

from hub.worker import build_worker
from tests.directory import FIXTURES
from tests.factories import make_credential, make_feed, make_site
from tests.site.auth_fixtures import csrf_of, owner, signed_in  # noqa: F401 - fixtures


async def run_jobs(resources) -> None:
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


async def _count(db, table: str) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table}")


async def _csrf(client) -> str:
    return csrf_of((await client.get("/dashboard/directory")).text)


async def test_303_add_site_runs_discovery_as_a_job_and_shows_what_it_found(
    client, signed_in, db, resources, feed_server
):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    r = await client.post("/dashboard/directory", data={"csrf": await _csrf(client), "url": url})
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/directory?")
    page = await client.get(r.headers["location"])
    assert "Looking for feeds at" in page.text and url in page.text
    assert "pending" in page.text  # the job has not run yet
    assert await _count(db, "sites") == 0
    await run_jobs(resources)
    page = await client.get("/dashboard/directory")
    assert "found 1 feed" in page.text and "pending" not in page.text
    assert url in page.text  # the feed it found, with a button to subscribe
    assert await _count(db, "sites") == 1


async def test_303_a_site_without_feeds_fails_with_why(
    client, signed_in, db, resources, feed_server
):
    url = feed_server.serve("/nothing", "not a feed at all", content_type="text/plain")
    r = await client.post("/dashboard/directory", data={"csrf": await _csrf(client), "url": url})
    assert r.status_code == 303
    await run_jobs(resources)
    page = await client.get("/dashboard/directory")
    assert "failed" in page.text and "No feed was found at that URL." in page.text
    assert await _count(db, "sites") == 0


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "Enter a valid http or https URL."),
        ("ftp://blog.example/", "Enter a valid http or https URL."),
        ("http://10.0.0.7/", "10.0.0.7 is not a public address."),
        ("http://192.168.1.1/feed", "192.168.1.1 is not a public address."),
    ],
)
async def test_422_a_bad_or_private_url_is_answered_on_the_field(client, signed_in, db, url, why):
    r = await client.post("/dashboard/directory", data={"csrf": await _csrf(client), "url": url})
    assert r.status_code == 422
    field = re.search(r"<input[^>]*id=\"site-url\"[^>]*>", r.text).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="site-url-error"' in field
    assert f'value="{url}"' in field  # what was typed stays, to be fixed
    assert re.search(rf'id="site-url-error"[^>]*>[^<]*{re.escape(why)}', r.text)
    assert await _count(db, "site_submissions") == 0
    assert await _count(db, "job_outbox") == 0


async def test_403_forms_without_csrf_write_nothing(client, signed_in, db):
    site_id = await make_site(db, "https://blog.example/", title="Some blog")
    feed_id = await make_feed(db, site_id, "https://blog.example/feed.xml")
    r = await client.post("/dashboard/directory", data={"url": "https://blog.example/"})
    assert r.status_code == 403
    r = await client.post(f"/dashboard/directory/feeds/{feed_id}/subscribe", data={"csrf": "x"})
    assert r.status_code == 403
    assert await _count(db, "site_submissions") == 0 and await _count(db, "subscriptions") == 0


async def test_303_forms_need_the_owner_session(client, owner, db):
    r = await client.post("/dashboard/directory", data={"csrf": "x", "url": "https://a.example/"})
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")
    r = await client.post(
        "/dashboard/directory/feeds/00000000-0000-0000-0000-000000000000/subscribe",
        data={"csrf": "x"},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")
    assert await _count(db, "site_submissions") == 0


async def test_303_subscribe_then_unsubscribe_a_feed(client, signed_in, owner, db):
    site_id = await make_site(db, "https://blog.example/", title="Some blog")
    feed_id = await make_feed(db, site_id, "https://blog.example/feed.xml")
    csrf = await _csrf(client)
    r = await client.post(f"/dashboard/directory/feeds/{feed_id}/subscribe", data={"csrf": csrf})
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "Subscribed." in page.text and f"/feeds/{feed_id}/unsubscribe" in page.text
    assert await db.fetchval("SELECT author_id FROM subscriptions") == owner.author_id
    # the same subscription, read through the directory API (Pine.blog's subscriptions)
    secret = await make_credential(db, owner.author_id, kind="directory_token")
    listed = await client.get("/api/subscriptions", headers={"Authorization": f"Token {secret}"})
    assert listed.status_code == 200 and str(feed_id) in listed.text
    r = await client.post(f"/dashboard/directory/feeds/{feed_id}/unsubscribe", data={"csrf": csrf})
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "Unsubscribed." in page.text and f"/feeds/{feed_id}/subscribe" in page.text
    assert await _count(db, "subscriptions") == 0


async def test_404_subscribing_to_an_unknown_feed_writes_nothing(client, signed_in, db):
    r = await client.post(
        "/dashboard/directory/feeds/00000000-0000-0000-0000-000000000000/subscribe",
        data={"csrf": await _csrf(client)},
    )
    assert r.status_code == 404 and "No such feed." in r.text
    assert await _count(db, "subscriptions") == 0


async def test_200_the_nodes_own_feeds_are_indexed_on_publish(client, signed_in, owner, db):
    """The own site as publishing registers it (hub.directory.queries.own): a local feed that
    is never polled, its next poll at 'infinity'."""
    site_id = await make_site(db, "http://hub.test/ada", channel_id=owner.channel_id, title="Ada")
    feed_id = await make_feed(db, site_id, "http://hub.test/ada/feed.json", format="jsonfeed")
    await db.execute("UPDATE feeds SET next_poll_at = 'infinity' WHERE id = $1", feed_id)
    page = await client.get("/dashboard/directory")
    assert "this node" in page.text and "indexed on publish" in page.text
    assert "9999" not in page.text
