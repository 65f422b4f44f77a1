"""Polling feeds: the poll itself (`poller`: fetch, parse, store), when to poll next
(`interval`, pure) and what redirects do to a feed's URL (`redirects`).
"""
