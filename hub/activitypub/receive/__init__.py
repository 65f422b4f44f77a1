"""Receiving: the inboxes (signed POSTs only) and the job that processes what they accepted."""
