"""Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1."""
