"""The SQLite document store: idempotent upserts keyed by document id, a crawl log, crawl progress.

Every write is its own committed transaction in WAL mode (``upsert_many``: one transaction for all its
documents), so a process killed at any moment (even with SIGKILL) leaves every write that returned
intact and nothing half-written.

The tables are described in ``corpus.store_schema``, which files are accepted as a store in
``corpus.store_file``, locks and SQLite faults in ``corpus.store_connection``, and the crawl
bookkeeping (``log_fetch``, ``day_done`` ...) in ``corpus.crawl_log``.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from hkasean.corpus.crawl_log import CrawlBookkeeping
from hkasean.corpus.document import CORE_FIELDS, Document
from hkasean.corpus.errors import InputError
from hkasean.corpus.locations import default_db_path
from hkasean.corpus.store_connection import connect_store, sqlite_errors
from hkasean.corpus.store_file import check_store_file, identify_store, open_read_only
from hkasean.corpus.store_schema import TABLES, build_schema, create_store


@dataclass(frozen=True)
class FetchMeta:
    """How a document was obtained: the URL fetched, the HTTP status, the UTC time (ISO 8601), and
    the SHA-256 of the raw page (None when there is no raw page, e.g. an import)."""

    fetch_url: str
    http_status: int
    fetched_at: str
    raw_hash: str | None = None


class DocumentStore(CrawlBookkeeping):
    """Documents in one SQLite file (created with its folder if missing); a context manager.

    ``path=None`` uses ``corpus.locations.default_db_path()``. The file must be a store of ours (see
    ``corpus.store_file``; ``InputError`` otherwise, nothing changed). With ``read_only=True`` the store
    must already exist (see ``check_store_file``) and is opened read-only: no file or folder is created
    and the store is never changed. A store locked by another process is waited for
    ``store_connection.LOCK_TIMEOUT_S`` seconds, then ``StoreLocked``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        super().__init__(Path(default_db_path() if path is None else path))
        check_store_file(self.path, must_exist=read_only)
        if read_only:
            self._conn = open_read_only(self.path)
            return
        if not self.path.exists():
            create_store(self.path)
        kind = identify_store(self.path, for_writing=True)
        self._conn = connect_store(self.path)
        try:
            with sqlite_errors(self.path):
                self._conn.execute("PRAGMA synchronous=NORMAL")
                if kind != "ours" or self._needs_upgrade():
                    self._conn.execute("PRAGMA journal_mode=WAL")
                    with self._transaction() as conn:
                        build_schema(conn)
        except BaseException:
            self.close()
            raise

    def _needs_upgrade(self) -> bool:
        tables = {row[0] for row in self._execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return bool(set(TABLES) - tables) or "raw_hash" not in self._columns("documents")

    # -- documents ---------------------------------------------------------------------------

    def upsert(self, document: Document, fetch_meta: FetchMeta | None = None) -> str:
        """Insert or update one document by id; returns 'inserted', 'updated' or 'unchanged'.

        'unchanged' (same content hash) writes nothing, not even the fetch metadata, except that a
        ``fetch_meta.raw_hash`` is always recorded (``document_versions``, ``documents.raw_hash``).
        Text that cannot be encoded as UTF-8 (a lone surrogate) is an ``InputError``; nothing is written.
        """
        with self._transaction() as conn:
            return self._upsert(conn, document, fetch_meta)

    def upsert_many(self, documents: Iterable[Document]) -> Counter[str]:
        """``upsert`` each document (no fetch metadata) in one transaction: all of them are written or,
        when anything fails (a bad document, an error raised by ``documents`` itself, a lock), none.
        Returns the count of each outcome."""
        outcomes: Counter[str] = Counter()
        with self._transaction() as conn:
            for document in documents:
                outcomes[self._upsert(conn, document, None)] += 1
        return outcomes

    def _upsert(self, conn: sqlite3.Connection, document: Document, fetch_meta: FetchMeta | None) -> str:
        record = document.to_dict()
        try:
            content_hash = document.content_hash()
            extra_json = json.dumps({key: value for key, value in record.items() if key not in CORE_FIELDS}, ensure_ascii=False)
            extra_json.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"field {_unencodable_field(record)!r}: text that cannot be encoded as UTF-8 (a lone "
                             "surrogate); nothing was written", path=self.path, where=f"document {document.id!r}") from None
        values = [record[name] for name in CORE_FIELDS] + [extra_json, content_hash]
        meta = [fetch_meta.fetched_at, fetch_meta.fetch_url, fetch_meta.http_status] if fetch_meta else [None] * 3
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
        row = self._execute(f"SELECT {', '.join(CORE_FIELDS)}, extra FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else _row_to_document(row)

    def __contains__(self, doc_id: object) -> bool:
        return self._execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def __len__(self) -> int:
        return int(self._execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def iter_documents(self) -> Iterator[Document]:
        """Every document ordered by (date, id), streamed from a cursor one row at a time."""
        assert self._conn is not None, "the store is closed"
        cursor = self._conn.cursor()
        try:
            with sqlite_errors(self.path):
                cursor.execute(f"SELECT {', '.join(CORE_FIELDS)}, extra FROM documents ORDER BY date, id")
            while True:
                with sqlite_errors(self.path):
                    row = cursor.fetchone()
                if row is None:
                    return
                yield _row_to_document(row)
        finally:
            cursor.close()

    def dates_outside(self, first_year: int, last_year: int) -> list[tuple[str, str]]:
        """``(id, date)`` of the documents whose issue year is before ``first_year`` or after ``last_year``."""
        rows = self._fetchall(
            "SELECT id, date FROM documents WHERE date < ? OR date >= ? ORDER BY date, id",
            (f"{first_year:04d}", f"{last_year + 1:04d}"),
        )
        return [(str(doc_id), str(date)) for doc_id, date in rows]

    def raw_hash(self, doc_id: str) -> str | None:
        """SHA-256 of the latest raw page of the document (None for imports, old stores or unknown ids)."""
        if "raw_hash" not in self._columns("documents"):
            return None
        row = self._execute("SELECT raw_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    def replaced_documents(self) -> list[dict[str, Any]]:
        """Documents seen with more than one raw page (replaced on the site after publication): dicts
        with ``id`` and ``raw_hashes`` (oldest first), ordered by id."""
        if not self._columns("document_versions"):
            return []
        rows = self._fetchall(
            "SELECT id, raw_hash FROM document_versions WHERE id IN "
            "(SELECT id FROM document_versions GROUP BY id HAVING COUNT(*) > 1) ORDER BY id, rowid"
        )
        replaced: dict[str, list[str]] = {}
        for doc_id, raw_hash in rows:
            replaced.setdefault(doc_id, []).append(raw_hash)
        return [{"id": doc_id, "raw_hashes": hashes} for doc_id, hashes in replaced.items()]

    def revision(self, doc_id: str) -> int:
        """1 for a document never updated, +1 per changing upsert; 0 when the id is unknown."""
        row = self._execute("SELECT revision FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return 0 if row is None else int(row[0])

    # -- summary -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts: ``documents``; ``by_year``, ``by_doc_type``, ``by_source`` (value -> count, sorted
        by value; an empty doc_type or source shows as ""); ``crawl_failures`` (URLs whose latest
        fetch failed) and ``crawl_failures_by_kind``."""
        def grouped(expression: str) -> dict[str, int]:
            rows = self._fetchall(f"SELECT {expression} AS k, COUNT(*) FROM documents GROUP BY k ORDER BY k")
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

    # -- snapshots ---------------------------------------------------------------------------

    def hold_snapshot(self) -> None:
        """Start a read transaction: from now until ``close()`` this connection reads the store as it
        is now, whatever other processes write meanwhile (a crawl may go on). For readers that make
        several passes and need each to see the same documents; never write through this store then."""
        self._execute("BEGIN")
        self._execute("SELECT COUNT(*) FROM documents").fetchone()


def _unencodable_field(record: dict[str, Any]) -> str:
    """The first field of ``record`` whose name or value cannot be encoded as UTF-8."""
    for key, value in record.items():
        try:
            json.dumps([key, value], ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return str(key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
    return "?"


def _row_to_document(row: tuple[Any, ...]) -> Document:
    record = dict(zip(CORE_FIELDS, row[:-1]))
    return Document(extra=json.loads(row[-1]), **record)
