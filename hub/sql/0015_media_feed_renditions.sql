-- Feed renditions of channel covers and avatars (issue 16): RSS 2.0 allows only GIF, JPEG and
-- PNG images, and the pipeline stores WebP. `feed_path` is a PNG (alpha) or JPEG (no alpha)
-- beside the processed file; '' when the processed file could not be converted (not retried).
-- Covers and avatars stored before this get theirs from the `make_feed_renditions` job, which
-- finds them by the partial index.
ALTER TABLE media ADD COLUMN feed_path text;
CREATE INDEX media_feed_rendition_due_idx ON media (id)
    WHERE feed_path IS NULL AND path IS NOT NULL
      AND purpose IN ('channel_cover', 'channel_avatar');
