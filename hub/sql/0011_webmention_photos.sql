-- R-W9: a received mention's author photo is re-hosted as a 96x96 WebP under the media
-- directory (`webmentions/...`, relative path); `author_photo` keeps the source's URL, so an
-- unchanged photo is not fetched again.
ALTER TABLE webmentions ADD COLUMN author_photo_path text
    CHECK (author_photo_path ~ '^webmentions/[a-z0-9-]+\.webp$');
