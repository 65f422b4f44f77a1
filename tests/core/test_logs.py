"""Quiet worker logs (issue 18): a burst worker's cron ticks that find nothing write no line,
arq's two lines per run are gone, a job that did work writes one line with its job id, and a
failing job one error record with its job id and traceback (HUB_LOG_FORMAT=json)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from hub.core import logs
from hub.core.job_runs import did_work
from hub.core.queue import enqueue
from hub.worker import build_worker
from tests.factories import make_author, make_entry


@pytest.fixture
def log_lines():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    handler = logs.configure("info", "json", stream=stream, force=True)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(saved[1])
    logs.quiet(debug=True)  # arq's lines back for the other tests


async def run_jobs(resources) -> None:
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


async def test_worker_logs_only_jobs_that_did_work_or_failed(db, resources, log_lines):
    author = await make_author(db, "Ada")
    entry_id = await make_entry(db, author, "hello")
    await enqueue(resources.redis, "index_own_entry", entry_id, job_id="index:hello")
    await enqueue(resources.redis, "index_own_entry", "not-a-number", job_id="index:broken")
    await run_jobs(resources)  # with the cron jobs that run at start-up, finding nothing
    records = log_lines()

    arq_runs = [r for r in records if r["logger"] == "arq.worker" and "cron:" in r["message"]
                and ("→" in r["message"] or "←" in r["message"])]  # fmt: skip
    assert arq_runs == []
    jobs = {r["job_id"]: r for r in records if r["logger"] == "hub.jobs"}
    assert set(jobs) == {"index:hello", "index:broken"}, jobs
    done, failed = jobs["index:hello"], jobs["index:broken"]
    assert done["level"] == "info" and done["message"].startswith("index_own_entry: done in ")
    assert failed["level"] == "error" and "index_own_entry: failed after" in failed["message"]
    assert "Traceback" in failed["exception"]
    assert not any("sweep_outbox" in r["message"] for r in records)  # idle ticks are silent


def test_text_lines_name_the_job():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        handler = logs.configure("info", "text", stream=stream, force=True)
        token = logs.job_id.set("poll_feed:42")
        logging.getLogger("hub.test").info("polled")
        logs.job_id.reset(token)
        logging.getLogger("hub.test").info("after")
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[1])
    first, second = stream.getvalue().splitlines()
    assert first.endswith("INFO hub.test: polled [job poll_feed:42]")
    assert second.endswith("INFO hub.test: after")


def test_text_lines_read_as_pythons_own_format_with_times_and_tracebacks():
    """The text formatter puts plain lines together itself (a line per request on a busy
    blog): each line reads exactly as `logging.Formatter` writes it, across a second's turn,
    and a record with a traceback still carries it."""
    ours, python = logs.TextFormatter(logs.TEXT_FORMAT), logging.Formatter(logs.TEXT_FORMAT)
    for created in (1_700_000_000.001, 1_700_000_000.999, 1_700_000_001.5, 1_700_000_000.25):
        record = logging.LogRecord("hub.access", logging.INFO, "", 0, "GET %s %d", ("/a", 200),
                                   None)  # fmt: skip
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert ours.format(record) == python.format(record)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = logging.LogRecord("hub.jobs", logging.ERROR, "", 0, "failed", None,
                                   sys.exc_info())  # fmt: skip
    line = ours.format(failed)
    assert line.splitlines()[0].endswith("ERROR hub.jobs: failed")
    assert "Traceback" in line and "RuntimeError: boom" in line


def test_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="HUB_LOG_FORMAT"):
        logs.configure("info", "xml", stream=io.StringIO())


@pytest.mark.parametrize(
    ("result", "worked"),
    [(None, False), (0, False), ([], False), ("unchanged", False), ("not_modified", False),
     (3, True), ([7], True), ("updated", True), ("approved", True)],
)  # fmt: skip
def test_what_counts_as_work(result, worked):
    assert did_work(result) is worked


def test_batched_lines_arrive_in_order_within_the_batch_time_and_warnings_at_once():
    import io
    import logging
    import time

    from hub.core import logs

    stream = io.StringIO()
    handler = logs.BatchingStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("hub.test.batched")
    log.propagate = False
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        log.info("one")
        log.info("two")
        assert stream.getvalue() == ""  # kept for the writer thread
        log.warning("three")  # at once, after what waited before it
        assert stream.getvalue().splitlines() == ["INFO one", "INFO two", "WARNING three"]
        log.info("four")
        deadline = time.monotonic() + 5
        while "four" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stream.getvalue().splitlines()[-1] == "INFO four"
    finally:
        log.removeHandler(handler)
        handler.close()


@contextlib.contextmanager
def serve_logging(format: str) -> Iterator[io.StringIO]:
    """`hub serve`'s logging (`configure`, `batch_writes`) into a stream, alone on the root
    logger; the runner's handlers and the levels come back when the block ends."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    for old in saved:
        root.removeHandler(old)
    stream = io.StringIO()
    try:
        logs.configure("info", format, stream=stream, force=True)
        logs.batch_writes()
        yield stream
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            handler.close()
        for old in saved:
            root.addHandler(old)
        root.setLevel(level)
        access = logging.getLogger("hub.access")
        access.handlers.clear()
        access.setLevel(logging.NOTSET)


def test_info_lines_made_without_a_record_read_as_the_records_lines():
    """`log_info` queues a line itself where hub's batching text handler is the only place
    it goes (`hub serve`'s logging): the same line as a record makes, in order with them;
    another handler, a quieter level or JSON lines take the record's way."""
    with serve_logging("text") as stream:
        root = logging.getLogger()
        access = logging.getLogger("hub.access")
        assert logs.direct_handler(access) is root.handlers[0]
        logs.log_info(access, "GET /a%20b 200 1.5 ms id=ab", {"status": 200})  # no %-format
        access.info("GET /a%20b 200 1.5 ms id=ab")
        token = logs.request_id.set("ab")
        logs.log_info(logging.getLogger("hub.other"), "made", {})
        logging.getLogger("hub.other").info("made")
        logs.request_id.reset(token)
        root.handlers[0].flush()
        first, second, third, fourth = stream.getvalue().splitlines()
        assert first.endswith(" INFO hub.access: GET /a%20b 200 1.5 ms id=ab")
        assert first[23:] == second[23:] and len(first) == len(second)  # past the time
        assert third.endswith(" INFO hub.other: made [ab]") and fourth[23:] == third[23:]
        # ways a record must take: a handler on the way, a quieter level, another root handler
        access.addHandler(logging.NullHandler())
        assert logs.direct_handler(access) is None
        access.handlers.clear()
        access.setLevel(logging.WARNING)
        assert logs.direct_handler(access) is None
        logs.log_info(access, "dropped", {})
        access.setLevel(logging.NOTSET)
        extra = logging.StreamHandler(io.StringIO())
        root.addHandler(extra)
        assert logs.direct_handler(access) is None
        root.removeHandler(extra)
        root.handlers[0].flush()
        assert "dropped" not in stream.getvalue()


def test_json_lines_keep_the_access_fields():
    with serve_logging("json") as stream:
        access = logging.getLogger("hub.access")
        assert logs.direct_handler(access) is None
        logs.log_info(access, "GET / 200 1.0 ms id=x", {"status": 200, "route": "/"})
        logging.getLogger().handlers[0].flush()
        (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
        assert line["message"] == "GET / 200 1.0 ms id=x"
        assert line["status"] == 200 and line["route"] == "/"
