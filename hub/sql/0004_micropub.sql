-- Entries written through Micropub (and any API that names media by URL): old slugs that keep
-- resolving after a rename, and the remote media an entry names, fetched in the background.

-- A slug an entry had before it was renamed: its old URL keeps resolving (and redirecting).
-- A live entry that takes the same slug later wins; the row stays until the entry goes.
CREATE TABLE entry_slug_history (
    channel_id bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    slug       text NOT NULL CHECK (length(slug) BETWEEN 1 AND 100),
    entry_id   bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, slug)
);
CREATE INDEX entry_slug_history_entry_idx ON entry_slug_history (entry_id);

-- Remote media an entry names (a photo URL, an image in its body): the remote_url -> media
-- map. The source is never rewritten; renderers use `media_id` when the copy is `stored`,
-- hot-link the URL when the fetch `failed`, and never show a `refused` one (the guard
-- refused its address or scheme).
CREATE TABLE entry_remote_media (
    entry_id   bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    url        text NOT NULL CHECK (length(url) BETWEEN 1 AND 4096),
    role       text NOT NULL CHECK (role IN ('inline', 'photo', 'video', 'audio')),
    position   smallint NOT NULL DEFAULT 0,
    alt        text,
    status     text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'stored', 'failed', 'refused')),
    media_id   bigint REFERENCES media (id) ON DELETE SET NULL,
    attempts   smallint NOT NULL DEFAULT 0,
    error      text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entry_id, url, role)
);
CREATE INDEX entry_remote_media_pending_idx ON entry_remote_media (entry_id)
    WHERE status = 'pending';
CREATE INDEX entry_remote_media_media_idx ON entry_remote_media (media_id)
    WHERE media_id IS NOT NULL;
