"""The SQLite document store: idempotent upserts keyed by document id, a crawl log, crawl progress.

Every write is its own committed transaction in WAL mode, so a process killed at any moment
(even with SIGKILL) leaves every write that returned intact and nothing half-written.

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

Stores made before ``raw_hash`` existed gain the column when opened for writing.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from hkasean.corpus.document import CORE_FIELDS, Document
from hkasean.corpus.errors import InputError
from hkasean.corpus.locations import default_db_path

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

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


@dataclass(frozen=True)
class FetchMeta:
    """How a document was obtained: the URL fetched, the HTTP status, the UTC time (ISO 8601), and
    the SHA-256 of the raw page (None when there is no raw page, e.g. an import)."""

    fetch_url: str
    http_status: int
    fetched_at: str
    raw_hash: str | None = None


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds, e.g. ``2024-05-01T12:00:00+00:00``."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def check_store_file(path: Path, *, must_exist: bool) -> None:
    """Raise ``InputError`` unless ``path`` can be a document store: not a folder, and either a SQLite
    file or (when ``must_exist`` is false) missing or empty, i.e. a store to create."""
    if path.is_dir():
        raise InputError("is a folder; expected a document store file (SQLite)", path=path)
    if not path.exists():
        if must_exist:
            raise InputError("document store not found (run `hkasean scrape` or `hkasean corpus import` first)", path=path)
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise InputError(f"cannot read the document store ({exc.strerror or exc})", path=path) from None
    if not header and must_exist:
        raise InputError("empty file (0 bytes); expected a document store made by `hkasean scrape` or `hkasean corpus import`",
                         path=path)
    if header and header != SQLITE_HEADER:
        raise InputError("not a SQLite database (the file does not start with 'SQLite format 3'); expected a document "
                         "store made by `hkasean scrape` or `hkasean corpus import`", path=path)


class DocumentStore:
    """Documents in one SQLite file (created with its folder if missing); a context manager.

    ``path=None`` uses ``corpus.locations.default_db_path()``. With ``read_only=True`` the store must
    already exist (``InputError`` otherwise, see ``check_store_file``) and is opened read-only: no file
    or folder is created and the store is never changed.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        self.path = Path(default_db_path() if path is None else path)
        check_store_file(self.path, must_exist=read_only)
        if read_only:
            self._conn = _open_read_only(self.path)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        if "raw_hash" not in self._columns("documents"):  # a store made before raw page hashes were kept
            self._conn.execute("ALTER TABLE documents ADD COLUMN raw_hash TEXT")

    # -- documents ---------------------------------------------------------------------------

    def upsert(self, document: Document, fetch_meta: FetchMeta | None = None) -> str:
        """Insert or update one document by id; returns 'inserted', 'updated' or 'unchanged'.

        'unchanged' (same content hash) writes nothing, not even the fetch metadata, except that a
        ``fetch_meta.raw_hash`` is always recorded (``document_versions``, ``documents.raw_hash``).
        """
        content_hash = document.content_hash()
        record = document.to_dict()
        extra = {key: value for key, value in record.items() if key not in CORE_FIELDS}
        values = [record[name] for name in CORE_FIELDS] + [json.dumps(extra, ensure_ascii=False), content_hash]
        meta = [fetch_meta.fetched_at, fetch_meta.fetch_url, fetch_meta.http_status] if fetch_meta else [None] * 3
        with self._transaction() as conn:
            if fetch_meta is not None and fetch_meta.raw_hash:
                conn.execute(
                    "INSERT OR IGNORE INTO document_versions (id, raw_hash, content_hash, fetch_url, first_seen) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (document.id, fetch_meta.raw_hash, content_hash, fetch_meta.fetch_url, fetch_meta.fetched_at),
                )
                conn.execute("UPDATE documents SET raw_hash = ? WHERE id = ?", (fetch_meta.raw_hash, document.id))
            row = conn.execute("SELECT content_hash FROM documents WHERE id = ?", (document.id,)).fetchone()
            if row is None:
                conn.execute(
                    f"INSERT INTO documents ({', '.join(CORE_FIELDS)}, extra, content_hash, fetched_at, "
                    f"fetch_url, http_status, raw_hash) VALUES ({', '.join('?' * (len(CORE_FIELDS) + 6))})",
                    values + meta + [fetch_meta.raw_hash if fetch_meta else None],
                )
                return "inserted"
            if row[0] == content_hash:
                return "unchanged"
            assignments = ", ".join(f"{name} = ?" for name in (*CORE_FIELDS[1:], "extra", "content_hash"))
            conn.execute(
                f"UPDATE documents SET {assignments}, revision = revision + 1, "
                "fetched_at = COALESCE(?, fetched_at), fetch_url = COALESCE(?, fetch_url), "
                "http_status = COALESCE(?, http_status) WHERE id = ?",
                values[1:] + meta + [document.id],
            )
            return "updated"

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or None."""
        row = self._conn.execute(f"SELECT {', '.join(CORE_FIELDS)}, extra FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else _row_to_document(row)

    def __contains__(self, doc_id: object) -> bool:
        return self._conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def iter_documents(self) -> Iterator[Document]:
        """Every document ordered by (date, id), streamed from a cursor one row at a time."""
        cursor = self._conn.cursor()
        try:
            cursor.execute(f"SELECT {', '.join(CORE_FIELDS)}, extra FROM documents ORDER BY date, id")
            for row in cursor:
                yield _row_to_document(row)
        finally:
            cursor.close()

    def dates_outside(self, first_year: int, last_year: int) -> list[tuple[str, str]]:
        """``(id, date)`` of the documents whose issue year is before ``first_year`` or after ``last_year``."""
        rows = self._conn.execute(
            "SELECT id, date FROM documents WHERE date < ? OR date >= ? ORDER BY date, id",
            (f"{first_year:04d}", f"{last_year + 1:04d}"),
        )
        return [(str(doc_id), str(date)) for doc_id, date in rows]

    def raw_hash(self, doc_id: str) -> str | None:
        """SHA-256 of the latest raw page of the document (None for imports, old stores or unknown ids)."""
        if "raw_hash" not in self._columns("documents"):
            return None
        row = self._conn.execute("SELECT raw_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    def replaced_documents(self) -> list[dict[str, Any]]:
        """Documents seen with more than one raw page (replaced on the site after publication): dicts
        with ``id`` and ``raw_hashes`` (oldest first), ordered by id."""
        if not self._columns("document_versions"):
            return []
        rows = self._conn.execute(
            "SELECT id, raw_hash FROM document_versions WHERE id IN "
            "(SELECT id FROM document_versions GROUP BY id HAVING COUNT(*) > 1) ORDER BY id, rowid"
        )
        replaced: dict[str, list[str]] = {}
        for doc_id, raw_hash in rows:
            replaced.setdefault(doc_id, []).append(raw_hash)
        return [{"id": doc_id, "raw_hashes": hashes} for doc_id, hashes in replaced.items()]

    def revision(self, doc_id: str) -> int:
        """1 for a document never updated, +1 per changing upsert; 0 when the id is unknown."""
        row = self._conn.execute("SELECT revision FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return 0 if row is None else int(row[0])

    # -- crawl bookkeeping -------------------------------------------------------------------

    def log_fetch(
        self,
        url: str,
        kind: str,
        status: int,
        attempts: int,
        error: str | None = None,
        from_cache: bool = False,
    ) -> None:
        """Record the latest fetch of ``url`` (kind: index, release or robots), replacing older ones."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO crawl_log (url, kind, status, attempts, error, from_cache, last_attempt) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, "
                "status = excluded.status, attempts = excluded.attempts, error = excluded.error, "
                "from_cache = excluded.from_cache, last_attempt = excluded.last_attempt",
                (url, kind, int(status), int(attempts), error, int(from_cache), utc_now()),
            )

    def crawl_failures(self) -> list[dict[str, Any]]:
        """The URLs whose latest fetch failed: dicts with url, kind, status, attempts, error, last_attempt."""
        rows = self._conn.execute(
            "SELECT url, kind, status, attempts, error, last_attempt FROM crawl_log "
            "WHERE error IS NOT NULL ORDER BY url"
        )
        keys = ("url", "kind", "status", "attempts", "error", "last_attempt")
        return [dict(zip(keys, row)) for row in rows]

    def mark_day_done(self, day: _dt.date, filter_key: str, listed: int) -> None:
        """Remember that every release listed on ``day`` was processed under ``filter_key``."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO crawl_days (day, filter_key, listed, completed_at) VALUES (?, ?, ?, ?)",
                (day.isoformat(), filter_key, int(listed), utc_now()),
            )

    def day_done(self, day: _dt.date, filter_key: str) -> bool:
        """True when ``day`` was fully processed under ``filter_key`` by an earlier crawl."""
        row = self._conn.execute(
            "SELECT 1 FROM crawl_days WHERE day = ? AND filter_key = ?", (day.isoformat(), filter_key)
        ).fetchone()
        return row is not None

    def record_day_check(
        self, day: _dt.date, listed: int, select_listed: int | None, select_differs: bool, detail: str
    ) -> None:
        """Record the latest look at ``day``'s index (replacing the previous one); see the table notes."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO crawl_day_checks (day, listed, select_listed, select_differs, detail, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (day.isoformat(), int(listed), select_listed, int(select_differs), detail, utc_now()),
            )

    def suspect_days(self) -> list[dict[str, Any]]:
        """Days whose latest index look found no release: dicts with day, detail, checked_at, by day."""
        return self._day_checks("listed = 0")

    def select_mismatches(self) -> list[dict[str, Any]]:
        """Days whose index and ``select_en.htm`` disagree: dicts with day, listed, select_listed, detail."""
        return self._day_checks("select_differs = 1")

    def _day_checks(self, condition: str) -> list[dict[str, Any]]:
        if not self._columns("crawl_day_checks"):
            return []  # a store made before day checks, opened read-only
        keys = ("day", "listed", "select_listed", "detail", "checked_at")
        rows = self._conn.execute(f"SELECT {', '.join(keys)} FROM crawl_day_checks WHERE {condition} ORDER BY day")
        return [dict(zip(keys, row)) for row in rows]

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}

    # -- summary -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts: ``documents``; ``by_year``, ``by_doc_type``, ``by_source`` (value -> count, sorted
        by value; an empty doc_type or source shows as ""); ``crawl_failures`` (URLs whose latest
        fetch failed) and ``crawl_failures_by_kind``."""
        def grouped(expression: str) -> dict[str, int]:
            rows = self._conn.execute(
                f"SELECT {expression} AS k, COUNT(*) FROM documents GROUP BY k ORDER BY k"
            )
            return {str(key): int(count) for key, count in rows}

        failures = Counter(row["kind"] for row in self.crawl_failures())
        return {
            "documents": len(self),
            "by_year": grouped("substr(date, 1, 4)"),
            "by_doc_type": grouped("doc_type"),
            "by_source": grouped("source"),
            "crawl_failures": sum(failures.values()),
            "crawl_failures_by_kind": dict(sorted(failures.items())),
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def hold_snapshot(self) -> None:
        """Start a read transaction: from now until ``close()`` this connection reads the store as it
        is now, whatever other processes write meanwhile (a crawl may go on). For readers that make
        several passes and need each to see the same documents; never write through this store then."""
        self._conn.execute("BEGIN")
        self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> "DocumentStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._conn)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) to an existing store; ``InputError`` if it holds no documents table."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30.0)
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the document store ({exc})", path=path) from None
    if found is None:
        conn.close()
        raise InputError("a SQLite database without a 'documents' table; expected a document store made by "
                         "`hkasean scrape` or `hkasean corpus import`", path=path)
    return conn


def _row_to_document(row: tuple[Any, ...]) -> Document:
    record = dict(zip(CORE_FIELDS, row[:-1]))
    return Document(extra=json.loads(row[-1]), **record)
