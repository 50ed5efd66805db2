"""Which URLs the fetcher may contact: http(s) on an allow-listed host, and redirects only within the
scheme, host and port of the URL asked for."""
from __future__ import annotations

from urllib.parse import urlsplit

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
"""HTTP statuses whose ``Location`` the fetcher follows (by hand, one hop at a time)."""


class HostPolicy:
    """The allow-list of host names (no port, compared in lower case)."""

    def __init__(self, allowed_hosts: set[str] | frozenset[str]) -> None:
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be contacted (not http(s), or a host off the allow-list); None when it may."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"unsupported scheme {parts.scheme!r}"
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            return f"host {host!r} is not in the allowed hosts ({', '.join(sorted(self.allowed_hosts))})"
        return None

    def redirect_refusal(self, source: str, target: str) -> str | None:
        """Why a redirect from ``source`` to ``target`` is refused: the target may not be contacted, or it
        changes scheme, host or port; None when it may be followed."""
        refusal = self.refusal(target)
        if refusal is None and _origin(source) != _origin(target):
            scheme, host, port = _origin(source)
            refusal = f"redirects are followed only within {scheme}://{host}:{port}"
        return refusal


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)
