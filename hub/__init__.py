"""hub: a self-hosted open-web publishing hub."""
