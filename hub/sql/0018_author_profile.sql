-- The owner's profile (issue 17): what the public h-card, the IndieAuth profile and the feeds
-- show of an author beside the name. `note` is plain text; `rel_me` the profile URLs linked
-- with rel=me on the channel home; `photo_media_id` the author's photo, a media row of
-- purpose `author_photo` stored under authors/{author_id}/ (the `author` folder).
ALTER TABLE authors
    ADD COLUMN note text CHECK (note IS NULL OR length(note) <= 2000),
    ADD COLUMN rel_me text[] NOT NULL DEFAULT '{}' CHECK (cardinality(rel_me) <= 20),
    ADD COLUMN photo_media_id bigint REFERENCES media (id) ON DELETE SET NULL;
CREATE INDEX authors_photo_media_idx ON authors (photo_media_id) WHERE photo_media_id IS NOT NULL;

ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('article', 'channel_cover', 'channel_avatar', 'author_photo', 'upload',
                       'remote'));
ALTER TABLE media DROP CONSTRAINT media_folder_check;
ALTER TABLE media ADD CONSTRAINT media_folder_check
    CHECK (folder IN ('drafts', 'pages', 'uploads', 'channel', 'author'));
