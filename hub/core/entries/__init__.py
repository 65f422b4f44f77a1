"""The publishing model shared by Micropub, the v1 API and the dashboard."""
