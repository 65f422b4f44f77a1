"""webmentions"""
