-- The sitemap (issue 16) lists public entries channel by channel, in id order: this index
-- holds exactly the entries a sitemap may name, in that order.
CREATE INDEX entries_public_sitemap_idx ON entries (channel_id, id)
    WHERE status IN ('published', 'moderation_review') AND deleted_at IS NULL
      AND visibility = 'public' AND published_at IS NOT NULL;
