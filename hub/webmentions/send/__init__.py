"""Sending webmentions: which URLs an entry links to (`targets`), endpoint discovery
(`discovery`), per-host politeness (`politeness`) and the delivery itself (`sender`).
"""
