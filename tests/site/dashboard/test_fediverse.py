"""Dashboard: a blog's fediverse followers and delivery health. The owner sees followers with
their handle, name and since when (paged), approves or rejects pending requests, removes or
blocks a follower (each decision staged as the `send_follow_decision` job that tells the
follower), and sees which deliveries went through and which inboxes fail. Remote actors,
followers and deliveries are the remote side's data, made in the database."""

from __future__ import annotations

import html
import json
import re

from hub.core.urls import normalize
from tests.factories import make_ap_actor, make_ap_follower, make_author, make_webmention
from tests.site.auth_fixtures import csrf_of, owner, signed_in  # noqa: F401 - fixtures
from tests.site.dashboard.test_pages import _api_key, _article

BOB = "https://social.example/users/bob"


async def _bob(db, owner, *, status: str = "accepted") -> tuple[int, int]:
    actor = await make_ap_actor(db, BOB, preferred_username="bob", name="Bob Fedi")
    return actor, await make_ap_follower(db, owner.channel_id, actor, status=status)


async def _decisions(db) -> list[tuple[str, list]]:
    rows = await db.fetch("SELECT function, args FROM job_outbox ORDER BY id")
    return [(r["function"], json.loads(r["args"]) if isinstance(r["args"], str) else r["args"])
            for r in rows if r["function"] == "send_follow_decision"]  # fmt: skip


async def test_303_the_pages_need_the_owner_session(client, owner):
    for path in ("/dashboard/fediverse", f"/dashboard/fediverse/{owner.channel_id}"):
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")


async def test_200_the_overview_lists_each_blog_with_its_address_and_counts(
    client, signed_in, owner, db
):
    await _bob(db, owner)
    carol = await make_ap_actor(db, "https://other.example/@carol", preferred_username="carol")
    await make_ap_follower(db, owner.channel_id, carol, status="pending")
    r = await client.get("/dashboard/fediverse")
    assert r.status_code == 200
    assert "@ada@hub.test" in r.text
    assert f'href="/dashboard/fediverse/{owner.channel_id}"' in r.text
    assert "<td>1</td>\n    <td>1</td>" in r.text  # one follower, one waiting
    assert '<a href="/dashboard/fediverse" aria-current="page">' in r.text


async def test_200_followers_show_handle_name_link_and_since(client, signed_in, owner, db):
    await _bob(db, owner)
    r = await client.get(f"/dashboard/fediverse/{owner.channel_id}")
    assert r.status_code == 200
    assert "Followers (1)" in r.text and "Waiting for approval (0)" in r.text
    assert f'href="{BOB}"' in r.text and "@bob@social.example" in r.text and "Bob Fedi" in r.text
    assert "<time datetime=" in r.text
    assert "Nothing sent yet." in r.text and "No inbox is failing." in r.text


async def test_303_approve_a_pending_follower_tells_them_and_lists_them(
    client, signed_in, owner, db
):
    _, follower = await _bob(db, owner, status="pending")
    page = await client.get(f"/dashboard/fediverse/{owner.channel_id}")
    assert "Waiting for approval (1)" in page.text and "Followers (0)" in page.text
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/approve",
                          data={"csrf": signed_in})  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == f"/dashboard/fediverse/{owner.channel_id}?done=approved"
    page = await client.get(r.headers["location"])
    assert "Follower approved" in page.text and "Followers (1)" in page.text
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", follower) == (
        "accepted"
    )
    assert await _decisions(db) == [("send_follow_decision", [follower, True])]
    again = await client.post(f"/dashboard/fediverse/followers/{follower}/approve",
                              data={"csrf": signed_in})  # fmt: skip
    assert "done=nothing" in again.headers["location"] and len(await _decisions(db)) == 1


async def test_303_reject_a_pending_follower_tells_them_and_drops_the_request(
    client, signed_in, owner, db
):
    _, follower = await _bob(db, owner, status="pending")
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/reject",
                          data={"csrf": signed_in})  # fmt: skip
    assert r.status_code == 303 and "done=rejected" in r.headers["location"]
    page = await client.get(r.headers["location"])
    assert "Waiting for approval (0)" in page.text and "@bob@social.example" not in page.text
    assert await _decisions(db) == [("send_follow_decision", [follower, False])]
    # the row stays (rejected) for the job, which needs the Follow's id to send the Reject
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", follower) == (
        "rejected"
    )


async def test_303_remove_a_follower_tells_them_and_they_are_no_longer_counted(
    client, signed_in, owner, db
):
    _, follower = await _bob(db, owner)
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/remove",
                          data={"csrf": signed_in})  # fmt: skip
    assert r.status_code == 303 and "done=removed" in r.headers["location"]
    page = await client.get(r.headers["location"])
    assert "Followers (0)" in page.text and "@bob@social.example" not in page.text
    assert await _decisions(db) == [("send_follow_decision", [follower, False])]
    # an accepted-only decision cannot be "rejected" again
    again = await client.post(f"/dashboard/fediverse/followers/{follower}/remove",
                              data={"csrf": signed_in})  # fmt: skip
    assert "done=nothing" in again.headers["location"]


async def test_403_a_decision_without_the_csrf_token_changes_nothing(client, signed_in, owner, db):
    _, follower = await _bob(db, owner, status="pending")
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/approve", data={})
    assert r.status_code == 403
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", follower) == "pending"


async def test_303_another_authors_follower_is_not_yours_to_decide(client, signed_in, owner, db):
    other = await make_author(db, "Zed", channel_slug="zed")
    actor = await make_ap_actor(db, BOB, preferred_username="bob")
    follower = await make_ap_follower(db, other.channel_id, actor, status="pending")
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/approve",
                          data={"csrf": signed_in})  # fmt: skip
    assert r.status_code == 303 and "done=nothing" in r.headers["location"]
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", follower) == "pending"
    assert (await client.get(f"/dashboard/fediverse/{other.channel_id}")).status_code == 404
    assert (await client.get(f"/dashboard/fediverse/followers/{follower}/block")).status_code == 303


async def _fedi_reply(client, db, owner, actor: int, source: str) -> str:
    entry_id = await _article(client, await _api_key(db, owner, None), "hello", "Hello")
    return await make_webmention(
        db, owner.channel_id, entry_id, "http://hub.test/ada/hello", source=source,
        content_text="Nice one from the fediverse.", author_name="Bob Fedi",
        protocol="activitypub", ap_actor_id=actor, ap_object_id=source,
        source_domain="social.example",
    )  # fmt: skip


async def test_303_block_the_account_ends_the_follow_and_deletes_its_responses(
    client, signed_in, owner, db
):
    actor, follower = await _bob(db, owner)
    neighbour = await make_ap_actor(db, "https://social.example/users/dora",
                                    preferred_username="dora")  # fmt: skip
    kept = await make_ap_follower(db, owner.channel_id, neighbour)
    await _fedi_reply(client, db, owner, actor, "https://social.example/users/bob/statuses/1")
    assert "Nice one from the fediverse." in (await client.get("/ada/hello")).text

    confirm = await client.get(f"/dashboard/fediverse/followers/{follower}/block")
    assert confirm.status_code == 200 and "@bob@social.example" in confirm.text
    assert await db.fetchval("SELECT count(*) FROM webmention_blocks") == 0  # nothing done yet
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/block",
                          data={"csrf": csrf_of(confirm.text), "kind": "url"})  # fmt: skip
    assert r.status_code == 303
    assert "done=blocked" in r.headers["location"] and "removed=1" in r.headers["location"]
    assert "deleted=1" in r.headers["location"]
    block = await db.fetchrow("SELECT kind, pattern FROM webmention_blocks")
    assert (block["kind"], block["pattern"]) == ("url", normalize(BOB))
    assert "Nice one from the fediverse." not in (await client.get("/ada/hello")).text
    page = await client.get(r.headers["location"])
    assert "Blocked." in page.text and "@bob@social.example" not in page.text
    assert "@dora@social.example" in page.text  # the rest of the server still follows
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", kept) == "accepted"
    assert await _decisions(db) == [("send_follow_decision", [follower, False])]


async def test_303_block_the_domain_ends_every_follow_from_it(client, signed_in, owner, db):
    _, follower = await _bob(db, owner)
    dora = await make_ap_actor(db, "https://eu.social.example/users/dora",
                               preferred_username="dora")  # fmt: skip
    pending = await make_ap_follower(db, owner.channel_id, dora, status="pending")
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/block",
                          data={"csrf": signed_in, "kind": "domain", "reason": "spam"})  # fmt: skip
    assert r.status_code == 303 and "removed=2" in r.headers["location"]
    blocked = await db.fetchval("SELECT pattern FROM webmention_blocks WHERE kind = 'domain'")
    assert blocked == "social.example"
    page = await client.get(f"/dashboard/fediverse/{owner.channel_id}")
    assert "Followers (0)" in page.text and "Waiting for approval (0)" in page.text
    assert sorted(a[0] for _, a in await _decisions(db)) == sorted([follower, pending])


async def test_400_block_without_a_choice_blocks_nothing(client, signed_in, owner, db):
    _, follower = await _bob(db, owner)
    r = await client.post(f"/dashboard/fediverse/followers/{follower}/block",
                          data={"csrf": signed_in})  # fmt: skip
    assert r.status_code == 400 and "Choose the account or its whole domain." in r.text
    assert await db.fetchval("SELECT count(*) FROM webmention_blocks") == 0
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", follower) == (
        "accepted"
    )


async def test_200_followers_are_paged_newest_first(client, signed_in, owner, db):
    for n in range(53):
        actor = await make_ap_actor(db, f"https://s{n}.example/u/{n}", preferred_username=f"u{n}")
        await db.execute(
            "INSERT INTO ap_followers (channel_id, actor_id, follow_id, created_at)"
            " VALUES ($1, $2, $3, now() - make_interval(mins => $4))",
            owner.channel_id, actor, f"https://s{n}.example/f", n,
        )  # fmt: skip
    first = await client.get(f"/dashboard/fediverse/{owner.channel_id}")
    assert "Followers (53)" in first.text
    assert "@u0@s0.example" in first.text and "@u49@s49.example" in first.text
    assert "@u50@s50.example" not in first.text
    link = re.search(r'<a href="([^"]+)" rel="next">Older', first.text)
    assert link, "no link to the older followers"
    second = await client.get(html.unescape(link.group(1)))
    assert second.status_code == 200
    assert "@u50@s50.example" in second.text and "@u52@s52.example" in second.text
    assert "@u49@s49.example" not in second.text and 'rel="next"' not in second.text
    assert "← Newest" in second.text
    junk = await client.get(f"/dashboard/fediverse/{owner.channel_id}?before=x-1")
    assert junk.status_code == 200 and "@u0@s0.example" in junk.text


async def test_200_delivery_health_counts_outcomes_and_names_failing_inboxes(
    client, signed_in, owner, db
):
    activity = await db.fetchval(
        "INSERT INTO ap_activities (uri, channel_id, type, body)"
        " VALUES ('http://hub.test/ada/hello#create/1', $1, 'Create', '{}') RETURNING id",
        owner.channel_id,
    )
    await db.execute(
        """
        INSERT INTO ap_deliveries (activity_id, inbox, host, status, attempts, last_attempt_at,
                                   last_http_status, last_error)
        VALUES ($1, 'https://ok.example/inbox', 'ok.example', 'delivered', 1, now(), 202, NULL),
               ($1, 'https://ok2.example/inbox', 'ok2.example', 'delivered', 1, now(), 202, NULL),
               ($1, 'https://down.example/inbox', 'down.example', 'pending', 3,
                now() - interval '1 hour', 503, 'Service Unavailable'),
               ($1, 'https://dead.example/inbox', 'dead.example', 'gone', 1, now(), 410, 'Gone'),
               ($1, 'https://new.example/inbox', 'new.example', 'pending', 0, NULL, NULL, NULL)
        """,
        activity,
    )
    page = await client.get(f"/dashboard/fediverse/{owner.channel_id}")
    assert page.status_code == 200
    row = page.text.split("<td>Create", 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td><td>2</td><td>0</td><td>1</td>" in row  # delivered, pending, failed, gone
    failing = page.text.split('id="failing"', 1)[1]
    assert "down.example" in failing and "HTTP 503" in failing and "Service Unavailable" in failing
    assert "retrying" in failing and "dead.example" in failing and "HTTP 410" in failing
    assert "ok.example" not in failing and "new.example" not in failing


async def test_200_the_webmentions_list_says_where_each_response_came_from(
    client, signed_in, owner, db
):
    actor, _ = await _bob(db, owner)
    await _fedi_reply(client, db, owner, actor, "https://social.example/users/bob/statuses/1")
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'hello'")
    await make_webmention(db, owner.channel_id, entry_id, "http://hub.test/ada/hello",
                          source="https://blog.example/reply", author_name="Webby")  # fmt: skip
    r = await client.get("/dashboard/webmentions")
    fedi = r.text.split("Bob Fedi", 1)[0].rsplit("<tr>", 1)[1] + r.text.split("Bob Fedi", 1)[1]
    assert ">fediverse</span>" in fedi.split("</tr>", 1)[0]
    assert "@bob@social.example" in r.text
    web = r.text.split("Webby", 1)[0].rsplit("<tr>", 1)[1]
    assert ">web</span>" in web
