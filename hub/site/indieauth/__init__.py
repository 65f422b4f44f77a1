"""indieauth"""
