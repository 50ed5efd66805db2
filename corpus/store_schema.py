"""The tables of the document store, its stamp, and how a new store is made.

Tables:

- ``documents``: one row per document: the ``Document`` core fields, ``extra`` as JSON (key order
  kept), ``content_hash`` (``Document.content_hash()``), ``fetched_at``/``fetch_url``/
  ``http_status`` (how it was obtained; empty for imports), ``revision`` (1 + number of updates).
- ``crawl_log``: one row per URL (the latest attempt): ``kind`` (index, release, robots),
  HTTP ``status`` (0 when no response), ``attempts``, ``error`` (NULL on success),
  ``from_cache``, ``last_attempt``.
- ``crawl_days``: days whose index was fully processed under a given filter (``filter_key``),
  so a resumed crawl can skip them.
- ``crawl_day_checks``: per day, the latest look at its index: releases ``listed`` (0 = a
  *suspect* day), ``select_listed`` (releases in the day's ``select_en.htm``, NULL when not
  available), ``select_differs`` and a ``detail`` sentence.
- ``document_versions``: every raw page (``raw_hash``, SHA-256 of the bytes) seen for a document,
  in the order seen; ``documents.raw_hash`` is the latest. More than one version = the release
  was replaced on the site after publication.

A store made by this version carries ``PRAGMA application_id = APPLICATION_ID`` ("hkas") and
``PRAGMA user_version = STORE_FORMAT``; a new store is built in a temporary file next to the target
and linked into place complete, so a store is never half made and an empty file is never one of ours.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from hkasean.corpus.errors import InputError
from hkasean.corpus.permissions import make_like_new_file
from hkasean.corpus.store_connection import sqlite_errors

APPLICATION_ID = 0x686B6173
"""``PRAGMA application_id`` of every store this suite makes (the bytes "hkas")."""

STORE_FORMAT = 1
"""``PRAGMA user_version`` of the stores this version makes; a store with a higher one is refused."""

TABLES: tuple[str, ...] = ("documents", "crawl_log", "crawl_days", "crawl_day_checks", "document_versions")
"""Every table of a store."""

FIRST_TABLES: tuple[str, ...] = ("documents", "crawl_log", "crawl_days")
"""The tables every store has had since the first version (how an unstamped earlier store is recognised)."""

FIRST_DOCUMENT_COLUMNS: frozenset[str] = frozenset({
    "id", "url", "date", "title", "text", "source", "doc_type", "speaker", "lang", "extra", "content_hash",
    "fetched_at", "fetch_url", "http_status", "revision",
})
"""The columns of ``documents`` since the first version."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    speaker TEXT NOT NULL,
    lang TEXT NOT NULL,
    extra TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT,
    fetch_url TEXT,
    http_status INTEGER,
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS documents_by_date ON documents (date, id);
CREATE TABLE IF NOT EXISTS crawl_log (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('index', 'release', 'robots')),
    status INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT,
    from_cache INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_days (
    day TEXT NOT NULL,
    filter_key TEXT NOT NULL,
    listed INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (day, filter_key)
);
CREATE TABLE IF NOT EXISTS crawl_day_checks (
    day TEXT PRIMARY KEY,
    listed INTEGER NOT NULL,
    select_listed INTEGER,
    select_differs INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS document_versions (
    id TEXT NOT NULL,
    raw_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetch_url TEXT,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (id, raw_hash)
);
"""


def build_schema(conn: sqlite3.Connection) -> None:
    """Create what is missing (tables, index, the ``raw_hash`` column of earlier stores) and stamp the
    store as ours; inside the caller's transaction."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    if "raw_hash" not in {row[1] for row in conn.execute("PRAGMA table_info(documents)")}:
        conn.execute("ALTER TABLE documents ADD COLUMN raw_hash TEXT")  # a store made before raw page hashes were kept
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {STORE_FORMAT}")


def create_store(path: Path) -> None:
    """Make a new, empty, stamped store at ``path`` in one step: built in a temporary file in the same
    folder, then hard-linked into place (never over a file another process made meanwhile)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot create the document store ({exc.strerror or exc})", path=path) from None
    os.close(fd)
    tmp = Path(name)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            with sqlite_errors(path):
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("BEGIN IMMEDIATE")
                build_schema(conn)
                conn.execute("COMMIT")
        finally:
            conn.close()  # the last connection: the log is checkpointed into the file and removed
        make_like_new_file(tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: theirs is opened (and checked) instead
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
