-- Cost that stays flat as a channel grows (issue 20).
--
-- The public lists and feeds (channel home, tag pages, Atom, RSS, JSON Feed, their older and
-- newer pages) read a channel's public entries newest first, 20 at a time. The older
-- entries_channel_published_idx holds only status 'published', so with 'moderation_review'
-- allowed too PostgreSQL read and sorted every entry of the channel (35 ms at 100,000). This
-- index holds exactly the entries those pages may show, in their order: a page reads 20 rows.
CREATE INDEX entries_public_listing_idx ON entries (channel_id, published_at DESC, id DESC)
    WHERE status IN ('published', 'moderation_review') AND deleted_at IS NULL
      AND visibility = 'public' AND published_at IS NOT NULL;

-- Micropub's `q=source` post list (and its `offset` pages): a channel's entries, deleted ones
-- excepted, by the time they were published, scheduled or created, newest first.
CREATE INDEX entries_channel_timeline_idx
    ON entries (channel_id, (coalesce(published_at, scheduled_at, created_at)) DESC, id DESC)
    WHERE deleted_at IS NULL;
