"""Micropub (W3C + Pika): `/micropub` and `/micropub/media`."""
