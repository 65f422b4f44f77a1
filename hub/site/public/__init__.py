"""The public blog: the URL scheme (`paths`), the catch-all router (`routes`), the page handlers
(`pages`), their one-statement reads (`queries`, `lease`), rows made ready to show (`view`,
`content`, `mentions`), every printed URL (`links`), HTTP caching (`caching`) and the
templates (`render`).
"""
