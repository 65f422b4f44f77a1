"""Logging, configured in one place for every `hub` command (`configure`).

- `HUB_LOG_LEVEL` sets the level; `HUB_LOG_FORMAT=json` writes one JSON object per line
  (time, level, logger, message, and `request_id` / `job_id` when the record was made while
  serving a request or running a job), `text` (the default) one plain line.
- The request id and the job id live in context variables: the request middleware
  (`hub.web.observe`) sets `request_id`, the job wrapper (`hub.core.job_runs`) sets `job_id`;
  every record made meanwhile carries them, whichever logger made it.
- Long-running commands (`hub serve`, `hub worker`) write in batches (`batch_writes`): lines
  are formatted at once and written together by a writer thread at most `BATCH_SECONDS`
  later, warnings and errors at once; a busy server then makes one write for many requests
  instead of one system call each.
- Quiet by default: uvicorn's access log is replaced by hub's one line per request
  (`hub.access`); arq's two lines per job run (and per cron tick) are dropped below DEBUG, hub
  logging instead only the jobs that did work or failed (`hub.jobs`).
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import IO

import orjson

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)

BATCH_SECONDS = 0.2  # the longest an info line waits for the writer thread
BATCH_LINES = 1000  # more waiting lines than this are written at once
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
# arq.worker's lines for each job run: start, finish, retry, failure (hub's job wrapper logs
# the ones worth a line, with the job id); and for each start of a worker, the list of its 34
# functions and Redis's memory figures (hub prints its own line)
ARQ_RUN_MARKS = ("→", "←", "↻", " failed, ", "Starting worker for", "redis_version=")
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "job_id",
}


class ContextFilter(logging.Filter):
    """Stamp each record with the request id and job id of the context it was made in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        return True


class ArqRunLines(logging.Filter):
    """Drop arq's per-run lines (`→ cron:sweep_outbox()`, `← ... ● 0`, retries, failures):
    two lines per job and per cron tick otherwise; and its start-up lines. Its other lines
    (expired jobs, unknown functions, exceeded retries, shutdown) stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and any(m in record.msg for m in ARQ_RUN_MARKS))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message; request_id
    and job_id when known; any `extra` fields; the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, None)
            if value is not None:
                data[key] = value
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(data, default=str).decode()


class TextFormatter(logging.Formatter):
    """The plain line, with ` [request_id]` or ` [job job_id]` when known. In `TEXT_FORMAT`
    (the default) a record without a traceback is put together directly, and its time from
    the second's text made once: the same line as `logging.Formatter`'s, at a third of the
    cost (an access line per request on a busy blog)."""

    _second: tuple[int, str] = (-1, "")  # a second and its text, one attribute: thread-safe

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        return f"{self._second_text(int(record.created))},{int(record.msecs):03d}"

    def _second_text(self, second: int) -> str:
        known, text = self._second
        if second != known:
            text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = (second, text)
        return text

    def plain_line(self, created: float, level: str, name: str, message: str) -> str:
        """The line `format` makes of a record without a traceback, made at `created`
        (`time.time()`) in the current context, without a record (`log_info`)."""
        second = int(created)
        stamp = f"{self._second_text(second)},{int((created - second) * 1000):03d}"
        return self._tagged(f"{stamp} {level} {name}: {message}", name,
                            request_id.get(), job_id.get())  # fmt: skip

    @staticmethod
    def _tagged(line: str, name: str, rid: str | None, jid: str | None) -> str:
        if name == "hub.access" or (rid is None and jid is None):
            return line  # the access line names its request id itself
        head, sep, tail = line.partition("\n")
        tag = f" [{rid}]" if rid is not None else f" [job {jid}]"
        return head + tag + sep + tail

    def format(self, record: logging.LogRecord) -> str:
        plain = not (record.exc_info or record.exc_text or record.stack_info)
        if plain and self._fmt == TEXT_FORMAT:
            record.message = record.getMessage()
            line = f"{self.formatTime(record)} {record.levelname} {record.name}: {record.message}"
        else:
            line = super().format(record)
        rid, jid = getattr(record, "request_id", None), getattr(record, "job_id", None)
        return self._tagged(line, record.name, rid, jid)


def configure(
    level: str = "info", format: str = "text", stream: IO[str] | None = None, *, force: bool = False
) -> logging.Handler | None:
    """Send every record to `stream` (stderr) in `format`, at `level` and above. Called once
    by the `hub` command (`hub serve`, `hub worker` and the others). Like
    `logging.basicConfig`, it adds no handler when logging was set up by someone else (a test
    runner, a program embedding hub) unless `force`; a handler of an earlier call is replaced.
    Returns the handler it added."""
    if format not in FORMATS:
        raise ValueError(f"HUB_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {format!r}")
    root = logging.getLogger()
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric if isinstance(numeric, int) else logging.INFO)
    quiet(debug=root.level <= logging.DEBUG)
    for old in [h for h in root.handlers if getattr(h, "hub_logs", False)]:
        root.removeHandler(old)
    if root.handlers and not force:
        return None
    lighter_records()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.hub_logs = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if format == "json" else TextFormatter(TEXT_FORMAT))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    return handler


class BatchingStreamHandler(logging.StreamHandler):
    """A `StreamHandler` that keeps formatted lines and writes them together: from a writer
    thread every `BATCH_SECONDS`, at once for a record of WARNING and above (with what waited
    before it, in order), when `BATCH_LINES` wait, and at exit."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self._waiting: list[str] = []
        self._stopped = threading.Event()
        self._writer = threading.Thread(target=self._write_often, name="hub-log", daemon=True)
        self._writer.start()
        atexit.register(self.close)

    def emit(self, record: logging.LogRecord) -> None:  # called with the handler's lock held
        try:
            self._waiting.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING or len(self._waiting) >= BATCH_LINES:
            self.flush()

    def add(self, line: str) -> None:
        """Queue a line made without a record (`log_info`), as `emit` queues a record's."""
        with self.lock:  # type: ignore[union-attr]
            self._waiting.append(line + self.terminator)
            if len(self._waiting) >= BATCH_LINES:
                self.flush()

    def flush(self) -> None:
        # under the handler's own (re-entrant) lock, which `emit` already holds: lines go out
        # in order, and a writer thread never waits for a lock an emitter holds
        with self.lock:  # type: ignore[union-attr]
            lines, self._waiting = self._waiting, []
            if lines and self.stream is not None:
                try:
                    self.stream.write("".join(lines))
                    self.stream.flush()
                except (OSError, ValueError):  # the stream went (a closed pipe at exit)
                    pass

    def _write_often(self) -> None:
        while not self._stopped.wait(BATCH_SECONDS):
            self.flush()

    def close(self) -> None:
        self._stopped.set()
        self.flush()
        super().close()


def direct_handler(logger: logging.Logger) -> BatchingStreamHandler | None:
    """hub's batching handler of plain text lines when it is the only place an INFO record
    of `logger` goes and only hub's context filter stands in the way (what `hub serve`
    configures); None otherwise (a test's or an embedding program's logging, JSON lines)."""
    if logger.filters or not logger.isEnabledFor(logging.INFO) or logger.disabled:
        return None
    root = logging.getLogger()
    node: logging.Logger | None = logger
    while node is not None and node is not root:  # the loggers a record propagates through
        if node.handlers or not node.propagate:
            return None
        node = node.parent
    if node is not root or root.filters or len(root.handlers) != 1:
        return None
    handler = root.handlers[0]
    if (
        type(handler) is not BatchingStreamHandler
        or handler.level > logging.INFO
        or type(handler.formatter) is not TextFormatter
        or handler.formatter._fmt != TEXT_FORMAT
        or any(type(f) is not ContextFilter for f in handler.filters)
    ):
        return None
    return handler


def log_info(logger: logging.Logger, message: str, extra: dict[str, object]) -> None:
    """`logger.info(message, extra=extra)` (`message` as it is, no %-arguments). Where the
    line goes only to hub's batching text handler (`direct_handler`), it is put together and
    queued without a `LogRecord`: the same line at a fraction of the cost (an access line
    per request was a sixth of `hub serve`'s CPU for a cached page, issue 20)."""
    handler = direct_handler(logger)
    if handler is None:
        logger.info(message, extra=extra)
        return
    formatter: TextFormatter = handler.formatter  # type: ignore[assignment]
    handler.add(formatter.plain_line(time.time(), "INFO", logger.name, message))


def batch_writes() -> None:
    """Make the handler `configure` added write in batches (`BatchingStreamHandler`), for a
    long-running command; nothing when logging was set up by someone else."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "hub_logs", False)]:
        if isinstance(old, BatchingStreamHandler):
            continue
        new = BatchingStreamHandler(old.stream)
        new.hub_logs = True  # type: ignore[attr-defined]
        new.setFormatter(old.formatter)
        for f in old.filters:
            new.addFilter(f)
        new.setLevel(old.level)
        root.removeHandler(old)
        root.addHandler(new)


def lighter_records() -> None:
    """Stop every record from collecting what hub's formats never print: the caller's file
    and line (a stack walk per record), the thread, the process and the asyncio task (the
    "Optimization" switches of Python's logging documentation). An access line per request
    then costs about half as much."""
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if hasattr(logging, "logAsyncioTasks"):  # Python 3.12+
        logging.logAsyncioTasks = False


def quiet(*, debug: bool = False) -> None:
    """Silence what repeats without news: arq's per-run lines (kept at DEBUG), uvicorn's
    access log (hub writes its own) and its start-up chatter (kept at DEBUG)."""
    arq_worker = logging.getLogger("arq.worker")
    for f in [f for f in arq_worker.filters if isinstance(f, ArqRunLines)]:
        arq_worker.removeFilter(f)
    if not debug:
        arq_worker.addFilter(ArqRunLines())
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("uvicorn.error").setLevel(logging.DEBUG if debug else logging.WARNING)
