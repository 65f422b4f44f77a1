"""The post editor of the dashboard: its form, its save handler, images and preview."""
