"""URL identity for sites, feeds and posts (R-D18). Pure."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str, *, keep_query: bool = True) -> str:
    """Lowercase scheme and host, drop `www.`, the default port, the fragment and a trailing
    `/`. The scheme is dropped too, so http and https name the same thing."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip().lower()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = parts.query if keep_query else ""
    return urlunsplit(("", netloc, path, query, "")).removeprefix("//")


def site_key(link: str) -> str:
    return normalize_url(link, keep_query=False)


def feed_key(feed_url: str) -> str:
    return normalize_url(feed_url, keep_query=True)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def looks_like_url(text: str) -> bool:
    """`https://…`, or a bare domain such as `example.com` or `example.com/blog`."""
    value = text.strip()
    if not value or any(c.isspace() for c in value):
        return False
    if value.lower().startswith(("http://", "https://")):
        return True
    host = value.split("/", 1)[0]
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(label and all(c.isalnum() or c == "-" for c in label) for label in labels)
        and labels[-1].isalpha()
        and len(labels[-1]) >= 2
    )
