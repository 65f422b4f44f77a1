"""The owner's dashboard: `pages` (entries, moderation, schedules, directory health, settings),
`tokens`, `domains`, `mentions` and the `routes`. Its reads come from the tables' owners
(`hub.core.entries.dashboard`, `hub.core.auth`, `hub.core.channels`) and, for the directory,
from the `hub.core.directory_health.DirectoryHealth` that `hub.app` puts on `app.state`.
"""
