"""A real Fedify server (npm `@fedify/fedify` 1.10, `tests/activitypub/fedify/`) for the tests.

`fedify` (session scope) installs the pinned packages when `node_modules` is missing (`npm ci`
from the lockfile), starts `node server.mjs` on a free port of 127.0.0.1, waits for its ready
line and yields a `Fedify`: `.url`, `.actor_url`, and async methods over its control API that
make Fedify look up, follow, like, boost, reply, update, delete and undo, each signed by its
actor the way Fedify signs (RFC 9421 first, draft-cavage on a 4xx, "double knocking"), and
report what its inbox verified (`inbox()`) or refused (`rejected()`). `start_fedify()` starts
another one (a second fediverse server). Skips, saying why, only when `node` (20 or newer) is
not installed.

The methods are async so that a test may serve hub in its own event loop: Fedify calls back
(fetching the channel's actor and key, delivering Accept) while a request to it is pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).parent / "fedify"
READY_TIMEOUT = 60.0  # seconds: RSA key generation and module loading on a busy 2-core machine
CALL_TIMEOUT = 60.0  # a send waits for the remote inbox (and Fedify's own fetches) to answer


class FedifyError(AssertionError):
    """A control call Fedify answered with an error (the remote refused, nothing found...)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"Fedify answered {status}: {body.get('error')}")
        self.status = status
        self.body = body
        self.remote_status: int | None = body.get("remote_status")


@dataclass
class Fedify:
    """One running Fedify server and its actor (`alice` unless started with another name)."""

    url: str  # http://127.0.0.1:PORT
    actor_url: str  # http://127.0.0.1:PORT/users/alice
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # its stdout and stderr lines

    @property
    def handle(self) -> str:
        """The actor's fediverse handle, `alice@127.0.0.1:PORT`."""
        return f"{self.actor_url.rsplit('/', 1)[1]}@{self.url.split('://', 1)[1]}"

    @property
    def inbox_url(self) -> str:
        return f"{self.actor_url}/inbox"

    @property
    def shared_inbox_url(self) -> str:
        return f"{self.url}/inbox"

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url, timeout=CALL_TIMEOUT) as client:
            response = await client.request(method, f"/_control/{path}", **kwargs)
        body = response.json()
        if response.status_code != 200:
            raise FedifyError(response.status_code, body)
        return body

    async def _post(self, path: str, body: dict[str, Any], shared_inbox: bool) -> dict[str, Any]:
        if shared_inbox:
            body = {**body, "sharedInbox": True}
        return await self._call("POST", path, json=body)

    async def lookup(self, resource: str, *, fresh: bool = False) -> dict[str, Any]:
        """What Fedify's `lookupObject` finds for an `acct:`/handle or a URL: for an actor
        `id`, `type`, `preferredUsername`, `name`, `inbox`, `sharedInbox`, `followers`,
        `publicKey` {id, owner, algorithm}, `icon`, ...; for an object `content`, `name`,
        `attributedTo`, `inReplyTo`, `tags`, `attachments`, ...; always `json` (Fedify's
        own compact JSON-LD of what it understood). `fresh` skips Fedify's 5-minute cache."""
        return await self._call("POST", "lookup", json={"resource": resource, "fresh": fresh})

    async def webfinger(self, resource: str) -> dict[str, Any]:
        """The JRD Fedify's `lookupWebFinger` reads for `acct:name@host:port` or a URL."""
        return await self._call("POST", "webfinger", json={"resource": resource})

    async def fetch(self, url: str) -> dict[str, Any]:
        """Fedify's document loader on `url` (uncached, `Accept: application/activity+json,
        application/ld+json` as Fedify sends it): `document` (the JSON as served),
        `documentUrl`, and the parsed object as in `lookup`. A 4xx/5xx raises `FedifyError`
        with `.remote_status`."""
        return await self._call("GET", "fetch", params={"url": url})

    async def follow(self, actor: str, *, shared_inbox: bool = False) -> dict[str, Any]:
        """Sends a Follow of `actor` (a URL or handle); `{"id", "inbox", "json"}` once the
        inbox answered 2xx. The Accept arrives in `inbox()`; `following()` says accepted."""
        return await self._post("follow", {"actor": actor}, shared_inbox)

    async def unfollow(self, actor: str, *, shared_inbox: bool = False) -> dict[str, Any]:
        """Sends Undo of the Follow sent by `follow(actor)` (the Follow embedded)."""
        return await self._post("unfollow", {"actor": actor}, shared_inbox)

    async def like(
        self, object_url: str, *, to: str | None = None, shared_inbox: bool = False
    ) -> dict[str, Any]:
        """Sends Like of `object_url` to its `attributedTo` actor (or `to`)."""
        return await self._post("like", _drop_none(object=object_url, to=to), shared_inbox)

    async def announce(
        self, object_url: str, *, to: str | None = None, shared_inbox: bool = False
    ) -> dict[str, Any]:
        """Sends a public Announce (boost) of `object_url` to its author (or `to`)."""
        return await self._post("announce", _drop_none(object=object_url, to=to), shared_inbox)

    async def reply(
        self,
        in_reply_to: str,
        content: str,
        *,
        to: str | None = None,
        shared_inbox: bool = False,
    ) -> dict[str, Any]:
        """Sends Create of a public Note replying to `in_reply_to` (with a Mention of its
        author) to that author (or `to`). `result["object"]` is the Note's id, served by
        Fedify at that URL until deleted."""
        body = _drop_none(inReplyTo=in_reply_to, content=content, to=to)
        return await self._post("reply", body, shared_inbox)

    async def update(
        self, note_id: str, content: str, *, shared_inbox: bool = False
    ) -> dict[str, Any]:
        """Sends Update of a Note sent by `reply` with new content."""
        return await self._post("update", {"object": note_id, "content": content}, shared_inbox)

    async def delete(self, note_id: str, *, shared_inbox: bool = False) -> dict[str, Any]:
        """Sends Delete (object: a Tombstone with the Note's id) of a Note sent by `reply`;
        Fedify answers 404 for the Note from then on."""
        return await self._post("delete", {"object": note_id}, shared_inbox)

    async def undo(self, activity_id: str, *, shared_inbox: bool = False) -> dict[str, Any]:
        """Sends Undo of a Like or Announce sent before (the activity embedded)."""
        return await self._post("undo", {"activity": activity_id}, shared_inbox)

    async def inbox(self) -> list[dict[str, Any]]:
        """Every activity Fedify's inbox verified and handed to a listener, oldest first:
        `type`, `id`, `actor`, `object_id`, `object` (as received), `json`, `recipient`
        (None: the shared inbox), `verified_by` ("http-signature", "ld-signature",
        "object-integrity-proof"), `signature` (the header scheme: "draft-cavage"/"rfc9421"),
        `headers` (signature, digest, date, host as received); an Accept of one of our Follows
        has `accepts_follow` (that Follow's id)."""
        return (await self._call("GET", "inbox"))["activities"]

    async def rejected(self) -> list[dict[str, Any]]:
        """Inbox POSTs Fedify refused (status >= 400) with its reason in `log` (its debug
        lines, e.g. "Failed to verify; digest mismatch") and `response`."""
        return (await self._call("GET", "inbox"))["rejected"]

    async def wait_for(self, type_: str, *, within: float = 30.0, **match: Any) -> dict[str, Any]:
        """The first received activity of `type_` whose fields equal `match` (e.g.
        `object_id=...`), polling for `within` seconds; fails saying what did arrive."""
        deadline = time.monotonic() + within
        while True:
            activities = await self.inbox()
            for activity in activities:
                if activity["type"] == type_ and all(
                    activity.get(k) == v for k, v in match.items()
                ):
                    return activity
            if time.monotonic() > deadline:
                seen = [(a["type"], a["id"]) for a in activities]
                refused = [(r["status"], r["type"], r["log"][-3:]) for r in await self.rejected()]
                pytest.fail(
                    f"Fedify received no {type_} {match} in {within}s; it received {seen}"
                    f" and refused {refused}"
                )
            await asyncio.sleep(0.1)

    async def state(self) -> dict[str, Any]:
        """`following` [{actor, follow, accepted}], `followers` [actor ids], `notes`."""
        return await self._call("GET", "state")

    async def following(self) -> dict[str, bool]:
        """Actor id -> whether our Follow was accepted."""
        return {f["actor"]: f["accepted"] for f in (await self.state())["following"]}

    async def reset(self) -> None:
        """Forgets the received and refused activities (not follows, keys or caches)."""
        await self._call("POST", "reset")


def _drop_none(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def node_missing() -> str | None:
    """Why Fedify cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "Node.js (`node`) is not installed: the Fedify interoperability tests need it"
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    major = version.lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < 20:
        return f"Node.js {version or '?'} is too old for Fedify 1.10: the tests need 20 or newer"
    return None


def install() -> None:
    """`npm ci` from the lockfile when `node_modules` is missing or older than the lockfile."""
    marker = HERE / "node_modules" / ".package-lock.json"
    lock = HERE / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("node is installed but npm is not: cannot install tests/activitypub/fedify")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}")


@contextlib.contextmanager
def start_fedify(actor: str = "alice", *, debug: bool = False) -> Iterator[Fedify]:
    """A Fedify server with one actor named `actor`, until the block ends. `debug` copies
    Fedify's debug log to its `output` (and stderr)."""
    missing = node_missing()
    if missing:
        pytest.skip(missing)
    install()
    env = {**os.environ, "FEDIFY_ACTOR": actor}
    if debug:
        env["FEDIFY_DEBUG"] = "1"
    process = subprocess.Popen(
        ["node", "server.mjs", "0"],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def pump() -> None:  # keeps the pipe drained for the life of the process
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name=f"fedify-{actor}", daemon=True).start()
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                pytest.fail("Fedify did not start:\n" + "\n".join(output))
            if line.startswith("ready "):
                _, url, actor_url = line.split()
                break
        yield Fedify(url=url, actor_url=actor_url, process=process, output=output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def fedify() -> Iterator[Fedify]:
    """One Fedify server (actor `alice`) for the session. Its received activities
    accumulate: match them by id (`wait_for`), or `await fedify.reset()` first."""
    with start_fedify("alice") as server:
        yield server
