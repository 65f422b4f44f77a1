"""hub next to WordPress (issue 20, item 4): the same wrk runs against both, on loopback.

WordPress is Debian's package behind nginx and PHP-FPM (OPcache on) with MariaDB, set up by
`setup-wordpress.sh` (root, once). hub is `hub serve` as a self-hoster runs it: the embedded
PostgreSQL and Redis in a fresh data directory, the job worker in the same process, the page
cache at its default size; and once more with the cache off (`HUB_PAGE_CACHE_BYTES=0`: every
request rendered, as the first one after a change is).

Both get the same 30 posts, made through their own write APIs from one content here (the
title "Post N", a heading and eight paragraphs with bold and emphasis, two tags; Markdown to
hub's Micropub, the HTML it renders to WordPress's REST API), and show 20 posts on the home
page and in each feed. Then `wrk -t1 -c32 -d10s` with `Accept-Encoding: gzip` for:

    entry page     /post-1/          /bench/post-1
    home page      /                 /bench            (the channel home)
    RSS feed       /feed/            /bench/rss.xml
    Atom feed      /feed/atom/       /bench/atom.xml
    post creation  POST /wp-json/wp/v2/posts (Basic auth, an application password)
                   POST /micropub (JSON, a bearer token)     both with post.lua

and prints requests per second, p99 and the hub/WordPress ratio. For post creation it also
prints the CPU per post, follow-up work included: the CPU of every process of each side (hub:
the serve process with its worker, PostgreSQL and Redis; WordPress: nginx, PHP-FPM and
MariaDB), summed with psutil from the start of the run until that side is idle again, over the
posts made. The posts a run makes in WordPress are deleted afterwards (by SQL, as root), so
every run sees the same 30.

Run as root (it reads the application password from /etc/wordpress/peer-app-password), alone
on the machine, from the repository root:

    flock /tmp/bench.lock .venv/bin/python bench/peer/compare.py

`BENCH_SECONDS` sets each wrk run's length (default 10); `PEER_WP_URL` WordPress's address
(default http://127.0.0.1:8090); `PEER_SETTLE` how long to wait for a side to be idle after
its posts (default 300 s). `compare.py --bodies DIR` only writes the two create bodies
(`wp.json`, `hub.json`) for running post.lua by hand.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from _loopback import stop  # noqa: E402
from _targets import target  # noqa: E402

CONNECTIONS = 32
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
SETTLE = float(os.environ.get("PEER_SETTLE", "300"))
POSTS = 30
WP = os.environ.get("PEER_WP_URL", "http://127.0.0.1:8090").rstrip("/")
WP_AUTH_FILE = Path(os.environ.get("PEER_WP_AUTH_FILE", "/etc/wordpress/peer-app-password"))
WP_SERVICES = {  # in the order they start: service name, its pid file
    "mariadb": "/run/mysqld/mysqld.pid",
    "php8.2-fpm": "/run/php/php8.2-fpm.pid",
    "nginx": "/run/nginx.pid",
}
WP_DATABASE = "wordpress_peer"
TAGS = ("bench", "peer")
PAGES = {  # what: (WordPress path, hub path)
    "entry page": ("/post-1/", "/bench/post-1"),
    "home page": ("/", "/bench"),
    "RSS feed": ("/feed/", "/bench/rss.xml"),
    "Atom feed": ("/feed/atom/", "/bench/atom.xml"),
}
GZIP = {"Accept-Encoding": "gzip"}
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}

# The content of every post; "{n}" is the post's number (post.lua fills it in per request).
WORDS = "Paragraph {i} with **bold**, *emphasis* and some words to read, as a post has them."
MARKDOWN = "## Post {n}\n\n" + "\n\n".join(WORDS.replace("{i}", str(i)) for i in range(8))
HTML = "<h2>Post {n}</h2>\n" + "\n".join(
    "<p>"
    + WORDS.replace("{i}", str(i))
    .replace("**bold**", "<strong>bold</strong>")
    .replace("*emphasis*", "<em>emphasis</em>")
    + "</p>"
    for i in range(8)
)


def hub_body() -> str:
    """A Micropub JSON create: the Markdown content, two categories, the slug post-{n}."""
    return json.dumps(
        {
            "type": ["h-entry"],
            "properties": {
                "name": ["Post {n}"],
                "content": [MARKDOWN],
                "category": list(TAGS),
                "mp-slug": ["post-{n}"],
            },
        }
    )


def wp_body(tag_ids: list[int]) -> str:
    """A WordPress REST create of the same post: its HTML, the same two tags, published."""
    return json.dumps(
        {
            "title": "Post {n}",
            "content": HTML,
            "status": "publish",
            "slug": "post-{n}",
            "tags": tag_ids,
        }
    )


@dataclass
class Wrk:
    rate: float  # requests per second
    p99: float  # ms
    requests: int


def wrk(
    url: str,
    *,
    script: Path | None = None,
    env: dict[str, str] | None = None,
    seconds: float = SECONDS,
) -> Wrk:
    """`wrk -t1 -c32` for `seconds` (GET with gzip, or `script`); fails on any non-2xx (and
    post.lua on any answer but 201 or 202)."""
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency"]
    argv += ["-s", str(script)] if script else ["-H", "Accept-Encoding: gzip"]
    done = subprocess.run(
        [*argv, url], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    out = done.stdout
    if done.returncode or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests at {url}:\n{out}{done.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Wrk(rate, float(value) * _UNITS[unit], requests)


# ---- CPU of a side's processes ----------------------------------------------------------


def _tree(roots: list[int]) -> list[psutil.Process]:
    procs: dict[int, psutil.Process] = {}
    for pid in roots:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                procs[p.pid] = p
    return list(procs.values())


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU of the processes under `roots`, with their reaped children's (a
    PostgreSQL backend or a PHP-FPM worker that has exited counts in its parent's)."""
    total = 0.0
    for p in _tree(roots):
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def settle(roots: list[int], limit: float = SETTLE) -> tuple[float, float]:
    """Wait until the processes under `roots` are idle (under 5% of a core for two seconds in
    a row); (their CPU seconds then, the seconds waited)."""
    start = time.monotonic()
    last, quiet = cpu_seconds(roots), 0
    while quiet < 2 and time.monotonic() - start < limit:
        time.sleep(1)
        now = cpu_seconds(roots)
        quiet = quiet + 1 if now - last < 0.05 else 0
        last = now
    return last, time.monotonic() - start


# ---- WordPress -------------------------------------------------------------------------


def _pid(file: str) -> int | None:
    try:
        pid = int(Path(file).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if psutil.pid_exists(pid) else None


@contextlib.contextmanager
def wp_running() -> Iterator[list[int]]:
    """WordPress's services for the block: those not running are started (`service NAME
    start`, without this process's open files, so not the `flock` around it) and stopped
    again at its end, so that they take no CPU from other benchmarks. The pids of their main
    processes."""
    started = []
    try:
        for name, file in WP_SERVICES.items():
            if _pid(file) is None:
                subprocess.run(["service", name, "start"], check=True, capture_output=True)
                started.append(name)
        deadline = time.monotonic() + 30
        while any(_pid(file) is None for file in WP_SERVICES.values()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"WordPress's services did not start: {WP_SERVICES}")
            time.sleep(0.2)
        yield [_pid(file) for file in WP_SERVICES.values()]  # type: ignore[misc]
    finally:
        for name in reversed(started):
            subprocess.run(["service", name, "stop"], check=False, capture_output=True)


def wp_auth() -> str:
    try:
        user_password = WP_AUTH_FILE.read_text().strip()
    except OSError as e:
        raise RuntimeError(
            f"{WP_AUTH_FILE}: run bench/peer/setup-wordpress.sh first (as root)"
        ) from e
    return "Basic " + base64.b64encode(user_password.encode()).decode()


def wp_seed(http: httpx.Client) -> list[int]:
    """The two tags and posts post-1 ... post-30 (those missing); the tags' ids."""
    ids = []
    for name in TAGS:
        found = http.get("/wp-json/wp/v2/tags", params={"slug": name}).json()
        if not found:
            found = [
                http.post("/wp-json/wp/v2/tags", json={"name": name}).raise_for_status().json()
            ]
        ids.append(found[0]["id"])
    slugs = [f"post-{n}" for n in range(1, POSTS + 1)]
    have = http.get("/wp-json/wp/v2/posts", params={"slug": ",".join(slugs), "per_page": 100})
    present = {p["slug"] for p in have.raise_for_status().json()}
    body = wp_body(ids)
    for n in range(1, POSTS + 1):
        if f"post-{n}" not in present:
            r = http.post(
                "/wp-json/wp/v2/posts",
                content=body.replace("{n}", str(n)),
                headers={"Content-Type": "application/json"},
            )
            assert r.status_code == 201, r.text
    return ids


def wp_forget(run: str) -> int:
    """Delete the posts this run made (slugs post-RUN-...), with their revisions, meta and
    tags, so that the next run sees the same 30 posts; how many posts it made (wrk counts
    the requests it saw answered; those in flight when it stopped made posts too)."""
    like = f"post-{run}-%"
    sql = f"""
    CREATE TEMPORARY TABLE gone AS
      SELECT ID FROM wp_posts WHERE post_name LIKE '{like}'
      UNION SELECT c.ID FROM wp_posts c JOIN wp_posts p ON c.post_parent = p.ID
            WHERE p.post_name LIKE '{like}';
    SELECT count(*) FROM wp_posts WHERE post_name LIKE '{like}' AND post_type = 'post';
    DELETE FROM wp_term_relationships WHERE object_id IN (SELECT ID FROM gone);
    DELETE FROM wp_postmeta WHERE post_id IN (SELECT ID FROM gone);
    DELETE FROM wp_posts WHERE ID IN (SELECT ID FROM gone);
    UPDATE wp_term_taxonomy tt SET count = (SELECT count(*) FROM wp_term_relationships r
                                            WHERE r.term_taxonomy_id = tt.term_taxonomy_id);
    """
    out = subprocess.run(
        ["mariadb", "-N", WP_DATABASE], input=sql, capture_output=True, text=True, check=True
    ).stdout
    return int(out.split()[0])


# ---- hub -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of `hub serve` as a self-hoster runs it: the embedded services (no
    DATABASE_URL / REDIS_URL), a data directory of its own, every other setting at its
    default but one: Micropub's rate limit of 60 writes per token a minute is off
    (`HUB_MICROPUB_RATE_WRITES=0`), as WordPress has none, so that the creates measure
    throughput rather than the limit."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HUB_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    return {
        **keep,
        "HUB_DATA_DIR": str(data_dir),
        "HUB_PORT": str(port),
        "HUB_BASE_URL": f"http://127.0.0.1:{port}",
        "HUB_MICROPUB_RATE_WRITES": "0",
        **extra,
    }


def hub_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def hub_token(data_dir: Path) -> str:
    """The owner and a Micropub token (create, update) in a new node; the token's secret."""
    env = hub_env(data_dir, 8000)
    hub_cli(env, "author", "add", "Peer Bench", "--channel", "bench", "--plan", "premium")
    out = hub_cli(
        env,
        "token",
        "create",
        "--author",
        "Peer Bench",
        "--scopes",
        "create,update",
        "--name",
        "peer bench",
    )
    return out.strip().splitlines()[-1].strip()


@contextlib.contextmanager
def hub_serve(data_dir: Path, **extra: str) -> Iterator[tuple[str, list[int]]]:
    """`hub serve` on a free port until the block ends: (its URL, the pids whose trees are
    the node: the serve process, the embedded PostgreSQL and Redis)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve"],
        env=hub_env(data_dir, port, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"hub serve exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/bench", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("hub serve did not answer /bench")
            time.sleep(0.3)
        embedded = [
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if p.pid != proc.pid and str(data_dir) in " ".join(p.info["cmdline"] or ())
        ]
        yield url, [proc.pid, *embedded]
    finally:
        stop(proc, 30)


def hub_seed(url: str, token: str) -> None:
    body = hub_body()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
        for n in range(1, POSTS + 1):
            r = http.post(
                "/micropub",
                content=body.replace("{n}", str(n)),
                headers={"Content-Type": "application/json"},
            )
            assert r.status_code in (201, 202), r.text


# ---- the runs --------------------------------------------------------------------------


def check(url: str) -> int:
    """The page answers 200 (no redirect) with a body; its size as sent, gzip kept."""
    with httpx.stream("GET", url, headers=GZIP) as r:
        body = b"".join(r.iter_raw())
    if r.status_code != 200 or len(body) < 200:
        raise RuntimeError(f"{url} answered {r.status_code} with {len(body)} bytes")
    return len(body)


@dataclass
class Creates:
    run: Wrk
    cpu_ms: float  # per post, follow-up work included
    made: int  # posts made
    settled: float  # seconds from the end of the run until the side was idle


def creates(url: str, auth: str, body: str, roots: list[int], run: str, tmp: Path) -> Creates:
    body_file = tmp / f"body-{run}.json"
    body_file.write_text(body)
    settle(roots, 30)
    before = cpu_seconds(roots)
    result = wrk(
        url,
        script=HERE / "post.lua",
        env={"PEER_BODY_FILE": str(body_file), "PEER_AUTH": auth, "PEER_RUN": run},
    )
    after, waited = settle(roots)
    return Creates(result, (after - before) * 1000 / result.requests, result.requests, waited)


def pages(base: str, paths: dict[str, str]) -> dict[str, tuple[Wrk, int]]:
    out = {}
    for name, path in paths.items():
        size = check(base + path)
        check(base + path)  # the second is the one a cache keeps
        out[name] = (wrk(base + path), size)
    return out


def git_commit() -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return "?"


def main() -> None:
    if shutil.which("wrk") is None:
        print("peer comparison: needs wrk (apt-get install wrk); skipped")
        return
    run = str(int(time.time()))
    auth = wp_auth()
    print(
        f"hub {git_commit()} next to WordPress at {WP}: wrk -t1 -c{CONNECTIONS} "
        f"-d{SECONDS:g}s, gzip, {POSTS} posts on each side"
    )
    with tempfile.TemporaryDirectory(prefix="hub-peer-") as tmp_name:
        tmp = Path(tmp_name)
        with wp_running() as roots:
            with httpx.Client(base_url=WP, headers={"Authorization": auth}, timeout=30) as http:
                tag_ids = wp_seed(http)
            settle(roots, 30)
            wp_pages = pages(WP, {name: paths[0] for name, paths in PAGES.items()})
            try:
                wp_posts = creates(
                    WP + "/wp-json/wp/v2/posts", auth, wp_body(tag_ids), roots, run, tmp
                )
            finally:
                made = wp_forget(run)
            wp_posts.cpu_ms *= wp_posts.made / made
            wp_posts.made = made
        data_dir = tmp / "data"
        token = hub_token(data_dir)
        with hub_serve(data_dir) as (url, hub_roots):
            hub_seed(url, token)
            settle(hub_roots, 60)
            hub_pages = pages(url, {name: paths[1] for name, paths in PAGES.items()})
            hub_posts = creates(
                url + "/micropub", f"Bearer {token}", hub_body(), hub_roots, run, tmp
            )
        with hub_serve(data_dir, HUB_PAGE_CACHE_BYTES="0") as (url, hub_roots):
            settle(hub_roots, 60)
            cold = pages(url, {name: paths[1] for name, paths in PAGES.items()})

    print(
        f"{'what':<14} {'WordPress req/s':>15} {'p99 ms':>7} {'hub req/s':>10} {'p99 ms':>7} "
        f"{'ratio':>6} {'hub uncached':>12} {'p99 ms':>7} {'ratio':>6}  bytes WP / hub"
    )
    for name in PAGES:
        (w, w_size), (h, h_size), (c, _) = wp_pages[name], hub_pages[name], cold[name]
        print(
            f"{name:<14} {w.rate:>15,.0f} {w.p99:>7.1f} {h.rate:>10,.0f} {h.p99:>7.1f} "
            f"{h.rate / w.rate:>6.1f} {c.rate:>12,.0f} {c.p99:>7.1f} {c.rate / w.rate:>6.1f}"
            f"  {w_size:,} / {h_size:,}"
        )
    w, h = wp_posts.run, hub_posts.run
    print(
        f"{'post creation':<14} {w.rate:>15,.0f} {w.p99:>7.1f} {h.rate:>10,.0f} {h.p99:>7.1f} "
        f"{h.rate / w.rate:>6.1f}"
    )
    print(
        f"CPU per post, follow-up work included: WordPress {wp_posts.cpu_ms:.1f} ms "
        f"({wp_posts.made:,} posts, idle {wp_posts.settled:.0f} s after the run; nginx, PHP-FPM, "
        f"MariaDB), hub {hub_posts.cpu_ms:.1f} ms ({hub_posts.made:,} posts, idle "
        f"{hub_posts.settled:.0f} s after; serve with its worker, PostgreSQL, Redis): "
        f"WordPress uses {wp_posts.cpu_ms / hub_posts.cpu_ms:.1f}x hub's"
    )
    print(f"(the {wp_posts.made:,} posts of this run deleted from WordPress again)")
    for name in PAGES:
        ratio = hub_pages[name][0].rate / wp_pages[name][0].rate
        target(
            f"peer {name}",
            f"hub {hub_pages[name][0].rate:,.0f} req/s vs WordPress {wp_pages[name][0].rate:,.0f}",
            ratio,
            1.0,
        )
    target(
        "peer post creation",
        f"hub {h.rate:,.0f} req/s vs WordPress {w.rate:,.0f}",
        h.rate / w.rate,
        1.0,
    )
    target(
        "peer CPU per post",
        f"hub {hub_posts.cpu_ms:.1f} ms vs WordPress {wp_posts.cpu_ms:.1f} ms",
        wp_posts.cpu_ms / hub_posts.cpu_ms,
        1.0,
    )


def write_bodies(directory: Path) -> None:
    """`--bodies DIR`: write the two create bodies post.lua sends, `wp.json` (with the tags'
    ids in this WordPress) and `hub.json`, for running wrk by hand."""
    directory.mkdir(parents=True, exist_ok=True)
    with wp_running(), httpx.Client(base_url=WP, headers={"Authorization": wp_auth()}) as http:
        (directory / "wp.json").write_text(wp_body(wp_seed(http)))
    (directory / "hub.json").write_text(hub_body())
    print(f"wrote {directory / 'wp.json'} and {directory / 'hub.json'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bodies":
        write_bodies(Path(sys.argv[2]))
    else:
        main()
