"""The DRF-style `/api` plumbing the directory and webmentions share: the endpoint class with
content negotiation, token auth, throttling, OPTIONS and `_meta` (`endpoint`), the
`{"detail"}` error shape (`errors`) and the anonymous response cache (`cache`).
"""
