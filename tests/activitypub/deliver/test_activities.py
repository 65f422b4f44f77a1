"""What a channel tells its followers about an entry (pure): the decision from the entry's
state and what was last sent, the activity ids, and the activity around the object."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.activitypub.deliver.activities import (
    PUBLIC,
    activity_id,
    entry_activity,
    next_activity,
)

URL = "https://n.example/vic/hello"


@pytest.mark.parametrize(
    ("public", "version", "sent_type", "sent_version", "expected"),
    [
        (True, 1, None, None, "Create"),  # published, never told
        (True, 1, "Create", 1, None),  # told already
        (True, 2, "Create", 1, "Update"),  # edited
        (True, 3, "Update", 2, "Update"),  # edited again
        (True, 3, "Update", 3, None),
        (False, 2, "Create", 1, "Delete"),  # deleted, unpublished or made private
        (False, 2, "Update", 2, "Delete"),
        (False, 3, "Delete", 2, None),  # told it is gone
        (False, 1, None, None, None),  # a draft, never told
        (True, 4, "Delete", 3, "Create"),  # published again after a Delete
    ],
)
def test_next_activity(public, version, sent_type, sent_version, expected):
    assert (
        next_activity(
            public=public, version=version, sent_type=sent_type, sent_version=sent_version
        )
        == expected
    )


def test_activity_ids_are_per_version_and_never_reused():
    assert activity_id(URL, "Create", 3) == f"{URL}#create/3"
    assert activity_id(URL, "Create", 3, {f"{URL}#create/3"}) == f"{URL}#create/3.2"
    used = {f"{URL}#delete/3", f"{URL}#delete/3.2"}
    assert activity_id(URL, "Delete", 3, used) == f"{URL}#delete/3.3"


def test_create_copies_the_objects_addressing_and_date():
    note = {"id": URL, "type": "Note", "to": ["F"], "cc": [PUBLIC]}
    note["published"] = "2025-01-02T03:04:05Z"
    activity = entry_activity(
        "Create", uri=f"{URL}#create/1", actor="https://n.example/vic", object_id=URL,
        entry_object=note, followers="F", now=datetime(2025, 6, 1, tzinfo=UTC),
    )  # fmt: skip
    assert activity == {
        "id": f"{URL}#create/1", "type": "Create", "actor": "https://n.example/vic",
        "published": "2025-01-02T03:04:05Z", "to": ["F"], "cc": [PUBLIC], "object": note,
    }  # fmt: skip


def test_delete_wraps_a_tombstone_to_the_public_and_followers():
    activity = entry_activity(
        "Delete", uri=f"{URL}#delete/2", actor="https://n.example/vic", object_id=URL,
        entry_object=None, followers="F", now=datetime(2025, 6, 1, tzinfo=UTC),
    )  # fmt: skip
    assert activity["object"] == {"id": URL, "type": "Tombstone"}
    assert (activity["to"], activity["cc"], activity["published"]) == (
        [PUBLIC], ["F"], "2025-06-01T00:00:00Z",
    )  # fmt: skip
