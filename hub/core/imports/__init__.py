"""Bringing a blog in: one parser per source format (pure: source in, `items.Parsed` out),
`formats` (the formats by name, and detection), `writing` (the items into a channel through
the core write path, idempotent and resumable), `redirects` and `queries` (old URLs)."""
