"""Webmention, the protocol (W3C Webmention; webmention-site-feeds.md): the `/api/webmentions`
endpoints (`endpoints`, `routes`), receiving (`receive`), the owner's list (`listing`),
verifying what was received (`verify/`), sending for this node's entries (`send/`) and the
jobs (`jobs`). The tables and their SQL live in `hub.core.webmentions`.
"""
