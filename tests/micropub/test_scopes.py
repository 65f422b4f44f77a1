import pytest

from hub.core.errors import Forbidden
from hub.micropub import scopes


@pytest.mark.parametrize(
    ("granted", "request_", "ok"),
    [
        ({"create"}, "create", True),
        ({"draft"}, "create", True),
        ({"media"}, "create", False),
        ({"update"}, "update", True),
        ({"create"}, "update", False),
        ({"delete"}, "delete", True),
        ({"delete"}, "undelete", True),
        ({"undelete"}, "undelete", True),
        ({"undelete"}, "delete", False),
        ({"media"}, "upload", True),
        ({"create"}, "upload", True),
        ({"draft"}, "upload", True),
        ({"update"}, "upload", False),
        ({"update"}, "source", True),
        ({"media"}, "source", False),
        ({"media"}, "query", True),
        (set(), "query", False),
        ({"directory"}, "query", False),
    ],
)
def test_require(granted, request_, ok):
    if ok:
        scopes.require(granted, request_)
    else:
        with pytest.raises(Forbidden) as caught:
            scopes.require(granted, request_)
        assert caught.value.code == "insufficient_scope"
        assert caught.value.scope.split()[0] == scopes.NEEDS[request_][0]


def test_draft_only_tokens_are_forced_to_draft_and_never_publish():
    assert scopes.forced_post_status({"draft", "media"}) == "draft"
    assert scopes.forced_post_status({"draft", "create"}) is None
    with pytest.raises(Forbidden):
        scopes.require_publish({"draft", "update"})
    scopes.require_publish({"update"})
