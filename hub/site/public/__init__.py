"""The public blog: the URL scheme (`paths`), the catch-all router (`routes`), the page handlers
(`pages`), the one connection their reads share (`lease`; the statements are the read model
`hub.core.entries.published`), rows made ready to show (`view`, `content`, `mentions`), every
printed URL (`links`), HTTP caching (`caching`) and the templates (`render`).
"""
