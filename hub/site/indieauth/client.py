"""Client information discovery (IndieAuth §4.2): who is asking, and where it may redirect.

`fetch_client` fetches the client_id URL through the guarded fetcher and `parse_client`
(pure: bytes in) reads either a client metadata JSON document or an HTML page with an h-app
and `rel=redirect_uri` links (HTML `<link>` or HTTP `Link`). `redirect_allowed` then decides
whether a redirect_uri may be used: same scheme, host and port as the client_id, listed by the
client, or a loopback client redirecting to loopback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import mf2py

from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.offload import heavy_to_parse, off_loop
from hub.site.indieauth.model import is_loopback, same_origin

MAX_CLIENT_BYTES = 512 * 1024
CLIENT_FETCH_SECONDS = 10.0


class ClientRefused(Exception):
    """The client's own information rules the request out (e.g. a document for another
    client_id). Shown as an error page; nothing is redirected."""


@dataclass(frozen=True)
class ClientInfo:
    client_id: str
    name: str = ""
    url: str = ""  # client_uri: a page about the client
    logo: str = ""
    redirect_uris: tuple[str, ...] = ()
    fetched: bool = False  # False: not fetched (loopback) or the fetch failed
    notes: tuple[str, ...] = field(default=())  # shown on the consent page

    @property
    def display_name(self) -> str:
        return self.name or urlsplit(self.client_id).hostname or self.client_id


_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.I)


def link_header_rels(header: str, base: str, rel: str) -> list[str]:
    """Targets of one rel in an HTTP Link header, resolved against `base`."""
    found = []
    for target, params in _LINK.findall(header or ""):
        for quoted, bare in _REL.findall(params):
            if rel in (quoted or bare).split():
                found.append(urljoin(base, target.strip()))
    return found


def parse_client(
    client_id: str, final_url: str, content_type: str, body: bytes, link_header: str = ""
) -> ClientInfo:
    """Client information from the document fetched at `client_id`."""
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type.lower() or text.lstrip().startswith("{"):
        return _from_json(client_id, text)
    return _from_html(client_id, final_url, text, link_header)


def _from_json(client_id: str, text: str) -> ClientInfo:
    try:
        document = json.loads(text)
    except ValueError:
        raise ClientRefused("The client_id document is not valid JSON.") from None
    if not isinstance(document, dict):
        raise ClientRefused("The client_id document is not a JSON object.")
    if document.get("client_id") != client_id:
        raise ClientRefused(
            "The client metadata document names another client_id than the URL it was fetched from."
        )
    notes = []
    client_uri = _string(document.get("client_uri"))
    if client_uri and not client_id.startswith(client_uri):
        notes.append("The client's home page is not a prefix of its client_id; ignored.")
        client_uri = ""
    elif client_uri and urlsplit(client_uri).hostname != urlsplit(client_id).hostname:
        notes.append("The client's home page is on another host than its client_id.")
    uris = document.get("redirect_uris")
    redirect_uris = tuple(
        urljoin(client_id, u) for u in (uris if isinstance(uris, list) else []) if _string(u)
    )
    return ClientInfo(
        client_id=client_id,
        name=_string(document.get("client_name"))[:200],
        url=client_uri,
        logo=_string(document.get("logo_uri")),
        redirect_uris=redirect_uris,
        fetched=True,
        notes=tuple(notes),
    )


def _from_html(client_id: str, final_url: str, text: str, link_header: str) -> ClientInfo:
    parsed = mf2py.parse(doc=text, url=final_url)
    name = url = logo = ""
    for item in _walk(parsed.get("items", [])):
        if not any(t in ("h-app", "h-x-app") for t in item.get("type", [])):
            continue
        props = item.get("properties", {})
        urls = [_value(u) for u in props.get("url", [])] or [client_id]
        if client_id not in urls and final_url not in urls:
            continue
        name = _value((props.get("name") or [""])[0])
        logo = _value((props.get("logo") or [""])[0])
        url = _value((props.get("url") or [""])[0])
        break
    rels = link_header_rels(link_header, final_url, "redirect_uri")
    rels += [u for u in parsed.get("rels", {}).get("redirect_uri", []) if u not in rels]
    return ClientInfo(
        client_id=client_id,
        name=name[:200],
        url=url,
        logo=logo,
        redirect_uris=tuple(rels),
        fetched=True,
    )


def _walk(items: list) -> list:
    found = []
    for item in items:
        if isinstance(item, dict):
            found.append(item)
            found.extend(_walk(item.get("children", [])))
    return found


def _value(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value") or value.get("url") or ""
    return value.strip() if isinstance(value, str) else ""


def _string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def redirect_allowed(client: ClientInfo, redirect_uri: str) -> bool:
    """IndieAuth §4.2.2 / §10.1: a redirect_uri on the client_id's scheme, host and port is
    fine; another one must be listed by the client (exact match); a loopback client (a CLI,
    never fetched) may redirect to any loopback port."""
    if same_origin(client.client_id, redirect_uri):
        return True
    if redirect_uri in client.redirect_uris:
        return True
    return is_loopback(client.client_id) and is_loopback(redirect_uri)


async def fetch_client(fetcher, client_id: str, *, allow_loopback: bool) -> ClientInfo:
    """Fetch and parse the client's information. A loopback client_id is never fetched
    (IndieAuth §4.2) unless the test-only loopback switch is on; a failed fetch gives a
    client known only by its URL. Raises ClientRefused when the document rules it out."""
    if is_loopback(client_id) and not allow_loopback:
        return ClientInfo(client_id=client_id, notes=("A client on this computer (loopback).",))
    try:
        result = await fetcher.fetch(
            client_id,
            headers={"Accept": "application/json, text/html;q=0.9, */*;q=0.1"},
            max_bytes=MAX_CLIENT_BYTES,
            timeout=CLIENT_FETCH_SECONDS,
        )
    except (FetchRefused, FetchFailed, TooLarge) as exc:
        return ClientInfo(client_id=client_id, notes=(f"Its page could not be read: {exc}",))
    if not 200 <= result.status < 300:
        return ClientInfo(client_id=client_id, notes=(f"Its page answered HTTP {result.status}.",))
    return await off_loop(
        parse_client, client_id, result.url, result.headers.get("content-type", ""),
        result.content, result.headers.get("link", ""), heavy=heavy_to_parse(result.content),
    )  # fmt: skip
