import inspect

from hub.core.media.jobs import clean_uploads


async def test_clean_uploads_deletes_old_unattached_uploads_only(
    client, db, resources, token, image
):
    old = await client.post(
        "/micropub/media", files={"file": ("a.jpg", image(), "image/jpeg")}, headers=token.headers
    )
    kept_attached = await client.post(
        "/micropub/media",
        files={"file": ("b.png", image("png"), "image/png")},
        headers=token.headers,
    )
    fresh = await client.post(
        "/micropub/media",
        files={"file": ("c.gif", image("gif"), "image/gif")},
        headers=token.headers,
    )
    ids = [r.headers["location"].rsplit("/", 1)[1] for r in (old, kept_attached, fresh)]
    await db.execute(
        "UPDATE media SET created_at = now() - interval '91 days' WHERE public_id = ANY($1)",
        ids[:2],
    )
    await db.execute("UPDATE media SET attached_at = now() WHERE public_id = $1", ids[1])
    old_path = await db.fetchval("SELECT original_path FROM media WHERE public_id = $1", ids[0])
    assert (resources.settings.media_dir / old_path).is_file()

    assert await clean_uploads({"resources": resources}) == 1

    left = {r["public_id"] for r in await db.fetch("SELECT public_id FROM media")}
    assert left == set(ids[1:])
    assert not (resources.settings.media_dir / old_path).exists()
    assert (await client.get(old.headers["location"])).status_code == 404


def test_cleanup_is_registered_with_the_worker():
    from hub.worker import cron_jobs, functions

    assert "clean_uploads" in {f.name for f in functions()}
    # cron coroutines are wrapped (outages, logs and metrics): unwrapped, one is clean_uploads
    assert any(inspect.unwrap(job.coroutine) is clean_uploads for job in cron_jobs())


def test_remote_media_fetch_is_registered_with_the_worker():
    from hub.core.entries.remote_media import FETCH_JOB, fetch_entry_media
    from hub.worker import functions

    assert FETCH_JOB in {f.name for f in functions()} and fetch_entry_media.__name__ == FETCH_JOB
