"""A disk cache of raw response bytes, keyed by URL: the crawl's immutable raw data.

Layout: ``<root>/<host>/<path>`` mirrors the site (``www.info.gov.hk/gia/general/201912/31.htm``);
a port becomes ``host_port``; a query string or an unsafe path segment is replaced by a SHA-256
digest. Writes go to a temporary file in the same folder and are moved into place with
``os.replace``, so a killed process never leaves a truncated entry.

Only successful bodies (HTTP 200) are stored as pages. A 404 may be recorded as *known missing*
(an empty ``<file>.missing`` marker), so a warm cache answers for days that have no index page
without asking the server again; delete the marker (or the cache) to ask again.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")
MISSING_SUFFIX = ".missing"


class PageCache:
    """Raw bytes of fetched pages under ``root`` (created on first write)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_for(self, url: str) -> Path:
        """The file that holds (or would hold) the body of ``url``."""
        parts = urlsplit(url)
        host = (parts.hostname or "unknown-host").lower() + (f"_{parts.port}" if parts.port else "")
        segments = [segment for segment in parts.path.split("/") if segment]
        if not segments or parts.path.endswith("/"):
            segments.append("index.html")
        safe = [s if _SAFE_SEGMENT.fullmatch(s) and s not in (".", "..") else _digest(s) for s in segments]
        if parts.query:
            safe[-1] = f"{safe[-1]}__{_digest(parts.query)}"
        return self.root.joinpath(host, *safe)

    def get(self, url: str) -> bytes | None:
        """The cached body of ``url``, or None when it is not cached."""
        try:
            return self.path_for(url).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def put(self, url: str, body: bytes) -> Path:
        """Store ``body`` for ``url`` atomically (and drop any known-missing marker); returns the path."""
        path = self.path_for(url)
        _atomic_write(path, body)
        _marker(path).unlink(missing_ok=True)
        return path

    def is_known_missing(self, url: str) -> bool:
        """True when a 404 for ``url`` was recorded with ``mark_missing``."""
        return _marker(self.path_for(url)).is_file()

    def mark_missing(self, url: str) -> None:
        """Record that the server answered 404 for ``url``."""
        _atomic_write(_marker(self.path_for(url)), b"")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _marker(path: Path) -> Path:
    return path.with_name(path.name + MISSING_SUFFIX)


def _atomic_write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
