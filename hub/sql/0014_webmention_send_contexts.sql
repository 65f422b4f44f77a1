-- Reply context (issue 16): when the send job reads a response target's page (in-reply-to,
-- like-of, repost-of, bookmark-of), it keeps what the page says about itself, so the entry
-- page can show the h-cite with a title and an author without fetching (R-W23). `cite_*`
-- stay NULL until a read found something; `cite_read_at` is when what it found last changed.
-- The author photo is re-hosted like received mentions' (R-W9): `cite_author_photo` keeps
-- the remote URL (an unchanged photo is not fetched again), `cite_author_photo_path` the
-- local 96x96 WebP.
-- The entry page reads them by entry (webmention_sends_entry_target_key covers entry_id).
ALTER TABLE webmention_sends
    ADD COLUMN cite_name text CHECK (length(cite_name) <= 1000),
    ADD COLUMN cite_url text CHECK (cite_url ~ '^https?://'),
    ADD COLUMN cite_author_name text CHECK (length(cite_author_name) <= 1000),
    ADD COLUMN cite_author_url text CHECK (cite_author_url ~ '^https?://'),
    ADD COLUMN cite_author_photo text CHECK (cite_author_photo ~ '^https?://'),
    ADD COLUMN cite_author_photo_path text
        CHECK (cite_author_photo_path ~ '^webmentions/[a-z0-9-]+\.webp$'),
    ADD COLUMN cite_read_at timestamptz;
