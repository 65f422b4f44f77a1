-- The shared publishing schema: authors, credentials, channels, entries and their media.
-- Every API (Micropub, v1, directory, site) reads and writes these same rows.
-- Times are timestamptz (stored UTC); ids are bigint identities; enumerations are CHECKed text.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION hub_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- A person on this node. `plan` drives rate limits and plan-gated features.
CREATE TABLE authors (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email         text CHECK (email IS NULL OR length(email) <= 320),
    url           text CHECK (url IS NULL OR url ~ '^https?://'),
    plan          text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'premium')),
    moderation    text CHECK (moderation IN ('auto', 'manual')),   -- NULL: the node's policy
    is_owner      boolean NOT NULL DEFAULT false,
    password_hash text,                                            -- dashboard login
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX authors_name_key ON authors (lower(name));
CREATE UNIQUE INDEX authors_one_owner ON authors (is_owner) WHERE is_owner;
CREATE TRIGGER authors_touch BEFORE UPDATE ON authors
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- A blog on this node. Its slug is the first path segment of its public URLs.
CREATE TABLE channels (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id        bigint NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    slug             text NOT NULL
                     CHECK (slug ~ '^[a-z0-9]+(?:[_-][a-z0-9]+)*$' AND length(slug) BETWEEN 2 AND 64),
    default_language text NOT NULL DEFAULT 'en'
                     CHECK (default_language ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?$'),
    status           text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'draft')),
    is_default       boolean NOT NULL DEFAULT false,   -- where the author's Micropub entries go
    custom_domain    text UNIQUE CHECK (custom_domain IS NULL OR custom_domain = lower(custom_domain)),
    timezone         text NOT NULL DEFAULT 'UTC',
    cover_media_id   bigint,
    avatar_media_id  bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX channels_slug_key ON channels (slug);
CREATE UNIQUE INDEX channels_one_default_per_author ON channels (author_id) WHERE is_default;
CREATE INDEX channels_author_idx ON channels (author_id, created_at, id);
CREATE TRIGGER channels_touch BEFORE UPDATE ON channels
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

CREATE TABLE channel_translations (
    channel_id  bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    language    text NOT NULL
                CHECK (language ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?$'),
    title       text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description text CHECK (description IS NULL OR length(description) <= 1000),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, language)
);
CREATE TRIGGER channel_translations_touch BEFORE UPDATE ON channel_translations
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- Every kind of token in one table: Micropub app tokens, v1 API keys, directory tokens and
-- IndieAuth access tokens. Only the SHA-256 of the secret is stored.
CREATE TABLE credentials (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id    bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    channel_id   bigint REFERENCES channels (id) ON DELETE CASCADE,  -- NULL: all the author's
    kind         text NOT NULL
                 CHECK (kind IN ('app_token', 'api_key', 'directory_token', 'indieauth')),
    name         text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    token_hash   bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    token_hint   text NOT NULL,                  -- the first characters, to recognise a token
    scopes       text[] NOT NULL DEFAULT '{}',
    client_id    text,                           -- IndieAuth client
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    last_used_ip inet,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX credentials_token_hash_key ON credentials (token_hash);
CREATE INDEX credentials_author_idx ON credentials (author_id, created_at, id);

-- Something this hub publishes (an h-entry): a Micropub post, a v1 page or article.
-- `status` is derived from the translations by one core function; never set directly.
CREATE TABLE entries (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id             bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    author_id              bigint NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    slug                   text NOT NULL CHECK (length(slug) BETWEEN 1 AND 100),
    default_language       text NOT NULL,
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'moderation_review', 'scheduled',
                                             'published', 'archived', 'deleted')),
    kind                   text NOT NULL DEFAULT 'article'
                           CHECK (kind IN ('note', 'article', 'photo', 'video', 'audio', 'reply',
                                           'like', 'repost', 'bookmark', 'rsvp', 'checkin',
                                           'event')),
    visibility             text NOT NULL DEFAULT 'public'
                           CHECK (visibility IN ('public', 'unlisted', 'private')),
    properties             jsonb NOT NULL DEFAULT '{}'
                           CHECK (jsonb_typeof(properties) = 'object'),
    published_at           timestamptz,
    scheduled_at           timestamptz,
    scheduled_paused       boolean NOT NULL DEFAULT false,
    scheduled_pause_reason text CHECK (scheduled_pause_reason IN ('account_plan')),
    moderation             text CHECK (moderation IN ('manual_review', 'approved', 'blocked')),
    moderation_reason      text,
    version                integer NOT NULL DEFAULT 1,
    created_via            text NOT NULL
                           CHECK (created_via IN ('micropub', 'v1', 'dashboard', 'cli', 'import')),
    credential_id          bigint REFERENCES credentials (id) ON DELETE SET NULL,
    deleted_at             timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL),
    CHECK (scheduled_pause_reason IS NULL OR scheduled_paused)
);
CREATE UNIQUE INDEX entries_channel_slug_key ON entries (channel_id, slug);
CREATE INDEX entries_due_idx ON entries (scheduled_at)
    WHERE status = 'scheduled' AND NOT scheduled_paused;
CREATE INDEX entries_channel_updated_idx ON entries (channel_id, updated_at, id);
CREATE INDEX entries_channel_published_idx ON entries (channel_id, published_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX entries_author_idx ON entries (author_id);
CREATE INDEX entries_credential_idx ON entries (credential_id) WHERE credential_id IS NOT NULL;
CREATE TRIGGER entries_touch BEFORE UPDATE ON entries
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- Per language: the content of an entry. A Micropub entry has one, in its channel's language.
CREATE TABLE entry_translations (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id           bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    language           text NOT NULL
                       CHECK (language ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?$'),
    status             text NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft', 'moderation_review', 'moderation_blocked',
                                         'scheduled', 'published', 'archived')),
    title              text NOT NULL DEFAULT '',            -- empty for notes
    excerpt            text,
    body_format        text NOT NULL DEFAULT 'markdown' CHECK (body_format IN ('markdown', 'html')),
    body_source        text NOT NULL DEFAULT '',            -- as received
    content_html       text NOT NULL DEFAULT '',            -- rendered and sanitised
    seo_title          text,
    seo_description    text,
    published_at       timestamptz,                         -- first time it became public
    content_updated_at timestamptz NOT NULL DEFAULT now(),
    source_updated_at  timestamptz,   -- the primary's content_updated_at this was based on
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX entry_translations_entry_language_key ON entry_translations (entry_id, language);
CREATE INDEX entry_translations_status_idx ON entry_translations (entry_id, status);
CREATE TRIGGER entry_translations_touch BEFORE UPDATE ON entry_translations
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- Revisions of a translation: one may wait for moderation while the live version stays public;
-- applied and discarded ones stay as history.
CREATE TABLE entry_revisions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id        bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    language        text NOT NULL,
    status          text NOT NULL
                    CHECK (status IN ('moderation_review', 'moderation_blocked', 'applied',
                                      'discarded')),
    title           text NOT NULL DEFAULT '',
    excerpt         text,
    body_format     text NOT NULL DEFAULT 'markdown' CHECK (body_format IN ('markdown', 'html')),
    body_source     text NOT NULL DEFAULT '',
    content_html    text NOT NULL DEFAULT '',
    seo_title       text,
    seo_description text,
    credential_id   bigint REFERENCES credentials (id) ON DELETE SET NULL,
    reason          text,
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz
);
CREATE UNIQUE INDEX entry_revisions_one_pending ON entry_revisions (entry_id, language)
    WHERE status IN ('moderation_review', 'moderation_blocked');
CREATE INDEX entry_revisions_entry_idx ON entry_revisions (entry_id, submitted_at, id);
CREATE INDEX entry_revisions_review_idx ON entry_revisions (submitted_at)
    WHERE status = 'moderation_review';

-- Tags (Micropub `category`, v1 `tags`): display case kept, matched case-insensitively.
CREATE TABLE entry_categories (
    entry_id bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    name     text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    key      text GENERATED ALWAYS AS (lower(name)) STORED,
    position smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (entry_id, key)
);
CREATE INDEX entry_categories_key_idx ON entry_categories (key, entry_id);

-- Uploaded or fetched media: the original and its processed derivative.
CREATE TABLE media (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id         text NOT NULL,              -- unguessable id used in capability URLs
    author_id         bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    channel_id        bigint REFERENCES channels (id) ON DELETE CASCADE,
    credential_id     bigint REFERENCES credentials (id) ON DELETE SET NULL,
    purpose           text NOT NULL DEFAULT 'article'
                      CHECK (purpose IN ('article', 'channel_cover', 'channel_avatar', 'upload',
                                         'remote')),
    folder            text NOT NULL DEFAULT 'drafts' CHECK (folder IN ('drafts', 'pages', 'uploads')),
    content_type      text NOT NULL,              -- of the original bytes, sniffed
    bytes             bigint NOT NULL CHECK (bytes >= 0),
    sha256            bytea NOT NULL CHECK (octet_length(sha256) = 32),
    original_path     text,                       -- relative to the media dir; NULL once purged
    path              text,                       -- processed file, relative to the media dir
    processed_type    text,
    processed_bytes   bigint,
    width             integer CHECK (width > 0),
    height            integer CHECK (height > 0),
    frames            integer NOT NULL DEFAULT 1 CHECK (frames >= 1),
    alt               text NOT NULL DEFAULT '' CHECK (length(alt) <= 1000),
    source_url        text,                       -- remote images: where they came from
    attached_at       timestamptz,                -- NULL: not used by any entry or channel yet
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX media_public_id_key ON media (public_id);
CREATE INDEX media_unattached_idx ON media (created_at) WHERE attached_at IS NULL;
CREATE INDEX media_channel_folder_idx ON media (channel_id, folder, created_at);
CREATE INDEX media_channel_sha256_idx ON media (channel_id, sha256);
CREATE INDEX media_source_url_idx ON media (channel_id, source_url) WHERE source_url IS NOT NULL;
CREATE INDEX media_author_idx ON media (author_id, created_at);

ALTER TABLE channels
    ADD CONSTRAINT channels_cover_media_fk FOREIGN KEY (cover_media_id)
        REFERENCES media (id) ON DELETE SET NULL,
    ADD CONSTRAINT channels_avatar_media_fk FOREIGN KEY (avatar_media_id)
        REFERENCES media (id) ON DELETE SET NULL;
CREATE INDEX channels_cover_media_idx ON channels (cover_media_id) WHERE cover_media_id IS NOT NULL;
CREATE INDEX channels_avatar_media_idx ON channels (avatar_media_id) WHERE avatar_media_id IS NOT NULL;

-- Which media an entry uses, and how (inline in the body, a photo/video/audio property, cover).
CREATE TABLE entry_media (
    entry_id   bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    media_id   bigint NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'inline'
               CHECK (role IN ('inline', 'photo', 'video', 'audio', 'featured')),
    position   smallint NOT NULL DEFAULT 0,
    alt        text,
    remote_url text,          -- the URL the client sent, when the media is a local copy of it
    PRIMARY KEY (entry_id, media_id, role)
);
CREATE INDEX entry_media_media_idx ON entry_media (media_id);

-- Jobs staged inside a transaction and handed to the queue after it commits, so that a rolled
-- back request never leaves a job behind and a crash between commit and enqueue loses none.
CREATE TABLE job_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    function     text NOT NULL,
    args         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(args) = 'array'),
    job_id       text,
    defer_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_outbox_created_idx ON job_outbox (created_at, id);
