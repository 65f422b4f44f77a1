-- Imports (issue 18 item 5): what each import source item became, and the old URLs that
-- redirect to imported entries.
--
-- import_sources: one row per imported item, keyed by (channel, source kind, source id), so
-- running an import again (or resuming an interrupted one) skips what is already there.
-- entry_redirects: an old path (with its query for `/?p=123`) of an imported item -> the entry;
-- the public site answers 301 to the entry's URL for a path nothing else matched.

CREATE TABLE import_sources (
    channel_id   bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    source_kind  text NOT NULL CHECK (length(source_kind) BETWEEN 1 AND 40),
    source_id    text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 2000),
    entry_id     bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, source_kind, source_id)
);
CREATE INDEX import_sources_entry_idx ON import_sources (entry_id);

CREATE TABLE entry_redirects (
    channel_id  bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    path        text NOT NULL CHECK (length(path) BETWEEN 1 AND 2000),
    entry_id    bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, path)
);
CREATE INDEX entry_redirects_path_idx ON entry_redirects (path);
CREATE INDEX entry_redirects_entry_idx ON entry_redirects (entry_id);
