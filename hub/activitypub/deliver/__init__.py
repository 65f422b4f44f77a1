"""Delivering: a channel's activities to its followers' inboxes, signed, retried, once
per shared inbox."""
