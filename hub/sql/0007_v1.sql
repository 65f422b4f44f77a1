-- The v1 API (hub/channels): media folders and lookups (publicasta-v1-resolved §1.4 E8, §1.7).

-- Channel covers and avatars live in their own folder, projects/{channel_id}/channel/.
ALTER TABLE media DROP CONSTRAINT media_folder_check;
ALTER TABLE media ADD CONSTRAINT media_folder_check
    CHECK (folder IN ('drafts', 'pages', 'uploads', 'channel'));

-- Draft URLs named in a body are resolved to their media row by the processed file's path.
CREATE INDEX media_path_idx ON media (path) WHERE path IS NOT NULL;

-- Soft-deleted entries, for the purge that frees their slugs after the reservation.
CREATE INDEX entries_deleted_idx ON entries (deleted_at) WHERE deleted_at IS NOT NULL;
