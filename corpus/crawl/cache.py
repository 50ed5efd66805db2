"""A disk cache of raw response bytes, keyed by URL: the crawl's immutable raw data.

Layout: ``<root>/<host>/<path>`` mirrors the site (``www.info.gov.hk/gia/general/201912/31.htm``);
a port becomes ``host_port``; a query string or an unsafe path segment is replaced by a SHA-256
digest. Writes go to a temporary file in the same folder and are moved into place with
``os.replace``, so a killed process never leaves a truncated entry.

Only valid pages (HTTP 200 and recognised by their parser) are stored as pages, each with a
``<file>.meta.json`` sidecar holding the response's ``Content-Type`` (so a cached page decodes like
a fresh one) and the time it was stored (UTC, ``retrieved_at``). Nothing is ever deleted:

- a page that is not valid (an HTTP-200 error page, undecodable bytes) goes to ``<file>.rejected``
  (with ``<file>.rejected.meta.json`` giving the reason), which is never read as a page;
- a cached page found invalid later (e.g. cached by an older version) is moved there too;
- a page fetched again with other bytes keeps the older body as ``<file>.v-<sha256 prefix>``.

A 404 may be recorded as *known missing* (an empty ``<file>.missing`` marker), so a warm cache
answers without asking the server again; delete the marker (or the cache) to ask again.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")
MISSING_SUFFIX = ".missing"
META_SUFFIX = ".meta.json"
REJECTED_SUFFIX = ".rejected"
VERSION_INFIX = ".v-"


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

    def content_type(self, url: str) -> str | None:
        """The Content-Type the cached page of ``url`` was served with (None if unknown)."""
        return _read_meta(self.path_for(url)).get("content_type")

    def retrieved_at(self, url: str) -> str | None:
        """When the cached page of ``url`` was stored (UTC, ISO 8601), None if unknown (older entries)."""
        return _read_meta(self.path_for(url)).get("retrieved_at")

    def put(self, url: str, body: bytes, content_type: str | None = None) -> Path:
        """Store ``body`` for ``url`` atomically with its content type and the time (and drop any
        known-missing marker); an older, different body is kept as a version file. Returns the path."""
        path = self.path_for(url)
        try:
            old = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            old = None
        if old is not None and old != body:
            kept = path.with_name(f"{path.name}{VERSION_INFIX}{hashlib.sha256(old).hexdigest()[:16]}")
            _move(_meta(path), _meta(kept))
            os.replace(path, kept)
        retrieved_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        _atomic_write(_meta(path), json.dumps({"content_type": content_type, "retrieved_at": retrieved_at}).encode("utf-8"))
        _atomic_write(path, body)
        _marker(path).unlink(missing_ok=True)
        return path

    def reject(self, url: str, body: bytes, reason: str, content_type: str | None = None) -> Path:
        """Keep an invalid answer for ``url`` aside (``<file>.rejected``), never to be read as a page."""
        path = self.path_for(url)
        rejected = path.with_name(path.name + REJECTED_SUFFIX)
        _atomic_write(_meta(rejected), json.dumps({"content_type": content_type, "reason": reason}).encode("utf-8"))
        _atomic_write(rejected, body)
        return rejected

    def set_aside(self, url: str, reason: str) -> None:
        """Move the cached page of ``url`` to ``<file>.rejected`` (it turned out not to be valid)."""
        path = self.path_for(url)
        rejected = path.with_name(path.name + REJECTED_SUFFIX)
        _atomic_write(_meta(rejected), json.dumps({**_read_meta(path), "reason": reason}).encode("utf-8"))
        _meta(path).unlink(missing_ok=True)  # copied into the rejected page's sidecar above
        os.replace(path, rejected)

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


def _meta(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


def _read_meta(path: Path) -> dict[str, str | None]:
    try:
        return json.loads(_meta(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}  # a page cached before sidecars existed: its meta tag (or UTF-8) decides


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except FileNotFoundError:
        pass


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
