"""Update, delete and undelete (micropub-resolved.md §4), by the status they get."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import publishing
from tests.micropub.conftest import entry_row, source

MP = "/micropub"


async def _create(client, token, properties: dict) -> str:
    r = await client.post(
        MP, json={"type": ["h-entry"], "properties": properties}, headers=token.headers
    )
    assert r.status_code == 201, r.text
    return r.headers["location"]


async def _update(client, token, url: str, **operations):
    return await client.post(
        MP, json={"action": "update", "url": url, **operations}, headers=token.headers
    )


# --- update -----------------------------------------------------------------------------------


async def test_200_update_never_drops_untouched_properties(client, db, token):
    weight = {"type": ["h-measure"], "properties": {"num": ["70"], "unit": ["kg"]}}
    url = await _create(
        client,
        token,
        {"content": ["Body"], "category": ["a"], "x-weight": [weight], "location": ["geo:1,2"]},
    )
    before = await entry_row(db, url)
    r = await _update(client, token, url, replace={"name": ["Now a title"]})
    assert r.status_code == 200
    props = r.json()["properties"]
    assert props["x-weight"] == [weight] and props["location"] == ["geo:1,2"]
    assert props["content"] == ["Body"] and props["category"] == ["a"]
    after = await entry_row(db, url)
    assert after["title"] == "Now a title" and after["kind"] == "article"
    assert after["version"] > before["version"]
    assert r.json() == (await source(client, token, url)).json()


async def test_200_update_re_renders_content_and_re_attaches_media(client, db, token, image):
    first = await client.post(
        "/micropub/media", files={"file": ("a.jpg", image(), "image/jpeg")}, headers=token.headers
    )
    second = await client.post(
        "/micropub/media", files={"file": ("b.png", image("png"), "image/png")},
        headers=token.headers,
    )  # fmt: skip
    a, b = first.headers["location"], second.headers["location"]
    url = await _create(client, token, {"content": ["x"], "photo": [a]})
    r = await _update(
        client, token, url, replace={"content": [f"**New** ![b]({b})"]}, delete=["photo"]
    )
    assert r.status_code == 200
    row = await entry_row(db, url)
    assert "<strong>New</strong>" in row["content_html"] and row["kind"] == "note"
    used = await db.fetch(
        "SELECT em.role, m.public_id FROM entry_media em JOIN media m ON m.id = em.media_id"
    )
    assert [(u["role"], u["public_id"]) for u in used] == [("inline", b.rsplit("/", 1)[1])]


async def test_201_replace_mp_slug_renames_and_the_old_url_still_resolves(client, db, token):
    url = await _create(client, token, {"content": ["x"], "mp-slug": ["old-name"]})
    r = await _update(client, token, url, replace={"mp-slug": ["New Name"]})
    assert r.status_code == 201
    assert r.headers["location"] == "http://hub.test/ada-blog/new-name"
    assert r.json()["properties"]["url"] == ["http://hub.test/ada-blog/new-name"]
    old = await source(client, token, url)
    assert old.status_code == 200 and old.json()["properties"]["url"] == [r.headers["location"]]
    assert "mp-slug" not in (await db.fetchval("SELECT properties FROM entries"))
    again = await _update(client, token, url, replace={"mp-slug": ["new-name"]})
    assert again.status_code == 200  # the same slug: the URL did not change


async def test_201_publishing_a_draft_answers_its_permalink(client, db, token):
    draft = await _create(client, token, {"content": ["Soon"], "post-status": ["draft"]})
    r = await _update(client, token, draft, replace={"post-status": ["published"]})
    assert r.status_code == 201
    assert r.headers["location"] == "http://hub.test/ada-blog/soon"
    row = await entry_row(db, draft)
    assert row["status"] == "published" and row["published_at"] is not None


async def test_201_unpublishing_answers_the_edit_url(client, db, token):
    url = await _create(client, token, {"content": ["Oops"]})
    r = await _update(client, token, url, replace={"post-status": ["draft"]})
    assert r.status_code == 201
    row = await entry_row(db, url)
    assert row["status"] == "draft"
    assert r.headers["location"] == f"http://hub.test/dashboard/posts/{row['id']}/edit"


async def test_200_edit_of_a_draft_keeps_it_a_draft(client, db, token):
    draft = await _create(client, token, {"content": ["v1"], "post-status": ["draft"]})
    r = await _update(client, token, draft, replace={"content": ["v2"]})
    assert r.status_code == 200
    row = await entry_row(db, draft)
    assert row["status"] == "draft" and row["body_source"] == "v2"


async def test_401_draft_only_token_cannot_publish(client, db, make_token):
    drafter = await make_token(["draft", "update"])
    draft = await _create(client, drafter, {"content": ["x"]})
    r = await _update(client, drafter, draft, replace={"post-status": ["published"]})
    assert r.status_code == 401 and r.json()["error"] == "insufficient_scope"
    assert (await entry_row(db, draft))["status"] == "draft"


async def test_200_moving_published_into_the_future_reschedules(client, db, make_token):
    pro = await make_token(plan="pro")
    url = await _create(client, pro, {"content": ["x"]})
    when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    r = await _update(client, pro, url, replace={"published": [when.isoformat()]})
    assert r.status_code == 200
    row = await entry_row(db, url)
    assert row["status"] == "scheduled" and row["scheduled_at"] == when


async def test_200_back_dating_a_published_entry(client, db, token):
    url = await _create(client, token, {"content": ["x"]})
    r = await _update(client, token, url, replace={"published": ["2021-05-06T07:08:09+02:00"]})
    assert r.status_code == 200
    assert (await entry_row(db, url))["published_at"] == datetime(2021, 5, 6, 5, 8, 9, tzinfo=UTC)


async def test_200_published_edit_waits_for_manual_moderation(client, db, token):
    url = await _create(client, token, {"content": ["Live text"]})
    await db.execute("UPDATE authors SET moderation = 'manual'")
    r = await _update(client, token, url, replace={"content": ["Edited text"]})
    assert r.status_code == 200
    assert r.json()["properties"]["content"] == ["Edited text"]
    row = await entry_row(db, url)
    assert row["body_source"] == "Live text"  # the live version stays until approved
    assert row["status"] == "moderation_review"
    async with transaction(db) as conn:
        await publishing.approve(conn, row["id"], now=datetime.now(UTC))
    assert (await entry_row(db, url))["body_source"] == "Edited text"


async def test_400_update_with_bad_value_changes_nothing(client, db, token):
    url = await _create(client, token, {"content": ["x"]})
    before = await entry_row(db, url)
    r = await _update(client, token, url, replace={"content": ["y"], "visibility": ["everyone"]})
    assert r.status_code == 400
    after = await entry_row(db, url)
    assert after["body_source"] == "x" and after["version"] == before["version"]


# --- which URL, whose post ------------------------------------------------------------------------


async def test_200_every_accepted_url_form_names_the_entry(client, db, token):
    url = await _create(client, token, {"content": ["x"], "mp-slug": ["forms"]})
    row = await entry_row(db, url)
    forms = [
        url,
        url.replace("http://", "https://"),
        url + "/",
        url + "?utm=x#frag",
        "http://hub.test/posts/forms",
        "http://hub.test/ada-blog/posts/forms",
        f"http://hub.test/dashboard/posts/{row['id']}/edit",
    ]
    for form in forms:
        r = await source(client, token, form)
        assert r.status_code == 200, form
        assert r.json()["properties"]["uid"] == [url]


async def test_200_custom_domain_urls(client, db, token):
    await db.execute("UPDATE channels SET custom_domain = 'blog.example'")
    url = await _create(client, token, {"content": ["x"], "mp-slug": ["on-domain"]})
    assert url == "https://blog.example/on-domain"
    for form in (url, "https://blog.example/posts/on-domain", "http://hub.test/ada-blog/on-domain"):
        assert (await source(client, token, form)).status_code == 200, form


async def test_404_unknown_urls(client, token):
    await _create(client, token, {"content": ["x"], "mp-slug": ["known"]})
    for url in (
        "http://hub.test/ada-blog/unknown",
        "http://elsewhere.example/ada-blog/known",
        "http://hub.test/ada-blog/known/extra/parts",
        "http://hub.test/dashboard/posts/999/edit",
        "http://hub.test/nobody-blog/known",
    ):
        r = await _update(client, token, url, add={"category": ["x"]})
        assert r.status_code == 404 and r.json()["error"] == "not_found", url


async def test_403_another_blogs_post(client, db, token, make_token):
    bob = await make_token(author="Bob")
    url = await _create(client, bob, {"content": ["Bob's"], "post-status": ["draft"]})
    row = await entry_row(db, url)
    permalink = f"http://hub.test/bob-blog/{row['slug']}"
    for target in (url, permalink):
        r = await _update(client, token, target, replace={"content": ["mine now"]})
        assert r.status_code == 403 and r.json()["error"] == "forbidden", target
        assert (await source(client, token, target)).status_code == 403
    deleter = await make_token(["delete"])
    r = await client.post(MP, data={"action": "delete", "url": url}, headers=deleter.headers)
    assert r.status_code == 403
    after = await entry_row(db, url)
    assert after["body_source"] == "Bob's" and after["deleted_at"] is None


async def test_404_update_of_a_deleted_post(client, token, make_token):
    url = await _create(client, token, {"content": ["x"]})
    deleter = await make_token(["delete"])
    await client.post(MP, data={"action": "delete", "url": url}, headers=deleter.headers)
    r = await _update(client, token, url, replace={"content": ["y"]})
    assert r.status_code == 404 and "undelete" in r.json()["error_description"]


# --- delete, undelete -----------------------------------------------------------------------------


async def test_204_delete_and_undelete_repeat_as_no_ops(client, db, token, make_token):
    url = await _create(client, token, {"content": ["x"]})
    deleter = await make_token(["delete"])  # delete also allows undelete (R-M12)
    statuses = []
    for action in ("undelete", "delete", "delete", "undelete", "undelete"):
        r = await client.post(MP, json={"action": action, "url": url}, headers=deleter.headers)
        statuses.append(r.status_code)
    assert statuses == [204] * 5
    assert (await entry_row(db, url))["status"] == "published"


async def test_401_delete_and_undelete_need_their_scope(client, token):
    url = await _create(client, token, {"content": ["x"]})
    for action in ("delete", "undelete"):
        r = await client.post(MP, json={"action": action, "url": url}, headers=token.headers)
        assert r.status_code == 401 and r.json()["error"] == "insufficient_scope"


async def test_204_deleted_slug_stays_reserved_and_undelete_keeps_the_url(
    client, db, token, make_token
):
    url = await _create(client, token, {"content": ["x"], "mp-slug": ["keep"]})
    deleter = await make_token(["delete"])
    await client.post(MP, json={"action": "delete", "url": url}, headers=deleter.headers)
    other = await _create(client, token, {"content": ["y"], "mp-slug": ["keep"]})
    assert other.endswith("/keep-2")
    r = await client.post(MP, json={"action": "undelete", "url": url}, headers=deleter.headers)
    assert r.status_code == 204
    assert (await source(client, token, url)).json()["properties"]["url"] == [url]


async def test_204_undelete_restores_a_schedule(client, db, make_token):
    pro = await make_token(["create", "update", "delete"], plan="pro")
    when = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    url = await _create(client, pro, {"content": ["x"], "published": [when.isoformat()]})
    for action in ("delete", "undelete"):
        await client.post(MP, json={"action": action, "url": url}, headers=pro.headers)
    row = await entry_row(db, url)
    assert row["status"] == "scheduled" and row["scheduled_at"] == when


async def test_204_delete_answers_410_on_the_permalink(client, db, token, make_token):
    url = await _create(client, token, {"content": ["Public"]})
    assert (await client.get(url)).status_code == 200
    deleter = await make_token(["delete"])
    await client.post(MP, json={"action": "delete", "url": url}, headers=deleter.headers)
    assert (await client.get(url)).status_code == 410
    await client.post(MP, json={"action": "undelete", "url": url}, headers=deleter.headers)
    assert (await client.get(url)).status_code == 200


# --- the `?lang=` forms a post's URL had before it had one URL (issue 16) ------------------------


async def test_200_204_old_lang_forms_of_the_url_still_name_the_post(client, db, token, make_token):
    """Pages printed `…?lang=en` as the permalink until issue 16; clients that stored it can
    still read, update and delete the post by it (the query is not part of the lookup)."""
    url = await _create(client, token, {"content": ["Body"]})
    for old in (url + "?lang=en", url + "?lang=fr", url + "/?lang=en"):
        props = (await source(client, token, old)).json()["properties"]
        assert props["url"] == props["uid"] == [url], old
    r = await _update(client, token, url + "?lang=en", replace={"content": ["Changed"]})
    assert r.status_code == 200, r.text
    assert (await source(client, token, url)).json()["properties"]["content"] == ["Changed"]
    deleter = await make_token(["delete"])
    r = await client.post(
        MP, data={"action": "delete", "url": url + "?lang=en"}, headers=deleter.headers
    )
    assert r.status_code == 204
    assert (await entry_row(db, url))["deleted_at"] is not None
