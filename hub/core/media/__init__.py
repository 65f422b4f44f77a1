"""Media: the owner of the `media` table.

- `pipeline`: the one image pipeline (probe, resize to WebP, store files atomically);
- `types`: what a file is, from its magic bytes;
- `queries`: every SQL statement on `media`;
- `jobs`: the daily cleanup of uploads nothing uses.

Nothing is re-exported here, so that importing the queries does not load libvips.
"""
