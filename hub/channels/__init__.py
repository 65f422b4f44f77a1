"""The Publicasta-style v1 API for agents: `/api/v1`."""
