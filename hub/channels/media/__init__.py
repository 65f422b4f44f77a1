"""v1 media (E8): reading the upload (`uploads`), processing and storing it (`service`), and
draft media URLs rewritten when an article is saved (`drafts`). The files a write stages are
the write unit's (`hub.core.files`).
"""
