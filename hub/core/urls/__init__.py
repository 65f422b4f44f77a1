"""The node's URL scheme, the one home for it: `build` prints every URL of the node (channel
pages, entries, tags, feeds, media, Micropub, the dashboard, custom domains), `parse` reads the
same shapes back (the public router, Micropub's `url=`, webmention targets), `normalize` says
when two spellings are one URL. Pure: no I/O, no wire format.
"""

from hub.core.urls.build import FEED_FILES, ChannelUrls, Urls
from hub.core.urls.normalize import (
    BadURL,
    host_of,
    is_ip_literal,
    link_key,
    normalize,
    origin,
    parent_domains,
    registrable_domain,
    same_origin_host,
    split,
    target_key,
)
from hub.core.urls.parse import (
    MISSING,
    EntryRef,
    MediaRef,
    Target,
    TargetPath,
    UrlParts,
    custom_domain_host,
    entry_of,
    media_ref,
    parse_path,
    parse_target,
    split_url,
)

__all__ = [
    "FEED_FILES",
    "MISSING",
    "BadURL",
    "ChannelUrls",
    "EntryRef",
    "MediaRef",
    "Target",
    "TargetPath",
    "UrlParts",
    "Urls",
    "custom_domain_host",
    "entry_of",
    "host_of",
    "is_ip_literal",
    "link_key",
    "media_ref",
    "normalize",
    "origin",
    "parent_domains",
    "parse_path",
    "parse_target",
    "registrable_domain",
    "same_origin_host",
    "split",
    "split_url",
    "target_key",
]
