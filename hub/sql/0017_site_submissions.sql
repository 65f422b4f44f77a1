-- Sites the owner adds from the dashboard (issue 17): discovery runs as a job (`discover_site`),
-- and the dashboard shows each submission's progress: pending, found N feeds, or failed and why.
CREATE TABLE site_submissions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id   bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'found', 'failed')),
    site_id     uuid REFERENCES sites (id) ON DELETE SET NULL,
    feed_count  integer NOT NULL DEFAULT 0 CHECK (feed_count >= 0),
    error       text CHECK (error IS NULL OR length(error) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
-- the dashboard lists an author's newest submissions first
CREATE INDEX site_submissions_author_idx ON site_submissions (author_id, created_at DESC, id DESC);
