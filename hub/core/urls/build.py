"""Public URLs of the node. Every link hub prints or serves is built here."""

from __future__ import annotations

from urllib.parse import quote, urlsplit


class Urls:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        parts = urlsplit(self.base)
        self.host = (parts.hostname or "").lower()
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def absolute(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    def _channel_root(self, channel_slug: str, custom_domain: str | None) -> str:
        if custom_domain:
            return f"https://{custom_domain}"
        return self.absolute(quote(channel_slug))

    def channel(self, channel_slug: str, *, custom_domain: str | None = None) -> str:
        root = self._channel_root(channel_slug, custom_domain)
        return root + "/" if custom_domain else root

    def entry(
        self,
        channel_slug: str,
        slug: str,
        *,
        language: str | None = None,
        custom_domain: str | None = None,
    ) -> str:
        url = f"{self._channel_root(channel_slug, custom_domain)}/{quote(slug)}"
        return f"{url}?lang={quote(language)}" if language else url

    def tag(self, channel_slug: str, tag: str, *, custom_domain: str | None = None) -> str:
        return f"{self._channel_root(channel_slug, custom_domain)}/tags/{quote(tag, safe='')}"

    def media_file(self, relative_path: str) -> str:
        return self.absolute("storage/" + quote(relative_path.lstrip("/")))

    def micropub(self) -> str:
        return self.absolute("micropub")

    def micropub_media(self, public_id: str | None = None) -> str:
        return self.absolute("micropub/media" + (f"/{quote(public_id)}" if public_id else ""))

    def dashboard_entry(self, entry_id: int) -> str:
        return self.absolute(f"dashboard/posts/{entry_id}/edit")

    def is_own(self, url: str) -> bool:
        """True when `url` points at this node's base host (custom domains are checked by the
        caller, which knows the channels)."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and (parts.hostname or "").lower() == self.host
