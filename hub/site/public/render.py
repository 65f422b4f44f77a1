"""The Jinja2 environment of the public pages (`hub/templates/site/`), autoescaped, with the
few filters the templates need. `TEMPLATE_VERSION` is a digest of the templates themselves, so
every ETag changes when a template does (the `HUB_TEMPLATE_VERSION` of §3.7, computed)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

import hub

TEMPLATES = Path(hub.__file__).resolve().parent / "templates"
SITE = TEMPLATES / "site"


def _digest(folder: Path) -> str:
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


TEMPLATE_VERSION = _digest(SITE)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def iso(when: datetime | None) -> str:
    """ISO 8601 with seconds and the UTC offset: 2026-05-20T10:00:00+00:00."""
    if when is None:
        return ""
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def human_date(when: datetime | None) -> str:
    if when is None:
        return ""
    when = when.astimezone(UTC)
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def minify_css(css: str) -> str:
    """Comments and runs of whitespace out: the stylesheet is inlined in every page."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};,>])\s*", r"\1", css).strip()


class ViewEnvironment(Environment):
    """Jinja's environment, reading a dict's key before trying an attribute of that name.

    The pages' views are dicts, and Jinja reads `e.title` as `getattr(e, "title")` first: an
    AttributeError raised and caught for every field shown (about 700 on a channel home, 15%
    of its render). Here the key is read first; a name that is no key (`cite.get(...)`) still
    finds the dict's method, as before. What differs: a key named like a dict method
    (`items`, `get`) would win over the method; no view has one.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _environment() -> Environment:
    env = ViewEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["iso"] = iso
    env.filters["human_date"] = human_date
    env.globals["stylesheet"] = Markup(minify_css((SITE / "style.css").read_text()))  # noqa: S704
    return env


ENVIRONMENT = _environment()


def render(name: str, **context: object) -> str:
    """Render `site/{name}`."""
    return ENVIRONMENT.get_template(f"site/{name}").render(**context)


def safe(html: str) -> Markup:
    """Mark HTML as safe for a template: only for HTML that went through `display_html`."""
    return Markup(html)  # noqa: S704
