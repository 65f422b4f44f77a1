-- ActivityPub (issue 19): every channel is a fediverse actor. Its key pair, the remote actors
-- hub has met (their inboxes and public keys, cached), the channel's followers, the activities
-- received at the inboxes (accepted with 202, processed by a job), the activities the channel
-- sends and their deliveries (one per shared inbox). Fediverse replies, likes and boosts are
-- stored as rows of `webmentions` (protocol 'activitypub'), so that moderation, blocks,
-- display and counts are the ones webmentions already have.
-- Depends on 0001 (channels, entries, hub_touch_updated_at) and 0005 (webmentions).

-- The channel as an actor: its handle (`acct:{handle}@{host}`; NULL: the channel's slug),
-- its actor type, whether the owner approves each follower, whether it asks to be listed.
ALTER TABLE channels
    ADD COLUMN ap_handle text
        CHECK (ap_handle ~ '^[a-z0-9_]([a-z0-9_.-]{0,62}[a-z0-9_])?$'),
    ADD COLUMN ap_actor_type text NOT NULL DEFAULT 'Person'
        CHECK (ap_actor_type IN ('Person', 'Service', 'Organization', 'Group', 'Application')),
    ADD COLUMN ap_manual_followers boolean NOT NULL DEFAULT false,
    ADD COLUMN ap_discoverable boolean NOT NULL DEFAULT true;
CREATE UNIQUE INDEX channels_ap_handle_key ON channels (ap_handle) WHERE ap_handle IS NOT NULL;

-- The channel's RSA key pair (PEM), made on first use. The private half is never served or
-- logged; a backup carries it (moving a node keeps its followers).
CREATE TABLE ap_channel_keys (
    channel_id  bigint PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    public_pem  text NOT NULL,
    private_pem text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A remote actor hub has met (a follower, the author of a reply or like, a signer): fetched
-- through the guarded client and cached; re-fetched when its key no longer verifies.
CREATE TABLE ap_actors (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uri                text NOT NULL CHECK (uri ~ '^https?://' AND length(uri) <= 2048),
    host               text NOT NULL,               -- lowercase host of `uri`
    domain             text NOT NULL,               -- its registrable domain (blocks, limits)
    type               text,
    inbox              text CHECK (inbox ~ '^https?://' AND length(inbox) <= 2048),
    shared_inbox       text CHECK (shared_inbox ~ '^https?://' AND length(shared_inbox) <= 2048),
    key_id             text CHECK (length(key_id) <= 2048),
    public_key_pem     text CHECK (length(public_key_pem) <= 16384),
    preferred_username text CHECK (length(preferred_username) <= 200),
    name               text CHECK (length(name) <= 200),
    url                text CHECK (url ~ '^https?://' AND length(url) <= 2048),
    icon_url           text CHECK (icon_url ~ '^https?://' AND length(icon_url) <= 2048),
    fetched_at         timestamptz NOT NULL DEFAULT now(),
    gone_at            timestamptz,                 -- Delete of the actor, or 410
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ap_actors_uri_key ON ap_actors (uri);
CREATE INDEX ap_actors_key_id_idx ON ap_actors (key_id);
CREATE INDEX ap_actors_domain_idx ON ap_actors (domain);
CREATE TRIGGER ap_actors_touch BEFORE UPDATE ON ap_actors
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- A follower of a channel. `pending` waits for the owner's approval (ap_manual_followers).
-- `follow_id` is the Follow activity's id, which the Accept (or Reject) names.
CREATE TABLE ap_followers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id  bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    actor_id    bigint NOT NULL REFERENCES ap_actors (id) ON DELETE CASCADE,
    status      text NOT NULL DEFAULT 'accepted' CHECK (status IN ('pending', 'accepted')),
    follow_id   text NOT NULL CHECK (length(follow_id) <= 2048),
    created_at  timestamptz NOT NULL DEFAULT now(),
    accepted_at timestamptz
);
CREATE UNIQUE INDEX ap_followers_key ON ap_followers (channel_id, actor_id);
CREATE INDEX ap_followers_actor_idx ON ap_followers (actor_id);
CREATE INDEX ap_followers_channel_idx ON ap_followers (channel_id, status, created_at, id);

-- An activity received at an inbox (the channel's, or the shared one: channel_id NULL),
-- after its signature verified: stored, answered 202, processed by the `process_activity`
-- job. `activity_id` de-duplicates a delivery repeated by the sender.
CREATE TABLE ap_inbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id   bigint REFERENCES channels (id) ON DELETE CASCADE,
    activity_id  text CHECK (length(activity_id) <= 2048),
    type         text NOT NULL CHECK (length(type) <= 100),
    actor_id     bigint NOT NULL REFERENCES ap_actors (id) ON DELETE CASCADE,
    body         jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'done', 'ignored', 'refused', 'error')),
    error        text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);
CREATE UNIQUE INDEX ap_inbox_activity_key ON ap_inbox (activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX ap_inbox_queued_idx ON ap_inbox (received_at) WHERE status = 'queued';
CREATE INDEX ap_inbox_actor_idx ON ap_inbox (actor_id);

-- An activity a channel sends (Create, Update, Delete of an entry; Accept of a Follow):
-- its JSON is built once, signed per delivery.
CREATE TABLE ap_activities (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uri         text NOT NULL CHECK (length(uri) <= 2048),
    channel_id  bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    entry_id    bigint REFERENCES entries (id) ON DELETE SET NULL,
    type        text NOT NULL CHECK (type IN ('Create', 'Update', 'Delete', 'Accept', 'Reject')),
    body        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ap_activities_uri_key ON ap_activities (uri);
CREATE INDEX ap_activities_entry_idx ON ap_activities (entry_id, created_at) WHERE entry_id IS NOT NULL;

-- One delivery of an activity to one inbox (a shared inbox stands for all its followers).
CREATE TABLE ap_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id      bigint NOT NULL REFERENCES ap_activities (id) ON DELETE CASCADE,
    inbox            text NOT NULL CHECK (inbox ~ '^https?://' AND length(inbox) <= 2048),
    host             text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed', 'gone')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    last_attempt_at  timestamptz,
    last_http_status integer,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ap_deliveries_key ON ap_deliveries (activity_id, inbox);
CREATE INDEX ap_deliveries_due_idx ON ap_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ap_deliveries_inbox_idx ON ap_deliveries (inbox, created_at);
CREATE TRIGGER ap_deliveries_touch BEFORE UPDATE ON ap_deliveries
    FOR EACH ROW EXECUTE FUNCTION hub_touch_updated_at();

-- Fediverse responses live with webmentions: `source` is the reply Note's id (or the Like's
-- or Announce's id), `ap_object_id` the same id (Update, Delete and Undo find it by it),
-- `ap_actor_id` who sent it (Delete of an actor removes its responses).
ALTER TABLE webmentions
    ADD COLUMN protocol text NOT NULL DEFAULT 'webmention'
        CHECK (protocol IN ('webmention', 'activitypub')),
    ADD COLUMN ap_actor_id bigint REFERENCES ap_actors (id) ON DELETE CASCADE,
    ADD COLUMN ap_object_id text CHECK (length(ap_object_id) <= 2048);
CREATE UNIQUE INDEX webmentions_ap_object_key ON webmentions (ap_object_id)
    WHERE ap_object_id IS NOT NULL;
CREATE INDEX webmentions_ap_actor_idx ON webmentions (ap_actor_id) WHERE ap_actor_id IS NOT NULL;
