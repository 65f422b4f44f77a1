"""Export: a node's blogs as a portable archive a person can read without hub.

`archive` writes files into a folder or a zip; `queries` reads every table the archive holds
(one statement per table, streamed); `jsonfeed` and `frontmatter` turn rows into the archive's
JSON Feed items and Markdown files (pure); `media_links` rewrites the node's media URLs to the
archive's relative paths; `writer` puts it together (`export_node`). The layout is documented
in `docs/import-export.md` and in the `README.md` written into every archive.
"""

from hub.core.export.writer import ExportCounts, export_node

__all__ = ["ExportCounts", "export_node"]
