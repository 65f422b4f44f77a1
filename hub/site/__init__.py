"""The public side: blog pages, feeds, discovery links, IndieAuth, dashboard."""
