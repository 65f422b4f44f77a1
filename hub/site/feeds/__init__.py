"""The channels' feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 (`endpoints`, rendered purely by
`render`) and WebSub publish pings (`websub`).
"""
