"""The webmention tables and all their SQL: received mentions and their target resolution
(`queries`), the one accepting statement (`accept`), sent mentions (`sends`) and moderation
(`moderation`: list, approve, reject, block), used alike by the protocol adapter
(`hub/webmentions`), the dashboard, the public pages and the CLI.
"""
