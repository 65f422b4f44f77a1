-- The directory (Pine.blog-style API at /api): sites, their feeds, the posts found in them, tags,
-- recommendations, subscriptions and feed.updated webhooks.
-- Depends on 0001 only (authors, channels, hub_touch_updated_at, pg_trgm).
-- Ids are UUIDv4 (they appear in public API URLs); times are timestamptz.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- `unaccent` is only STABLE (its dictionary could change); generated columns and index
-- expressions need an IMMUTABLE function, so name the dictionary explicitly and promise it.
CREATE FUNCTION hub_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- A blog in the directory. Identity is the normalised home page (`link_key`).
CREATE TABLE sites (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    link                  text NOT NULL CHECK (link ~ '^https?://'),
    link_key              text NOT NULL,
    title                 text NOT NULL DEFAULT '' CHECK (length(title) <= 1000),
    description           text CHECK (description IS NULL OR length(description) <= 1000),
    type                  text NOT NULL DEFAULT 'blog'
                          CHECK (type IN ('blog', 'microblog', 'photoblog')),
    type_locked           boolean NOT NULL DEFAULT false,
    icon                  text,
    language              text,
    total_recommendations integer NOT NULL DEFAULT 0 CHECK (total_recommendations >= 0),
    posts_since_classified integer NOT NULL DEFAULT 0,
    channel_id            bigint REFERENCES channels (id) ON DELETE SET NULL,  -- our own blogs
    added_by              bigint REFERENCES authors (id) ON DELETE SET NULL,
    hidden_at             timestamptz,
    last_post_at          timestamptz,        -- the API's `updated_at`: newest post time
    created_at            timestamptz NOT NULL DEFAULT now(),
    search_vector         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', hub_unaccent(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('simple', hub_unaccent(coalesce(description, ''))), 'B')
        || setweight(to_tsvector('simple', hub_unaccent(coalesce(link, ''))), 'C')
    ) STORED
);
CREATE UNIQUE INDEX sites_link_key ON sites (link_key);
CREATE INDEX sites_search_idx ON sites USING gin (search_vector);
CREATE INDEX sites_title_trgm ON sites USING gin (lower(title) gin_trgm_ops);
CREATE INDEX sites_description_trgm ON sites USING gin (lower(description) gin_trgm_ops);
CREATE INDEX sites_link_trgm ON sites USING gin (lower(link) gin_trgm_ops);
CREATE INDEX sites_type_idx ON sites (type, id) WHERE hidden_at IS NULL;
CREATE INDEX sites_recommendations_idx ON sites (total_recommendations, id)
    WHERE hidden_at IS NULL;
CREATE INDEX sites_created_idx ON sites (created_at, id) WHERE hidden_at IS NULL;
CREATE INDEX sites_last_post_idx ON sites (last_post_at, id) WHERE hidden_at IS NULL;
CREATE INDEX sites_title_idx ON sites (title, id) WHERE hidden_at IS NULL;
CREATE INDEX sites_channel_idx ON sites (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX sites_added_by_idx ON sites (added_by) WHERE added_by IS NOT NULL;

-- A feed document of a site (RSS, Atom, JSON Feed or an h-feed page), with its poll state.
CREATE TABLE feeds (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    site_id               uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    feed_url              text NOT NULL CHECK (feed_url ~ '^https?://'),
    feed_key              text NOT NULL,      -- normalised feed_url (query kept)
    link                  text,
    title                 text NOT NULL DEFAULT '',
    description           text,
    format                text NOT NULL CHECK (format IN ('rss', 'atom', 'jsonfeed', 'hfeed')),
    format_version        text,
    is_main               boolean NOT NULL DEFAULT false,
    status                text NOT NULL DEFAULT 'active'
                          CHECK (status IN ('active', 'error', 'gone', 'dormant')),
    icon                  text,
    language              text,
    -- conditional GET and change detection
    etag                  text,
    last_modified         text,
    body_sha256           bytea,
    -- schedule
    poll_interval_seconds integer NOT NULL DEFAULT 3600 CHECK (poll_interval_seconds > 0),
    next_poll_at          timestamptz NOT NULL DEFAULT now(),
    last_fetched_at       timestamptz,
    last_status           integer,
    last_error            text,
    error_count           integer NOT NULL DEFAULT 0,
    error_since           timestamptz,
    not_found_since       timestamptz,
    redirect_url          text,               -- pending permanent redirect target
    redirect_count        integer NOT NULL DEFAULT 0,
    -- WebSub
    websub_hub            text,
    websub_topic          text,
    websub_secret         text,
    websub_token          text,
    websub_expires_at     timestamptz,
    posts_changed_at      timestamptz,        -- the API's `updated_at`
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX feeds_feed_key ON feeds (feed_key);
CREATE UNIQUE INDEX feeds_one_main_per_site ON feeds (site_id) WHERE is_main;
CREATE INDEX feeds_site_idx ON feeds (site_id, is_main DESC, feed_url, id);
CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE status <> 'gone';
CREATE INDEX feeds_url_trgm ON feeds USING gin (lower(feed_url) gin_trgm_ops);
CREATE INDEX feeds_websub_token_idx ON feeds (websub_token) WHERE websub_token IS NOT NULL;

-- An item found in a feed. Never deleted because it left the feed; identity per feed.
CREATE TABLE posts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    feed_id       uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    site_id       uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    identity      text NOT NULL,              -- guid, else normalised link, else a content hash
    guid          text,
    link          text,
    link_key      text,
    title         text,
    content       text NOT NULL DEFAULT '' CHECK (octet_length(content) <= 262144),
    content_text  text NOT NULL DEFAULT '',
    summary       text CHECK (summary IS NULL OR length(summary) <= 500),
    image         text,
    attachments   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attachments) = 'array'),
    author        jsonb CHECK (author IS NULL OR jsonb_typeof(author) = 'object'),
    tags          text[] NOT NULL DEFAULT '{}',
    in_reply_to   text,
    content_hash  bytea NOT NULL CHECK (octet_length(content_hash) = 32),
    published_at  timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX posts_feed_identity_key ON posts (feed_id, identity);
CREATE INDEX posts_feed_published_idx ON posts (feed_id, published_at DESC, id DESC);
CREATE INDEX posts_site_published_idx ON posts (site_id, published_at DESC, id DESC);
CREATE INDEX posts_feed_link_idx ON posts (feed_id, link_key) WHERE link_key IS NOT NULL;

-- Site tags: the most used item categories of a site, recomputed after polls that add posts.
CREATE TABLE site_tags (
    site_id uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name    text NOT NULL CHECK (name ~ '^[a-z0-9-]{1,64}$'),
    uses    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, name)
);
CREATE INDEX site_tags_name_idx ON site_tags (name, site_id);

-- A hub user recommends a site; `sites.total_recommendations` follows in the same transaction.
CREATE TABLE site_recommendations (
    author_id  bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (author_id, site_id)
);
CREATE INDEX site_recommendations_site_idx ON site_recommendations (site_id);

-- A hub user follows a feed. Only subscriptions trigger webhooks.
CREATE TABLE subscriptions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    author_id  bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    feed_id    uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX subscriptions_author_feed_key ON subscriptions (author_id, feed_id);
CREATE INDEX subscriptions_feed_idx ON subscriptions (feed_id);
CREATE INDEX subscriptions_author_idx ON subscriptions (author_id, created_at, id);

-- One webhook URL per user. The secret is sent in every request, so it is kept readable.
CREATE TABLE webhooks (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id            bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    url                  text CHECK (url IS NULL OR url ~ '^https?://'),
    token                text NOT NULL,
    consecutive_failures integer NOT NULL DEFAULT 0,
    disabled_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhooks_author_key ON webhooks (author_id);
CREATE TRIGGER webhooks_touch BEFORE UPDATE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- One feed.updated event for one webhook, with every attempt logged in `attempt_log`.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id       bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    feed_id          uuid REFERENCES feeds (id) ON DELETE SET NULL,
    event_type       text NOT NULL DEFAULT 'feed.updated',
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'succeeded', 'failed')),
    changed_at       timestamptz NOT NULL,    -- newest change the event reports
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text,
    attempt_log      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attempt_log) = 'array'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
-- debounce: at most one not-yet-attempted event per (webhook, feed)
CREATE UNIQUE INDEX webhook_deliveries_debounce_key ON webhook_deliveries (webhook_id, feed_id)
    WHERE status = 'pending' AND attempts = 0;
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at, id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
CREATE INDEX webhook_deliveries_feed_idx ON webhook_deliveries (feed_id) WHERE feed_id IS NOT NULL;
