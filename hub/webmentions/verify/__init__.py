"""Verifying a received webmention: fetch and check the source (`source`), read its
microformats (`mf2`), shape its content (`content`), re-host the author photo (`photo`), and
the job's whole decision (`verifier`).
"""
