"""The pages service of the v1 API (E4-E7 and the page extensions): articles with translations.

Each write is one transaction over the shared entry lifecycle (`hub.core.entries`): content is
saved, target statuses are computed here from the v1 fields (`status`, `publish_translations`,
`translations[].status`), checked against the primary-first rule, and handed to the core, which
applies the moderation policy and derives the page status. A 422 anywhere rolls everything back.

Modules: `common` (outcome, transaction, shared checks), `rules` (content merge, schedule and
primary-first checks), `apply` (hand the changes to the core), and one module per operation.
"""

from hub.channels.pages.common import Outcome
from hub.channels.pages.deleting import delete_page, delete_translation
from hub.channels.pages.reading import get_page, list_pages, list_revisions
from hub.channels.pages.status import patch_status
from hub.channels.pages.translations import put_translation
from hub.channels.pages.upsert import upsert_page

__all__ = [
    "Outcome",
    "delete_page",
    "delete_translation",
    "get_page",
    "list_pages",
    "list_revisions",
    "patch_status",
    "put_translation",
    "upsert_page",
]
