"""v1 media (E8): reading the upload (`uploads`), processing and storing it (`service`), the
files a write transaction stages (`files`), and draft media URLs rewritten when an article is
saved (`drafts`).
"""
