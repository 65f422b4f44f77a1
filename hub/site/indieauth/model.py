"""IndieAuth rules that need no I/O: scopes, identifier URLs, PKCE, redirects, lifetimes.

Pure functions (no database, no HTTP) with unit tests in tests/site/indieauth/test_model.py.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The scopes a client may be granted (micropub-resolved §2.2), in the order the consent page
# lists them; anything else a client asks for is shown as not supported and never granted.
SCOPES: dict[str, str] = {
    "create": "Create posts (any status) and upload media",
    "draft": "Create drafts only; never publish",
    "update": "Edit posts, including publishing a draft",
    "delete": "Delete posts (and undelete them)",
    "undelete": "Undelete posts",
    "media": "Upload files to the media endpoint",
    "profile": "See your name, profile URL and photo",
    "email": "See your email address",
}
LIFETIMES: dict[str, int | None] = {
    "never": None,
    "30d": 30 * 24 * 3600,
    "1y": 365 * 24 * 3600,
}
LIFETIME_LABELS = {"never": "Never expires", "30d": "30 days", "1y": "1 year"}
CODE_TTL_SECONDS = 600  # authorization codes live 10 minutes
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "[::1]", "::1", "localhost"})
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43,128}$")


def parse_scope(raw: str | None) -> list[str]:
    """Requested scopes from a space-separated string, de-duplicated, order kept."""
    return list(dict.fromkeys((raw or "").split()))


def grantable(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s in SCOPES]


def client_id_problem(client_id: str) -> str | None:
    """Why `client_id` is not a valid IndieAuth client identifier (§3.3), or None."""
    if not client_id or len(client_id) > 2000:
        return "The client_id is missing or too long."
    try:
        parts = urlsplit(client_id)
        port = parts.port
    except ValueError:
        return "The client_id is not a valid URL."
    if parts.scheme not in ("http", "https"):
        return "The client_id must be an http or https URL."
    if not parts.path:
        return "The client_id must have a path (at least /)."
    if parts.fragment or "#" in client_id:
        return "The client_id must not have a fragment."
    if parts.username is not None or parts.password is not None:
        return "The client_id must not contain a user name or password."
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return "The client_id must not contain . or .. path segments."
    host = (parts.hostname or "").lower()
    if not host:
        return "The client_id has no host."
    if port is not None and not 0 < port < 65536:
        return "The client_id has an invalid port."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_loopback or str(address) not in ("127.0.0.1", "::1"):
        return "The client_id host must be a domain name (or 127.0.0.1 / [::1])."
    return None


def is_loopback(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host in LOOPBACK_HOSTS


def redirect_uri_problem(redirect_uri: str) -> str | None:
    """Why `redirect_uri` can never be used, or None. (Whether it is allowed for a client is
    decided with the client's information.)"""
    if not redirect_uri or len(redirect_uri) > 2000:
        return "The redirect_uri is missing or too long."
    try:
        parts = urlsplit(redirect_uri)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "The redirect_uri is not a valid URL."
    if not parts.scheme or parts.fragment or "#" in redirect_uri:
        return "The redirect_uri must be an absolute URL without a fragment."
    if parts.scheme.lower() in ("javascript", "data", "vbscript", "file", "blob", "about"):
        return f"The redirect_uri scheme {parts.scheme}: is not allowed."
    if parts.scheme in ("http", "https") and not parts.hostname:
        return "The redirect_uri has no host."
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def valid_challenge(challenge: str) -> bool:
    return bool(_CHALLENGE.match(challenge))


def pkce_matches(challenge: str, verifier: str) -> bool:
    if not _VERIFIER.match(verifier):
        return False
    return secrets.compare_digest(s256(verifier), challenge)


def with_query(url: str, params: dict[str, str | None]) -> str:
    """`url` with `params` added to its query (existing parameters kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class OAuthError(Exception):
    """An OAuth 2.0 error answered as `{"error", "error_description"}` (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
