"""The fediverse side of the domain (issue 19): channel key pairs, HTTP signatures, remote
actors, followers, received and sent activities. Owns the `ap_*` tables. Knows nothing of
HTTP frameworks; `hub/activitypub` is the adapter that speaks the wire format."""
