"""The README.md written into every export archive: its layout, for a person without hub."""

README = """\
# A hub export

This archive holds blogs exported from a hub node. Everything in it is plain JSON, Markdown,
OPML and the media files themselves: no hub is needed to read it.

```
manifest.json                         what was exported: hub version, date, counts
README.md                             this file
subscriptions.opml                    the feeds followed in the directory (OPML 2.0)
media/...                             every media file, under its path on the node
channels/{slug}/feed.json             the blog as a JSON Feed 1.1, every entry whatever its status
channels/{slug}/posts/{slug}.{lang}.md  each entry's translation: YAML front matter + Markdown
channels/{slug}/webmentions.json      the responses (webmentions) the blog received
```

## feed.json

A JSON Feed 1.1 (https://jsonfeed.org/version/1.1). Each item is one entry: its primary
language in the standard fields (`title`, `content_html`, `summary`, `date_published`,
`date_modified`, `tags`, `language`). What JSON Feed has no field for is in the `_hub`
extension object of the item: `slug`, `status` (draft, scheduled, published, archived,
deleted, ...), `kind` (note, article, reply, like, ...), `visibility`, `properties` (every
microformats property, e.g. `in-reply-to`, `syndication`), the dates, `translations` (for
each language: `status`, `title`, `excerpt`, `body_format`, `body_source` (the Markdown as
written), `content_html`, SEO fields, dates) and `media` (the files the entry uses). The
feed's own `_hub` object holds the blog's slug, status, titles per language and every media
file of the blog (`original`, `processed`: paths in this archive, `sha256`, `alt`).

Links to the node's media files in the HTML and Markdown are rewritten to relative paths
into `media/` (`../../media/...` from feed.json, `../../../media/...` from a post).

## posts/*.md

One file per entry and language, readable by Jekyll, Hugo and most Markdown tools. Front
matter: `title`, `date` (first published), `updated`, `slug`, `language`, `status`, `draft`,
`kind`, `visibility`, `tags`, `format` (markdown or html: the body below is HTML for entries
written as HTML), `summary`, `scheduled`, and for responses `in_reply_to`, `like_of`,
`repost_of`, `bookmark_of`.

## webmentions.json

A list of the received webmentions (not the blocked or deleted ones): `source`, `target`,
`entry_slug` (null: the blog's home page), `status`, `type` (reply, like, repost, bookmark,
mention), the author's `author_name`, `author_url`, `author_photo`, `url`, `name`,
`content_html`, `content_text` and dates.

## Importing it again

`hub import ARCHIVE --channel SLUG` on another hub node reads this archive back (`feed.json`
and `media/`); any JSON Feed reader reads `feed.json`.
"""
