"""The editor's preview: the body rendered by the renderer and sanitiser the blog uses
(`hub.core.entries.editing.render_off_loop`: `hub.core.markdown` then `hub.core.sanitize`,
long texts off the event loop, issue 15's limits for Markdown too complex to render).

- With JavaScript, `editor.js` posts the body (`content`, with the session's `csrf`) to
  `POST /dashboard/preview` as the owner types, and puts the answer, an HTML fragment, into
  `#preview`. A body that cannot be rendered answers 422 with the reason as the fragment.
- Without JavaScript, the editor's **Preview** button (`action=preview`) re-renders the form
  with `render_preview`'s HTML below the body; nothing is saved.
"""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.core.entries.editing import render_off_loop
from hub.core.errors import Invalid
from hub.site.login.session import Session, owner_only
from hub.site.render import SECURITY_HEADERS

BODY_FIELD = "content"
FORMAT_FIELD = "body_format"
EMPTY = Markup('<p class="preview-empty">Nothing to preview yet.</p>')


async def render_preview(body: str, body_format: str = "markdown") -> Markup:
    """The body as the blog will show it (sanitised HTML, safe to put in a page); `Invalid`
    on `content` when it cannot be rendered."""
    if not body.strip():
        return EMPTY
    fmt = "html" if body_format == "html" else "markdown"
    return Markup(await render_off_loop(body, fmt, name=BODY_FIELD))  # noqa: S704 - sanitised


@owner_only
async def preview(request: Request, session: Session) -> Response:
    """`POST /dashboard/preview`: the rendered body as an HTML fragment (never cached)."""
    form = await request.form()
    body = form.get(BODY_FIELD)
    fmt = form.get(FORMAT_FIELD)
    try:
        html = await render_preview(
            body if isinstance(body, str) else "", fmt if isinstance(fmt, str) else "markdown"
        )
    except Invalid as exc:
        message = Markup('<p class="preview-error" role="alert">{}</p>').format(exc.message)
        return HTMLResponse(message, status_code=422, headers=SECURITY_HEADERS)
    return HTMLResponse(html, headers=SECURITY_HEADERS)
