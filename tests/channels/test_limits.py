"""The per-article limits of the v1 API at the boundary (hub/core/entries/limits.py and the v1
contract's tags, publicasta-v1-resolved §12, R-78): N accepted, N+1 refused with 422
`{"message", "errors": {field: [...]}}` and nothing stored or changed."""

from __future__ import annotations

import itertools
import string

from hub.channels.schemas import MAX_TAG_LENGTH, MAX_TAGS
from hub.core.entries.limits import TRANSLATIONS_PER_ENTRY
from tests.channels.conftest import article

PAGES = "/api/v1/channels/ada_blog/pages"
TOO_MANY_TRANSLATIONS = f"An article may have at most {TRANSLATIONS_PER_ENTRY} translations."


def _languages(n: int) -> list[str]:
    """`n` distinct language codes: en-AA, en-AB, ..."""
    pairs = itertools.product(string.ascii_uppercase, repeat=2)
    return [f"en-{a}{b}" for a, b in itertools.islice(pairs, n)]


def _translations(languages: list[str]) -> list[dict]:
    return [{"language": lang, "title": f"T {lang}", "content_markdown": "B"} for lang in languages]


def _many_languages(n: int) -> dict:
    languages = _languages(n)
    body = article(status="draft", default_language=languages[0])
    body["translations"] = _translations(languages)
    return body


def _refused(r, field: str, message: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["errors"][field] == [message] and isinstance(body["message"], str)


async def _count(db, table: str) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table}")


async def test_201_the_most_tags_an_article_may_have(client, db, account):
    tags = [f"tag{i}" + "x" * (MAX_TAG_LENGTH - 6) for i in range(10, 10 + MAX_TAGS)]
    r = await client.post(PAGES, json=article(tags=tags), headers=account.headers)
    assert r.status_code == 201, r.text
    assert r.json()["tags"] == tags


async def test_422_one_tag_too_many(client, db, account):
    tags = [f"tag{i}" for i in range(MAX_TAGS + 1)]
    r = await client.post(PAGES, json=article(tags=tags), headers=account.headers)
    _refused(r, "tags", f"The tags must be a list of at most {MAX_TAGS} strings.")
    assert await _count(db, "entries") == 0


async def test_422_one_character_too_many_in_a_tag(client, db, account):
    r = await client.post(
        PAGES, json=article(tags=["x" * (MAX_TAG_LENGTH + 1)]), headers=account.headers
    )
    _refused(r, "tags.0", f"The tags.0 must be a string of 1 to {MAX_TAG_LENGTH} characters.")
    assert await _count(db, "entries") == 0


async def test_422_too_many_tags_on_update_changes_nothing(client, db, account):
    await client.post(PAGES, json=article(tags=["a"]), headers=account.headers)
    tags = [f"tag{i}" for i in range(MAX_TAGS + 1)]
    r = await client.post(PAGES, json=article(tags=tags), headers=account.headers)
    _refused(r, "tags", f"The tags must be a list of at most {MAX_TAGS} strings.")
    assert (await client.get(f"{PAGES}/agent_post", headers=account.headers)).json()["tags"] == [
        "a"
    ]


async def test_201_the_most_translations_an_article_may_have(client, db, account):
    body = _many_languages(TRANSLATIONS_PER_ENTRY)
    r = await client.post(PAGES, json=body, headers=account.headers)
    assert r.status_code == 201, r.text
    assert len(r.json()["translations"]) == TRANSLATIONS_PER_ENTRY


async def test_422_one_translation_too_many_on_create(client, db, account):
    body = _many_languages(TRANSLATIONS_PER_ENTRY + 1)
    r = await client.post(PAGES, json=body, headers=account.headers)
    _refused(r, "translations", TOO_MANY_TRANSLATIONS)
    assert await _count(db, "entries") == 0
    assert await _count(db, "entry_translations") == 0


async def test_422_put_of_a_language_past_the_limit_and_200_for_one_it_has(client, db, account):
    body = _many_languages(TRANSLATIONS_PER_ENTRY)
    assert (await client.post(PAGES, json=body, headers=account.headers)).status_code == 201
    one = {"title": "Titre", "content_markdown": "Corps"}
    r = await client.put(f"{PAGES}/agent_post/translations/fr", json=one, headers=account.headers)
    _refused(r, "translations", TOO_MANY_TRANSLATIONS)
    assert await _count(db, "entry_translations") == TRANSLATIONS_PER_ENTRY
    existing = body["translations"][1]["language"]
    r = await client.put(
        f"{PAGES}/agent_post/translations/{existing}", json=one, headers=account.headers
    )
    assert r.status_code == 200, r.text


async def test_422_an_update_adding_languages_past_the_limit_changes_nothing(client, db, account):
    languages = _languages(TRANSLATIONS_PER_ENTRY + 1)
    first = _many_languages(TRANSLATIONS_PER_ENTRY)
    assert (await client.post(PAGES, json=first, headers=account.headers)).status_code == 201
    update = article(status="draft", default_language=languages[0])
    update["translations"] = _translations([languages[0], languages[-1]])
    r = await client.post(PAGES, json=update, headers=account.headers)
    _refused(r, "translations", TOO_MANY_TRANSLATIONS)
    assert await _count(db, "entry_translations") == TRANSLATIONS_PER_ENTRY


async def test_422_a_channel_with_one_translation_too_many(client, db, account):
    body = {
        "slug": "many_languages",
        "default_language": "en-AA",
        "translations": [
            {"language": lang, "title": f"Blog {lang}"}
            for lang in _languages(TRANSLATIONS_PER_ENTRY + 1)
        ],
    }
    r = await client.post("/api/v1/channels", json=body, headers=account.headers)
    _refused(
        r, "translations", f"A channel may have at most {TRANSLATIONS_PER_ENTRY} translations."
    )
    assert await db.fetchval("SELECT count(*) FROM channels WHERE slug = 'many_languages'") == 0


async def test_200_and_422_patch_merging_channel_languages_up_to_the_limit(client, db, account):
    languages = _languages(TRANSLATIONS_PER_ENTRY + 1)
    path = f"/api/v1/channels/{account.channel}"
    more = [
        {"language": lang, "title": f"Blog {lang}"}
        for lang in languages[: TRANSLATIONS_PER_ENTRY - 1]
    ]
    r = await client.patch(path, json={"translations": more}, headers=account.headers)
    assert r.status_code == 200, r.text
    assert len(r.json()["translations"]) == TRANSLATIONS_PER_ENTRY  # with its own language
    last = [{"language": languages[-1], "title": "One too many"}]
    r = await client.patch(path, json={"translations": last}, headers=account.headers)
    _refused(
        r, "translations", f"A channel may have at most {TRANSLATIONS_PER_ENTRY} translations."
    )
    count = await db.fetchval(
        """SELECT count(*) FROM channel_translations t JOIN channels c ON c.id = t.channel_id
        WHERE c.slug = $1""",
        account.channel,
    )
    assert count == TRANSLATIONS_PER_ENTRY
