"""Thin handlers: read the call, ask the service or queries, shape the reply."""
