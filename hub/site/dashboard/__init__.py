"""The owner's dashboard: `pages` (entries, moderation, schedules, directory health, settings),
`tokens`, `domains`, `mentions`, their read-only `queries` and the `routes`.
"""
