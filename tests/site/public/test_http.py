"""Public pages over HTTP: ETag/Last-Modified and 304, HEAD, hostile content, images from the
media store, custom domains (webmention-site-feeds §3.2, §3.6, §3.7, R-W30)."""

from __future__ import annotations

import hashlib
import secrets
from html.parser import HTMLParser

import httpx

from hub.core.media import pipeline as media
from tests.site.public.fixtures import (
    BASE,
    public_article,
    public_insert_entry,
    public_items,
    public_mf2,
    public_publish,
)


async def test_304_if_none_match_and_if_modified_since(client, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    for path in ("/ada_blog/first", "/ada_blog", "/ada_blog/tags/none-yet", "/"):
        r = await client.get(path)
        if r.status_code == 404:
            continue
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        assert etag.startswith('W/"')
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == r.headers["cache-control"]
        assert again.headers["vary"] == r.headers["vary"]
        # the channel home and the entry also serve ActivityPub JSON by Accept (issue 19)
        negotiated = path in ("/ada_blog/first", "/ada_blog")
        assert r.headers["vary"] == ("Accept, " if negotiated else "") + "Accept-Encoding"
        assert again.headers["last-modified"] == modified
        since = await client.get(path, headers={"If-Modified-Since": modified})
        assert since.status_code == 304, path
        other = await client.get(path, headers={"If-None-Match": 'W/"other"',
                                                 "If-Modified-Since": modified})  # fmt: skip
        assert other.status_code == 200  # If-None-Match takes precedence


async def test_200_etag_changes_when_the_entry_or_list_changes(client, public_blog):
    await public_publish(client, public_blog, public_article("first", title="One"))
    entry = (await client.get("/ada_blog/first")).headers["etag"]
    home = (await client.get("/ada_blog")).headers["etag"]
    await public_publish(client, public_blog, public_article("first", title="Two"))
    r = await client.get("/ada_blog/first", headers={"If-None-Match": entry})
    assert r.status_code == 200 and "Two" in r.text and r.headers["etag"] != entry
    r = await client.get("/ada_blog", headers={"If-None-Match": home})
    assert r.status_code == 200 and r.headers["etag"] != home


async def test_200_head_has_the_headers_of_get_and_no_body(client, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    for path in ("/", "/ada_blog", "/ada_blog/first", "/ada_blog/rss.xml"):
        get = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(get.content))
        for name in ("etag", "content-type", "cache-control", "link"):
            assert head.headers[name] == get.headers[name], (path, name)
    assert (await client.head("/ada_blog/missing")).status_code == 404


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            return  # our JSON-LD: a data block browsers never run (issue 16)
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (name == "style"):
                self.found.append(f"{tag}@{name}")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}@{name}=javascript")


def unsafe_markup(text: str) -> list[str]:
    """Elements and attributes that could run script, found by parsing (escaped text is
    text, not markup)."""
    parser = _Markup()
    parser.feed(text)
    return parser.found


async def test_200_hostile_content_stays_sanitised(client, public_blog, db):
    hostile = (
        '<p>Hi<script>alert(1)</script><img src="x.png" onerror="alert(2)">'
        '<a href="javascript:alert(3)">js</a><iframe src="https://evil.example"></iframe>'
        '<a class="u-like-of p-name" href="https://victim.example/">fake like</a>'
        '<span style="color:red" class="h-card">card</span></p>'
    )
    await public_insert_entry(
        db, public_blog, "hostile", kind="article", title='<script>alert("t")</script>',
        content_html=hostile, tags=['<b onmouseover="x">tag</b>'],
    )  # fmt: skip
    await public_publish(client, public_blog, public_article(
        "agent", title="<img src=x onerror=alert(4)>",
        body="Text <script>alert(5)</script> [x](javascript:alert(6))",
    ))  # fmt: skip
    for path in ("/ada_blog/hostile", "/ada_blog/agent", "/ada_blog"):
        text = (await client.get(path)).text
        assert unsafe_markup(text) == [], path
        assert "alert(5)" not in text
        assert text.count("<script") == text.count('<script type="application/ld+json">') == 1
    text = (await client.get("/ada_blog/hostile")).text
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in text
    assert f'src="{BASE}/ada_blog/x.png"' in text
    [entry] = public_mf2(text, f"{BASE}/ada_blog/hostile")["items"]
    assert "like-of" not in entry["properties"]  # author classes never become our properties
    assert entry["properties"]["name"] == ['<script>alert("t")</script>']


async def _media_row(db, settings, blog, *, purpose: str = "article") -> tuple[int, str]:
    public_id = secrets.token_urlsafe(12)
    relative = f"projects/{blog.channel_id}/pages/{public_id}.webp"
    data = b"RIFF\x00\x00\x00\x00WEBPVP8 fake"
    media.write_atomically(settings.media_dir, relative, data)
    media_id = await db.fetchval(
        """
        INSERT INTO media (public_id, author_id, channel_id, purpose, folder, content_type, bytes,
                           sha256, path, processed_type, processed_bytes, width, height, alt,
                           attached_at, original_path)
        VALUES ($1, $2, $3, $4, 'pages', 'image/jpeg', 10, $5, $6, 'image/webp', $7, 1600, 900,
                'A loom', now(), 'uploads/original.jpg')
        RETURNING id
        """,
        public_id, blog.author_id, blog.channel_id, purpose, hashlib.sha256(data).digest(),
        relative, len(data),
    )  # fmt: skip
    return media_id, relative


async def test_200_images_from_the_media_store(client, db, settings, public_blog):
    cover_id, cover_path = await _media_row(db, settings, public_blog)
    photo_id, photo_path = await _media_row(db, settings, public_blog)
    avatar_id, avatar_path = await _media_row(db, settings, public_blog, purpose="channel_avatar")
    await db.execute("UPDATE channels SET avatar_media_id = $1", avatar_id)
    entry_id = await public_insert_entry(db, public_blog, "photo", kind="photo",
                                         content_html="<p>Look.</p>")  # fmt: skip
    await db.execute(
        "INSERT INTO entry_media (entry_id, media_id, role) VALUES ($1, $2, 'featured'),"
        " ($1, $3, 'photo')",
        entry_id, cover_id, photo_id,
    )  # fmt: skip
    r = await client.get("/ada_blog/photo")
    [entry] = public_mf2(r.text, f"{BASE}/ada_blog/photo")["items"]
    props = entry["properties"]
    cover, photo = f"{BASE}/storage/{cover_path}", f"{BASE}/storage/{photo_path}"
    assert props["featured"] == [{"value": cover, "alt": "A loom", "srcset": {"1600w": cover}}]
    assert props["photo"] == [{"value": photo, "alt": "A loom", "srcset": {"1600w": photo}}]
    assert props["author"][0]["properties"]["photo"][0]["value"] == f"{BASE}/storage/{avatar_path}"
    assert 'width="1600" height="900"' in r.text
    home = public_mf2((await client.get("/ada_blog")).text, f"{BASE}/ada_blog")
    [card] = public_items(home, "h-card")
    assert card["properties"]["photo"][0]["value"] == f"{BASE}/storage/{avatar_path}"
    image = await client.get(f"/storage/{photo_path}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    assert image.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert image.content.startswith(b"RIFF")
    assert (await client.head(f"/storage/{photo_path}")).status_code == 200


async def test_404_storage_never_serves_originals_or_escapes(client, db, settings, public_blog):
    await _media_row(db, settings, public_blog)
    media.write_atomically(settings.media_dir, "uploads/original.jpg", b"\xff\xd8\xff exif")
    assert (await client.get("/storage/uploads/original.jpg")).status_code == 404
    assert (await client.get("/storage/../../etc/passwd")).status_code == 404
    assert (await client.get("/storage/projects/none.webp")).status_code == 404


async def test_301_node_paths_of_a_custom_domain_channel(client, public_blog, db):
    await public_publish(client, public_blog, public_article("first", tags=["a b"]))
    await db.execute("UPDATE channels SET custom_domain = 'blog.example'")
    r = await client.get("/ada_blog/first?lang=en")
    assert r.status_code == 301
    assert r.headers["location"] == "https://blog.example/first?lang=en"
    r = await client.get("/ada_blog/tags/a%20b/rss.xml")
    assert r.headers["location"] == "https://blog.example/tags/a%20b/rss.xml"
    assert (await client.get("/ada_blog")).headers["location"] == "https://blog.example/"


async def test_200_custom_domain_serves_the_channel_with_its_own_links(
    client, public_blog, db, settings, resources
):
    await public_publish(client, public_blog, public_article("first", tags=["Cars"]))
    await db.execute("UPDATE channels SET custom_domain = 'blog.example'")
    custom = client.base_url.copy_with(host="blog.example")
    home = await client.get(str(custom.join("/")))
    assert home.status_code == 200
    parsed = public_mf2(home.text, "https://blog.example/")
    [card] = public_items(parsed, "h-card")
    assert card["properties"]["url"] == ["https://blog.example/"]
    assert parsed["rels"]["webmention"] == ["https://blog.example/api/webmentions"]
    assert parsed["rels"]["micropub"] == ["https://blog.example/micropub"]
    entry = await client.get(str(custom.join("/first")))
    [item] = public_mf2(entry.text, "https://blog.example/first")["items"]
    assert item["properties"]["url"] == ["https://blog.example/first"]
    assert item["properties"]["category"] == ["Cars"]
    assert (await client.get(str(custom.join("/tags/cars")))).status_code == 200
    feed = await client.get(str(custom.join("/atom.xml")))
    assert feed.status_code == 200 and "https://blog.example/atom.xml" in feed.text
    assert (await client.get(str(custom.join("/tags")))).status_code == 404
    assert isinstance(custom, httpx.URL)
