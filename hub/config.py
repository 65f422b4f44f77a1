"""Every setting of hub, read once from the environment.

Each field names its environment variable and documents its default; `docs/configuration.md`
lists them all (a test fails when one is missing there). Nothing reads `os.environ` at import
time: `Settings.from_env()` is called by the CLI and the tests, and the object is passed down.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a value hub cannot use."""


def setting(env: str, default: Any, doc: str, *, aliases: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc, "aliases": aliases})


MODERATION_POLICIES = ("auto", "manual")
PLAN_NAMES = ("free", "pro", "premium")  # the authors' plans (`hub.core.plans`), lowest first
WEBMENTION_POLICIES = ("auto", "known", "manual")


@dataclass(frozen=True)
class Settings:
    database_url: str | None = setting(
        "DATABASE_URL",
        None,
        "PostgreSQL URL. Unset: hub starts an embedded PostgreSQL under the data directory.",
        aliases=("HUB_DATABASE_URL",),
    )
    redis_url: str | None = setting(
        "REDIS_URL",
        None,
        "Redis URL (queues and rate-limit counters only). Unset: an embedded Redis is started.",
        aliases=("HUB_REDIS_URL",),
    )
    data_dir: Path = setting(
        "HUB_DATA_DIR", Path(".hub"), "Where the embedded PostgreSQL and Redis keep their data."
    )
    base_url: str | None = setting(
        "HUB_BASE_URL",
        None,
        "Public base URL of the node, used in every link hub serves. Default: "
        "http://HUB_HOST:HUB_PORT (http://127.0.0.1:8000).",
    )
    host: str = setting("HUB_HOST", "127.0.0.1", "Address `hub serve` listens on.")
    port: int = setting("HUB_PORT", 8000, "Port `hub serve` listens on.")
    media_dir: Path | None = setting(
        "HUB_MEDIA_DIR", None, "Where uploaded and processed media live. Default: DATA_DIR/media."
    )
    max_body_bytes: int = setting(
        "HUB_MAX_BODY_BYTES",
        2 * 1024 * 1024,
        "Largest form or JSON request body accepted, in bytes (413 above it).",
    )
    v1_max_body_bytes: int = setting(
        "HUB_V1_MAX_BODY",
        20 * 1024 * 1024,
        "Largest JSON body accepted by the v1 API (articles), in bytes.",
    )
    max_url_bytes: int = setting(
        "HUB_MAX_URL_BYTES",
        8 * 1024,
        "Longest request target (path and query) accepted, in bytes (414 above it, before the "
        "app runs).",
    )
    max_header_bytes: int = setting(
        "HUB_MAX_HEADER_BYTES",
        32 * 1024,
        "Largest total of request header names and values accepted, in bytes (431 above it, "
        "before the app runs).",
    )
    max_headers: int = setting(
        "HUB_MAX_HEADERS", 100, "Most request headers accepted (431 above it, before the app runs)."
    )
    max_upload_bytes: int = setting(
        "HUB_MEDIA_MAX_BYTES", 10 * 1024 * 1024, "Largest image file accepted, in bytes."
    )
    max_multipart_bytes: int = setting(
        "HUB_MAX_MULTIPART_BYTES",
        50 * 1024 * 1024,
        "Largest multipart request accepted (Micropub with files), in bytes.",
    )
    max_image_pixels: int = setting(
        "HUB_MEDIA_MAX_PIXELS", 24_000_000, "Largest image accepted, in pixels (width x height)."
    )
    media_sharp_yuv: bool = setting(
        "HUB_MEDIA_SHARP_YUV",
        False,
        "`1`: v1 media WebPs use libwebp's sharp RGB->YUV conversion (crisper colour edges; "
        "about +70% encode time and +15% bytes).",
    )
    media_retention_days: int = setting(
        "HUB_MEDIA_RETENTION_DAYS", 90, "Days an upload may stay unattached before it is deleted."
    )
    media_preview_require_token: bool = setting(
        "HUB_MEDIA_PREVIEW_REQUIRE_TOKEN",
        False,
        "`1`: GET /micropub/media/{id} needs a token of the blog (Pika's rule). Default: the "
        "upload URL is a capability and a token, if sent, is still checked.",
    )
    moderation: str = setting(
        "HUB_MODERATION",
        "auto",
        "Moderation policy for publishing requests: `auto` or `manual` (per-author override).",
    )
    rate_micropub_writes: int = setting(
        "HUB_MICROPUB_RATE_WRITES", 60, "Micropub writes per token per minute (0: unlimited)."
    )
    rate_micropub_uploads: int = setting(
        "HUB_MICROPUB_RATE_UPLOADS", 30, "Micropub media uploads per token per minute."
    )
    rate_micropub_queries: int = setting(
        "HUB_MICROPUB_RATE_QUERIES", 300, "Micropub queries and media GETs per token per minute."
    )
    rate_v1_free: int = setting(
        "HUB_V1_RATE_FREE", 60, "v1 API requests per key per minute, free plan."
    )
    rate_v1_pro: int = setting(
        "HUB_V1_RATE_PRO", 300, "v1 API requests per key per minute, pro plan."
    )
    rate_v1_premium: int = setting(
        "HUB_V1_RATE_PREMIUM", 1000, "v1 API requests per key per minute, premium plan."
    )
    v1_plans: tuple[str, ...] = setting(
        "HUB_V1_PLANS",
        ("free", "pro", "premium"),
        "Comma-separated plans whose keys may write through the v1 API (others get 403).",
    )
    new_author_plan: str = setting(
        "HUB_NEW_AUTHOR_PLAN",
        "free",
        "Plan (`free`, `pro` or `premium`) of a new author unless `hub author add --plan` "
        "says otherwise. Plans never limit the node's owner.",
    )
    channels_free: int = setting("HUB_CHANNELS_FREE", 1, "Channels a free-plan author may own.")
    channels_pro: int = setting("HUB_CHANNELS_PRO", 10, "Channels a pro-plan author may own.")
    channels_premium: int = setting(
        "HUB_CHANNELS_PREMIUM", 100, "Channels a premium-plan author may own."
    )
    schedule_min_lead_seconds: int = setting(
        "HUB_SCHEDULE_MIN_LEAD",
        0,
        "Seconds a v1 `scheduled_at` must lie in the future at least.",
    )
    rate_directory_anon: int = setting(
        "DIRECTORY_RATE_ANON",
        60,
        "Directory API requests per minute for anonymous callers (per IP).",
    )
    rate_directory_free: int = setting(
        "DIRECTORY_RATE_FREE", 100, "Directory API requests per minute for a free account's token."
    )
    rate_directory_premium: int = setting(
        "DIRECTORY_RATE_PREMIUM", 1000, "Directory API requests per minute for a premium token."
    )
    directory_cache_seconds: int = setting(
        "DIRECTORY_CACHE_SECONDS",
        30,
        "Seconds anonymous GET responses of the directory's public reads are cached in Redis "
        "(0: no cache). Token holders always get fresh responses.",
    )
    directory_host_concurrency: int = setting(
        "HUB_DIRECTORY_HOST_CONCURRENCY",
        2,
        "Feed fetches one host may have running at once, across all workers (0: no cap).",
    )
    directory_host_interval: float = setting(
        "HUB_DIRECTORY_HOST_INTERVAL",
        1.0,
        "Seconds between two feed fetches from the same host (0: no pause).",
    )
    rate_failed_auth_per_ip: int = setting(
        "HUB_RATE_FAILED_AUTH", 20, "Failed authentications per client IP per minute before 429."
    )
    trusted_proxies: tuple[str, ...] = setting(
        "HUB_TRUSTED_PROXIES",
        (),
        "Comma-separated proxy addresses whose X-Forwarded-For is believed for client IPs.",
    )
    allow_loopback_fetch: bool = setting(
        "HUB_ALLOW_LOOPBACK_FETCH",
        False,
        "TEST ONLY. `1` lets outbound fetches reach loopback addresses. Never set in production.",
    )
    fetch_timeout_seconds: float = setting(
        "HUB_FETCH_TIMEOUT", 15.0, "Total seconds one outbound fetch may take."
    )
    fetch_max_bytes: int = setting(
        "HUB_FETCH_MAX_BYTES",
        20 * 1024 * 1024,
        "Largest body one outbound fetch may read, in bytes.",
    )
    fetch_max_redirects: int = setting(
        "HUB_FETCH_MAX_REDIRECTS", 5, "Redirects one outbound fetch may follow."
    )
    webmention_moderation: str = setting(
        "HUB_WEBMENTION_MODERATION",
        "known",
        "Received webmentions: `auto` approves what verifies, `known` approves sources whose "
        "domain already has an approved mention (others wait as pending), `manual` holds all.",
    )
    webmention_blocklist: tuple[str, ...] = setting(
        "HUB_WEBMENTION_BLOCKLIST",
        (),
        "Comma-separated domains whose webmentions are stored as blocked and never fetched "
        "(each also blocks its subdomains).",
    )
    webmention_rate_ip: int = setting(
        "HUB_WEBMENTION_RATE_IP", 30, "Webmentions accepted per client IP per minute (0: no limit)."
    )
    webmention_rate_ip_day: int = setting(
        "HUB_WEBMENTION_RATE_IP_DAY",
        500,
        "Webmentions accepted per client IP per day (0: no limit).",
    )
    webmention_rate_source: int = setting(
        "HUB_WEBMENTION_RATE_SOURCE",
        60,
        "Webmentions accepted per source domain per hour (0: no limit).",
    )
    webmention_max_queued: int = setting(
        "HUB_WEBMENTION_MAX_QUEUED",
        200,
        "Queued plus pending webmentions one target may have before new ones get 429.",
    )
    ap_max_body_bytes: int = setting(
        "HUB_AP_MAX_BODY_BYTES",
        256 * 1024,
        "Largest activity accepted at an ActivityPub inbox, in bytes (413 above it, unread).",
    )
    ap_rate_domain: int = setting(
        "HUB_AP_RATE_DOMAIN",
        300,
        "Activities accepted at the ActivityPub inboxes per sending domain per minute "
        "(0: no limit).",
    )
    ap_dead_after_days: int = setting(
        "HUB_AP_DEAD_AFTER_DAYS",
        7,
        "Days a fediverse follower's inbox may keep failing, with no delivery getting through, "
        "before the follower is dropped.",
    )
    db_pool_min: int = setting("HUB_DB_POOL_MIN", 2, "Smallest PostgreSQL pool per process.")
    db_pool_max: int = setting("HUB_DB_POOL_MAX", 20, "Largest PostgreSQL pool per process.")
    run_worker: bool | None = setting(
        "HUB_RUN_WORKER",
        None,
        "Run the job worker inside `hub serve`. Default: yes in embedded mode, no with REDIS_URL.",
    )
    log_level: str = setting("HUB_LOG_LEVEL", "info", "Log level: debug, info, warning, error.")
    log_format: str = setting(
        "HUB_LOG_FORMAT",
        "text",
        "Log format: `text` (one plain line per record) or `json` (one JSON object per line).",
    )
    metrics_token: str | None = setting(
        "HUB_METRICS_TOKEN",
        None,
        "Bearer token that `GET /metrics` requires (Prometheus text). Unset: /metrics is a 404.",
    )
    page_cache_bytes: int = setting(
        "HUB_PAGE_CACHE_BYTES",
        64 * 1024 * 1024,
        "Memory each `hub serve` process gives to rendered public pages and feeds for "
        "anonymous readers, in bytes (0: no page cache).",
    )
    page_cache_seconds: int = setting(
        "HUB_PAGE_CACHE_SECONDS",
        600,
        "Longest time a cached page or feed is served before it is rendered again, in seconds "
        "(a safety net: changes drop it at once).",
    )
    feed_items: int = setting(
        "HUB_FEED_ITEMS", 20, "Entries in each RSS, Atom and JSON feed (newest first)."
    )
    websub_hub: str | None = setting(
        "HUB_WEBSUB_HUB",
        None,
        "URL of an external WebSub hub: advertised in feeds and pinged on publish.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            names = (f.metadata["env"], *f.metadata["aliases"])
            raw = next((env[n] for n in names if env.get(n, "").strip() != ""), None)
            if raw is not None:
                values[f.name] = _parse(f, raw.strip())
        values.update(overrides)
        return cls(**values).validated()

    def validated(self) -> Settings:
        if self.moderation not in MODERATION_POLICIES:
            raise SettingsError(f"HUB_MODERATION must be one of {', '.join(MODERATION_POLICIES)}")
        if self.webmention_moderation not in WEBMENTION_POLICIES:
            raise SettingsError(
                f"HUB_WEBMENTION_MODERATION must be one of {', '.join(WEBMENTION_POLICIES)}"
            )
        if self.new_author_plan not in PLAN_NAMES:
            raise SettingsError(f"HUB_NEW_AUTHOR_PLAN must be one of {', '.join(PLAN_NAMES)}")
        if not 0 < self.port < 65536:
            raise SettingsError("HUB_PORT must be between 1 and 65535")
        if self.page_cache_bytes < 0 or self.page_cache_seconds < 0:
            raise SettingsError("HUB_PAGE_CACHE_BYTES and HUB_PAGE_CACHE_SECONDS must be 0 or more")
        base_url = self.base_url or f"http://{_public_host(self.host)}:{self.port}"
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError("HUB_BASE_URL must start with http:// or https://")
        return dataclasses.replace(
            self,
            base_url=base_url.rstrip("/"),
            data_dir=Path(self.data_dir).expanduser().resolve(),
            media_dir=(
                Path(self.media_dir).expanduser().resolve()
                if self.media_dir
                else Path(self.data_dir).expanduser().resolve() / "media"
            ),
        )

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def worker_in_process(self) -> bool:
        if self.run_worker is not None:
            return self.run_worker
        return self.embedded_redis


def _public_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _parse(f: dataclasses.Field, raw: str) -> Any:
    kind = str(f.type)
    env = f.metadata["env"]
    try:
        if kind.startswith("bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("Path"):
            return Path(raw)
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw
    except ValueError:
        raise SettingsError(f"{env}={raw!r} is not a valid {kind.split(' ')[0]}") from None


def documented_settings() -> list[tuple[str, Any, str]]:
    """(environment variable, default, description) for every setting, for docs and tests."""
    return [(f.metadata["env"], f.default, f.metadata["doc"]) for f in dataclasses.fields(Settings)]
