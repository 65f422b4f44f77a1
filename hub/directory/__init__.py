"""The Pine.blog-style directory of sites and feeds: `/api`."""
