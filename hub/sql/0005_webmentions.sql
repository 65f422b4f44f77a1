-- Webmentions (webmention-site-feeds.md §1.7, §2.4): mentions received from other sites,
-- the sends of our own entries (every target an entry ever linked to, so updates and deletes
-- reach removed links), the owner's blocklist and the domains the `known` policy trusts.
-- Depends on 0001 (entries, channels, hub_touch_updated_at).

-- A mention received at POST /api/webmentions: one row per (source, target) pair, re-verified
-- in place on every re-send. `id` is the public status-URL id (22 random URL-safe characters).
CREATE TABLE webmentions (
    id                text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{22}$'),
    source            text NOT NULL CHECK (length(source) BETWEEN 1 AND 2048),
    target            text NOT NULL CHECK (length(target) BETWEEN 1 AND 2048),  -- as sent
    source_norm       text NOT NULL,                -- §1.4, for identity and matching
    target_norm       text NOT NULL,
    source_host       text NOT NULL,                -- lowercase host, for blocks and limits
    source_domain     text NOT NULL,                -- registrable domain of the source host
    entry_id          bigint REFERENCES entries (id) ON DELETE CASCADE,  -- NULL: channel home
    channel_id        bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    target_lang       text,
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'approved', 'pending', 'rejected', 'deleted',
                                        'error', 'blocked')),
    type              text NOT NULL DEFAULT 'mention'
                      CHECK (type IN ('reply', 'repost', 'like', 'bookmark', 'mention')),
    rsvp              text CHECK (rsvp IN ('yes', 'no', 'maybe', 'interested')),
    author_name       text CHECK (length(author_name) <= 200),
    author_url        text CHECK (author_url ~ '^https?://'),
    author_photo      text CHECK (author_photo ~ '^https?://'),  -- the source's URL, not shown as is
    url               text CHECK (url ~ '^https?://'),
    name              text CHECK (length(name) <= 1000),
    content_html      text,                         -- sanitised and shortened
    content_text      text,
    published_at      timestamptz,
    raw_mf2           jsonb,
    last_http_status  integer,
    error             text,
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,                  -- a retry is due (5xx, timeouts)
    resend_seq        integer NOT NULL DEFAULT 0,   -- bumped by each re-send (R-W5)
    not_found_at      timestamptz,                  -- first 404 of an approved mention (R-W6)
    sender_ip_hash    text,
    received_at       timestamptz NOT NULL DEFAULT now(),   -- last (re-)send
    verified_at       timestamptz,
    approved_at       timestamptz,
    deleted_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webmentions_pair_key ON webmentions (source_norm, target_norm);
CREATE INDEX webmentions_entry_idx ON webmentions (entry_id, status, published_at)
    WHERE entry_id IS NOT NULL;
CREATE INDEX webmentions_channel_home_idx ON webmentions (channel_id, status, published_at)
    WHERE entry_id IS NULL;
CREATE INDEX webmentions_status_idx ON webmentions (status, received_at);
CREATE INDEX webmentions_due_idx ON webmentions (next_attempt_at) WHERE status = 'queued';
CREATE INDEX webmentions_source_host_idx ON webmentions (source_host);
CREATE INDEX webmentions_source_domain_idx ON webmentions (source_domain);
CREATE TRIGGER webmentions_touch BEFORE UPDATE ON webmentions
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- One row per (entry, target) our entry ever linked to (§2.4). `target` is the URL as linked;
-- `target_norm` (§1.4) de-duplicates spellings of the same URL.
CREATE TABLE webmention_sends (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id            bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    target              text NOT NULL CHECK (target ~ '^https?://'),
    target_norm         text NOT NULL,
    source              text,                       -- the permalink sent as `source`
    endpoint            text,
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'failed', 'no_endpoint')),
    linked              boolean NOT NULL DEFAULT true,
    first_linked_at     timestamptz NOT NULL DEFAULT now(),
    last_linked_at      timestamptz NOT NULL DEFAULT now(),
    unlinked_at         timestamptz,
    attempts            integer NOT NULL DEFAULT 0,
    last_attempt_at     timestamptz,
    next_attempt_at     timestamptz,
    last_http_status    integer,
    last_location       text,
    last_error          text,
    removal_notified_at timestamptz,
    title               text,                       -- the target page's <title> (R-W23)
    entry_version       integer,                    -- entries.version when last sent
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webmention_sends_entry_target_key ON webmention_sends (entry_id, target_norm);
CREATE INDEX webmention_sends_due_idx ON webmention_sends (next_attempt_at)
    WHERE status = 'pending';
CREATE TRIGGER webmention_sends_touch BEFORE UPDATE ON webmention_sends
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- The owner's blocklist (§1.8): a `domain` block matches the domain and every subdomain.
CREATE TABLE webmention_blocks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('domain', 'url')),
    pattern    text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 2048),
    reason     text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webmention_blocks_key ON webmention_blocks (kind, pattern);

-- Registrable domains with at least one approved mention (the `known` moderation policy).
CREATE TABLE webmention_known_sources (
    domain            text PRIMARY KEY,
    first_approved_at timestamptz NOT NULL DEFAULT now()
);

-- Part of the entry page's ETag (§3.7): moves when an approved mention changes.
ALTER TABLE entries ADD COLUMN mentions_changed_at timestamptz;
-- DOC "if the user has enabled Webmentions": a channel may turn sending off (§2.1).
ALTER TABLE channels ADD COLUMN send_webmentions boolean NOT NULL DEFAULT true;
