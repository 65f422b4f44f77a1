"""The ActivityPub adapter (issue 19): WebFinger, host-meta and NodeInfo discovery, the channel
actors and entry objects served on content negotiation, the inboxes (signed requests only) and
the collections. It parses and formats the wire format; the domain is `hub.core.federation`."""
