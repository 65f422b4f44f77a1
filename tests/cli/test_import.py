"""`hub import` as a person moving a blog in runs it: a WordPress export and a Markdown folder
(fixtures written by hand in the formats' documented shapes, `tests/fixtures/imports/`), with
hostile content refused or cleaned, dates and drafts kept, no duplicates on a second run, a
dry run that writes nothing, and old URLs answering 301 to the new entries."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.conftest import run_hub
from tests.images import png_alpha
from tests.stubs import running_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
BIG = 200 * 1024 * 1024

pytestmark = pytest.mark.slow


@pytest.fixture
def env(cli_env):
    made = run_hub(cli_env, "author", "add", "Ada", "--channel", "blog")
    assert made.returncode == 0, made.stderr
    return {**cli_env, "HUB_ALLOW_LOOPBACK_FETCH": "1"}


@pytest.fixture
def wxr(tmp_path):
    """The WordPress fixture pointing at a stub server: a real PNG, and a 200 MB video that
    is streamed (its size declared up front, the body dripped), never built in memory."""
    with running_server() as stub:
        stub.serve("/photo.png", png_alpha(), content_type="image/png")
        stub.serve("/big.mp4", b"", content_type="video/mp4",
                   headers=[("Content-Length", str(BIG))], drip=b"\0" * 65536)  # fmt: skip
        path = tmp_path / "wordpress.xml"
        path.write_text((FIXTURES / "wordpress.xml").read_text().replace("STUB", stub.base))
        yield path, stub


async def entries(db):
    return {
        r["slug"]: r
        for r in await db.fetch(
            """
            SELECT e.id, e.slug, e.status, e.published_at, e.created_via, t.title,
                   t.content_html, t.excerpt,
                   array(SELECT c.name FROM entry_categories c WHERE c.entry_id = e.id
                         ORDER BY c.name) AS tags
            FROM entries e JOIN entry_translations t
              ON t.entry_id = e.id AND t.language = e.default_language
            """
        )
    }


async def test_wordpress_posts_and_pages_come_in_with_dates_tags_drafts_and_media(env, wxr, db):
    path, stub = wxr
    done = run_hub(env, "import", str(path), "--channel", "blog")
    assert done.returncode == 1, done.stderr  # two items refused: the summary says why
    out = done.stdout
    assert "a WordPress export (WXR) file, 5 item(s)" in out
    assert "created 3, skipped 0 (already imported), refused 3" in out
    assert "refused 50: a WordPress nav_menu_item, not a post or page" in out
    assert "refused 30 (Big video):" in out and "larger than the" in out
    assert "refused 40 (Intranet): http://10.0.0.5/secret.png: refused" in out
    assert "importing 1/5: created 12 (Hello world)" in out  # plain progress lines off a terminal
    stored = await entries(db)
    assert set(stored) == {"hello-world", "about", "work-in-progress"}
    hello = stored["hello-world"]
    assert hello["status"] == "published" and hello["created_via"] == "import"
    assert hello["published_at"] == datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert hello["tags"] == ["News", "first"]
    assert "<script" not in hello["content_html"] and "onerror" not in hello["content_html"]
    assert "/storage/uploads/" in hello["content_html"] and stub.base not in hello["content_html"]
    assert stored["about"]["published_at"] == datetime(2018, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert stored["work-in-progress"]["status"] == "draft"
    assert stored["work-in-progress"]["tags"] == []  # "Uncategorized" is WordPress's default
    assert len(stub.hits("/big.mp4")) == 1  # refused on its declared size, not downloaded
    media = await db.fetchval("SELECT count(*) FROM media")
    assert media == 1  # the refused items stored nothing


async def test_a_second_run_creates_no_duplicates_and_a_dry_run_writes_nothing(env, wxr, db):
    path, _ = wxr
    dry = run_hub(env, "import", str(path), "--channel", "blog", "--dry-run")
    assert "dry run, nothing written: would create 3" in dry.stdout, dry.stdout + dry.stderr
    assert await db.fetchval("SELECT count(*) FROM entries") == 0
    assert await db.fetchval("SELECT count(*) FROM media") == 0
    run_hub(env, "import", str(path), "--channel", "blog")
    again = run_hub(env, "import", str(path), "--channel", "blog")
    assert "created 0, skipped 3 (already imported)" in again.stdout
    assert await db.fetchval("SELECT count(*) FROM entries") == 3
    assert await db.fetchval("SELECT count(*) FROM media") == 1


async def test_301_from_the_old_wordpress_urls_to_the_new_entries(env, wxr, db, client):
    path, _ = wxr
    run_hub(env, "import", str(path), "--channel", "blog")
    for old in ("/2019/03/hello-world/", "/2019/03/hello-world", "/?p=12"):
        moved = await client.get(old)
        assert moved.status_code == 301, old
        assert moved.headers["location"].endswith("/blog/hello-world"), old
    assert (await client.get("/?page_id=2")).headers["location"].endswith("/blog/about")
    assert (await client.get("/?p=20")).status_code == 200  # a draft is not revealed: the home
    assert (await client.get("/2020/02/intranet/")).status_code == 404  # refused: no redirect


def test_a_document_that_declares_entities_is_refused_whole(env):
    done = run_hub(env, "import", str(FIXTURES / "entities.xml"), "--channel", "blog")
    assert done.returncode == 2
    assert "declares XML entities" in done.stderr


def test_an_unknown_channel_is_a_usage_error(env, wxr):
    path, _ = wxr
    done = run_hub(env, "import", str(path), "--channel", "nope")
    assert done.returncode == 2 and "no channel 'nope'" in done.stderr


async def test_a_markdown_folder_comes_in_with_front_matter_images_and_drafts(env, db, tmp_path):
    folder = tmp_path / "site"
    shutil.copytree(FIXTURES / "markdown", folder)
    (folder / "_posts" / "hills.png").write_bytes(png_alpha())
    done = run_hub(env, "import", str(folder), "--channel", "blog")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "a folder of Markdown files with YAML front matter, 4 item(s)" in done.stdout
    stored = await entries(db)
    post = stored["my-post"]
    assert post["published_at"] == datetime(2024, 5, 1, tzinfo=UTC)  # from the file name
    assert post["tags"] == ["journal", "photos", "travel"]
    assert "/storage/uploads/" in post["content_html"] and "<script" not in post["content_html"]
    own = stored["own-slug"]
    assert own["published_at"] == datetime(2023, 2, 3, 14, 15, 16, tzinfo=UTC)
    assert "<strong>bold</strong>" in own["content_html"]
    assert stored["idea"]["status"] == "draft" and stored["hidden"]["status"] == "draft"
    again = run_hub(env, "import", str(folder), "--channel", "blog", "--format", "markdown")
    assert "created 0, skipped 4" in again.stdout


async def test_301_from_jekyll_paths_and_aliases(env, db, tmp_path, client):
    folder = tmp_path / "site"
    shutil.copytree(FIXTURES / "markdown", folder)
    (folder / "_posts" / "hills.png").write_bytes(png_alpha())
    run_hub(env, "import", str(folder), "--channel", "blog")
    for old in ("/2023/02/03/own-slug.html", "/2023/02/03/own-slug/", "/old/own-slug.html"):
        moved = await client.get(old)
        assert moved.status_code == 301, old
        assert moved.headers["location"].endswith("/blog/own-slug")


def test_an_image_leading_out_of_the_folder_refuses_that_file(env, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(png_alpha())
    (folder / "escape.md").write_text("---\ntitle: Escape\n---\n![x](../secret.png)\n")
    (folder / "fine.md").write_text("---\ntitle: Fine\n---\nHello\n")
    (folder / "code.md").write_text("---\n!!python/object/apply:os.system ['true']\n---\nx\n")
    done = run_hub(env, "import", str(folder), "--channel", "blog")
    assert "created 1" in done.stdout, done.stdout + done.stderr
    assert "refused escape.md: the image ../secret.png is outside the imported folder" in (
        done.stdout
    )
    assert "refused code.md: the front matter is not valid YAML" in done.stdout


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Stub feed</title>
<link>{base}/</link><description>d</description><item><title>One</title>
<link>{base}/one</link><guid>{base}/one</guid></item></channel></rss>"""


async def test_directory_import_opml_follows_each_feed_with_progress_lines(env, db, tmp_path):
    with running_server() as stub:
        feed = stub.serve("/feed.xml", RSS.format(base=stub.base),
                          content_type="application/rss+xml")  # fmt: skip
        opml = tmp_path / "subscriptions.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
            f'<outline type="rss" text="Stub" xmlUrl="{feed}"/>'
            '<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>'
            "</body></opml>"
        )
        done = run_hub(env, "directory", "import-opml", str(opml))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"importing 1/2: {feed} subscribed"
    assert lines[1].startswith("importing 2/2: javascript:alert(1) skipped")
    assert lines[2] == "skipped 1, subscribed 1"
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 1
