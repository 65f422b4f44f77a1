"""Fixtures of the ActivityPub tests: `fedify`, a real Fedify server on 127.0.0.1."""

from tests.activitypub.fedify_harness import fedify  # noqa: F401 (a fixture)
