"""Which entry a URL sent to `/micropub` names (micropub-resolved.md §4.1, R-M7, R-M20).

Pure. `entry_ref` reads the `url` of an update, delete, undelete or `q=source` as one of the
accepted forms of an entry URL: the node's own shapes, read by `hub.core.urls` (`entry_of`),
plus Pika's `/posts/` permalinks, which only Micropub accepts. Matching ignores the scheme
(http or https), the query string, the fragment and a trailing `/`; the service then finds the
entry. (The node's own media in `photo`, `video`, `audio` values are `hub.core.urls.media_ref`.)

Entry URL forms (`base` is the node's base URL, `domain` a blog's custom domain):
- `{base}/{channel}/{slug}`: the canonical permalink (`Urls.entry`), also with `/posts/`
  between channel and slug;
- `{base}/posts/{slug}`: Pika's permalink shape, in the token's blog;
- `https://{domain}/{slug}` and `https://{domain}/posts/{slug}`;
- `{base}/dashboard/posts/{id}/edit`: the draft Location (R-M7).
"""

from __future__ import annotations

from dataclasses import replace

from hub.core.urls import EntryRef, Urls, entry_of, split_url

PIKA_POSTS = "posts"  # Pika's permalinks: `/posts/{slug}`, `/{channel}/posts/{slug}`


def entry_ref(url: str, urls: Urls) -> EntryRef | None:
    """The entry a URL names, or None when it has none of the accepted shapes. An EntryRef
    on the base host without a channel is in the token's blog."""
    parts = split_url(url, urls)
    if parts is None:
        return None
    s = parts.segments
    if len(s) == 2 and s[0] == PIKA_POSTS:
        if parts.on_base:
            return EntryRef(parts.host, True, slug=s[1])
        parts = replace(parts, segments=s[1:])
    elif parts.on_base and len(s) == 3 and s[1] == PIKA_POSTS:
        parts = replace(parts, segments=(s[0], s[2]))
    return entry_of(parts)
